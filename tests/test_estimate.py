"""Numeric estimators: closed forms after search, a needle that sampling misses, order and determinism."""

import numpy as np
import pytest
import sympy

import plsym
from plsym import estimate, quantities
from plsym.systems import linear, product, sphere

REL = 1e-6  # relative error after search


def rel(a, b):
    return abs(a - b) / abs(b)


def test_product_X3_closed_forms():
    s, ball = product(2.9), plsym.Ball([3.0, 1.0], 0.5)
    mu = estimate.kernel_min_eig(s, ball)
    assert rel(mu.value, (np.sqrt(10) - 0.5) ** 2) < REL
    assert mu.method == "searched" and mu.relation == "upper" and ball.contains(mu.point)
    assert rel(estimate.hessian_norm(s, ball).value, 1.0) < REL
    LF = estimate.lipschitz(s, ball)
    assert rel(LF.value, np.sqrt(10) + 0.5) < REL and LF.relation == "lower"
    # n = 1: the PL* ratio equals K(w) everywhere (C2 with equality), so the same infimum
    assert rel(estimate.pl_constant(s, ball).value, (np.sqrt(10) - 0.5) ** 2) < REL


def test_product_residual_and_smoothness_against_dense_grid():
    s, ball = product(2.9), plsym.Ball([3.0, 1.0], 0.5)
    t = np.linspace(0, 2 * np.pi, 20001)
    rim = ball.center + 0.5 * np.stack([np.cos(t), np.sin(t)], 1)
    # both quantities are convex-ish along rays here; their sup is on the rim
    assert rel(estimate.residual_norm(s, ball).value, np.abs(s.residual(rim)).max()) < 1e-6
    assert estimate.smoothness(s, ball).value >= s.loss_hessian_norm(rim).max() * (1 - 1e-6)


@pytest.mark.parametrize("m,R", [(3, 0.4), (5, 0.9)])
def test_sphere_kernel_min(m, R):
    s = sphere(m, 1.0)
    c = np.linspace(1.0, -0.5, m)
    e = estimate.kernel_min_eig(s, plsym.Ball(c, R))
    assert rel(e.value, 4 * (np.linalg.norm(c) - R) ** 2) < REL
    assert rel(estimate.hessian_norm(s, plsym.Ball(c, R)).value, 2.0) < REL


def test_linear_constant_kernel():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 6))
    s = linear(A, rng.standard_normal(3))
    ball = plsym.Ball(rng.standard_normal(6), 2.0)
    eig = np.linalg.eigvalsh(A @ A.T)
    assert rel(estimate.kernel_min_eig(s, ball, samples=64).value, eig[0]) < 1e-12
    assert rel(estimate.lipschitz(s, ball, samples=64).value, np.sqrt(eig[-1])) < 1e-12
    assert estimate.hessian_norm(s, ball, samples=64).value == 0.0


def needle_system(m=6):
    """F = 1/2 (w-p)^T C (w-p) + a.w, C = diag(1 .. 400): K = ||C (w - p) + a||^2 vanishes
    only at w* = p - C^{-1} a, at the bottom of a needle narrow in the stiff directions."""
    w = sympy.symbols(f"w1:{m + 1}")
    C = np.geomspace(1.0, 400.0, m)
    p = np.full(m, 0.1)
    a = np.full(m, 0.5)
    F = sum(sympy.Float(C[j] / 2) * (w[j] - sympy.Float(p[j])) ** 2 + sympy.Float(a[j]) * w[j] for j in range(m))
    return plsym.System([F], list(w), [0.0], name="needle"), p - a / C


def test_needle_missed_by_sampling_found_by_search():
    s, wstar = needle_system()
    ball = plsym.Ball(np.zeros(6), 1.0)
    assert ball.contains(wstar)
    sampled = estimate.kernel_min_eig(s, ball, samples=20000, search=False)
    searched = estimate.kernel_min_eig(s, ball, samples=20000)
    assert sampled.value > 1e-2  # sampling stays far above the infimum 0
    assert searched.value < 1e-7  # one search reaches it
    assert np.linalg.norm(searched.point - wstar) < 1e-3


