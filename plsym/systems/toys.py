"""The paper's toy systems (docs/theory.md §5: X1, X2, X3 non-linear, X4 linear)."""

from __future__ import annotations

import sympy

from ..errors import positive_int
from ..system import System
from .linear import linear

__all__ = ["linear_toy", "product", "sphere"]


def product(y=1.0, *, w0=(3.0, 1.0)):
    """F(w) = w1 w2 (m = 2, n = 1): the curved solution set of X1 and the GD instance of X3.

    Parameters
    ----------
    y : float
        The target; the solution set is the hyperbola w1 w2 = y.
    w0 : array_like, shape (2,), optional
        Starting point; the default (3, 1) is X3's.

    Notes
    -----
    Closed forms: K(w) = w1^2 + w2^2, H_F = [[0, 1], [1, 0]] (so ||H_F|| = 1), and
    H_L = [[w2^2, 2 w1 w2 - y], [2 w1 w2 - y, w1^2]].

    Examples
    --------
    >>> from plsym.systems import product
    >>> float(product(2.9).kernel([3.0, 1.0])[0, 0])
    10.0
    """
    w1, w2 = sympy.symbols("w1 w2", real=True)
    return System([w1 * w2], [w1, w2], y, name="product", w0=w0)


def sphere(m=2, y=1.0, *, w0=None):
    """F(w) = ||w||^2 (n = 1): the sphere of solutions of X2.

    Parameters
    ----------
    m : int
        Number of parameters (>= 1).
    y : float
        The target; the solutions form the sphere of radius sqrt(y) when y > 0.
    w0 : array_like, shape (m,), optional

    Notes
    -----
    Closed forms: K(w) = 4 ||w||^2, H_F = 2 I, and PL* holds with equality,
    1/2 ||grad L||^2 = lambda_min(K) L.
    """
    m = positive_int("m", m)
    ws = sympy.symbols(f"w1:{m + 1}", real=True)
    return System([sum(w**2 for w in ws)], list(ws), y, name=f"sphere(m={m})", w0=w0)


def linear_toy(y=(1.0, 2.0)):
    """X4: w0 + w1 x_i1 + w2 x_i2 = y_i at two data points x_1 = (0.5, -1), x_2 = (-2, 0.3) (m = 3, n = 2).

    Parameters
    ----------
    y : array_like, shape (2,)
        The targets; the solutions form a line (two planes in R^3 meeting), not isolated.

    Returns
    -------
    plsym.systems.LinearSystem
        F(w) = A w with A = [[1, 0.5, -1], [1, -2, 0.3]] (the rows (1, x_i)), w0 = 0.

    Examples
    --------
    >>> from plsym.systems import linear_toy
    >>> s = linear_toy()
    >>> s.m, s.n
    (3, 2)
    >>> bool(abs(s.kernel(s.w0)[0, 0] - 2.25) < 1e-12)  # K = A A^T: 1 + 0.25 + 1
    True
    """
    return linear([[1.0, 0.5, -1.0], [1.0, -2.0, 0.3]], y, name="X4: two points in R^2, w in R^3")
