"""Symbolic bounds in R: closed forms as oracles, soundness against searched suprema, two-layer scaling.

Tolerances. A bound is proved, so it must be >= every value the estimators attain;
the only slack allowed is SOUND_RTOL = 1e-9 relative (plus 1e-12 absolute), because
plsym.estimate may report a witness up to ~1e-12 outside the ball (Ball.contains'
rounding slack; seen: 2.6e-12 beyond the sphere, which moves 2/b^3 by 2e-11
relative). Exact closed forms are compared as sympy expressions (==), and their
floats within 1e-12 relative (evaluate rounds upward by ~4 ulp).
"""

import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import plsym
from plsym import InvalidArgument, activations, bounds, estimate
from plsym.strategies import polynomial_systems
from plsym.systems import from_callable, linear, product, sphere
from plsym.bounds._network import _neuron_template
from plsym.systems.network import network

SOUND_RTOL, SOUND_ATOL = 1e-9, 1e-12
EXACT_RTOL = 1e-12
R = sympy.Symbol("R", positive=True)

# estimators: few samples and short searches keep the property test inside its budget
SEARCH = dict(samples=300, maxiter=30, starts=2)
PAIRS = [
    (bounds.hessian_norm, estimate.hessian_norm),
    (bounds.lipschitz, estimate.lipschitz),
    (bounds.residual_norm, estimate.residual_norm),
    (bounds.smoothness, estimate.smoothness),
]


def assert_sound(bound_value, searched, what=""):
    assert bound_value >= searched * (1 - SOUND_RTOL) - SOUND_ATOL, f"{what}: bound {bound_value} < searched {searched}"


# -- closed forms ---------------------------------------------------------------------------

def test_product_hessian_is_exactly_one():
    # H_F = [[0, 1], [1, 0]]: Frobenius of the majorant gives sqrt 2, the row sum 1; the min is exact
    b = bounds.hessian_norm(product(2.9))
    assert b.expr == 1 and b.R == R and b.valid == "R > 0" and "Gershgorin" in b.method
    for r in (0.1, 1.0, 50.0):
        assert 1.0 <= b.evaluate(r) <= 1.0 + EXACT_RTOL
    assert b.evaluate(0.5) >= estimate.hessian_norm(product(2.9), plsym.Ball([3.0, 1.0], 0.5)).value


@pytest.mark.parametrize("m", [1, 2, 5])
def test_sphere_hessian_is_exactly_two(m):
    center = np.linspace(-1.0, 2.0, m)
    assert bounds.hessian_norm(sphere(m), plsym.Ball(center, 1.0)).expr == 2  # H = 2I, any center


def test_sphere_residual_closed_form():
    # F = w1^2 + w2^2 lies in [0, 2 R^2] on the box around 0, so |F - 1| <= max(1, 2 R^2 - 1)
    expr = bounds.residual_norm(sphere(2), plsym.Ball([0.0, 0.0], 1.0)).expr
    assert isinstance(expr, sympy.Max) and set(expr.args) == {1, 2 * R**2 - 1}


def test_product_jacobian_closed_form():
    b = bounds.lipschitz(product(2.9))
    fro = sympy.sqrt((R + 3) ** 2 + (R + 1) ** 2)
    mixed = sympy.sqrt((R + 3) * (2 * R + 4))  # max row sum (2R + 4) * max column sum (R + 3)
    assert isinstance(b.expr, sympy.Min) and b.expr.free_symbols == {R}
    for r in (0.1, 0.5, 2.0, 40.0):
        want = float(sympy.Min(fro, mixed).subs(R, r))
        assert abs(b.evaluate(r) - want) <= EXACT_RTOL * want
        assert b.evaluate(r) >= math.sqrt(10) + r  # the true sup ||DF|| = ||w0|| + R


