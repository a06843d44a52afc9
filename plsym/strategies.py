"""Hypothesis strategies for plsym: points of a ball, balls, systems, networks, step sizes.

Use them in your own property tests, as you would a ``hypothesis.extra`` module::

    from hypothesis import given
    from plsym.strategies import points_in, polynomial_systems

Every strategy validates its arguments when it is called (not when it is drawn
from) and raises :class:`plsym.InvalidArgument` with messages such as
``"Cannot have min_width=3 > max_width=1"``. Each docstring says what the
examples shrink towards, so that a failing property reports the simplest case.

References
----------
docs/theory.md §1 (the ball B(w0, R), the system F: R^m -> R^n), D8 (networks),
T14 (step sizes eta <= 1/beta).
"""

from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from . import activations as _activations
from .ball import Ball
from .errors import InvalidArgument, _show, positive_finite, positive_int
from .system import System
from .systems.linear import linear

__all__ = ["points_in", "balls", "linear_systems", "polynomial_systems", "networks", "step_sizes"]

# Up to this dimension a point's direction is drawn coordinate by coordinate (so it
# shrinks to a coordinate axis); above it, from a seeded normal vector (one integer
# instead of m floats keeps each example small).
_EXPLICIT_DIRECTION_MAX_M = 64
# The radial fraction is drawn as one of this many equal cells plus an offset in it.
_CELLS = 1024
# ... over [0, 1.25], clipped to 1: a fifth of the points on the sphere.
_SPHERE_STRETCH = 1.25


# -- argument checks ------------------------------------------------------------------

def _ordered(lo_name, lo, hi_name, hi):
    """InvalidArgument in Hypothesis's words when a min_ bound exceeds its max_ bound."""
    if lo > hi:
        raise InvalidArgument(f"Cannot have {lo_name}={lo!r} > {hi_name}={hi!r}")


def _int_range(lo_name, lo, hi_name, hi, *, minimum):
    lo = positive_int(lo_name, lo, minimum=minimum)
    hi = positive_int(hi_name, hi, minimum=minimum)
    _ordered(lo_name, lo, hi_name, hi)
    return lo, hi


def _nonnegative_finite(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value < 0:
        raise InvalidArgument(f"{name}={_show(value)} must be a non-negative finite number")
    return float(value)


def _bounded_floats(bound):
    """Floats in [-bound, bound] without nan, inf or subnormals; they shrink towards 0."""
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False)


# -- points of a ball -----------------------------------------------------------------

def _fraction(cell, offset):
    """The radial fraction t, uniform on [0, 1.25] clipped to 1 (the sphere)."""
    return min(1.0, _SPHERE_STRETCH * (cell + offset) / _CELLS)


def _point(ball, fraction, direction):
    """center + R * fraction * u / ||u||, exactly inside the closed ball despite rounding."""
    m = ball.m
    if isinstance(direction, (int, np.integer)):
        u = np.random.default_rng(int(direction)).standard_normal(m)
    else:
        u = np.asarray(direction, dtype=np.float64)
    top = np.max(np.abs(u))
    if top == 0.0:  # the all-zero direction, where everything shrinks to: the first axis
        u = np.zeros(m)
        u[0] = 1.0
    else:
        u = u / top  # rescale first so that the norm neither underflows nor overflows
        u = u / np.linalg.norm(u)
    # the sum w0 + offset rounds (by up to an ulp of w0, which may exceed R's); the
    # ball's own projection moves such a point back so that it lies exactly inside
    return ball.project(ball.center + (ball.radius * fraction) * u)


