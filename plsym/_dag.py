"""The sympy side of code generation: constants folded, parents counted, affine forms and polynomials in
one node recognized over a DAG of expressions (see :mod:`plsym._codegen`)."""

from __future__ import annotations

import numpy as np
import sympy


class _Affine:
    """(coefficients {j: c}, constant) of the nodes affine in the parameters (no coefficients: a constant),
    else None; memoized, linear in the size of the DAG."""

    def __init__(self, params):
        self.index = {p: j for j, p in enumerate(params)}
        self.memo = {}

    def __call__(self, e):
        got = self.memo.get(e, False)
        if got is not False:
            return got
        got = None
        if e in self.index:
            got = ({self.index[e]: 1.0}, 0.0)
        elif e.is_Number or e.is_NumberSymbol:
            got = ({}, float(e))
        elif e.is_Add or e.is_Mul or e.is_Pow:
            parts = [self(a) for a in e.args]
            if all(p is not None for p in parts):
                got = _combine(e, parts)
        if got is not None and not all(np.isfinite(v) for v in (*got[0].values(), got[1])):
            got = None
        self.memo[e] = got
        return got


def _combine(e, parts):
    """The affine form of a sum, product or power of affine forms, or None when it is not affine."""
    if e.is_Pow:
        if parts[0][0] or parts[1][0]:
            return None
        try:
            value = parts[0][1] ** parts[1][1]
        except (OverflowError, ZeroDivisionError):
            return None
        return ({}, value) if isinstance(value, float) else None
    if e.is_Add:
        coef = {}
        for c, _ in parts:
            for j, v in c.items():
                coef[j] = coef.get(j, 0.0) + v
        return coef, sum(b for _, b in parts)
    if sum(1 for c, _ in parts if c) > 1:  # a product of two forms that depend on parameters
        return None
    k = float(np.prod([b for c, b in parts if not c])) if any(not c for c, _ in parts) else 1.0
    aff = [p for p in parts if p[0]]
    return ({j: k * v for j, v in aff[0][0].items()}, k * aff[0][1]) if aff else ({}, k)


def _polynomial(b, terms):
    """("poly", (x, b, {k: a_k})) when the sum b + sum of c * t is a polynomial b + sum_k a_k x^k of degree
    two to four in one node x (each t is x, x^k or x*...*x), else None."""
    coef, base = {}, None
    for c, t in terms:
        if t.is_Pow and _small_power(t):
            x, k = t.args[0], int(t.args[1])
        elif t.is_Mul and len(t.args) in (2, 3, 4) and len(set(t.args)) == 1:
            x, k = t.args[0], len(t.args)
        else:
            x, k = t, 1
        if base is not None and x != base:
            return None
        base = x
        coef[k] = coef.get(k, 0.0) + c
    if len(terms) < 2 or max(coef) < 2:
        return None
    return ("poly", (base, b, coef))


def _plain(e):
    """Whether all arguments of e are expressions (not conditions, tuples, ...)."""
    return all(isinstance(a, sympy.Expr) for a in e.args)


def _small_power(e):
    """x**2, x**3, x**4: computed as products (numpy's power is slow beyond squares)."""
    return e.args[1].is_Integer and int(e.args[1]) in (2, 3, 4)


def _constants(exprs, params):
    """Float values of the nodes of the DAG without parameters (sqrt(3)*0.35, -1, pi, ...), folded at
    compile time; real, finite values only."""
    value = {}
    for e in _post_order(exprs):
        if e in params or not isinstance(e, sympy.Expr):
            continue
        if e.is_Number or e.is_NumberSymbol or (
                (e.is_Add or e.is_Mul or e.is_Pow or isinstance(e, sympy.Function))
                and e.args and all(value.get(a) is not None for a in e.args)):
            try:
                z = complex(e.evalf())
            except (TypeError, ValueError, OverflowError, ZeroDivisionError):
                continue
            if z.imag == 0.0 and np.isfinite(z.real):
                value[e] = float(z.real)
    return value


def _post_order(exprs):
    """The nodes of the DAG, each after its arguments, iteratively (deep expressions)."""
    order, seen, stack = [], set(), list(exprs)
    while stack:
        e = stack.pop()
        if isinstance(e, tuple):
            order.append(e[1])
            continue
        if e in seen or not isinstance(e, sympy.Basic):
            continue
        seen.add(e)
        stack.append(("done", e))
        stack.extend(e.args)
    return order


def _parent_counts(exprs):
    """How many distinct parent nodes use each node of the DAG (the outputs count as parents)."""
    count, seen, stack = {}, set(), list(exprs)
    for e in exprs:
        count[e] = count.get(e, 0) + 1
    while stack:
        e = stack.pop()
        if e in seen or not isinstance(e, sympy.Basic):
            continue
        seen.add(e)
        for a in set(e.args):
            count[a] = count.get(a, 0) + 1
            stack.append(a)
    return count