def random_system(seed):
    rng = np.random.default_rng(seed)
    w = sympy.symbols("w1:4")
    outs = [sum(sympy.Float(rng.normal()) * sympy.tanh(sympy.Float(rng.normal()) * w[j] + sympy.Float(rng.normal()) * w[(j + 1) % 3])
                for j in range(3)) + sympy.Float(rng.normal()) * w[i] ** 2 for i in range(2)]
    return plsym.System(outs, list(w), rng.normal(size=2)), plsym.Ball(rng.normal(size=3), 0.8)


@pytest.mark.parametrize("seed", range(5))
def test_search_never_worse_than_sampling(seed):
    s, ball = random_system(seed)
    for fn in (estimate.kernel_min_eig, estimate.pl_constant):
        a, b = fn(s, ball, samples=500, search=False), fn(s, ball, samples=500)
        assert b.value <= a.value and b.sampled_value == a.value
    for fn in (estimate.hessian_norm, estimate.lipschitz, estimate.smoothness, estimate.residual_norm):
        a, b = fn(s, ball, samples=500, search=False), fn(s, ball, samples=500)
        assert b.value >= a.value and ball.contains(b.point)


def test_exact_gradients_used_by_search_are_right():
    """The eigenvector gradient of lambda_min(K) and the PL-ratio gradient match central differences."""
    s, ball = random_system(11)
    w = ball.center[None, :]
    for q in (quantities.KernelMinEig(s), quantities.Lipschitz(s), quantities.PLConstant(s), quantities.ResidualNorm(s)):
        _, g = q.value_and_grad(w)
        h = 1e-6
        fd = np.array([(q.values(w + h * e) - q.values(w - h * e))[0] / (2 * h) for e in np.eye(3)])
        np.testing.assert_allclose(g[0], fd, rtol=1e-5, atol=1e-8)


def test_same_seed_same_estimate():
    s, ball = random_system(3)
    a = estimate.kernel_min_eig(s, ball, samples=300, rng=5)
    b = estimate.kernel_min_eig(s, ball, samples=300, rng=5)
    assert a == b and a.seed == 5 and a.to_dict() == b.to_dict()
    assert estimate.kernel_min_eig(s, ball, samples=300, rng=6, search=False).x != a.x


@pytest.mark.parametrize("kwargs,pattern", [
    ({"samples": 1}, "samples=1"),
    ({"rng": "x"}, "rng='x'"),
    ({"maxiter": -1}, "maxiter=-1"),
    ({"search": "yes"}, "search='yes'"),
])
def test_bad_knobs(kwargs, pattern):
    with pytest.raises(plsym.InvalidArgument, match=pattern):
        estimate.kernel_min_eig(product(1.0), plsym.Ball([0.0, 1.0], 0.5), **kwargs)


@pytest.mark.parametrize("name", list(quantities.QUANTITIES))
def test_unknown_option_is_invalid_argument_naming_the_allowed_ones(name):
    with pytest.raises(plsym.InvalidArgument, match=rf"foo=1 is not an option of {name}; its options are samples, "
                                                    r"search, rng, maxiter, starts, progress$"):
        getattr(estimate, name)(product(1.0), plsym.Ball([0.0, 1.0], 0.5), foo=1)


def test_one_estimator_per_quantity_of_the_registry():
    import inspect

    assert estimate.__all__ == ["Estimate", *quantities.QUANTITIES]
    for name, q in quantities.QUANTITIES.items():
        fn = getattr(estimate, name)
        assert fn.__name__ == name and fn.__module__ == "plsym.estimate"
        assert str(inspect.signature(fn)) == ("(system, ball, *, samples=4096, search=True, rng=0, maxiter=200, "
                                              "starts=4, progress=None)")
        assert fn.__doc__.startswith(f"{q.kind} over the ball of {q.symbol} ({q.reference}).")
        assert ('relation="upper"' if q.kind == "inf" else 'relation="lower"') in fn.__doc__


