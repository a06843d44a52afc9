"""plsym.strategies: what each strategy draws, where its examples shrink to, and its argument checks.

Membership of a ball is checked exactly: ||w - w0|| <= R up to the rounding of
w0 + offset (4 eps (|w0| + R)), never against a bounding box.
"""

import numpy as np
import pytest
import sympy
from hypothesis import find, given, settings
from hypothesis import strategies as st

import plsym
from plsym import InvalidArgument, strategies
from plsym.strategies import balls, linear_systems, networks, points_in, polynomial_systems, step_sizes

EPS = np.finfo(float).eps


def inside(ball, w):
    """||w - w0|| <= R, allowing only the rounding of the sum w0 + offset."""
    slack = 4 * EPS * (np.linalg.norm(ball.center) + ball.radius)
    return np.linalg.norm(np.asarray(w) - ball.center) <= ball.radius + slack


# -- points_in ------------------------------------------------------------------------

@given(st.data())
def test_points_are_in_the_ball(data):
    m = data.draw(st.integers(1, 6))
    ball = data.draw(balls(m, min_radius=1e-3, max_radius=100.0, max_abs_center=1e3))
    w = data.draw(points_in(ball))
    assert w.shape == (m,) and np.all(np.isfinite(w))
    assert inside(ball, w) and ball.contains(w)


def test_points_cover_the_ball_not_a_box():
    ball = plsym.Ball([1.0, -2.0, 0.5], 2.0)
    # a corner direction of the bounding box: reached on the sphere, never beyond it
    corner = find(points_in(ball), lambda w: np.all(w - ball.center > 1.0))
    assert inside(ball, corner)
    seen = []

    @settings(max_examples=300, database=None, derandomize=True)
    @given(points_in(ball))
    def collect(w):
        seen.append(np.linalg.norm(w - ball.center) / ball.radius)

    collect()
    t = np.array(seen)
    assert t.max() <= 1 + 1e-12
    # the sphere is drawn often (a fifth of the cells; Hypothesis's own mutations make it ~10%)
    assert np.mean(t >= 1 - 1e-12) > 0.05
    assert np.mean((t > 0.05) & (t < 0.95)) > 0.3  # and the interior is spread out
    assert np.mean(t < 1e-6) < 0.05  # not piled up at the center


def test_points_reach_the_boundary():
    ball = plsym.Ball([3.0, 1.0], 0.5)
    w = find(points_in(ball), lambda w: np.linalg.norm(w - ball.center) >= ball.radius * (1 - 1e-12))
    assert inside(ball, w)
    assert np.linalg.norm(w - ball.center) == pytest.approx(ball.radius, rel=1e-12)


def test_points_shrink_to_the_center():
    ball = plsym.Ball([3.0, 1.0, -2.0], 0.5)
    assert np.array_equal(find(points_in(ball), lambda w: True), ball.center)
    # away from the center: the smallest distance allowed, to 1.25 R/1024, along the first axis
    w = find(points_in(ball), lambda w: np.linalg.norm(w - ball.center) > 0.3)
    d = w - ball.center
    assert 0.3 < np.linalg.norm(d) <= 0.3 + 1.25 * ball.radius / 1024
    assert np.allclose(d[1:], 0.0, atol=0) and d[0] > 0


def test_points_in_high_dimension_use_seeded_directions():
    ball = plsym.Ball(np.zeros(200), 1.0)
    w = find(points_in(ball), lambda w: np.linalg.norm(w) > 0.5)
    assert w.shape == (200,) and inside(ball, w)
    assert np.count_nonzero(w) > 100  # a seeded normal direction, not an axis


# -- balls, systems, networks, step sizes ----------------------------------------------

@given(balls(3, min_radius=0.5, max_radius=2.0, max_abs_center=4.0))
def test_balls_respect_their_bounds(ball):
    assert ball.m == 3 and 0.5 <= ball.radius <= 2.0
    assert np.all(np.abs(ball.center) <= 4.0)


def test_balls_shrink_to_the_smallest_ball_at_the_origin():
    ball = find(balls(2, min_radius=0.25, max_radius=3.0), lambda b: True)
    assert ball == plsym.Ball([0.0, 0.0], 0.25)


@given(linear_systems(min_n=2, max_n=3, min_m=3, max_m=5, max_abs_entry=1.5))
def test_linear_systems_respect_their_bounds(s):
    assert 2 <= s.n <= 3 and 3 <= s.m <= 5
    assert np.all(np.abs(s.A) <= 1.5) and np.all(np.abs(s.y) <= 1.5)
    w = np.ones(s.m)
    np.testing.assert_allclose(s.kernel(w), s.A @ s.A.T, rtol=1e-12, atol=1e-12)


def test_linear_systems_shrink_to_zero():
    s = find(linear_systems(min_n=2, min_m=3), lambda s: True)
    assert (s.n, s.m) == (2, 3) and not s.A.any() and not s.y.any()


