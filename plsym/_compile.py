"""Derivatives of sympy outputs, and their compilation to batched numpy code.

Each output is differentiated only in the parameters it contains, and each
Hessian only in the upper triangle of those, so the work grows with the
sparsity pattern of the system rather than with ``n * m**2``.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy
import scipy.special
import sympy
from sympy.printing.numpy import SciPyPrinter

from ._diff import Differentiator

# Functions whose second derivative is not a function (a kink, a jump or a
# branch): plsym refuses to compute a Hessian through them.
NON_SMOOTH = (
    sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min, sympy.Piecewise,
    sympy.floor, sympy.ceiling, sympy.frac, sympy.DiracDelta,
)



# Functions whose derivative depends on whether their argument is real.
_NEEDS_REAL = (sympy.Abs, sympy.sign, sympy.re, sympy.im, sympy.arg, sympy.conjugate)


def real_stand_ins(params, outputs):
    """(symbols, outputs) to differentiate in: real-valued stand-ins for the parameters when an
    output has |x|, sign, re, im, arg or conjugate (whose derivatives need it), else the
    parameters themselves (re-building tanh & co. on new symbols costs sympy's slow
    assumption queries)."""
    if not any(f.has(*_NEEDS_REAL) for f in outputs):
        return tuple(params), tuple(outputs)
    real = tuple(sympy.Dummy(p.name, real=True) for p in params)
    to_real = dict(zip(params, real))
    return real, tuple(f.xreplace(to_real) for f in outputs)


def gradients(outputs, params, differ=None):
    """Per output, the list of ``(j, d f_i / d w_j)`` over the nonzero partials."""
    differ = differ or Differentiator()
    index = {p: j for j, p in enumerate(params)}
    result = []
    for f in outputs:
        js = sorted(index[s] for s in differ.free(f))
        row = []
        for j in js:
            d = differ.diff(f, params[j])
            if d != 0:
                row.append((j, d))
        result.append(row)
    return result


def hessian_entries(grads, params, differ=None):
    """Per output, ``(j, k, d^2 f_i / d w_j d w_k)`` for j <= k over the nonzero entries."""
    differ = differ or Differentiator()
    index = {p: j for j, p in enumerate(params)}
    result = []
    for row in grads:
        entries = []
        for j, g in row:
            for k in sorted(index[s] for s in differ.free(g)):
                if k < j:
                    continue
                d = differ.diff(g, params[k])
                if d != 0:
                    entries.append((j, k, d))
        result.append(entries)
    return result


class Compiled:
    """Batched numpy evaluation of expressions scattered into an array.

    ``index`` is a tuple of integer arrays locating each expression in an array
    of shape ``shape``; calling with points ``W`` of shape ``(k, m)`` returns an
    array of shape ``(k,) + shape``, zero wherever no expression is placed. With
    ``symmetric=True`` each entry is also written at its transposed position in
    the last two axes (for Hessians given by their upper triangle).

    The code is generated from the expression DAG: sympy hash-conses equal
    subtrees, so each distinct subexpression is computed once, in time linear in
    the size of the DAG (sympy's ``cse`` is far slower on network-like outputs).
    Only plsym's own names (``a0``, ``t12``, ``out``) and numbers printed from
    sympy's numeric objects appear in the generated source, never user text.
    """

    def __init__(self, params, exprs, shape, index, *, symmetric=False):
        self.shape = tuple(shape)
        index = tuple(np.asarray(ix, dtype=np.intp) for ix in index)
        self.source, constants = _generate(params, exprs, index, symmetric)
        namespace = {"numpy": np, "scipy": scipy, "functools": functools, **constants}
        exec(compile(self.source, "<plsym generated>", "exec"), namespace)  # noqa: S102 - see docstring
        self._fn = namespace["_evaluate"]

    def __call__(self, W: np.ndarray) -> np.ndarray:
        # Points along the last axis: every column a_j and every output slot is a
        # contiguous row, which numpy's elementwise kernels run through fastest.
        out = np.zeros(self.shape + (W.shape[0],))
        with np.errstate(all="ignore"):
            self._fn(np.ascontiguousarray(W.T), out)
        return np.moveaxis(out, -1, 0)  # a view; callers that need C order copy once


_PRINTER = SciPyPrinter({"fully_qualified_modules": True})


def _generate(params, exprs, index, symmetric):
    """Python source of ``_evaluate(W, out)`` filling ``out`` with the expressions.

    ``W`` is (m, k): one row per parameter; ``out`` is ``shape + (k,)``.
    """
    arg_names = {p: sympy.Symbol(f"a{j}") for j, p in enumerate(params)}
    lines = ["def _evaluate(W, out):"]
    lines += [f"    a{j} = W[{j}]" for j in range(len(params))]
    memo, constants = {}, {}
    _batch_linear_forms(params, exprs, lines, memo, constants)
    const = _constants(exprs, set(arg_names))
    parents = _parent_counts(exprs, memo)

    def terms(e, kind):
        """The factors (kind Mul) or terms (kind Add) of e, through the nodes of its kind that only e uses
        (each of those would otherwise be a temporary of its own)."""
        out = []
        for a in e.args:
            if getattr(a, kind) and a not in memo and parents.get(a, 0) == 1 and const.get(a) is None:
                out += terms(a, kind)
            else:
                out.append(a)
        return out

    def folded(e):
        """Products and sums with their constants folded into one number at compile time: (text, whether
        it is an operation to assign to a temporary), or None when the constants overflow."""
        kind = "is_Mul" if e.is_Mul else "is_Add"
        parts = terms(e, kind)
        c = 1.0 if e.is_Mul else 0.0
        names = []
        for a in parts:
            v = const.get(a)
            if v is None:
                names.append(name_of(a))
            elif e.is_Mul:
                c *= v
            else:
                c += v
        if not np.isfinite(c):
            return None
        names = [f"({n})" if n[0] == "-" else n for n in names]
        if not names:
            return repr(c), False
        if e.is_Mul:
            if c == 0.0:
                return f"0.0*{names[0]}", True
            if c == 1.0 and len(names) == 1:
                return names[0], False
            return "*".join(([] if c == 1.0 else [f"({c!r})"]) + names), True
        if c == 0.0 and len(names) == 1:
            return names[0], False
        return " + ".join(names + ([] if c == 0.0 else [f"({c!r})"])), True

    def name_of(e):
        """The Python expression text for node ``e``, emitting temporaries as needed."""
        got = memo.get(e)
        if got is not None:
            return got
        if e in arg_names:
            text = str(arg_names[e])
        elif const.get(e) is not None:
            text = repr(const[e])
        elif e.is_Number:
            text = repr(float(e))
        elif e.is_NumberSymbol:  # pi, E
            text = repr(float(e))
        elif (e.is_Mul or e.is_Add) and all(isinstance(a, sympy.Expr) for a in e.args) and (
                got := folded(e)) is not None:
            text = _emit(lines, memo, got[0]) if got[1] else got[0]
        elif (e.is_Add or e.is_Mul or e.is_Pow or (isinstance(e, sympy.Function) and len(e.args) == 1)) and all(
            isinstance(a, sympy.Expr) for a in e.args
        ):
            fast = _fast_node(e, [name_of(a) for a in e.args])
            if fast is None:
                slots = [sympy.Symbol(name_of(a)) if not a.is_Number else a for a in e.args]
                fast = _PRINTER.doprint(e.func(*slots, evaluate=False))
            text = _emit(lines, memo, fast)
        else:  # piecewise, Max/Min, ...: print the whole subtree over the arguments
            text = _emit(lines, memo, _PRINTER.doprint(e.xreplace(arg_names)))
        memo[e] = text
        return text

    for e, pos in zip(exprs, zip(*index)):
        value = name_of(e)
        where = ", ".join(str(int(p)) for p in pos)
        lines.append(f"    out[{where}] = {value}")
        if symmetric and pos[-1] != pos[-2]:
            swapped = list(pos[:-2]) + [pos[-1], pos[-2]]
            lines.append(f"    out[{', '.join(str(int(p)) for p in swapped)}] = {value}")
    lines.append("    return out")
    return "\n".join(lines) + "\n", constants


def _constants(exprs, params):
    """Float values of the nodes of the DAG without parameters (sqrt(3)*0.35, -1, pi, ...), folded at
    compile time; real, finite values only."""
    value = {}
    order, seen, stack = [], set(), list(exprs)
    while stack:  # post-order over the DAG, iteratively (deep expressions)
        e = stack.pop()
        if isinstance(e, tuple):
            order.append(e[1])
            continue
        if e in seen or not isinstance(e, sympy.Basic):
            continue
        seen.add(e)
        stack.append(("done", e))
        stack.extend(e.args)
    for e in order:
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


def _parent_counts(exprs, leaves):
    """How many distinct parent nodes use each node of the DAG (the outputs count as parents;
    nodes in ``leaves`` are not entered)."""
    count, seen, stack = {}, set(), list(exprs)
    for e in exprs:
        count[e] = count.get(e, 0) + 1
    while stack:
        e = stack.pop()
        if e in seen or e in leaves or not isinstance(e, sympy.Basic):
            continue
        seen.add(e)
        for a in set(e.args):
            count[a] = count.get(a, 0) + 1
            stack.append(a)
    return count


# Linear forms c . w + b in the parameters (the pre-activations of network-like systems) are
# evaluated together as one matrix product, and a function of them (tanh, exp, ...) as one call on
# the rows it needs, instead of a few numpy calls per form. Used from this many forms on.
_MIN_LINEAR_FORMS = 4


def _batch_linear_forms(params, exprs, lines, memo, constants):
    """Emit ``_lin = _lin_C @ W + _lin_b`` for the linear forms among the nodes of ``exprs`` and one
    call per function over the forms it is applied to; record their texts in ``memo``."""
    index = {p: j for j, p in enumerate(params)}
    linear = {}  # node -> (coefficients {j: c}, constant) or None

    def lin(e):
        """(coefficients {j: c}, constant) when e is affine in the parameters (no coefficients:
        a constant), else None; memoized, linear in the size of the DAG."""
        got = linear.get(e, False)
        if got is not False:
            return got
        got = None
        if e in index:
            got = ({index[e]: 1.0}, 0.0)
        elif e.is_Number or e.is_NumberSymbol:
            got = ({}, float(e))
        elif e.is_Add or e.is_Mul or e.is_Pow:
            parts = [lin(a) for a in e.args]
            if all(p is not None for p in parts):
                if e.is_Pow:
                    if not parts[0][0] and not parts[1][0]:  # a constant power of a constant
                        try:
                            value = parts[0][1] ** parts[1][1]
                        except (OverflowError, ZeroDivisionError):
                            value = None
                        got = ({}, value) if isinstance(value, float) else None
                elif e.is_Add:
                    coef = {}
                    for c, _ in parts:
                        for j, v in c.items():
                            coef[j] = coef.get(j, 0.0) + v
                    got = (coef, sum(b for _, b in parts))
                elif sum(1 for c, _ in parts if c) <= 1:  # Mul: one affine factor, the rest constants
                    k = float(np.prod([b for c, b in parts if not c])) if any(not c for c, _ in parts) else 1.0
                    aff = [p for p in parts if p[0]]
                    got = ({j: k * v for j, v in aff[0][0].items()}, k * aff[0][1]) if aff else ({}, k)
        if got is not None and not all(np.isfinite(v) for v in (*got[0].values(), got[1])):
            got = None
        linear[e] = got
        return got

    forms, calls = [], {}  # composite linear nodes; function -> [(node, its argument)]
    seen = set()
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if e in seen or not isinstance(e, sympy.Expr):
            continue
        seen.add(e)
        if (e.is_Add or e.is_Mul) and lin(e) is not None and len(lin(e)[0]) >= 2:
            forms.append(e)
            continue
        if isinstance(e, sympy.Function) and len(e.args) == 1 and e.func in _FUNCS:
            a = e.args[0]
            if (a.is_Add or a.is_Mul) and lin(a) is not None and len(lin(a)[0]) >= 2:
                calls.setdefault(e.func, []).append((e, a))
        stack.extend(a for a in e.args if not (a.is_Number or a.is_NumberSymbol))
    if len(forms) < _MIN_LINEAR_FORMS:
        return
    # rows: the arguments of each function, contiguous (a slice, no copy), then the other forms
    rows, where = [], {}
    for func in sorted(calls, key=lambda f: _FUNCS[f]):
        for _, a in calls[func]:
            rows.append(a)
    listed = set(rows)  # a set: list membership compares sympy trees, quadratic in the number of forms
    for e in forms:
        if e not in listed:
            rows.append(e)
            listed.add(e)
    C = np.zeros((len(rows), len(params)))
    b = np.zeros((len(rows), 1))
    for r, e in enumerate(rows):
        coef, const = lin(e)
        for j, v in coef.items():
            C[r, j] = v
        b[r, 0] = const
        where.setdefault(e, r)
    constants["_lin_C"], constants["_lin_b"] = C, b
    lines.append("    _lin = _lin_C @ W" + (" + _lin_b" if np.any(b) else ""))
    for e, r in where.items():
        memo[e] = f"_lin[{r}]"
    start = 0
    for g, func in enumerate(sorted(calls, key=lambda f: _FUNCS[f])):
        n = len(calls[func])
        lines.append(f"    _f{g} = {_FUNCS[func]}(_lin[{start}:{start + n}])")
        for j, (e, _) in enumerate(calls[func]):
            memo[e] = f"_f{g}[{j}]"
        start += n


_FUNCS = {
    sympy.exp: "numpy.exp", sympy.log: "numpy.log", sympy.tanh: "numpy.tanh", sympy.sinh: "numpy.sinh",
    sympy.cosh: "numpy.cosh", sympy.sin: "numpy.sin", sympy.cos: "numpy.cos", sympy.tan: "numpy.tan",
    sympy.atan: "numpy.arctan", sympy.asin: "numpy.arcsin", sympy.acos: "numpy.arccos",
    sympy.asinh: "numpy.arcsinh", sympy.acosh: "numpy.arccosh", sympy.atanh: "numpy.arctanh",
    sympy.erf: "scipy.special.erf", sympy.erfc: "scipy.special.erfc", sympy.Abs: "numpy.abs",
    sympy.sign: "numpy.sign",
}


def _fast_node(e, args):
    """Python text for one node over its arguments' texts (temporaries or float literals),
    or None to let sympy's printer handle it. Printing each node with sympy's printer
    dominates compile time on network-like systems; these are the common nodes."""
    args = [f"({a})" if a[0] == "-" else a for a in args]  # negative literals
    if e.is_Add:
        return " + ".join(args)
    if e.is_Mul:
        return "*".join(args)
    if e.is_Pow:
        exp = e.args[1]
        if exp.is_Integer:
            k = int(exp)
            if k in (3, 4):  # numpy's power has a fast path for squares only
                return "*".join([args[0]] * k)
            return f"{args[0]}**{k}" if k >= 0 else f"1.0/{args[0]}**{-k}"
        if exp == sympy.Rational(1, 2):
            return f"numpy.sqrt({args[0]})"
        if exp == sympy.Rational(-1, 2):
            return f"1.0/numpy.sqrt({args[0]})"
        return f"numpy.power({args[0]}, {args[1]})"
    name = _FUNCS.get(e.func)
    return f"{name}({args[0]})" if name is not None else None


def _emit(lines, memo, text):
    """Assign ``text`` to a fresh temporary and return its name."""
    name = f"t{len(lines)}"
    lines.append(f"    {name} = {text}")
    return name


def compile_values(params, outputs):
    """Batched F: (k, m) -> (k, n)."""
    n = len(outputs)
    return Compiled(params, list(outputs), (n,), (np.arange(n),))


def compile_jacobian(params, grads, n, m):
    """Batched DF: (k, m) -> (k, n, m) from :func:`gradients`."""
    rows, cols, exprs = [], [], []
    for i, row in enumerate(grads):
        for j, d in row:
            rows.append(i)
            cols.append(j)
            exprs.append(d)
    return Compiled(params, exprs, (n, m), (rows, cols))


def compile_hessians(params, entries, n, m):
    """Batched per-output Hessians: (k, m) -> (k, n, m, m) from :func:`hessian_entries`."""
    outs, js, ks, exprs = [], [], [], []
    for i, row in enumerate(entries):
        for j, k, d in row:
            outs.append(i)
            js.append(j)
            ks.append(k)
            exprs.append(d)
    return Compiled(params, exprs, (n, m, m), (outs, js, ks), symmetric=True)