def test_linear_system_bounds():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((3, 5))
    s = linear(A, rng.standard_normal(3))
    assert bounds.hessian_norm(s).expr == 0
    J = bounds.lipschitz(s)
    assert R not in J.expr.free_symbols  # DF = A everywhere
    absA = np.abs(A)
    want = min(np.linalg.norm(A), math.sqrt(absA.sum(axis=0).max() * absA.sum(axis=1).max()))
    got = J.evaluate(1.0)
    assert got >= np.linalg.norm(A, 2)
    assert abs(got - want) <= EXACT_RTOL * want


def test_derivative_constants_are_recognized():
    w = sympy.Symbol("w", real=True)
    tanh_sys = plsym.System([sympy.tanh(w)], [w], [0.0])
    # tanh' = 1 - tanh^2 <= 1 and tanh'' = -2 tanh (1 - tanh^2), |.| <= 4/(3 sqrt 3)
    at = plsym.Ball([0.3], 1.0)
    assert bounds.lipschitz(tanh_sys, at).expr == 1
    h = bounds.hessian_norm(tanh_sys, at)
    c2 = 4 / (3 * math.sqrt(3))
    assert abs(h.evaluate(100.0) - c2) <= EXACT_RTOL * c2
    assert h.evaluate(0.01) < c2  # min with 2 tanh(|w0| + R) for small balls
    sig_sys = plsym.System([1 / (1 + sympy.exp(-w))], [w], [0.0])
    # sigmoid' = e^-w / (1 + e^-w)^2 <= 1/4; no exp(R) growth from the majorant rules
    assert abs(bounds.lipschitz(sig_sys, at).evaluate(100.0) - 0.25) <= EXACT_RTOL
    hs = bounds.hessian_norm(sig_sys, at).evaluate(100.0)
    assert 1 / (6 * math.sqrt(3)) <= hs <= 2 * 4 / 27 + 1 / 4 + EXACT_RTOL  # sum of the two grouped terms


@pytest.mark.parametrize("y", [-2.0, 0.0, 2.0])
def test_grouped_factors_survive_distribution(y):
    # tanh (1 - tanh^2) groups to <= 2/(3 sqrt 3), and the sum (tanh + 3) is distributed
    # over the same product: both enclosures must keep every factor, signs included
    w = sympy.Symbol("w", real=True)
    s = plsym.System([sympy.tanh(w) * (1 - sympy.tanh(w) ** 2) * (sympy.tanh(w) + 3)], [w], [y])
    t = np.tanh(np.linspace(-30, 30, 600001))
    true_sup = np.abs(t * (1 - t * t) * (t + 3) - y).max()  # the whole real line
    got = bounds.residual_norm(s, plsym.Ball([0.0], 100.0)).evaluate()
    assert true_sup * (1 - 1e-9) <= got <= true_sup + 0.25  # and not loose


def test_negative_power_gives_a_range_of_radii():
    a, b = sympy.symbols("a b", real=True)
    s = plsym.System([sympy.log(a) + 1 / b, sympy.sqrt(a * b)], [a, b], [0.0, 0.0])
    h = bounds.hessian_norm(s, plsym.Ball([2.0, 1.0], 0.5))
    # b >= 1 - R > 0 and a b >= (2 - R)(1 - R) > 0 need R < 1
    assert 1 - 1e-9 < h.max_radius < 1 and h.valid.startswith("0 < R <=")
    assert 16.0 <= h.evaluate() <= 16.0 * (1 + EXACT_RTOL)  # d^2(1/b) = 2/b^3 at b = 1/2
    assert h.evaluate() == h.evaluate(0.5)
    assert_sound(h.evaluate(), estimate.hessian_norm(s, plsym.Ball([2.0, 1.0], 0.5), samples=300).value)
    with pytest.raises(InvalidArgument, match="outside the range"):
        h.evaluate(1.5)


# -- bad inputs ------------------------------------------------------------------------------

