"""SymbolicBound, ball arithmetic on bound expressions, and the monotone max / min they are built from."""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from fractions import Fraction

import numpy as np
import sympy
from flint import arb

from .. import interval
from ..ball import Ball
from ..errors import InvalidArgument, _show, as_real_array, positive_finite
from ..system import System, check_system_and_ball

# A condition on R that holds up to this radius is reported as holding up to it
# (the search for where it fails stops there).
_RADIUS_CAP = 2.0 ** 40
_ONE = sympy.Integer(1)


@dataclasses.dataclass(frozen=True)
class SymbolicBound:
    """A closed-form upper bound, as a sympy expression in the radius, and how it was built.

    Attributes
    ----------
    quantity : str
        ``"hessian_norm"``, ``"lipschitz"``, ``"residual_norm"`` or ``"smoothness"``
        (the names of :mod:`plsym.estimate` and :mod:`plsym.certify`).
    expr : sympy.Expr
        The bound, non-decreasing in ``R``. It may also contain the symbols of
        ``subs`` (such as a width m), which :meth:`evaluate` replaces by their values.
    R : sympy.Symbol
        The radius symbol.
    valid : str
        Where the bound holds, ``"R > 0"`` or ``"0 < R <= r"``.
    method : str
        How it was built, e.g. ``"entrywise majorant + min(Frobenius, Gershgorin)"``.
    max_radius : float
        The largest radius where it holds (``inf`` for every R > 0).
    subs : tuple of (sympy.Symbol, number)
        Values of the other symbols of ``expr`` used by :meth:`evaluate`.
    relation : str
        Always ``"upper"``: the true supremum is <= the bound.
    radius : float or None
        The radius of the ball the bound was asked for (a :class:`plsym.Ball`),
        which :meth:`evaluate` uses by default; None when only the symbolic bound
        was asked for.
    """

    quantity: str
    expr: sympy.Expr
    R: sympy.Symbol
    valid: str
    method: str
    max_radius: float = math.inf
    subs: tuple = ()
    relation: str = "upper"
    radius: float | None = None

    def evaluate(self, radius=None) -> float:
        """The bound at ``radius`` as a float rounded upward (ball arithmetic, then outward).

        Parameters
        ----------
        radius : float, optional
            R > 0, at most ``max_radius``; the ball's radius (``self.radius``) when None.

        Returns
        -------
        float
            A number >= the exact value of ``expr`` (``inf`` if it could not be enclosed).

        Raises
        ------
        InvalidArgument
            If ``radius`` is not a positive finite number or exceeds ``max_radius``,
            or is None for a bound asked for without a ball.
        """
        if radius is None:
            if self.radius is None:
                raise InvalidArgument("radius=None needs a bound asked for on a plsym.Ball; give the radius")
            radius = self.radius
        radius = positive_finite("radius", radius)
        if radius > self.max_radius:
            raise InvalidArgument(f"radius={radius!r} is outside the range where this bound holds, {self.valid}")
        values = {self.R: arb(radius)}
        values.update({s: _to_arb_number(v) for s, v in self.subs})
        return float(interval.upper(_arb_eval(self.expr, values)))

    def to_dict(self) -> dict:
        """A JSON-ready dict (expressions as strings)."""
        return {
            "quantity": self.quantity, "expr": str(self.expr), "R": str(self.R), "valid": self.valid,
            "method": self.method, "max_radius": self.max_radius, "relation": self.relation,
            "subs": [[str(s), float(v)] for s, v in self.subs], "radius": self.radius,
        }


# -- ball-arithmetic evaluation of bound expressions ----------------------------------------

def _to_arb_number(v) -> arb:
    if isinstance(v, (int, np.integer)):
        return arb(int(v))
    if isinstance(v, sympy.Basic):
        return _arb_eval(sympy.Rational(v) if v.is_Float else v, {})
    return arb(float(v))


