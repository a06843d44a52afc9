"""Activation functions sigma of the fully connected network D8, by name.

Each :class:`Activation` carries vectorized numpy forms of sigma, sigma' and
sigma'' (float64 in, float64 out, written to stay finite for large |z|), a sympy
builder for the symbolic outputs, and whether sigma is twice differentiable.
D8 asks the hidden activations to be twice differentiable with Lipschitz
sigma' and sigma''; ``relu`` is offered for first-order work only (its
``d2sigma`` is None, and networks using it refuse Hessians).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import scipy.special
import sympy

from .errors import one_of

__all__ = ["Activation", "NAMES", "get"]

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


@dataclass(frozen=True)
class Activation:
    """One activation sigma with its first two derivatives.

    Parameters
    ----------
    name : str
        The registry name (``"tanh"``, ``"relu"``, ...).
    sigma, dsigma : callable
        Vectorized numpy functions z -> sigma(z), z -> sigma'(z).
    d2sigma : callable or None
        z -> sigma''(z), or None when sigma is not twice differentiable.
    symbolic : callable
        A sympy expression -> the sympy expression sigma(expression).
    smooth : bool
        True when sigma is twice differentiable everywhere (D8's assumption).
    dsigma_from_sigma : callable, optional
        s -> sigma'(z) from s = sigma(z), where that is cheaper than from z
        (tanh: 1 - s^2; sigmoid: s (1 - s)); exact up to an absolute rounding error
        of a few eps, which is what kernels need (not relative accuracy in the tails).
    d2sigma_from_sigma : callable, optional
        (s, d1=None) -> sigma''(z) from s = sigma(z) (tanh: -2 s (1 - s^2); sigmoid:
        s (1 - s) (1 - 2 s)), with the same absolute accuracy; d1 = sigma'(z), when
        given, saves recomputing it.
    dsigma_sup, d2sigma_sup : float, optional
        sup over the real line of |sigma'| and of |sigma''|, where they are finite
        and known in closed form (None otherwise): bounds that hold at every z, used
        to discard neurons that cannot reach a maximum.

    References
    ----------
    docs/theory.md §3.8, D8 (activation assumptions).
    """

    name: str
    sigma: Callable[[np.ndarray], np.ndarray]
    dsigma: Callable[[np.ndarray], np.ndarray]
    d2sigma: Optional[Callable[[np.ndarray], np.ndarray]]
    symbolic: Callable[[sympy.Expr], sympy.Expr]
    smooth: bool
    dsigma_from_sigma: Optional[Callable[[np.ndarray], np.ndarray]] = None
    d2sigma_from_sigma: Optional[Callable[[np.ndarray], np.ndarray]] = None
    dsigma_sup: Optional[float] = None
    d2sigma_sup: Optional[float] = None

    def with_derivatives(self, z, second=False):
        """(sigma(z), sigma'(z), sigma''(z) or None), sharing work where sigma gives the derivatives.

        For tanh and sigmoid one transcendental evaluation gives all three (to an
        absolute rounding error of a few eps, see ``dsigma_from_sigma``).
        """
        s = self.sigma(z)
        d1 = self.dsigma_from_sigma(s) if self.dsigma_from_sigma is not None else self.dsigma(z)
        if not second:
            return s, d1, None
        d2 = self.d2sigma_from_sigma(s, d1) if self.d2sigma_from_sigma is not None else self.d2sigma(z)
        return s, d1, d2

    def __repr__(self):
        return f"Activation({self.name!r})"


def _sech2(z):
    """sech(z)^2 = 1 / cosh(z)^2, without overflow (cosh overflows to inf past |z| ~ 710, giving 0)."""
    with np.errstate(over="ignore"):
        c = np.cosh(z)
    return 1.0 / (c * c)


def _owned(x):
    """x as the ``out=`` of an in-place ufunc: x itself when it is an array, None for a scalar."""
    return x if isinstance(x, np.ndarray) else None


def _one_minus_square(s):
    """1 - s^2 (tanh' from tanh), with one temporary."""
    out = np.multiply(s, s)
    return np.subtract(1.0, out, out=_owned(out))


def _tanh_d2_from_sigma(s, d1=None):
    """-2 s (1 - s^2) (tanh'' from tanh, and from tanh' = 1 - s^2 when given), with one temporary."""
    if d1 is None:
        out = _one_minus_square(s)
        out *= s
    else:
        out = np.multiply(d1, s)
    out *= -2.0
    return out


def _sigmoid_d1_from_sigma(s):
    """s (1 - s) (sigmoid' from sigmoid), with one temporary."""
    out = np.subtract(1.0, s)
    out *= s
    return out


def _sigmoid_d2_from_sigma(s, d1=None):
    """s (1 - s) (1 - 2 s) (sigmoid'' from sigmoid, and from sigmoid' = s (1 - s) when given)."""
    out = np.multiply(s, -2.0)
    out += 1.0
    out *= _sigmoid_d1_from_sigma(s) if d1 is None else d1
    return out


def _tanh_d2(z):
    return -2.0 * np.tanh(z) * _sech2(z)


def _sigmoid_d1(z):
    return scipy.special.expit(z) * scipy.special.expit(-z)


def _sigmoid_d2(z):
    s, t = scipy.special.expit(z), scipy.special.expit(-z)
    return s * t * (t - s)


def _phi(z):
    """The standard normal density."""
    return _INV_SQRT_2PI * np.exp(-0.5 * np.square(z))


def _gelu(z):
    return z * scipy.special.ndtr(z)


def _gelu_d1(z):
    return scipy.special.ndtr(z) + z * _phi(z)


def _gelu_d2(z):
    return (2.0 - np.square(z)) * _phi(z)


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_d1(z):
    # The subgradient 0 at the kink, as autodiff frameworks use.
    return (np.asarray(z) > 0).astype(np.float64)


def _identity(z):
    return np.asarray(z, dtype=np.float64)


def _one(z):
    return np.ones_like(z, dtype=np.float64)


def _zero(z):
    return np.zeros_like(z, dtype=np.float64)


_REGISTRY = {
    a.name: a
    for a in (
        Activation("tanh", np.tanh, _sech2, _tanh_d2, sympy.tanh, True, _one_minus_square, _tanh_d2_from_sigma,
                   dsigma_sup=1.0, d2sigma_sup=4.0 / (3.0 * math.sqrt(3.0))),  # tanh'' peaks where tanh^2 = 1/3
        Activation("sigmoid", scipy.special.expit, _sigmoid_d1, _sigmoid_d2,
                   lambda z: 1 / (1 + sympy.exp(-z)), True, _sigmoid_d1_from_sigma, _sigmoid_d2_from_sigma,
                   dsigma_sup=0.25, d2sigma_sup=math.sqrt(3.0) / 18.0),  # at s = 1/2 and s = 1/2 +- sqrt(3)/6
        Activation("softplus", lambda z: np.logaddexp(0.0, z), scipy.special.expit, _sigmoid_d1,
                   lambda z: sympy.log(1 + sympy.exp(z)), True, dsigma_sup=1.0, d2sigma_sup=0.25),
        Activation("sin", np.sin, np.cos, lambda z: -np.sin(z), sympy.sin, True, dsigma_sup=1.0, d2sigma_sup=1.0),
        Activation("gelu", _gelu, _gelu_d1, _gelu_d2,
                   lambda z: z * (1 + sympy.erf(z / sympy.sqrt(2))) / 2, True,
                   # gelu' = Phi + z phi peaks at z = sqrt 2 (gelu'' = (2 - z^2) phi); |gelu''| peaks at z = 0
                   dsigma_sup=float(scipy.special.ndtr(math.sqrt(2.0)) + math.sqrt(2.0) * _phi(math.sqrt(2.0))),
                   d2sigma_sup=2.0 * _INV_SQRT_2PI),
        Activation("relu", _relu, _relu_d1, None, lambda z: sympy.Max(0, z), False, dsigma_sup=1.0),
        Activation("identity", _identity, _one, _zero, lambda z: z, True, dsigma_sup=1.0, d2sigma_sup=0.0),
    )
}

#: The names accepted by :func:`get`, in registry order.
NAMES = tuple(_REGISTRY)


def get(name: str, *, argument: str = "activation") -> Activation:
    """The activation registered under ``name``.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`: ``"tanh"``, ``"sigmoid"``, ``"softplus"``,
        ``"sin"``, ``"gelu"`` (erf-GELU, z Phi(z)), ``"relu"``, ``"identity"``.
    argument : str, optional
        The argument name used in the error message (for example ``"output"``).

    Returns
    -------
    Activation

    Raises
    ------
    InvalidArgument
        If ``name`` is not a registered name.

    Examples
    --------
    >>> from plsym import activations
    >>> act = activations.get("tanh")
    >>> float(act.dsigma(0.0))
    1.0
    """
    return _REGISTRY[one_of(argument, name, NAMES)]
