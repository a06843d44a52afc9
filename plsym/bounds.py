"""Closed-form upper bounds on a ball B(w0, R), as sympy expressions in the radius R.

=========================  ==========================================  ===========
function                   upper bound, for every w in B(w0, R), of    paper
=========================  ==========================================  ===========
hessian_norm               max_i ||H_{F_i}(w)||_2                      T10, C6
jacobian_norm              ||DF(w)||_2, so L_F                         D5
residual_norm              ||F(w) - y||                                T14
smoothness                 ||H_L(w)||_2, so beta                       D5, C7, C8
two_layer_hessian_bound    ||H_F(W)|| of a two-layer net, C(R)/sqrt m  T19, C22
two_layer_jacobian_bound   ||DF(W)||_2 of a two-layer net              D5, T20
width_for_pl               a width m meeting the T10 criterion         T10, T20
=========================  ==========================================  ===========

What a bound means: ``expr`` is a sympy expression in the radius symbol ``R``,
non-decreasing in R, and for every radius in the stated range (``valid``,
``max_radius``) its value is >= the true supremum over the closed ball. It is
proved by construction (rules below), not searched: compare with
:mod:`plsym.estimate`, whose suprema are attained values, hence lower bounds of
the truth, and with :mod:`plsym.certify`, which proves numbers for one radius by
ball arithmetic on box covers. :meth:`SymbolicBound.evaluate` evaluates ``expr``
in python-flint ``arb`` ball arithmetic and rounds upward, so the float it
returns is itself a bound.

Method (generic systems). Every entry e of DF, of the H_{F_i} or of F is bounded
by recursive rules on its expression tree, over the box [w0 - R, w0 + R], which
contains the ball. Each node gets an enclosure [lo, hi] (lo non-increasing, hi
non-decreasing in R) and a majorant mag >= |e|:

* a parameter w_j: [w0_j - R, w0_j + R], mag |w0_j| + R; a number: itself.
  Floats (w0_j, y_i, constants) become rationals on the 2^-64 grid, rounded
  outward: exact for |x| >= 2^-11, and no rounding error enters anywhere;
* sums add enclosures; products multiply them (exactly when the signs of the
  factors are known, else mag = product of mags); repeated factors become powers;
  odd powers are monotone, even powers lie in [0, mag^k];
* monotone functions map the endpoints (exp, tanh, sinh, atan, asinh, erf, erfc,
  log); |tanh z| <= tanh(mag z), |sin z| <= min(1, mag z), |cos| <= 1;
* negative and fractional powers and log need the base bounded away from 0 (or
  >= 0): when that is not structural (as for 1 + exp(-z)) it becomes a condition
  on R, and the bound holds on the largest range 0 < R <= max_radius where the
  condition is proved (in ball arithmetic); a condition false already at R = 0
  raises :class:`~plsym.errors.InvalidArgument`;
* derivative patterns that plsym's differentiation produces get their known
  constants: 1 - tanh(u)^2 lies in [0, 1]; |tanh(u)^a (1 - tanh(u)^2)^b| <=
  max_t |t|^a (1 - t^2)^b (so |tanh''| = 2 |tanh (1 - tanh^2)| <= 4/(3 sqrt 3));
  exp(u)^a / (c + exp(u))^b <= sup_x x^a / (c + x)^b for b >= a (so
  |sigmoid'| <= 1/4).

The spectral norm of a matrix whose entries are bounded by a majorant matrix M
is at most ||M||_2 (Perron-Frobenius), which is bounded by min(||M||_F, max row
sum of M) for the symmetric Hessians (Frobenius, Gershgorin) and by
min(||M||_F, sqrt(max row sum * max column sum)) for DF.

Method (two-layer networks). f(W; x) = v^T sigma(U x / sqrt d) / sqrt m is
handled in closed form from one neuron template, never entry by entry: see
:func:`two_layer_hessian_bound`.

References
----------
docs/theory.md §1 (symbols), D5, T10, T19, T20, C5-C8, C22.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import defaultdict
from fractions import Fraction

import numpy as np
import sympy
from flint import arb

from . import _compile, interval
from ._diff import Differentiator
from .errors import InvalidArgument, _show, as_real_array, positive_finite
from .system import System

__all__ = [
    "SymbolicBound", "WidthBound", "ACTIVATION_CONSTANTS",
    "hessian_norm", "jacobian_norm", "residual_norm", "smoothness",
    "two_layer_hessian_bound", "two_layer_jacobian_bound", "width_for_pl",
]

# A condition on R that holds up to this radius is reported as holding up to it
# (the search for where it fails stops there).
_RADIUS_CAP = 2.0 ** 40
_EPS = np.finfo(np.float64).eps


# -- results -----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class SymbolicBound:
    """A closed-form upper bound, as a sympy expression in the radius, and how it was built.

    Attributes
    ----------
    quantity : str
        ``"hessian_norm"``, ``"jacobian_norm"``, ``"residual_norm"`` or ``"smoothness"``.
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
    """

    quantity: str
    expr: sympy.Expr
    R: sympy.Symbol
    valid: str
    method: str
    max_radius: float = math.inf
    subs: tuple = ()
    relation: str = "upper"

    def evaluate(self, radius) -> float:
        """The bound at ``radius`` as a float rounded upward (ball arithmetic, then outward).

        Parameters
        ----------
        radius : float
            R > 0, at most ``max_radius``.

        Returns
        -------
        float
            A number >= the exact value of ``expr`` (``inf`` if it could not be enclosed).

        Raises
        ------
        InvalidArgument
            If ``radius`` is not a positive finite number or exceeds ``max_radius``.
        """
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
            "subs": [[str(s), float(v)] for s, v in self.subs],
        }


@dataclasses.dataclass(frozen=True)
class WidthBound:
    """A width at which the T10 criterion holds on B(W0, R) for a two-layer network.

    Attributes
    ----------
    width : int
        The smallest width m (with the data-dependent initialization statistics of
        the given network held fixed, see :func:`width_for_pl`) at which
        ``hessian(R, m) <= (lambda0 - mu) / (2 lipschitz(R, m) sqrt(n) R)`` is proved.
    expr : sympy.Expr
        The closed form m_inf(R) = 4 n R^2 C(R)^2 L_inf^2 / (lambda0 - mu)^2 in the
        symbol ``R``: the width the criterion needs when L_F is replaced by its
        m -> infinity limit L_inf. ``width >= expr`` at the given radius.
    R : sympy.Symbol
    radius, mu, lambda0 : float
        The radius, the PL* constant (D1, D3) and lambda_min(K(W0)).
    n : int
        Number of data points.
    hessian, lipschitz : SymbolicBound
        C(R)/sqrt(m) and the L_F bound, both in R and the width symbol.
    t20 : float
        n R^8 / (lambda0 - mu)^2, T20's rate for L = 1 with its hidden constant
        and log factors set to 1 (for comparison of the scaling only).
    method : str
    """

    width: int
    expr: sympy.Expr
    R: sympy.Symbol
    radius: float
    mu: float
    lambda0: float
    n: int
    hessian: SymbolicBound
    lipschitz: SymbolicBound
    t20: float
    method: str

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {
            "width": self.width, "expr": str(self.expr), "R": str(self.R), "radius": self.radius,
            "mu": self.mu, "lambda0": self.lambda0, "n": self.n, "hessian": self.hessian.to_dict(),
            "lipschitz": self.lipschitz.to_dict(), "t20": self.t20, "method": self.method,
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


# -- enclosures of expression nodes -------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Range:
    """lo <= e <= hi and |e| <= mag on the box; sign +1: lo >= 0, -1: hi <= 0; pos: lo > 0."""

    lo: sympy.Expr
    hi: sympy.Expr
    mag: sympy.Expr
    sign: int = 0
    pos: bool = False


# Floats enter as rationals with denominator at most 2^64, rounded outward: exact for
# every float with |x| >= 2^-11 (53 significant bits), and no giant denominators from
# tiny floats (a subnormal is a rational with a 2^1074 denominator, slow to carry).
_GRID = 2**64


def _outward(x) -> tuple:
    """(lo, hi) rationals on the 2^-64 grid with lo <= x <= hi (equal when x is on the grid)."""
    q = Fraction(float(x)) * _GRID
    lo, hi = math.floor(q), math.ceil(q)
    return sympy.Rational(lo, _GRID), sympy.Rational(hi, _GRID)


def _const_range(c) -> _Range:
    if c.is_Float:
        lo, hi = _outward(c)
        if lo != hi:
            mag = max(abs(lo), abs(hi))
            sign = 1 if lo >= 0 else (-1 if hi <= 0 else 0)
            return _Range(lo, hi, mag, sign, lo > 0)
        c = lo
    if c.is_positive:
        return _Range(c, c, c, 1, True)
    if c.is_negative:
        return _Range(c, c, -c, -1, False)
    if c == 0:
        return _Range(c, c, c, 1, False)
    raise InvalidArgument(f"the constant {c} is not a real number")


_ZERO_RANGE = _Range(sympy.Integer(0), sympy.Integer(0), sympy.Integer(0), 1, False)
_ONE = sympy.Integer(1)

# Odd, increasing functions: [f(lo), f(hi)], |f(e)| <= f(mag e).
_ODD_INCREASING = (sympy.tanh, sympy.sinh, sympy.atan, sympy.asinh, sympy.erf)
_SUPPORTED = "exp, log, tanh, sinh, cosh, atan, asinh, erf, erfc, sin, cos, Abs, powers"


class _Majorant:
    """Enclosures of the nodes of a DAG of expressions in the parameters, over the box.

    ``conditions`` collects (g, strict): the bound needs g(R) > 0 (strict) or >= 0,
    where g is non-increasing in R.
    """

    def __init__(self, params, center, R):
        self.R = R
        self.box = {}
        for p, c in zip(params, center):
            lo, hi = _outward(c)
            self.box[p] = _Range(lo - R, hi + R, max(abs(lo), abs(hi)) + R, 0, False)
        self.memo: dict = {}
        self.conditions: list = []

    # each rule returns a _Range; __call__ memoizes over the DAG
    def __call__(self, e) -> _Range:
        got = self.memo.get(e)
        if got is None:
            got = self._visit(e)
            self.memo[e] = got
        return got

    def _visit(self, e):
        if e in self.box:
            return self.box[e]
        if e.is_Symbol:
            raise InvalidArgument(f"the symbol {e} is not a parameter of the system")
        if e.is_Number or e.is_NumberSymbol:
            return _const_range(e)
        if e.is_Add:
            return self._add(e)
        if e.is_Mul:
            return self._mul(e)
        if e.is_Pow:
            return self._pow(e.args[0], e.args[1], e)
        if isinstance(e, sympy.Function) and len(e.args) == 1:
            return self._function(e)
        raise InvalidArgument(
            f"plsym.bounds has no majorant rule for {type(e).__name__} (in {_show(e)}); supported: {_SUPPORTED}"
        )

    # -- sums ------------------------------------------------------------------------
    def _add(self, e):
        u = _sech2_argument(e)
        if u is not None:  # 1 - tanh(u)^2 in [1 - tanh(mag u)^2, 1]
            T = sympy.tanh(self(u).mag)
            return _Range(1 - _power(T, 2), _ONE, _ONE, 1, True)
        rs = [self(a) for a in e.args]
        lo = sympy.Add(*[r.lo for r in rs])
        hi = sympy.Add(*[r.hi for r in rs])
        if all(r.sign > 0 for r in rs):
            return _Range(lo, hi, hi, 1, any(r.pos for r in rs))
        if all(r.sign < 0 for r in rs):
            return _Range(lo, hi, -lo, -1, False)
        return _Range(lo, hi, _max_inc(self.R, hi, -lo), 0, False)

    # -- products --------------------------------------------------------------------
    def _mul(self, e):
        coeff, powers = _flatten_product(e)
        spread = self._distributable(powers)
        original = dict(powers)
        ranges = []
        # derivative patterns first: they consume the factors they group
        for base, a in list(powers.items()):
            if base in powers and isinstance(base, sympy.tanh) and a >= 1:
                S = _sech2_of(base.args[0], powers)
                if S is not None and powers.get(S, 0) >= 1:
                    ranges.append(self._tanh_group(base.args[0], a, powers.pop(S)))
                    del powers[base]
        for base, a in list(powers.items()):
            if base in powers and isinstance(base, sympy.exp) and a >= 1:
                for den, b in list(powers.items()):
                    c = _logistic_constant(den, base) if den in powers else None
                    if c is not None and -b >= a:
                        ranges.append(self._logistic_group(base, a, den, c, -b))
                        del powers[base], powers[den]
                        break
        for base, k in powers.items():
            ranges.append(self._pow(base, sympy.Integer(k), None) if k != 1 else self(base))
        out = _Range(_ONE, _ONE, _ONE, 1, True)
        for r in ranges:
            out = _times(self.R, out, r)
        out = _scale(out, coeff)
        if spread is not None:
            # a sum whose terms hold a partner of a tanh / logistic factor: bound the
            # distributed sum too (so that the patterns can group), keep the tighter
            out = _intersect(self.R, out, self._distributed(coeff, original, spread))
        return out

    def _distributable(self, powers):
        """A sum factor worth distributing over: it holds exp(u) or tanh(u) while the
        product holds a denominator c + exp(u) or a factor 1 - tanh(u)^2 / tanh(u)."""
        partners = set()
        for base, k in powers.items():
            if k < 0 and base.is_Add and len(base.args) == 2:
                partners.update(a for a in base.args if isinstance(a, sympy.exp))
            u = _sech2_argument(base) if base.is_Add else None
            if u is not None:
                partners.add(sympy.tanh(u))
            if isinstance(base, sympy.tanh):
                partners.add(base)
        if not partners:
            return None
        for base, k in powers.items():
            if k == 1 and base.is_Add and _sech2_argument(base) is None and any(_has(base, p) for p in partners):
                return base
        return None

    def _distributed(self, coeff, powers, spread):
        """The enclosure of sum_t coeff * t * (the other factors) over the terms t of ``spread``."""
        rest = [sympy.Pow(b, k, evaluate=False) if k != 1 else b for b, k in powers.items() if b != spread]
        terms = [sympy.Mul(coeff, t, *rest, evaluate=False) for t in spread.args]
        rs = [self(t) for t in terms]
        lo = sympy.Add(*[r.lo for r in rs])
        hi = sympy.Add(*[r.hi for r in rs])
        mag = sympy.Add(*[r.mag for r in rs])
        if all(r.sign > 0 for r in rs):
            return _Range(lo, hi, hi, 1, any(r.pos for r in rs))
        if all(r.sign < 0 for r in rs):
            return _Range(lo, hi, -lo, -1, False)
        return _Range(lo, hi, _min_inc(self.R, mag, _max_inc(self.R, hi, -lo)), 0, False)

    def _tanh_group(self, u, a, b):
        """|tanh(u)^a (1 - tanh(u)^2)^b| <= min(max_t |t|^a (1 - t^2)^b, tanh(mag u)^a)."""
        s = sympy.Rational(a, a + 2 * b)  # the maximizing t^2
        peak = s ** sympy.Rational(a, 2) * (1 - s) ** b
        mag = _min_inc(self.R, peak, _power(sympy.tanh(self(u).mag), a))
        if a % 2 == 0:
            return _Range(sympy.Integer(0), mag, mag, 1, False)
        return _Range(-mag, mag, mag, 0, False)

    def _logistic_group(self, ex, a, den, c, b):
        """exp(u)^a (c + exp(u))^(-b), b >= a >= 1, c > 0: at most sup_{x>0} x^a / (c + x)^b."""
        if b == a:
            peak = _ONE
        else:
            x = sympy.Rational(a, b - a) * c
            peak = x**a / (c + x) ** b
        re = self(ex)
        plain_hi = _power(re.hi, a) * _power(c + re.lo, -b)  # the product rule's own bound, better for small R
        lo = _power(re.lo, a) * _power(c + re.hi, -b)
        hi = _min_inc(self.R, peak, plain_hi)
        return _Range(lo, hi, hi, 1, True)

    # -- powers ----------------------------------------------------------------------
    def _pow(self, base, k, node):
        if not k.is_number:
            return self._variable_exponent(base, k, node)
        k = sympy.Rational(k) if k.is_Float else k
        if not k.is_Rational:
            raise InvalidArgument(f"plsym.bounds cannot bound the power {_show(node or base**k)} (irrational exponent)")
        r = self(base)
        if k.is_Integer and k > 0:
            kk = int(k)
            if r.sign > 0:
                return _Range(_power(r.lo, kk), _power(r.hi, kk), _power(r.hi, kk), 1, r.pos)
            if r.sign < 0:
                if kk % 2 == 0:
                    return _Range(_power(-r.hi, kk), _power(-r.lo, kk), _power(-r.lo, kk), 1, False)
                return _Range(_power(r.lo, kk), _power(r.hi, kk), _power(-r.lo, kk), -1, False)
            if kk % 2 == 1:  # odd powers are increasing
                return _Range(_power(r.lo, kk), _power(r.hi, kk), _power(r.mag, kk), 0, False)
            return _Range(sympy.Integer(0), _power(r.mag, kk), _power(r.mag, kk), 1, False)
        if k.is_Integer:  # negative: the base must keep its sign on the ball
            kk = int(k)
            what = f"1/({base})" if kk == -1 else f"({base})^{kk}"
            if r.pos or self._positive_at_zero(r.lo):
                if not r.pos:
                    self.conditions.append((r.lo, True, what))
                return _Range(_power(r.hi, kk), _power(r.lo, kk), _power(r.lo, kk), 1, True)
            if self._positive_at_zero(-r.hi):
                self.conditions.append((-r.hi, True, what))
                small, big = _power(-r.lo, kk), _power(-r.hi, kk)  # |base|^k, k < 0, lies in [small, big]
                if kk % 2 == 0:
                    return _Range(small, big, big, 1, True)
                return _Range(-big, -small, big, -1, False)
            raise InvalidArgument(
                f"Cannot bound {_show(what)} on any ball around the center: the enclosure of its base "
                "contains 0 already at R = 0 (negative powers need a base bounded away from 0)"
            )
        # fractional powers are real only for a non-negative base
        what = f"({base})^({k})"
        if k > 0:
            if r.sign <= 0:
                self._require(r.lo, strict=False, what=what)
            return _Range(_power(r.lo, k), _power(r.hi, k), _power(r.hi, k), 1, r.pos)
        if not r.pos:
            self._require(r.lo, strict=True, what=what)
        return _Range(_power(r.hi, k), _power(r.lo, k), _power(r.lo, k), 1, True)

    def _variable_exponent(self, base, k, node):
        if not (base.is_number and base.is_positive):
            raise InvalidArgument(
                f"plsym.bounds cannot bound the power {_show(node or base**k)}: a variable exponent "
                "needs a positive constant base"
            )
        L = sympy.log(base)
        r = self(k)
        lo, hi = (L * r.lo, L * r.hi) if L >= 0 else (L * r.hi, L * r.lo)
        return _Range(sympy.exp(lo), sympy.exp(hi), sympy.exp(hi), 1, True)

    # -- functions -------------------------------------------------------------------
    def _function(self, e):
        f, u = e.func, e.args[0]
        if f is sympy.exp:
            r = self(u)
            return _Range(sympy.exp(r.lo), sympy.exp(r.hi), sympy.exp(r.hi), 1, True)
        if f in _ODD_INCREASING:
            r = self(u)
            return _Range(f(r.lo), f(r.hi), f(r.mag), r.sign, r.pos)
        if f is sympy.erfc:  # decreasing, positive
            r = self(u)
            return _Range(sympy.erfc(r.hi), sympy.erfc(r.lo), sympy.erfc(r.lo), 1, True)
        if f is sympy.cosh:
            r = self(u)
            return _Range(_ONE, sympy.cosh(r.mag), sympy.cosh(r.mag), 1, True)
        if f is sympy.sin:
            mag = _min_inc(self.R, _ONE, self(u).mag)
            return _Range(-mag, mag, mag, 0, False)
        if f is sympy.cos:
            return _Range(-_ONE, _ONE, _ONE, 0, False)
        if f is sympy.Abs:
            r = self(u)
            return _Range(sympy.Integer(0), r.mag, r.mag, 1, r.pos)
        if f is sympy.log:
            r = self(u)
            if not r.pos:
                self._require(r.lo, strict=True, what=f"log({u})")
            lo, hi = sympy.log(r.lo), sympy.log(r.hi)
            return _Range(lo, hi, _max_inc(self.R, hi, -lo), 0, False)
        raise InvalidArgument(
            f"plsym.bounds has no majorant rule for the function {f.__name__} (in {_show(e)}); "
            f"supported: {_SUPPORTED}"
        )

    # -- conditions on R ---------------------------------------------------------------
    def _positive_at_zero(self, g):
        return _lower_at(g, self.R, 0.0) > 0

    def _require(self, g, *, strict, what):
        """Record that g(R) > 0 (or >= 0) is needed, g non-increasing; refuse if false at R = 0."""
        at0 = _lower_at(g, self.R, 0.0)
        if not (at0 > 0 or (not strict and at0 >= 0)):
            raise InvalidArgument(
                f"Cannot bound {_show(what)} on any ball around the center: its argument is not provably "
                f"{'> 0' if strict else '>= 0'} even at R = 0 (lower bound {at0:.3g})"
            )
        self.conditions.append((g, strict, what))


def _times(R, A: _Range, B: _Range) -> _Range:
    """Enclosure of a product from the factors' enclosures (exact when the signs are known)."""
    if A.lo == A.hi and not _has(A.lo, R):  # a constant factor
        return _scale(B, A.lo)
    if B.lo == B.hi and not _has(B.lo, R):
        return _scale(A, B.lo)
    order = {1: 0, -1: 1, 0: 2}
    if order[B.sign] < order[A.sign]:
        A, B = B, A  # the factor of known sign first, >= 0 preferred
    if A.sign > 0 and B.sign > 0:
        return _Range(A.lo * B.lo, A.hi * B.hi, A.hi * B.hi, 1, A.pos and B.pos)
    if A.sign > 0 and B.sign < 0:
        return _Range(A.hi * B.lo, A.lo * B.hi, -A.hi * B.lo, -1, False)
    if A.sign < 0 and B.sign < 0:
        return _Range(A.hi * B.hi, A.lo * B.lo, A.lo * B.lo, 1, False)
    if A.sign > 0:  # B of unknown sign: for a >= 0 fixed, a y is extreme at y = B.lo, B.hi
        lo = _extreme(R, sympy.Min, A.lo * B.lo, A.hi * B.lo)
        hi = _extreme(R, sympy.Max, A.lo * B.hi, A.hi * B.hi)
        return _Range(lo, hi, A.hi * B.mag, 0, False)
    if A.sign < 0:
        neg = _times(R, _scale(A, -1), B)
        return _scale(neg, -1)
    # unknown signs: the exact interval product (its endpoints are monotone in R,
    # as the enclosures are nested), with the simpler product of majorants as mag
    ends = (A.lo * B.lo, A.lo * B.hi, A.hi * B.lo, A.hi * B.hi)
    return _Range(_extreme(R, sympy.Min, *ends), _extreme(R, sympy.Max, *ends), A.mag * B.mag, 0, False)


