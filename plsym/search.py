"""Counterexample search: the paper's claims as values, refuted by sampling, search and Hypothesis.

A claim is a small frozen value (:func:`pl_star`, :func:`kernel_min_eig`,
:func:`hessian_norm`, :func:`lipschitz`, :func:`smoothness`, :func:`linear_rate`,
:func:`locally_convex`) with a batched ``violation(system, W)``: a margin per
point, > 0 where the claim fails, scaled relative to the claimed constant so
that margins of different claims compare (0.02 means "2% beyond the constant").

:func:`counterexample` looks for the worst point of a ball in three stages:

1. sampling (uniform in the ball and on its sphere, plus the center);
2. search: the :mod:`plsym.estimate` estimator of the matching quantity
   (``pl_constant`` for :func:`pl_star`, and so on) where there is one, compass
   searches on the margin itself from the best samples of distinct regions,
   and for PL* points next to the solutions in the ball (where the PL* ratio,
   a Rayleigh quotient of K at the residual, approaches lambda_min(K));
3. Hypothesis: a ``@given`` search over :func:`plsym.strategies.points_in`,
   mixed with small moves around the best points found so far, steered by
   ``hypothesis.target()`` on the margin; the first violating example is
   shrunk towards the center of the ball.

What a result means (method ``"searched"``):
``"refuted"`` means that at the witness, a point of the ball, the computed
quantity violates the claim by more than its rounding allowance (``RTOL``
relative, plus the rounding of eigenvalues and losses where it matters): a
counterexample in floating point, not a certified one. ``"not refuted"`` is no
proof of anything: no counterexample within the stated budget.

The second half of the module reproduces the paper's negative results (X1,
T3, T6, T13, C15, the step limit 2/beta, a ball too small for T14, ReLU) as
counterexamples from a fixed seed: see :func:`negative_results`.

References
----------
docs/theory.md §2 (D1, D3, D5), §5 (X1-X3), C10, C15, T3, T6, T13, T14.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
import sympy
from hypothesis import HealthCheck, Phase, Verbosity, given, settings, target
from hypothesis import seed as _hypothesis_seed
from hypothesis import strategies as st

from . import dynamics, estimate
from .ball import Ball
from .errors import InvalidArgument, _show, as_rng, positive_finite, positive_int
from .strategies import points_in
from .system import System, check_system_and_ball
from .systems.linear import linear
from .systems.toys import product

__all__ = [
    "RTOL", "Claim", "Counterexample", "NegativeResult",
    "pl_star", "kernel_min_eig", "hessian_norm", "lipschitz", "smoothness", "linear_rate", "locally_convex",
    "counterexample",
    "x1_nonconvex_near_solutions", "t3_nonconvex_near_solutions", "t6_underparameterized",
    "gd_divergence", "ball_too_small", "t13_nonlinear_output", "c15_convention", "relu_not_applicable",
    "negative_results",
]

RTOL = 1e-9
"""Relative rounding allowance: every margin is the relative excess minus RTOL."""

_EPS = np.finfo(np.float64).eps
# Points per batch when a claim is evaluated, so that (k, n, m) Jacobians stay small.
_BATCH_FLOATS = 2**22
# Dense loss Hessians (k, m, m) up to this m; Lanczos on loss_hvp above.
_DENSE_M = 400
# A finite stand-in for infinite margins, for hypothesis.target() (which needs finite values).
_BIG = 1e300
# Compass search on the margin: up to this m (2m points per iteration), this many iterations.
_COMPASS_MAX_M = 64
_COMPASS_ITERS = 40
_COMPASS_STARTS = 3
# Seeds kept for Hypothesis's "near the best points" branch, and the size of its moves.
_SEEDS = 8
_NEAR = 0.05


def _check_system(system):
    if not isinstance(system, System):
        raise InvalidArgument(f"system={_show(system)} must be a plsym.System")


def _batched(system, W, fn):
    """fn on W (k, m) in memory-bounded chunks, concatenated to shape (k,)."""
    step = max(1, _BATCH_FLOATS // max(1, system.n * system.m))
    return np.concatenate([np.asarray(fn(W[i:i + step]), dtype=np.float64) for i in range(0, W.shape[0], step)])


# -- claims ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Claim:
    """A statement about every point of a ball, with a batched violation margin.

    Build claims with the factories (:func:`pl_star`, :func:`kernel_min_eig`, ...);
    they are frozen, compare by value and hash.

    Attributes
    ----------
    kind : str
        The factory's name, e.g. ``"pl_star"``.
    description : str
        The inequality claimed, with its constants and paper ids.
    """

    kind: ClassVar[str] = ""
    # The plsym.estimate estimator whose witness is the worst point for this claim.
    estimator: ClassVar[str | None] = None
    needs_hessians: ClassVar[bool] = False

    @property
    def description(self) -> str:
        raise NotImplementedError

    def violation(self, system, W):
        """The margin at each point: > 0 where the claim fails, relative to the claimed constant.

        Parameters
        ----------
        system : plsym.System
        W : array_like, shape (m,) or (k, m)

        Returns
        -------
        float or ndarray, shape (k,)
            ``-inf`` where the claim says nothing (e.g. PL* at L = 0).

        Raises
        ------
        InvalidArgument
            For a bad system or W, and when the claim needs Hessians that the
            system refuses (a ReLU network, for example).
        """
        _check_system(system)
        W, single = system._points(W, "W")
        if self.needs_hessians:
            system._require_smooth()
        out = self._margins(system, W)
        return out[0] if single else out

    def _margins(self, system, W):
        """Margins at a batch W (k, m), nan mapped to -inf (undefined is not a counterexample)."""
        with np.errstate(all="ignore"):
            out = _batched(system, W, lambda V: self._raw(system, V))
        return np.where(np.isnan(out), -np.inf, out)

    def _raw(self, system, W):
        raise NotImplementedError

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``kind``, the constants, ``description``."""
        return {"kind": self.kind, **dataclasses.asdict(self), "description": self.description}


@dataclasses.dataclass(frozen=True)
class _PLStar(Claim):
    mu: float
    kind: ClassVar[str] = "pl_star"
    estimator: ClassVar[str | None] = "pl_constant"

    @property
    def description(self):
        return f"mu-PL* (1/2 form, D1): 1/2 ||grad L(w)||^2 >= mu L(w) wherever L(w) > 0, mu={self.mu:.6g}"

    def _raw(self, system, W):
        r = system._F(W) - system.y
        g = np.einsum("kni,kn->ki", system._jacobian(W), r)
        loss = 0.5 * np.sum(r * r, axis=1)
        ratio = 0.5 * np.sum(g * g, axis=1) / loss
        return np.where(loss > 0, 1.0 - ratio / self.mu - RTOL, -np.inf)


@dataclasses.dataclass(frozen=True)
class _KernelMinEig(Claim):
    mu: float
    kind: ClassVar[str] = "kernel_min_eig"
    estimator: ClassVar[str | None] = "kernel_min_eig"

    @property
    def description(self):
        return f"mu-uniform conditioning (D3): lambda_min(K(w)) >= mu, mu={self.mu:.6g}"

    def _raw(self, system, W):
        eig = np.linalg.eigvalsh(system._kernel(W))
        # eigvalsh's absolute error is about n eps ||K||: below it, lambda_min is rounding
        err = 8 * system.n * _EPS * np.abs(eig).max(axis=1)
        return 1.0 - (eig[:, 0] + err) / self.mu - RTOL


