"""Gradient descent in a PL* ball: T14 (square-loss form), T15 (generic form), C15 (conventions), T23 (PL*_eps).

The constants each theorem claims are a :class:`~plsym.theorems.Claim`; the
run-based conclusions are judged by :mod:`plsym.theorems._runs` (round-off error
bars, ball-arithmetic confirmation of a violating step, and constants checked
at that step).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..dynamics import gd
from ..errors import as_rng, positive_finite, positive_int
from ..system import check_system_and_ball
from ._core import (Claim, Mutant, Theorem, TheoremCheck, compare, constant, measure, positive_hypothesis,
                    refine_min, residual_norm_at)
from ._runs import adaptive_steps, combine, judge_convergence, judge_distance, judge_rate, path_support, pl_ratio

__all__ = ["T14Claim", "T14", "T15Claim", "T15", "C15Claim", "C15", "T23Claim", "T23"]


def _steps(steps, max_steps, L0, rate, floor):
    if steps is not None:
        return positive_int("steps", steps)
    return adaptive_steps(L0, rate, floor, positive_int("max_steps", max_steps))


def _run_options(samples_doc):
    """The options of a GD run's check (T14, T15): its steps, their cap, the estimators' budget."""
    return [("steps", None, "GD steps; None = enough for the claimed bound to reach the round-off level of L"),
            ("max_steps", 20000, "the cap on the adaptive step count"),
            ("samples", 2048, samples_doc)]


def _run_mutants(rate_label):
    """The wrong constants a GD run's check (T14, T15) must refute: mu doubled, R / 4, eta past 2/beta."""
    return [Mutant(rate_label, {"rate_factor": 2.0}), Mutant("radius quartered", {"radius_factor": 0.5}),
            Mutant("eta past 2/beta", {"step_factor": 2.2})]


def _floor(system, w0):
    """The round-off level of L at w0, as dynamics computes it for a run from w0."""
    return gd(system, w0, eta=1e-300, steps=0).loss_floor


# -- T14 ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class T14Claim(Claim):
    """The constants of T14 (docs/theory.md T14, C13, C16)."""

    radius_factor: float = constant(2.0, "R = radius_factor * L_F ||F(w0) - y|| / mu (the required radius, and the "
                                         "ball the iterates stay in)")
    step_factor: float = constant(1.0, "eta = step_factor / (L_F^2 + beta_F ||F(w0) - y||)")
    rate_factor: float = constant(1.0, "L(w_t+1) <= (1 - rate_factor * eta * mu) L(w_t) at every step")