def _extreme(R, op, *xs):
    """op (sympy.Max or Min) of expressions without assuming monotonicity: numbers merged, rest kept."""
    xs = list(dict.fromkeys(xs))
    nums = [x for x in xs if not _has(x, R)]
    rest = [x for x in xs if _has(x, R)]
    if nums:
        rest.append(op(*nums))
    return _lattice(op, rest)


def _intersect(R, A: _Range, B: _Range) -> _Range:
    """Both enclosures hold: the tighter endpoints of each (monotonicity is kept)."""
    lo = -_min_inc(R, -A.lo, -B.lo)  # max of non-increasing functions
    hi = _min_inc(R, A.hi, B.hi)
    mag = _min_inc(R, A.mag, B.mag)
    sign = A.sign if A.sign != 0 else B.sign
    return _Range(lo, hi, mag, sign, A.pos or B.pos)


def _scale(r: _Range, c) -> _Range:
    """c * r for an exact number c."""
    if c == 0:
        return _ZERO_RANGE
    if c == 1:
        return r
    if c > 0:
        return _Range(c * r.lo, c * r.hi, c * r.mag, r.sign, r.pos)
    return _Range(c * r.hi, c * r.lo, -c * r.mag, -r.sign, False)


def _flatten_product(e):
    """(number, {base: integer power}) of a possibly nested, unevaluated product."""
    coeff = sympy.Integer(1)
    powers: dict = defaultdict(int)
    stack = [(e, 1)]
    while stack:
        f, k = stack.pop()
        if f.is_Mul:
            stack.extend((a, k) for a in f.args)
        elif f.is_Number and not (f.is_Float and _outward(f)[0] != _outward(f)[1]):
            coeff *= (_outward(f)[0] if f.is_Float else f) ** k
        elif f.is_Pow and f.args[1].is_Integer and f.args[0].is_Mul:
            stack.extend((a, k * int(f.args[1])) for a in f.args[0].args)
        elif f.is_Pow and f.args[1].is_Integer:
            powers[f.args[0]] += k * int(f.args[1])
        else:
            powers[f] += k
    return coeff, {b: k for b, k in powers.items() if k != 0}


