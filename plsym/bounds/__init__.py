"""Closed-form upper bounds on a ball B(w0, R), as sympy expressions in the radius R.

=========================  ==========================================  ===========
function                   upper bound, for every w in B(w0, R), of    paper
=========================  ==========================================  ===========
hessian_norm               max_i ||H_{F_i}(w)||_2                      T10, C6
lipschitz                  ||DF(w)||_2, so L_F                         D5
residual_norm              ||F(w) - y||                                T14
smoothness                 ||H_L(w)||_2, so beta                       D5, C7, C8
two_layer_hessian_bound    ||H_F(W)|| of a two-layer net, C(R)/sqrt m  T19, C22
two_layer_lipschitz_bound  ||DF(W)||_2 of a two-layer net              D5, T20
width_for_pl               a width m meeting the T10 criterion         T10, T20
=========================  ==========================================  ===========

Every function takes the system and a :class:`plsym.Ball`, as :mod:`plsym.estimate`
and :mod:`plsym.certify` do: ``ball=None`` (the default, except for
:func:`width_for_pl`) bounds on B(system.w0, R) for every R, a Ball fixes the
center and the radius, which :meth:`SymbolicBound.evaluate` then uses by default.
The old names ``jacobian_norm`` and ``two_layer_jacobian_bound``, and the old
argument forms ``(system, center, R)`` with a radius symbol R, still work for a
release and warn.

What a bound means: ``expr`` is a sympy expression in the radius symbol ``R``,
non-decreasing in R, and for every radius in the stated range (``valid``,
``max_radius``) its value is >= the true supremum over the closed ball. It is
proved by construction (rules below), not searched: compare with
:mod:`plsym.estimate`, whose suprema are attained values, hence lower bounds of
the truth, and with :mod:`plsym.certify`, which proves numbers for one radius by
ball arithmetic on box covers. :meth:`SymbolicBound.evaluate` evaluates ``expr``
in python-flint ``arb`` ball arithmetic and rounds upward, so the float it
returns is itself a bound.

Method (generic systems). Every entry e of DF, of the H_{F_i} or of F is bounded
by recursive rules on its expression tree, over the box [w0 - R, w0 + R], which
contains the ball. Each node gets an enclosure [lo, hi] (lo non-increasing, hi
non-decreasing in R) and a majorant mag >= |e|:

* a parameter w_j: [w0_j - R, w0_j + R], mag |w0_j| + R; a number: itself.
  Floats (w0_j, y_i, constants) become rationals on the 2^-64 grid, rounded
  outward: exact for |x| >= 2^-11, and no rounding error enters anywhere;
* sums add enclosures; products multiply them (exactly when the signs of the
  factors are known, else mag = product of mags); repeated factors become powers;
  odd powers are monotone, even powers lie in [0, mag^k];
* monotone functions map the endpoints (exp, tanh, sinh, atan, asinh, erf, erfc,
  log); |tanh z| <= tanh(mag z), |sin z| <= min(1, mag z), |cos| <= 1;
* negative and fractional powers and log need the base bounded away from 0 (or
  >= 0): when that is not structural (as for 1 + exp(-z)) it becomes a condition
  on R, and the bound holds on the largest range 0 < R <= max_radius where the
  condition is proved (in ball arithmetic); a condition false already at R = 0
  raises :class:`~plsym.errors.InvalidArgument`;
* derivative patterns that plsym's differentiation produces get their known
  constants: 1 - tanh(u)^2 lies in [0, 1]; |tanh(u)^a (1 - tanh(u)^2)^b| <=
  max_t |t|^a (1 - t^2)^b (so |tanh''| = 2 |tanh (1 - tanh^2)| <= 4/(3 sqrt 3));
  exp(u)^a / (c + exp(u))^b <= sup_x x^a / (c + x)^b for b >= a (so
  |sigmoid'| <= 1/4).

The spectral norm of a matrix whose entries are bounded by a majorant matrix M
is at most ||M||_2 (Perron-Frobenius), which is bounded by min(||M||_F, max row
sum of M) for the symmetric Hessians (Frobenius, Gershgorin) and by
min(||M||_F, sqrt(max row sum * max column sum)) for DF.

Method (two-layer networks). f(W; x) = v^T sigma(U x / sqrt d) / sqrt m is
handled in closed form from one neuron template, never entry by entry: see
:func:`two_layer_hessian_bound`.

Layout: :mod:`plsym.bounds._expr` (SymbolicBound, ball arithmetic on the
expressions), :mod:`plsym.bounds._majorant` (the generic rules and functions),
:mod:`plsym.bounds._network` (the two-layer closed forms).

References
----------
docs/theory.md §1 (symbols), D5, T10, T19, T20, C5-C8, C22.
"""

import warnings

from . import _network
from ._expr import SymbolicBound
from ._majorant import hessian_norm, lipschitz, residual_norm, smoothness
from ._network import WidthBound, two_layer_hessian_bound, two_layer_lipschitz_bound, width_for_pl

#: Exact constants sigma(0), sup|sigma| (None: unbounded), sup|sigma'|, sup|sigma''| of the
#: registered smooth activations, by name (``relu`` is not twice differentiable and has none).
ACTIVATION_CONSTANTS = _network.ACTIVATION_CONSTANTS

__all__ = [
    "ACTIVATION_CONSTANTS", "SymbolicBound", "WidthBound",
    "hessian_norm", "lipschitz", "residual_norm", "smoothness",
    "two_layer_hessian_bound", "two_layer_lipschitz_bound", "width_for_pl",
]

# The public functions are defined in the private modules; doctest.testmod(plsym.bounds)
# runs their examples through this table.
__test__ = {name: globals()[name] for name in __all__ if callable(globals()[name])}

_RENAMED = {"jacobian_norm": "lipschitz", "two_layer_jacobian_bound": "two_layer_lipschitz_bound"}


def __getattr__(name):
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"plsym.bounds.{name} is deprecated; use plsym.bounds.{new} (the name of L_F in "
                  "plsym.estimate and plsym.certify)", DeprecationWarning, stacklevel=2)
    return globals()[new]
