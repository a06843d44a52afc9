"""Counterexample search: the paper's claims as values, refuted by sampling, search and Hypothesis.

A claim is a frozen value of :mod:`plsym.results`' vocabulary. A bound on one of
the paper's quantities over the whole ball is a
:class:`plsym.quantities.QuantityClaim` (``QuantityClaim("kernel_min_eig", mu)``;
:func:`pl_star`, :func:`kernel_min_eig`, :func:`hessian_norm`, :func:`lipschitz`
and :func:`smoothness` are short constructors of it); the search has two claims
of its own, :func:`linear_rate` and :func:`locally_convex`. :func:`violation`
gives a claim's margin at each point: > 0 where the claim fails, relative to the
claimed constant, so that margins of different claims compare (0.02 means "2%
beyond the constant").

:func:`counterexample` looks for the worst point of a ball in three stages:

1. sampling (:meth:`plsym.Ball.design`: the center, uniform points, a quarter on the sphere);
2. search: the :mod:`plsym.estimate` estimator of the claim's quantity, compass searches on the
   margin from the best samples of distinct regions, and for PL* points next to solutions;
3. Hypothesis: a ``@given`` search over :func:`plsym.strategies.points_in` and small moves around
   the best points, steered by ``hypothesis.target()``; the first violation is shrunk.

What a result means (method ``"searched"``, statuses of :data:`plsym.results.STATUSES`):
``"refuted"`` means that at ``x``, a point of the ball, the computed quantity
violates the claim by more than its rounding allowance (``RTOL`` relative, plus
the rounding of eigenvalues and losses where it matters): a counterexample in
floating point, not a certified one. ``"holds"`` is no proof of anything: no
counterexample within the stated budget.

The paper's negative results (X1, T3, T6, T13, C15, ...), reproduced with this
search as their evidence, are in :mod:`plsym.theorems.negative`.

References
----------
docs/theory.md §2 (D1, D3, D5), §5 (X1-X3), C10, C15, T3, T6, T13, T14.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from . import estimate
from . import progress as _progress
from ._deprecated import module_getattr, renamed_attribute
from ._linalg import abs_max_eig, min_eig, one_blas_thread
from .errors import InvalidArgument, _show, as_rng, positive_finite, positive_int
from .quantities import QuantityClaim, get as _quantity
from .results import RTOL, Claim, Verdict, summarized_repr  # Claim (and QuantityClaim above) stay importable from here
from .system import System, check_system_and_ball

__all__ = [
    "LinearRate", "LocallyConvex", "Counterexample",
    "pl_star", "kernel_min_eig", "hessian_norm", "lipschitz", "smoothness", "linear_rate", "locally_convex",
    "describe", "violation", "gauss_newton", "counterexample",
]


_EPS = np.finfo(np.float64).eps
# Points per batch when a claim is evaluated, so that (k, n, m) Jacobians stay small.
_BATCH_FLOATS = 2**22
# Dense loss Hessians (k, m, m) up to this m; Lanczos on loss_hvp above.
_DENSE_M = 400
# Compass search on the margin: up to this m (2m points per iteration), this many iterations.
_COMPASS_MAX_M = 64
_COMPASS_ITERS = 40
_COMPASS_STARTS = 3
# Seeds kept for Hypothesis's "near the best points" branch.
_SEEDS = 8


def _batched(system, W, fn):
    """fn on W (k, m) in memory-bounded chunks, concatenated to shape (k,)."""
    step = max(1, _BATCH_FLOATS // max(1, system.n * system.m))
    return np.concatenate([np.asarray(fn(W[i:i + step]), dtype=np.float64) for i in range(0, W.shape[0], step)])


# -- claims ---------------------------------------------------------------------------

def _quantity_margins(claim, system, W):
    """QuantityClaim margins from the registry's values, minus RTOL (and eigvalsh's error for lambda_min(K))."""
    v = _quantity(claim.quantity)(system).values(W)
    out = claim.margin(v) - RTOL
    if claim.quantity == "kernel_min_eig":
        # eigvalsh's absolute error is about n eps ||K||: below it, lambda_min is rounding, so it is
        # counted in the claim's favour (where the margin is near or above 0: elsewhere it cannot matter)
        near = out > -1e-6
        if near.any():
            top = _quantity("lipschitz")(system).values(W[near]) ** 2
            err = 8 * system.n * _EPS * np.maximum(np.abs(v[near]), top)
            out[near] = claim.margin(v[near] + err) - RTOL
    return out


def _needs_hessians(claim):
    if isinstance(claim, QuantityClaim):
        return _quantity(claim.quantity).derivatives == "hessians"
    return claim.needs_hessians


def describe(claim) -> str:
    """The inequality ``claim`` states, with its constant and paper ids."""
    if isinstance(claim, QuantityClaim):
        q = _quantity(claim.quantity)
        return f"{q.symbol} {'>=' if q.kind == 'inf' else '<='} {claim.value:.6g} on the ball ({q.reference})"
    return claim.description


def violation(claim, system, W):
    """The margin of ``claim`` at each point: > 0 where it fails, relative to the claimed constant.

    Parameters
    ----------
    claim : plsym.quantities.QuantityClaim, LinearRate or LocallyConvex
    system : plsym.System
    W : array_like, shape (m,) or (k, m)

    Returns
    -------
    float or ndarray, shape (k,)
        ``-inf`` where the claim says nothing (e.g. PL* at L = 0).

    Raises
    ------
    InvalidArgument
        For a bad claim, system or W, and when the claim needs Hessians that the
        system refuses (a ReLU network, for example).

    Notes
    -----
    A :class:`~plsym.quantities.QuantityClaim`'s margin is ``claim.margin(values) - RTOL`` with the
    registry's values; for lambda_min(K) its rounding error ``8 n eps ||K||`` is added to the value.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.search import kernel_min_eig, violation
    >>> from plsym.systems import linear
    >>> round(float(violation(kernel_min_eig(2.0), linear(np.eye(2), [0.0, 0.0]), [0.0, 0.0])), 6)  # lambda_min = 1
    0.5
    """
    _check_claim(claim)
    if not isinstance(system, System):
        raise InvalidArgument(f"system={_show(system)} must be a plsym.System")
    W, single = system._points(W, "W")
    if _needs_hessians(claim):
        system._require_smooth()
    out = _margins(claim, system, W)
    return out[0] if single else out


def _margins(claim, system, W):
    """Margins at a batch W (k, m), nan mapped to -inf (undefined is not a counterexample)."""
    raw = (lambda V: _quantity_margins(claim, system, V)) if isinstance(claim, QuantityClaim) else \
        (lambda V: claim._raw(system, V))
    with np.errstate(all="ignore"):
        out = _batched(system, W, raw)
    return np.where(np.isnan(out), -np.inf, out)


def _check_claim(claim):
    if not isinstance(claim, (QuantityClaim, LinearRate, LocallyConvex)):
        raise InvalidArgument(f"claim={_show(claim)} must be a claim: a plsym.quantities.QuantityClaim (pl_star, "
                              "kernel_min_eig, ...), linear_rate or locally_convex")


class _SearchClaim(Claim):
    """A claim of the search's own (not a bound on one quantity): a margin computed by ``_raw``."""

    kind = ""
    needs_hessians = False

    def violation(self, system, W):
        """The margin at each point (:func:`violation`)."""
        return violation(self, system, W)

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``kind``, the constants, ``description``."""
        return {"kind": self.kind, **dataclasses.asdict(self), "description": self.description}


@dataclasses.dataclass(frozen=True)
class LinearRate(_SearchClaim):
    """GD with step ``eta`` from any start keeps L(w_t) <= rate^t L(w_0) for t <= ``steps`` (T14); see :func:`linear_rate`."""

    eta: float = dataclasses.field(metadata={"doc": "the GD step eta"})
    rate: float = dataclasses.field(metadata={"doc": "the claimed factor per step, e.g. 1 - eta mu"})
    steps: int = dataclasses.field(metadata={"doc": "GD steps checked"})
    kind = "linear_rate"

    @property
    def description(self):
        return (f"linear rate (T14): GD with eta={self.eta:.6g} from w0 keeps L(w_t) <= rate^t L(w_0) "
                f"for t <= {self.steps}, rate={self.rate:.6g}")

    def _raw(self, system, W):
        y = system.y
        F = system._F(W)
        r = F - y
        L0 = 0.5 * np.sum(r * r, axis=1)
        # Rounding of a computed residual, about 64 eps max(1, |y|, |F(w0)|) (as in plsym.dynamics), growing
        # with the steps; L = |r|^2 / 2 then carries an error of about |r| dr. A search maximizing the margin
        # would otherwise pick starts next to a solution, where L_t / L_0 is mostly rounding.
        dr = 64 * _EPS * np.maximum(max(1.0, float(np.linalg.norm(y))), np.linalg.norm(F, axis=1))
        err0 = dr * (np.sqrt(2 * L0) + dr)
        worst = np.full(W.shape[0], -np.inf)
        w = W.copy()
        for t in range(1, self.steps + 1):
            w = w - self.eta * system._vjp(w, r)
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
class LocallyConvex(_SearchClaim):
    """L is convex on the ball, lambda_min(H_L(w)) >= 0 (T1, T3, C10); see :func:`locally_convex`."""

    kind = "locally_convex"
    needs_hessians = True

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
        out = np.empty(W.shape[0])
        for k, w in enumerate(W):  # a Krylov solve per point: the Hessian is never formed
            def matvec(v, w=w):
                return system.loss_hvp(w, np.ravel(v))
            low, top = min_eig(matvec, system.m), abs_max_eig(matvec, system.m)
            out[k] = -low / max(top, np.finfo(float).tiny)
        return out - RTOL


def _quantity_claim(quantity, symbol, value):
    return QuantityClaim(quantity, positive_finite(symbol, value))


def pl_star(mu):
    """The claim that L is mu-PL* on the ball: ``QuantityClaim("pl_constant", mu)``.

    Parameters
    ----------
    mu : float
        The PL* constant mu > 0 (D1, 1/2 form: 1/2 ||grad L(w)||^2 >= mu L(w) where
        L(w) > 0; the no-1/2 constant is mu' = 2 mu).

    Returns
    -------
    plsym.quantities.QuantityClaim
        Its margin is ``1 - (1/2 ||grad L||^2 / L) / mu - RTOL``; ``-inf`` where L = 0.

    Raises
    ------
    InvalidArgument
        If mu is not a positive finite number (as for every constructor below).

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
    (False, 'holds')
    """
    return _quantity_claim("pl_constant", "mu", mu)


def kernel_min_eig(mu):
    """The claim lambda_min(K(w)) >= mu on the ball (mu-uniform conditioning, D3): ``QuantityClaim("kernel_min_eig", mu)``.

    Its margin is ``1 - (lambda_min(K(w)) + 8 n eps ||K||) / mu - RTOL`` (the
    eigenvalue's rounding error counted in the claim's favour). See :func:`pl_star`
    for the errors; docs/theory.md D2, D3, T4, T6.
    """
    return _quantity_claim("kernel_min_eig", "mu", mu)


def hessian_norm(eps):
    """The claim ||H_F(w)|| = max_i ||H_{F_i}(w)||_2 <= eps on the ball (T10): ``QuantityClaim("hessian_norm", eps)``.

    Its margin is ``||H_F(w)|| / eps - 1 - RTOL``. Needs Hessians: on a system that
    refuses them, :func:`counterexample` reports "not applicable". docs/theory.md
    §1 (the norm), T10, T13, T19.

    Examples
    --------
    >>> from plsym.search import hessian_norm, violation
    >>> from plsym.systems import product
    >>> float(violation(hessian_norm(1.0), product(1.0), [3.0, 1.0])) < 0  # ||H_F|| = 1 exactly
    True
    """
    return _quantity_claim("hessian_norm", "eps", eps)


def lipschitz(L):
    """The claim ||DF(w)||_2 <= L_F on the ball (D5): ``QuantityClaim("lipschitz", L)``.

    Its margin is ``||DF(w)||_2 / L - 1 - RTOL``. docs/theory.md D5, T14.

    Examples
    --------
    >>> from plsym.search import lipschitz, violation
    >>> from plsym.systems import product
    >>> round(float(violation(lipschitz(2.0), product(1.0), [3.0, 4.0])), 6)  # ||DF|| = 5
    1.5
    """
    return _quantity_claim("lipschitz", "L", L)


def smoothness(beta):
    """The claim ||H_L(w)||_2 <= beta on the ball (D5, C8): ``QuantityClaim("smoothness", beta)``.

    Its margin is ``||H_L(w)||_2 / beta - 1 - RTOL``; needs Hessians. docs/theory.md D5, C8, T15.
    """
    return _quantity_claim("smoothness", "beta", beta)


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
    LinearRate
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
    return LinearRate(eta, float(rate), positive_int("steps", steps))


def locally_convex():
    """The claim: L is convex on the ball, lambda_min(H_L(w)) >= 0.

    Returns
    -------
    LocallyConvex
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
    return LocallyConvex()


# -- the search -----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, repr=False)
class Counterexample:
    """The outcome of a counterexample search for one claim on one ball.

    Attributes
    ----------
    claim : QuantityClaim, LinearRate or LocallyConvex
    found : bool
        True when a point of the ball violates the claim (margin > 0): the claim is refuted.
    status : {"refuted", "holds", "not applicable"}
        As in :data:`plsym.results.STATUSES`: "holds" at every point tried (no proof); "not
        applicable" when the claim needs what the system refuses (nothing was searched then).
    x : tuple of float or None
        The worst point found (largest margin), or None when not applicable.
    violation : float
        The margin at ``x`` (> 0 iff ``found``); nan when not applicable.
    shrunk, shrunk_violation : tuple of float or None, float
        The violating example Hypothesis shrank towards the center, and its margin (None, nan).
    examples_tried : int
        Examples the Hypothesis stage ran (generation, targeting and shrinking).
    nfev : int
        Points at which the claim or the seeding estimator was evaluated, in all.
    max_examples : int
        The Hypothesis budget asked for.
    seed : int or None
        The seed that reproduces the search (None when a Generator was passed).
    method : str
        ``"searched"``: held or failed at the points tried.
    detail : str
        One sentence: what was found, or the budget within which nothing was.
    """

    claim: Claim
    found: bool
    status: str
    x: tuple | None
    violation: float
    shrunk: tuple | None
    shrunk_violation: float
    examples_tried: int
    nfev: int
    max_examples: int
    seed: int | None
    method: str
    detail: str

    witness = renamed_attribute("witness", "x")
    message = renamed_attribute("message", "detail")
    evaluations = renamed_attribute("evaluations", "nfev")

    @property
    def point(self):
        """``x`` as an array (None when not applicable)."""
        return None if self.x is None else np.array(self.x)

    def verdict(self) -> Verdict:
        """The search as a :class:`plsym.results.Verdict` (claimed constant and relation for a QuantityClaim)."""
        quantity = isinstance(self.claim, QuantityClaim)
        return Verdict(describe(self.claim), self.status, self.method, self.claim.value if quantity else None, None,
                       self.claim.relation if quantity else None, self.detail, self.x)

    __repr__ = summarized_repr

    def to_dict(self) -> dict:
        """A JSON-ready dict (the claim as its own dict, points as lists)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["claim"] = self.claim.to_dict()
        for key in ("x", "shrunk"):
            d[key] = None if d[key] is None else list(d[key])
        return d


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


def gauss_newton(system, W, *, ball=None, maxiter=30, tol=0.0):
    """Gauss-Newton with minimum-norm steps w <- w - DF(w)^+ (F(w) - y) from each row of W.

    Parameters
    ----------
    system : plsym.System
    W : array_like, shape (m,) or (k, m)
        Starting points.
    ball : plsym.Ball, optional
        When given, every iterate is projected into it.
    maxiter : int, default 30
    tol : float, default 0
        Stop once every residual is at most ``tol * max(1, ||y||)`` (0: run all ``maxiter`` steps).

    Returns
    -------
    ndarray, shape (k, m)
        The last iterates (a non-finite step leaves its point where it was).
    """
    W = np.array(W, dtype=np.float64).reshape(-1, system.m)
    bound = tol * max(1.0, float(np.linalg.norm(system.y)))
    with np.errstate(all="ignore"):
        for _ in range(maxiter):
            r = system._F(W) - system.y
            if tol and np.all(np.linalg.norm(r, axis=1) <= bound):
                break
            step = np.einsum("kij,kj->ki", np.linalg.pinv(system._jacobian(W)), r)
            W = np.where(np.isfinite(step), W - step, W)
            if ball is not None:
                W = ball.project(W)
    return W


def _near_solutions(system, ball, starts):
    """Points next to solutions in the ball, along J^+ v_min: where the PL* ratio nears lambda_min(K).

    1/2 ||grad L||^2 / L = r^T K r / r^T r is the Rayleigh quotient of K at the
    residual r. Next to a solution w* (r = 0) the residual of w* + t u is t J u +
    O(t^2), so with J u = v_min (the bottom eigenvector of K(w*)) the ratio tends
    to lambda_min(K(w*)) as t -> 0: a thin wedge that sampling rarely hits.
    """
    W = gauss_newton(system, starts, ball=ball)
    with np.errstate(all="ignore"):
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


@_progress.with_progress
@one_blas_thread()  # the search's path does not depend on the machine's thread count
def counterexample(system, ball, claim, *, max_examples=200, samples=128, rng=0, **options):
    """Search the ball for a point where ``claim`` fails; report the worst and the shrunk one.

    Parameters
    ----------
    system : plsym.System
        The system F with targets y.
    ball : plsym.Ball
        The ball B(w0, R) the claim is about; its dimension must be the system's m.
    claim : plsym.quantities.QuantityClaim, LinearRate or LocallyConvex
        E.g. ``QuantityClaim("kernel_min_eig", mu)`` (or :func:`kernel_min_eig`),
        :func:`linear_rate`, :func:`locally_convex`.
    max_examples : int, default 200
        Budget of the Hypothesis stage (examples generated; shrinking comes on top).
    samples : int, default 128
        Points sampled before Hypothesis (:meth:`plsym.Ball.design`), also the
        estimator's sampling budget; 0 skips sampling and the estimator search
        (for systems whose every evaluation is expensive, like wide networks'
        Hessian norms).
    rng : int or numpy.random.Generator, default 0
        Seed of the whole search; the same seed gives the same result.

    Returns
    -------
    Counterexample

    Raises
    ------
    InvalidArgument
        For a bad system, ball, claim, budget or an unknown option. A claim
        needing Hessians that the system refuses is not an error: the result
        says "not applicable".

    Notes
    -----
    Seeding: the sampled points; the estimator of the claim's quantity
    (``plsym.estimate.pl_constant`` for ``pl_constant``, ``kernel_min_eig``,
    ``hessian_norm``, ``lipschitz``, ``smoothness``; ``samples`` samples, 2
    starts, 50 iterations), whose ``x`` is the worst point for the claim;
    compass searches on the margin (m <= 64) from the best samples at least R/4
    apart, which reach basins the estimator's clustered starts miss; for the
    PL* constant, points next to solutions found by :func:`gauss_newton` from the
    lowest-loss samples, along J^+ v_min. Then a Hypothesis ``@given`` search
    over ``points_in(ball)`` mixed with 5%-moves around the 8 best points so
    far, calling ``hypothesis.target()`` on the margin, with ``database=None``
    and the seed derived from ``rng``. A found claim is refuted in floating
    point (see the module docstring); a claim not found false only "holds"
    within the budget stated in ``message``.

    References
    ----------
    docs/theory.md §2, §5, §6.

    Examples
    --------
    >>> import plsym
    >>> from plsym.quantities import QuantityClaim
    >>> from plsym.search import counterexample
    >>> from plsym.systems import product
    >>> ball = plsym.Ball([3.0, 1.0], 0.5)        # inf lambda_min(K) = (sqrt(10) - 0.5)^2 = 7.0877
    >>> ce = counterexample(product(2.9), ball, QuantityClaim("kernel_min_eig", 7.2), max_examples=50)
    >>> ce.status, round(ce.violation, 4)
    ('refuted', 0.0156)
    """
    if options:
        raise InvalidArgument(f"counterexample got unknown option(s) {', '.join(sorted(options))}; "
                              "its options are max_examples, samples, rng, progress")
    check_system_and_ball(system, ball)
    _check_claim(claim)
    max_examples = positive_int("max_examples", max_examples)
    samples = positive_int("samples", samples, minimum=0)
    gen, seed = as_rng(rng)
    hypothesis_seed = int(gen.integers(2**63))
    is_quantity = isinstance(claim, QuantityClaim)
    text = describe(claim)

    if _needs_hessians(claim):
        try:  # hvp is the cheapest Hessian evaluation (matrix-free for networks)
            system.hvp(ball.center, np.ones(system.m))
        except InvalidArgument as exc:
            return Counterexample(
                claim=claim, found=False, status="not applicable", x=None, violation=float("nan"),
                shrunk=None, shrunk_violation=float("nan"), examples_tried=0, nfev=0,
                max_examples=max_examples, seed=seed, method="searched",
                detail=f"not applicable: {claim.quantity if is_quantity else claim.kind} needs Hessians, and {exc}",
            )

    track = _Tracker()

    def margins(W):
        vals = _margins(claim, system, W)
        track.add(W, vals)
        return vals

    # 1-2. Sampling, then the estimator's search (or a compass search on the margin).
    if samples:
        margins(ball.design(max(2, samples), rng=gen))
        # The estimator's starts are its worst samples, often all in one basin; compass
        # searches from the best samples of distinct regions cover the other basins.
        starts = track.diverse(_COMPASS_STARTS, 0.25 * ball.radius)
        estimator = getattr(estimate, claim.quantity, None) if is_quantity else None
        if estimator is not None:
            try:
                est = estimator(system, ball, samples=max(2, samples), maxiter=50, starts=2, rng=gen)
            except InvalidArgument:  # e.g. pl_constant where L = 0 at every sample: nothing to seed
                est = None
            if est is not None:
                track.evaluations += est.nfev
                margins(ball.project(est.x)[None, :])
        starts = [(w, f, 0.25 * ball.radius) for w, f in starts]
        if is_quantity and claim.quantity == "pl_constant":
            low = track.diverse(_COMPASS_STARTS, 0.25 * ball.radius, key=lambda W: -system.loss(W))
            P = _near_solutions(system, ball, np.array([w for w, _ in low]))
            vals = margins(P)
            j = int(np.argmax(vals))
            starts.append((P[j], float(vals[j]), 0.01 * ball.radius))
        if ball.m <= _COMPASS_MAX_M:
            for w, f, step in starts:
                if np.isfinite(f):
                    _compass(margins, ball, w, f, step=step, iters=_COMPASS_ITERS)
    else:
        margins(ball.center[None, :])

    # 3. Hypothesis, steered by the margin, shrinking the first violation.
    seeds, _ = track.best(_SEEDS)
    from . import _steered  # Hypothesis is imported where a search runs, not with plsym

    tried, shrunk = _steered.run(_steered.in_ball_or_near(ball, seeds), margins, max_examples, hypothesis_seed)
    (best_w,), (best_v,) = track.best(1)
    if best_v > 0 and shrunk is None:
        # Seeding found a violation that Hypothesis's draws missed: let it shrink
        # from x (its first, simplest example is x itself).
        more, shrunk = _steered.run(_steered.near(ball, [best_w]), margins, 10, hypothesis_seed)
        tried += more
    shrunk_w, shrunk_v = (None, float("nan")) if shrunk is None else shrunk

    found = best_v > 0
    if found:
        message = (f"refuted: margin {best_v:.4g} > 0 at x ({text}); "
                   f"{track.evaluations} points evaluated, {tried} of them Hypothesis examples")
    else:
        message = (f"holds at the points tried: no counterexample within {tried} Hypothesis examples "
                   f"(max_examples={max_examples}) and {track.evaluations} point evaluations in all; worst margin "
                   f"{best_v:.4g}; this is not a proof")
    return Counterexample(
        claim=claim, found=bool(found), status="refuted" if found else "holds",
        x=tuple(float(x) for x in best_w), violation=float(best_v), shrunk=shrunk_w,
        shrunk_violation=shrunk_v, examples_tried=int(tried), nfev=int(track.evaluations),
        max_examples=max_examples, seed=seed, method="searched", detail=message,
    )


# -- old names: the paper's negative results moved to plsym.theorems.negative ----------

_MOVED = ("NegativeResult", "x1_nonconvex_near_solutions", "t3_nonconvex_near_solutions", "t6_underparameterized",
          "gd_divergence", "ball_too_small", "t13_nonlinear_output", "c15_convention", "relu_not_applicable",
          "negative_results")


def _moved(name):
    def get():
        from .theorems import negative

        return getattr(negative, name)
    return f"plsym.theorems.negative.{name}", get


__getattr__ = module_getattr(__name__, {name: _moved(name) for name in _MOVED})
