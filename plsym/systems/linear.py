"""Linear systems F(w) = A w (docs/theory.md T9), with exact constant kernel A A^T."""

from __future__ import annotations

import functools

import numpy as np
import sympy

from ..errors import InvalidArgument, as_real_array
from ..system import System

__all__ = ["LinearSystem", "linear"]


class LinearSystem(System):
    """F(w) = A w with A of shape (n, m); K = A A^T and H_F = 0 everywhere."""

    def __init__(self, A, y, *, name=None, w0=None):
        A = as_real_array("A", A, ndim=2)
        n, m = A.shape
        if n == 0 or m == 0:
            raise InvalidArgument(f"A has shape {A.shape}; it needs at least one row and one column")
        self._setup(m=m, n=n, y=y, w0=np.zeros(m) if w0 is None else w0, name=name or f"linear({n}x{m})")
        A.setflags(write=False)
        self.A = A
        self.derivatives = {"jacobian": "exact", "hessians": "exact"}
        self._K = A @ A.T

    @functools.cached_property
    def _params(self):
        return sympy.symbols(f"w1:{self.m + 1}", real=True)

    @functools.cached_property
    def _outputs(self):
        return tuple(sum(sympy.Float(a) * w for a, w in zip(row, self._params)) for row in self.A)

    def _F(self, W):
        return W @ self.A.T

    def _jacobian(self, W):
        return np.broadcast_to(self.A, (W.shape[0],) + self.A.shape).copy()

    def _kernel(self, W):
        return np.broadcast_to(self._K, (W.shape[0],) + self._K.shape).copy()

    def _hessians(self, W):
        return np.zeros((W.shape[0], self.n, self.m, self.m))

    def _hvp(self, W, V):
        return np.zeros((W.shape[0], self.n, self.m))

    def _hessian_norm(self, W):
        return np.zeros(W.shape[0])


def linear(A, y, *, w0=None, name=None):
    """The linear system F(w) = A w with targets y (T9, X4).

    Parameters
    ----------
    A : array_like, shape (n, m)
    y : array_like, shape (n,)
    w0 : array_like, shape (m,), optional
        Starting point; defaults to 0 (GD from 0 converges to the minimum-norm solution).

    Notes
    -----
    The tangent kernel is the constant A A^T; L is lambda_min(A A^T)-PL* though not
    strongly convex when m > n (T9).

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.systems import linear
    >>> s = linear(np.eye(2, 3), [1.0, 2.0])
    >>> s.kernel(np.zeros(3))
    array([[1., 0.],
           [0., 1.]])
    """
    return LinearSystem(A, y, w0=w0, name=name)
