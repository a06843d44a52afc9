"""Essential non-convexity near solutions: T1/T3 (and T2 at the solution), docs/theory.md §3.1."""

from __future__ import annotations

import numpy as np

from ..errors import as_rng
from ._core import Theorem, TheoremCheck, Verdict
from .conditioning import _need


def find_solution(system, start, *, maxiter=100, tol=1e-13):
    """A solution F(w*) = y near ``start`` by Gauss-Newton with minimum-norm steps, or None."""
    w = np.array(start, dtype=float)
    for _ in range(maxiter):
        r = system.residual(w)
        if not np.all(np.isfinite(r)):
            return None
        if np.linalg.norm(r) <= tol * max(1.0, np.linalg.norm(system.y)):
            return w
        J = system.jacobian(w)
        w = w - np.linalg.lstsq(J, r, rcond=None)[0]
    return w if np.linalg.norm(system.residual(w)) <= 1e3 * tol * max(1.0, np.linalg.norm(system.y)) else None


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
    ranks = [int(np.sum(np.abs(np.linalg.eigvalsh(Hi)) > 1e-10 * max(np.abs(Hi).max(), 1e-300))) for Hi in H]
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
    return TheoremCheck("T3", T3.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"distances": [t for t, _, _ in worst], "lambda_min": [v for _, v, _ in worst], "solution": ws})


T3 = Theorem("T3", "essential non-convexity next to solutions (T1, T3)",
             "For m > n, the loss is not convex in any neighbourhood of a solution w* with full-rank DF(w*) and a "
             "curved solution set: lambda_min(H_L) < 0 arbitrarily close to w* (sufficient: rank H_Fi(w*) > 2n).",
             "[paper], [restated], [derived]", _t3,
             options=[("ts", None, "distances t to the solution (default R 10^-k, k = 1..6)")],
             notes="No numeric constant: the claim is the sign of lambda_min(H_L) arbitrarily close to a solution.")