def _bad_cases():
    a, b = sympy.symbols("a b", real=True)
    smooth = plsym.System([a * b], [a, b], [0.0])
    one = plsym.Ball([1.0], 1.0)
    zero = plsym.Ball([0.0], 1.0)
    return [
        (lambda: bounds.residual_norm(plsym.System([sympy.gamma(a)], [a], [0.0]), one), "gamma"),
        (lambda: bounds.hessian_norm(plsym.System([sympy.Abs(a)], [a], [0.0]), one), "not defined"),
        (lambda: bounds.hessian_norm(plsym.System([sympy.log(a)], [a], [0.0]), zero), "Cannot bound"),
        (lambda: bounds.hessian_norm(plsym.System([1 / a], [a], [0.0]), zero), "Cannot bound"),
        (lambda: bounds.hessian_norm(smooth, one), "ball has dimension 1"),
        (lambda: bounds.hessian_norm(smooth), "ball=None needs a system with w0"),
        (lambda: bounds.hessian_norm("F", one), "must be a plsym.System"),
        (lambda: bounds.lipschitz(from_callable(lambda w: w, m=1, n=1, y=[0.0]), zero), "symbolic"),
        (lambda: bounds.hessian_norm(product()).evaluate(-1.0), "radius=-1.0"),
        (lambda: bounds.hessian_norm(product()).evaluate(), "radius=None"),
    ]


@pytest.mark.parametrize("case", range(len(_bad_cases())))
def test_bad_inputs(case):
    call, message = _bad_cases()[case]
    with pytest.raises(InvalidArgument, match=message):
        call()


# -- old names and argument forms: they warn and still work ---------------------------------------

def test_jacobian_norm_is_lipschitz_and_warns():
    with pytest.warns(DeprecationWarning, match="use plsym.bounds.lipschitz"):
        old = bounds.jacobian_norm
    assert old is bounds.lipschitz
    with pytest.warns(DeprecationWarning, match="jacobian_norm"):
        from plsym.bounds import jacobian_norm  # noqa: F401


def test_two_layer_jacobian_bound_is_two_layer_lipschitz_bound_and_warns(two_layer_data):
    with pytest.warns(DeprecationWarning, match="two_layer_lipschitz_bound"):
        old = bounds.two_layer_jacobian_bound
    X, y = two_layer_data
    net = network(X, y, [16], rng=0)
    assert old(net).expr == bounds.two_layer_lipschitz_bound(net).expr


@pytest.mark.parametrize("fn", [bounds.hessian_norm, bounds.lipschitz, bounds.residual_norm, bounds.smoothness])
def test_center_and_radius_symbol_form_warns_and_works(fn):
    s, center = product(2.9), [2.5, 1.5]
    want = fn(s, plsym.Ball(center, 0.5))
    for call in (lambda: fn(s, center, R), lambda: fn(s, center=center, R=R), lambda: fn(s, center)):
        with pytest.warns(DeprecationWarning, match=r"\(system, center, R\) is deprecated"):
            got = call()
        assert got.expr == want.expr and got.radius is None
    with pytest.warns(DeprecationWarning):  # the default center, a radius symbol with another name
        r = sympy.Symbol("r", positive=True)
        got = fn(s, None, r)
    assert got.R == r and got.evaluate(0.7) == fn(s).evaluate(0.7)


def _old_bad_cases():
    a, b = sympy.symbols("a b", real=True)
    smooth = plsym.System([a * b], [a, b], [0.0])
    return [
        (lambda: bounds.residual_norm(plsym.System([sympy.gamma(a)], [a], [0.0]), [1.0], R), "gamma"),
        (lambda: bounds.hessian_norm(plsym.System([1 / a], [a], [0.0]), [0.0], R), "Cannot bound"),
        (lambda: bounds.hessian_norm(smooth, [1.0], R), "shape"),
        (lambda: bounds.hessian_norm(smooth, [1.0, 2.0], 2.0), "R=2.0 must be a sympy Symbol"),
        (lambda: bounds.hessian_norm(smooth, [1.0, 2.0], sympy.Symbol("r")), "declared positive"),
        (lambda: bounds.hessian_norm(smooth, None, R), "center=None"),
        (lambda: bounds.hessian_norm(smooth, plsym.Ball([1.0, 2.0], 1.0), center=[1.0, 2.0]), "give the ball only"),
    ]


