"""Certified bounds on a ball: proofs, in ball arithmetic, for the exact real quantities.

=================  ======  ==========================================  =========
function           bound   quantity proved                             paper
=================  ======  ==========================================  =========
kernel_min_eig     lower   lambda_min(K(w)) >= value on the ball        D3, T10
pl_constant        lower   1/2 ||grad L||^2 >= value * L on the ball    T4
hessian_norm       upper   max_i ||H_{F_i}(w)||_2 <= value              T10
lipschitz          upper   ||DF(w)||_2 <= value  (L_F)                  D5
smoothness         upper   ||H_L(w)||_2 <= value (beta)                 D5, C8
residual_norm      upper   ||F(w) - y|| <= value                        T14
=================  ======  ==========================================  =========

Method. The ball is covered by regions, refined by branch and bound: the first
region is the whole ball (radius R about its center, not a box of half-diagonal
R sqrt(m)); then the region with the worst bound is split along its widest side,
each part being a box cut by the ball, and keeping its parent's bound when its own
is worse. Refining stops when the bound is within ``rtol`` of the best value seen
(at region centers and at the points the bounds single out), or when the budget
(``max_boxes``, ``max_seconds``) runs out. On each region the bound is proved in
python-flint's ``arb`` ball arithmetic (outward rounding throughout; plsym._regions):

* kernel_min_eig and lipschitz work in a float eigenbasis Q of K(z) at the
  region's center z: each entry of Q^T K(w) Q is bounded by the best of its
  interval over the box, its mean-value form (Hessian enclosures) and its
  second-order Taylor form (third derivatives of F; the quadratic term by a
  trust-region dual bound), so that the bound is exact to second order in the
  radius. The extreme eigenvalue follows from a 2 x 2 reduction
  (lambda_min >= a - ||b||^2 / (gamma - a), with a and b taken at the same point)
  and Ostrowski's theorem for the non-orthogonality of Q; the paper's chain (T10),
  sigma_min(DF(w)) >= sigma_min(DF(z)) - sup ||DF(w) - DF(z)||_2 (Weyl), is kept
  as a second bound and the better one is used.
* the other suprema bound the spectral norm of the enclosure of H_{F_i}, H_L or
  F - y over the box (with a centered form for F - y).

A result is ``certified`` only when every box of the cover was bounded. A system
that is not made of sympy expressions with ball-arithmetic rules, or a budget too
small to separate the bound from a trivial one, gives ``certified=False`` with the
reason, and never a number that was not proved.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import time
import weakref

import numpy as np

from . import _compile, _regions, domain, interval, progress as _progress
from ._deprecated import renamed_attribute, warn
from ._diff import Differentiator
from ._options import checked_options
from ._regions import hypot_upper as _hypot_upper  # noqa: F401 - its old home, where tests read it
from .errors import InvalidArgument, _show, positive_finite, positive_int
from .quantities import QUANTITIES, get
from .results import RELATIONS, relation_of, summarized_repr
from .system import System, check_system_and_ball

__all__ = ["Bound", "Violation", "CONFIRMABLE", "confirm_violation", *QUANTITIES]


@dataclasses.dataclass(frozen=True)
class Bound:
    """A proved bound on a ball, or the reason there is none.

    Attributes
    ----------
    quantity : str
    value : float or None
        The proved bound; None when not certified.
    certified : bool
    relation : {"lower", "upper"}
        What ``value`` is to the true extremum: "lower" (an infimum is >= value),
        "upper" (a supremum is <= value).
    detail : str or None
        Why it was not certified (or a note on how it was).
    boxes : int
        Boxes bounded.
    seconds : float
        Time spent.
    best_seen : float or None
        The worst value found at a box center inside the ball (an estimate of the
        extremum from the other side; the gap to ``value`` measures tightness).
    """

    quantity: str
    value: float | None
    certified: bool
    relation: str
    detail: str | None
    boxes: int
    seconds: float
    best_seen: float | None = None

    bound = renamed_attribute("bound", "relation")
    reason = renamed_attribute("reason", "detail")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# -- the symbolic pieces of a system, compiled to ball arithmetic (cached per system) --

class _Programs:
    """ArbPrograms for F, the Jacobian and the per-output Hessians of a system."""

    def __init__(self, system: System):
        try:
            params, outputs = system.params, system.outputs
        except InvalidArgument as exc:
            raise interval.Unsupported(str(exc)) from None
        n, m = system.n, system.m
        real, outs = _compile.real_stand_ins(params, outputs)
        differ = Differentiator()
        grads = _compile.gradients(outs, list(real), differ)
        self.F = interval.ArbProgram(real, outs)
        self.J_index = [(i, j) for i, row in enumerate(grads) for j, _ in row]
        self.J = interval.ArbProgram(real, [d for row in grads for _, d in row])
        self.n, self.m = n, m
        self.y = [interval.arb(float(v)) for v in system.y]
        self.smooth_reason = system._non_smooth_reason
        self._grads, self._real, self._differ = grads, real, differ
        self._H = None
        self._T = None

    @property
    def H(self):
        if self._H is None:
            if self.smooth_reason is not None:
                raise interval.Unsupported(self.smooth_reason)
            entries = _compile.hessian_entries(self._grads, list(self._real), self._differ)
            self.H_index = [(i, j, k) for i, row in enumerate(entries) for j, k, _ in row]
            self._H = interval.ArbProgram(self._real, [d for row in entries for _, _, d in row])
            self._H_entries = entries
        return self._H

    _T_MAX = 20000  # nonzero third derivatives beyond which the second-order forms are not built

    @property
    def T(self):
        """(index, program) of the nonzero third derivatives d^3 F_i / dw_j dw_k dw_l, j <= k <= l;
        None when there are too many or one has no ball-arithmetic rule."""
        if self._T is None:
            self.H  # noqa: B018 - the Hessian entries (or Unsupported)
            index = {p: j for j, p in enumerate(self._real)}
            where, exprs = [], []
            for i, row in enumerate(self._H_entries):
                for j, k, e in row:
                    for l in sorted(index[s] for s in self._differ.free(e)):
                        if l < k:
                            continue
                        d = self._differ.diff(e, self._real[l])
                        if d != 0:
                            where.append((i, j, k, l))
                            exprs.append(d)
                if len(exprs) > self._T_MAX:
                    break
            try:
                self._T = (where, interval.ArbProgram(self._real, exprs)) if len(exprs) <= self._T_MAX else False
            except interval.Unsupported:
                self._T = False
        return self._T or None

    def jacobian(self, args) -> interval.arb_mat:
        J = interval.arb_mat(self.n, self.m)
        for (i, j), v in zip(self.J_index, self.J(args)):
            J[i, j] = v
        return J

    def hessians(self, args) -> list:
        prog = self.H
        Hs = [interval.arb_mat(self.m, self.m) for _ in range(self.n)]
        for (i, j, k), v in zip(self.H_index, prog(args)):
            Hs[i][j, k] = v
            Hs[i][k, j] = v
        return Hs

    def residual(self, args) -> list:
        return [f - t for f, t in zip(self.F(args), self.y)]


_CACHE: "weakref.WeakKeyDictionary[System, _Programs]" = weakref.WeakKeyDictionary()
_POINT_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _programs(system):
    got = _CACHE.get(system)
    if got is None:
        got = _CACHE[system] = _Programs(system)
    return got


def _point_programs(system):
    """F - y and DF of ``system`` at ``arb`` points (``residual(args)``, ``jacobian(args)``, ``n``, ``m``).

    A fully connected network is evaluated by its layers (:mod:`plsym.systems._arb`),
    never through its sympy form; other systems through their compiled expressions.
    Raises what :class:`_Programs` raises when the system has no ball-arithmetic form.
    """
    from .systems.network import NetworkSystem

    if not isinstance(system, NetworkSystem):
        return _programs(system)
    got = _POINT_CACHE.get(system)
    if got is None:
        from .systems._arb import NetworkPointProgram

        got = _POINT_CACHE[system] = NetworkPointProgram(system)
    return got


# -- per-box bounds -----------------------------------------------------------------

def _perturbation(P, z, lo, hi, args_box):
    """An upper bound of sup_{w in box} ||DF(w) - DF(z)||_2 for a point z of the box
    (``args_box`` enclosing the box): _regions.Parts.delta on the box about z."""
    z = np.asarray(z, dtype=float)
    h = _regions.half_widths(z, lo, hi)
    reg = _regions.Region(lo, hi, z, h, _hypot_upper(h), args_box, interval.point_args(z))
    return _regions.Parts(P, reg).delta


def _kernel_lower(P, lo, hi):
    """(lower bound of lambda_min(K) on the region, a probable minimizer): the better of the
    eigenbasis reduction (_regions.gram_extreme) and Weyl on sigma_min(DF) (T10)."""
    if P.n > P.m:
        return -math.inf
    return _regions.remembered(P, "kernel_min_eig", lo, hi, lambda: _kernel_region(P, lo, hi))


def _kernel_region(P, lo, hi):
    parts = _regions.Parts(P, _regions.region(lo, hi))
    best = _regions.gram_extreme(parts, top=False)
    lam_lo, _ = interval.eig_bounds(parts.Jz * parts.Jz.transpose())
    if lam_lo > 0:
        gap = interval.down(interval.down(math.sqrt(lam_lo)) - parts.delta)
        if gap > 0:
            best = max(best, interval.down(gap * gap))
    return best, _regions.descent_point(parts, top=False)


def _lipschitz_upper(P, lo, hi):
    """(upper bound of ||DF||_2 on the region, a probable maximizer): the enclosure of DF over
    the box, DF(z) plus the perturbation, or the eigenbasis reduction, the smallest."""
    return _regions.remembered(P, "lipschitz", lo, hi, lambda: _lipschitz_region(P, lo, hi))


def _lipschitz_region(P, lo, hi):
    parts = _regions.Parts(P, _regions.region(lo, hi))
    direct = interval.norm_upper(parts.Jb)
    centered = interval.up(interval.norm_upper(parts.Jz) + parts.delta)
    top = _regions.gram_extreme(parts, top=True)
    reduced = interval.up(math.sqrt(top)) if math.isfinite(top) else math.inf
    return min(direct, centered, reduced), _regions.descent_point(parts, top=True)


def _hessian_upper(P, lo, hi):
    """max_i of the smallest of three bounds of ||H_{F_i}||_2 on the region: over the box enclosure,
    over the mean-value enclosure of each entry (third derivatives), and in the eigenbasis of H_i(z)."""
    parts = _regions.Parts(P, _regions.region(lo, hi))
    centered = _regions.hessians_centered(parts)
    best = -math.inf
    for i, H in enumerate(parts.Hb if parts.Hb is not None else P.hessians(parts.reg.box)):
        bound = interval.sym_norm_upper(H)
        if centered is not None:
            E, Hz, G = centered[i]
            bound = min(bound, interval.sym_norm_upper(E), _regions.sym_norm_centered(Hz, G, parts.reg))
        best = max(best, bound)
    return best


def _smoothness_upper(P, lo, hi):
    """The smallest of three bounds of ||H_L||_2 on the region: over the box enclosure, over the
    mean-value enclosure of each entry (third derivatives), and in the eigenbasis of H_L(z)."""
    parts = _regions.Parts(P, _regions.region(lo, hi))
    Hs = parts.Hb if parts.Hb is not None else P.hessians(parts.reg.box)
    HL = parts.Jb.transpose() * parts.Jb
    for r, H in zip(P.residual(parts.reg.box), Hs):
        HL = HL + H * r
    best = interval.sym_norm_upper(HL)
    centered = _regions.loss_hessian_centered(parts)
    if centered is not None:
        E, HLz, G = centered
        best = min(best, interval.sym_norm_upper(E), _regions.sym_norm_centered(HLz, G, parts.reg))
    return best


def _residual_upper(P, lo, hi):
    """The enclosure of ||F - y|| over the box, or the centered form ||r(z)|| + sup_box ||DF|| rho
    (rho >= ||w - z|| on the region), the smaller."""
    reg = _regions.region(lo, hi)
    direct = _regions.norm_upper_vec(P.residual(reg.box))
    centered = interval.up(_regions.norm_upper_vec(P.residual(reg.point))
                           + interval.up(interval.norm_upper(P.jacobian(reg.box)) * reg.rho))
    return min(direct, centered)


# -- branch and bound ------------------------------------------------------------------

def _shrink(ball, lo, hi):
    """The bounding box of (box ∩ ball), rounded outward; None when they surely do not meet.

    For w in the box and the ball, (w_j - c_j)^2 <= R^2 - sum_{k != j} dist_k^2, with
    dist_k the distance from c_k to [lo_k, hi_k]: each side shrinks to what the ball allows.
    """
    up, down = interval.up, interval.down
    c, R = ball.center, ball.radius
    dist = np.maximum(0.0, np.maximum(lo - c, c - hi))
    dist = np.array([max(0.0, down(v)) for v in dist])
    sq = dist * dist * (1 - 4 * interval._EPS)
    total = float(np.sum(sq)) * (1 - 4 * interval._EPS * len(sq))
    R2 = up(R * R)
    new_lo, new_hi = lo.copy(), hi.copy()
    for j in range(len(lo)):
        rem = R2 - (total - sq[j]) * (1 - 4 * interval._EPS * len(sq))
        rem = up(rem)
        if rem < 0:
            return None
        Rj = up(np.sqrt(rem))
        new_lo[j] = max(lo[j], down(c[j] - Rj))
        new_hi[j] = min(hi[j], up(c[j] + Rj))
        if new_lo[j] > new_hi[j]:
            return None
    return new_lo, new_hi


def _branch_and_bound(ball, box_bound, point_value, kind, *, max_boxes, max_seconds, rtol):
    """Cover the ball by boxes and bound the extremum; returns (value or None, boxes, best_seen, note).

    ``box_bound(lo, hi)`` proves a bound on the box cut by the ball (the regions are cut by
    ``ball`` through _regions.within), as a float or as (float, a float point of the box where
    the extremum probably is, or None). A box's bound is at least as good as its parent's (the
    box lies in the parent's region), and ``best_seen`` takes the worst value at the box
    centers and at the proposed points (projected onto the ball).
    """
    with _regions.within(ball):
        return _cover(ball, box_bound, point_value, kind, max_boxes=max_boxes, max_seconds=max_seconds, rtol=rtol)


def _cover(ball, box_bound, point_value, kind, *, max_boxes, max_seconds, rtol):
    start = time.perf_counter()
    sign = 1.0 if kind == "lower" else -1.0  # heap on sign*bound: the worst box first
    lo0 = np.nextafter(ball.center - ball.radius, -np.inf)
    hi0 = np.nextafter(ball.center + ball.radius, np.inf)
    boxes = 0
    best_seen = None

    def see(z):
        nonlocal best_seen
        v = point_value(ball.project(z)) if point_value is not None else math.nan
        if np.isfinite(v) and (best_seen is None or sign * v < sign * best_seen):
            best_seen = float(v)

    def push(heap, lo, hi, floor):
        nonlocal boxes
        boxes += 1
        tight = _shrink(ball, lo, hi)
        got = box_bound(*tight) if tight is not None else None
        b, proposed = got if isinstance(got, tuple) else (got, None)
        b = -math.inf * sign if (b is None or not np.isfinite(b)) else float(b)
        b = sign * max(sign * b, sign * floor)  # the box's region lies in its parent's
        see(0.5 * (lo + hi))
        if proposed is not None:
            see(np.asarray(proposed, dtype=float))
        heapq.heappush(heap, (sign * b, boxes, lo, hi))

    heap: list = []
    push(heap, lo0, hi0, -math.inf * sign)
    note = "budget exhausted"
    while True:
        _progress.tick(f"certify {kind} bound", boxes, max_boxes)
        key, _, lo, hi = heap[0]
        bound = sign * key
        if best_seen is not None and np.isfinite(bound):
            if abs(best_seen - bound) <= rtol * max(abs(best_seen), abs(bound)) + 1e-250:
                note = f"converged to rtol={rtol}"
                break
        if boxes >= max_boxes or time.perf_counter() - start > max_seconds:
            break
        heapq.heappop(heap)
        j = int(np.argmax(hi - lo))
        mid = 0.5 * (lo[j] + hi[j])
        for a, b in ((lo[j], mid), (mid, hi[j])):
            clo, chi = lo.copy(), hi.copy()
            clo[j], chi[j] = a, b
            if _shrink(ball, clo, chi) is not None:
                push(heap, clo, chi, bound)
        if not heap:  # cannot happen for a ball, kept for safety
            return None, boxes, best_seen, "no box intersects the ball"
    value = sign * heap[0][0]
    return (value if np.isfinite(value) else None), boxes, best_seen, note


def _certify(name, system, ball, max_boxes, max_seconds, rtol):
    check_system_and_ball(system, ball)
    max_boxes = positive_int("max_boxes", max_boxes)
    max_seconds = positive_finite("max_seconds", max_seconds)
    rtol = positive_finite("rtol", rtol)
    q = get(name)
    if name == "pl_constant":  # T4: 1/2 ||grad L||^2 = 1/2 r^T K r >= lambda_min(K) L
        b = _certify("kernel_min_eig", system, ball, max_boxes, max_seconds, rtol)
        detail = b.detail if not b.certified else f"T4 from the certified lambda_min(K) ({b.detail})"
        return dataclasses.replace(b, quantity="pl_constant", detail=detail)
    kind = relation_of(q.kind)
    box_bound, _, valid = _BOUNDS[name]
    start = time.perf_counter()

    def refuse(reason, boxes=0):
        return Bound(name, None, False, kind, reason, boxes, time.perf_counter() - start)

    hessians = q.derivatives == "hessians"
    if hessians and system._non_smooth_reason is not None:
        return refuse(f"not certified: Hessians are not defined: {system._non_smooth_reason}")
    try:
        P = _programs(system)
        if hessians:
            P.H  # noqa: B018 - build (or refuse) the Hessian program up front
    except interval.Unsupported as exc:
        return refuse(f"not certified: {exc}")
    pre = valid(P) if valid is not None else None
    if pre is not None:
        return refuse(pre)
    unproved = domain.prove(system, ball)
    if unproved is not None:  # the outputs as written may be undefined somewhere on the ball
        return refuse(f"not certified: the domain of the outputs as written is not proved on the ball: {unproved}")
    quantity = q(system)
    value, boxes, best, note = _branch_and_bound(
        ball, lambda lo, hi: box_bound(P, lo, hi), lambda z: float(quantity.values(z[None, :])[0]), kind,
        max_boxes=max_boxes, max_seconds=max_seconds, rtol=rtol,
    )
    seconds = time.perf_counter() - start
    if value is None or (kind == "lower" and not value > 0):
        what = "a positive lower bound" if kind == "lower" else "a finite upper bound"
        why = (f"not certified: no {what} on every box within the budget ({boxes} boxes, "
               f"{seconds:.1f} s); the best value seen is {best}")
        return Bound(name, None, False, kind, why, boxes, seconds, best)
    return Bound(name, float(value), True, kind, note, boxes, seconds, best)


def _kernel_valid(P):
    if P.n > P.m:
        return (f"not certified: n={P.n} > m={P.m}, so K is singular everywhere (T6) and "
                "lambda_min(K) = 0 has no positive lower bound")
    return None


# -- rigorous confirmation of a violation at one point ------------------------------------

@dataclasses.dataclass(frozen=True, repr=False)
class Violation:
    """The outcome of :func:`confirm_violation`.

    Attributes
    ----------
    status : {"refuted", "inconclusive", "undefined"}
        ``"refuted"``: ``x`` lies exactly inside the closed ball and the
        enclosure of the quantity there excludes the claimed bound on the wrong
        side. ``"undefined"``: the system has no finite value there in ball
        arithmetic either (a pole, log or sqrt of a negative number, ...).
        ``"inconclusive"``: neither could be shown (a near miss within the
        enclosure's width, or no ball-arithmetic rule for the system).
    x : tuple of float or None
        The point checked: the given point, or its exact projection onto the
        ball when it was outside.
    lower, upper : float or None
        A rigorous enclosure [lower, upper] of the quantity at ``x``.
    measured : float or None
        A float value of the quantity at ``x`` (the enclosure's midpoint).
    projected : bool
        Whether the given point was outside the ball and was projected.
    detail : str
        One sentence on what the status rests on (the near miss, when inconclusive).
    """

    status: str
    x: tuple | None
    lower: float | None
    upper: float | None
    measured: float | None
    projected: bool
    detail: str

    witness = renamed_attribute("witness", "x")
    reason = renamed_attribute("reason", "detail")

    @property
    def confirmed(self) -> bool:
        """Whether the violation is proved."""
        return self.status == "refuted"

    __repr__ = summarized_repr


def _rayleigh(S, v):
    """The enclosure of v^T S' v / v^T v over the symmetric S' of the enclosure S (v a float vector)."""
    va = interval.arb_mat([[float(x)] for x in v])
    num = (va.transpose() * S * va)[0, 0]
    den = (va.transpose() * va)[0, 0]
    return num / den


def _sym_extremes(S):
    """Rigorous (lo, hi) of the enclosure of ||S'||_2 over the symmetric S' of S."""
    mid, _ = interval.split(S)
    if not np.all(np.isfinite(mid)):
        return -math.inf, math.inf
    vals, vecs = np.linalg.eigh(0.5 * (mid + mid.T))
    top = interval.lower(_rayleigh(S, vecs[:, -1]))       # lambda_max >= top
    bottom = interval.upper(_rayleigh(S, vecs[:, 0]))     # lambda_min <= bottom
    lo = max(top, -bottom, 0.0)
    return lo, interval.sym_norm_upper(S)


def _squared_norm(values):
    total = interval.arb(0)
    for x in values:
        total += x * x
    return total


def _residual_at(P, args):
    s = _squared_norm(P.residual(args)).sqrt()
    return max(interval.lower(s), 0.0), interval.upper(s)


def _kernel_eig(P, args):
    """(K = J J^T, or J^T J when n > m; the float eigenvectors of its midpoint; J), or None when not finite."""
    J = P.jacobian(args)
    K = J * J.transpose() if P.n <= P.m else J.transpose() * J
    mid, _ = interval.split(K)
    if not np.all(np.isfinite(mid)):
        return None
    return K, np.linalg.eigh(0.5 * (mid + mid.T))[1], J


def _kernel_min_at(P, args):
    got = _kernel_eig(P, args)
    if got is None:
        return -math.inf, math.inf
    K, vecs, _ = got
    if P.n > P.m:  # K = J J^T has rank <= m < n: lambda_min(K) = 0 exactly
        return 0.0, 0.0
    lo, _ = interval.eig_bounds(K)
    return lo, interval.upper(_rayleigh(K, vecs[:, 0]))


def _lipschitz_at(P, args):
    got = _kernel_eig(P, args)
    if got is None:
        return -math.inf, math.inf
    K, vecs, J = got
    top = interval.lower(_rayleigh(K, vecs[:, -1]))
    return math.sqrt(max(top, 0.0)) * (1 - 4 * interval._EPS), interval.norm_upper(J)


def _pl_at(P, args):
    r = P.residual(args)
    rr = _squared_norm(r)
    if rr == 0:
        return None
    g = P.jacobian(args).transpose() * interval.arb_mat([[x] for x in r])
    q = _squared_norm(g[i, 0] for i in range(P.m)) / rr
    return interval.lower(q), interval.upper(q)


def _hessian_at(P, args):
    ends = [_sym_extremes(H) for H in P.hessians(args)]
    return max(e[0] for e in ends), max(e[1] for e in ends)


def _smoothness_at(P, args):
    J = P.jacobian(args)
    HL = J.transpose() * J
    for r, H in zip(P.residual(args), P.hessians(args)):
        HL = HL + H * r
    return _sym_extremes(HL)


# quantity -> (its bound on one box, its enclosure at one point, a reason it cannot be certified or None).
# One entry per quantity of plsym.quantities: adding a quantity is its Quantity class and this row.
_BOUNDS = {
    "kernel_min_eig": (_kernel_lower, _kernel_min_at, _kernel_valid),
    "pl_constant": (None, _pl_at, None),  # by T4 from kernel_min_eig's bound
    "hessian_norm": (_hessian_upper, _hessian_at, None),
    "lipschitz": (_lipschitz_upper, _lipschitz_at, None),
    "smoothness": (_smoothness_upper, _smoothness_at, None),
    "residual_norm": (_residual_upper, _residual_at, None),
}
CONFIRMABLE = tuple(_BOUNDS)
_OLD_RELATIONS = {">=": "lower", "<=": "upper"}


@checked_options(renamed={"witness": "x"})
def confirm_violation(system, ball, quantity, x, claimed, relation) -> Violation:
    """Whether the claim ``quantity`` vs ``claimed`` provably fails at ``x``, a point exactly inside ``ball``.

    The one rigorous check behind every "refuted" of plsym: ``x`` must lie
    exactly inside the closed ball (decided in exact rational arithmetic of its
    float coordinates; a point outside is replaced by its projection, which is
    exactly inside), and the quantity, recomputed there in ball arithmetic
    (python-flint ``arb``), must have an enclosure that excludes ``claimed`` on the
    violating side. Anything less is ``"inconclusive"``, with the near miss in
    ``detail``.

    Parameters
    ----------
    system : plsym.System
        A system with symbolic outputs (spec files, sympy systems, network families).
    ball : plsym.Ball
    quantity : {"kernel_min_eig", "pl_constant", "hessian_norm", "lipschitz", "smoothness", "residual_norm"}
        lambda_min(K) (D3); 1/2 ||grad L||^2 / L (D1, 1/2 form); max_i ||H_{F_i}||_2
        (T10); ||DF||_2 (D5); ||H_L||_2 (C8); ||F - y|| (T14).
    x : array_like, shape (m,)
        The point (a candidate counterexample).
    claimed : float
        The claimed bound.
    relation : {"lower", "upper"}
        What ``claimed`` is to the quantity on the ball (:data:`plsym.results.RELATIONS`):
        ``"lower"`` claims ``quantity(w) >= claimed`` (a claim on an infimum),
        ``"upper"`` claims ``quantity(w) <= claimed`` for every w in the ball.
        The old spellings ``">="`` and ``"<="`` still work, with a DeprecationWarning.

    Returns
    -------
    Violation

    Examples
    --------
    >>> import sympy, plsym
    >>> from plsym.certify import confirm_violation
    >>> w = sympy.Symbol("w")
    >>> s = plsym.System([w**2], [w], [0.0])
    >>> v = confirm_violation(s, plsym.Ball([1.0], 0.5), "lipschitz", [1.5], 2.9, "upper")
    >>> v.status, v.lower <= 3.0 <= v.upper
    ('refuted', True)
    >>> confirm_violation(s, plsym.Ball([1.0], 0.5), "lipschitz", [1.5], 3.0, "upper").status
    'inconclusive'
    """
    check_system_and_ball(system, ball)
    if not isinstance(quantity, str) or quantity not in CONFIRMABLE:
        raise InvalidArgument(f"quantity={_show(quantity)} is not allowed; choose one of "
                              f"{', '.join(map(repr, CONFIRMABLE))}")
    if isinstance(relation, str) and relation in _OLD_RELATIONS:
        warn(f"confirm_violation(relation={relation!r})", f"relation={_OLD_RELATIONS[relation]!r}")
        relation = _OLD_RELATIONS[relation]
    if not isinstance(relation, str) or relation not in RELATIONS[:2]:
        raise InvalidArgument(f"relation={_show(relation)} is not allowed; choose one of 'lower', 'upper'")
    if isinstance(claimed, bool) or not isinstance(claimed, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(claimed)):
        raise InvalidArgument(f"claimed={_show(claimed)} must be a finite number")
    claimed = float(claimed)
    w = np.array(ball._points(x), dtype=float)
    if w.ndim != 1:
        raise InvalidArgument(f"x has shape {w.shape}; it must be one point of shape ({ball.m},)")
    projected = not ball.exactly_contains(w)
    if projected:
        w = ball.project(w)
    point = tuple(float(c) for c in w)

    def result(status, lo, hi, reason):
        lo, hi = (None, None) if lo is None else (float(lo), float(hi))
        mid = None if lo is None or not (math.isfinite(lo) and math.isfinite(hi)) else 0.5 * (lo + hi)
        return Violation(status, point, lo, hi, mid, projected, reason)

    where = "at the projection of x onto the ball" if projected else "at x"
    try:
        P = _programs(system)
        if get(quantity).derivatives == "hessians":
            if P.smooth_reason is not None:
                raise interval.Unsupported(P.smooth_reason)
            P.H  # noqa: B018 - build (or refuse) the Hessian program
    except interval.Unsupported as exc:
        return result("inconclusive", None, None, f"the violation cannot be confirmed in ball arithmetic: {exc}")
    enclosure = _BOUNDS[quantity][1](P, interval.point_args(w))
    if enclosure is None:
        return result("inconclusive", None, None, f"L(w) = 0 {where}, where the PL* inequality holds")
    lo, hi = enclosure
    overflow = ""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        if not _finite_at(P, interval.point_args(w), hessians=get(quantity).derivatives == "hessians"):
            return result("undefined", None, None,
                          f"the system has no finite value in ball arithmetic {where}")
        # F and its derivatives are finite there: only float64 cannot hold the enclosure's ends
        overflow = " (F and its derivatives are finite there; the enclosure's ends are beyond float64)"
    violated = hi < claimed if relation == "lower" else lo > claimed
    span = f"[{lo:.17g}, {hi:.17g}]"
    op = ">=" if relation == "lower" else "<="
    if violated:
        return result("refuted", lo, hi, f"{quantity} is in {span} {where}, which excludes "
                                         f"{op} {claimed:.17g} (ball arithmetic){overflow}")
    return result("inconclusive", lo, hi, f"{quantity} is in {span} {where}, which does not exclude "
                                         f"{op} {claimed:.17g}: a near miss at most{overflow}")


def _finite_at(P, args, *, hessians):
    """Whether F, DF (and the Hessians) have finite ball-arithmetic enclosures at the point ``args``."""
    values = list(P.F(args)) + list(P.J(args)) + (list(P.H(args)) if hessians else [])
    return all(v.is_finite() for v in values)


# -- the public bounds, one per quantity ------------------------------------------------------

_DOC_KNOBS = """
    Parameters
    ----------
    system : plsym.System
        Built from sympy expressions (or a family with symbolic outputs) using
        functions with ball-arithmetic rules (polynomials, exp, log, sqrt, tanh,
        sin, cos, erf, ...). Anything else is reported not certified.
    ball : plsym.Ball
    max_boxes : int, default 2000
        Budget of boxes bounded.
    max_seconds : float, default 30
        Budget of time.
    rtol : float, default 1e-3
        Stop refining when the proved bound is within rtol of the best value seen.

    Returns
    -------
    Bound
"""



_DOCS = {
    "kernel_min_eig": """A proved lower bound of inf over the ball of lambda_min(K(w)) (D3), by the T10 chain.

    Examples
    --------
    >>> import plsym
    >>> from plsym.systems import product
    >>> b = plsym.certify.kernel_min_eig(product(2.9), plsym.Ball([3.0, 1.0], 0.5))
    >>> b.certified, b.value <= 7.0877223398316 <= b.value * 1.001
    (True, True)
""",
    "pl_constant": """A proved lower bound of the PL* constant (1/2 form) on the ball, from kernel_min_eig by T4:
    1/2 ||grad L||^2 = 1/2 r^T K r >= lambda_min(K) L.
""",
    "hessian_norm": "A proved upper bound of sup over the ball of max_i ||H_{F_i}(w)||_2 (T10).\n",
    "lipschitz": "A proved upper bound of sup over the ball of ||DF(w)||_2 (L_F, D5).\n",
    "smoothness": "A proved upper bound of sup over the ball of ||H_L(w)||_2 (beta, C8).\n",
    "residual_norm": "A proved upper bound of sup over the ball of ||F(w) - y|| (T14).\n",
}


def _make(name):
    def bound(system, ball, *, max_boxes=2000, max_seconds=30.0, rtol=1e-3):
        return _certify(name, system, ball, max_boxes, max_seconds, rtol)

    bound.__name__ = bound.__qualname__ = name
    summary, _, examples = _DOCS[name].partition("\n    Examples\n    --------\n")
    bound.__doc__ = summary.rstrip() + "\n" + _DOC_KNOBS + ("\n    Examples\n    --------\n" + examples if examples else "")
    return checked_options(_progress.with_progress(bound))  # the progress= option; unknown options refused


for _name in QUANTITIES:
    globals()[_name] = _make(_name)
del _name
