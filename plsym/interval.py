"""Ball arithmetic (python-flint ``arb``) on sympy expressions, and rigorous spectral bounds.

Everything here encloses the exact real value: every ``arb`` carries a
midpoint and a radius, and flint rounds outward, so a bound read off an
enclosure holds for the real quantity, not just for its floating-point value.

Two pieces:

* :class:`ArbProgram` evaluates sympy expressions on ``arb`` inputs (points or
  boxes), following the expression DAG once (shared subexpressions computed once).
  Expressions with a function that has no rule here raise :class:`Unsupported`.
* :func:`eig_bounds` bounds the spectrum of every symmetric matrix in an
  ``arb`` matrix enclosure: a float eigenbasis Q of the midpoint, the rigorous
  product Q^T S Q, Gershgorin discs on it, and Ostrowski's theorem to undo the
  non-orthogonality of the float Q (||Q^T Q - I|| bounded rigorously).
"""

from __future__ import annotations

import math

import numpy as np
import sympy
from flint import arb, arb_mat

__all__ = ["ArbProgram", "Unsupported", "box_args", "down", "eig_bounds", "lower", "matrix", "norm_upper", "point_args", "split", "sym_norm_upper", "to_arb", "up", "upper"]

_EPS = np.finfo(np.float64).eps


class Unsupported(Exception):
    """An expression uses something ball arithmetic here has no rule for."""


def to_arb(c) -> arb:
    """An exact (or enclosing) ``arb`` for a sympy number."""
    if c.is_Integer:
        return arb(int(c))
    if c.is_Rational:
        return arb(int(c.p)) / arb(int(c.q))
    if c.is_Float:
        sign, man, exp, _ = c._mpf_
        value = arb(int(man)) * arb(2) ** int(exp)
        return -value if sign else value
    if c == sympy.pi:
        return arb.pi()
    if c == sympy.E:
        return arb(1).exp()
    raise Unsupported(f"the constant {c} has no ball-arithmetic rule")


def _pow_int(x: arb, k: int) -> arb:
    if k % 2 == 0:
        return (x**k).nonnegative_part()  # even powers are >= 0; arb's midpoint-radius form forgets it
    return x**k


_FUNCTIONS = {
    sympy.exp: lambda x: x.exp(),
    sympy.log: lambda x: x.log(),
    sympy.tanh: lambda x: x.tanh(),
    sympy.sinh: lambda x: x.sinh(),
    sympy.cosh: lambda x: x.cosh(),
    sympy.sin: lambda x: x.sin(),
    sympy.cos: lambda x: x.cos(),
    sympy.tan: lambda x: x.tan(),
    sympy.atan: lambda x: x.atan(),
    sympy.asinh: lambda x: x.asinh(),
    sympy.erf: lambda x: x.erf(),
    sympy.erfc: lambda x: x.erfc(),
    sympy.Abs: lambda x: abs(x).nonnegative_part(),
}


class ArbProgram:
    """Evaluate a list of sympy expressions in the symbols ``params`` with ``arb`` inputs.

    Raises :class:`Unsupported` at construction when an expression has a node
    with no rule (then nothing about it can be certified).
    """

    def __init__(self, params, exprs):
        self.m = len(params)
        self._slot = {p: j for j, p in enumerate(params)}
        self._consts: list = []  # (slot, arb)
        self._ops: list = []  # (slot, fn, arg slots)
        self._nslots = self.m
        self.outputs = [self._visit(e) for e in exprs]

    def _new(self):
        self._nslots += 1
        return self._nslots - 1

    def _visit(self, e):
        got = self._slot.get(e)
        if got is not None:
            return got
        if e.is_Symbol:
            raise Unsupported(f"the symbol {e} is not a parameter")
        if e.is_Number or e.is_NumberSymbol:
            s = self._new()
            self._consts.append((s, to_arb(e)))
        elif e.is_Add:
            args = [self._visit(a) for a in e.args]
            s = self._new()
            self._ops.append((s, _sum, args))
        elif e.is_Mul:
            args = [self._visit(a) for a in e.args]
            s = self._new()
            self._ops.append((s, _prod, args))
        elif e.is_Pow:
            base, exp = e.args
            b = self._visit(base)
            s = self._new()
            if exp.is_Integer:
                k = int(exp)
                fn = (lambda x, k=k: _pow_int(x, k)) if k >= 0 else (lambda x, k=k: 1 / _pow_int(x, -k))
                self._ops.append((s, fn, [b]))
            elif exp == sympy.Rational(1, 2):
                self._ops.append((s, lambda x: x.sqrt(), [b]))
            elif exp == sympy.Rational(-1, 2):
                self._ops.append((s, lambda x: x.rsqrt(), [b]))
            else:
                x = self._visit(exp)
                self._ops.append((s, lambda b_, x_: (x_ * b_.log()).exp(), [b, x]))
        elif isinstance(e, sympy.Function) and e.func in _FUNCTIONS and len(e.args) == 1:
            a = self._visit(e.args[0])
            s = self._new()
            self._ops.append((s, _FUNCTIONS[e.func], [a]))
        else:
            raise Unsupported(f"{type(e).__name__} ({e}) has no ball-arithmetic rule")
        self._slot[e] = s
        return s

    def __call__(self, args):
        """The enclosures of the expressions for ``arb`` inputs ``args`` (one per parameter)."""
        vals = [None] * self._nslots
        vals[: self.m] = args
        for s, c in self._consts:
            vals[s] = c
        for s, fn, a in self._ops:
            vals[s] = fn(*(vals[i] for i in a))
        return [vals[i] for i in self.outputs]


def _sum(*xs):
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


def _prod(*xs):
    total = xs[0]
    for x in xs[1:]:
        total = total * x
    return total