@pytest.mark.parametrize("case", range(len(_old_bad_cases())))
def test_bad_inputs_in_the_old_form(case):
    call, message = _old_bad_cases()[case]
    with pytest.raises(InvalidArgument, match=message), pytest.warns(DeprecationWarning):
        call()


def test_abs_is_fine_without_second_derivatives():
    a = sympy.Symbol("a", real=True)
    s = plsym.System([sympy.Abs(a) - 1], [a], [0.0])
    assert bounds.residual_norm(s, plsym.Ball([0.5], 1.0)).evaluate() >= 1.0  # |a| - 1 in [-1, 0.5]


# -- soundness over random systems --------------------------------------------------------------

@st.composite
def tanh_systems(draw):
    """F_i = sum_t c tanh(a w_j + b w_k w_l + e) [w_p]: tanh compositions with m <= 6, n <= 3."""
    m = draw(st.integers(1, 6))
    n = draw(st.integers(1, 3))
    ws = sympy.symbols(f"w1:{m + 1}", real=True)
    idx = st.integers(0, m - 1)
    num = st.sampled_from([-2.0, -1.0, -0.5, 0.25, 0.5, 1.0, 1.5])
    outputs = []
    for _ in range(n):
        terms = []
        for c, a, b, e, j, k, l, p, times in draw(st.lists(
                st.tuples(num, num, num, num, idx, idx, idx, idx, st.booleans()), min_size=1, max_size=3)):
            t = c * sympy.tanh(a * ws[j] + b * ws[k] * ws[l] + e)
            terms.append(t * ws[p] if times else t)
        outputs.append(sympy.Add(*terms))
    y = draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=n, max_size=n))
    return plsym.System(outputs, ws, y, name=f"tanh(n={n}, m={m})")


@st.composite
def systems_and_balls(draw):
    s = draw(st.one_of(polynomial_systems(max_n=3, max_m=6), tanh_systems()))
    center = draw(st.lists(st.floats(-2, 2, allow_nan=False, allow_subnormal=False), min_size=s.m, max_size=s.m))
    radius = draw(st.floats(0.05, 2.0))
    return s, plsym.Ball(center, radius)


@settings(deadline=None)  # examples: the profile's (ci: 50, deep: 2000)
@given(systems_and_balls())
def test_bounds_dominate_searched_suprema(case):
    s, ball = case
    for bound_fn, estimate_fn in PAIRS:
        b = bound_fn(s, ball)
        assert b.valid == "R > 0" and b.radius == ball.radius  # no log or negative power here
        value = b.evaluate()
        assert_sound(value, estimate_fn(s, ball, **SEARCH).value, f"{b.quantity} on {s.name}")
        assert value <= b.evaluate(2 * ball.radius) * (1 + EXACT_RTOL)  # non-decreasing in R


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus", "sin", "gelu"])
def test_small_network_generic_and_closed_form_bounds_are_sound(activation):
    X = np.random.default_rng(1).standard_normal((3, 2))
    net = network(X, np.zeros(3), [3], activation=activation, rng=2)
    generic = bounds.hessian_norm(net)
    closed = bounds.two_layer_hessian_bound(net)
    for r in (0.3, 1.0):
        found = estimate.hessian_norm(net, plsym.Ball(net.w0, r), **SEARCH).value
        assert_sound(generic.evaluate(r), found, f"generic {activation}")
        assert_sound(closed.evaluate(r), found, f"closed form {activation}")


# -- two-layer networks ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(bounds.ACTIVATION_CONSTANTS))
def test_activation_constants_are_the_suprema(name):
    act, c = activations.get(name), bounds.ACTIVATION_CONSTANTS[name]
    # step 5e-5 near 0 (a peak is missed by at most ~1e-9 relative), and far points for the
    # suprema that are limits (softplus' = sigmoid -> 1)
    z = np.concatenate([np.linspace(-12, 12, 480001), [-60.0, 60.0]])
    for values, const in ((act.dsigma(z), c.c1), (act.d2sigma(z), c.c2)):
        top, const = np.abs(values).max(), float(const)
        assert top <= const * (1 + 1e-12) and top >= const * (1 - 1e-6)
    assert float(act.sigma(0.0)) == pytest.approx(float(c.sigma0), abs=1e-15)
    if c.c0 is not None:
        assert np.abs(act.sigma(z)).max() <= float(c.c0)


