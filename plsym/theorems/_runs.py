"""Judging what a theorem claims about a gradient-descent run: rate, distance, path length, convergence.

A run is a float64 computation: its losses carry round-off
(:attr:`plsym.dynamics.Trajectory.loss_errors`) and its step count is a budget.
So a violation refutes a claim only when

1. it exceeds the round-off allowance of the losses (:func:`plsym.dynamics.linear_rate`);
2. it is confirmed at its step in ball arithmetic, one exact GD step from the
   float iterate (:func:`plsym.dynamics.step_enclosure`), where the system has a
   ball-arithmetic form (otherwise the float64 evidence is stated as such);
3. the constants the claim was built from are valid at that step: certified
   bounds, or estimates that the step itself confirms (the PL* ratio at the
   iterate is at least the mu used, and the loss Hessian along the step is at
   most the smoothness used). An estimated constant that the step contradicts
   makes the violation "inconclusive": the estimate, not the theorem, may be wrong.

A budget that ends before the loss reaches round-off level leaves convergence
"inconclusive", never "refuted".
"""

from __future__ import annotations

import math

import numpy as np

from ..dynamics import linear_rate, step_enclosure
from ..quantities import pl_ratio as _pl_ratio
from ._core import Verdict, compare, worst

_SEGMENT_POINTS = 33
_SUPPORT_POINTS = 200


def pl_ratio(system, W):
    """The PL* ratio at the points W (k, m), +inf where L = 0 (a minimum over points ignores solutions)."""
    return _pl_ratio(system, np.atleast_2d(np.asarray(W, dtype=float)), where_solved=np.inf)


def adaptive_steps(L0, rate, floor, max_steps):
    """Steps for the claimed bound rate^t L0 to reach the round-off floor (+10), capped at max_steps."""
    if not (0 < rate < 1) or L0 <= floor:
        return min(max_steps, 50)
    return int(min(max_steps, math.ceil(math.log(max(floor, 1e-300) / L0) / math.log(rate)) + 10))


def _step_support(system, w, eta, mu, beta):
    """(ok, detail): the constants mu and beta are valid at the GD step from w (PL* ratio, Hessian on the segment)."""
    pl = float(pl_ratio(system, w[None, :])[0])
    g = system.grad(w)
    seg = w[None, :] - eta * np.linspace(0.0, 1.0, _SEGMENT_POINTS)[:, None] * g[None, :]
    try:
        h = float(np.max(system.loss_hessian_norm(seg)))
    except Exception as exc:  # no Hessian (non-smooth system): the smoothness cannot be confirmed
        return False, f"the loss Hessian on the step is not available ({exc})"
    ok = pl >= mu * (1 - 1e-9) and (beta is None or h <= beta * (1 + 1e-9))
    return ok, (f"at the step: PL* ratio {pl:.6g} vs mu {mu:.6g}"
                + ("" if beta is None else f", max ||H_L|| on the segment {h:.6g} vs beta {beta:.6g}"))


def judge_rate(system, tr, rate, *, eta, mu, beta, certified, name="worst step ratio L(w_t+1)/L(w_t)"):
    """The per-step rate claim L(w_t+1) <= rate L(w_t) along the run ``tr``, judged as the module says."""
    rc = linear_rate(tr, rate, per_step=True)
    measured = rc.worst_ratio if np.isfinite(rc.worst_ratio) else None
    bar = f" (+- {rc.worst_error:.2g} from the round-off of its losses)" if measured is not None else ""
    base = (f"eta = {eta:.4g}, {_count(tr.steps, 'step')} (stopped: {tr.stopped}); worst over the steps decided beyond "
            f"round-off{bar}, {rc.undecided} step(s) left undecided by it")
    if rc.status != "refuted":
        status = "holds" if rc.status == "holds" else "inconclusive"
        return Verdict(name, status, "run", rate, measured, "upper", base, tolerance=1e-12 * abs(rate)), rc
    t = rc.first_failure
    w = tr.points[t]
    observed = float(tr.losses[t + 1] / tr.losses[t]) if tr.losses[t] > 0 else math.inf
    enc = step_enclosure(system, w, eta)
    if enc is not None:
        L0, L1 = enc
        confirmed = bool((L1 - L1.__class__(rate) * L0) > 0)
        how = "confirmed in ball arithmetic (one exact GD step from the iterate)" if confirmed else \
            "not confirmed in ball arithmetic"
    else:
        confirmed = True
        how = "float64, beyond the round-off allowance of the losses (no ball-arithmetic form for this system)"
    if certified:
        support, sdetail = True, "constants certified"
    else:
        support, sdetail = _step_support(system, w, eta, mu, beta)
    status = "refuted" if (confirmed and support) else "inconclusive"
    detail = f"{base}; violated at t = {t}: {how}; {sdetail}"
    if confirmed and not support:
        detail += " (the estimated constants do not hold at this step: not a refutation)"
    return Verdict(name, status, "run", rate, observed, "upper", detail, w), rc


