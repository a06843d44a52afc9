"""The per-region proofs behind plsym.certify: closed forms, sampling, and claims too strong to certify."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

import plsym
from plsym import _regions, certify, interval
from plsym.systems import linear, product, sphere

FLOAT_SLACK = 1e-11  # relative rounding allowance of float64 reference values (not of the bounds)


def _kernel_range(s, pts):
    eig = np.linalg.eigvalsh(s.kernel(pts))
    return eig[:, 0].min(), eig[:, -1].max()


def _region_points(lo, hi, ball, rng, k=400):
    """Points of the box [lo, hi] inside the ball: uniform in the box, and on the ball's sphere."""
    P = rng.uniform(lo, hi, size=(k, lo.size))
    S = ball.sample(4 * k, rng=rng, where="sphere")
    P = np.vstack([P, S[np.all((S >= lo) & (S <= hi), axis=1)]])
    return P[ball.contains(P) & np.all((P >= lo) & (P <= hi), axis=1)]


# -- closed forms --------------------------------------------------------------------------------

@pytest.mark.parametrize("n, m", [(1, 3), (2, 4), (3, 3), (3, 7), (4, 2)])
def test_linear_systems_give_the_exact_spectrum_of_A_AT(n, m):
    """DF = A everywhere: the region bounds of lambda_min(K) and ||DF|| are A A^T's to rounding."""
    A = np.random.default_rng(n * 10 + m).standard_normal((n, m))
    s, ball = linear(A, np.ones(n)), plsym.Ball(np.zeros(m), 0.5)
    P = certify._programs(s)
    eig = np.linalg.eigvalsh(A @ A.T)
    lam_min = eig[0] if n <= m else 0.0
    with _regions.within(ball):
        parts = _regions.Parts(P, _regions.region(ball.center - 0.5, ball.center + 0.5))
        top = _regions.gram_extreme(parts, top=True)
        assert eig[-1] <= top <= eig[-1] * (1 + 1e-12)
        if n <= m:
            low = _regions.gram_extreme(parts, top=False)
            assert lam_min * (1 - 1e-12) <= low <= lam_min
    L = certify.lipschitz(s, ball)
    assert L.certified and np.sqrt(eig[-1]) <= L.value <= np.sqrt(eig[-1]) * (1 + 1e-12)
    if n <= m:
        b = certify.kernel_min_eig(s, ball)
        assert b.certified and b.boxes == 1 and lam_min * (1 - 1e-12) <= b.value <= lam_min


@pytest.mark.parametrize("center, R", [([3.0, 1.0], 0.5), ([1.0, -2.0], 1.0), ([0.3, 0.4], 0.2)])
def test_product_system_lambda_min_is_the_distance_squared(center, R):
    """F = w1 w2: K = ||w||^2, so inf over the ball is (||c|| - R)^2: proved to 1e-3, never above."""
    exact = (np.linalg.norm(center) - R) ** 2
    b = certify.kernel_min_eig(product(1.0), plsym.Ball(center, R))
    assert b.certified and 0.999 * exact <= b.value <= exact


def test_sphere_lambda_min_at_one_region():
    """F = ||w||^2 - y: K = 4 ||w||^2; the whole ball as one region already gives (||c|| - R)^2 to 1e-3."""
    c, R = np.array([0.6, 0.5, 0.4, 0.2]), 0.05
    exact = 4 * (np.linalg.norm(c) - R) ** 2
    b = certify.kernel_min_eig(sphere(4, 1.0), plsym.Ball(c, R))
    assert b.certified and b.boxes == 1 and 0.999 * exact <= b.value <= exact


@pytest.mark.parametrize("center, R", [([0.5, -0.2, 0.1], 0.3), ([2.0, 1.0, -3.0], 0.05)])
def test_hessian_norm_of_cubics_is_the_largest_coordinate(center, R):
    """F = (w1^3 + w2^3 + w3^3) / 6: H_F = diag(w), so sup over the ball of ||H_F|| = max_j |c_j| + R;
    proved above it and within 1e-2 of it."""
    w = sympy.symbols("w1:4")
    s = plsym.System([sum(x**3 for x in w) / 6], list(w), [0.0])
    exact = np.abs(center).max() + R
    h = certify.hessian_norm(s, plsym.Ball(center, R), rtol=1e-3)
    assert h.certified and exact <= h.value <= 1.01 * exact


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("center", [1.0, -0.5])
def test_hessian_norm_of_one_cubic_either_sign(sign, center):
    """F = +-w^3 / 3 + w: |F''| = 2 |w|, sup over [c - R, c + R] = 2 (|c| + R), whatever the sign
    (with one parameter both ends of the spectrum are the same eigenvalue)."""
    w = sympy.Symbol("w1")
    s, R = plsym.System([sign * w**3 / 3 + w], [w], [0.0]), 0.01
    exact = 2 * (abs(center) + R)
    h = certify.hessian_norm(s, plsym.Ball([center], R), max_boxes=50)
    assert h.certified and exact <= h.value <= 1.001 * exact
    P = certify._programs(s)
    with _regions.within(plsym.Ball([center], R)):
        parts = _regions.Parts(P, _regions.region(np.array([center - R]), np.array([center + R])))
        _, Hz, G = _regions.hessians_centered(parts)[0]
        assert _regions.sym_norm_centered(Hz, G, parts.reg) >= exact