def test_neuron_template_is_the_block_of_the_brief():
    v, s, m, d1, d2, H, p, q, norm = _neuron_template()
    want = sympy.Matrix([[v * d2 * s**2, d1 * s], [d1 * s, 0]]) / sympy.sqrt(m)
    assert sympy.simplify(H - want) == sympy.zeros(2, 2)
    # the block norm is below the brief's simpler |a| s^2 + |b| s
    for pv, qv in ((0.0, 1.0), (1.0, 0.0), (0.3, 2.0), (5.0, 0.1)):
        M = np.array([[pv, qv], [qv, 0.0]])
        exact = np.abs(np.linalg.eigvalsh(M)).max()
        got = float(norm.subs({p: pv, q: qv}))
        assert abs(got - exact) <= 1e-12 * max(1.0, exact) and got <= pv + qv + 1e-12


WIDTHS = [16, 64, 256, 1024, 4096]


@pytest.fixture(scope="module")
def two_layer_data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((4, 3)), rng.standard_normal(4)


def test_two_layer_hessian_bound_scales_like_one_over_sqrt_m(two_layer_data):
    X, y = two_layer_data
    radius = 1.0
    scaled = []
    for width in WIDTHS:
        net = network(X, y, [width], rng=0)
        b = bounds.two_layer_hessian_bound(net, plsym.Ball(net.w0, radius))
        value = b.evaluate()
        scaled.append(value * math.sqrt(width))
        assert_sound(value, float(net.hessian_norm(net.w0)), f"at W0, m={width}")
        if width <= 256:  # searched sup over the ball (the closed-form Hessian norm makes this cheap)
            found = estimate.hessian_norm(net, plsym.Ball(net.w0, radius), samples=64, maxiter=20, starts=1)
            assert_sound(value, found.value, f"m={width}")
    # max|v0| grows like sqrt(2 log m): 2.6 -> 4.2 measured, far from the 3x allowed
    assert max(scaled) / min(scaled) < 3.0


def test_two_layer_bound_with_a_width_symbol(two_layer_data):
    X, y = two_layer_data
    net = network(X, y, [64], rng=0)
    m = sympy.Symbol("m", positive=True)
    sym = bounds.two_layer_hessian_bound(net, m=m)
    num = bounds.two_layer_hessian_bound(net)
    assert sym.subs == ((m, 64),) and m not in (sym.expr * sympy.sqrt(m)).free_symbols
    assert abs(sym.evaluate(0.7) - num.evaluate(0.7)) <= EXACT_RTOL * num.evaluate(0.7)
    # linear in R: C(2R) <= 2 C(R) once R dominates nothing, and C is non-decreasing
    assert num.evaluate(0.5) <= num.evaluate(1.0) <= 2 * num.evaluate(0.5) * (1 + EXACT_RTOL)


def test_two_layer_lipschitz_bound_is_sound(two_layer_data):
    X, y = two_layer_data
    for width in (16, 64):
        net = network(X, y, [width], rng=0)
        b = bounds.two_layer_lipschitz_bound(net)
        for r in (0.5, 2.0):
            found = estimate.lipschitz(net, plsym.Ball(net.w0, r), samples=64, maxiter=20, starts=1)
            assert_sound(b.evaluate(r), found.value, f"L_F, m={width}, R={r}")


@pytest.mark.parametrize("kwargs,message", [
    (dict(widths=[8, 8]), "depth"),
    (dict(widths=[8], output="tanh"), "linear output"),
    (dict(widths=[8], activation="relu"), "not twice differentiable"),
])
def test_two_layer_refusals(two_layer_data, kwargs, message):
    X, y = two_layer_data
    with pytest.raises(InvalidArgument, match=message):
        bounds.two_layer_hessian_bound(network(X, y, **kwargs))