@dataclasses.dataclass(frozen=True)
class _HessianNorm(Claim):
    eps: float
    kind: ClassVar[str] = "hessian_norm"
    estimator: ClassVar[str | None] = "hessian_norm"
    needs_hessians: ClassVar[bool] = True

    @property
    def description(self):
        return f"Hessian bound (T10): ||H_F(w)|| = max_i ||H_F_i(w)||_2 <= eps, eps={self.eps:.6g}"

    def _raw(self, system, W):
        return system._hessian_norm(W) / self.eps - 1.0 - RTOL


@dataclasses.dataclass(frozen=True)
class _Lipschitz(Claim):
    L: float
    kind: ClassVar[str] = "lipschitz"
    estimator: ClassVar[str | None] = "lipschitz"

    @property
    def description(self):
        return f"Lipschitz bound (D5): ||DF(w)||_2 <= L_F, L_F={self.L:.6g}"

    def _raw(self, system, W):
        top = np.linalg.eigvalsh(system._kernel(W))[:, -1]
        return np.sqrt(np.maximum(top, 0.0)) / self.L - 1.0 - RTOL


@dataclasses.dataclass(frozen=True)
class _Smoothness(Claim):
    beta: float
    kind: ClassVar[str] = "smoothness"
    estimator: ClassVar[str | None] = "smoothness"
    needs_hessians: ClassVar[bool] = True

    @property
    def description(self):
        return f"smoothness (D5, C8): ||H_L(w)||_2 <= beta, beta={self.beta:.6g}"

    def _raw(self, system, W):
        return system._loss_hessian_norm(W) / self.beta - 1.0 - RTOL


@dataclasses.dataclass(frozen=True)
class _LinearRate(Claim):
    eta: float
    rate: float
    steps: int
    kind: ClassVar[str] = "linear_rate"

    @property
    def description(self):
        return (f"linear rate (T14): GD with eta={self.eta:.6g} from w0 keeps L(w_t) <= rate^t L(w_0) "
                f"for t <= {self.steps}, rate={self.rate:.6g}")

    def _raw(self, system, W):
        y = system.y
        F = system._F(W)
        r = F - y
        L0 = 0.5 * np.sum(r * r, axis=1)
        # Rounding of a computed residual, about 64 eps max(1, |y|, |F(w0)|) (as in
        # plsym.dynamics), growing with the steps; L = |r|^2 / 2 then carries an
        # error of about |r| dr. A search maximizing the margin would otherwise pick
        # starts next to a solution, where L_t / L_0 is mostly rounding.
        dr = 64 * _EPS * np.maximum(max(1.0, float(np.linalg.norm(y))), np.linalg.norm(F, axis=1))
        err0 = dr * (np.sqrt(2 * L0) + dr)
        worst = np.full(W.shape[0], -np.inf)
        w = W.copy()
        for t in range(1, self.steps + 1):
            w = w - self.eta * np.einsum("kni,kn->ki", system._jacobian(w), r)
            r = system._F(w) - y
            L = 0.5 * np.sum(r * r, axis=1)
            drt = (1 + t) * dr
            err = drt * (np.sqrt(2 * L) + drt)
            size = abs(self.rate) ** t  # the bound's size: the margin is relative to it
            excess = L - err - self.rate ** t * L0 - size * err0
            margin = np.where(size * L0 > 0, excess / (size * L0), np.where(excess > 0, np.inf, -np.inf)) - RTOL
            margin = np.where(np.isfinite(L), margin, np.inf)  # diverged: inf
            worst = np.maximum(worst, margin)
        return np.where(L0 > dr * dr, worst, -np.inf)  # L0 at rounding level: nothing to check