@settings(max_examples=30)
@given(polynomial_systems(min_n=1, max_n=2, min_m=2, max_m=3, max_degree=3, max_terms=3))
def test_polynomial_systems_respect_their_bounds(s):
    assert isinstance(s, plsym.System)
    assert 1 <= s.n <= 2 and 2 <= s.m <= 3
    for f in s.outputs:
        poly = sympy.Poly(f, *s.params)
        assert poly.total_degree() <= 3 and len(poly.terms()) <= 3
        assert all(abs(c) <= 3 * 3 for c in poly.coeffs())  # equal monomials add up
    w = np.linspace(-1, 1, s.m)
    assert s.jacobian(w).shape == (s.n, s.m) and s.hessians(w).shape == (s.n, s.m, s.m)


def test_polynomial_systems_shrink_to_constant_outputs():
    s = find(polynomial_systems(min_n=2, min_m=2), lambda s: True)
    assert (s.n, s.m) == (2, 2) and s.outputs == (1, 1) and not s.y.any()
    # a non-constant output shrinks to the first parameter
    s = find(polynomial_systems(), lambda s: s.outputs[0].free_symbols)
    assert s.outputs[0] == s.params[0]


@settings(max_examples=20)
@given(networks(min_width=2, max_width=6, max_depth=2, activations=("tanh", "sigmoid"), outputs=(None, "tanh"),
                min_n=2, max_n=3, d=3))
def test_networks_respect_their_bounds(net):
    assert 1 <= net.depth <= 2 and all(2 <= w <= 6 for w in net.widths)
    assert net.activation in ("tanh", "sigmoid") and net.output in (None, "tanh")
    assert 2 <= net.n <= 3 and net.X.shape == (net.n, 3)
    assert net.kernel(net.w0).shape == (net.n, net.n)


def test_networks_shrink_to_the_smallest_one():
    net = find(networks(min_width=3, max_width=9, min_n=2), lambda net: True)
    assert net.widths == (3,) and net.activation == "tanh" and net.output is None and net.n == 2
    assert not net.X.any() and not net.y.any()


@given(step_sizes(4.0, min_fraction=0.1, max_fraction=2.5))
def test_step_sizes_respect_their_bounds(eta):
    assert 0.1 / 4.0 <= eta <= 2.5 / 4.0


def test_step_sizes_shrink_to_the_largest_step():
    assert find(step_sizes(4.0), lambda eta: True) == 0.25
    assert find(step_sizes(4.0, max_fraction=2.5), lambda eta: True) == 2.5 / 4.0


# -- argument checks ------------------------------------------------------------------

BAD = [
    (lambda: networks(min_width=3, max_width=1), "Cannot have min_width=3 > max_width=1"),
    (lambda: networks(min_depth=3, max_depth=2), "Cannot have min_depth=3 > max_depth=2"),
    (lambda: networks(min_n=4, max_n=2), "Cannot have min_n=4 > max_n=2"),
    (lambda: linear_systems(min_n=3, max_n=1), "Cannot have min_n=3 > max_n=1"),
    (lambda: linear_systems(min_m=5, max_m=4), "Cannot have min_m=5 > max_m=4"),
    (lambda: polynomial_systems(min_m=4, max_m=2), "Cannot have min_m=4 > max_m=2"),
    (lambda: balls(2, min_radius=2.0, max_radius=1.0), "Cannot have min_radius=2.0 > max_radius=1.0"),
    (lambda: step_sizes(1.0, min_fraction=2.0, max_fraction=1.0), "Cannot have min_fraction=2.0 > max_fraction=1.0"),
    (lambda: points_in([0.0, 1.0]), "ball=[0.0, 1.0] must be a plsym.Ball"),
    (lambda: balls(0), "m=0 must be an integer >= 1"),
    (lambda: balls(2, min_radius=-1.0), "min_radius=-1.0 must be a positive finite number"),
    (lambda: balls(2, max_abs_center=float("inf")), "max_abs_center=inf must be a non-negative finite number"),
    (lambda: linear_systems(min_n=0), "min_n=0 must be an integer >= 1"),
    (lambda: polynomial_systems(max_degree=-1), "max_degree=-1 must be an integer >= 0"),
    (lambda: networks(activations=()), "activations=() is empty"),
    (lambda: networks(activations=("tanh", "bogus")), "activations[1]='bogus' is not allowed"),
    (lambda: networks(outputs=("bogus",)), "outputs[0]='bogus' is not allowed"),
    (lambda: networks(activations="tanh"), "activations='tanh' must be a non-empty sequence"),
    (lambda: step_sizes(0.0), "beta=0.0 must be a positive finite number"),
]


@pytest.mark.parametrize("make,message", BAD)
def test_bad_arguments_are_refused_when_the_strategy_is_built(make, message):
    with pytest.raises(InvalidArgument) as info:
        make()  # at the call, before anything is drawn
    assert message in str(info.value)


def test_all_is_explicit_and_documented():
    assert sorted(strategies.__all__) == sorted(
        ["points_in", "balls", "linear_systems", "polynomial_systems", "networks", "step_sizes"])
    for name in strategies.__all__:
        obj = getattr(strategies, name)
        assert callable(obj) and obj.__doc__, name
        assert "Shrinks towards" in obj.__doc__, f"{name} does not say what it shrinks towards"
    public = {k for k, v in vars(strategies).items()
              if not k.startswith("_") and callable(v) and getattr(v, "__module__", "") == strategies.__name__}
    assert public == set(strategies.__all__)