# -- rigorous floats from enclosures ------------------------------------------------

def lower(x: arb) -> float:
    """A float <= every real in the enclosure ``x`` (-inf when ``x`` is not finite)."""
    if not x.is_finite():
        return -math.inf
    m, r = float(x.mid()), float(x.rad())
    return (m - r) - 4 * _EPS * (abs(m) + r) - 1e-300


def upper(x: arb) -> float:
    """A float >= every real in the enclosure ``x`` (+inf when ``x`` is not finite)."""
    if not x.is_finite():
        return math.inf
    m, r = float(x.mid()), float(x.rad())
    return (m + r) + 4 * _EPS * (abs(m) + r) + 1e-300


def down(v: float) -> float:
    """Nudge a float computed by rounded arithmetic downwards past its rounding error."""
    return v - 4 * _EPS * abs(v) - 1e-300


def up(v: float) -> float:
    """Nudge a float upwards past its rounding error."""
    return v + 4 * _EPS * abs(v) + 1e-300


def box_args(lo, hi):
    """``arb`` enclosures of the coordinate intervals [lo_j, hi_j]."""
    return [arb(float(a)).union(arb(float(b))) for a, b in zip(lo, hi)]


def point_args(z):
    """Exact ``arb`` values of a float point."""
    return [arb(float(v)) for v in z]


def matrix(rows) -> arb_mat:
    return arb_mat([list(r) for r in rows])


def split(M: arb_mat) -> tuple[np.ndarray, np.ndarray]:
    """(mid, rad): float matrices with every M' in the enclosure satisfying |M' - mid| <= rad entrywise."""
    p, q = M.nrows(), M.ncols()
    mid = np.empty((p, q))
    rad = np.empty((p, q))
    for i in range(p):
        for j in range(q):
            x = M[i, j]
            c = float(x.mid())
            mid[i, j] = c
            rad[i, j] = upper(abs(x - arb(c))) if x.is_finite() else math.inf
    return mid, rad


def _radius_norm(rad: np.ndarray) -> float:
    """An upper bound of ||D||_2 for every D with |D| <= rad entrywise (monotonicity of the norm)."""
    if not np.all(np.isfinite(rad)):
        return math.inf
    fro = math.sqrt(float(np.sum(rad * rad)))
    one = float(np.max(np.sum(rad, axis=0))) if rad.size else 0.0
    inf = float(np.max(np.sum(rad, axis=1))) if rad.size else 0.0
    return up(up(min(fro, math.sqrt(one * inf))) * (1 + 4 * rad.size * _EPS))


def _exact_eig_bounds(M: np.ndarray) -> tuple[float, float]:
    """Rigorous (lo, hi) for the spectrum of the exact symmetric float matrix M."""
    n = M.shape[0]
    if n == 0:
        return 0.0, 0.0
    _, Q = np.linalg.eigh(M)
    Qa = arb_mat(Q.tolist())
    Qt = Qa.transpose()
    B = Qt * arb_mat(M.tolist()) * Qa
    E = Qt * Qa
    err = arb(0)
    for i in range(n):
        for j in range(n):
            d = E[i, j] - (1 if i == j else 0)
            err += d * d
    e = upper(err.nonnegative_part().sqrt())
    if not e < 0.5:
        return -math.inf, math.inf
    g_lo, g_hi = math.inf, -math.inf
    for i in range(n):
        off = arb(0)
        for j in range(n):
            if j != i:
                off += abs(B[i, j])
        g_lo = min(g_lo, lower(B[i, i] - off))
        g_hi = max(g_hi, upper(B[i, i] + off))
    # Ostrowski: lambda_k(Q^T M Q) = theta_k lambda_k(M), theta_k in [1 - e, 1 + e]
    lo = g_lo / (1 + e) if g_lo >= 0 else g_lo / (1 - e)
    hi = g_hi / (1 - e) if g_hi >= 0 else g_hi / (1 + e)
    return down(lo), up(hi)


def eig_bounds(S: arb_mat) -> tuple[float, float]:
    """Floats (lo, hi) with lo <= lambda_min(S') and lambda_max(S') <= hi for every
    symmetric S' in the enclosure S; (-inf, inf) when no bound is possible.

    S' = mid + D with |D| <= rad: Weyl gives the spectrum of mid, proved by a float
    eigenbasis, Gershgorin discs and Ostrowski's theorem, widened by ||rad||_2.
    """
    mid, rad = split(S)
    if not (np.all(np.isfinite(mid)) and np.all(np.isfinite(rad))):
        return -math.inf, math.inf
    # symmetrize the midpoint; the asymmetry goes into the radius
    sym = 0.5 * (mid + mid.T)
    rad = np.vectorize(up)(rad + np.abs(mid - sym))
    lo, hi = _exact_eig_bounds(sym)
    r = _radius_norm(rad)
    return down(lo - r), up(hi + r)


def norm_upper(M: arb_mat) -> float:
    """A float >= ||M'||_2 for every M' in the enclosure: ||mid||_2 (proved) + ||rad||_2."""
    mid, rad = split(M)
    if not (np.all(np.isfinite(mid)) and np.all(np.isfinite(rad))):
        return math.inf
    _, hi = eig_bounds(arb_mat(mid.tolist()) * arb_mat(mid.T.tolist()))  # exact product, rounded outward
    if not math.isfinite(hi):
        return math.inf
    return up(up(math.sqrt(max(hi, 0.0))) + _radius_norm(rad))


def sym_norm_upper(S: arb_mat) -> float:
    """A float >= ||S'||_2 for every symmetric S' in the enclosure."""
    lo, hi = eig_bounds(S)
    return max(-lo, hi, 0.0)