@dataclasses.dataclass(frozen=True)
class _LocallyConvex(Claim):
    kind: ClassVar[str] = "locally_convex"
    needs_hessians: ClassVar[bool] = True

    @property
    def description(self):
        return "local convexity (T1, T3, C10): lambda_min(H_L(w)) >= 0"

    def _raw(self, system, W):
        if system.m <= _DENSE_M:
            step = max(1, 20_000_000 // max(1, system.n * system.m * system.m))
            parts = []
            for i in range(0, W.shape[0], step):
                eig = np.linalg.eigvalsh(system.loss_hessian(W[i:i + step]))
                parts.append(-eig[:, 0] / np.maximum(np.abs(eig).max(axis=1), np.finfo(float).tiny))
            return np.concatenate(parts) - RTOL
        import scipy.sparse.linalg as sla

        out = np.empty(W.shape[0])
        for k, w in enumerate(W):  # a Krylov solve per point: the Hessian is never formed
            op = sla.LinearOperator((system.m, system.m), dtype=np.float64,
                                    matvec=lambda v, w=w: system.loss_hvp(w, np.ravel(v)))
            low = sla.eigsh(op, k=1, which="SA", tol=1e-10, return_eigenvectors=False)[0]
            top = abs(sla.eigsh(op, k=1, which="LM", tol=1e-10, return_eigenvectors=False)[0])
            out[k] = -low / max(top, np.finfo(float).tiny)
        return out - RTOL


def pl_star(mu):
    """The claim: L is mu-PL* on the ball, 1/2 ||grad L(w)||^2 >= mu L(w) where L(w) > 0.

    Parameters
    ----------
    mu : float
        The PL* constant mu > 0 (D1, 1/2 form; the no-1/2 constant is mu' = 2 mu).

    Returns
    -------
    Claim
        Its margin is ``1 - (1/2 ||grad L||^2 / L) / mu - RTOL``; ``-inf`` where L = 0.

    Raises
    ------
    InvalidArgument
        If mu is not a positive finite number.

    References
    ----------
    docs/theory.md D1, T4.

    Examples
    --------
    >>> import plsym
    >>> from plsym.search import counterexample, pl_star
    >>> from plsym.systems import product
    >>> ce = counterexample(product(2.9), plsym.Ball([3.0, 1.0], 0.5), pl_star(7.0), max_examples=20)
    >>> ce.found, ce.status
    (False, 'not refuted')
    """
    return _PLStar(positive_finite("mu", mu))


def kernel_min_eig(mu):
    """The claim: F is mu-uniformly conditioned on the ball, lambda_min(K(w)) >= mu.

    Parameters
    ----------
    mu : float
        The uniform-conditioning constant mu > 0 (D3).

    Returns
    -------
    Claim
        Its margin is ``1 - (lambda_min(K(w)) + 8 n eps ||K||) / mu - RTOL``
        (the eigenvalue's rounding error counted in the claim's favour).

    Raises
    ------
    InvalidArgument
        If mu is not a positive finite number.

    References
    ----------
    docs/theory.md D2, D3, T4, T6.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.search import kernel_min_eig
    >>> from plsym.systems import linear
    >>> round(float(kernel_min_eig(2.0).violation(linear(np.eye(2), [0.0, 0.0]), [0.0, 0.0])), 6)  # lambda_min = 1
    0.5
    """
    return _KernelMinEig(positive_finite("mu", mu))


def hessian_norm(eps):
    """The claim: ||H_F(w)|| = max_i ||H_{F_i}(w)||_2 <= eps on the ball.

    Parameters
    ----------
    eps : float
        The bound eps > 0 (T10; transition to linearity T19 makes it O(1/sqrt m)).

    Returns
    -------
    Claim
        Its margin is ``||H_F(w)|| / eps - 1 - RTOL``. Needs Hessians: on a
        system that refuses them, :func:`counterexample` reports "not applicable".

    Raises
    ------
    InvalidArgument
        If eps is not a positive finite number.

    References
    ----------
    docs/theory.md §1 (the norm), T10, T13, T19.

    Examples
    --------
    >>> from plsym.search import hessian_norm
    >>> from plsym.systems import product
    >>> float(hessian_norm(1.0).violation(product(1.0), [3.0, 1.0])) < 0  # ||H_F|| = 1 exactly
    True
    """
    return _HessianNorm(positive_finite("eps", eps))


def lipschitz(L):
    """The claim: ||DF(w)||_2 <= L_F on the ball (F is L_F-Lipschitz there).

    Parameters
    ----------
    L : float
        The Lipschitz constant L_F > 0 (D5).

    Returns
    -------
    Claim
        Its margin is ``||DF(w)||_2 / L - 1 - RTOL``.

    Raises
    ------
    InvalidArgument
        If L is not a positive finite number.

    References
    ----------
    docs/theory.md D5, T14.

    Examples
    --------
    >>> from plsym.search import lipschitz
    >>> from plsym.systems import product
    >>> round(float(lipschitz(2.0).violation(product(1.0), [3.0, 4.0])), 6)  # ||DF|| = 5
    1.5
    """
    return _Lipschitz(positive_finite("L", L))


def smoothness(beta):
    """The claim: ||H_L(w)||_2 <= beta on the ball (L is beta-smooth there).

    Parameters
    ----------
    beta : float
        The smoothness constant beta > 0 (D5, C8).

    Returns
    -------
    Claim
        Its margin is ``||H_L(w)||_2 / beta - 1 - RTOL``; needs Hessians.

    Raises
    ------
    InvalidArgument
        If beta is not a positive finite number.

    References
    ----------
    docs/theory.md D5, C8, T15.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.search import smoothness
    >>> from plsym.systems import linear
    >>> float(smoothness(4.0).violation(linear([[2.0]], [0.0]), [1.0])) < 0  # H_L = a^2 = 4
    True
    """
    return _Smoothness(positive_finite("beta", beta))


def linear_rate(eta, rate, steps):
    """The claim: GD with step eta from any start keeps L(w_t) <= rate^t L(w_0) for t <= steps.

    Parameters
    ----------
    eta : float
        Step size eta > 0 (T14: eta <= 1/(L_F^2 + beta_F ||F(w0) - y||); T15: 1/beta).
    rate : float
        The claimed factor, e.g. 1 - eta mu (T14). Any finite real is allowed, so
        that a negative "rate" such as C15's 1 - eta mu' can be stated and refuted.
    steps : int
        Number of GD steps checked, >= 1.

    Returns
    -------
    Claim
        Its margin at a start w_0 is max_t (L(w_t) - rate^t L(w_0)) / (|rate|^t L(w_0)) - RTOL,
        where the losses' rounding errors (residuals to about 64 eps max(1, ||y||,
        ||F(w_0)||), times 1 + t after t steps) are counted in the claim's favour;
        ``+inf`` if GD diverges to non-finite values; ``-inf`` if L(w_0) is at rounding level.

    Raises
    ------
    InvalidArgument
        If eta is not positive finite, rate not finite real, or steps not an int >= 1.

    References
    ----------
    docs/theory.md T9, T14, T15, C13, C15, C17.

    Examples
    --------
    >>> from plsym.search import linear_rate
    >>> from plsym.systems import linear
    >>> s = linear([[2.0]], [0.0])   # C15: beta = 4, eta = 0.9 / beta gives L_1 = 0.01 L_0
    >>> float(linear_rate(0.225, 0.1, 1).violation(s, [1.0])) < 0
    True
    >>> float(linear_rate(0.225, -0.8, 1).violation(s, [1.0])) > 0
    True
    """
    eta = positive_finite("eta", eta)
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)) or not np.isfinite(rate):
        raise InvalidArgument(f"rate={_show(rate)} must be a finite real number")
    return _LinearRate(eta, float(rate), positive_int("steps", steps))


def locally_convex():
    """The claim: L is convex on the ball, lambda_min(H_L(w)) >= 0.

    Returns
    -------
    Claim
        Its margin is ``-lambda_min(H_L) / ||H_L||_2 - RTOL`` (the negative
        curvature relative to the largest curvature); needs Hessians.

    References
    ----------
    docs/theory.md T1, T3, C10, X1, X2.

    Examples
    --------
    >>> from plsym.search import locally_convex
    >>> from plsym.systems import product
    >>> float(locally_convex().violation(product(1.0), [1.1, 1.1])) > 0  # X1: lambda_min = -0.21
    True
    """
    return _LocallyConvex()


