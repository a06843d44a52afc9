"""Worst-case constants of a system on a ball, by sampling and then by search.

One function per quantity of :mod:`plsym.quantities` (``kernel_min_eig``,
``pl_constant``, ``hessian_norm``, ``lipschitz``, ``smoothness``,
``residual_norm``: the table there gives each quantity, its kind and its
paper id), each returning an :class:`Estimate` of the infimum or supremum of
the quantity over the closed ball B(w0, R).

What an estimate means: the value is attained at ``x``, a point of the
ball, so an estimated infimum is an upper bound of the true one (``relation =
"upper"``) and an estimated supremum a lower bound (``relation = "lower"``). Only
:mod:`plsym.certify` proves bounds the other way.

Two stages. Sampling evaluates the quantity on points uniform in the ball and on
its sphere, in batches. Search then runs local optimizations kept inside the ball,
started from the worst samples: SLSQP with the ball as a constraint (projected
gradient for large m), with exact gradients where the quantity has one
(eigenvector gradients through Hessian-vector products for lambda_min(K) and
||DF||, H_L grad L for the PL ratio) and batched central differences otherwise,
then a derivative-free compass search, which also copes with the kinks where
eigenvalues cross. The searched value is never worse than the sampled one.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import warnings

import numpy as np
import scipy.optimize
import scipy.sparse.linalg

from . import progress as _progress
from ._linalg import one_blas_thread
from ._memory import require_fits
from ._deprecated import renamed_attribute
from .ball import Ball
from .errors import InvalidArgument, _show, as_rng, positive_int
from ._options import checked_options
from .quantities import QUANTITIES, Quantity
from .results import summarized_repr
from .system import System, check_system_and_ball

__all__ = ["Estimate", *QUANTITIES]

# Above this many parameters, local search uses projected gradient rather than SLSQP
# (a dense QP in m), and finite-difference gradients use a random subspace.
_DENSE_SEARCH_MAX_M = 200
_FD_SUBSPACE = 16
# Compass rounds after gradient search when m is large and the gradient exact (random directions).
_COMPASS_LARGE_M = 20
# Points per batch, so that batched Jacobians (k, n, m) stay within memory.
_BATCH_FLOATS = 2**20
# Sampled points are drawn and evaluated in chunks of this many floats (rows x m), and only the
# best _POOL of them (at least 16 per local search) are kept for choosing the starts.
_SAMPLE_FLOATS = 2**21
_POOL = 256
# A quantity with a screen (a cheaper lower or upper bound, see Quantity.screen) ranks the samples by it,
# and the best _FULL_PER_START per local search are then evaluated in full: the starts come from them.
# Where there are fewer than four times as many samples, every sample is evaluated in full at once.
_FULL_PER_START = 4
# Angles tried per (neuron, data row) when moving single neurons (network hessian_norm search).
_NEURON_ANGLES = 16


@dataclasses.dataclass(frozen=True, repr=False)
class Estimate:
    """An estimated infimum or supremum over a ball, with how it was obtained.

    Attributes
    ----------
    quantity : str
        Which constant (``"kernel_min_eig"``, ``"pl_constant"``, ...; see :mod:`plsym.quantities`).
    value : float
        The estimate: the quantity at ``x``.
    x : tuple of float
        A point of the ball attaining ``value`` (exactly inside the closed ball).
    method : {"sampled", "searched"}
    relation : {"upper", "lower"}
        What ``value`` is to the true extremum: ``"upper"`` for an infimum (the
        true infimum is <= value), ``"lower"`` for a supremum (the true supremum is
        >= value).
    nfev : int
        Points at which the quantity (or its gradient) was evaluated.
    seed : int or None
        The seed that reproduces it (None when a Generator was passed).
    sampled_value : float
        The best value from sampling alone, before search.
    samples : int
        Number of sampled points.
    derivatives : str
        ``"exact"`` or ``"finite-difference"``: how the system's derivatives were computed.
    """

    quantity: str
    value: float
    x: tuple
    method: str
    relation: str
    nfev: int
    seed: int | None
    sampled_value: float
    samples: int
    derivatives: str

    witness = renamed_attribute("witness", "x")
    bound = renamed_attribute("bound", "relation")
    evaluations = renamed_attribute("evaluations", "nfev")

    @property
    def point(self) -> np.ndarray:
        """The point ``x`` as an array."""
        return np.array(self.x)

    __repr__ = summarized_repr

    def to_dict(self) -> dict:
        """A JSON-ready dict (``x`` as a list)."""
        d = dataclasses.asdict(self)
        d["x"] = list(self.x)
        return d


# -- the engine ----------------------------------------------------------------------

class _Counted:
    """Count point evaluations, in batches bounded for memory."""

    def __init__(self, quantity: Quantity):
        self.q = quantity
        s = quantity.system
        self.batch = max(1, _BATCH_FLOATS // max(1, s._floats_per_point()))
        self.evaluations = 0

    def values(self, W):
        return self._batched(W, self.q.values)

    def ranked(self, W):
        """(values that rank the points, exact): the quantity's screen (see ``Quantity.screen``) where
        it has one, counted as evaluations like values; ``exact`` is False if any batch was screened."""
        screened = []

        def rank(V):
            v = self.q.screen(V)
            screened.append(v is not None)
            return self.q.values(V) if v is None else v

        return self._batched(W, rank), not any(screened)

    def _batched(self, W, fn):
        """``fn`` over W in memory-bounded batches, its rows counted as evaluations."""
        self.evaluations += W.shape[0]
        _progress.tick("estimate " + self.q.name, self.evaluations)
        return np.concatenate([fn(W[i:i + self.batch]) for i in range(0, W.shape[0], self.batch)])

    def value_and_grad(self, W):
        got = self.q.value_and_grad(W)
        if got is not None:
            self.evaluations += W.shape[0]
        return got


@one_blas_thread()  # the value, witness and nfev do not depend on the machine's thread count
def _estimate(quantity: Quantity, ball: Ball, *, samples, search, rng, maxiter, starts):
    system = quantity.system
    check_system_and_ball(system, ball)
    samples = positive_int("samples", samples, minimum=2)
    maxiter = positive_int("maxiter", maxiter, minimum=0)
    starts = positive_int("starts", starts)
    if not isinstance(search, (bool, np.bool_)):
        raise InvalidArgument(f"search={_show(search)} must be True or False")
    gen, seed = as_rng(rng)
    # one point at a time must fit: its Jacobian-sized (n x m) intermediates, several at once
    require_fits("system", f"<{system.n} outputs, {system.m} parameters>", 8.0 * system._floats_per_point(),
                 f"{quantity.name} at one point")
    counted = _Counted(quantity)
    sign = 1.0 if quantity.kind == "inf" else -1.0  # minimize sign * quantity

    P, obj, order = _sample(counted, ball, samples, gen, sign, keep=max(_POOL, 16 * starts),
                            full=_FULL_PER_START * starts)
    if not np.isfinite(obj).any():
        raise InvalidArgument(
            f"{quantity.name} is undefined at every sampled point of the ball (for pl_constant: L = 0 there)"
        )
    best_w, best_obj = P[order[0]], obj[order[0]]
    sampled_value = sign * best_obj

    if search:
        scale = max(abs(best_obj), 1e-300)
        # large m with an exact gradient: the random-direction compass polishes only the best point
        # found by all the gradient searches, not each start (its moves change the value by tiny amounts)
        polish_once = ball.m > _DENSE_SEARCH_MAX_M and quantity.has_gradient()
        for idx in _spread_starts(P, obj, order, starts, 0.1 * ball.radius):
            w, o = _local_search(counted, sign, ball, P[idx], scale, maxiter, gen, budget=samples,
                                 compass=not polish_once)
            if w is not None and o < best_obj:
                best_w, best_obj = w, o
        if quantity.name == "hessian_norm" and hasattr(system, "_neuron_blocks"):
            w, o = _neuron_search(counted, sign, ball, scale, gen, starts=starts, maxiter=maxiter, budget=samples)
            if w is not None and o < best_obj:
                best_w, best_obj = w, o
        if polish_once:
            w, o = _polish(counted, sign, ball, best_w, scale, maxiter, gen, budget=samples)
            if w is not None and o < best_obj:
                best_w, best_obj = w, o
    value = float(sign * best_obj)
    return Estimate(
        quantity=quantity.name, value=value, x=tuple(np.asarray(best_w, dtype=float).tolist()),
        method="searched" if search else "sampled", relation="upper" if quantity.kind == "inf" else "lower",
        nfev=int(counted.evaluations), seed=seed, sampled_value=float(sampled_value), samples=int(samples),
        derivatives=_derivatives(system, quantity),
    )


def _sample(counted, ball, samples, gen, sign, *, keep, full=None):
    """(points, sign * values, order) of the center, ``samples - samples // 4`` points uniform in the
    ball and ``samples // 4`` on its sphere (values +inf where undefined); ``order`` indexes them by
    value, ties in drawing order.

    Points are drawn and evaluated in chunks of about ``_SAMPLE_FLOATS`` floats, so memory is
    O(chunk x m) for any ``samples``; when they fit in one chunk all are returned, else only
    the ``keep`` best, which is all that choosing starts needs. With ``full`` and at least
    4 ``full`` samples, a quantity with a screen (see ``Quantity.screen``) ranks the points by
    it, and the ``full`` best are then evaluated in full (``full`` more evaluations): those
    values rank first, as a screen errs on the side that ranks a point lower.
    """
    rows = max(1, _SAMPLE_FLOATS // ball.m)
    # A witness must lie inside the ball as computed: points that rounding left a hair outside
    # (sphere samples, |center| >> R) are evaluated but never chosen. The center always qualifies.
    # The test runs with the draws, in the helper thread.
    chunks = ((C, ball._strictly_contains(C)) for C in ball.design(samples, rng=gen, rows=rows))
    P, obj, pool, exact = None, None, None, True
    screen = full is not None and samples + 1 >= 4 * full  # else the full evaluations would not pay
    for C, inside in _prefetched(chunks):
        vals, ok = counted.ranked(C) if screen else (counted.values(C), True)
        exact &= ok
        o = np.where(np.isnan(vals) | ~inside, np.inf, sign * vals)
        if P is None:
            P, obj = C, o
            continue
        if pool is None:
            pool = _Pool(min(keep, samples + 1), ball.m)
            pool.add(P, obj)
        pool.add(C, o)
    P, obj, drawn = (P, obj, np.arange(len(obj))) if pool is None else pool.best()
    if not exact:  # the best by the screen, evaluated in full
        top = np.lexsort((drawn, obj))[:full]
        top = top[np.isfinite(obj[top])]
        if top.size:
            vals = counted.values(P[top])
            obj[top] = np.where(np.isnan(vals), np.inf, sign * vals)
    return P, obj, np.lexsort((drawn, obj))


class _Pool:
    """The best rows of the chunks added, by value with ties in drawing order, held in fixed slots:
    a chunk copies in only its rows that enter."""

    def __init__(self, keep, m):
        self.P, self.obj, self.drawn = np.empty((keep, m)), np.empty(keep), np.empty(keep, dtype=np.int64)
        self.size = self.count = 0

    def add(self, C, o):
        drawn = self.count + np.arange(len(o))
        self.count += len(o)
        held = self.size
        best = np.lexsort((np.concatenate([self.drawn[:held], drawn]),
                           np.concatenate([self.obj[:held], o])))[:len(self.obj)]
        new = best[best >= held] - held
        stays = np.zeros(held, bool)
        stays[best[best < held]] = True
        # the slots of the rows that left, then the empty ones
        slots = np.concatenate([np.flatnonzero(~stays), np.arange(held, len(self.obj))])[:len(new)]
        self.P[slots], self.obj[slots], self.drawn[slots] = C[new], o[new], drawn[new]
        self.size = len(best)

    def best(self):
        """(points, values, drawing indices) held."""
        return self.P[:self.size], self.obj[:self.size], self.drawn[:self.size]


def _prefetched(chunks):
    """The items of the iterator ``chunks``, each drawn in a helper thread while the caller evaluates the
    previous one: the draws (random numbers, scaling, the inside test) overlap the evaluations, in the
    same order, so the points are those of a plain loop. numpy releases the GIL in both."""
    end = object()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="plsym-draws") as pool:
        pending = pool.submit(next, chunks, end)
        while True:
            item = pending.result()
            if item is end:
                return
            pending = pool.submit(next, chunks, end)
            yield item


def _spread_starts(P, obj, order, starts, separation):
    """Indices of the best samples that are at least ``separation`` apart (several basins rather than
    one), filled up with the next best when there are too few such."""
    chosen = []
    for idx in order:
        if not np.isfinite(obj[idx]) or len(chosen) == starts:
            break
        if all(np.linalg.norm(P[idx] - P[j]) >= separation for j in chosen):
            chosen.append(idx)
    for idx in order:
        if len(chosen) == starts or not np.isfinite(obj[idx]):
            break
        if idx not in chosen:
            chosen.append(idx)
    return chosen


def _derivatives(system, quantity):
    """How the system computes what ``quantity`` needs (its Jacobian or its Hessians): exact or finite-difference."""
    return system.derivatives.get(quantity.derivatives, "exact")


def _directions(gen, m):
    """_FD_SUBSPACE random unit directions in R^m (nearly orthogonal when m is large)."""
    D = gen.standard_normal((_FD_SUBSPACE, m))
    return D / np.linalg.norm(D, axis=1, keepdims=True)


class _OutOfBudget(Exception):
    """Raised inside a local search when its evaluation budget is spent."""


class _Tracker:
    """phi and its gradient for one local search: counts, remembers the best point, enforces the budget."""

    def __init__(self, counted, sign, ball, scale, gen, budget):
        self.counted, self.sign, self.ball, self.scale, self.gen = counted, sign, ball, scale, gen
        self.limit = counted.evaluations + budget
        self.best_w, self.best_f = None, np.inf

    def _spend(self):
        if self.counted.evaluations > self.limit:
            raise _OutOfBudget

    def batch(self, W):
        self._spend()
        v = self.counted.values(W)
        f = np.where(np.isnan(v), np.inf, self.sign * v / self.scale)
        j = int(np.argmin(f))
        if f[j] < self.best_f and self.ball._strictly_contains(W[j]):
            self.best_w, self.best_f = W[j].copy(), float(f[j])
        return f

    def __call__(self, w):
        return float(self.batch(w[None, :])[0])

    def grad(self, w):
        self._spend()
        got = self.counted.value_and_grad(w[None, :])
        if got is not None:
            return self.sign * got[1][0] / self.scale
        m = self.ball.m
        h = 1e-6 * max(1.0, float(np.linalg.norm(w)) / np.sqrt(m))
        if m <= _DENSE_SEARCH_MAX_M:
            E = np.eye(m)
        else:  # central differences in a random subspace: a descent direction, not the full gradient
            E = _directions(self.gen, m)
        vals = self.batch(np.vstack([w + h * E, w - h * E]))
        d = (vals[: len(E)] - vals[len(E):]) / (2 * h)
        d = np.where(np.isfinite(d), d, 0.0)
        return E.T @ d


def _local_search(counted, sign, ball, w0, scale, maxiter, gen, *, budget, compass=True):
    """Minimize sign * quantity from w0 inside the ball within ``budget`` evaluations (gradient search,
    then compass search unless ``compass`` is False); return (best point, sign * value), or (None, inf)
    when no point tried lay inside the ball."""
    phi = _Tracker(counted, sign, ball, scale, gen, budget)
    c, R = ball.center, ball.radius
    try:
        phi(w0)
        if maxiter > 0:
            w = w0.copy()
            if ball.m <= _DENSE_SEARCH_MAX_M:
                cons = {"type": "ineq", "fun": lambda x: (R * R - np.sum((x - c) ** 2)) / (R * R),
                        "jac": lambda x: -2.0 * (x - c) / (R * R)}
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = scipy.optimize.minimize(phi, w, jac=phi.grad, method="SLSQP", constraints=[cons],
                                                  options={"maxiter": maxiter, "ftol": 1e-15})
                phi(ball.project(res.x))
                if phi.best_w is not None:
                    phi(ball.project(phi.best_w))
            else:
                _projected_gradient(phi, ball, w, maxiter)
            # Every point tried may have been a hair outside the ball (a start on the sphere,
            # iterates hugging it): compass search then starts from the projected start.
            if compass:
                _compass(phi, ball, phi.best_w if phi.best_w is not None else ball.project(w0), step=0.05 * R,
                         iters=maxiter)
    except _OutOfBudget:
        pass
    return phi.best_w, phi.best_f * scale


def _polish(counted, sign, ball, w, scale, maxiter, gen, *, budget):
    """A few compass rounds (random directions) from w, the best point of the gradient searches in
    large m: they rarely help after gradient steps, but can across kinks; as :func:`_local_search`."""
    phi = _Tracker(counted, sign, ball, scale, gen, budget)
    try:
        _compass(phi, ball, w, step=0.05 * ball.radius, iters=min(maxiter, _COMPASS_LARGE_M))
    except _OutOfBudget:
        pass
    return phi.best_w, phi.best_f * scale


def _neuron_search(counted, sign, ball, scale, gen, *, starts, maxiter, budget):
    """Search along single neurons of a network (block coordinates), for sup ||H_F||.

    From the center, each hidden neuron's incoming row moves along its inputs alpha_j(x_i) (the
    only directions it acts through on the data) combined with its outgoing column, by the whole
    radius, at ``_NEURON_ANGLES`` angles: the moves that random directions in R^m never propose.
    Two-layer nets evaluate such moves in O(n d) each (only that neuron's blocks change), so all
    neurons are tried; deeper nets try a random subset of ``budget`` moves. The best moves of
    ``starts`` distinct neurons are then followed by projected gradient ascent restricted to the
    neuron's coordinates, along the gradient of the top eigenvalue (Hessian-vector products).
    Returns (best point, sign * value) as :func:`_local_search`.
    """
    net = counted.q.system
    c, R = ball.center, ball.radius
    blocks = net._neuron_blocks()
    inputs = net._layer_inputs(c)
    t = 2.0 * np.pi * np.arange(_NEURON_ANGLES) / _NEURON_ANGLES
    fast = net.depth == 1 and net._linear_output
    # memory per chunk: the n x rows pre-activations of the moved neurons (two-layer), else rows x m points
    rows_per_chunk = max(1, _SAMPLE_FLOATS // (8 * net.n) if fast else _SAMPLE_FLOATS // net.m)
    layers = {}  # layer j -> indices into blocks (the neurons of that layer, in order)
    for nb, (j, _, _, _) in enumerate(blocks):
        layers.setdefault(j, []).append(nb)
    total = sum(len(ids) * len(t) * max(1, int(np.sum(np.any(inputs[j] != 0, axis=1)))) for j, ids in layers.items())
    keep = None if fast or total <= budget else np.zeros(total, bool)
    if keep is not None:
        keep[gen.choice(total, size=budget, replace=False)] = True
    best = []  # (value, neuron, move)
    offset = 0
    for j, ids in layers.items():
        A = inputs[j]
        norms = np.linalg.norm(A, axis=1)
        dirs = A[norms > 0] / norms[norms > 0, None] if np.any(norms > 0) else np.eye(1, A.shape[1])
        O = np.stack([c[blocks[nb][3]] for nb in ids])  # outgoing columns, (neurons, c_out)
        on = np.linalg.norm(O, axis=1, keepdims=True)
        od = np.where(on > 0, O / np.where(on > 0, on, 1.0), np.eye(1, O.shape[1]))
        per = len(t) * len(dirs)  # moves per neuron
        step = max(1, rows_per_chunk // per)
        for s0 in range(0, len(ids), step):
            nbs = np.asarray(ids[s0:s0 + step])
            k = len(nbs)
            inc = np.broadcast_to(np.cos(t)[None, :, None, None] * dirs[None, None], (k, len(t), len(dirs), dirs.shape[1]))
            out = np.broadcast_to(np.sin(t)[None, :, None, None] * od[s0:s0 + k, None, None, :],
                                  (k, len(t), len(dirs), od.shape[1]))
            mv = R * np.concatenate([inc, out], axis=-1).reshape(k * per, -1)
            who = np.repeat(nbs, per)
            if keep is not None:
                sel = keep[offset:offset + len(mv)]
                offset += len(mv)
                mv, who = mv[sel], who[sel]
            if not len(mv):
                continue
            counted.evaluations += len(mv)
            v = net._neuron_move_norms(c, who, mv, screen=True)  # ranks the moves: the chosen are evaluated in full
            vals = np.where(np.isfinite(v), v, -np.inf)
            for p in np.argsort(-vals, kind="stable")[: 4 * starts]:
                best.append((float(vals[p]), int(who[p]), mv[p]))
    best.sort(key=lambda b: -b[0])
    chosen, seen = [], set()
    for val, nb, mv in best:
        if nb not in seen and np.isfinite(val):
            seen.add(nb)
            chosen.append((nb, mv))
        if len(chosen) == starts:
            break
    best_w, best_obj = None, np.inf
    for nb, mv in chosen:
        _, _, inc, out = blocks[nb]
        coords = np.concatenate([inc, out])
        w = c.copy()
        w[coords] += mv
        w = ball.project(w)
        phi = _Tracker(counted, sign, ball, scale, gen, budget)
        try:
            phi(w)
            _projected_gradient(phi, ball, w, maxiter, coords=coords)
        except _OutOfBudget:
            pass
        if phi.best_w is not None and phi.best_f * scale < best_obj:
            best_w, best_obj = phi.best_w, phi.best_f * scale
    return best_w, best_obj


def _projected_gradient(phi, ball, w, maxiter, *, coords=None):
    """Projected gradient descent with Armijo backtracking, inside the ball; with ``coords``
    (indices), only those coordinates move (block coordinate descent)."""
    f = phi(w)
    step = ball.radius
    for _ in range(maxiter):
        g = phi.grad(w)
        if coords is not None:
            masked = np.zeros_like(g)
            masked[coords] = g[coords]
            g = masked
        gn = np.linalg.norm(g)
        if not np.isfinite(gn) or gn == 0:
            break
        while step > 1e-14 * ball.radius:
            cand = ball._project(w - step * g / gn, fresh=True)
            fc = phi(cand)
            if fc < f - 1e-4 * gn * np.linalg.norm(cand - w):
                w, f = cand, fc
                step *= 2.0
                break
            step *= 0.5
        else:
            break
    return w


def _compass(phi, ball, w, *, step, iters):
    """Derivative-free compass search (all +-e_j moves in one batch, random directions for
    large m), projected onto the ball; copes with kinks where eigenvalues cross."""
    m = ball.m
    f = phi(w)
    E = np.eye(m) if m <= _DENSE_SEARCH_MAX_M else None
    for _ in range(iters):
        if step < 1e-12 * ball.radius:
            break
        D = E if E is not None else _directions(phi.gen, m)
        S = step * D
        cand = np.empty((2 * len(D), m))  # w + step D over w - step D, written in place
        np.add(w, S, out=cand[:len(D)])
        np.subtract(w, S, out=cand[len(D):])
        cand = ball._project(cand, fresh=True)
        vals = phi.batch(cand)
        j = int(np.argmin(vals))
        if vals[j] < f:
            w, f = cand[j], float(vals[j])
        else:
            step *= 0.5
    return w


_DOC_KNOBS = """
    Parameters
    ----------
    system : plsym.System
    ball : plsym.Ball
        The ball B(w0, R); its dimension must be the system's m.
    samples : int, default 4096
        Points sampled (3/4 uniform in the ball, 1/4 on its sphere, plus the center).
    search : bool, default True
        Run local searches from the worst samples after sampling.
    rng : int or numpy.random.Generator, default 0
        Seed of the sampling; recorded in the result.
    maxiter : int, default 200
        Iterations of each local search (SLSQP or projected gradient, then compass search).
    starts : int, default 4
        Number of local searches, from the worst distinct samples.

    Returns
    -------
    Estimate
"""


# What the estimator of a quantity adds to the registry's description (remarks, examples).
_NOTES = {
    "kernel_min_eig": """By T4 it is also the best PL* constant that uniform conditioning can give on
    the ball.

    Examples
    --------
    >>> import plsym
    >>> from plsym.systems import product
    >>> e = plsym.estimate.kernel_min_eig(product(2.9), plsym.Ball([3.0, 1.0], 0.5))
    >>> round(e.value, 4), e.method, e.relation
    (7.0877, 'searched', 'upper')
""",
    "pl_constant": """Points where L = 0 are left out (the ratio says nothing there). The no-1/2
    convention's constant is twice this value (mu' = 2 mu).