def test_derivatives_come_from_the_quantity():
    from plsym.systems import from_callable

    s = from_callable(lambda w: np.array([w[0] * w[1]]), m=2, n=1, y=[0.0])  # finite-difference derivatives
    ball = plsym.Ball([1.0, 1.0], 0.1)
    for name, q in quantities.QUANTITIES.items():
        e = getattr(estimate, name)(s, ball, samples=16, search=False)
        assert e.derivatives == s.derivatives[q.derivatives]


def test_ball_dimension_must_match():
    with pytest.raises(plsym.InvalidArgument, match="ball has dimension 3.*m=2"):
        estimate.kernel_min_eig(product(1.0), plsym.Ball([0.0, 1.0, 2.0], 0.5))
    with pytest.raises(plsym.InvalidArgument, match="system=3"):
        estimate.lipschitz(3, plsym.Ball([0.0], 1.0))


def test_to_dict_is_json_ready():
    import json
    e = estimate.lipschitz(product(1.0), plsym.Ball([0.0, 1.0], 0.5), samples=50)
    d = json.loads(json.dumps(e.to_dict()))
    assert set(d) >= {"value", "x", "method", "nfev", "seed", "relation"}


def _two_tanh_neurons():
    u1, u2, v1, v2 = sympy.symbols("u1 u2 v1 v2")
    c = sympy.Rational(-13, 10)
    return plsym.System([v1 * sympy.tanh(u1 / 2) + v2 * sympy.tanh(u2 / 2),
                         v1 * sympy.tanh(c * u1) + v2 * sympy.tanh(c * u2)], [u1, u2, v1, v2], [0.1, -0.2])


@pytest.mark.parametrize("seed", [26, 32])
def test_tiny_radius_search_from_the_sphere_does_not_crash(seed):
    # R = 1e-3: a third of the sphere samples round to a hair outside the ball, and a local
    # search started there can try no point inside it; the estimate must still be a point of the ball
    s, ball = _two_tanh_neurons(), plsym.Ball([0.7, -0.4, 1.1, 0.9], 1e-3)
    e = estimate.kernel_min_eig(s, ball, rng=seed, samples=64)
    assert ball.strictly_contains(e.point)
    assert e.value == pytest.approx(np.linalg.eigvalsh(s.kernel(e.point))[0], rel=1e-12)
    assert e.value <= e.sampled_value


def test_local_search_from_outside_the_ball():
    s, ball = _two_tanh_neurons(), plsym.Ball([0.7, -0.4, 1.1, 0.9], 1e-3)
    start = ball.center + np.array([1e-3 * (1 + 1e-9), 0.0, 0.0, 0.0])  # just outside
    counted = estimate._Counted(quantities.KernelMinEig(s))
    w, o = estimate._local_search(counted, 1.0, ball, start, 1.0, 0, np.random.default_rng(0), budget=200)
    assert (w is None and o == np.inf) or ball.strictly_contains(w)  # nothing inside tried: no point
    w, o = estimate._local_search(counted, 1.0, ball, start, 1.0, 5, np.random.default_rng(0), budget=200)
    assert w is not None and ball.strictly_contains(w)
    assert o == pytest.approx(np.linalg.eigvalsh(s.kernel(w))[0], rel=1e-12)


def test_witness_is_inside_the_ball_for_every_quantity():
    s, ball = _two_tanh_neurons(), plsym.Ball([0.7, -0.4, 1.1, 0.9], 1e-3)
    for q in (estimate.kernel_min_eig, estimate.lipschitz, estimate.pl_constant, estimate.hessian_norm):
        for seed in range(3):
            assert ball.strictly_contains(q(s, ball, rng=seed, samples=64, search=False).point)


# -- the searched sup of ||H_F|| on networks: single-neuron moves ------------------------------