# -- the search -----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Counterexample:
    """The outcome of a counterexample search for one claim on one ball.

    Attributes
    ----------
    claim : Claim
    found : bool
        True when a point of the ball violates the claim (margin > 0): the claim is refuted.
    status : {"refuted", "not refuted", "not applicable"}
        ``"not applicable"`` when the claim needs what the system refuses
        (Hessians of a ReLU network); nothing was searched then.
    witness : tuple of float or None
        The worst point found (largest margin), or None when not applicable.
    violation : float
        The margin at ``witness`` (> 0 iff ``found``); nan when not applicable.
    shrunk : tuple of float or None
        The violating example Hypothesis shrank (towards the center of the
        ball), beside the worst one; None when nothing was found.
    shrunk_violation : float
        The margin at ``shrunk`` (nan when None).
    examples_tried : int
        Examples the Hypothesis stage ran (generation, targeting and shrinking).
    evaluations : int
        Points at which the claim or the seeding estimator was evaluated, in all.
    max_examples : int
        The Hypothesis budget asked for.
    seed : int or None
        The seed that reproduces the search (None when a Generator was passed).
    method : str
        ``"searched"``: held or failed at the points tried.
    message : str
        One sentence: what was found, or the budget within which nothing was.
    """

    claim: Claim
    found: bool
    status: str
    witness: tuple | None
    violation: float
    shrunk: tuple | None
    shrunk_violation: float
    examples_tried: int
    evaluations: int
    max_examples: int
    seed: int | None
    method: str
    message: str

    @property
    def point(self):
        """The witness as an array (None when not applicable)."""
        return None if self.witness is None else np.array(self.witness)

    def to_dict(self) -> dict:
        """A JSON-ready dict (the claim as its own dict, points as lists)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["claim"] = self.claim.to_dict()
        for key in ("witness", "shrunk"):
            d[key] = None if d[key] is None else list(d[key])
        return d


class _Violated(Exception):
    """Raised inside the Hypothesis test at a violating point, so that Hypothesis shrinks it."""

    def __init__(self, w, margin):
        super().__init__(f"margin {margin!r}")
        self.w = w
        self.margin = margin


def _finite(v):
    return float(min(max(v, -_BIG), _BIG))


def _near(ball, seeds):
    """Points a small move (a 5% ball) away from one of ``seeds``; shrinks to the first seed itself."""
    moves = points_in(Ball(np.zeros(ball.m), _NEAR * ball.radius))
    return st.builds(lambda i, d: ball.project(seeds[i] + d), st.integers(0, len(seeds) - 1), moves)


def _compass(margins, ball, w, f, *, step, iters):
    """Maximize the margin from w by compass moves (+- step e_j, all in one batch) inside the ball."""
    E = np.eye(ball.m)
    count = 0
    for _ in range(iters):
        if step < 1e-9 * ball.radius:
            break
        cand = ball.project(np.vstack([w + step * E, w - step * E]))
        vals = margins(cand)
        count += len(cand)
        j = int(np.argmax(vals))
        if vals[j] > f:
            w, f = cand[j], float(vals[j])
        else:
            step *= 0.5
    return w, f, count


def _near_solutions(system, ball, starts, *, iters=30):
    """Points next to solutions in the ball, along J^+ v_min: where the PL* ratio nears lambda_min(K).

    1/2 ||grad L||^2 / L = r^T K r / r^T r is the Rayleigh quotient of K at the
    residual r. Next to a solution w* (r = 0) the residual of w* + t u is t J u +
    O(t^2), so with J u = v_min (the bottom eigenvector of K(w*)) the ratio tends
    to lambda_min(K(w*)) as t -> 0: a thin wedge that sampling rarely hits.
    Solutions are sought by Gauss-Newton steps w <- w - J^+ r, kept in the ball.
    """
    W = np.array(starts, dtype=np.float64).reshape(-1, system.m)
    with np.errstate(all="ignore"):
        for _ in range(iters):
            r = system._F(W) - system.y
            step = np.einsum("kij,kj->ki", np.linalg.pinv(system._jacobian(W)), r)
            W = ball.project(np.where(np.isfinite(step), W - step, W))
        K = system._kernel(W)
        v_min = np.linalg.eigh(K)[1][:, :, 0]
        U = np.einsum("kij,kj->ki", np.linalg.pinv(system._jacobian(W)), v_min)
        norms = np.maximum(np.linalg.norm(U, axis=1, keepdims=True), np.finfo(float).tiny)
        out = [W + sign * t * ball.radius * U / norms for t in (1e-2, 1e-3, 1e-4) for sign in (1.0, -1.0)]
    out = np.vstack(out)
    return ball.project(np.where(np.isfinite(out), out, ball.center))


class _Tracker:
    """The best points seen, and how many evaluations it took."""

    def __init__(self):
        self.points, self.values = [], []
        self.evaluations = 0

    def add(self, W, values):
        self.evaluations += len(W)
        self.points.extend(np.asarray(W, dtype=np.float64))
        self.values.extend(np.asarray(values, dtype=np.float64))

    def diverse(self, k, distance, key=None):
        """Up to k (point, value) pairs, best first (by value, or by ``key`` of the points),
        each at least ``distance`` from the ones before."""
        scores = np.asarray(self.values) if key is None else key(np.array(self.points))
        order = np.argsort(-scores, kind="stable")
        out = []
        for i in order:
            w = self.points[i]
            if all(np.linalg.norm(w - v) >= distance for v, _ in out):
                out.append((w, float(self.values[i])))
                if len(out) == k:
                    break
        return out

    def best(self, k):
        order = np.argsort(-np.asarray(self.values), kind="stable")
        out, seen = [], set()
        for i in order:
            key = self.points[i].tobytes()
            if key not in seen:
                seen.add(key)
                out.append(i)
            if len(out) == k:
                break
        return [self.points[i] for i in out], [float(self.values[i]) for i in out]


def _hypothesis_stage(strategy, margins, max_examples, hypothesis_seed):
    """Run Hypothesis on the margin; return (examples run, (shrunk point, margin) or None)."""
    tried = [0]

    @settings(database=None, max_examples=max_examples, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, report_multiple_bugs=False,
              phases=(Phase.generate, Phase.target, Phase.shrink), print_blob=False)
    @_hypothesis_seed(hypothesis_seed)
    @given(strategy)
    def probe(w):
        tried[0] += 1
        v = float(margins(w[None, :])[0])
        target(_finite(v), label="violation margin")
        if v > 0:
            raise _Violated(w, v)

    try:
        probe()
    except _Violated as exc:
        return tried[0], (tuple(float(x) for x in exc.w), float(exc.margin))
    return tried[0], None


def counterexample(system, ball, claim, *, max_examples=200, samples=128, rng=0):
    """Search the ball for a point where ``claim`` fails; report the worst and the shrunk one.

    Parameters
    ----------
    system : plsym.System
        The system F with targets y.
    ball : plsym.Ball
        The ball B(w0, R) the claim is about; its dimension must be the system's m.
    claim : Claim
        From :func:`pl_star`, :func:`kernel_min_eig`, :func:`hessian_norm`,
        :func:`lipschitz`, :func:`smoothness`, :func:`linear_rate`, :func:`locally_convex`.
    max_examples : int, default 200
        Budget of the Hypothesis stage (examples generated; shrinking comes on top).
    samples : int, default 128
        Points sampled before Hypothesis, also the estimator's sampling budget; 0
        skips sampling and the estimator search (for systems whose every
        evaluation is expensive, like wide networks' Hessian norms).
    rng : int or numpy.random.Generator, default 0
        Seed of the whole search; the same seed gives the same result.

    Returns
    -------
    Counterexample

    Raises
    ------
    InvalidArgument
        For a bad system, ball, claim or budget. A claim needing Hessians that
        the system refuses is not an error: the result says "not applicable".

    Notes
    -----
    Seeding: the sampled points; the estimator of the matching quantity
    (``plsym.estimate.pl_constant`` for :func:`pl_star`, ``kernel_min_eig``,
    ``hessian_norm``, ``lipschitz``, ``smoothness``; ``samples`` samples, 2
    starts, 50 iterations), whose witness is the worst point for the claim;
    compass searches on the margin (m <= 64) from the best samples at least R/4
    apart, which reach basins the estimator's clustered starts miss; for
    :func:`pl_star`, points next to solutions found by Gauss-Newton from the
    lowest-loss samples, along J^+ v_min. Then a Hypothesis ``@given`` search
    over ``points_in(ball)`` mixed with 5%-moves around the 8 best points so
    far, calling ``hypothesis.target()`` on the margin, with ``database=None``
    and the seed derived from ``rng``. A found claim is refuted in floating
    point (see the module docstring); a claim not found false is only "not
    refuted within" the budget stated in ``message``.

    References
    ----------
    docs/theory.md §2, §5, §6.

    Examples
    --------
    >>> import plsym
    >>> from plsym.search import counterexample, kernel_min_eig
    >>> from plsym.systems import product
    >>> ball = plsym.Ball([3.0, 1.0], 0.5)        # inf lambda_min(K) = (sqrt(10) - 0.5)^2 = 7.0877
    >>> ce = counterexample(product(2.9), ball, kernel_min_eig(7.2), max_examples=50)
    >>> ce.status, round(ce.violation, 4)
    ('refuted', 0.0156)
    """
    check_system_and_ball(system, ball)
    if not isinstance(claim, Claim) or type(claim) is Claim:
        raise InvalidArgument(f"claim={_show(claim)} must be a claim built by plsym.search (pl_star, ...)")
    max_examples = positive_int("max_examples", max_examples)
    samples = positive_int("samples", samples, minimum=0)
    gen, seed = as_rng(rng)
    hypothesis_seed = int(gen.integers(2**63))

    if claim.needs_hessians:
        try:  # hvp is the cheapest Hessian evaluation (matrix-free for networks)
            system.hvp(ball.center, np.ones(system.m))
        except InvalidArgument as exc:
            return Counterexample(
                claim=claim, found=False, status="not applicable", witness=None, violation=float("nan"),
                shrunk=None, shrunk_violation=float("nan"), examples_tried=0, evaluations=0,
                max_examples=max_examples, seed=seed, method="searched",
                message=f"not applicable: {claim.kind} needs Hessians, and {exc}",
            )

    track = _Tracker()

    def margins(W):
        vals = claim._margins(system, W)
        track.add(W, vals)
        return vals

    # 1-2. Sampling, then the estimator's search (or a compass search on the margin).
    margins(ball.center[None, :])
    if samples:
        n_sphere = max(1, samples // 4)
        margins(np.vstack([ball.sample(max(1, samples - n_sphere), rng=gen),
                           ball.sample(n_sphere, rng=gen, where="sphere")]))
        # The estimator's starts are its worst samples, often all in one basin; compass
        # searches from the best samples of distinct regions cover the other basins.
        starts = track.diverse(_COMPASS_STARTS, 0.25 * ball.radius)
        if claim.estimator is not None:
            try:
                est = getattr(estimate, claim.estimator)(system, ball, samples=max(2, samples), maxiter=50,
                                                         starts=2, rng=gen)
            except InvalidArgument:  # e.g. pl_constant where L = 0 at every sample: nothing to seed
                est = None
            if est is not None:
                track.evaluations += est.evaluations
                margins(ball.project(est.point)[None, :])
        starts = [(w, f, 0.25 * ball.radius) for w, f in starts]
        if isinstance(claim, _PLStar):
            low = track.diverse(_COMPASS_STARTS, 0.25 * ball.radius, key=lambda W: -system.loss(W))
            P = _near_solutions(system, ball, np.array([w for w, _ in low]))
            vals = margins(P)
            j = int(np.argmax(vals))
            starts.append((P[j], float(vals[j]), 0.01 * ball.radius))
        if ball.m <= _COMPASS_MAX_M:
            for w, f, step in starts:
                if np.isfinite(f):
                    _compass(margins, ball, w, f, step=step, iters=_COMPASS_ITERS)

    # 3. Hypothesis, steered by the margin, shrinking the first violation.
    seeds, _ = track.best(_SEEDS)
    tried, shrunk = _hypothesis_stage(st.one_of(points_in(ball), _near(ball, seeds)), margins, max_examples,
                                      hypothesis_seed)
    (best_w,), (best_v,) = track.best(1)
    if best_v > 0 and shrunk is None:
        # Seeding found a violation that Hypothesis's draws missed: let it shrink
        # from the witness (its first, simplest example is the witness itself).
        more, shrunk = _hypothesis_stage(_near(ball, [best_w]), margins, 10, hypothesis_seed)
        tried += more
    shrunk_w, shrunk_v = (None, float("nan")) if shrunk is None else shrunk

    found = best_v > 0
    if found:
        message = (f"refuted: margin {best_v:.4g} > 0 at the witness ({claim.description}); "
                   f"{track.evaluations} points evaluated, {tried} of them Hypothesis examples")
    else:
        message = (f"not refuted within {tried} Hypothesis examples (max_examples={max_examples}) and "
                   f"{track.evaluations} point evaluations in all; worst margin {best_v:.4g}; "
                   "this is not a proof")
    return Counterexample(
        claim=claim, found=bool(found), status="refuted" if found else "not refuted",
        witness=tuple(float(x) for x in best_w), violation=float(best_v), shrunk=shrunk_w,
        shrunk_violation=shrunk_v, examples_tried=int(tried), evaluations=int(track.evaluations),
        max_examples=max_examples, seed=seed, method="searched", message=message,
    )


# -- the paper's negative results, as counterexamples from a fixed seed ----------------

@dataclasses.dataclass(frozen=True)
class NegativeResult:
    """One of the paper's negative results, reproduced from a fixed seed.

    Attributes
    ----------
    name : str
        The function that reproduces it, e.g. ``"x1_nonconvex_near_solutions"``.
    reference : str
        Paper ids (docs/theory.md).
    statement : str
        What fails, in one sentence.
    reproduced : bool
        Whether every expected outcome was obtained: each refutation found (and,
        for :func:`relu_not_applicable`, each Hessian claim reported not applicable).
    counterexamples : tuple of Counterexample
        The searches, in the order the statement lists them.
    measured : tuple of (str, float)
        Named numbers: closed forms and what was measured beside the searches.
    seed : int or None
    method : str
        ``"searched"``: the counterexamples are points, and prove the
        failure; the measured numbers are evaluations at stated points.
    """

    name: str
    reference: str
    statement: str
    reproduced: bool
    counterexamples: tuple
    measured: tuple
    seed: int | None
    method: str = "searched"

    def value(self, label):
        """The measured number called ``label``."""
        for key, v in self.measured:
            if key == label:
                return v
        raise InvalidArgument(f"label={_show(label)} is not measured here; labels: {[k for k, _ in self.measured]}")

    def to_dict(self) -> dict:
        """A JSON-ready dict (counterexamples as their own dicts, measured as a label -> value dict)."""
        return {
            "name": self.name, "reference": self.reference, "statement": self.statement,
            "reproduced": self.reproduced, "counterexamples": [c.to_dict() for c in self.counterexamples],
            "measured": {k: v for k, v in self.measured}, "seed": self.seed, "method": self.method,
        }


def _seed_of(rng):
    """(generator, recorded seed) for a case: ints are recorded, Generators are not."""
    return as_rng(rng)


def _lambda_min_loss_hessian(system, w):
    return float(np.linalg.eigvalsh(system.loss_hessian(np.asarray(w, dtype=float)))[0])


def x1_nonconvex_near_solutions(*, radii=(1e-1, 1e-2, 1e-4), max_examples=50, rng=0):
    """X1: F = w1 w2, y = 1; L is not convex in any ball around the solution (1, 1).

    Parameters
    ----------
    radii : sequence of float
        Radii eps of the balls B((1, 1), eps) searched; each witness is within
        eps of the solution set.
    max_examples : int
        Hypothesis budget per ball.
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        One :func:`locally_convex` counterexample per radius; ``measured`` has
        lambda_min(H_L) at (1 + eps, 1 + eps) (paper: -0.21, -0.0201, -0.0002 for
        eps = 0.1, 0.01, 1e-4) and at each witness.

    References
    ----------
    docs/theory.md X1, C10, T1.
    """
    gen, seed = _seed_of(rng)
    s = product(1.0, w0=(1.0, 1.0))
    ces, measured = [], []
    for eps in radii:
        eps = positive_finite("radii[i]", eps)
        ce = counterexample(s, Ball([1.0, 1.0], eps), locally_convex(), max_examples=max_examples, rng=gen)
        ces.append(ce)
        measured += [
            (f"eps={eps:g}: lambda_min(H_L) at (1+eps, 1+eps)", _lambda_min_loss_hessian(s, [1 + eps, 1 + eps])),
            (f"eps={eps:g}: lambda_min(H_L) at the witness", _lambda_min_loss_hessian(s, ce.point)),
            (f"eps={eps:g}: distance of the witness to (1, 1)", float(np.linalg.norm(ce.point - 1.0))),
        ]
    return NegativeResult(
        name="x1_nonconvex_near_solutions", reference="X1, C10, T1",
        statement="F = w1 w2, y = 1: points within eps of the solution (1, 1) have lambda_min(H_L) < 0, for every eps",
        reproduced=all(c.found for c in ces), counterexamples=tuple(ces), measured=tuple(measured), seed=seed,
    )


def _t3_system(gen, n, m):
    """A random smooth system F_i = a_i.w + 1/2 w^T Q_i w + sin(b_i.w)/5 and a solution w* of it."""
    ws = sympy.symbols(f"w1:{m + 1}", real=True)
    w = sympy.Matrix(ws)
    outputs = []
    for _ in range(n):
        a, b = gen.standard_normal(m), gen.standard_normal(m)
        Q = gen.standard_normal((m, m))
        Q = (Q + Q.T) / 2
        lin = sum(sympy.Float(x) * wj for x, wj in zip(a, ws))
        quad = sympy.Rational(1, 2) * (w.T * sympy.Matrix(Q.tolist()).applyfunc(sympy.Float) * w)[0, 0]
        outputs.append(lin + quad + sympy.sin(sum(sympy.Float(x) * wj for x, wj in zip(b, ws))) / 5)
    w_star = 0.5 * gen.standard_normal(m)
    probe = System(outputs, ws, np.zeros(n))
    return System(outputs, ws, probe.F(w_star), name=f"random smooth (n={n}, m={m})", w0=w_star), w_star


def t3_nonconvex_near_solutions(*, n=2, m=6, ts=(1e-1, 1e-2, 1e-3), max_examples=50, rng=0):
    """T3's construction on a random smooth system: rank H_{F_i}(w*) > 2n gives local non-convexity.

    With J = DF(w*) of full rank n and s H_{F_i}(w*) having >= n + 1 negative
    eigenvalues (s = +-1), take u with J u = s e_i, w = w* + t u, and a unit v in
    ker J intersected with that negative eigenspace: v^T H_L(w) v = t s v^T H_{F_i} v + O(t^2) < 0.

    Parameters
    ----------
    n, m : int
        Outputs and parameters, m > 2n (so that a full-rank H_{F_i} has rank > 2n).
    ts : sequence of float
        The distances t along u.
    max_examples : int
        Hypothesis budget per search.
    rng : int or numpy.random.Generator
        Seed of the random system and of the searches.

    Returns
    -------
    NegativeResult
        One :func:`locally_convex` counterexample per t on B(w*, t ||u||) (which
        contains w); ``measured`` has the ranks, ||J v||, and per t v^T H_L(w) v,
        its ratio to t and lambda_min(H_L(w)).

    References
    ----------
    docs/theory.md T3 (and its proof), C10.
    """
    n = positive_int("n", n)
    m = positive_int("m", m)
    if m <= 2 * n:
        raise InvalidArgument(f"m={m} must be > 2n={2 * n}, so that rank H_F_i can exceed 2n")
    gen, seed = _seed_of(rng)
    s, w_star = _t3_system(gen, n, m)
    J = s.jacobian(w_star)
    H = s.hessians(w_star)
    ranks = [int(np.linalg.matrix_rank(Hi)) for Hi in H]
    i = int(np.argmax(ranks))
    eig, vec = np.linalg.eigh(H[i])
    sign = 1.0 if np.sum(eig < 0) >= n + 1 else -1.0  # s H_i has >= n + 1 negative eigenvalues
    V = vec[:, sign * eig < 0]
    c = np.linalg.svd(J @ V)[2][-1]  # dim V >= n + 1 > rank(J V): a null vector exists
    v = V @ c
    v /= np.linalg.norm(v)
    u = np.linalg.pinv(J) @ (sign * np.eye(n)[i])
    measured = [("rank H_F_i(w*)", float(ranks[i])), ("2n", float(2 * n)),
                ("rank J(w*)", float(np.linalg.matrix_rank(J))), ("||J v||", float(np.linalg.norm(J @ v))),
                ("s v^T H_F_i(w*) v", float(sign * v @ H[i] @ v))]
    ces, quad = [], []
    for t in ts:
        t = positive_finite("ts[j]", t)
        w = w_star + t * u
        q = float(v @ s.loss_hessian(w) @ v)
        quad.append(q)
        measured += [(f"t={t:g}: v^T H_L(w) v", q), (f"t={t:g}: v^T H_L(w) v / t", q / t),
                     (f"t={t:g}: lambda_min(H_L(w))", _lambda_min_loss_hessian(s, w))]
        ball = Ball(w_star, t * float(np.linalg.norm(u)))
        ces.append(counterexample(s, ball, locally_convex(), max_examples=max_examples, rng=gen))
    reproduced = (ranks[i] > 2 * n and np.linalg.matrix_rank(J) == n and all(q < 0 for q in quad)
                  and all(ce.found for ce in ces))
    return NegativeResult(
        name="t3_nonconvex_near_solutions", reference="T3, C10",
        statement=f"a random smooth system (n={n}, m={m}) with rank H_F_i(w*) > 2n and full-rank J(w*) has "
                  "lambda_min(H_L) < 0 at w* + t u for every t > 0 tried",
        reproduced=bool(reproduced), counterexamples=tuple(ces), measured=tuple(measured), seed=seed,
    )


def t6_underparameterized(*, n=3, m=2, mus=(1e-6, 1e-3, 1.0, 1e3), max_examples=50, rng=0):
    """T6: an under-parameterized linear system (m < n) is never uniformly conditioned nor PL*.

    Parameters
    ----------
    n, m : int
        m < n.
    mus : sequence of float
        The constants mu > 0 claimed, for both claims.
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        :func:`kernel_min_eig` and :func:`pl_star` counterexamples for every mu,
        on a ball containing the least-squares point w_ls (a stationary point with
        L > 0); ``measured`` has max lambda_min(K) over samples, rank K, and the
        PL* ratio and L at w_ls.

    References
    ----------
    docs/theory.md T6, C4.
    """
    n = positive_int("n", n)
    m = positive_int("m", m)
    if m >= n:
        raise InvalidArgument(f"m={m} must be < n={n} for an under-parameterized system")
    gen, seed = _seed_of(rng)
    A = gen.standard_normal((n, m))
    y = gen.standard_normal(n)
    s = linear(A, y)
    w_ls = np.linalg.lstsq(A, y, rcond=None)[0]
    offset = gen.standard_normal(m)
    ball = Ball(w_ls + 0.3 * offset / np.linalg.norm(offset), 1.0)
    ces = []
    for mu in mus:
        mu = positive_finite("mus[j]", mu)
        ces.append(counterexample(s, ball, kernel_min_eig(mu), max_examples=max_examples, rng=gen))
        ces.append(counterexample(s, ball, pl_star(mu), max_examples=max_examples, rng=gen))
    g = s.grad(w_ls)
    K = s.kernel(ball.sample(1000, rng=gen))
    measured = (("max over 1000 samples of lambda_min(K)", float(np.linalg.eigvalsh(K)[:, 0].max())),
                ("rank K", float(np.linalg.matrix_rank(K[0]))), ("m", float(m)),
                ("L(w_ls)", float(s.loss(w_ls))), ("PL* ratio at w_ls", float(0.5 * g @ g / s.loss(w_ls))))
    return NegativeResult(
        name="t6_underparameterized", reference="T6, C4",
        statement=f"F = A w with A of shape ({n}, {m}): lambda_min(K) = 0 everywhere and PL* fails for every mu > 0",
        reproduced=all(c.found for c in ces), counterexamples=tuple(ces), measured=measured, seed=seed,
    )


def gd_divergence(*, fraction=2.2, steps=10, max_examples=50, rng=0):
    """GD with eta = fraction / beta > 2 / beta diverges: the linear-rate claim 1 - eta mu is refuted.

    On F = A w with A (2 x 3) of singular values 1 and 3 (mu = 1, beta = 9), the
    residual's top component is multiplied by 1 - eta beta each step, |1 - eta beta| > 1.

    Parameters
    ----------
    fraction : float
        eta beta; above 2 for divergence.
    steps : int
        GD steps in the claim.
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        One :func:`linear_rate` counterexample; ``measured`` has beta, mu, eta beta,
        the claimed rate, (1 - eta beta)^2 and L(w_steps)/L(w_0) from the witness.

    References
    ----------
    docs/theory.md T9, T14, T15, C17.
    """
    fraction = positive_finite("fraction", fraction)
    gen, seed = _seed_of(rng)
    U = np.linalg.qr(gen.standard_normal((2, 2)))[0]
    V = np.linalg.qr(gen.standard_normal((3, 3)))[0]
    A = U @ np.diag([1.0, 3.0]) @ V[:2]
    w_star = gen.standard_normal(3)
    s = linear(A, A @ w_star)
    mu, beta = 1.0, 9.0
    eta = fraction / beta
    claim = linear_rate(eta, 1.0 - eta * mu, steps)
    ball = Ball(w_star + 0.5, 1.0)
    ce = counterexample(s, ball, claim, max_examples=max_examples, rng=gen)
    run = dynamics.gd(s, ce.point, eta=eta, steps=steps)
    measured = (("beta", beta), ("mu", mu), ("eta beta", fraction), ("claimed rate 1 - eta mu", claim.rate),
                ("(1 - eta beta)^2", (1 - fraction) ** 2),
                ("L(w_steps) / L(w_0) at the witness", float(run.losses[-1] / run.losses[0])))
    return NegativeResult(
        name="gd_divergence", reference="T14, T15, C17",
        statement=f"GD with eta = {fraction:g}/beta > 2/beta does not contract: L(w_t) <= (1 - eta mu)^t L(w_0) fails",
        reproduced=ce.found, counterexamples=(ce,), measured=measured, seed=seed,
    )


def ball_too_small(*, y=1.0, w0=(3.0, 1.0), R=0.05, steps=200, max_examples=50, rng=0):
    """A ball smaller than T14's radius 2 L_F ||F(w0) - y|| / mu: GD leaves it, and PL* fails outside.

    Parameters
    ----------
    y : float
        Target of F = w1 w2 (X1/X3).
    w0 : array_like, shape (2,)
        Center of the ball and GD start.
    R : float
        The (too small) radius.
    steps : int
        GD steps with T14's eta = 1 / (L_F^2 + beta_F ||F(w0) - y||).
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        A :func:`pl_star` counterexample with the small ball's mu on B(w0, R_T14),
        the ball T14 asks for; ``measured`` has mu, L_F, beta_F, R, R_T14, eta, the
        first GD step outside B(w0, R) and the farthest GD distance.

    References
    ----------
    docs/theory.md T14, X3, C13.
    """
    R = positive_finite("R", R)
    gen, seed = _seed_of(rng)
    s = product(y, w0=w0)
    small = Ball(s.w0, R)
    mu = estimate.kernel_min_eig(s, small, rng=gen).value
    L_F = estimate.lipschitz(s, small, rng=gen).value
    beta_F = estimate.hessian_norm(s, small, rng=gen).value
    r0 = float(np.linalg.norm(s.residual(s.w0)))
    R_needed = 2 * L_F * r0 / mu
    eta = 1.0 / (L_F ** 2 + beta_F * r0)
    run = dynamics.gd(s, eta=eta, steps=steps)
    outside = np.flatnonzero(run.distances > R)
    ce = counterexample(s, Ball(s.w0, R_needed), pl_star(mu), max_examples=max_examples, rng=gen)
    measured = (("mu on B(w0, R)", mu), ("L_F", L_F), ("beta_F", beta_F), ("||F(w0) - y||", r0), ("R", R),
                ("R_T14 = 2 L_F ||F(w0) - y|| / mu", R_needed), ("eta", eta),
                ("first GD step outside B(w0, R)", float(outside[0]) if outside.size else float("nan")),
                ("max GD distance from w0", float(run.distances.max())), ("final GD loss", float(run.losses[-1])))
    return NegativeResult(
        name="ball_too_small", reference="T14, C13",
        statement=f"R={R:g} < R_T14={R_needed:.3g}: GD with T14's step leaves B(w0, R), and the small ball's "
                  "mu-PL* fails on the larger ball it would need",
        reproduced=bool(R < R_needed and outside.size > 0 and ce.found), counterexamples=(ce,),
        measured=measured, seed=seed,
    )


def t13_nonlinear_output(*, widths=(64, 128, 256, 512, 1024), n=4, d=2, radius=0.5, max_examples=5, rng=0):
    """T13: a non-linear output keeps ||H_F|| = Theta(1) as the width m grows; a linear one decays.

    Two-layer tanh networks f = sigma_out(v^T tanh(U x / sqrt d) / sqrt m), with
    sigma_out = identity or tanh, on the same data. The transition-to-linearity
    claim ``||H_F|| <= C / sqrt(m)`` is taken with C twice the largest
    sqrt(m) ||H_F(w0)|| of the linear output over the widths.

    Parameters
    ----------
    widths : sequence of int
        Hidden widths m.
    n, d : int
        Data points and input dimension.
    radius : float
        Radius of the ball B(w0, radius) searched at the largest width.
    max_examples : int
        Hypothesis budget (no sampling stage: each point costs n Lanczos runs).
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        At the largest width, :func:`hessian_norm` (C / sqrt(m)) counterexamples for
        the tanh output (refuted) and for the linear output (not refuted);
        ``measured`` has ||H_F(w0)|| per output and width, and the log-log slope
        of ||H_F(w0)|| in m per output (about -1/2 for linear, about 0 for tanh).

    References
    ----------
    docs/theory.md T13, T19, C22, C23.
    """
    from .systems.network import network

    widths = tuple(positive_int("widths[j]", w) for w in widths)
    if len(widths) < 2:
        raise InvalidArgument(f"widths={_show(widths)} must list at least two widths, for a slope")
    gen, seed = _seed_of(rng)
    X = gen.standard_normal((n, d))
    y = gen.standard_normal(n)
    net_seed = int(gen.integers(2**31))
    nets = {out: [network(X, y, [w], activation="tanh", output=out, seed=net_seed) for w in widths]
            for out in (None, "tanh")}
    norms = {out: np.array([float(net.hessian_norm(net.w0)) for net in nets[out]]) for out in nets}
    C = 2.0 * float(np.max(np.sqrt(widths) * norms[None]))
    eps = C / np.sqrt(widths[-1])
    ces = tuple(counterexample(nets[out][-1], Ball(nets[out][-1].w0, radius), hessian_norm(eps),
                               max_examples=max_examples, samples=0, rng=gen) for out in ("tanh", None))
    measured = [("C (twice the linear output's max sqrt(m) ||H_F(w0)||)", C)]
    for out, label in ((None, "linear"), ("tanh", "tanh")):
        measured += [(f"{label} output, m={w}: ||H_F(w0)||", float(h)) for w, h in zip(widths, norms[out])]
        slope = float(np.polyfit(np.log(widths), np.log(norms[out]), 1)[0])
        measured.append((f"{label} output: log-log slope of ||H_F(w0)|| in m", slope))
    return NegativeResult(
        name="t13_nonlinear_output", reference="T13, T19, C22, C23",
        statement=f"with a tanh output ||H_F|| does not decay like 1/sqrt(m): ||H_F|| <= C/sqrt(m) fails at "
                  f"m={widths[-1]}, while the linear output satisfies it",
        reproduced=bool(ces[0].found and not ces[1].found), counterexamples=ces, measured=tuple(measured),
        seed=seed,
    )


def c15_convention(*, a=2.0, fraction=0.9, max_examples=50, rng=0):
    """C15: with the no-1/2 constant mu' = 2 mu, the GD rate 1 - eta mu' is refuted; 1 - eta mu holds.

    F = a w (m = n = 1): L = a^2 (w - w*)^2 / 2, beta = a^2, the 1/2-form constant
    mu = a^2 and mu' = 2 a^2. With eta = 0.9 / beta, L_1 = 0.01 L_0, but
    1 - eta mu' = -0.8 < 0, while 1 - eta mu = 0.1 >= 0.01.

    Parameters
    ----------
    a : float
        The slope, a != 0.
    fraction : float
        eta beta.
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        Two one-step :func:`linear_rate` searches: rate 1 - eta mu' (refuted) and
        rate 1 - eta mu (not refuted); ``measured`` has beta, mu (estimated),
        mu', both rates and L_1/L_0 at the witness.

    References
    ----------
    docs/theory.md D1, C15.
    """
    a = float(a)
    if not np.isfinite(a) or a == 0:
        raise InvalidArgument(f"a={a!r} must be a non-zero finite number")
    fraction = positive_finite("fraction", fraction)
    gen, seed = _seed_of(rng)
    s = linear([[a]], [0.0])
    ball = Ball([1.0], 0.5)  # w* = 0 is outside: L > 0 on the ball
    beta = a * a
    mu = estimate.pl_constant(s, ball, rng=gen).value
    eta = fraction / beta
    nohalf = counterexample(s, ball, linear_rate(eta, 1 - eta * 2 * mu, 1), max_examples=max_examples, rng=gen)
    half = counterexample(s, ball, linear_rate(eta, 1 - eta * mu, 1), max_examples=max_examples, rng=gen)
    run = dynamics.gd(s, nohalf.point, eta=eta, steps=1)
    measured = (("beta", beta), ("mu (1/2 form, estimated)", mu), ("mu' = 2 mu (no-1/2 form)", 2 * mu),
                ("1 - eta mu'", 1 - eta * 2 * mu), ("1 - eta mu", 1 - eta * mu),
                ("L_1 / L_0 at the witness", float(run.losses[1] / run.losses[0])))
    return NegativeResult(
        name="c15_convention", reference="C15, D1",
        statement="plugging the no-1/2 constant mu' = 2 mu into the rate 1 - eta mu' gives a false bound "
                  "(negative at eta = 0.9/beta); the 1/2-form rate 1 - eta mu holds",
        reproduced=bool(nohalf.found and not half.found), counterexamples=(nohalf, half), measured=measured,
        seed=seed,
    )


def relu_not_applicable(*, width=16, n=3, d=2, radius=0.5, max_examples=20, rng=0):
    """A ReLU network: Hessian-based claims are reported not applicable, first-order ones still run.

    plsym refuses Hessians of ReLU networks (InvalidArgument); :func:`counterexample`
    turns that into ``status="not applicable"`` for :func:`hessian_norm`,
    :func:`smoothness` and :func:`locally_convex`, while :func:`kernel_min_eig`
    (first derivatives only) is searched and, with mu = 2 lambda_min(K(w0)), refuted.

    Parameters
    ----------
    width, n, d : int
        Hidden width, data points, input dimension.
    radius : float
        Radius of the ball around the initialization.
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        Four counterexamples: the three Hessian claims, then the kernel claim.

    References
    ----------
    docs/theory.md D8 (twice-differentiable activations), T10, T14.
    """
    from .systems.network import network

    gen, seed = _seed_of(rng)
    X = gen.standard_normal((n, d))
    net = network(X, gen.standard_normal(n), [width], activation="relu", seed=int(gen.integers(2**31)))
    ball = Ball(net.w0, radius)
    lam0 = float(np.linalg.eigvalsh(net.kernel(net.w0))[0])
    claims = (hessian_norm(1.0), smoothness(1.0), locally_convex(), kernel_min_eig(2 * lam0))
    ces = tuple(counterexample(net, ball, c, max_examples=max_examples, rng=gen) for c in claims)
    return NegativeResult(
        name="relu_not_applicable", reference="D8, T10",
        statement="Hessian-based bounds do not apply to a ReLU network: the checker says so instead of failing",
        reproduced=bool(all(c.status == "not applicable" for c in ces[:3]) and ces[3].found),
        counterexamples=ces, measured=(("lambda_min(K(w0))", lam0),), seed=seed,
    )


def negative_results(*, rng=0):
    """All the negative results above, each from the seed ``rng``, in the paper's order.

    Parameters
    ----------
    rng : int, default 0
        The seed every case is run with.

    Returns
    -------
    tuple of NegativeResult

    References
    ----------
    docs/theory.md X1, T3, T6, T13, T14, C15.

    Examples
    --------
    >>> from plsym.search import negative_results
    >>> all(r.reproduced for r in negative_results())  # doctest: +SKIP
    True
    """
    cases = (x1_nonconvex_near_solutions, t3_nonconvex_near_solutions, t6_underparameterized, gd_divergence,
             ball_too_small, t13_nonlinear_output, c15_convention, relu_not_applicable)
    return tuple(case(rng=rng) for case in cases)