def test_the_whole_ball_is_one_region_of_radius_R():
    ball = plsym.Ball(np.full(9, 0.25), 0.1)
    with _regions.within(ball):
        reg = _regions.region(np.nextafter(ball.center - 0.1, -1), np.nextafter(ball.center + 0.1, 1))
    assert 0.1 <= reg.rho <= 0.1 * (1 + 1e-12)
    assert _regions.region(ball.center - 0.1, ball.center + 0.1).rho >= 0.3  # a box alone: R sqrt(9)


# -- the pieces against exact or sampled values ---------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.floats(-3, 3), st.floats(0, 2), st.floats(-3, 3))
def test_two_by_two_brackets_the_eigenvalues(a, beta, gamma):
    lo = _regions._two_by_two(a, beta, gamma, top=False)
    hi = _regions._two_by_two(a, beta, gamma, top=True)
    eig = np.linalg.eigvalsh(np.array([[a, -beta], [-beta, gamma]]))
    slack = 1e-12 * max(1.0, abs(a), abs(gamma), beta)
    assert lo <= eig[0] + slack and hi >= eig[1] - slack
    assert lo >= eig[0] - 1e-9 * max(1.0, abs(eig[0]), beta) and hi <= eig[1] + 1e-9 * max(1.0, abs(eig[1]), beta)


