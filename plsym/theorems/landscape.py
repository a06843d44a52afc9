"""Essential non-convexity near solutions: T1, T2 (C9) and T3, docs/theory.md §3.1."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import as_rng
from ..search import gauss_newton
from ..systems.linear import LinearSystem
from ._core import Claim, Mutant, Theorem, TheoremCheck, Verdict, compare, constant, measure, positive_hypothesis
from ._runs import combine
from .conditioning import _need

__all__ = ["find_solution", "t3_construction", "T3", "solution_curve", "menger_curvature", "T1", "T2Claim", "T2",
           "stationary_points", "T5"]


def find_solution(system, start, *, maxiter=100, tol=1e-13):
    """A solution F(w*) = y near ``start`` by Gauss-Newton with minimum-norm steps (plsym.search.gauss_newton), or None."""
    w = gauss_newton(system, start, maxiter=maxiter, tol=tol)[0]
    r = system.residual(w)
    ok = np.all(np.isfinite(r)) and np.linalg.norm(r) <= 1e3 * tol * max(1.0, np.linalg.norm(system.y))
    return w if ok else None


def _rank(M):
    """Numerical rank of a symmetric matrix: eigenvalues above 1e-10 of its largest entry."""
    return int(np.sum(np.abs(np.linalg.eigvalsh(M)) > 1e-10 * max(np.abs(M).max(), 1e-300)))


def t3_construction(system, ws, ts):
    """T3's proof at a solution w*: directions u, v along which H_L(w* + t u/|u|) has negative curvature.

    The output i with the largest rank H_Fi(w*) and a sign s such that s H_Fi(w*) has
    >= n + 1 negative eigenvalues (when rank H_Fi > 2n); u = DF(w*)^+ s e_i, so that
    DF u = s e_i; v a unit vector of ker DF(w*) in that negative eigenspace. Then
    v^T H_L(w* + t u) v = t s v^T H_Fi v + O(t^2) < 0. Returns a dict with ``ranks``,
    ``i``, ``sign``, ``u``, ``v``, ``slope`` (s v^T H_Fi v), and per distance t in
    ``ts`` (along u/|u|) ``quadratic_form`` v^T H_L v and ``lambda_min`` of H_L.
    """
    n = system.n
    J = system.jacobian(ws)
    H = system.hessians(ws)
    ranks = [_rank(Hi) for Hi in H]
    i = int(np.argmax(ranks))
    eig, vec = np.linalg.eigh(H[i])
    sign = 1.0 if np.sum(eig < 0) >= n + 1 else -1.0
    V = vec[:, sign * eig < 0]
    v = V @ np.linalg.svd(J @ V)[2][-1]  # dim V >= n + 1 > rank(J V): a null vector exists
    v /= np.linalg.norm(v)
    u = np.linalg.pinv(J) @ (sign * np.eye(n)[i])
    unit = u / np.linalg.norm(u)
    HL = [system.loss_hessian(ws + t * unit) for t in ts]
    return {"ranks": ranks, "i": i, "sign": sign, "u": u, "v": v, "slope": float(sign * v @ H[i] @ v),
            "Jv": float(np.linalg.norm(J @ v)), "quadratic_form": [float(v @ h @ v) for h in HL],
            "lambda_min": [float(np.linalg.eigvalsh(h)[0]) for h in HL]}


def _t3(system, ball, *, level, rng, claim, ts):
    """lambda_min(H_L(w)) < 0 at points w -> w* next to a solution w* (T1), by the T3 construction."""
    _need(system, ball)
    _, seed = as_rng(rng)
    m, n = system.m, system.n
    ts = np.asarray(ts if ts is not None else ball.radius * 10.0 ** -np.arange(1, 7), dtype=float)
    hyps = [Verdict("over-parameterized: m > n", "holds" if m > n else "refuted", "exact", detail=f"m={m}, n={n}")]
    ws = find_solution(system, ball.center)
    if ws is None or not ball.contains(ws):
        hyps.append(Verdict("a solution w* in the ball", "inconclusive", "run", detail="Gauss-Newton from the center found none in the ball (a failed search, not a proof that there is none)"))
        return TheoremCheck("T3", T3.title, system.name or "system", level, tuple(hyps), hyps[-1], seed)
    J = system.jacobian(ws)
    sv = np.linalg.svd(J, compute_uv=False)
    full = sv[-1] > 1e-10 * sv[0]
    hyps.append(Verdict("a solution w* in the ball; sigma_min(DF(w*)) (> 0: full rank n)", "holds" if full else "refuted", "run", None,
                        float(sv[-1]), "lower", "Gauss-Newton from the center", ws))
    # T2 at the solution: H_L(w*) = J^T J has >= m - n zero eigenvalues
    eig = np.linalg.eigvalsh(system.loss_hessian(ws))
    zeros = int(np.sum(np.abs(eig) <= 1e-9 * max(abs(eig).max(), 1e-300)))
    hyps.append(Verdict("T2: number of zero eigenvalues of H_L(w*) = J^T J (at least m - n)", "holds" if zeros >= m - n else "refuted", "exact",
                        float(m - n), float(zeros), "lower"))
    H = system.hessians(ws)
    # T1 needs a curved solution set: some H_Fi(w*) nonzero on ker DF(w*) (the tangent space)
    _, _, Vt = np.linalg.svd(J)
    N = Vt[n:].T  # basis of ker J, (m, m - n)
    curv = max((np.abs(np.linalg.eigvalsh(N.T @ Hi @ N)).max() for Hi in H), default=0.0) if N.size else 0.0
    hyps.append(Verdict("curvature of the solution set at w*: max_i |H_Fi(w*)| on ker DF(w*) (> 0: curved)",
                        "holds" if curv > 1e-10 * max(np.abs(H).max(), sv[0] ** 2, 1e-300) else "refuted", "exact",
                        None, float(curv), "lower", "second fundamental form of {F = y}"))
    ranks = [_rank(Hi) for Hi in H]
    # directions u with J u = +-e_i (the T3 construction), for every output and sign
    Jp = np.linalg.pinv(J)
    dirs = [sgn * Jp[:, i] for i in range(n) for sgn in (1.0, -1.0)]
    worst = []
    scale = max(abs(eig).max(), 1e-300)
    for t in ts:
        vals = [np.linalg.eigvalsh(system.loss_hessian(ws + t * u / np.linalg.norm(u)))[0] for u in dirs]
        j = int(np.argmin(vals))
        worst.append((float(t), float(vals[j]), ws + t * dirs[j] / np.linalg.norm(dirs[j])))
    # negative beyond round-off (1e-10 ||H_L(w*)||), positive beyond it refutes, in between is undecided
    tol = 1e-10 * scale
    negative = [v < -tol for _, v, _ in worst]
    positive = [v > tol for _, v, _ in worst]
    status = "holds" if all(negative) else ("refuted" if any(positive) else "inconclusive")
    k = len(worst) - 1 if status == "holds" else (positive.index(True) if any(positive) else negative.index(False))
    tk, vk, wk = worst[k]
    detail = (f"lambda_min(H_L) at distances {', '.join(f'{t:.0e}: {v:.2e}' for t, v, _ in worst)}; round-off "
              f"allowance {tol:.1e}; rank H_Fi(w*) = {ranks} (T3 sufficient condition rank > 2n = {2 * n}: "
              f"{any(r > 2 * n for r in ranks)})")
    concl = Verdict(f"lambda_min(H_L(w)) at distance {tk:.0e} from w*", status, "exact", 0.0, vk, "upper", detail, wk)
    series = {"distances": [t for t, _, _ in worst], "lambda_min": [v for _, v, _ in worst], "solution": ws}
    if any(r > 2 * n for r in ranks):  # T3's sufficient condition: its proof's directions, as evidence
        series["construction"] = t3_construction(system, ws, ts)
    return TheoremCheck("T3", T3.title, system.name or "system", level, tuple(hyps), concl, seed, series)


T3 = Theorem("T3", "essential non-convexity next to solutions (T1, T3)",
             "For m > n, the loss is not convex in any neighbourhood of a solution w* with full-rank DF(w*) and a "
             "curved solution set: lambda_min(H_L) < 0 arbitrarily close to w* (sufficient: rank H_Fi(w*) > 2n).",
             "[paper], [restated], [derived]", _t3,
             options=[("ts", None, "distances t to the solution (default R 10^-k, k = 1..6)")],
             notes="No numeric constant: the claim is the sign of lambda_min(H_L) arbitrarily close to a solution.")


# -- T1 / T2 / C9: the solution set near a solution ----------------------------------------

_ZERO_REL, _NONZERO_REL = 1e-9, 1e-6  # eigenvalues / lambda_max: surely zero below, surely nonzero above


def _solution(system, ball):
    """(w*, singular values of DF(w*), hypotheses): a solution in the ball by Gauss-Newton from the centre."""
    m, n = system.m, system.n
    hyps = [Verdict("over-parameterized: m > n", "holds" if m > n else "refuted", "exact", detail=f"m={m}, n={n}")]
    ws = find_solution(system, ball.center)
    if ws is None or not ball.contains(ws):
        hyps.append(Verdict("a solution w* in the ball", "inconclusive", "run",
                            detail="Gauss-Newton from the center found none in the ball (a failed search, not a "
                                   "proof that there is none)"))
        return None, None, hyps
    sv = np.linalg.svd(system.jacobian(ws), compute_uv=False)
    full = sv[-1] > _NONZERO_REL * sv[0]
    hyps.append(Verdict("a solution w* in the ball with DF(w*) of full rank n", "holds" if full else "refuted", "run",
                        None, float(sv[-1]), "lower",
                        f"Gauss-Newton from the center; ||F(w*) - y|| = {np.linalg.norm(system.residual(ws)):.2g}; "
                        f"sigma_min(DF) = {sv[-1]:.4g}, sigma_max = {sv[0]:.4g}", ws))
    return ws, sv, hyps


def solution_curve(system, ws, direction, steps):
    """Solutions near ``ws`` along a direction of ker DF(w*): w(s) = Gauss-Newton projection of w* + s v.

    Parameters
    ----------
    system : plsym.System
    ws : array_like, shape (m,)
        A solution F(w*) = y.
    direction : array_like, shape (m,)
        A unit vector of ker DF(w*), the tangent of the curve.
    steps : sequence of float
        Signed arc parameters s.

    Returns
    -------
    ndarray, shape (len(steps), m)
        The projected points (rows of NaN where Gauss-Newton failed).
    """
    ws = np.asarray(ws, dtype=float)
    v = np.asarray(direction, dtype=float)
    out = np.full((len(steps), ws.size), np.nan)
    for k, s in enumerate(steps):
        w = find_solution(system, ws + s * v)
        if w is not None:
            out[k] = w
    return out


def menger_curvature(a, b, c):
    """The curvature 4 Area / (|a - b| |b - c| |c - a|) of the circle through three points (0 when collinear)."""
    u, v = np.asarray(a, float) - b, np.asarray(c, float) - b
    uu, vv, uv = float(u @ u), float(v @ v), float(u @ v)
    area2 = max(uu * vv - uv * uv, 0.0)  # (2 Area)^2
    w = np.asarray(c, float) - a
    den = np.sqrt(uu * vv * float(w @ w))
    return 2.0 * np.sqrt(area2) / den if den > 0 else 0.0


def _curve_at(system, ball, ws, sv, rng):
    """The solution curve through w* along a random unit vector of ker DF(w*): points, curvatures, errors."""
    gen, _ = as_rng(rng)
    n = system.n
    _, _, Vt = np.linalg.svd(system.jacobian(ws))
    N = Vt[n:].T
    v = N @ gen.standard_normal(N.shape[1])
    v /= np.linalg.norm(v)
    room = ball.radius - float(np.linalg.norm(ws - ball.center))
    scale = max(room, 1e-3 * ball.radius)
    ss = scale * np.array([0.5, 0.1, 0.02])
    plus, minus = solution_curve(system, ws, v, ss), solution_curve(system, ws, v, -ss)
    # the position error of a projected point: Gauss-Newton's residual tolerance over sigma_min, plus rounding
    delta = 1e-12 * max(1.0, float(np.linalg.norm(system.y))) / sv[-1] + 64 * np.finfo(float).eps * max(
        1.0, float(np.linalg.norm(ws)))
    curv = np.array([menger_curvature(p, ws, q) if np.all(np.isfinite(p)) and np.all(np.isfinite(q)) else np.nan
                     for p, q in zip(plus, minus)])
    errors = 8.0 * delta / ss ** 2
    return v, ss, plus, minus, curv, errors, delta


def _t1(system, ball, *, level, rng, claim):
    """T1: w* is not isolated (a curve of solutions through it); where the curve is curved, L is convex on no ball."""
    _need(system, ball)
    _, seed = as_rng(rng)
    ws, sv, hyps = _solution(system, ball)
    name = "no isolated minimum: solutions on a curve through w* (max ||F(w(s)) - y||, zero within round-off)"
    if ws is None or any(h.status != "holds" for h in hyps):
        return TheoremCheck("T1", T1.title, system.name or "system", level, tuple(hyps), hyps[-1], seed)
    v, ss, plus, minus, curv, errors, delta = _curve_at(system, ball, ws, sv, rng)
    ok = np.all(np.isfinite(plus)) and np.all(np.isfinite(minus))
    k = len(ss) - 1  # the smallest step decides the local curvature
    kappa, err = float(curv[k]), float(errors[k])
    exact_flat = isinstance(system, LinearSystem)
    if np.isfinite(kappa) and kappa > err:
        cstatus = "holds"
    else:
        cstatus = "refuted" if exact_flat else "inconclusive"
    curved = Verdict("the solution set is curved at w*: curvature of a solution curve through w*", cstatus, "run",
                     None, kappa if np.isfinite(kappa) else None, None,
                     (f"Menger curvature of w(-s), w*, w(s) at s = {', '.join(f'{s:.3g}' for s in ss)}: "
                      f"{', '.join(f'{c:.6g}' for c in curv)}; round-off error bar {err:.2g} at the smallest s"
                      + ("; F is affine, so its solution set is an affine subspace: flat exactly" if exact_flat else "")),
                     ws)
    hyps.append(curved)
    if not ok:
        concl = Verdict(name, "inconclusive", "run", detail="Gauss-Newton did not return to the solution set from "
                                                            "every point of the tangent line")
        return TheoremCheck("T1", T1.title, system.name or "system", level, tuple(hyps), concl, seed)
    P = np.vstack([plus, minus])
    res = float(np.max(np.linalg.norm(system.residual(P), axis=1)))
    tol = 1e3 * 1e-13 * max(1.0, float(np.linalg.norm(system.y)))
    dist = np.linalg.norm(P - ws, axis=1)
    moved = bool(np.all(dist >= 0.5 * np.concatenate([ss, ss])))
    not_isolated = compare(name, res, tol, "upper", "run", rtol=0.0,
                           detail=(f"{len(P)} solutions at distances {', '.join(f'{d:.3g}' for d in dist)} from w* "
                                   f"(each at least half its step: {moved}); tolerance {tol:.2g}"),
                           x=plus[0])
    if not moved and not_isolated.status == "holds":
        not_isolated = not_isolated.replace(status="inconclusive")
    # convexity on a ball around w* would put the midpoint of two minimizers in the solution set
    mids = 0.5 * (plus + minus)
    Lmid = system.loss(mids)
    Lerr = 64 * np.finfo(float).eps * (np.linalg.norm(system.F(mids), axis=1) + np.linalg.norm(system.y)) * \
        (np.sqrt(2 * Lmid) + 1e-300) + 0.5 * (sv[0] * delta) ** 2
    j = int(np.argmin(Lmid - Lerr))
    nonconvex = compare("convexity fails near w*: L at the midpoint of w(-s) and w(s)", float(Lmid[k]), 0.0, "lower",
                        "run", rtol=0.0, error=0.0,
                        detail=(f"L(midpoints) = {', '.join(f'{x:.3g}' for x in Lmid)} (round-off up to "
                                f"{Lerr.max():.2g}) at s = {', '.join(f'{s:.3g}' for s in ss)}"), x=mids[k])
    if Lmid[j] <= Lerr[j]:
        nonconvex = nonconvex.replace(status="inconclusive", detail=nonconvex.detail + "; a midpoint lies within "
                                                                                       "round-off of the solution set")
    else:
        nonconvex = nonconvex.replace(status="holds", detail=nonconvex.detail + ": two minimizers closer and closer "
                                      "to w* whose midpoint is not one, so L is convex on no ball around w*")
    concl = combine([not_isolated, nonconvex])
    return TheoremCheck("T1", T1.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"solution": ws, "direction": v, "steps": ss, "curvature": curv, "curvature_error": errors,
                         "midpoint_loss": Lmid})


T1 = Theorem(
    "T1", "no isolated minima; a curved solution set makes L non-convex near every solution (T1, C10)",
    "For m > n and DF(w*) of full rank, the solutions near w* form a manifold of dimension m - n (no isolated "
    "minimum); where it is curved, the midpoint of two nearby solutions is not a solution, so L is convex on no "
    "ball around w*.", "[paper], [recalled], [derived]", _t1,
    notes=("No numeric constant: the claims are that a curve of solutions passes through w* and that the midpoints "
           "of its chords have L > 0. The curvature reported is the Menger curvature of w(-s), w*, w(s) (for the "
           "sphere ||w||^2 = y it is 1/sqrt(y); for w1 w2 = c at w it is 2c/||w||^3). A flat solution set (an "
           "affine F, X4) makes the curvature hypothesis fail: the theorem's non-convexity claims nothing there."))


@dataclasses.dataclass(frozen=True)
class T2Claim(Claim):
    """The constant of T2 (docs/theory.md T2, C9)."""

    zero_excess: int = constant(0, "H_L(w*) = DF^T DF has at least m - n + zero_excess zero eigenvalues at a "
                                   "solution w* (a lower bound; 0 is the theorem)")


def _t2(system, ball, *, level, rng, claim):
    """T2 / C9: at a solution, H_L(w*) = DF^T DF with at least m - n zero eigenvalues (numerical rank with a gap)."""
    _need(system, ball)
    _, seed = as_rng(rng)
    ws, sv, hyps = _solution(system, ball)
    if ws is None or hyps[-1].status != "holds" or hyps[0].status != "holds":
        return TheoremCheck("T2", T2.title, system.name or "system", level, tuple(hyps), hyps[-1], seed)
    m, n = system.m, system.n
    J = system.jacobian(ws)
    r = system.residual(ws)
    HL = system.loss_hessian(ws)
    JtJ = J.T @ J
    hmax = float(max(np.linalg.norm(Hi, 2) for Hi in system.hessians(ws)))
    resid_term = float(np.linalg.norm(r)) * np.sqrt(n) * hmax  # ||sum_i r_i H_i|| bound (C8)
    scale = max(float(np.linalg.norm(JtJ, 2)), 1e-300)
    ident = compare("H_L(w*) = DF^T DF: ||H_L - DF^T DF|| / ||DF^T DF||", float(np.linalg.norm(HL - JtJ, 2)) / scale,
                    0.0, "tight", "exact", rtol=0.0, atol=1e-12 + resid_term / scale,
                    detail=f"the residual term sum_i r_i H_Fi(w*) is at most {resid_term:.2g} (||r(w*)|| = "
                           f"{np.linalg.norm(r):.2g})")
    eig = np.sort(np.abs(np.linalg.eigvalsh(HL)))
    top = max(eig[-1], 1e-300)
    zero_tol = _ZERO_REL * top + resid_term
    surely_zero = int(np.sum(eig <= zero_tol))
    maybe_zero = int(np.sum(eig < _NONZERO_REL * top))
    need = m - n + claim.zero_excess
    if surely_zero >= need:
        status = "holds"
    elif maybe_zero < need:
        status = "refuted"  # the need-th smallest |eigenvalue| is beyond the gap: decisively nonzero
    else:
        status = "inconclusive"
    measured = surely_zero if status != "refuted" else maybe_zero
    kth = float(eig[need - 1]) / top if 0 < need <= m else float("nan")
    zeros = Verdict("zero eigenvalues of H_L(w*)", status, "exact", float(need), float(measured), "lower",
                    (f"m - n + {claim.zero_excess} = {need} claimed; |eigenvalues| / lambda_max sorted: "
                     f"{', '.join(f'{x / top:.2g}' for x in eig)}; zero below {zero_tol / top:.2g}, nonzero above "
                     f"{_NONZERO_REL:g} (between: undecided); the {need}-th smallest is {kth:.3g} lambda_max"),
                    ws)
    concl = combine([zeros, ident])
    return TheoremCheck("T2", T2.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"solution": ws, "eigenvalues": np.linalg.eigvalsh(HL)})


T2 = Theorem(
    "T2", "the loss Hessian at a solution is DF^T DF, of rank <= n (T2, C9)",
    "If F(w*) = y then H_L(w*) = DF(w*)^T DF(w*), of rank at most n: at least m - n eigenvalues vanish, so L is "
    "never strongly convex at a solution.", "[derived]", _t2, claim=T2Claim(),
    mutants=[Mutant("one zero eigenvalue more than m - n", {"zero_excess": 1})],
    notes=("Numerical rank with a decisive gap: |eigenvalue| <= 1e-9 lambda_max (plus the residual term's bound) "
           "counts as zero, >= 1e-6 lambda_max as nonzero, in between undecided (inconclusive). The mutant claims "
           "m - n + 1 zeros: refuted when DF(w*) has full rank n with lambda_min(K(w*)) >= 1e-6 lambda_max."))


# -- T5: stationary points under PL* ----------------------------------------------------------


def stationary_points(system, ball, starts, *, gtol=1e-10, maxiter=200):
    """Local minimizers of ||grad L||^2 from each start, kept when inside the ball and stationary.

    Parameters
    ----------
    system : plsym.System
    ball : plsym.Ball
    starts : array_like, shape (k, m)
    gtol : float
        A point is stationary when ||grad L(w)|| <= gtol (1 + ||DF(w)|| ||F(w) - y||) / 1.
    maxiter : int

    Returns
    -------
    list of ndarray
        The stationary points found in the ball (one per start that reached one).
    """
    import scipy.optimize

    def fun(w):
        g = system.grad(w)
        return float(g @ g), 2.0 * system.loss_hessian(w) @ g

    found = []
    for s in np.atleast_2d(starts):
        res = scipy.optimize.minimize(fun, s, jac=True, method="L-BFGS-B",
                                      options={"maxiter": maxiter, "gtol": 1e-14, "ftol": 1e-30})
        w = res.x
        if ball.contains(w) and np.linalg.norm(system.grad(w)) <= gtol:
            found.append(w)
    return found


def _t5(system, ball, *, level, rng, claim, starts, samples):
    """T5: under mu-PL* on the ball, every stationary point found there has L = 0 (within round-off)."""
    _need(system, ball)
    gen, seed = as_rng(rng)
    starts = int(starts)
    mu = measure("pl_constant", system, ball, level, rng, samples=samples)
    hyp = positive_hypothesis("mu := inf_B 1/2||grad L||^2 / L > 0 (PL* on the ball)", mu)
    P = np.vstack([ball.center[None, :], ball.sample(starts - 1, rng=gen)]) if starts > 1 else ball.center[None, :]
    pts = stationary_points(system, ball, P)
    name = "max L over the stationary points found in the ball (zero within round-off)"
    if not pts:
        concl = Verdict(name, "inconclusive", "searched", 0.0, None, "upper",
                        f"no stationary point found from {len(P)} starts (minimizing ||grad L||^2)")
        return TheoremCheck("T5", T5.title, system.name or "system", level, (hyp,), concl, seed)
    S = np.array(pts)
    L = system.loss(S)
    F = np.linalg.norm(system.F(S), axis=1) + float(np.linalg.norm(system.y))
    # L = 0 within round-off: ||F - y|| at the level of the rounding of F and y (and of the point's position)
    tol = (1e3 * np.finfo(float).eps * F) ** 2
    j = int(np.argmax(L - tol))
    status = "holds" if np.all(L <= tol) else ("refuted" if mu.certified else "inconclusive")
    detail = (f"{len(pts)} stationary points (||grad L|| <= 1e-10) from {len(P)} starts in the ball; L at them up to "
              f"{L.max():.3g}, round-off allowance {tol[j]:.3g}")
    if status == "inconclusive":
        from ._runs import pl_ratio

        ratio = float(pl_ratio(system, S[j][None, :])[0])
        if ratio < mu.value:  # the stationary point itself is where PL* fails: the theorem claims nothing here
            hyp = Verdict("PL* on the ball: 1/2||grad L||^2 / L at a stationary point with L > 0", "refuted",
                          "searched", None, ratio, None,
                          f"at the stationary point with L = {L[j]:.3g}: 1/2||grad L||^2 / L = {ratio:.3g} (the "
                          f"estimate {mu.value:.4g} of mu missed it)", S[j])
            status = "not applicable"
            detail += "; L > 0 there, and PL* fails at that point"
        else:
            detail += "; a stationary point with L > 0 contradicts the estimated PL* constant, not the theorem"
    jm = int(np.argmax(L))
    concl = Verdict(name, status, "searched", float(tol[jm]) if status == "holds" else 0.0, float(L.max()),
                    "upper" if status != "not applicable" else None, detail, S[j] if status != "holds" else S[jm])
    return TheoremCheck("T5", T5.title, system.name or "system", level, (hyp,), concl, seed,
                        {"stationary_points": S, "losses": L})


T5 = Theorem(
    "T5", "under PL* every stationary point is a global minimizer",
    "If L is mu-PL* on S, a stationary point w in S has mu L(w) <= 1/2 ||grad L(w)||^2 = 0, so L(w) = 0: a global "
    "minimizer.", "[derived]", _t5,
    options=[("starts", 32, "starting points (the centre and uniform points of the ball) for minimizing ||grad L||^2"),
             ("samples", 1024, "sampling budget of the PL* constant")],
    notes=("No numeric constant: the claim is L = 0 at every stationary point in the ball, checked on those a "
           "search finds (a search can miss some). A stationary point with L > 0 refutes only when mu is certified "
           "(otherwise the estimated PL* constant is what fails)."))