def _t14(system, ball, *, level, rng, claim, steps, max_steps, samples):
    """T14 / C13 / C16 on B(w0, R) with w0 = ball.center."""
    check_system_and_ball(system, ball)
    _, seed = as_rng(rng)
    w0 = ball.center
    mu = measure("kernel_min_eig", system, ball, level, rng, samples=samples)
    LF = measure("lipschitz", system, ball, level, rng, samples=samples)
    H = measure("hessian_norm", system, ball, level, rng, samples=samples)
    # a certified hypothesis needs ||F(w0) - y|| bounded above too (ball arithmetic at the centre, only
    # then: it compiles the system's symbolic form, which for a wide network costs more than the run)
    r0_float, r0_upper = residual_norm_at(system, w0, bound=mu.certified and LF.certified and H.certified)
    certified = mu.certified and LF.certified and H.certified and r0_upper is not None
    r0 = r0_upper if certified else r0_float
    hyps = [positive_hypothesis("mu := inf_B lambda_min(K) > 0 (so mu-PL* on B, T4)", mu)]
    if mu.value <= 0:
        return TheoremCheck("T14", T14.title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    # beta_F (the smoothness of F) lies in [max_i ||H_i||, sqrt(n) max_i ||H_i||] (C7): the safe end
    betaF = H.value * (1.0 if system.n == 1 else math.sqrt(system.n))
    R_thm = claim.radius_factor * LF.value * r0 / mu.value
    hyps.append(compare("required radius radius_factor L_F ||F(w0) - y|| / mu <= R", R_thm, ball.radius, "upper",
                        "certified" if certified else LF.method, rtol=0.0, certified=certified,
                        detail=(f"L_F = {LF.value:.6g} ({LF.method}), ||r0|| = {r0:.6g} "
                                f"({'ball-arithmetic upper bound' if certified else 'float64'}), mu = {mu.value:.6g} "
                                f"({mu.method})"),
                        refutable=True))
    beta = LF.value ** 2 + betaF * r0
    eta = claim.step_factor / beta
    rate = 1 - claim.rate_factor * eta * mu.value
    n_steps = _steps(steps, max_steps, float(system.loss(w0)), rate, _floor(system, w0))
    tr = gd(system, w0, eta=eta, steps=n_steps)
    rate_v, rc = judge_rate(system, tr, rate, eta=eta, mu=mu.value, beta=beta, certified=certified)
    ok, sdetail = path_support(system, tr, mu.value, LF.value, certified)
    inside = judge_distance("max_t ||w_t - w0|| (iterates stay in B(w0, R))", float(tr.distances.max()), R_thm,
                            support=ok, sdetail=sdetail, x=tr.points[int(np.argmax(tr.distances))])
    x = eta * mu.value
    path_bound = eta * LF.value * r0 / (1 - math.sqrt(1 - x)) if 0 < x <= 1 else math.inf
    path = judge_distance("path length sum ||w_t+1 - w_t|| <= eta L_F ||r0|| / (1 - sqrt(1 - eta mu)) (C16)",
                          float(tr.path_length[-1]), path_bound, support=ok, sdetail=sdetail)
    converged = judge_convergence(tr, rate, rc)
    concl = combine([rate_v, inside, path, converged])
    series = {"losses": tr.losses, "bound": tr.losses[0] * np.maximum(rate, 0.0) ** np.arange(len(tr.losses)),
              "rate": rate, "distances": tr.distances, "R": ball.radius, "R_required": R_thm, "eta": eta,
              "mu": mu.value, "parts": [v.to_dict() for v in (rate_v, inside, path, converged)]}
    return TheoremCheck("T14", T14.title, system.name or "system", level, tuple(hyps), concl, seed, series)


T14 = Theorem(
    "T14", "local PL* => solution in the ball + GD at rate 1 - eta mu",
    "If L is mu-PL* on B(w0, R) with R = 2 L_F ||F(w0) - y|| / mu, GD with eta <= 1/(L_F^2 + beta_F ||F(w0) - y||) "
    "stays in B, converges to a solution there, and L(w_t+1) <= (1 - eta mu) L(w_t).", "[paper]", _t14,
    claim=T14Claim(),
    options=_run_options("sampling budget of each estimated constant (mu, L_F, sup ||H_F||)"),
    mutants=_run_mutants("mu doubled in the rate (the no-1/2 reading)"),
    notes=("mu = inf_B lambda_min(K) (uniform conditioning gives mu-PL*, T4); L_F = sup_B ||DF||; beta_F is taken as "
           "sqrt(n) max_i sup_B ||H_{F_i}||, the safe end of C7. The conclusion is the rate at every step, the "
           "distance max_t ||w_t - w0|| <= R, the path length bound C16 and convergence, all in the verdict. "
           "The halved radius (radius_factor = 1) is not a mutant: it is still true for the square loss (the "
           "gradient-flow path is at most ||r0|| / sqrt(mu) <= L_F ||r0|| / mu), so the radius mutant is R / 4."))


# -- T15 ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class T15Claim(Claim):
    """The constants of T15 (docs/theory.md T15, C14)."""

    radius_factor: float = constant(2.0, "R = radius_factor * sqrt(2 beta_L L(w0)) / mu")
    step_factor: float = constant(1.0, "eta = step_factor / beta_L")
    rate_factor: float = constant(1.0, "L(w_t+1) <= (1 - rate_factor * eta * mu) L(w_t) (1 - mu / beta_L at "
                                       "eta = 1/beta_L)")


def _t15(system, ball, *, level, rng, claim, steps, max_steps, samples):
    check_system_and_ball(system, ball)
    _, seed = as_rng(rng)
    w0 = ball.center
    mu = measure("kernel_min_eig", system, ball, level, rng, samples=samples)
    beta = measure("smoothness", system, ball, level, rng, samples=samples)
    LF = measure("lipschitz", system, ball, level, rng, samples=samples)
    r0_float, r0_upper = residual_norm_at(system, w0, bound=mu.certified and beta.certified)
    certified = mu.certified and beta.certified and r0_upper is not None
    r0 = r0_upper if certified else r0_float
    L0 = 0.5 * r0 * r0
    hyps = [positive_hypothesis("mu := inf_B lambda_min(K) > 0", mu)]
    if mu.value <= 0:
        return TheoremCheck("T15", T15.title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    R_gen = claim.radius_factor * math.sqrt(2 * beta.value * L0) / mu.value
    R_sq = 2 * LF.value * r0 / mu.value
    hyps.append(compare("required radius radius_factor sqrt(2 beta_L L(w0)) / mu <= R", R_gen, ball.radius, "upper",
                        "certified" if certified else beta.method, rtol=0.0, certified=certified,
                        detail=f"beta_L = sup ||H_L|| = {beta.value:.6g}; square-loss radius (T14) = {R_sq:.6g}; "
                               "the order of the two radii is not automatic (C14)"))
    eta = claim.step_factor / beta.value
    rate = 1 - claim.rate_factor * eta * mu.value
    n_steps = _steps(steps, max_steps, L0, rate, _floor(system, w0))
    tr = gd(system, w0, eta=eta, steps=n_steps)
    rate_v, rc = judge_rate(system, tr, rate, eta=eta, mu=mu.value, beta=beta.value, certified=certified)
    # the generic radius uses ||grad L|| <= sqrt(2 beta_L L): its constants are mu and beta_L along the run
    ok, sdetail = path_support(system, tr, mu.value, math.sqrt(beta.value), certified)
    inside = judge_distance("max_t ||w_t - w0|| (iterates stay in B(w0, R))", float(tr.distances.max()), R_gen,
                            support=ok, sdetail=sdetail, x=tr.points[int(np.argmax(tr.distances))])
    converged = judge_convergence(tr, rate, rc)
    concl = combine([rate_v, inside, converged])
    return TheoremCheck("T15", T15.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"losses": tr.losses, "bound": L0 * np.maximum(rate, 0.0) ** np.arange(len(tr.losses)),
                         "rate": rate, "R_generic": R_gen, "R_square": R_sq, "R": ball.radius,
                         "parts": [v.to_dict() for v in (rate_v, inside, converged)]})


T15 = Theorem(
    "T15", "generic-loss form: R = 2 sqrt(2 beta L(w0))/mu, eta = 1/beta",
    "If L is beta-smooth and mu-PL* on B(w0, R) with R = 2 sqrt(2 beta L(w0))/mu, GD with eta = 1/beta stays in B "
    "and L(w_k+1) <= (1 - mu/beta) L(w_k).", "[paper]", _t15,
    claim=T15Claim(),
    options=_run_options("sampling budget of each estimated constant"),
    mutants=_run_mutants("mu doubled in the rate"),
    notes="beta_L = sup_B ||H_L|| (the smoothness of L), mu = inf_B lambda_min(K).")


# -- C15 ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class C15Claim(Claim):
    """The convention of the PL* constant used in the GD rate (docs/theory.md D1, C15)."""

    mu_factor: float = constant(1.0, "the rate is 1 - eta * mu_factor * mu with mu the 1/2-form PL* constant; "
                                     "mu_factor = 2 is the no-1/2 reading mu' = 2 mu")


def _c15(system, ball, *, level, rng, claim, eta_fraction, samples):
    """One GD step with eta = eta_fraction / beta: L1/L0 <= 1 - eta mu_factor mu (1/2-form mu)."""
    check_system_and_ball(system, ball)
    _, seed = as_rng(rng)
    eta_fraction = positive_finite("eta_fraction", eta_fraction)
    mu = measure("pl_constant", system, ball, level, rng, samples=samples)  # the 1/2-form PL* constant
    beta = measure("smoothness", system, ball, level, rng, samples=samples)
    eta = eta_fraction / beta.value
    tr = gd(system, ball.center, eta=eta, steps=1)
    rate = 1 - eta * claim.mu_factor * mu.value
    certified = mu.certified and beta.certified
    concl, _ = judge_rate(system, tr, rate, eta=eta, mu=mu.value, beta=beta.value, certified=certified,
                          name="one step: L(w1)/L(w0)")
    other = 2.0 if claim.mu_factor == 1.0 else 1.0
    alt = 1 - eta * other * mu.value
    ratio = tr.losses[1] / tr.losses[0] if tr.steps and tr.losses[0] > 0 else 0.0
    finding = compare(f"the other reading (mu_factor = {other:g}, claimed rate 1 - eta {other:g} mu): L(w1)/L(w0)", ratio, alt,
                      "upper", "run", rtol=1e-9, detail="reported beside the verdict: a finding about the other reading")
    concl = concl.replace(detail=f"mu = {mu.value:.6g} ({mu.method}), beta = {beta.value:.6g}; "
                                 f"{concl.detail} | {finding.sentence()}")
    hyps = (positive_hypothesis("mu := inf_B 1/2||grad L||^2 / L > 0 (1/2-form PL*)", mu),)
    return TheoremCheck("C15", C15.title, system.name or "system", level, hyps, concl, seed,
                        {"other_reading": finding.to_dict(), "mu": mu.value, "beta": beta.value, "eta": eta,
                         "ratio": ratio})


C15 = Theorem(
    "C15", "convention: the GD rate needs the 1/2-form PL* constant",
    "With mu the 1/2-form PL* constant (1/2||grad L||^2 >= mu L) and eta <= 1/beta, one GD step gives "
    "L(w1) <= (1 - eta mu) L(w0); the no-1/2 constant mu' = 2 mu does not give 1 - eta mu'.", "[derived]", _c15,
    claim=C15Claim(),
    options=[("eta_fraction", 0.9, "the step is eta = eta_fraction / beta"),
             ("samples", 2048, "sampling budget of mu and beta")],
    mutants=[Mutant("the no-1/2 mu' = 2 mu in the rate", {"mu_factor": 2.0})],
    notes="The report also states the other reading's verdict on the same step (a refutation of the no-1/2 "
          "reading on the proof script's system F = 2w).")


# -- T23 ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class T23Claim(Claim):
    """The constants of T23 (docs/theory.md T23, D6, C19)."""

    steps_factor: float = constant(1.0, "GD reaches L < eps within ceil(steps_factor (beta/mu_eps) ln(L0/eps)) steps")
    radius_factor: float = constant(2.0, "without leaving B(w0, radius_factor sqrt(2 beta L0) / mu_eps)")


def _mu_eps(system, ball, eps, level, gen, samples):
    """inf of the PL* ratio over {w in B : L(w) >= eps}: sampled, then (searched) refined by local minimization."""
    P = ball.design(samples, rng=gen)
    L = system.loss(P)
    keep = L >= eps
    if not keep.any():
        return math.nan, None, 0, len(P)
    ratios = pl_ratio(system, P[keep])
    j = int(np.argmin(ratios))
    best, witness = float(ratios[j]), P[keep][j]
    if level != "sampled":
        above = {"type": "ineq", "fun": lambda w: float(system.loss(w)) - eps}
        w, v = refine_min(lambda W: pl_ratio(system, W), ball, P[keep][np.argsort(ratios)[:4]], constraints=[above],
                          maxiter=100)
        if w is not None and v < best:
            best, witness = v, w
    return best, witness, int(keep.sum()), len(P)


def _t23(system, ball, *, level, rng, claim, eps, samples):
    """PL*_eps: PL* only where L >= eps; GD with eta = 1/beta reaches L < eps within the claimed steps."""
    check_system_and_ball(system, ball)
    eps = positive_finite("eps", eps)
    gen, seed = as_rng(rng)
    L0 = float(system.loss(ball.center))
    mu_eps, witness, kept, total = _mu_eps(system, ball, eps, level, gen, samples)
    beta = measure("smoothness", system, ball, level, rng, samples=max(1, samples // 2))
    method = "searched" if level != "sampled" else "sampled"
    hyps = [positive_hypothesis("mu_eps := inf over {w in B: L(w) >= eps} of 1/2||grad L||^2/L > 0 (D6)", mu_eps,
                                method=method, x=witness,
                                detail=f"{kept} of {total} sampled points have L >= eps = {eps:g}"
                                + (" (certified level: searched, no certifier for a restricted infimum)"
                                   if level == "certified" else ""))]
    if not mu_eps > 0:
        return TheoremCheck("T23", T23.title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    R_need = claim.radius_factor * math.sqrt(2 * beta.value * L0) / mu_eps
    hyps.append(compare("radius radius_factor sqrt(2 beta L0)/mu_eps <= R", R_need, ball.radius, "upper", beta.method,
                        rtol=0.0))
    T_bound = math.ceil(claim.steps_factor * beta.value / mu_eps * math.log(L0 / eps)) if L0 > eps else 0
    tr = gd(system, ball.center, eta=1.0 / beta.value, steps=max(T_bound, 1) + 10)
    below = np.flatnonzero(tr.losses < eps)
    T = int(below[0]) if below.size else None
    last = (T if T is not None else len(tr.losses) - 1)
    dist = float(tr.distances[: last + 1].max())
    # the claim's constants are estimates: a failure counts only where they hold along the run
    idx = np.unique(np.linspace(0, last, min(last + 1, 200)).astype(int))
    above = tr.losses[idx] >= eps
    pl_min = float(np.min(pl_ratio(system, tr.points[idx][above]))) if above.any() else math.inf
    h_max = float(np.max(system.loss_hessian_norm(tr.points[idx])))
    ok = pl_min >= mu_eps * (1 - 1e-9) and h_max <= beta.value * (1 + 1e-9)
    sdetail = (f"along the run ({len(idx)} iterates): min PL* ratio where L >= eps {pl_min:.6g} vs mu_eps {mu_eps:.6g}, "
               f"max ||H_L|| {h_max:.6g} vs beta {beta.value:.6g}")
    steps_v = compare("steps to reach L < eps", T if T is not None else math.inf, T_bound, "upper", "run", rtol=0.0,
                      refutable=ok, detail=f"eta = 1/beta = {1 / beta.value:.4g}; {sdetail}",
                      x=tr.points[min(T_bound, len(tr.points) - 1)] if T is None or T > T_bound else None)
    inside = judge_distance("max ||w_t - w0|| before L < eps", dist, R_need, support=ok, sdetail=sdetail)
    concl = combine([steps_v, inside])
    return TheoremCheck("T23", T23.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"losses": tr.losses, "eps": eps, "T_bound": T_bound, "mu_eps": mu_eps})


T23 = Theorem(
    "T23", "PL*_eps => fast GD convergence to loss eps",
    "If L is beta-smooth and mu-PL* where L >= eps in B(w0, R), R = 2 sqrt(2 beta L0)/mu, GD with eta = 1/beta "
    "reaches L < eps within ceil((beta/mu) ln(L0/eps)) steps inside the ball.", "[derived]", _t23,
    claim=T23Claim(),
    options=[("eps", None, "the loss level eps > 0 (required)"),
             ("samples", 4096, "sampling budget of mu_eps and beta")],
    mutants=[Mutant("step count divided by 10", {"steps_factor": 0.1}),
             Mutant("radius divided by 8", {"radius_factor": 0.25})],
    notes=("mu_eps is measured at the level asked: sampled, or sampled then minimized locally under L(w) >= eps. "
           "The step bound is loose by a factor of at least 2 on every system (the loss contracts as the square of "
           "the residual) and by about 4 on the proof script's, so its mutant divides the step count by 10; the radius is "
           "loose by about 7 there, so its mutant divides it by 8."))
