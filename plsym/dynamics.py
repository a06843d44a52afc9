"""Gradient descent and SGD runs, and the linear-rate inequality checked along them.

The theorems (docs/theory.md T14, T15, T18) promise L(w_t) <= (1 - eta mu)^t L(w_0)
and iterates that stay in the ball; :func:`linear_rate` checks exactly that on a
:class:`Trajectory`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import _deprecated
from ._linalg import one_blas_thread
from .errors import InvalidArgument, _show, as_real_array, as_rng, positive_finite, positive_int
from .system import System

__all__ = ["Trajectory", "RateCheck", "gd", "sgd", "linear_rate", "step_enclosure"]

_EPS = np.finfo(np.float64).eps


@dataclasses.dataclass(frozen=True, eq=False)
class Trajectory:
    """The iterates of one run and what was measured along it.

    Attributes
    ----------
    points : ndarray, shape (T+1, m)
        w_0, ..., w_T (only finite iterates).
    losses : ndarray, shape (T+1,)
        The full loss L(w_t) (a sum over the n equations).
    grad_norms : ndarray, shape (T+1,)
        ||grad L(w_t)||.
    distances : ndarray, shape (T+1,)
        ||w_t - w_0||.
    path_length : ndarray, shape (T+1,)
        sum_{s<t} ||w_{s+1} - w_s|| (C16).
    eta : float
    method : {"gd", "sgd"}
    stopped : {"completed", "zero loss", "non-finite"}
        Why the run ended: all steps done, L = 0 exactly (a solution), or a
        non-finite loss or iterate (divergence); the non-finite point is not kept.
    batch_size : int or None
    seed : int or None
    loss_floor : float
        Losses below this are at the level of round-off in L (see :func:`linear_rate`).
    loss_errors : ndarray, shape (T+1,)
        A round-off allowance on each computed loss: with
        delta_r = 64 eps (||F(w_t)|| + ||y|| + ||DF(w_t)||_F ||w_t||) (the rounding of
        F - y and of the iterate itself), |L_computed - L| <= delta_r ||r|| + delta_r^2 / 2
        to first order. An estimate, generous by design: a violation within it is
        not a refutation.
    """

    points: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    distances: np.ndarray
    path_length: np.ndarray
    eta: float
    method: str
    stopped: str
    batch_size: int | None = None
    seed: int | None = None
    loss_floor: float = 0.0
    loss_errors: np.ndarray | None = None

    @property
    def steps(self) -> int:
        """Number of steps taken (T)."""
        return len(self.losses) - 1

    def to_dict(self) -> dict:
        """A JSON-ready summary (losses and distances, not the points)."""
        return {
            "method": self.method, "eta": self.eta, "steps": self.steps, "stopped": self.stopped,
            "batch_size": self.batch_size, "seed": self.seed, "losses": self.losses.tolist(),
            "distances": self.distances.tolist(), "path_length": float(self.path_length[-1]),
        }


@dataclasses.dataclass(frozen=True)
class RateCheck:
    """The linear-rate inequality checked along a trajectory, with round-off error bars.

    Attributes
    ----------
    rate : float
        The claimed contraction factor (e.g. 1 - eta mu).
    per_step : bool
        True: the claim checked is L(w_{t+1}) <= rate L(w_t) at every step; False:
        L(w_t) <= rate^t L(w_0) at every t.
    worst_ratio : float
        max_t L(w_{t+1}) / L(w_t) over the steps decided beyond round-off (the claim holds
        or fails there whatever the rounding of the two losses); NaN if there is none.
    status : {"holds", "refuted", "inconclusive"}
        refuted = some step violates the claim beyond its error bar (at ``first_failure``);
        inconclusive = no violation beyond the error bars, but no step was decided;
        holds otherwise.
    first_failure : int or None
        The first t with a violation beyond the error bar (the step from w_t, or the
        iterate w_t for the cumulative claim).
    undecided : int
        Steps that the error bars of their losses leave undecided (round-off, not
        evidence either way); they do not enter ``worst_ratio``.
    worst_error : float
        The error bar of ``worst_ratio``: the largest distance from it to a ratio of
        two losses within their round-off allowances (NaN when there is no decided step).
    steps_checked : int
    max_distance : float
        max_t ||w_t - w_0||.
    stopped : str
        The trajectory's stop reason.
    """

    rate: float
    worst_ratio: float
    first_failure: int | None
    steps_checked: int
    max_distance: float
    stopped: str
    per_step: bool = False
    status: str = "holds"
    undecided: int = 0
    worst_error: float = float("nan")

    @property
    def held(self) -> bool:
        """Deprecated: use ``status != "refuted"`` (no step violates the claim beyond round-off)."""
        _deprecated.warn("RateCheck.held", 'RateCheck.status (held is status != "refuted")')
        return self.status != "refuted"

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for key in ("worst_ratio", "worst_error"):
            if not np.isfinite(d[key]):
                d[key] = None  # no decided step (JSON has no NaN that compares equal)
        return d


def _start(system, w0):
    if not isinstance(system, System):
        raise InvalidArgument(f"system={_show(system)} must be a plsym.System")
    if w0 is None:
        if system.w0 is None:
            raise InvalidArgument("w0=None: this system has no natural starting point; pass w0 of shape (m,)")
        w0 = system.w0
    return as_real_array("w0", w0, shape=(system.m,)).copy()


def _norm(x):
    """The 2-norm (Frobenius for a matrix) of a float array, as np.linalg.norm computes it, without its overhead."""
    v = x.ravel(order="K")
    return math.sqrt(v.dot(v))


def _row_norm(x):
    """The 2-norm of a 1-D array as ``np.linalg.norm(X, axis=1)`` computes it for a row of X (pairwise sum of squares)."""
    return math.sqrt(np.add.reduce(x * x))


def _all_finite(x, norm):
    """Whether every entry of x is finite, given its 2-norm: a finite norm settles it without a pass over x."""
    return math.isfinite(norm) or bool(np.all(np.isfinite(x)))


def _run(system, w, eta, steps, direction, method, batch_size=None, seed=None):
    """Iterate w <- w - eta * direction(g, r, vjp) with g = DF^T r and vjp: c -> DF^T c at w;
    stop at L = 0 or non-finite values."""
    pts, losses, gnorms, errs, steps_len, dists = [], [], [], [], [], [0.0]
    stopped = "completed"
    ynorm = float(np.linalg.norm(system.y))
    for t in range(steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
            F, vjp, jnorm = system._linearization(w)  # one pass; DF is formed only where no structure avoids it
            r = F - system.y
            g = vjp(r)
            loss = 0.5 * float(r @ r)
            wnorm, gnorm = _norm(w), _norm(g)
            dr = 64 * _EPS * (_norm(F) + ynorm + jnorm * wnorm)
        # a finite norm means finite entries; an infinite one may also come from squares that overflow
        if not (np.isfinite(loss) and _all_finite(g, gnorm) and _all_finite(w, wnorm)):
            stopped = "non-finite"
            break
        if pts:  # np.linalg.norm's row norms, one row at a time while it is in cache
            steps_len.append(_row_norm(w - pts[-1]))
            dists.append(_row_norm(w - pts[0]))
        pts.append(w)
        losses.append(loss)
        errs.append(dr * math.sqrt(2 * loss) + 0.5 * dr * dr)
        gnorms.append(gnorm)
        if loss == 0.0:
            stopped = "zero loss"
            break
        if t == steps:
            break
        w = w - eta * direction(g, r, vjp)
    if not pts:
        raise InvalidArgument("w0 gives a non-finite loss; the run cannot start")
    P = np.array(pts)
    # rounding of r = F - y scales with |F| and |y|, not with |r| alone
    F0 = system._F(P[:1])[0]
    scale = max(1.0, float(np.linalg.norm(system.y)), float(np.sqrt(2 * losses[0])), float(np.linalg.norm(F0)))
    return Trajectory(
        points=P, losses=np.array(losses), grad_norms=np.array(gnorms),
        distances=np.array(dists), path_length=np.concatenate([[0.0], np.cumsum(steps_len)]),
        eta=float(eta), method=method, stopped=stopped, batch_size=batch_size, seed=seed,
        loss_floor=(64 * _EPS * scale) ** 2, loss_errors=np.array(errs),
    )


@one_blas_thread()  # the records (gradient norms, round-off bars) do not depend on the thread count
def gd(system, w0=None, *, eta, steps):
    """Gradient descent w_{t+1} = w_t - eta grad L(w_t) on the square loss.

    Parameters
    ----------
    system : plsym.System
    w0 : array_like, shape (m,), optional
        Start; defaults to ``system.w0``.
    eta : float
        Step size > 0 (T14: eta <= 1 / (L_F^2 + beta_F ||F(w0) - y||)).
    steps : int
        Maximum number of steps.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from plsym.systems import product
    >>> tr = gd(product(2.9), eta=0.07, steps=40)
    >>> bool(tr.losses[-1] < 1e-20), tr.stopped
    (True, 'zero loss')
    """
    w = _start(system, w0)
    eta = positive_finite("eta", eta)
    steps = positive_int("steps", steps, minimum=0)
    return _run(system, w, eta, steps, lambda g, r, vjp: g, "gd")


@one_blas_thread()
def sgd(system, w0=None, *, eta, batch_size, steps, rng):
    """Mini-batch SGD with the unbiased normalization of T18.

    The step is w <- w - eta g with g = (n/s) sum_{j=1}^s grad l_{i_j}(w), where
    l_i = 1/2 (F_i - y_i)^2 and the s indices i_j are drawn i.i.d. uniform on
    [n] (with replacement), so E[g] = grad L. In the paper's apparent
    parametrization (a batch *sum* with step eta'), eta = (s/n) eta' (T17/T18).

    Parameters
    ----------
    system : plsym.System
    w0 : array_like, shape (m,), optional
    eta : float
        Step size on g (T18: eta* = mu s / (n beta (n beta + mu (s - 1)))).
    batch_size : int
        s >= 1.
    steps : int
    rng : int or numpy.random.Generator
        Seed of the index draws; recorded in the trajectory.

    Returns
    -------
    Trajectory
        ``losses`` are the full losses L(w_t).
    """
    w = _start(system, w0)
    eta = positive_finite("eta", eta)
    steps = positive_int("steps", steps, minimum=0)
    s = positive_int("batch_size", batch_size)
    gen, seed = as_rng(rng)
    n = system.n

    def direction(g, r, vjp):
        idx = gen.integers(0, n, size=s)
        counts = np.bincount(idx, minlength=n)
        return (n / s) * vjp(counts * r)

    return _run(system, w, eta, steps, direction, "sgd", batch_size=s, seed=seed)


def linear_rate(trajectory, rate, *, per_step=False):
    """Check the linear rate along a run: L(w_t) <= rate^t L(w_0), or L(w_{t+1}) <= rate L(w_t).

    Each computed loss carries the round-off allowance ``trajectory.loss_errors``;
    a violation counts only beyond it ("refuted" evidence), one within it is
    counted as undecided. Near the round-off level of L a ratio of two losses is
    dominated by rounding, so those steps cannot refute a claim, however large
    their computed ratio.

    Parameters
    ----------
    trajectory : Trajectory
    rate : float
        The claimed contraction factor, in [0, 1] for a meaningful claim.
    per_step : bool, default False
        Check the one-step form L(w_{t+1}) <= rate L(w_t) (docs/theory.md C13 (a))
        instead of the cumulative one.

    Returns
    -------
    RateCheck

    Examples
    --------
    >>> from plsym.systems import product
    >>> tr = gd(product(2.9), eta=0.07, steps=40)
    >>> linear_rate(tr, 0.5, per_step=True).status, linear_rate(tr, 0.001, per_step=True).status
    ('holds', 'refuted')
    """
    if not isinstance(trajectory, Trajectory):
        raise InvalidArgument(f"trajectory={_show(trajectory)} must be a plsym.dynamics.Trajectory")
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)) or not np.isfinite(rate):
        raise InvalidArgument(f"rate={_show(rate)} must be a finite real number")
    rate = float(rate)
    L = trajectory.losses
    E = trajectory.loss_errors if trajectory.loss_errors is not None else np.full_like(L, trajectory.loss_floor)
    tiny = 1e-12
    if per_step:
        lhs, prev, eprev, enext = L[1:], L[:-1], E[:-1], E[1:]
        scale = np.abs(rate * prev)
        beyond = (lhs - enext > rate * (prev + eprev) + tiny * scale) & (lhs - enext > 0)
        decided_hold = lhs + enext <= rate * (prev - eprev) + tiny * scale
        ratio_num, ratio_den = lhs, prev
    else:
        t = np.arange(len(L))
        with np.errstate(over="ignore", under="ignore"):
            powers = np.power(rate, t)
        scale = np.abs(powers * L[0])
        beyond = (L - E > powers * (L[0] + E[0]) + tiny * scale) & (L - E > 0)
        decided_hold = L + E <= powers * (L[0] - E[0]) + tiny * scale
        lhs = L
        ratio_num, ratio_den = L[1:], L[:-1]
        beyond_steps = beyond[1:]
        decided_steps = decided_hold[1:] | beyond_steps
    failures = np.flatnonzero(beyond)
    decided = (decided_hold | beyond) if per_step else decided_steps
    undecided = int(np.sum(~(decided_hold | beyond)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(ratio_den > 0, ratio_num / np.where(ratio_den > 0, ratio_den, 1.0), 0.0)
    num_err, den_err = E[1:], E[:-1]
    if len(ratios):
        ratios, num_err, den_err, ratio_num, ratio_den = (a[decided] for a in (ratios, num_err, den_err, ratio_num,
                                                                               ratio_den))
    worst_ratio = float(np.max(ratios)) if ratios.size else float("nan")
    worst_error = _ratio_error(ratio_num, ratio_den, num_err, den_err, ratios) if ratios.size else float("nan")
    if failures.size:
        status = "refuted"
    elif ratios.size or (len(L) == 1 and L[0] == 0):
        status = "holds"
    else:
        status = "inconclusive"
    offset = 0
    return RateCheck(
        rate=rate, worst_ratio=worst_ratio,
        first_failure=int(failures[0]) + offset if failures.size else None, steps_checked=int(len(lhs)),
        max_distance=float(trajectory.distances.max()), stopped=trajectory.stopped, per_step=bool(per_step),
        status=status, undecided=undecided, worst_error=worst_error,
    )


def _ratio_error(num, den, num_err, den_err, ratios):
    """The error bar of the largest ratio num/den: its distance to the extreme ratios within the allowances."""
    j = int(np.argmax(ratios))
    hi = (num[j] + num_err[j]) / (den[j] - den_err[j]) if den[j] > den_err[j] else np.inf
    lo = max(num[j] - num_err[j], 0.0) / (den[j] + den_err[j])
    return float(max(hi - ratios[j], ratios[j] - lo))


def step_enclosure(system, w, eta):
    """Ball-arithmetic enclosures of L(w) and of L(w - eta grad L(w)), one exact GD step from the float point w.

    The point w is read exactly (a float is a rational) and the step is taken in
    ball arithmetic, so the two enclosures are of the real losses: a rate violation
    confirmed on them is a fact about gradient descent, not about its rounding.

    Parameters
    ----------
    system : plsym.System
        A system of sympy expressions or a fully connected network (others have no
        ball-arithmetic form).
    w : array_like, shape (m,)
    eta : float

    Returns
    -------
    (flint.arb, flint.arb) or None
        None when the system has no ball-arithmetic form.
    """
    from . import certify, interval

    try:
        P = certify._point_programs(system)
    except (interval.Unsupported, InvalidArgument, AttributeError, TypeError):
        return None
    try:
        args = interval.point_args(np.asarray(w, dtype=float))
        r = P.residual(args)
        J = P.jacobian(args)
        L0 = sum((ri * ri for ri in r), interval.arb(0)) / 2
        e = interval.arb(float(eta))
        step = [args[j] - e * sum((J[i, j] * r[i] for i in range(P.n)), interval.arb(0)) for j in range(P.m)]
        r1 = P.residual(step)
        L1 = sum((ri * ri for ri in r1), interval.arb(0)) / 2
    except (interval.Unsupported, ZeroDivisionError, ValueError):
        return None
    return L0, L1