def points_in(ball):
    """Points of the closed ball B(w0, R), boundary included.

    A point is ``w0 + R * t * u`` with a fraction ``t`` in [0, 1] and a unit
    direction ``u``: ``t`` is drawn evenly over [0, 1.25] and clipped to 1, so
    the sphere (``t = 1``) is drawn often and the interior evenly in the radius
    (not in volume). The set covered is the ball, not its bounding box.

    Parameters
    ----------
    ball : plsym.Ball
        The ball B(w0, R) (paper §1); points have shape ``(ball.m,)``.

    Returns
    -------
    SearchStrategy of ndarray, shape (m,)

    Raises
    ------
    InvalidArgument
        If ``ball`` is not a :class:`plsym.Ball`.

    Notes
    -----
    Shrinks towards the center ``w0`` (``t`` towards 0); a point that must stay
    away from the center shrinks to within 1.25 R/1024 of the smallest distance
    that fails, along the first coordinate axis where the direction allows. For
    m <= 64 the direction is drawn coordinate by coordinate; above, from a
    seeded normal vector, which shrinks towards the direction of seed 0.

    References
    ----------
    docs/theory.md §1 (B(w0, R), the closed Euclidean ball).

    Examples
    --------
    >>> import plsym
    >>> from hypothesis import find
    >>> from plsym.strategies import points_in
    >>> ball = plsym.Ball([3.0, 1.0], 0.5)
    >>> find(points_in(ball), lambda w: True)
    array([3., 1.])
    """
    if not isinstance(ball, Ball):
        raise InvalidArgument(f"ball={_show(ball)} must be a plsym.Ball")
    # Hypothesis floats in [0, 1] are far from uniform (a quarter of them below
    # 1e-90, which puts the point on the center to rounding, and the end 1.0 about
    # once in 1000), so t is a uniform grid cell (sampled_from draws uniformly and
    # shrinks to the first cell) plus a float offset inside it, over [0, 1.25]
    # clipped to 1: a fifth of the points on the sphere, and t still shrinks
    # monotonically (a separate "on the sphere" choice would block shrinking there).
    fraction = st.builds(_fraction, st.sampled_from(range(_CELLS)),
                         st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False))
    if ball.m <= _EXPLICIT_DIRECTION_MAX_M:
        direction = st.lists(_bounded_floats(1.0), min_size=ball.m, max_size=ball.m)
    else:
        direction = st.integers(0, 2**32 - 1)
    return st.builds(lambda t, u: _point(ball, t, u), fraction, direction)


def balls(m, *, min_radius=0.1, max_radius=10.0, max_abs_center=10.0):
    """Closed balls B(w0, R) in R^m.

    Parameters
    ----------
    m : int
        The dimension (>= 1).
    min_radius, max_radius : float
        Bounds of the radius R; 0 < min_radius <= max_radius, finite.
    max_abs_center : float
        Each coordinate of the center w0 lies in [-max_abs_center, max_abs_center].

    Returns
    -------
    SearchStrategy of plsym.Ball

    Raises
    ------
    InvalidArgument
        For a non-positive m or radius bound, a negative or infinite
        ``max_abs_center``, or ``min_radius > max_radius``.

    Notes
    -----
    Shrinks towards the ball of radius ``min_radius`` centered at the origin.

    Examples
    --------
    >>> from hypothesis import find
    >>> from plsym.strategies import balls
    >>> find(balls(2, min_radius=0.5), lambda b: True)
    Ball(center=[0.0, 0.0], radius=0.5)
    """
    m = positive_int("m", m)
    min_radius = positive_finite("min_radius", min_radius)
    max_radius = positive_finite("max_radius", max_radius)
    _ordered("min_radius", min_radius, "max_radius", max_radius)
    max_abs_center = _nonnegative_finite("max_abs_center", max_abs_center)
    span = max_radius - min_radius
    radii = st.floats(0.0, span, allow_nan=False, allow_subnormal=False).map(
        lambda x: min(max_radius, min_radius + x))
    centers = st.lists(_bounded_floats(max_abs_center), min_size=m, max_size=m)
    return st.builds(Ball, centers, radii)


# -- systems --------------------------------------------------------------------------

def linear_systems(*, min_n=1, max_n=3, min_m=1, max_m=5, max_abs_entry=2.0):
    """Linear systems F(w) = A w with targets y (T9), as :class:`plsym.systems.LinearSystem`.

    Parameters
    ----------
    min_n, max_n : int
        Bounds of the number of equations n (rows of A), >= 1.
    min_m, max_m : int
        Bounds of the number of parameters m (columns of A), >= 1.
    max_abs_entry : float
        Entries of A and of y lie in [-max_abs_entry, max_abs_entry].

    Returns
    -------
    SearchStrategy of plsym.System

    Raises
    ------
    InvalidArgument
        For a bound below 1, ``min_n > max_n``, ``min_m > max_m`` or a negative
        or infinite ``max_abs_entry``.

    Notes
    -----
    Shrinks towards n = min_n, m = min_m, A = 0 and y = 0 (then entry by entry
    towards small values). Nothing forces full rank or m > n: filter or
    ``assume`` for that.

    References
    ----------
    docs/theory.md T9 (linear systems), C17.

    Examples
    --------
    >>> from hypothesis import find
    >>> from plsym.strategies import linear_systems
    >>> s = find(linear_systems(min_n=2, min_m=3), lambda s: True)
    >>> s.n, s.m, float(abs(s.A).max())
    (2, 3, 0.0)
    """
    min_n, max_n = _int_range("min_n", min_n, "max_n", max_n, minimum=1)
    min_m, max_m = _int_range("min_m", min_m, "max_m", max_m, minimum=1)
    bound = _nonnegative_finite("max_abs_entry", max_abs_entry)

    @st.composite
    def draw_linear(draw):
        n = draw(st.integers(min_n, max_n))
        m = draw(st.integers(min_m, max_m))
        A = np.array(draw(st.lists(_bounded_floats(bound), min_size=n * m, max_size=n * m))).reshape(n, m)
        y = np.array(draw(st.lists(_bounded_floats(bound), min_size=n, max_size=n)))
        return linear(A, y)

    return draw_linear()


