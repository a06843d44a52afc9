"""The generic bounds: entrywise majorants of DF, the H_{F_i} and F on the box around the ball.

The rules are those of the :mod:`plsym.bounds` docstring (method, generic systems).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import sympy

from .. import _compile
from .._diff import Differentiator
from ..errors import InvalidArgument, _show
from ._expr import (
    _ONE, SymbolicBound, _ball_args, _has, _lattice, _lower_at, _max_inc, _max_radius, _min_inc, _outward, _power,
    _root,
    _valid,
)

# -- enclosures of expression nodes -------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Range:
    """lo <= e <= hi and |e| <= mag on the box; sign +1: lo >= 0, -1: hi <= 0; pos: lo > 0."""

    lo: sympy.Expr
    hi: sympy.Expr
    mag: sympy.Expr
    sign: int = 0
    pos: bool = False


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
    """The symbolic pieces of a system, the center of the ball, the radius symbol and the majorant rules."""

    def __init__(self, system, center, radius, R):
        try:
            params, outputs = system.params, system.outputs
        except InvalidArgument as exc:
            raise InvalidArgument(f"plsym.bounds needs a symbolic system: {exc}") from None
        self.system = system
        self.R = R
        self.radius = radius
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
                             method=method, max_radius=max_radius, radius=self.radius)



_MAJORANT = "entrywise majorant"

_PARAMETERS = """Parameters
    ----------
    system : plsym.System
        A symbolic system (sympy ``outputs`` and ``params``){smooth}.
    ball : plsym.Ball, optional
        The ball B(w0, R). None (default): the center w0 = ``system.w0``, the
        bound symbolic in the radius R; a Ball fixes the center and the radius
        (which :meth:`SymbolicBound.evaluate` then uses by default).
    R, center : deprecated
        The old form ``(system, center, R)``: the center as an array and a
        positive radius symbol. Still accepted for a release; it warns.

    Returns
    -------
    SymbolicBound
        ``expr`` >= the supremum over B(w0, R) for every R in ``valid``."""


def _ball_doc(smooth=False):
    """Writes the shared Parameters and Returns sections into the docstring of a generic bound."""
    def write(fn):
        text = _PARAMETERS.replace("{smooth}", ", twice differentiable" if smooth else "")
        if fn.__doc__:  # None under python -OO
            fn.__doc__ = fn.__doc__.replace("PARAMETERS", text)
        return fn
    return write


@_ball_doc(smooth=True)
def hessian_norm(system, ball=None, R=None, *, center=None) -> SymbolicBound:
    """An upper bound of sup over B(w0, R) of ||H_F(w)|| := max_i ||H_{F_i}(w)||_2, as an expression in R.

    PARAMETERS

    Raises
    ------
    InvalidArgument
        If the system has no symbolic form or is not twice differentiable, the
        ball does not match it, an expression uses a function without a majorant
        rule, or a log / negative power cannot be bounded on any ball around the center.

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
    >>> import plsym
    >>> from plsym import bounds
    >>> from plsym.systems import product, sphere
    >>> bounds.hessian_norm(product(2.9)).expr
    1
    >>> bounds.hessian_norm(sphere(3), plsym.Ball([1.0, 0.0, 0.0], 0.5)).expr
    2
    """
    ctx = _Context(system, *_ball_args("hessian_norm", system, ball, R, center))
    expr = _max_inc(ctx.R, *ctx.output_hessian_bounds())
    return ctx.result("hessian_norm", expr, f"{_MAJORANT} + min(Frobenius, Gershgorin)")


@_ball_doc(smooth=False)
def lipschitz(system, ball=None, R=None, *, center=None) -> SymbolicBound:
    """An upper bound of L_F = sup over B(w0, R) of ||DF(w)||_2, as an expression in R.

    PARAMETERS

    Raises
    ------
    InvalidArgument
        As :func:`hessian_norm` (smoothness is not needed).

    Notes
    -----
    With M >= |DF| entrywise, ||DF||_2 <= ||M||_2 <= min(||M||_F, sqrt(||M||_1 ||M||_inf)).
    On the convex ball this bounds the Lipschitz constant L_F of D5, the quantity
    of :func:`plsym.estimate.lipschitz` and :func:`plsym.certify.lipschitz`.

    References
    ----------
    docs/theory.md D5 (L_F), T10, T14.

    Examples
    --------
    >>> import plsym
    >>> from plsym import bounds
    >>> from plsym.systems import product
    >>> b = bounds.lipschitz(product(2.9), plsym.Ball([3.0, 1.0], 0.5))
    >>> round(b.evaluate(), 4)  # true sup: sqrt(10) + 0.5 = 3.6623
    3.8079
    """
    ctx = _Context(system, *_ball_args("lipschitz", system, ball, R, center))
    return ctx.result("lipschitz", ctx.jacobian_bound(), f"{_MAJORANT} + min(Frobenius, sqrt(row sum * column sum))")


@_ball_doc(smooth=False)
def residual_norm(system, ball=None, R=None, *, center=None) -> SymbolicBound:
    """An upper bound of sup over B(w0, R) of ||F(w) - y||, as an expression in R.

    PARAMETERS

    Raises
    ------
    InvalidArgument
        As :func:`lipschitz`.

    Notes
    -----
    Each F_i is enclosed in [lo_i, hi_i]; ||F - y|| <= sqrt(sum_i max(hi_i - y_i, y_i - lo_i)^2).

    References
    ----------
    docs/theory.md T14 (sup ||F - y|| in the smoothness bound), C8.

    Examples
    --------
    >>> import plsym
    >>> from plsym import bounds
    >>> from plsym.systems import sphere
    >>> bounds.residual_norm(sphere(2), plsym.Ball([0.0, 0.0], 1.0)).expr  # ||w||^2 - 1 on B(0, R)
    Max(1, 2*R**2 - 1)
    """
    ctx = _Context(system, *_ball_args("residual_norm", system, ball, R, center))
    return ctx.result("residual_norm", ctx.residual_bound(), f"{_MAJORANT} (enclosures of F_i - y_i)")


@_ball_doc(smooth=True)
def smoothness(system, ball=None, R=None, *, center=None) -> SymbolicBound:
    """An upper bound of beta = sup over B(w0, R) of ||H_L(w)||_2, as an expression in R.

    PARAMETERS

    Raises
    ------
    InvalidArgument
        As :func:`hessian_norm`.

    Notes
    -----
    H_L = DF^T DF + sum_i r_i H_{F_i} (C8), so ||H_L|| <= L_F^2 + ||r|| beta_F with
    beta_F <= sqrt(sum_i ||H_{F_i}||^2) (C7, Cauchy-Schwarz); each factor is
    bounded as in :func:`lipschitz`, :func:`residual_norm`, :func:`hessian_norm`.

    References
    ----------
    docs/theory.md D5, C7, C8, T14 (the step size eta <= 1/beta).

    Examples
    --------
    >>> import plsym
    >>> from plsym import bounds
    >>> from plsym.systems import product
    >>> ball = plsym.Ball([3.0, 1.0], 0.5)
    >>> bounds.smoothness(product(2.9), ball).evaluate() >= plsym.estimate.smoothness(product(2.9), ball).value
    True
    """
    ctx = _Context(system, *_ball_args("smoothness", system, ball, R, center))
    L = ctx.jacobian_bound()
    hs = ctx.output_hessian_bounds()
    beta_F = _root(sympy.Add(*[_power(h, 2) for h in hs]))
    expr = _power(L, 2) + ctx.residual_bound() * beta_F
    return ctx.result("smoothness", expr, f"L_F^2 + sup||F - y|| sqrt(sum_i ||H_i||^2) (C7, C8), {_MAJORANT}")