def _sech2_argument(e):
    """u when e is 1 - tanh(u)^2 (as sympy's derivative of tanh is written), else None."""
    if not e.is_Add or len(e.args) != 2:
        return None
    one, rest = (e.args if e.args[0] == 1 else e.args[::-1])
    if one != 1 or not rest.is_Mul or len(rest.args) != 2 or rest.args[0] != -1:
        return None
    sq = rest.args[1]
    if sq.is_Pow and sq.args[1] == 2 and isinstance(sq.args[0], sympy.tanh):
        return sq.args[0].args[0]
    return None


def _sech2_of(u, powers):
    """The factor 1 - tanh(u)^2 among the bases of a product, or None."""
    for base in powers:
        if base.is_Add and _sech2_argument(base) == u:
            return base
    return None


def _logistic_constant(den, ex):
    """c when den is c + exp(u) with c > 0 a number and ex = exp(u), else None."""
    if not den.is_Add or len(den.args) != 2 or ex not in den.args:
        return None
    c = den.args[0] if den.args[1] == ex else den.args[1]
    if c.is_Number and c.is_positive and not (c.is_Float and _outward(c)[0] != _outward(c)[1]):
        return _outward(c)[0] if c.is_Float else c
    return None


# -- setup shared by the public functions -------------------------------------------------