def polynomial_systems(*, min_n=1, max_n=2, min_m=1, max_m=3, max_degree=3, max_terms=3,
                       max_abs_coefficient=3, max_abs_target=2.0):
    """Small random polynomial systems as symbolic :class:`plsym.System` objects.

    Each output F_i is a sum of 1..max_terms terms ``c * w_{j1} * ... * w_{jd}`` with
    an integer coefficient 1 <= |c| <= max_abs_coefficient and degree d <= max_degree
    (repeated indices give powers; equal monomials add up); derivatives are
    exact (symbolic).

    Parameters
    ----------
    min_n, max_n : int
        Bounds of the number of equations n, >= 1.
    min_m, max_m : int
        Bounds of the number of parameters m, >= 1.
    max_degree : int
        Largest total degree of a term, >= 0.
    max_terms : int
        Largest number of terms in one output, >= 1.
    max_abs_coefficient : int
        Largest |c|, >= 1.
    max_abs_target : float
        Targets y_i lie in [-max_abs_target, max_abs_target].

    Returns
    -------
    SearchStrategy of plsym.System

    Raises
    ------
    InvalidArgument
        For out-of-range bounds or ``min_n > max_n``, ``min_m > max_m``.

    Notes
    -----
    Shrinks towards n = min_n, m = min_m, one term per output, lower degree
    (ultimately the constant outputs F_i = 1), coefficient +1, variables of
    lower index (w1) and targets y = 0.

    Examples
    --------
    >>> from hypothesis import find
    >>> from plsym.strategies import polynomial_systems
    >>> s = find(polynomial_systems(), lambda s: s.outputs[0].is_polynomial() and s.m == 2)
    >>> s.n, s.m
    (1, 2)
    """
    min_n, max_n = _int_range("min_n", min_n, "max_n", max_n, minimum=1)
    min_m, max_m = _int_range("min_m", min_m, "max_m", max_m, minimum=1)
    max_degree = positive_int("max_degree", max_degree, minimum=0)
    max_terms = positive_int("max_terms", max_terms, minimum=1)
    max_coef = positive_int("max_abs_coefficient", max_abs_coefficient, minimum=1)
    target = _nonnegative_finite("max_abs_target", max_abs_target)

    @st.composite
    def draw_polynomial(draw):
        n = draw(st.integers(min_n, max_n))
        m = draw(st.integers(min_m, max_m))
        ws = sympy.symbols(f"w1:{m + 1}", real=True)
        term = st.tuples(
            st.integers(1, max_coef), st.booleans(),
            st.lists(st.integers(0, m - 1), max_size=max_degree),
        )
        outputs = []
        for _ in range(n):
            terms = draw(st.lists(term, min_size=1, max_size=max_terms))
            outputs.append(sympy.Add(*[
                (-c if negative else c) * sympy.Mul(*[ws[j] for j in idx]) for c, negative, idx in terms
            ]))
        y = draw(st.lists(_bounded_floats(target), min_size=n, max_size=n))
        return System(outputs, ws, y, name=f"polynomial(n={n}, m={m})")

    return draw_polynomial()