def _exact_two_layer_sup(net, R, grid=4096):
    """Independent oracle: sup over B(w0, R) of ||H_F|| for a two-layer linear-output net.

    ||H_F|| is the max over (data row i, neuron r) of the norm of a 2 x 2 block that depends on
    neuron r only through z = u_r . x_i / sqrt d and v_r; moving u_r off the line of x_i costs
    radius and changes nothing, so the sup is the max over (i, r) of the block norm on the
    circle (z0 + s R cos t, v0 + R sin t), s = |x_i| / sqrt d (the norm grows with the radius).
    Here a fine grid in t, then golden-section refinement of the best (i, r) pairs.
    """
    U, v = net.unflatten(net.w0)
    width, d = U.shape
    act = plsym.activations.get(net.activation)

    def block(z, vv, s):
        a, b = vv * act.d2sigma(z) / np.sqrt(width), act.dsigma(z) / np.sqrt(width)
        return 0.5 * (np.abs(a) * s * s + np.sqrt(a * a * s ** 4 + 4 * b * b * s * s))

    t = np.linspace(0, 2 * np.pi, grid, endpoint=False)
    best = 0.0
    for x in net.X:
        s = np.linalg.norm(x) / np.sqrt(d)
        z0 = U @ x / np.sqrt(d)
        g = block(z0[:, None] + s * R * np.cos(t), v[0][:, None] + R * np.sin(t), s)
        for r in np.argsort(g.max(axis=1))[-3:]:
            j = int(np.argmax(g[r]))
            lo, hi = t[j] - 2 * np.pi / grid, t[j] + 2 * np.pi / grid
            f = lambda tt: block(z0[r] + s * R * np.cos(tt), v[0][r] + R * np.sin(tt), s)
            for _ in range(80):  # golden section on the bracketing cell
                a1, a2 = hi - 0.618 * (hi - lo), lo + 0.618 * (hi - lo)
                lo, hi = (a1, hi) if f(a1) < f(a2) else (lo, a2)
            best = max(best, g[r, j], f(0.5 * (lo + hi)))
    return float(best)


def _two_layer_case(width, R):
    from plsym.systems.network import network, network_data
    X, y = network_data(8, 5, rng=0)
    net = network(X, y, [width], rng=3)
    return net, plsym.Ball(net.w0, R)


def test_exact_two_layer_oracle_matches_the_theorem_check_reduction():
    from plsym.theorems.wide import _two_layer_sup_witness
    net, ball = _two_layer_case(64, 2.0)
    w = _two_layer_sup_witness(net, 2.0)
    assert float(net.hessian_norm(w)) == pytest.approx(_exact_two_layer_sup(net, 2.0), rel=1e-6)


@pytest.mark.parametrize("width,R", [(64, 1.0), (64, 10.0), (256, 1.0)])
def test_searched_hessian_norm_reaches_the_exact_two_layer_sup(width, R):
    net, ball = _two_layer_case(width, R)
    e = estimate.hessian_norm(net, ball, samples=256, rng=0)
    exact = _exact_two_layer_sup(net, R)
    assert ball.strictly_contains(e.point)
    assert e.value == pytest.approx(float(net.hessian_norm(e.point)), rel=1e-12)
    assert e.value >= 0.99 * exact
    assert e.value <= exact * (1 + 1e-6)  # a lower bound of the true sup
    # without the single-neuron moves, sampling stays far below: the search is what finds it
    assert e.sampled_value < 0.95 * exact


@pytest.mark.slow
@pytest.mark.parametrize("width", [1024, 4096])
def test_searched_hessian_norm_reaches_the_exact_two_layer_sup_wide(width):
    for R in (1.0, 10.0):
        net, ball = _two_layer_case(width, R)
        e = estimate.hessian_norm(net, ball, samples=256, rng=0)
        exact = _exact_two_layer_sup(net, R)
        assert 0.99 * exact <= e.value <= exact * (1 + 1e-6)


def test_searched_hessian_norm_beats_random_single_neuron_moves_on_a_three_layer_net():
    from plsym.systems.network import network, network_data
    X, y = network_data(2, 2, rng=0)
    net = network(X, y, [3, 3, 3], rng=3)
    R = 1.0
    ball = plsym.Ball(net.w0, R)
    e = estimate.hessian_norm(net, ball, samples=128, rng=0)
    # 10^4 random single-neuron perturbations: one neuron's incoming row and outgoing column
    # moved along a random direction, on the block's sphere or uniform in its ball
    blocks = net._neuron_blocks()
    assert len(blocks) == 9
    rng = np.random.default_rng(123)
    P = np.repeat(net.w0[None], 10_000, axis=0)
    for p in range(len(P)):
        _, _, inc, out = blocks[rng.integers(len(blocks))]
        idx = np.concatenate([inc, out])
        d = rng.standard_normal(len(idx))
        d *= R / np.linalg.norm(d) * (rng.random() ** (1 / len(idx)) if p % 2 else 1.0)
        P[p, idx] += d
    assert ball.contains(P).all()
    assert ball.strictly_contains(e.point)
    assert e.value >= float(net.hessian_norm(P).max())


