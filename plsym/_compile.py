"""Derivatives of sympy outputs, and their compilation to batched numpy code.

Each output is differentiated only in the parameters it contains, and each
Hessian only in the upper triangle of those, so the work grows with the
sparsity pattern of the system rather than with ``n * m**2``.
"""

from __future__ import annotations

import platform
import sys

import numpy as np
import scipy
import scipy.special
import sympy

from ._codegen import generate
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


# Work arrays, and outputs whose written slots take, up to this size are kept between calls.
_KEEP_BYTES = 64 * 2**20



class Compiled:
    """Batched numpy evaluation of expressions scattered into an array.

    ``index`` is a tuple of integer arrays locating each expression in an array
    of shape ``shape``; calling with points ``W`` of shape ``(k, m)`` returns an
    array of shape ``(k,) + shape``, zero wherever no expression is placed. With
    ``symmetric=True`` each entry is also written at its transposed position in
    the last two axes (for Hessians given by their upper triangle).

    The code is generated from the expression DAG (see :mod:`plsym._codegen`):
    sympy hash-conses equal subtrees, so each distinct subexpression is computed
    once, and the nodes doing the same operation at the same depth are computed
    together by one numpy call over a block of rows. Only plsym's own names
    (``V``, ``out``, ``_i3``, ...) and numbers printed from sympy's numeric
    objects appear in the generated source, never user text.
    """

    def __init__(self, params, exprs, shape, index, *, symmetric=False):
        self.shape = tuple(shape)
        self._points_first = (len(self.shape),) + tuple(range(len(self.shape)))
        index = tuple(np.asarray(ix, dtype=np.intp) for ix in index)
        self.source, constants, self._rows = generate(params, exprs, self.shape, index, symmetric)
        self._slots = len(index[0]) * (2 if symmetric else 1)  # output slots written (pages touched)
        namespace = {"numpy": np, "scipy": scipy, **constants}
        exec(compile(self.source, "<plsym generated>", "exec"), namespace)  # noqa: S102 - see docstring
        self._fn = namespace["_evaluate"]

    def __call__(self, W: np.ndarray) -> np.ndarray:
        # Points along the last axis: every parameter, node and output slot is a
        # contiguous row, which numpy's elementwise kernels run through fastest.
        k = W.shape[0]
        # Fresh memory costs a page fault per 4 kB, so the work array is kept for the next call with
        # as many points, and so is the output once its caller has dropped it (nothing else refers to
        # it): every call writes the same slots and the others stay zero. A call running meanwhile in
        # another thread finds neither and makes its own.
        V = self.__dict__.pop("_work", None)
        if V is None or V.shape[1] != k:
            V = np.empty((self._rows, k))
        out = self.__dict__.pop("_out", None)
        if out is None or out.shape[-1] != k or _refs(out) != _ALONE:  # a view of it is alive
            out = np.zeros(self.shape + (k,))
        with np.errstate(all="ignore"):
            self._fn(W, V, out)
        if V.nbytes <= _KEEP_BYTES:
            self._work = V
        if self._slots * k * 8 <= _KEEP_BYTES and _ALONE is not None:
            self._out = out
        return out.transpose(self._points_first)  # a view; callers that need C order copy once


def _refs(a) -> int:
    """References to ``a``, counted the same way wherever a local name is passed in."""
    return sys.getrefcount(a)


def _calibrate() -> int | None:
    """The count :func:`_refs` gives for an array only a local name refers to, or None when a live view
    does not raise it (an interpreter that borrows references): outputs are then never reused."""
    if platform.python_implementation() != "CPython":
        return None
    a = np.empty(1)
    alone = _refs(a)
    view = a[:]
    held = _refs(a)
    del view
    return alone if held > alone else None


_ALONE = _calibrate()


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