class _Context:
    """The symbolic pieces of a system, its center, the radius symbol and the majorant rules."""

    def __init__(self, system, center, R):
        if not isinstance(system, System):
            raise InvalidArgument(f"system={_show(system)} must be a plsym.System")
        try:
            params, outputs = system.params, system.outputs
        except InvalidArgument as exc:
            raise InvalidArgument(f"plsym.bounds needs a symbolic system: {exc}") from None
        if center is None:
            if system.w0 is None:
                raise InvalidArgument("center=None needs a system with w0; give the center of the ball")
            center = system.w0
        center = as_real_array("center", center, shape=(system.m,))
        self.system = system
        self.R = _radius_symbol(R)
        self.real = tuple(sympy.Dummy(p.name, real=True) for p in params)
        self.outputs = [sympy.sympify(f, strict=True).xreplace(dict(zip(params, self.real))) for f in outputs]
        self.differ = Differentiator()
        self.bound = _Majorant(self.real, center, self.R)
        self._grads = None

    @property
    def grads(self):
        if self._grads is None:
            self._grads = _compile.gradients(self.outputs, list(self.real), self.differ)
        return self._grads

    def output_hessian_bounds(self):
        """Per output, a bound of ||H_{F_i}||_2: min(Frobenius, Gershgorin) of the majorant matrix."""
        self.system._require_smooth()
        entries = _compile.hessian_entries(self.grads, list(self.real), self.differ)
        out = []
        for row in entries:
            if not row:
                out.append(sympy.Integer(0))
                continue
            sums: dict = defaultdict(list)
            squares = []
            for j, k, d in row:
                M = self.bound(d).mag
                sums[j].append(M)
                squares.append(_power(M, 2) if j == k else 2 * _power(M, 2))
                if j != k:
                    sums[k].append(M)
            fro = _root(sympy.Add(*squares))
            gersh = _max_inc(self.R, *[sympy.Add(*v) for v in sums.values()])
            out.append(_min_inc(self.R, fro, gersh))
        return out

    def jacobian_bound(self):
        """A bound of ||DF||_2: min(Frobenius, sqrt(max row sum * max column sum)) of the majorant."""
        rows, cols, squares = [], defaultdict(list), []
        for row in self.grads:
            mags = []
            for j, d in row:
                M = self.bound(d).mag
                mags.append(M)
                cols[j].append(M)
                squares.append(_power(M, 2))
            rows.append(sympy.Add(*mags))
        if not squares:
            return sympy.Integer(0)
        fro = _root(sympy.Add(*squares))
        mixed = _root(_max_inc(self.R, *rows) * _max_inc(self.R, *[sympy.Add(*c) for c in cols.values()]))
        return _min_inc(self.R, fro, mixed)

    def residual_bound(self):
        """A bound of ||F - y||: sqrt(sum_i max(hi_i - y_i, y_i - lo_i)^2)."""
        terms = []
        for f, y in zip(self.outputs, self.system.y):
            r = self.bound(f)
            y_lo, y_hi = _outward(y)
            terms.append(_power(_max_inc(self.R, r.hi - y_lo, y_hi - r.lo), 2))
        return _root(sympy.Add(*terms))

    def result(self, quantity, expr, method):
        max_radius = _max_radius(self.bound.conditions, self.R)
        return SymbolicBound(quantity=quantity, expr=expr, R=self.R, valid=_valid(max_radius),
                             method=method, max_radius=max_radius)