def test_sizes_beyond_the_machine_memory_are_refused_before_allocation():
    from plsym._memory import physical_bytes
    from plsym.systems.network import network
    if physical_bytes() is None:
        pytest.skip("the OS does not report its physical memory")
    with pytest.raises(plsym.InvalidArgument, match=r"widths=\[1000000, 1000000\] needs m=1000004000000"):
        network(np.eye(3), [1.0, 2.0, 3.0], [10**6, 10**6])


def test_estimator_memory_stays_bounded_on_a_wide_net():
    # sampling and search hold O(batch x m), not O(samples x m): 4096 samples of m = 11264
    # are 369 MB as one array
    import tracemalloc
    from plsym.systems.network import network, network_data
    X, y = network_data(4, 10, rng=0)
    net = network(X, y, [1024], rng=0)
    tracemalloc.start()
    try:
        e = estimate.kernel_min_eig(net, plsym.Ball(net.w0, 1.0), samples=4096, search=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert e.samples == 4096 and peak < 200e6  # one array of all samples would be 369 MB


def test_sample_pool_keeps_the_best_by_value_then_drawing_order():
    # the chunked sampling keeps the rows of a stable sort of all values, ties (here many) in drawing order
    rng = np.random.default_rng(0)
    for _ in range(50):
        keep = int(rng.integers(1, 30))
        chunks = [rng.standard_normal((int(rng.integers(1, 25)), 3)) for _ in range(int(rng.integers(2, 7)))]
        values = [np.where(rng.random(len(C)) < 0.2, np.inf, rng.integers(0, 4, len(C)).astype(float)) for C in chunks]
        pool = estimate._Pool(keep, 3)
        for C, o in zip(chunks, values):
            pool.add(C, o)
        P, obj, drawn = pool.best()
        order = np.lexsort((drawn, obj))
        every, all_obj = np.concatenate(chunks), np.concatenate(values)
        best = np.argsort(all_obj, kind="stable")[:keep]
        assert np.array_equal(P[order], every[best]) and np.array_equal(obj[order], all_obj[best])
        assert np.array_equal(drawn[order], best)


def test_screened_samples_are_ranked_cheaply_and_the_kept_best_evaluated_in_full(monkeypatch):
    """A deep net's Hessian norm ranks samples by a short Lanczos: the points drawn are the same, the
    16 best carry their full values (the best sample and its value are those of a full evaluation of
    every sample), the rest only lower bounds, and each of the 16 costs one more evaluation."""
    from plsym.quantities import HessianNorm
    from plsym.systems.network import network, network_data
    X, y = network_data(4, 4, rng=1)
    net = network(X, y, [16, 16, 16], rng=1)  # 16 Lanczos steps leave most norms short of 1e-10 here
    ball = plsym.Ball(net.w0, 0.5)

    def run():
        counted = estimate._Counted(HessianNorm(net))
        P, obj, order = estimate._sample(counted, ball, 600, np.random.default_rng(3), -1.0, keep=64, full=16)
        return P, obj, order, counted.evaluations

    P, obj, order, evaluations = run()
    monkeypatch.setattr(HessianNorm, "screen", lambda self, W: None)
    P0, obj0, order0, evaluations0 = run()
    assert np.array_equal(P, P0) and evaluations0 == 601 and evaluations == 601 + 16
    best, rest = order[:16], order[16:]
    assert np.array_equal(obj[best], obj0[best])
    assert order[0] == order0[0] and obj[order[0]] == obj0[order0[0]]
    # obj is -||H_F||: a lower bound of the norm is a larger obj; some runs were cut short
    assert np.all(obj[rest] >= obj0[rest] - 1e-12 * np.abs(obj0[rest]))
    assert np.any(obj[rest] > obj0[rest] + 1e-9 * np.abs(obj0[rest]))


def test_few_samples_are_evaluated_in_full_without_a_screen(monkeypatch):
    """With fewer samples than four times those evaluated in full after a screen, every one is
    evaluated in full once (no screen first)."""
    from plsym.quantities import HessianNorm
    from plsym.systems.network import network, network_data
    X, y = network_data(6, 3, rng=1)
    net = network(X, y, [8, 8], rng=1)
    calls = []
    monkeypatch.setattr(HessianNorm, "screen", lambda self, W: calls.append(len(W)))
    counted = estimate._Counted(HessianNorm(net))
    estimate._sample(counted, plsym.Ball(net.w0, 0.5), 40, np.random.default_rng(3), -1.0, keep=64, full=16)
    assert calls == [] and counted.evaluations == 41


@pytest.mark.parametrize("family", ["deep", "conv", "resnet", "two-layer"])
def test_the_hessian_norm_screen_is_a_lower_bound_or_absent(family):
    from plsym.systems import conv, resnet
    from plsym.systems.network import network, network_data
    rng = np.random.default_rng(2)
    X, y = network_data(4, 3, rng=2)
    if family == "deep":
        s = network(X, y, [16, 16], rng=2)
    elif family == "two-layer":
        s = network(X, y, [16], rng=2)
    elif family == "conv":
        s = conv(rng.standard_normal((3, 2, 6)), np.zeros(3), [4, 4], kernel_size=3)
    else:
        s = resnet(X, y, 8, 2)
    W = s.w0 + 0.3 * rng.standard_normal((5, s.m)) / np.sqrt(s.m)
    screened = s._hessian_norm_screen(W)
    if family == "two-layer":  # the exact block formula is the cheap way
        assert screened is None
        return
    full = s._hessian_norm(W)
    assert screened.shape == full.shape and np.all(screened > 0)
    assert np.all(screened <= full * (1 + 1e-12))


def test_single_neuron_moves_of_a_deep_net_are_ranked_by_the_screen():
    """The neuron search ranks its moves by the screen (lower bounds, some cut short), and by the full
    norms without it."""
    from plsym.systems.network import network, network_data
    X, y = network_data(4, 4, rng=1)
    net = network(X, y, [16, 16, 16], rng=1)
    rng = np.random.default_rng(0)
    blocks = net._neuron_blocks()
    neurons = rng.choice([nb for nb, block in enumerate(blocks) if block[0] == 1], 20)  # one layer: one move size
    moves = np.stack([0.5 * rng.standard_normal(len(blocks[nb][2]) + len(blocks[nb][3])) for nb in neurons])
    full = net._neuron_move_norms(net.w0, neurons, moves)
    ranked = net._neuron_move_norms(net.w0, neurons, moves, screen=True)
    P = np.repeat(net.w0[None], len(neurons), axis=0)
    for p, (nb, mv) in enumerate(zip(neurons, moves)):
        P[p, np.concatenate([blocks[nb][2], blocks[nb][3]])] += mv
    assert np.array_equal(full, net._hessian_norm(P))
    assert np.all(ranked <= full * (1 + 1e-12)) and np.any(ranked < full * (1 - 1e-9))


def test_a_screen_undefined_everywhere_gives_the_estimators_own_error(monkeypatch):
    """Screened values undefined at every sample: nothing to evaluate in full, and the estimate refuses
    with its message (not a numpy error from an empty batch)."""
    from plsym.quantities import HessianNorm
    from plsym.systems.network import network, network_data
    X, y = network_data(4, 4, rng=1)
    net = network(X, y, [16, 16, 16], rng=1)
    monkeypatch.setattr(HessianNorm, "screen", lambda self, W: np.full(len(W), np.nan))
    monkeypatch.setattr(HessianNorm, "values", lambda self, W: np.full(len(W), np.nan))
    with pytest.raises(plsym.InvalidArgument, match="undefined at every sampled point"):
        estimate.hessian_norm(net, plsym.Ball(net.w0, 0.5), samples=100, search=False)
