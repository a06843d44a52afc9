"""Gradient descent in a PL* ball: T14 (square-loss form), T15 (generic form), C15, T23."""

from __future__ import annotations

import math

import numpy as np

from ..dynamics import gd, linear_rate
from ..errors import as_rng, positive_finite
from ._core import Theorem, TheoremCheck, Verdict, compare, measure
from .conditioning import _need


def _run_and_judge(system, ball, eta, rate, steps, *, radius_claim, name_prefix=""):
    """GD from the center; verdicts for the rate, staying in the ball, and convergence."""
    tr = gd(system, ball.center, eta=eta, steps=steps)
    rc = linear_rate(tr, rate)
    L0 = tr.losses[0]
    rate_v = compare(f"{name_prefix}worst step ratio L(w_t+1)/L(w_t)", rc.worst_ratio, rate, "upper", "run",
                     rtol=1e-9, atol=1e-12, detail=f"eta = {eta:.4g}, {tr.steps} steps, stopped: {tr.stopped}")
    if not rc.held:
        rate_v = Verdict(rate_v.name, "refuted", "run", rate, rc.worst_ratio, "upper",
                         f"L(w_t) > rate^t L(w_0) first at t = {rc.first_failure}", tr.points[rc.first_failure])
    inside = compare("max_t ||w_t - w0|| (iterates stay in the ball)", rc.max_distance, radius_claim, "upper", "run", rtol=1e-12)
    final = tr.losses[-1]
    converged = Verdict("L(w_t) -> 0 (a solution in the ball)", "holds" if final <= max(1e-20 * L0, tr.loss_floor) or tr.stopped == "zero loss" else "refuted",
                        "run", 0.0, final, "upper", f"final loss after {tr.steps} steps", tr.points[-1])
    return tr, rc, rate_v, inside, converged