def _radius_symbol(R):
    """The radius symbol: ``R``, or a new positive ``R`` when None."""
    if R is None:
        return sympy.Symbol("R", positive=True)
    if not isinstance(R, sympy.Symbol) or R.is_positive is not True:
        raise InvalidArgument(
            f"R={_show(R)} must be a sympy Symbol declared positive, such as sympy.Symbol('R', positive=True)"
        )
    return R


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


_MAJORANT = "entrywise majorant"


def hessian_norm(system, center=None, R=None) -> SymbolicBound:
    """An upper bound of sup over B(w0, R) of ||H_F(w)|| := max_i ||H_{F_i}(w)||_2, as an expression in R.

    Parameters
    ----------
    system : plsym.System
        A symbolic system (sympy ``outputs`` and ``params``), twice differentiable.
    center : array_like, shape (m,), optional
        The center w0 of the ball; ``system.w0`` when None.
    R : sympy.Symbol, optional
        The radius symbol; ``sympy.Symbol("R", positive=True)`` when None.

    Returns
    -------
    SymbolicBound
        ``expr`` >= sup_{B(w0, R)} max_i ||H_{F_i}||_2 for every R in ``valid``.

    Raises
    ------
    InvalidArgument
        If the system has no symbolic form or is not twice differentiable, an
        expression uses a function without a majorant rule, or a log / negative
        power cannot be bounded on any ball around the center.

    Notes
    -----
    Each H_{F_i} is bounded entrywise by a majorant matrix M (see the module
    docstring); ||H_{F_i}||_2 <= ||M||_2 <= min(||M||_F, max_j sum_k M_jk). The
    quantity is the one of the T10 criterion.

    References
    ----------
    docs/theory.md T10, C6.

    Examples
    --------
    >>> from plsym import bounds
    >>> from plsym.systems import product, sphere
    >>> bounds.hessian_norm(product(2.9)).expr
    1
    >>> bounds.hessian_norm(sphere(3), [1.0, 0.0, 0.0]).expr
    2
    """
    ctx = _Context(system, center, R)
    expr = _max_inc(ctx.R, *ctx.output_hessian_bounds())
    return ctx.result("hessian_norm", expr, f"{_MAJORANT} + min(Frobenius, Gershgorin)")


def jacobian_norm(system, center=None, R=None) -> SymbolicBound:
    """An upper bound of L_F = sup over B(w0, R) of ||DF(w)||_2, as an expression in R.

    Parameters
    ----------
    system : plsym.System
        A symbolic system.
    center : array_like, shape (m,), optional
        The center w0; ``system.w0`` when None.
    R : sympy.Symbol, optional
        The radius symbol; ``sympy.Symbol("R", positive=True)`` when None.

    Returns
    -------
    SymbolicBound

    Raises
    ------
    InvalidArgument
        As :func:`hessian_norm` (smoothness is not needed).

    Notes
    -----
    With M >= |DF| entrywise, ||DF||_2 <= ||M||_2 <= min(||M||_F, sqrt(||M||_1 ||M||_inf)).
    On the convex ball this bounds the Lipschitz constant L_F of D5.

    References
    ----------
    docs/theory.md D5 (L_F), T10, T14.

    Examples
    --------
    >>> from plsym import bounds
    >>> from plsym.systems import product
    >>> b = bounds.jacobian_norm(product(2.9))
    >>> round(b.evaluate(0.5), 4)  # true sup: sqrt(10) + 0.5 = 3.6623
    3.8079
    """
    ctx = _Context(system, center, R)
    return ctx.result("jacobian_norm", ctx.jacobian_bound(),
                      f"{_MAJORANT} + min(Frobenius, sqrt(row sum * column sum))")


def residual_norm(system, center=None, R=None) -> SymbolicBound:
    """An upper bound of sup over B(w0, R) of ||F(w) - y||, as an expression in R.

    Parameters
    ----------
    system : plsym.System
        A symbolic system.
    center : array_like, shape (m,), optional
        The center w0; ``system.w0`` when None.
    R : sympy.Symbol, optional
        The radius symbol; ``sympy.Symbol("R", positive=True)`` when None.

    Returns
    -------
    SymbolicBound

    Raises
    ------
    InvalidArgument
        As :func:`jacobian_norm`.

    Notes
    -----
    Each F_i is enclosed in [lo_i, hi_i]; ||F - y|| <= sqrt(sum_i max(hi_i - y_i, y_i - lo_i)^2).

    References
    ----------
    docs/theory.md T14 (sup ||F - y|| in the smoothness bound), C8.

    Examples
    --------
    >>> from plsym import bounds
    >>> from plsym.systems import sphere
    >>> bounds.residual_norm(sphere(2), [0.0, 0.0]).expr  # ||w||^2 - 1 on B(0, R)
    Max(1, 2*R**2 - 1)
    """
    ctx = _Context(system, center, R)
    return ctx.result("residual_norm", ctx.residual_bound(), f"{_MAJORANT} (enclosures of F_i - y_i)")