@pytest.mark.parametrize("seed", range(12))
def test_trust_region_bound_is_below_every_value_and_tight(seed):
    """trs_lower <= g.d + d^T S d / 2 on the whole ball (sampled densely and at the exact minimizer)."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 7))
    g = rng.standard_normal(m) * 10.0 ** rng.integers(-3, 2)
    B = rng.standard_normal((m, m))
    S = (B + B.T) * 10.0 ** rng.integers(-2, 2)
    rho = float(10.0 ** rng.uniform(-3, 0))
    bound = _regions.trs_lower(g, S, rho)
    D = rng.standard_normal((20000, m))
    D *= (rho * rng.uniform(0, 1, (20000, 1)) ** (1 / m)) / np.linalg.norm(D, axis=1, keepdims=True)
    D = np.vstack([D, rho * D[:2000] / np.linalg.norm(D[:2000], axis=1, keepdims=True)])
    vals = D @ g + 0.5 * np.einsum("ki,ij,kj->k", D, S, D)
    scale = np.linalg.norm(g) * rho + np.abs(np.linalg.eigvalsh(S)).max() * rho**2
    assert bound <= vals.min() + 1e-12 * scale
    # the exact minimum (the secular equation solved densely): the dual bound reaches it
    s, V = np.linalg.eigh(S)
    c = V.T @ g
    mus = np.linspace(max(0.0, -s[0]) + 1e-12, max(0.0, -s[0]) + 10 * (np.linalg.norm(g) / rho + np.abs(s).max()), 200001)
    dual = -0.5 * ((c[None, :] ** 2) / (s[None, :] + mus[:, None])).sum(1) - 0.5 * mus * rho**2
    assert bound >= dual.max() - 1e-6 * scale


def _small_cases():
    w = sympy.symbols("w1:5")
    return [
        (plsym.System([w[0] * sympy.tanh(w[1]) + w[2] ** 2, sympy.exp(w[0] / 2) - w[1] * w[2]], list(w[:3]), [0.1, 0.2]),
         np.array([0.4, -0.3, 0.8])),
        (plsym.System([sympy.sin(3 * w[0]) + w[1], w[0] * w[1] * w[2] + w[3], sympy.tanh(w[2] - w[3]) + w[0]],
                      list(w), [0.0, 0.1, -0.2]), np.array([0.5, 0.2, -0.4, 0.9])),
        (plsym.System([w[0] ** 3 - w[1] ** 3 + w[0] * w[1]], list(w[:2]), [0.0]), np.array([0.7, 0.2])),
    ]


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("R", [0.01, 0.1, 0.4])
def test_region_bounds_hold_on_sampled_regions(case, R):
    """On the whole ball and on random sub-boxes cut by it, the lambda_min(K) lower bound and the
    lambda_max(K) upper bound hold at every sampled point of the region."""
    s, c = _small_cases()[case]
    ball = plsym.Ball(c, R)
    P = certify._programs(s)
    rng = np.random.default_rng(case)
    boxes = [(np.nextafter(c - R, -np.inf), np.nextafter(c + R, np.inf))]
    for _ in range(6):
        a, b = c + rng.uniform(-R, R, c.size), c + rng.uniform(-R, R, c.size)
        boxes.append((np.minimum(a, b), np.maximum(a, b)))
    checked = 0
    with _regions.within(ball):
        for lo, hi in boxes:
            pts = _region_points(lo, hi, ball, rng)
            if len(pts) == 0:
                continue
            checked += 1
            parts = _regions.Parts(P, _regions.region(lo, hi))
            kmin, kmax = _kernel_range(s, pts)
            top = _regions.gram_extreme(parts, top=True)
            assert top >= kmax * (1 - FLOAT_SLACK), (lo, hi, top, kmax)
            if s.n <= s.m:
                low = _regions.gram_extreme(parts, top=False)
                assert low <= kmin * (1 + FLOAT_SLACK) + 1e-300, (lo, hi, low, kmin)
                kl = certify._kernel_lower(P, lo, hi)[0]
                assert kl <= kmin * (1 + FLOAT_SLACK) + 1e-300
    assert checked >= 3


# -- claims too strong are never certified ------------------------------------------------------------

@pytest.mark.parametrize("center, R", [([3.0, 1.0], 0.5), ([0.3, 0.4], 0.2), ([2.0, 0.0], 1.5)])
def test_a_claim_above_the_true_infimum_is_never_certified(center, R):
    """Pushed as far as the budget goes (rtol 1e-12), the product system's bound stays below the
    exact infimum, so a claim of inf * (1 + 1e-9) is never reached."""
    exact = (np.linalg.norm(center) - R) ** 2
    b = certify.kernel_min_eig(product(1.0), plsym.Ball(center, R), rtol=1e-12, max_boxes=400)
    assert b.certified and b.value <= exact and not b.value >= exact * (1 + 1e-9)
    L = certify.lipschitz(product(1.0), plsym.Ball(center, R), rtol=1e-12, max_boxes=400)
    assert L.certified and L.value >= np.linalg.norm(center) + R


def test_near_singular_kernel_is_not_certified_above_its_minimum():
    """K = 4 ||w||^2 vanishes at the origin, at distance 1e-3 outside the ball: the bound is tiny, and below it."""
    c, R = np.array([0.101, 0.0]), 0.1
    exact = 4 * (np.linalg.norm(c) - R) ** 2
    b = certify.kernel_min_eig(sphere(2, 1.0), plsym.Ball(c, R), max_boxes=300)
    assert not b.certified or b.value <= exact


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_random_systems_bounds_are_below_dense_sampling(seed):
    """Random smooth systems (polynomial, tanh, exp, sin): the certified lambda_min(K) is below, and the
    certified ||DF|| above, the dense sampled values on the ball; the bound changes, the claim does not."""
    from test_certify import _campaign  # the campaign script, loaded as a module
    s, ball = _campaign().random_case(np.random.default_rng(seed))
    pts = np.vstack([ball.sample(1500, rng=seed), ball.sample(1500, rng=seed + 1, where="sphere"), ball.center[None]])
    kmin, kmax = _kernel_range(s, pts)
    b = certify.kernel_min_eig(s, ball, max_boxes=60, max_seconds=10)
    if b.certified:
        assert b.value <= kmin * (1 + FLOAT_SLACK), (b, kmin)
    L = certify.lipschitz(s, ball, max_boxes=60, max_seconds=10)
    if L.certified:
        assert L.value >= np.sqrt(kmax) * (1 - FLOAT_SLACK), (L, kmax)


def test_interval_helpers_used_by_the_regions_round_outward():
    x = interval.arb(1) / 3
    assert interval.lower(x) < 1 / 3 < interval.upper(x)
    assert _regions.norm_upper_vec([interval.arb(3), interval.arb(4)]) >= 5.0
    ball = plsym.Ball([0.0, 0.0], 1.0)
    with _regions.within(ball):
        reg = _regions.region(np.array([0.5, 0.5]), np.array([1.0, 1.0]))
    # every point of the box inside the ball is within rho of the center (0.75, 0.75)
    assert reg.rho >= np.hypot(0.25, 0.25)
    assert _regions.drop([interval.arb(1), interval.arb(-2)], reg) >= 0.25 * 3 * (1 - 1e-15)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_region_radius_and_half_widths_cover_every_point(m, seed):
    """For random boxes meeting a ball: every sampled point w of box ∩ ball has ||w - z|| <= rho and
    |w_k - z_k| <= h_k, and z lies in the box (whichever center the region chose)."""
    rng = np.random.default_rng(seed)
    ball = plsym.Ball(rng.uniform(-2, 2, m), float(10.0 ** rng.uniform(-3, 0.5)))
    a = ball.center + rng.uniform(-1.2, 1.2, m) * ball.radius
    b = ball.center + rng.uniform(-1.2, 1.2, m) * ball.radius
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    with _regions.within(ball):
        reg = _regions.region(lo, hi)
    assert np.all(lo <= reg.z) and np.all(reg.z <= hi)
    pts = _region_points(lo, hi, ball, rng, k=2000)
    pts = np.vstack([pts, np.clip(ball.center, lo, hi)[None]]) if ball.contains(np.clip(ball.center, lo, hi)) else pts
    if len(pts):
        assert np.all(np.linalg.norm(pts - reg.z, axis=1) <= reg.rho)
        assert np.all(np.abs(pts - reg.z) <= reg.h)


def _two_layer(width, d, n, seed):
    """f(x_i) = sum_r v_r tanh(u_r . x_i / sqrt d) / sqrt width on n rational data points: (outputs, params)."""
    rng = np.random.default_rng(seed)
    X = [[sympy.Rational(round(float(t) * 100), 100) for t in row] for row in rng.standard_normal((n, d))]
    U = [[sympy.Symbol(f"u{r}_{j}") for j in range(d)] for r in range(width)]
    v = [sympy.Symbol(f"v{r}") for r in range(width)]
    outs = [sum(v[r] * sympy.tanh(sum(U[r][j] * x[j] for j in range(d)) / sympy.sqrt(d)) for r in range(width))
            / sympy.sqrt(width) for x in X]
    return outs, [p for row in U for p in row] + v


def test_two_neuron_tanh_at_radius_001_is_proved_on_the_first_region():
    u1, u2, v1, v2 = sympy.symbols("u1 u2 v1 v2")
    k = sympy.Rational(-13, 10)
    s = plsym.System([v1 * sympy.tanh(u1 / 2) + v2 * sympy.tanh(u2 / 2), v1 * sympy.tanh(k * u1) + v2 * sympy.tanh(k * u2)],
                     [u1, u2, v1, v2], [0.1, -0.2])
    ball = plsym.Ball([0.7, -0.4, 1.1, 0.9], 0.01)
    b = certify.kernel_min_eig(s, ball)
    searched = plsym.estimate.kernel_min_eig(s, ball).value  # an upper bound of the infimum
    assert b.certified and b.boxes == 1 and 0.99 * searched <= b.value <= searched


@pytest.mark.parametrize("n, R, share", [(2, 0.01, 0.99), (3, 0.1, 0.5)])
def test_eight_parameter_net_reaches_its_share_of_the_infimum(n, R, share):
    outs, params = _two_layer(2, 3, n, seed=4)
    s = plsym.System(outs, params, np.linspace(-0.5, 0.5, n))
    ball = plsym.Ball(np.round(np.random.default_rng(0).standard_normal(8), 2), R)
    b = certify.kernel_min_eig(s, ball, max_boxes=20)
    searched = plsym.estimate.kernel_min_eig(s, ball).value
    assert b.certified and share * searched <= b.value <= searched


@pytest.mark.parametrize("seed", range(20))
def test_peeled_reduction_brackets_every_matrix_of_the_enclosure(seed):
    """_peeled's bounds hold for symmetric matrices drawn from the entrywise enclosure (and its corners)."""
    rng = np.random.default_rng(seed)
    p = int(rng.integers(1, 7))
    M = np.diag(np.sort(rng.uniform(0, 3, p))) + 0.05 * rng.standard_normal((p, p))
    M = 0.5 * (M + M.T)
    rad = np.abs(rng.standard_normal((p, p))) * 10.0 ** rng.uniform(-4, -1)
    rad = 0.5 * (rad + rad.T)
    lo, hi = M - rad, M + rad
    low = _regions._peeled(lo, hi, list(range(p)), top=False)
    high = _regions._peeled(lo, hi, list(range(p - 1, -1, -1)), top=True)
    for _ in range(300):
        T = rng.uniform(-1, 1, (p, p)) if rng.random() < 0.5 else rng.choice([-1.0, 1.0], (p, p))
        T = np.triu(T) + np.triu(T, 1).T
        eig = np.linalg.eigvalsh(M + T * rad)
        assert low <= eig[0] + 1e-12 and high >= eig[-1] - 1e-12