def _t14(system, ball, *, level, rng, steps=2000, samples=2048):
    """T14 / C13 / C16 on B(w0, R) with w0 = ball.center."""
    _need(system, ball)
    _, seed = as_rng(rng)
    R = ball.radius
    w0 = ball.center
    r0 = float(np.linalg.norm(system.residual(w0)))
    mu = measure("kernel_min_eig", system, ball, level, rng, samples=samples)
    LF = measure("lipschitz", system, ball, level, rng, samples=samples)
    H = measure("hessian_norm", system, ball, level, rng, samples=samples)
    # beta_F (the smoothness of F) lies in [max_i ||H_i||, sqrt(n) max_i ||H_i||] (C7): use the safe end
    betaF = H.value * (1.0 if system.n == 1 else math.sqrt(system.n))
    hyps = [
        Verdict("mu := inf_B lambda_min(K) > 0 (so mu-PL* on B by T4)", ("certified" if mu.certified else "holds") if mu.value > 0 else "refuted",
                mu.method, None, mu.value, "lower" if mu.certified else "upper", mu.detail, mu.witness),
    ]
    if mu.value <= 0:
        return TheoremCheck("T14", T14.title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    R_req = 2 * LF.value * r0 / mu.value
    hyps.append(compare("required radius 2 L_F ||F(w0) - y|| / mu <= R", R_req, R, "upper",
                        "certified" if (mu.certified and LF.certified) else LF.method, rtol=0.0,
                        detail=f"L_F = {LF.value:.6g}, ||r0|| = {r0:.6g}, mu = {mu.value:.6g}",
                        certified=mu.certified and LF.certified))
    eta = 1.0 / (LF.value**2 + betaF * r0)
    rate = 1 - eta * mu.value
    tr, rc, rate_v, inside, converged = _run_and_judge(system, ball, eta, rate, steps, radius_claim=R)
    path_bound = eta * LF.value * r0 / (1 - math.sqrt(1 - eta * mu.value)) if 0 < eta * mu.value <= 1 else math.inf
    hyps.append(compare("path length sum ||w_t+1 - w_t|| <= eta L_F ||r0|| / (1 - sqrt(1 - eta mu)) (C16)",
                        float(tr.path_length[-1]), path_bound, "upper", "run", rtol=1e-9))
    hyps.extend([inside, converged])
    concl = rate_v
    # the distance and the loss are conclusions too: fold them into the verdict
    if inside.status == "refuted" or converged.status == "refuted":
        concl = Verdict(rate_v.name, "refuted", "run", rate_v.claimed, rate_v.measured, "upper",
                        f"{rate_v.detail}; in ball: {inside.status}; converged: {converged.status}", rate_v.witness)
    series = {"losses": tr.losses, "bound": tr.losses[0] * rate ** np.arange(len(tr.losses)), "rate": rate,
              "distances": tr.distances, "R": R, "R_required": R_req, "eta": eta, "mu": mu.value}
    # hypotheses proper are the first two; the run's facts are reported beside them
    return TheoremCheck("T14", T14.title, system.name or "system", level, tuple(hyps[:2]), concl, seed,
                        dict(series, run=tuple(v.to_dict() for v in hyps[2:])))


T14 = Theorem("T14", "local PL* => solution in the ball + GD at rate 1 - eta mu",
              "If L is mu-PL* on B(w0, R) with R = 2 L_F ||F(w0) - y|| / mu, GD with eta <= 1/(L_F^2 + beta_F ||F(w0) - y||) "
              "stays in B, converges to a solution there, and L(w_t) <= (1 - eta mu)^t L(w0).", "[paper]", _t14)


def _t15(system, ball, *, level, rng, steps=2000, samples=2048):
    _need(system, ball)
    _, seed = as_rng(rng)
    R = ball.radius
    L0 = float(system.loss(ball.center))
    r0 = math.sqrt(2 * L0)
    mu = measure("kernel_min_eig", system, ball, level, rng, samples=samples)
    beta = measure("smoothness", system, ball, level, rng, samples=samples)
    LF = measure("lipschitz", system, ball, level, rng, samples=samples)
    hyps = [Verdict("mu := inf_B lambda_min(K) > 0", ("certified" if mu.certified else "holds") if mu.value > 0 else "refuted",
                    mu.method, None, mu.value, "lower" if mu.certified else "upper", mu.detail, mu.witness)]
    if mu.value <= 0:
        return TheoremCheck("T15", T15.title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    R_gen = 2 * math.sqrt(2 * beta.value * L0) / mu.value
    R_sq = 2 * LF.value * r0 / mu.value
    hyps.append(compare("required radius 2 sqrt(2 beta_L L(w0)) / mu <= R", R_gen, R, "upper", beta.method, rtol=0.0,
                        detail=f"beta_L = sup ||H_L|| = {beta.value:.6g}; square-loss radius (T14) = {R_sq:.6g}; "
                               f"order of the two radii is not automatic (C14)", certified=mu.certified and beta.certified))
    eta = 1.0 / beta.value
    rate = 1 - mu.value / beta.value
    tr, rc, rate_v, inside, converged = _run_and_judge(system, ball, eta, rate, steps, radius_claim=R)
    concl = rate_v
    if inside.status == "refuted":
        concl = Verdict(rate_v.name, "refuted", "run", rate_v.claimed, rate_v.measured, "upper",
                        f"{rate_v.detail}; left the ball", rate_v.witness)
    return TheoremCheck("T15", T15.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"losses": tr.losses, "bound": L0 * rate ** np.arange(len(tr.losses)), "rate": rate,
                         "R_generic": R_gen, "R_square": R_sq, "R": R})


T15 = Theorem("T15", "generic-loss form: R = 2 sqrt(2 beta L(w0))/mu, eta = 1/beta",
              "If L is beta-smooth and mu-PL* on B(w0, R) with R = 2 sqrt(2 beta L(w0))/mu, GD with eta = 1/beta stays in B "
              "and L(w_k) <= (1 - mu/beta)^k L(w0).", "[paper]", _t15)


def _c15(system, ball, *, level, rng, eta_fraction=0.9, samples=2048):
    """The no-1/2 reading mu' = 2 mu does not give the T14 rate 1 - eta mu'; the 1/2 form does."""
    _need(system, ball)
    _, seed = as_rng(rng)
    eta_fraction = positive_finite("eta_fraction", eta_fraction)
    mu = measure("pl_constant", system, ball, level, rng, samples=samples)  # 1/2-form PL* constant
    beta = measure("smoothness", system, ball, level, rng, samples=samples)
    eta = eta_fraction / beta.value
    tr = gd(system, ball.center, eta=eta, steps=1)
    ratio = tr.losses[1] / tr.losses[0] if len(tr.losses) > 1 and tr.losses[0] > 0 else 0.0
    half = compare("one step with the 1/2-form mu: L1/L0 <= 1 - eta mu", ratio, 1 - eta * mu.value, "upper", "run",
                   rtol=1e-9, atol=1e-12, detail=f"mu = {mu.value:.6g}, beta = {beta.value:.6g}, eta = {eta:.4g}")
    mu2 = 2 * mu.value
    nohalf = compare("one step with the no-1/2 mu' = 2 mu: L1/L0 <= 1 - eta mu'", ratio, 1 - eta * mu2, "upper", "run",
                     rtol=1e-9, detail=f"1 - eta mu' = {1 - eta * mu2:.4g}")
    # The claim checked: the 1/2 form is the consistent reading (it holds) and the no-1/2 one is not (refuted here).
    status = "holds" if half.status == "holds" and nohalf.status == "refuted" else ("refuted" if half.status == "refuted" else "not applicable")
    concl = Verdict("no-1/2 rate 1 - eta mu' refuted while the 1/2-form rate holds", status, "run", 1 - eta * mu2, ratio, "upper",
                    f"L1/L0 = {ratio:.4g}; 1/2-form bound {1 - eta * mu.value:.4g}: {half.status}; no-1/2 bound "
                    f"{1 - eta * mu2:.4g}: {nohalf.status}" + ("" if status != "not applicable" else
                    " (the no-1/2 rate happened to hold on this system: no counterexample here)"))
    return TheoremCheck("C15", C15.title, system.name or "system", level, (half,), concl, seed)


C15 = Theorem("C15", "convention: the no-1/2 PL* reading breaks the T14 rate",
              "With ||grad L||^2 >= mu' L (mu' = 2 mu), L(w1) <= (1 - eta mu') L(w0) is not guaranteed; only 1 - eta mu'/2 is.",
              "[derived]", _c15)


def _t23(system, ball, *, level, rng, eps, steps=20000, samples=4096):
    """PL*_eps: PL* only where L >= eps; GD with eta = 1/beta reaches L < eps in ceil((beta/mu) ln(L0/eps)) steps."""
    _need(system, ball)
    eps = positive_finite("eps", eps)
    gen, seed = as_rng(rng)
    L0 = float(system.loss(ball.center))
    P = np.vstack([ball.center[None, :], ball.sample(samples, rng=gen), ball.sample(samples // 4, rng=gen, where="sphere")])
    L = system.loss(P)
    g = system.grad(P)
    keep = L >= eps
    mu_eps = float(np.min(0.5 * np.sum(g * g, 1)[keep] / L[keep])) if keep.any() else math.nan
    beta = measure("smoothness", system, ball, level, rng, samples=samples // 2)
    hyps = [Verdict("mu_eps := inf over {w in B: L(w) >= eps} of 1/2||grad L||^2/L > 0 (D6)", "holds" if mu_eps > 0 else "refuted",
                    "sampled", None, mu_eps, "upper", f"{int(keep.sum())} of {len(P)} sampled points have L >= eps = {eps:g}")]
    if not mu_eps > 0:
        return TheoremCheck("T23", T23.title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    R_need = 2 * math.sqrt(2 * beta.value * L0) / mu_eps
    hyps.append(compare("radius 2 sqrt(2 beta L0)/mu_eps <= R", R_need, ball.radius, "upper", beta.method, rtol=0.0))
    T_bound = math.ceil(beta.value / mu_eps * math.log(L0 / eps)) if L0 > eps else 0
    tr = gd(system, ball.center, eta=1.0 / beta.value, steps=max(T_bound, 1) + 10)
    below = np.flatnonzero(tr.losses < eps)
    T = int(below[0]) if below.size else None
    dist = float(tr.distances[: (T or len(tr.losses)) + 1].max())
    concl = compare("steps to reach L < eps", T if T is not None else math.inf, T_bound, "upper", "run", rtol=0.0,
                    detail=f"eta = 1/beta = {1 / beta.value:.4g}; max distance before then {dist:.4g} <= R = {ball.radius:g}: {dist <= ball.radius}")
    if dist > ball.radius * (1 + 1e-12):
        concl = Verdict(concl.name, "refuted", "run", concl.claimed, concl.measured, "upper", concl.detail + " (left the ball)")
    return TheoremCheck("T23", T23.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"losses": tr.losses, "eps": eps, "T_bound": T_bound})


T23 = Theorem("T23", "PL*_eps => fast GD convergence to loss eps",
              "If L is beta-smooth and mu-PL* where L >= eps in B(w0, R), R = 2 sqrt(2 beta L0)/mu, GD with eta = 1/beta "
              "reaches L < eps within ceil((beta/mu) ln(L0/eps)) steps inside the ball.", "[derived]", _t23)