def networks(*, min_width=1, max_width=8, min_depth=1, max_depth=2, activations=("tanh", "sigmoid", "softplus"),
             outputs=(None,), min_n=1, max_n=4, d=2):
    """Small fully connected networks of D8 on random data, as :class:`NetworkSystem`.

    Parameters
    ----------
    min_width, max_width : int
        Bounds of each hidden width m_l, >= 1.
    min_depth, max_depth : int
        Bounds of the number L of hidden layers, >= 1.
    activations : sequence of str
        Hidden activations to draw from (names in :data:`plsym.activations.NAMES`).
    outputs : sequence of (str or None)
        Output activations to draw from; None is the linear output.
    min_n, max_n : int
        Bounds of the number n of data points (outputs), >= 1.
    d : int
        The input dimension, >= 1.

    Returns
    -------
    SearchStrategy of plsym.systems.network.NetworkSystem

    Raises
    ------
    InvalidArgument
        For out-of-range bounds, a min_ bound above its max_ bound, an empty
        ``activations`` or ``outputs``, or an unknown activation name.

    Notes
    -----
    Shrinks towards one hidden layer of width ``min_width``, the first activation
    and output listed, ``min_n`` data points, inputs and targets 0 and the
    initialization of seed 0.

    References
    ----------
    docs/theory.md D8 (architecture, NTK parameterization).

    Examples
    --------
    >>> from hypothesis import find
    >>> from plsym.strategies import networks
    >>> net = find(networks(min_width=4), lambda net: True)
    >>> net.widths, net.activation, net.n
    ((4,), 'tanh', 1)
    """
    from .systems.network import network  # the network family is optional for the other strategies

    min_width, max_width = _int_range("min_width", min_width, "max_width", max_width, minimum=1)
    min_depth, max_depth = _int_range("min_depth", min_depth, "max_depth", max_depth, minimum=1)
    min_n, max_n = _int_range("min_n", min_n, "max_n", max_n, minimum=1)
    d = positive_int("d", d)
    acts = _names("activations", activations, allow_none=False)
    outs = _names("outputs", outputs, allow_none=True)

    @st.composite
    def draw_network(draw):
        widths = draw(st.lists(st.integers(min_width, max_width), min_size=min_depth, max_size=max_depth))
        activation = draw(st.sampled_from(acts))
        output = draw(st.sampled_from(outs))
        n = draw(st.integers(min_n, max_n))
        X = np.array(draw(st.lists(_bounded_floats(2.0), min_size=n * d, max_size=n * d))).reshape(n, d)
        y = np.array(draw(st.lists(_bounded_floats(2.0), min_size=n, max_size=n)))
        seed = draw(st.integers(0, 2**16))
        return network(X, y, widths, activation=activation, output=output, rng=seed)

    return draw_network()


def _names(argument, names, *, allow_none):
    """A non-empty tuple of registered activation names (and None when allowed)."""
    if isinstance(names, (str, bytes)) or not hasattr(names, "__iter__"):
        raise InvalidArgument(f"{argument}={_show(names)} must be a non-empty sequence of activation names")
    names = tuple(names)
    if not names:
        raise InvalidArgument(f"{argument}=() is empty; give at least one activation name")
    for j, name in enumerate(names):
        if name is None and allow_none:
            continue
        if not isinstance(name, str) or name not in _activations.NAMES:
            allowed = ", ".join(map(repr, _activations.NAMES)) + (", None" if allow_none else "")
            raise InvalidArgument(f"{argument}[{j}]={_show(name)} is not allowed; choose from {allowed}")
    return names


def step_sizes(beta, *, min_fraction=1e-3, max_fraction=1.0):
    """Step sizes eta = f / beta with a fraction f in [min_fraction, max_fraction].

    Parameters
    ----------
    beta : float
        The smoothness beta of L (D5), > 0; T14/T15 take eta <= 1/beta.
    min_fraction, max_fraction : float
        Bounds of f = eta * beta, 0 < min_fraction <= max_fraction. Fractions
        above 2 give steps beyond the stability limit 2/beta.

    Returns
    -------
    SearchStrategy of float

    Raises
    ------
    InvalidArgument
        For a non-positive or infinite beta or fraction, or ``min_fraction > max_fraction``.

    Notes
    -----
    Shrinks towards the largest step, ``max_fraction / beta`` (1/beta by
    default, the step of T15): the one most likely to break a rate claim.

    References
    ----------
    docs/theory.md T14, T15 (eta <= 1/beta), C15.

    Examples
    --------
    >>> from hypothesis import find
    >>> from plsym.strategies import step_sizes
    >>> find(step_sizes(4.0), lambda eta: True)
    0.25
    """
    beta = positive_finite("beta", beta)
    min_fraction = positive_finite("min_fraction", min_fraction)
    max_fraction = positive_finite("max_fraction", max_fraction)
    _ordered("min_fraction", min_fraction, "max_fraction", max_fraction)
    span = max_fraction - min_fraction
    return st.floats(0.0, span, allow_nan=False, allow_subnormal=False).map(
        lambda x: max(min_fraction, max_fraction - x) / beta)