""",
    "hessian_norm": """Network families use their structured Hessians (per-neuron blocks, or Lanczos
    on Hessian-vector products, whose value is itself a lower bound of the norm at each point).
    Where it is Lanczos, the samples are ranked by at most 16 Lanczos steps each (lower
    bounds of their norms) and the best 4 per start evaluated in full (with at least 16 per
    start sampled, else all are); ``nfev`` counts both, and ``sampled_value`` is a full value.
""",
}


def _doc(cls):
    """The docstring of the estimator of ``cls``: what it estimates (from the registry), the direction, notes."""
    if cls.kind == "inf":
        direction = ('An upper bound of the true infimum (``relation="upper"``): it is attained\n'
                     "    at ``x``, a point of the ball.")
    else:
        direction = ('A lower bound of the true supremum (``relation="lower"``): it is attained\n'
                     "    at ``x``, a point of the ball.")
    notes, _, examples = _NOTES.get(cls.name, "").partition("Examples\n    --------\n")
    doc = f"{cls.kind} over the ball of {cls.symbol} ({cls.reference}).\n\n    {direction}\n"
    if notes.strip():
        doc += f"\n    {notes.strip()}\n"
    doc += _DOC_KNOBS
    if examples:
        doc += "\n    Examples\n    --------\n" + examples
    return doc


def _make(cls):
    def estimator(system, ball, *, samples=4096, search=True, rng=0, maxiter=200, starts=4):
        return _estimate(cls(system) if isinstance(system, System) else _bad_system(system), ball,
                         samples=samples, search=search, rng=rng, maxiter=maxiter, starts=starts)
    estimator.__name__ = estimator.__qualname__ = cls.name
    estimator.__doc__ = _doc(cls)
    return checked_options(_progress.with_progress(estimator))  # the progress= option; unknown options refused


def _bad_system(system):
    raise InvalidArgument(f"system={_show(system)} must be a plsym.System")


for _cls in QUANTITIES.values():
    globals()[_cls.name] = _make(_cls)
del _cls