def smoothness(system, center=None, R=None) -> SymbolicBound:
    """An upper bound of beta = sup over B(w0, R) of ||H_L(w)||_2, as an expression in R.

    Parameters
    ----------
    system : plsym.System
        A symbolic, twice differentiable system.
    center : array_like, shape (m,), optional
        The center w0; ``system.w0`` when None.
    R : sympy.Symbol, optional
        The radius symbol; ``sympy.Symbol("R", positive=True)`` when None.

    Returns
    -------
    SymbolicBound

    Raises
    ------
    InvalidArgument
        As :func:`hessian_norm`.

    Notes
    -----
    H_L = DF^T DF + sum_i r_i H_{F_i} (C8), so ||H_L|| <= L_F^2 + ||r|| beta_F with
    beta_F <= sqrt(sum_i ||H_{F_i}||^2) (C7, Cauchy-Schwarz); each factor is
    bounded as in :func:`jacobian_norm`, :func:`residual_norm`, :func:`hessian_norm`.

    References
    ----------
    docs/theory.md D5, C7, C8, T14 (the step size eta <= 1/beta).

    Examples
    --------
    >>> import plsym
    >>> from plsym import bounds
    >>> from plsym.systems import product
    >>> b = bounds.smoothness(product(2.9))
    >>> b.evaluate(0.5) >= plsym.estimate.smoothness(product(2.9), plsym.Ball([3.0, 1.0], 0.5)).value
    True
    """
    ctx = _Context(system, center, R)
    L = ctx.jacobian_bound()
    hs = ctx.output_hessian_bounds()
    beta_F = _root(sympy.Add(*[_power(h, 2) for h in hs]))
    expr = _power(L, 2) + ctx.residual_bound() * beta_F
    return ctx.result("smoothness", expr, f"L_F^2 + sup||F - y|| sqrt(sum_i ||H_i||^2) (C7, C8), {_MAJORANT}")


# -- two-layer networks ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _ActivationConstants:
    """sigma(0), sup|sigma| (None: unbounded), sup|sigma'| and sup|sigma''| as exact sympy numbers."""

    sigma0: sympy.Expr
    c0: sympy.Expr | None
    c1: sympy.Expr
    c2: sympy.Expr


#: Exact constants of the registered smooth activations (``relu`` is not twice
#: differentiable and has none). tanh: sigma'' = -2 t (1 - t^2), t = tanh z, peaks at
#: t^2 = 1/3; sigmoid: sigma'' = s (1 - s)(1 - 2 s) peaks at 1/(6 sqrt 3); softplus:
#: sigma' = sigmoid, sigma'' = sigmoid'; gelu: sigma' = Phi + z phi peaks at z = sqrt 2,
#: sigma'' = (2 - z^2) phi peaks at z = 0.
ACTIVATION_CONSTANTS = {
    "tanh": _ActivationConstants(sympy.Integer(0), _ONE, _ONE, 4 * sympy.sqrt(3) / 9),
    "sigmoid": _ActivationConstants(sympy.Rational(1, 2), _ONE, sympy.Rational(1, 4), sympy.sqrt(3) / 18),
    "softplus": _ActivationConstants(sympy.log(2), None, _ONE, sympy.Rational(1, 4)),
    "sin": _ActivationConstants(sympy.Integer(0), _ONE, _ONE, _ONE),
    "gelu": _ActivationConstants(sympy.Integer(0), None,
                                 (1 + sympy.erf(1)) / 2 + sympy.exp(-1) / sympy.sqrt(sympy.pi),
                                 sympy.sqrt(2 / sympy.pi)),
    "identity": _ActivationConstants(sympy.Integer(0), None, _ONE, sympy.Integer(0)),
}


@functools.lru_cache(maxsize=None)
def _neuron_template():
    """The per-neuron Hessian block and its spectral norm, derived with sympy.

    f_r = v sigma(s t) / sqrt(m) depends on u_r only through t = u_r . xhat / s
    (s = ||xhat||), so the Hessian of f on (u_r, v_r) is zero off span{xhat/s, e_v}
    and on it equals the Hessian of the template in (t, v):
    [[v s^2 sigma''/sqrt m, s sigma'/sqrt m], [s sigma'/sqrt m, 0]]. Its spectral
    norm, for [[p, q], [q, 0]] with p >= 0, is the larger eigenvalue
    (p + sqrt(p^2 + 4 q^2)) / 2 (the eigenvalues sum to p >= 0), non-decreasing in p and |q|.

    Returns (v, s, m, d1, d2, H, p, q, norm) with d1, d2 standing for sigma', sigma''.
    """
    t, v, s, m = sympy.symbols("t v s m", positive=True)
    d1, d2 = sympy.symbols("d1 d2", real=True)
    sigma = sympy.Function("sigma")
    H = sympy.hessian(v * sigma(s * t) / sympy.sqrt(m), (t, v))
    H = H.replace(lambda e: isinstance(e, sympy.Subs),
                  lambda e: {1: d1, 2: d2}[e.expr.derivative_count])
    p, q = sympy.symbols("p q", nonnegative=True)
    eigs = list(sympy.Matrix([[p, q], [q, 0]]).eigenvals())
    norm = max(eigs, key=lambda e: float(e.subs({p: 1, q: 1})))
    return v, s, m, d1, d2, H, p, q, norm


def _two_layer_parts(system, name="system"):
    """Checks and returns (activation constants, U0, v0, X, width, d) of a two-layer linear-output net."""
    from .systems.network import NetworkSystem

    if not isinstance(system, NetworkSystem):
        raise InvalidArgument(f"{name}={_show(system)} must be a plsym NetworkSystem (plsym.systems.network.network)")
    if system.depth != 1:
        raise InvalidArgument(
            f"{name} has depth L={system.depth}; the two-layer bound needs one hidden layer (widths=[m])"
        )
    if system.output is not None:
        raise InvalidArgument(
            f"{name} has output={system.output!r}; the two-layer bound needs a linear output (output=None): "
            "a non-linear output makes ||H_f|| = Theta(1) (T13)"
        )
    consts = ACTIVATION_CONSTANTS.get(system.activation)
    if consts is None:
        raise InvalidArgument(
            f"{name} has activation={system.activation!r}, which is not twice differentiable; the two-layer "
            f"bound needs one of {', '.join(map(repr, ACTIVATION_CONSTANTS))}"
        )
    U0, v0 = system.unflatten(system.w0)
    width, d = system.layer_shapes[0]
    return consts, U0, v0[0], system.X, width, d


def _round_up(x, terms=1) -> sympy.Rational:
    """A short decimal rational >= x, where x is a float computed with about ``terms`` roundings."""
    q = Fraction(float(x)) * (1 + Fraction(64 * max(terms, 1)) * Fraction(_EPS))
    if q <= 0:
        return sympy.Integer(0)
    scale = 10 ** max(0, 6 - int(math.floor(math.log10(float(q)))))  # 7 significant digits
    return sympy.Rational(math.ceil(q * scale), scale)


def _width_symbol(m, width):
    """(symbol or number used for the width in expressions, subs for evaluation)."""
    if m is None:
        return sympy.Integer(width), ()
    if not isinstance(m, sympy.Symbol):
        raise InvalidArgument(f"m={_show(m)} must be None (the actual width) or a sympy Symbol")
    return m, ((m, width),)


