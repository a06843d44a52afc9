"""The domain of a system's outputs as written, and deciding it on a ball.

sympy rewrites expressions on construction (``exp(log(w))`` is ``w``,
``0*log(w)`` is ``0``, ``sqrt(w - 1)**2`` is ``w - 1``), which erases points
where the written expression is undefined. The spec parser therefore records the
domain conditions of every node it builds (:func:`node_conditions`), before any
rewriting, and :class:`plsym.System` takes them (and any the caller gives) as its
``domain``. Each condition is ``g(w) > 0``, ``g(w) >= 0`` or ``g(w) != 0``:

* ``log(a)``: a > 0;  ``sqrt(a)``, ``a**(p/q)`` with p/q > 0 not an integer: a >= 0;
  ``a**(p/q)`` with p/q < 0 not an integer, ``a**b`` with b not a number: a > 0;
* ``1/a``, ``a**(-k)``: a != 0;  ``tan(a)``: cos(a) != 0;
* ``acosh(a)``: a - 1 >= 0;  ``atanh(a)``: 1 - a > 0 and a + 1 > 0;
  ``asin(a)``, ``acos(a)``: 1 - a >= 0 and a + 1 >= 0.

On a ball, :func:`find_violation` looks for a point where a condition provably
fails (checked in ball arithmetic at the point), and :func:`prove` proves every
condition on the whole ball by interval arithmetic over a cover of boxes.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy

from .errors import InvalidArgument, _show

__all__ = ["Condition", "node_conditions", "conditions_of", "as_conditions", "find_violation", "prove"]

_KINDS = {">": "> 0", ">=": ">= 0", "!=": "!= 0"}


@dataclasses.dataclass(frozen=True)
class Condition:
    """``expr kind 0`` must hold at every point of the ball (kind one of ``">"``, ``">="``, ``"!="``).

    ``origin`` is the written node the condition comes from (``"log(w1)"``).
    """

    expr: object
    kind: str
    origin: str

    def __str__(self):
        return f"{self.expr} {_KINDS[self.kind]} (from {self.origin})"

    def relational(self):
        """The condition as a sympy relational."""
        cls = {">": sympy.StrictGreaterThan, ">=": sympy.GreaterThan, "!=": sympy.Unequality}[self.kind]
        return cls(self.expr, 0, evaluate=False)


def _cond(expr, kind, origin):
    return Condition(expr, kind, origin) if expr.free_symbols else None


def node_conditions(node) -> list:
    """The domain conditions of one node over its arguments, as :class:`Condition` (none for constants)."""
    out = []
    origin = None
    if node.is_Pow:
        base, exp = node.args
        if base.free_symbols:
            origin = str(node)
            if exp.is_Integer:
                if exp < 0:
                    out.append(_cond(base, "!=", origin))
            elif exp.is_Rational:
                out.append(_cond(base, ">=" if exp > 0 else ">", origin))
            elif exp.free_symbols or not exp.is_Integer:
                out.append(_cond(base, ">", origin))
    elif isinstance(node, sympy.Function) and len(node.args) == 1:
        a = node.args[0]
        origin = str(node)
        f = node.func
        if f is sympy.log:
            out.append(_cond(a, ">", origin))
        elif f is sympy.tan:
            out.append(_cond(sympy.cos(a, evaluate=False), "!=", origin))
        elif f is sympy.acosh:
            out.append(_cond(sympy.Add(a, -1, evaluate=False), ">=", origin))
        elif f is sympy.atanh:
            out += [_cond(sympy.Add(1, -a, evaluate=False), ">", origin), _cond(sympy.Add(a, 1, evaluate=False), ">", origin)]
        elif f in (sympy.asin, sympy.acos):
            out += [_cond(sympy.Add(1, -a, evaluate=False), ">=", origin), _cond(sympy.Add(a, 1, evaluate=False), ">=", origin)]
    return [c for c in out if c is not None]


def conditions_of(expr) -> list:
    """The domain conditions of every node of ``expr`` (each distinct subexpression visited once)."""
    seen, out, stack = set(), [], [expr]
    while stack:
        e = stack.pop()
        if e in seen or not isinstance(e, sympy.Basic):
            continue
        seen.add(e)
        if isinstance(e, sympy.Expr):
            out += node_conditions(e)
        stack.extend(e.args)
    return out


def as_conditions(domain, params, *, where="domain") -> tuple:
    """Conditions from sympy relationals (or :class:`Condition`) in the parameters ``params``.

    Allowed relationals: ``a > b``, ``a >= b``, ``a < b``, ``a <= b``, ``Ne(a, b)``.
    """
    if domain is None:
        return ()
    if isinstance(domain, (str, bytes)) or not hasattr(domain, "__iter__"):
        raise InvalidArgument(f"{where}={_show(domain)} must be a sequence of sympy relationals such as w1 > 0")
    out = []
    allowed = set(params)
    for i, c in enumerate(domain):
        if isinstance(c, Condition):
            rel_expr, kind, origin = c.expr, c.kind, c.origin
        elif isinstance(c, (sympy.StrictGreaterThan, sympy.GreaterThan, sympy.StrictLessThan, sympy.LessThan,
                            sympy.Unequality)):
            lhs, rhs = c.args
            if isinstance(c, (sympy.StrictLessThan, sympy.LessThan)):
                lhs, rhs = rhs, lhs
            rel_expr = sympy.Add(lhs, -rhs, evaluate=False) if rhs != 0 else lhs
            kind = {sympy.StrictGreaterThan: ">", sympy.StrictLessThan: ">", sympy.GreaterThan: ">=",
                    sympy.LessThan: ">=", sympy.Unequality: "!="}[type(c)]
            origin = f"{where}[{i}]"
        elif c is sympy.true or c is True:
            continue
        else:
            raise InvalidArgument(f"{where}[{i}]={_show(c)} must be a sympy relational (>, >=, <, <=, Ne) "
                                  "in the parameters")
        extra = sorted(rel_expr.free_symbols - allowed, key=str)
        if extra:
            raise InvalidArgument(f"{where}[{i}]={_show(c)} uses the symbol(s) {', '.join(map(str, extra))} "
                                  "that are not parameters")
        if rel_expr.free_symbols:
            out.append(Condition(rel_expr, kind, origin))
    return tuple(dict.fromkeys(out))


# -- deciding the conditions on a ball ---------------------------------------------------------

def _holds(x, kind) -> bool:
    """Whether the enclosure ``x`` proves the condition."""
    if not x.is_finite():
        return False
    return bool(x > 0) if kind == ">" else bool(x >= 0) if kind == ">=" else bool(x != 0)


def _fails(x, kind) -> bool:
    """Whether the enclosure ``x`` proves the condition false (a NaN, where the condition's own
    expression is undefined, is left to the condition of that subexpression)."""
    if not x.is_finite():
        return False
    return bool(x <= 0) if kind == ">" else bool(x < 0) if kind == ">=" else bool(x == 0)


def _programs(system):
    from . import interval
    conds = tuple(system.domain)
    prog = interval.ArbProgram(system.params, [c.expr for c in conds])
    return conds, prog


def find_violation(system, W):
    """(point, condition) for the first point of ``W`` (k, m) where a condition provably fails, or None.

    Candidates are found in floats and confirmed in ball arithmetic at the exact point.
    """
    from . import _compile, interval

    conds = tuple(getattr(system, "domain", ()))
    if not conds:
        return None
    fn = _compile.compile_values(system.params, [c.expr for c in conds])
    with np.errstate(all="ignore"):
        G = fn(np.asarray(W, dtype=float))
    bad = np.zeros(G.shape, dtype=bool)
    for j, c in enumerate(conds):
        g = G[:, j]
        bad[:, j] = (g <= 0) if c.kind == ">" else (g < 0) if c.kind == ">=" else (g == 0)
    _, prog = _programs(system)
    for i in np.flatnonzero(bad.any(axis=1))[:64]:
        values = prog(interval.point_args(W[i]))
        for j in np.flatnonzero(bad[i]):
            if _fails(values[j], conds[j].kind):
                return tuple(float(x) for x in W[i]), conds[j]
    return None


def prove(system, ball, *, max_boxes=512):
    """None when every domain condition is proved on the whole ball, else the first one that is not (a str).

    Each condition is bounded in ball arithmetic on the bounding box of the ball,
    split along its widest side (boxes outside the ball dropped) until proved or
    ``max_boxes`` boxes are spent.
    """
    from . import interval
    from .certify import _shrink

    conds = tuple(getattr(system, "domain", ()))
    if not conds:
        return None
    try:
        conds, prog = _programs(system)
    except interval.Unsupported as exc:
        return f"the domain condition cannot be bounded in ball arithmetic ({exc})"
    lo0 = np.nextafter(ball.center - ball.radius, -np.inf)
    hi0 = np.nextafter(ball.center + ball.radius, np.inf)
    open_ = list(range(len(conds)))
    stack = [(lo0, hi0, open_)]
    boxes = 0
    while stack:
        lo, hi, todo = stack.pop()
        tight = _shrink(ball, lo, hi)
        if tight is None:
            continue
        boxes += 1
        values = prog(interval.box_args(*tight))
        todo = [j for j in todo if not _holds(values[j], conds[j].kind)]
        if not todo:
            continue
        if boxes >= max_boxes:
            return f"{conds[todo[0]]} could not be proved on the ball within {max_boxes} boxes"
        j = int(np.argmax(hi - lo))
        mid = 0.5 * (lo[j] + hi[j])
        if not lo[j] < mid < hi[j]:
            return f"{conds[todo[0]]} could not be proved on the ball"
        left_hi, right_lo = hi.copy(), lo.copy()
        left_hi[j] = mid
        right_lo[j] = mid
        stack += [(lo, left_hi, todo), (right_lo, hi, todo)]
    return None
