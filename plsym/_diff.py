"""Fast structural differentiation of sympy expressions.

sympy's own ``diff`` re-canonicalizes every intermediate product and asks the
assumption system about each factor, which dominates the cost on network-like
outputs (sums of products of activations). Here the product, chain and sum
rules are applied directly, only to the sub-terms that contain the variable,
and the results are built unevaluated: they are exact, just not simplified,
which is all that compilation to numpy and the bound rules need.
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef

_ZERO = sympy.Integer(0)
_ONE = sympy.Integer(1)


class Differentiator:
    """Differentiate many expressions in many symbols, sharing a free-symbol memo."""

    def __init__(self):
        self._free: dict = {}

    def free(self, e) -> frozenset:
        """The free symbols of ``e``, memoized on the node."""
        got = self._free.get(e)
        if got is None:
            if e.is_Symbol:
                got = frozenset((e,))
            elif not e.args:
                got = frozenset()
            else:
                got = frozenset().union(*(self.free(a) for a in e.args))
            self._free[e] = got
        return got

    def diff(self, e, s):
        """d e / d s, exact and unevaluated; 0 when ``e`` does not contain ``s``."""
        if s not in self.free(e):
            return _ZERO
        if e == s:
            return _ONE
        if e.is_Add:
            terms = [self.diff(a, s) for a in e.args if s in self.free(a)]
            return _add(terms)
        if e.is_Mul:
            args = e.args
            terms = []
            for i, a in enumerate(args):
                if s in self.free(a):
                    da = self.diff(a, s)
                    terms.append(_mul(list(args[:i]) + [da] + list(args[i + 1:])))
            return _add(terms)
        if e.is_Pow:
            base, exp = e.args
            if s not in self.free(exp):
                db = self.diff(base, s)
                if exp == 2:
                    return _mul([sympy.Integer(2), base, db])
                return _mul([exp, sympy.Pow(base, exp - 1), db])
            # d(b^x) = b^x (x' log b + x b'/b)
            inner = _add([_mul([self.diff(exp, s), sympy.log(base)]),
                          _mul([exp, self.diff(base, s), sympy.Pow(base, -1)])])
            return _mul([e, inner])
        if isinstance(e, sympy.Function) and not isinstance(e, AppliedUndef) and len(e.args) == 1:
            outer = e.fdiff(1)
            if not outer.has(sympy.Derivative, sympy.Subs):
                return _mul([outer, self.diff(e.args[0], s)])
        # Anything else (multi-argument functions, piecewise, ...): sympy's own rule.
        return sympy.diff(e, s)


def _add(terms):
    terms = [t for t in terms if t != 0]
    if not terms:
        return _ZERO
    if len(terms) == 1:
        return terms[0]
    return sympy.Add(*terms, evaluate=False)


def _mul(factors):
    if any(f == 0 for f in factors):
        return _ZERO
    factors = [f for f in factors if f != 1]
    if not factors:
        return _ONE
    if len(factors) == 1:
        return factors[0]
    return sympy.Mul(*factors, evaluate=False)