def two_layer_hessian_bound(system, R=None, *, m=None) -> SymbolicBound:
    """The two-layer bound ||H_F(W)|| <= C(R) / sqrt(m) on B(W0, R), in closed form (T19).

    Parameters
    ----------
    system : plsym.systems.network.NetworkSystem
        A two-layer network f = v^T sigma(U x / sqrt d) / sqrt m with a linear
        output and a smooth activation; W0 is ``system.w0``.
    R : sympy.Symbol, optional
        The radius symbol; ``sympy.Symbol("R", positive=True)`` when None.
    m : sympy.Symbol, optional
        A symbol for the width; None puts the actual width in the expression.
        Either way :meth:`SymbolicBound.evaluate` uses the actual width.

    Returns
    -------
    SymbolicBound
        ``expr`` = C(R) / sqrt(m) with
        C(R) = (P + sqrt(P^2 + 4 Q^2)) / 2, P = (V0 + R) c2 s^2, Q = c1 s,
        so C(R) <= (V0 + R) c2 s^2 + c1 s.

    Raises
    ------
    InvalidArgument
        If the system is not a two-layer linear-output network with an activation
        of :data:`ACTIVATION_CONSTANTS`.

    Notes
    -----
    H_f is block diagonal over neurons r; block r on (u_r, v_r) is
    [[a_r xhat xhat^T, b_r xhat], [b_r xhat^T, 0]], a_r = v_r sigma''(z_r)/sqrt m,
    b_r = sigma'(z_r)/sqrt m, xhat = x/sqrt d, so ||H_f|| = max_r of the norm of
    [[a_r s^2, b_r s], [b_r s, 0]], s = ||xhat|| (derived with sympy from one neuron
    template). On the ball |v_r| <= |v_r(0)| + R, |sigma'| <= c1, |sigma''| <= c2
    (:data:`ACTIVATION_CONSTANTS`); the norm is non-decreasing in |a_r| and |b_r|,
    and s is maximized over the data: s^2 = max_i ||x_i||^2 / d. The constants
    V0 = max_r |v_r(0)| and s^2 are read from the actual W0 and X and rounded up.

    For W0 ~ N(0, I), V0 grows like sqrt(2 log m) with the width: the bound is
    O(sqrt(log m) / sqrt(m)) for fixed R, the O~(1/sqrt m) of T19 with its log
    factor explicit, and linear in R (T19 allows R^{3L} = R^3 for L = 1).

    References
    ----------
    docs/theory.md T19, C22, D8.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym import bounds
    >>> from plsym.systems.network import network
    >>> net = network(np.eye(2), [1.0, -1.0], [512])
    >>> b = bounds.two_layer_hessian_bound(net)
    >>> bool(b.evaluate(1.0) >= net.hessian_norm(net.w0))
    True
    """
    consts, U0, v0, X, width, d = _two_layer_parts(system)
    Rs = _radius_symbol(R)
    msym, subs = _width_symbol(m, width)
    V0 = _round_up(np.max(np.abs(v0)))
    s2 = _round_up(np.max(np.sum(X**2, axis=1)) / d, terms=d + 2)
    v, s, mt, d1, d2, H, p, q, norm = _neuron_template()
    # majorize the template entries: every factor is replaced by an upper bound of its |.|
    # at m = 1; the block norm is positively homogeneous and P, Q scale as 1/sqrt(m)
    at = {v: V0 + Rs, s: sympy.sqrt(s2), mt: _ONE, d1: consts.c1, d2: consts.c2}
    P, Q = H[0, 0].xreplace(at), H[0, 1].xreplace(at)
    if H[1, 1] != 0:  # the template's structure, as derived: no v-v curvature
        raise AssertionError("two-layer neuron template: unexpected nonzero d^2 f / d v^2")
    expr = norm.xreplace({p: P, q: Q}) / sympy.sqrt(msym)
    return SymbolicBound(
        quantity="hessian_norm", expr=expr, R=Rs, valid="R > 0",
        method=f"two-layer block closed form (T19): V0 = max|v(0)| = {float(V0):.6g}, "
               f"s^2 = max||x||^2/d = {float(s2):.6g}, activation {system.activation!r}",
        subs=subs,
    )


def _two_layer_lipschitz_expr(system, Rs, msym):
    """The L_F bound of :func:`two_layer_jacobian_bound` and its m -> infinity limit."""
    consts, U0, v0, X, width, d = _two_layer_parts(system)
    Xhat = X / np.sqrt(d)
    s2 = np.sum(Xhat**2, axis=1)
    # ||U0 xhat_i|| / sqrt m (about s_i at init), plus the worst rounding of the product
    # U0 xhat_i (which may cancel): (d + 2) eps ||U0||_F ||xhat_i|| per vector, doubled
    alpha = (np.linalg.norm(Xhat @ U0.T, axis=1)
             + 2 * (d + 2) * _EPS * np.linalg.norm(U0) * np.sqrt(s2)) / np.sqrt(width)
    nu = _round_up(np.linalg.norm(v0) / np.sqrt(width), terms=width + 2)  # ||v0|| / sqrt m, ~ 1
    c1, sig0 = consts.c1, abs(consts.sigma0)
    root = sympy.sqrt(msym)
    total, limit = [], []
    for s2_i, a_i in zip(s2, alpha):
        s_i = sympy.sqrt(_round_up(s2_i, terms=d + 2))
        a_i = _round_up(a_i, terms=width * d + 4)
        first = (sig0 + c1 * (a_i + Rs * s_i / root)) ** 2  # (1/m) sum_r sigma(z_r)^2
        first_inf = (sig0 + c1 * a_i) ** 2
        if consts.c0 is not None:
            first = sympy.Min(consts.c0**2, first)
            first_inf = sympy.Min(consts.c0**2, first_inf)
        second = c1**2 * s_i**2 * (nu + Rs / root) ** 2  # (1/m) s^2 sum_r v_r^2 sigma'(z_r)^2
        total.append(first + second)
        limit.append(first_inf + c1**2 * s_i**2 * nu**2)
    return sympy.sqrt(sympy.Add(*total)), sympy.sqrt(sympy.Add(*limit))


def two_layer_jacobian_bound(system, R=None, *, m=None) -> SymbolicBound:
    """An upper bound of L_F = sup ||DF(W)||_2 on B(W0, R) for a two-layer network, in closed form.

    Parameters
    ----------
    system : plsym.systems.network.NetworkSystem
        A two-layer network with a linear output and an activation of
        :data:`ACTIVATION_CONSTANTS`.
    R : sympy.Symbol, optional
        The radius symbol; ``sympy.Symbol("R", positive=True)`` when None.
    m : sympy.Symbol, optional
        A symbol for the width; None puts the actual width in the expression.

    Returns
    -------
    SymbolicBound
        ``expr`` = sqrt(sum_i [A_i(R, m) + c1^2 s_i^2 (nu + R/sqrt m)^2]) with
        A_i = (|sigma(0)| + c1 (alpha_i + R s_i / sqrt m))^2, capped by sup sigma^2
        for bounded activations.

    Raises
    ------
    InvalidArgument
        As :func:`two_layer_hessian_bound`.

    Notes
    -----
    ||DF||_2 <= ||DF||_F and ||grad f(x_i)||^2 = (1/m) sum_r sigma(z_r)^2 +
    (s_i^2/m) sum_r v_r^2 sigma'(z_r)^2 with z = U xhat_i. On the ball
    ||U xhat_i|| <= ||U0 xhat_i|| + R s_i and ||v|| <= ||v0|| + R, and
    |sigma(z)| <= |sigma(0)| + c1 |z|. The statistics alpha_i = ||U0 xhat_i||/sqrt m
    (about s_i) and nu = ||v0||/sqrt m (about 1) come from the actual W0, rounded up.
    The bound is O(sqrt n) as m grows, not O(1): the caveat of T20 in the paper.

    References
    ----------
    docs/theory.md D5, T20 (caveat on L_F), C5.
    """
    width = _two_layer_parts(system)[4]
    Rs = _radius_symbol(R)
    msym, subs = _width_symbol(m, width)
    expr, _ = _two_layer_lipschitz_expr(system, Rs, msym)
    return SymbolicBound(quantity="jacobian_norm", expr=expr, R=Rs, valid="R > 0",
                         method="two-layer closed form: Frobenius of per-sample gradients", subs=subs)