# -- width_for_pl ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_net(two_layer_data):
    X, y = two_layer_data
    net = network(X, y, [64], rng=0)
    return net, float(np.linalg.eigvalsh(net.kernel(net.w0))[0])


def _criterion(wb, width):
    """2 sqrt(n) R C(R) L(R, m) / sqrt(m), in floats, at the integer width."""
    m = sympy.Symbol("m", positive=True)
    at = {wb.R: wb.radius, m: width}
    h = float(wb.hessian.expr.subs(at))
    lip = float(wb.lipschitz.expr.subs(at))
    return 2 * math.sqrt(wb.n) * wb.radius * h * lip


def test_width_meets_the_criterion_and_no_smaller_width_does(small_net):
    net, lam0 = small_net
    wb = bounds.width_for_pl(net, plsym.Ball(net.w0, 0.5), 0.3 * lam0, lambda0=lam0)
    gap = lam0 - 0.3 * lam0
    assert isinstance(wb.width, int) and 0 < wb.width < 2**62
    assert _criterion(wb, wb.width) <= gap * (1 + 1e-12)
    assert _criterion(wb, wb.width - 1) > gap * (1 - 1e-12)
    assert wb.width >= float(wb.expr.subs(wb.R, 0.5))  # L(R, m) >= its m -> infinity limit
    assert wb.lambda0 == lam0 and wb.n == 4 and wb.t20 == pytest.approx(4 * 0.5**8 / gap**2)
    # lambda0 computed when not given
    assert bounds.width_for_pl(net, plsym.Ball(net.w0, 0.5), 0.3 * lam0).lambda0 == pytest.approx(lam0, rel=1e-12)


def test_width_decreases_as_the_gap_grows(small_net):
    net, lam0 = small_net
    ball = plsym.Ball(net.w0, 0.5)
    widths = [bounds.width_for_pl(net, ball, f * lam0, lambda0=lam0).width for f in (0.8, 0.5, 0.2, 0.05)]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    # m_inf is exactly proportional to (lambda0 - mu)^-2
    a = bounds.width_for_pl(net, ball, 0.625 * lam0, lambda0=lam0)  # gap 0.375 lambda0
    b = bounds.width_for_pl(net, ball, 0.25 * lam0, lambda0=lam0)  # gap 0.75 lambda0
    ratio = float(a.expr.subs(a.R, 0.5) / b.expr.subs(b.R, 0.5))
    assert ratio == pytest.approx(4.0, rel=1e-9)


def test_width_grows_like_R_squared_to_R_fourth(small_net):
    net, lam0 = small_net
    radii = [0.25, 0.5, 1.0, 2.0, 4.0]
    results = [bounds.width_for_pl(net, plsym.Ball(net.w0, r), 0.5 * lam0, lambda0=lam0) for r in radii]
    widths = [wb.width for wb in results]
    assert widths == sorted(widths)
    # m_inf(R) = 4 n R^2 C(R)^2 L_inf^2 / gap^2 with C non-decreasing and C(2R) <= 2 C(R):
    # m_inf(2R) / m_inf(R) lies in [4, 16], and tends to 16 (R^4) as R grows
    expr = results[0].expr
    for r in radii + [1e3]:
        ratio = float(expr.subs(results[0].R, 2 * r) / expr.subs(results[0].R, r))
        assert 4.0 <= ratio <= 16.0
    assert float(expr.subs(results[0].R, 2e3) / expr.subs(results[0].R, 1e3)) > 15.9