def _arb_eval(expr, values, memo=None) -> arb:
    """An ``arb`` enclosure of ``expr`` with its symbols set to the ``arb`` in ``values``."""
    memo = {} if memo is None else memo

    def ev(e):
        got = memo.get(e)
        if got is not None:
            return got
        if e in values:
            out = values[e]
        elif e.is_Symbol:
            raise InvalidArgument(f"the bound contains the symbol {e}, which has no value here")
        elif e.is_Number or e.is_NumberSymbol:
            out = interval.to_arb(e)
        elif e.is_Add:
            out = interval._sum(*[ev(a) for a in e.args])
        elif e.is_Mul:
            out = interval._prod(*[ev(a) for a in e.args])
        elif e.is_Pow:
            base, k = e.args
            b = ev(base)
            if k.is_Integer:
                kk = int(k)
                out = interval._pow_int(b, kk) if kk >= 0 else 1 / interval._pow_int(b, -kk)
            elif k == sympy.Rational(1, 2):
                out = b.sqrt()
            elif k == sympy.Rational(-1, 2):
                out = b.rsqrt()
            else:
                out = (ev(k) * b.log()).exp()
        elif isinstance(e, (sympy.Max, sympy.Min)):
            vals = [ev(a) for a in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = out.max(v) if isinstance(e, sympy.Max) else out.min(v)
        elif isinstance(e, sympy.Function) and e.func in interval._FUNCTIONS and len(e.args) == 1:
            out = interval._FUNCTIONS[e.func](ev(e.args[0]))
        else:
            raise InvalidArgument(f"the bound contains {type(e).__name__} ({e}), which cannot be evaluated")
        memo[e] = out
        return out

    return ev(expr)


def _lower_at(expr, R, r) -> float:
    """A float <= expr at R = r (ball arithmetic)."""
    return interval.lower(_arb_eval(expr, {R: arb(r)}))


# -- max / min of functions non-decreasing in R -------------------------------------------

def _lattice(cls, args):
    """Max / Min of ``args`` as given, without any simplification.

    Even with evaluate=False sympy sorts the arguments by a key that counts the nodes
    of each argument's tree, and a rebuilt Max (by xreplace, subs, ...) re-simplifies
    its arguments: both exponential in the depth of the shared subexpressions that
    bounds are made of. These are sympy Max / Min (subclasses printed as such) that
    keep their arguments as they are, also when rebuilt.
    """
    cls = {sympy.Max: _KeptMax, sympy.Min: _KeptMin}.get(cls, cls)
    args = list(dict.fromkeys(args))
    if len(args) == 1:
        return args[0]
    if all(a.is_Number for a in args):  # after subs, say: plain numbers are compared
        return (sympy.Max if issubclass(cls, sympy.Max) else sympy.Min)(*args)
    obj = sympy.Expr.__new__(cls, *args)
    obj._argset = frozenset(args)
    return obj


class _KeptMax(sympy.Max):
    """sympy.Max that is never simplified (see :func:`_lattice`)."""

    def __new__(cls, *args, **options):
        # sympy objects and numbers only (strict): never text
        return _lattice(cls, [sympy.sympify(a, strict=True) for a in args])


class _KeptMin(sympy.Min):
    """sympy.Min that is never simplified (see :func:`_lattice`)."""

    def __new__(cls, *args, **options):
        # sympy objects and numbers only (strict): never text
        return _lattice(cls, [sympy.sympify(a, strict=True) for a in args])


_KeptMax.__name__ = _KeptMax.__qualname__ = "Max"
_KeptMin.__name__ = _KeptMin.__qualname__ = "Min"


@functools.lru_cache(maxsize=1 << 17)
def _has(e, x) -> bool:
    """Whether ``x`` occurs in ``e``, memoized over the DAG (``Basic.has`` walks the tree,
    exponential in the depth of the shared subexpressions that bounds are made of)."""
    if e == x:
        return True
    return any(_has(a, x) for a in e.args)


def _max_inc(R, *xs):
    """Max of expressions non-decreasing in R, dropping those provably dominated.

    A constant c is dominated by a non-decreasing f as soon as f(0) >= c.
    """
    xs = list(dict.fromkeys(xs))
    nums = [x for x in xs if not _has(x, R)]
    syms = [x for x in xs if _has(x, R)]
    kept = []
    for i, a in enumerate(syms):  # drop a when some other b >= a by a constant
        dominated = False
        for j, b in enumerate(syms):
            if i != j:
                d = b - a
                if d.is_Number and (d > 0 or (d == 0 and j < i)):
                    dominated = True
                    break
        if not dominated:
            kept.append(a)
    if nums:
        c = sympy.Max(*nums)
        if not any(_lower_at(a, R, 0.0) >= interval.upper(_arb_eval(c, {})) for a in kept):
            kept.append(c)
    if not kept:
        return sympy.Integer(0)
    return _lattice(sympy.Max, kept)


def _min_inc(R, *xs):
    """Min of expressions non-decreasing in R (a constant c wins over f when f(0) >= c)."""
    xs = list(dict.fromkeys(xs))
    items = [x for x in xs if _has(x, R)]
    nums = [x for x in xs if not _has(x, R)]
    if nums:
        c = sympy.Min(*nums)
        c_up = interval.upper(_arb_eval(c, {}))
        items = [a for a in items if not _lower_at(a, R, 0.0) >= c_up] + [c]
    return _lattice(sympy.Min, items)


def _root(x):
    """sqrt(x) for x >= 0 built from non-negative majorants, without sympy's own rewriting
    (which turns sqrt(M^2) into Abs(M) and then re-simplifies the Max inside M at great cost)."""
    if x.is_Number:
        return sympy.sqrt(x)
    if x.is_Pow and x.args[1] == 2:
        return x.args[0]  # the bases squared here are majorants, >= 0
    return sympy.Pow(x, sympy.Rational(1, 2), evaluate=False)


def _power(x, k):
    """x**k, evaluated only for numbers.

    sympy's own Pow evaluation of a power of a product or of a root asks for signs
    and absolute values, which rebuilds (and re-simplifies) the whole subexpression
    tree: exponential on bound expressions, whose subexpressions are shared.
    """
    k = sympy.sympify(k, strict=True)  # a number or sympy object, never text
    if x.is_Number or k == 1:
        return x**k
    return sympy.Pow(x, k, evaluate=False)


# Floats enter as rationals with denominator at most 2^64, rounded outward: exact for
# every float with |x| >= 2^-11 (53 significant bits), and no giant denominators from
# tiny floats (a subnormal is a rational with a 2^1074 denominator, slow to carry).
_GRID = 2**64


def _outward(x) -> tuple:
    """(lo, hi) rationals on the 2^-64 grid with lo <= x <= hi (equal when x is on the grid)."""
    q = Fraction(float(x)) * _GRID
    lo, hi = math.floor(q), math.ceil(q)
    return sympy.Rational(lo, _GRID), sympy.Rational(hi, _GRID)


def _radius_symbol(R):
    """The radius symbol: ``R``, or a new positive ``R`` when None."""
    if R is None:
        return sympy.Symbol("R", positive=True)
    if not isinstance(R, sympy.Symbol) or R.is_positive is not True:
        raise InvalidArgument(
            f"R={_show(R)} must be a sympy Symbol declared positive, such as sympy.Symbol('R', positive=True)"
        )
    return R


def _ball_args(fn, system, ball, R=None, center=None, *, old="(system, center, R)", stacklevel=3):
    """(center, radius or None, radius symbol) of a bound asked for on ``ball``.

    ``ball=None``: the center ``system.w0`` and no radius; a :class:`plsym.Ball`: its
    center and radius. The old forms, a center or a radius symbol ``R`` (positional
    or keyword), still work and warn.
    """
    if not isinstance(system, System):
        raise InvalidArgument(f"system={_show(system)} must be a plsym.System")
    if R is None and center is None and (ball is None or isinstance(ball, Ball)):
        if ball is None:
            if system.w0 is None:
                raise InvalidArgument("ball=None needs a system with w0 (the center); give a plsym.Ball")
            return system.w0, None, sympy.Symbol("R", positive=True)
        check_system_and_ball(system, ball)
        return ball.center, ball.radius, sympy.Symbol("R", positive=True)
    warnings.warn(
        f"plsym.bounds.{fn}{old} is deprecated: use {fn}(system, ball), where ball=None bounds on B(system.w0, R) "
        "symbolically in R and a plsym.Ball fixes the center and the radius",
        DeprecationWarning, stacklevel=stacklevel,  # the caller of the public function
    )
    radius = None
    if isinstance(ball, Ball):
        check_system_and_ball(system, ball)
        if center is not None:
            raise InvalidArgument(f"center={_show(center)} and ball={ball!r} are both given; give the ball only")
        center, radius = ball.center, ball.radius
    elif ball is not None:
        if center is not None:
            raise InvalidArgument(f"the center is given twice, as {_show(ball)} and center={_show(center)}")
        center = ball
    if center is None:
        if system.w0 is None:
            raise InvalidArgument("center=None needs a system with w0; give the center of the ball")
        center = system.w0
    return as_real_array("center", center, shape=(system.m,)), radius, _radius_symbol(R)


def _max_radius(conditions, R) -> float:
    """The largest radius (up to the cap) where every recorded condition is proved.

    Each condition g is non-increasing in R, so where it holds is an interval
    starting at 0: scan by doubling (or halving), then bisect.
    """
    rmax = math.inf
    for g, strict, what in conditions:
        if (g.is_positive if strict else g.is_nonnegative) is True:
            continue

        def holds(r, g=g, strict=strict):
            low = _lower_at(g, R, r)
            return low > 0 or (not strict and low >= 0)

        good, bad, r = 0.0, None, 1.0
        while r <= _RADIUS_CAP:
            if not holds(r):
                bad = r
                break
            good, r = r, 2 * r
        if bad is None:
            rmax = min(rmax, good)
            continue
        if good == 0.0:
            r = 0.5
            while r >= 2.0**-60 and not holds(r):
                bad, r = r, r / 2
            if r < 2.0**-60:
                raise InvalidArgument(f"Cannot bound {_show(what)} on any ball of positive radius around the center")
            good = r
        for _ in range(200):
            mid = 0.5 * (good + bad)
            if not good < mid < bad or bad - good <= 1e-12 * good:
                break
            if holds(mid):
                good = mid
            else:
                bad = mid
        rmax = min(rmax, good)
    return rmax


def _valid(max_radius) -> str:
    return "R > 0" if math.isinf(max_radius) else f"0 < R <= {max_radius!r}"