@functools.lru_cache(maxsize=None)
def _criterion_symbols():
    return sympy.symbols("C L g n m", positive=True)


@functools.lru_cache(maxsize=None)
def _criterion_solution():
    """m solving the T10 criterion with equality, C / sqrt(m) = g / (2 L sqrt(n) R), by sympy."""
    C, L, g, n, m = _criterion_symbols()
    R = sympy.Symbol("R", positive=True)
    (sol,) = sympy.solve(sympy.Eq(C / sympy.sqrt(m), g / (2 * L * sympy.sqrt(n) * R)), m)
    return sol  # 4 C^2 L^2 n R^2 / g^2


def width_for_pl(system, R, mu, *, lambda0=None) -> WidthBound:
    """A width m at which the T10 criterion proves mu-uniform conditioning on B(W0, R) (T20, L = 1).

    Parameters
    ----------
    system : plsym.systems.network.NetworkSystem
        A two-layer network with a linear output and a smooth activation; its
        data, W0 and width supply the statistics below.
    R : float
        The radius R > 0 of the ball.
    mu : float
        The target PL* / uniform-conditioning constant mu (D1, D3), 0 < mu < lambda0.
    lambda0 : float, optional
        lambda_min(K(W0)); computed (in floating point) from ``system`` when None.

    Returns
    -------
    WidthBound

    Raises
    ------
    InvalidArgument
        For a non-positive R or mu, mu >= lambda0, or a system as refused by
        :func:`two_layer_hessian_bound`.

    Notes
    -----
    T10 / C6: if sup_B ||H_F|| <= (lambda0 - mu) / (2 L_F sqrt(n) R), then
    lambda_min(K) >= mu on B(W0, R). With ||H_F|| <= C(R)/sqrt(m)
    (:func:`two_layer_hessian_bound`) and L_F <= L(R, m)
    (:func:`two_layer_jacobian_bound`, non-increasing in m), the criterion reads
    sqrt(m) (lambda0 - mu) >= 2 sqrt(n) R C(R) L(R, m). ``width`` is the smallest
    integer where it is proved in ball arithmetic; ``expr`` is the sympy solution
    for m with L replaced by its m -> infinity limit L_inf:

        m_inf(R) = 4 n R^2 C(R)^2 L_inf^2 / (lambda0 - mu)^2  <=  width.

    Compare T20 for L = 1: m = Omega~(n R^8 / (lambda0 - mu)^2). Here C(R) is
    linear in R (not R^3), so m grows like R^4 for large R (like R^2 for small R);
    L_inf^2 = sum_i [(|sigma(0)| + c1 alpha_i)^2 + c1^2 s_i^2 nu^2] (alpha_i ~ s_i,
    nu ~ 1 at initialization; see :func:`two_layer_jacobian_bound`) is of order n, so m
    grows like n^2 at fixed data scale, where T20 treats L_F as O(1) and gets n.
    Both grow like (lambda0 - mu)^-2.

    What is held fixed. V0 = max_r |v_r(0)|, ||v0||/sqrt m and ||U0 x_i||/sqrt m are
    read from the given W0 and kept when m changes, and lambda0 is taken as
    width-independent (its NTK limit). For a fresh N(0, 1) initialization at width
    m, V0 ~ sqrt(2 log m): through C(R)^2 the width then needed grows by at most
    the factor ((sqrt(2 log m) + R) / (V0 + R))^2 (the other statistics move by
    O(1/sqrt m)), the log factor hidden in T20's Omega~. The criterion is proved
    for the given network itself only at its own width.

    References
    ----------
    docs/theory.md T10, C6, T19, T20, C22.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym import bounds
    >>> from plsym.systems.network import network
    >>> X = np.random.default_rng(0).standard_normal((4, 3))
    >>> net = network(X, np.zeros(4), [64], seed=0)
    >>> wb = bounds.width_for_pl(net, 0.5, 0.1, lambda0=0.5)
    >>> wb.width >= float(wb.expr.subs(wb.R, 0.5))
    True
    """
    consts, U0, v0, X, width, d = _two_layer_parts(system)
    radius = positive_finite("R", R)
    mu = positive_finite("mu", mu)
    if lambda0 is None:
        lambda0 = float(np.linalg.eigvalsh(system.kernel(system.w0))[0])
    lambda0 = positive_finite("lambda0", lambda0)
    if not mu < lambda0:
        raise InvalidArgument(f"Cannot have mu={mu!r} >= lambda0={lambda0!r}; T10 needs 0 < mu < lambda0")
    n = system.n
    Rs = sympy.Symbol("R", positive=True)
    msym = sympy.Symbol("m", positive=True)
    hess = two_layer_hessian_bound(system, Rs, m=msym)
    lip_expr, lip_inf = _two_layer_lipschitz_expr(system, Rs, msym)
    lip = SymbolicBound(quantity="jacobian_norm", expr=lip_expr, R=Rs, valid="R > 0",
                        method="two-layer closed form: Frobenius of per-sample gradients", subs=((msym, width),))
    gap = sympy.Rational(lambda0) - sympy.Rational(mu)  # exact in the floats given
    C = hess.expr.xreplace({msym: _ONE})  # hess.expr = C(R) / sqrt(m)
    Cs, Ls, gs, ns, ms = _criterion_symbols()
    m_inf = _criterion_solution().xreplace({Cs: C, Ls: lip_inf, gs: gap, ns: sympy.Integer(n), Rs: Rs})

    # the smallest integer width where the full criterion (L depends on m) is proved
    lhs = 2 * sympy.sqrt(n) * Rs * C * lip_expr / sympy.sqrt(msym)  # must be <= gap
    r_arb, gap_arb = arb(radius), interval.to_arb(gap)

    def holds(mm):
        val = _arb_eval(lhs, {Rs: r_arb, msym: arb(int(mm))})
        return interval.upper(val) <= interval.lower(gap_arb)

    lo = max(1, int(math.floor(interval.lower(_arb_eval(m_inf, {Rs: r_arb})))))
    if holds(lo):  # possible only by rounding: search below (0 stands for "fails")
        lo, hi = 0, lo
    else:
        hi = 2 * lo
        while not holds(hi):
            lo, hi = hi, 2 * hi
            if hi > 2**62:
                raise InvalidArgument(f"no width up to 2^62 meets the T10 criterion for R={radius!r}, mu={mu!r}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid
    width_needed = hi
    return WidthBound(
        width=int(width_needed), expr=m_inf, R=Rs, radius=radius, mu=mu, lambda0=lambda0, n=n,
        hessian=hess, lipschitz=lip, t20=n * radius**8 / (lambda0 - mu) ** 2,
        method="T10 criterion with the two-layer closed forms: sqrt(m)(lambda0 - mu) >= 2 sqrt(n) R C(R) L_F(R, m)",
    )