def test_width_for_pl_refusals(small_net):
    net, lam0 = small_net
    ball = plsym.Ball(net.w0, 0.5)
    with pytest.raises(InvalidArgument, match="mu="):
        bounds.width_for_pl(net, ball, 2 * lam0, lambda0=lam0)
    with pytest.raises(InvalidArgument, match="ball=None"):
        bounds.width_for_pl(net, None, 0.5 * lam0)
    with pytest.raises(InvalidArgument, match="ball='0.5' must be a plsym.Ball"):
        bounds.width_for_pl(net, "0.5", 0.5 * lam0)
    with pytest.raises(InvalidArgument, match="ball has dimension"):
        bounds.width_for_pl(net, plsym.Ball([0.0], 0.5), 0.5 * lam0)
    with pytest.raises(InvalidArgument, match="must be a plsym NetworkSystem"):
        bounds.width_for_pl(product(), plsym.Ball([3.0, 1.0], 0.5), 0.1)


def test_width_for_pl_with_a_float_radius_warns_and_works(small_net):
    net, lam0 = small_net
    want = bounds.width_for_pl(net, plsym.Ball(net.w0, 0.5), 0.3 * lam0, lambda0=lam0)
    for call in (lambda: bounds.width_for_pl(net, 0.5, 0.3 * lam0, lambda0=lam0),
                 lambda: bounds.width_for_pl(net, R=0.5, mu=0.3 * lam0, lambda0=lam0)):
        with pytest.warns(DeprecationWarning, match="float radius R is deprecated"):
            got = call()
        assert (got.width, got.expr, got.radius) == (want.width, want.expr, 0.5)
    with pytest.raises(InvalidArgument, match="R="), pytest.warns(DeprecationWarning):
        bounds.width_for_pl(net, -1.0, 0.5 * lam0)
    with pytest.raises(InvalidArgument, match="must be a plsym NetworkSystem"), pytest.warns(DeprecationWarning):
        bounds.width_for_pl(product(), 0.5, 0.1)


def test_two_layer_radius_symbol_form_warns_and_works(two_layer_data):
    X, y = two_layer_data
    net = network(X, y, [16], rng=0)
    r = sympy.Symbol("r", positive=True)
    for fn in (bounds.two_layer_hessian_bound, bounds.two_layer_lipschitz_bound):
        for call in (lambda: fn(net, R), lambda: fn(net, R=R)):
            with pytest.warns(DeprecationWarning, match=r"\(system, R\) is deprecated"):
                assert call().expr == fn(net).expr
        with pytest.warns(DeprecationWarning):
            got = fn(net, r)
        assert got.R == r and got.evaluate(0.7) == fn(net).evaluate(0.7)


def test_two_layer_bounds_on_a_ball_read_its_center(two_layer_data):
    X, y = two_layer_data
    net = network(X, y, [16], rng=0)
    moved = net.w0 + 0.3
    for fn in (bounds.two_layer_hessian_bound, bounds.two_layer_lipschitz_bound):
        b = fn(net, plsym.Ball(moved, 0.5))
        assert b.radius == 0.5 and b.evaluate() == b.evaluate(0.5)
        # B(moved, 0.5) lies in B(w0, 0.5 + 0.3 sqrt(m)): both bounds hold there, the first is the tighter one
        far = fn(net).evaluate(0.5 + 0.3 * math.sqrt(net.m) + 1e-9)
        assert b.evaluate() <= far
    found = estimate.hessian_norm(net, plsym.Ball(moved, 0.5), samples=64, maxiter=20, starts=1)
    assert_sound(bounds.two_layer_hessian_bound(net, plsym.Ball(moved, 0.5)).evaluate(), found.value)


def test_deprecation_warnings_point_at_the_caller(two_layer_data):
    X, y = two_layer_data
    net = network(X, y, [16], rng=0)
    for call in (lambda: bounds.jacobian_norm, lambda: bounds.two_layer_jacobian_bound,
                 lambda: bounds.hessian_norm(product(2.9), [3.0, 1.0], R), lambda: bounds.lipschitz(product(2.9), R=R),
                 lambda: bounds.two_layer_hessian_bound(net, R), lambda: bounds.two_layer_lipschitz_bound(net, R=R),
                 lambda: bounds.width_for_pl(net, 0.5, 0.01)):
        with pytest.warns(DeprecationWarning) as record:
            call()
        assert [w.filename for w in record] == [__file__]
