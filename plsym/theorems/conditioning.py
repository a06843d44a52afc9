"""Uniform conditioning and PL*: T4, T6, T9, T10, T11, T12 of docs/theory.md."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument, _show, as_rng
from ..system import System, check_system_and_ball
from ..systems.linear import LinearSystem
from ._core import Theorem, TheoremCheck, Verdict, compare, measure

RTOL = 1e-12  # identities and pointwise inequalities in float64 (T4 is checked to 1e-12 relative)


_need = check_system_and_ball


def _points(ball, rng, samples):
    gen, seed = as_rng(rng)
    P = np.vstack([ball.center[None, :], ball.sample(samples, rng=gen), ball.sample(max(1, samples // 4), rng=gen, where="sphere")])
    return P, seed


def _pl_parts(system, P):
    """(1/2 ||grad L||^2, L, lambda_min(K)) at the points P."""
    g = system.grad(P)
    return 0.5 * np.sum(g * g, axis=1), system.loss(P), np.linalg.eigvalsh(system.kernel(P))[:, 0]


# -- T4 --------------------------------------------------------------------------------

def _t4(system, ball, *, level, rng, samples=2048):
    _need(system, ball)
    P, seed = _points(ball, rng, samples)
    mu_m = measure("kernel_min_eig", system, ball, level, rng, samples=samples)
    half, L, lam = _pl_parts(system, P)
    if mu_m.witness is not None:  # include the search's witness among the tested points
        w = np.array(mu_m.witness)[None, :]
        h2, L2, l2 = _pl_parts(system, w)
        half, L, lam = np.concatenate([half, h2]), np.concatenate([L, L2]), np.concatenate([lam, l2])
    mu = min(mu_m.value, float(lam.min())) if not mu_m.certified else mu_m.value
    hyp = Verdict("mu := inf_B lambda_min(K) > 0 (D3)", ("certified" if mu_m.certified else "holds") if mu > 0 else "refuted",
                  mu_m.method, None, mu, "lower" if mu_m.certified else "upper", mu_m.detail, mu_m.witness)
    # C2 pointwise: 1/2||grad L||^2 >= lambda_min(K(w)) L(w), at every tested point
    slack = RTOL * np.maximum(half, lam * L) + 1e-300
    bad = np.flatnonzero(half < lam * L - slack)
    keep = L > 0
    ratio = half[keep] / L[keep]
    detail = f"pointwise C2 at {len(L)} points, rtol {RTOL:g}; {mu_m.detail}"
    if bad.size:
        concl = Verdict("1/2||grad L||^2 >= lambda_min(K) L", "refuted", mu_m.method, mu, float(ratio.min()), "lower",
                        detail, P[bad[0]] if bad[0] < len(P) else mu_m.witness)
    elif level == "certified":
        pl = measure("pl_constant", system, ball, level, rng, samples=samples)
        concl = compare("inf_B 1/2||grad L||^2 / L", pl.value, mu, "lower", pl.method, rtol=RTOL,
                        detail=f"by C1 on the certified lambda_min bound; {pl.detail}", certified=pl.certified)
    else:
        concl = compare("min 1/2||grad L||^2 / L", float(ratio.min()) if ratio.size else None, mu, "lower",
                        mu_m.method, rtol=RTOL, detail=detail)
    return TheoremCheck("T4", T4.title, system.name or "system", level, (hyp,), concl, seed)


T4 = Theorem("T4", "uniform conditioning => PL*",
             "If lambda_min(K(w)) >= mu on S then L = 1/2||F - y||^2 is mu-PL* on S: 1/2||grad L||^2 >= mu L.",
             "[paper]", _t4)


# -- T6 --------------------------------------------------------------------------------

def _t6(system, ball, *, level, rng, samples=1024):
    _need(system, ball)
    P, seed = _points(ball, rng, samples)
    m, n = system.m, system.n
    hyp = Verdict("under-parameterized: m < n", "holds" if m < n else "not applicable", "exact",
                  detail=f"m={m}, n={n}")
    eig = np.linalg.eigvalsh(system.kernel(P))
    rel = np.abs(eig[:, 0]) / np.maximum(eig[:, -1], 1e-300)
    ranks = np.sum(eig > eig[:, -1:] * 1e-10, axis=1)
    worst = int(np.argmax(rel))
    # lambda_min(K) = 0 up to round-off at every point, and rank K <= m
    ok = rel.max() <= 1e-10 and ranks.max() <= m
    concl = Verdict("max lambda_min(K)/lambda_max(K) (0 when m < n)", "holds" if ok else "refuted", "sampled",
                    0.0, float(rel.max()), "tight",
                    f"{len(P)} points; max rank K = {ranks.max()} <= m = {m}; tolerance 1e-10 relative",
                    P[worst])
    return TheoremCheck("T6", T6.title, system.name or "system", level, (hyp,), concl, seed)


T6 = Theorem("T6", "under-parameterized systems are never PL*",
             "If m < n then rank K(w) <= m < n, so lambda_min(K(w)) = 0 everywhere: no uniform conditioning.",
             "[restated], [derived]", _t6)


# -- T9 --------------------------------------------------------------------------------

def _t9(system, ball, *, level, rng, steps=200):
    _need(system, ball)
    _, seed = as_rng(rng)
    if not isinstance(system, LinearSystem):
        hyp = Verdict("F(w) = A w with A of rank n", "not applicable", "exact", detail="not a plsym linear system")
        return TheoremCheck("T9", T9.title, system.name or "system", level, (hyp,), hyp, seed)
    from ..dynamics import gd, linear_rate

    A = system.A
    K = A @ A.T
    eig = np.linalg.eigvalsh(K)
    lam_min, lam_max = eig[0], eig[-1]
    full = lam_min > 1e-12 * lam_max
    hyps = [Verdict("rank A = n (lambda_min(A A^T) > 0)", "holds" if full else "refuted", "exact", None, lam_min, "lower")]
    ata = np.linalg.eigvalsh(A.T @ A)[0] if system.m > system.n else None
    if ata is not None:
        hyps.append(Verdict("not strongly convex: lambda_min(A^T A) = 0 (m > n)",
                            "holds" if abs(ata) <= 1e-10 * lam_max else "refuted", "exact", 0.0, float(ata), "tight"))
    kappa = lam_max / lam_min if full else np.inf
    eta = 1.0 / lam_max
    tr = gd(system, ball.center, eta=eta, steps=steps)
    M = np.eye(system.n) - eta * K
    r0 = system.residual(tr.points[0])
    rs = system.residual(tr.points)
    pred = np.empty_like(rs)
    r = r0.copy()
    for t in range(len(rs)):
        pred[t] = r
        r = M @ r
    rec_err = float(np.max(np.linalg.norm(rs - pred, axis=1)) / max(np.linalg.norm(r0), 1e-300))
    hyps.append(Verdict("residual recursion r_t = (I - eta A A^T)^t r_0 (C17)", "holds" if rec_err <= 1e-9 else "refuted",
                        "run", 0.0, rec_err, "tight", f"eta = 1/lambda_max = {eta:.4g}, {tr.steps} steps, tolerance 1e-9"))
    rc = linear_rate(tr, 1 - 1 / kappa)
    concl = compare("worst step ratio L(w_{t+1})/L(w_t)", rc.worst_ratio, 1 - 1 / kappa, "upper", "run",
                    rtol=1e-9, detail=f"L(w_t) <= (1 - 1/kappa)^t L(w_0) at every step: {rc.held}; kappa = {kappa:.4g}")
    if not rc.held:
        concl = Verdict(concl.name, "refuted", "run", concl.claimed, concl.measured, "upper",
                        f"first failure at step {rc.first_failure}", tr.points[rc.first_failure])
    return TheoremCheck("T9", T9.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"losses": tr.losses, "rate": 1 - 1 / kappa})


T9 = Theorem("T9", "linear systems: PL* without strong convexity, GD rate 1 - 1/kappa",
             "For F = A w (rank n < m), L is lambda_min(A A^T)-PL* but not strongly convex; GD with eta = "
             "1/lambda_max gives L(w_t) <= (1 - 1/kappa)^t L(w_0).", "[derived]", _t9)


# -- T10 -------------------------------------------------------------------------------

def _t10(system, ball, *, level, rng, mu=None, samples=1024):
    """T10 and the kernel perturbation bound C5 on the ball (mu defaults to lambda0 / 2)."""
    _need(system, ball)
    P, seed = _points(ball, rng, samples)
    n, R = system.n, ball.radius
    lam0 = float(np.linalg.eigvalsh(system.kernel(ball.center))[0])
    mu = lam0 / 2 if mu is None else float(mu)
    LF = measure("lipschitz", system, ball, level, rng, samples=samples)
    H = measure("hessian_norm", system, ball, level, rng, samples=samples)
    threshold = (lam0 - mu) / (2 * LF.value * np.sqrt(n) * R)
    hyps = (
        Verdict("0 < mu < lambda0 = lambda_min(K(w0))", "holds" if 0 < mu < lam0 else "refuted", "exact", mu, lam0, "lower"),
        compare("sup_B ||H_F|| <= (lambda0 - mu)/(2 L_F sqrt(n) R)", H.value, threshold, "upper", H.method,
                rtol=0.0, detail=f"L_F = {LF.value:.4g} ({LF.method}); {H.detail}", certified=H.certified and LF.certified),
    )
    # C5 at the sampled points: lambda_min(K(w)) >= lambda0 - 2 L_F sqrt(n) ||w - w0|| sup||H||
    lam = np.linalg.eigvalsh(system.kernel(P))[:, 0]
    bound = lam0 - 2 * LF.value * np.sqrt(n) * np.linalg.norm(P - ball.center, axis=1) * H.value
    c5_bad = np.flatnonzero(lam < bound - RTOL * np.abs(bound) - 1e-15)
    mu_m = measure("kernel_min_eig", system, ball, level, rng, samples=samples)
    concl = compare("inf_B lambda_min(K)", mu_m.value, mu, "lower", mu_m.method, rtol=0.0,
                    detail=f"C5 perturbation bound at {len(P)} points: {'held' if not c5_bad.size else 'FAILED'}; {mu_m.detail}",
                    witness=mu_m.witness, certified=mu_m.certified)
    if c5_bad.size:
        concl = Verdict("C5: lambda_min(K(w)) >= lambda0 - 2 L_F sqrt(n) ||w - w0|| sup||H_F||", "refuted", "sampled",
                        float(bound[c5_bad[0]]), float(lam[c5_bad[0]]), "lower",
                        "with the estimated L_F and sup||H_F|| (lower bounds of the true sups)", P[c5_bad[0]])
    return TheoremCheck("T10", T10.title, system.name or "system", level, hyps, concl, seed)


T10 = Theorem("T10", "small Hessian => uniform conditioning",
              "If max_i ||H_{F_i}|| <= (lambda0 - mu)/(2 L_F sqrt(n) R) on B(w0, R), then lambda_min(K) >= mu there.",
              "[recalled], bound [derived]", _t10)


# -- T11, T12 --------------------------------------------------------------------------

def _t11(system, ball, *, level, rng, phi="tanh", samples=1024):
    """``system`` is the inner F~; F = phi(F~) coordinatewise."""
    from ..activations import get

    _need(system, ball)
    act = get(phi, argument="phi")
    P, seed = _points(ball, rng, samples)
    Ft = system.F(P)
    D = act.dsigma(Ft)  # (k, n) phi'(F~_i)
    Kt = system.kernel(P)
    J = act.dsigma(Ft)[:, :, None] * system.jacobian(P)  # DF = diag(phi') DF~
    K = J @ np.swapaxes(J, -1, -2)
    ident = np.max(np.abs(K - D[:, :, None] * Kt * D[:, None, :])) / max(np.abs(K).max(), 1e-300)
    rho = float(np.abs(D).min())
    hyp = Verdict("rho := inf |phi'(F~_i)| > 0 on the sample", "holds" if rho > 0 else "refuted", "sampled", None, rho, "upper")
    rho_pt = np.abs(D).min(axis=1)
    lhs = np.linalg.eigvalsh(K)[:, 0]
    rhs = rho_pt**2 * np.linalg.eigvalsh(Kt)[:, 0]
    ratio = np.min(lhs / np.maximum(rhs, 1e-300)) if np.all(rhs > 0) else np.inf
    bad = np.flatnonzero(lhs < rhs * (1 - 1e-10) - 1e-300)
    concl = Verdict("min lambda_min(K_F) / (rho^2 lambda_min(K_F~))", "holds" if not bad.size and ident < 1e-12 else "refuted",
                    "sampled", 1.0, float(ratio), "lower",
                    f"K_F = D K_F~ D to {ident:.1e} (rtol 1e-12); {len(P)} points, phi = {phi}",
                    P[bad[0]] if bad.size else None)
    return TheoremCheck("T11", T11.title, system.name or "system", level, (hyp,), concl, seed)


T11 = Theorem("T11", "output transformation keeps conditioning",
              "For F = phi(F~) with |phi'| >= rho > 0: K_F = D K_F~ D, so lambda_min(K_F) >= rho^2 lambda_min(K_F~).",
              "[derived], form [recalled]", _t11)


def _t12(system, ball, *, level, rng, outer=None, samples=1024):
    """``system`` is Phi: R^m -> R^p; ``outer`` is G: R^p -> R^n (a System with m = p)."""
    _need(system, ball)
    if not isinstance(outer, System) or outer.m != system.n:
        raise InvalidArgument(f"outer={_show(outer)} must be a plsym.System with m = {system.n} (Phi's outputs)")
    P, seed = _points(ball, rng, samples)
    Z = system.F(P)
    DG = outer.jacobian(Z)  # (k, n, p)
    Kphi = system.kernel(P)
    DF = DG @ system.jacobian(P)
    KF = DF @ np.swapaxes(DF, -1, -2)
    ident = np.max(np.abs(KF - DG @ Kphi @ np.swapaxes(DG, -1, -2))) / max(np.abs(KF).max(), 1e-300)
    lhs = np.linalg.eigvalsh(KF)[:, 0]
    rhs = np.linalg.eigvalsh(Kphi)[:, 0] * np.linalg.eigvalsh(DG @ np.swapaxes(DG, -1, -2))[:, 0]
    bad = np.flatnonzero(lhs < rhs - 1e-10 * np.abs(rhs) - 1e-14)
    hyp = Verdict("G o Phi well defined (dimensions match)", "holds", "exact", detail=f"Phi: R^{system.m} -> R^{system.n}, G: R^{outer.m} -> R^{outer.n}")
    concl = Verdict("lambda_min(K_GoPhi) >= lambda_min(K_Phi) lambda_min(DG DG^T)", "refuted" if bad.size or ident > 1e-10 else "holds",
                    "sampled", None, float(np.min(lhs - rhs)), "lower",
                    f"K_F = DG K_Phi DG^T to {ident:.1e}; {len(P)} points; measured = min(lhs - rhs) >= 0",
                    P[bad[0]] if bad.size else None)
    return TheoremCheck("T12", T12.title, f"{outer.name or 'G'} o {system.name or 'Phi'}", level, (hyp,), concl, seed)


T12 = Theorem("T12", "composition keeps conditioning",
              "K_{G o Phi} = DG K_Phi DG^T, so lambda_min(K_{G o Phi}) >= lambda_min(K_Phi) lambda_min(DG DG^T).",
              "[derived], form [recalled]", _t12)