def path_support(system, tr, mu, L_F, certified):
    """(ok, detail): along the run, PL* ratio >= mu and ||DF|| <= L_F (the path-length argument's constants)."""
    if certified:
        return True, "constants certified"
    idx = np.unique(np.concatenate([np.arange(min(50, len(tr.points))),
                                    np.linspace(0, len(tr.points) - 1, _SUPPORT_POINTS).astype(int)]))
    P = tr.points[idx]
    keep = tr.losses[idx] > 0
    pl = float(np.min(pl_ratio(system, P[keep]))) if keep.any() else math.inf
    lf = float(np.sqrt(np.max(np.linalg.eigvalsh(system.kernel(P))[:, -1])))
    ok = pl >= mu * (1 - 1e-9) and lf <= L_F * (1 + 1e-9)
    return ok, f"along the run ({len(idx)} iterates): min PL* ratio {pl:.6g} vs mu {mu:.6g}, max ||DF|| {lf:.6g} vs L_F {L_F:.6g}"


def judge_distance(name, measured, claimed, *, support, sdetail, x=None):
    """An "upper" claim on a distance along the run: refuted only beyond round-off and with supported constants."""
    err = 64 * np.finfo(float).eps * (abs(measured) + 1.0)
    v = compare(name, measured, claimed, "upper", "run", rtol=1e-12, error=err, refutable=support, detail=sdetail,
                x=x)
    return v


def judge_convergence(tr, rate, rc):
    """L(w_t) -> 0: holds when the run reached the round-off level of L; inconclusive when the budget ended first."""
    final = float(tr.losses[-1])
    E = tr.loss_errors
    floor_reached = tr.stopped == "zero loss" or final <= 4 * float(E[-1]) or final <= tr.loss_floor
    name = "L(w_t) -> 0 (the run reaches the round-off level of L)"
    name = f"{name}: final loss"
    if floor_reached:
        return Verdict(name, "holds", "run", None, final, None, f"after {_count(tr.steps, 'step')}")
    if rc.status == "refuted":
        return Verdict(name, "inconclusive", "run", None, final, None,
                       f"after {_count(tr.steps, 'step')}; the rate failed first")
    return Verdict(name, "inconclusive", "run", None, final, None,
                   f"the step budget ({tr.steps}) ended before the round-off level of L; the rate held so far")


def _count(k, noun):
    """'1 step', '2 steps'."""
    return f"{k} {noun}" + ("" if k == 1 else "s")


def combine(parts):
    """One conclusion from parts that must all hold: the deciding part (the first that fails, else the first).

    The conclusion keeps that part's name and numbers, so its sentence stays true;
    the other parts' sentences go into the detail.
    """
    status = worst(*(p.status for p in parts))
    lead = next((p for p in parts if p.status == status), parts[0]) if status in ("refuted", "inconclusive") else parts[0]
    others = "; ".join(p.sentence() for p in parts if p is not lead)
    detail = lead.detail + (f" | also: {others}" if others else "")
    return lead.replace(status=status, detail=detail)
