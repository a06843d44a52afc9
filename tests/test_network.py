"""The fully connected network of D8: exact derivatives against differences and closed forms.

Every comparison states its rtol/atol. Central differences of step h have
truncation error O(h^2) and rounding error O(eps / h), about 1e-10 relative
here, so rtol 1e-6 leaves a wide margin while still catching any wrong term.
"""

import dataclasses

import numpy as np
import pytest
import sympy

from plsym import InvalidArgument, activations
from plsym.systems.network import NetworkSystem, network

SMOOTH = ["tanh", "sigmoid", "softplus", "sin", "gelu"]


def _data(n=4, d=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal(n)


def _point(net, scale=0.3, k=None, seed=1):
    """w0 moved off the initialization, so nothing depends on w0's symmetry."""
    rng = np.random.default_rng(seed)
    shape = (net.m,) if k is None else (k, net.m)
    return net.w0 + scale * rng.standard_normal(shape)


def _fd_jacobian(net, w, h=1e-6):
    """Central differences of F, all m directions as one batch: (n, m)."""
    E = h * np.eye(net.m)
    return ((net.F(w + E) - net.F(w - E)) / (2 * h)).T


def _fd_hessians(net, w, h=1e-5):
    """Central differences of the exact Jacobian: (n, m, m), column j = d DF / d w_j."""
    E = h * np.eye(net.m)
    D = (net.jacobian(w + E) - net.jacobian(w - E)) / (2 * h)  # (m, n, m): [j, i, :]
    return np.moveaxis(D, 0, -1)


# -- activations -------------------------------------------------------------------
@pytest.mark.parametrize("name", SMOOTH + ["identity"])
def test_activation_derivatives_match_sympy(name):
    act = activations.get(name)
    z = sympy.Symbol("z")
    expr = act.symbolic(z)
    mods = [{"erf": __import__("scipy.special").special.erf}, "numpy"]
    f0, f1, f2 = (sympy.lambdify(z, e, modules=mods) for e in (expr, sympy.diff(expr, z), sympy.diff(expr, z, 2)))
    pts = np.linspace(-4, 4, 33)
    for fn, ref in ((act.sigma, f0), (act.dsigma, f1), (act.d2sigma, f2)):
        want = np.broadcast_to(np.asarray(ref(pts), dtype=float), pts.shape)
        np.testing.assert_allclose(fn(pts), want, rtol=1e-12, atol=1e-14)
    assert act.smooth


def test_activations_stay_finite_for_large_inputs():
    z = np.array([-800.0, -50.0, 50.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        for name in SMOOTH:
            act = activations.get(name)
            for fn in (act.sigma, act.dsigma, act.d2sigma):
                assert np.all(np.isfinite(fn(z))), name


def test_relu_is_marked_non_smooth_and_unknown_names_are_refused():
    relu = activations.get("relu")
    assert relu.d2sigma is None and not relu.smooth
    np.testing.assert_array_equal(relu.dsigma(np.array([-1.0, 2.0])), [0.0, 1.0])
    with pytest.raises(InvalidArgument, match=r"activation='foo' is not allowed; choose one of 'tanh'"):
        activations.get("foo")


# -- layout --------------------------------------------------------------------------
def test_layout_initialization_and_flatten_roundtrip():
    X, y = _data(n=3, d=4)
    net = network(X, y, [5, 2], rng=7)
    assert net.layer_shapes == ((5, 4), (2, 5), (1, 2))
    assert (net.m, net.n, net.depth, net.widths) == (20 + 10 + 2, 3, 2, (5, 2))
    np.testing.assert_array_equal(net.w0, np.random.default_rng(7).standard_normal(net.m))
    W = _point(net, k=3)
    layers = net.unflatten(W)
    assert [L.shape for L in layers] == [(3, 5, 4), (3, 2, 5), (3, 1, 2)]
    np.testing.assert_array_equal(layers[1][2], W[2, 20:30].reshape(2, 5))  # row-major, in order
    np.testing.assert_array_equal(net.flatten(layers), W)
    np.testing.assert_array_equal(net.flatten(net.unflatten(net.w0)), net.w0)


def test_forward_pass_matches_the_formula_of_D8():
    X, y = _data(n=5, d=3)
    net = network(X, y, [4, 6], activation="sin", output="tanh")
    W1, W2, W3 = net.unflatten(net.w0)
    want = np.tanh(np.sin(np.sin(X @ W1.T / np.sqrt(3)) @ W2.T / 2.0) @ W3.T / np.sqrt(6))[:, 0]
    np.testing.assert_allclose(net.F(net.w0), want, rtol=1e-13, atol=0)


# -- first derivatives ------------------------------------------------------------------
@pytest.mark.parametrize("activation", SMOOTH)
@pytest.mark.parametrize("widths", [[5], [4, 3]])
@pytest.mark.parametrize("output", [None, "tanh"])
def test_jacobian_matches_central_differences(activation, widths, output):
    X, y = _data()
    net = network(X, y, widths, activation=activation, output=output)
    w = _point(net)
    np.testing.assert_allclose(net.jacobian(w), _fd_jacobian(net, w), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("widths", [[6], [3, 4, 5]])
@pytest.mark.parametrize("output", [None, "sigmoid"])
def test_structured_kernel_equals_J_JT(widths, output):
    X, y = _data(n=5, d=3)
    net = network(X, y, widths, activation="gelu", output=output)
    W = _point(net, k=3)
    J = net.jacobian(W)
    np.testing.assert_allclose(net.kernel(W), J @ np.swapaxes(J, -1, -2), rtol=1e-10, atol=1e-13)


def test_two_layer_kernel_closed_form():
    """K = (1/m) [ (S' diag(v^2) S'^T) * (X X^T / d) + S S^T ], S = sigma(X U^T / sqrt d)."""
    X, y = _data(n=6, d=4)
    width = 50
    net = network(X, y, [width], activation="tanh")
    w = _point(net)
    U, V = net.unflatten(w)
    v = V[0]
    Z = X @ U.T / 2.0
    S, dS = np.tanh(Z), 1.0 / np.cosh(Z) ** 2
    want = ((dS * v ** 2) @ dS.T * (X @ X.T / 4.0) + S @ S.T) / width
    np.testing.assert_allclose(net.kernel(w), want, rtol=1e-12, atol=1e-14)


# -- second derivatives -------------------------------------------------------------------
@pytest.mark.parametrize("activation", SMOOTH)
@pytest.mark.parametrize("widths,output", [([5], None), ([3, 4], None), ([4], "tanh"), ([3, 2], "softplus")])
def test_hessians_match_differences_of_jacobian_and_hvp_matches_hessians(activation, widths, output):
    X, y = _data(n=3)
    net = network(X, y, widths, activation=activation, output=output)
    w = _point(net)
    H = net.hessians(w)
    np.testing.assert_allclose(H, _fd_hessians(net, w), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))
    v = np.random.default_rng(3).standard_normal(net.m)
    np.testing.assert_allclose(net.hvp(w, v), H @ v, rtol=1e-10, atol=1e-13)


def test_loss_hvp_matches_loss_hessian():
    X, y = _data(n=4)
    net = network(X, y, [3, 3], activation="softplus")
    W = _point(net, k=2)
    V = np.random.default_rng(5).standard_normal(W.shape)
    want = np.einsum("kij,kj->ki", net.loss_hessian(W), V)
    np.testing.assert_allclose(net.loss_hvp(W, V), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "gelu"])
@pytest.mark.parametrize("widths,output", [([5], None), ([3, 4], None), ([3, 2], "softplus")])
def test_matrix_free_products_match_the_dense_jacobian_and_hessians(activation, widths, output):
    X, y = _data(n=4)
    net = network(X, y, widths, activation=activation, output=output)
    W = _point(net, k=2)
    rng = np.random.default_rng(4)
    V, C = rng.standard_normal(W.shape), rng.standard_normal((2, net.n))
    J, H = net.jacobian(W), net.hessians(W)
    np.testing.assert_allclose(net._jvp(W, V), np.einsum("kni,ki->kn", J, V), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net._vjp(W, C), np.einsum("kni,kn->ki", J, C), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net._whvp(W, C, V), np.einsum("kn,knij,kj->ki", C, H, V), rtol=1e-12, atol=1e-13)
    HL = np.swapaxes(J, -1, -2) @ J + np.einsum("kn,knij->kij", net.residual(W), H)
    np.testing.assert_allclose(net.loss_hvp(W, V), np.einsum("kij,kj->ki", HL, V), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(net.grad(W), np.einsum("kni,kn->ki", J, net.residual(W)), rtol=1e-12, atol=1e-14)


def test_loss_hvp_and_loss_hessian_norm_agree_with_torch_autograd():
    torch = pytest.importorskip("torch")
    X, y = _data(n=6, d=4)
    net = network(X, y, [12, 10], activation="tanh")
    w = _point(net)
    v = np.random.default_rng(7).standard_normal(net.m)
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)

    def loss(wt):
        alpha = Xt
        for j, ((a, b), o) in enumerate(zip(net.layer_shapes, net._offsets)):
            h = alpha @ wt[o:o + a * b].reshape(a, b).T / np.sqrt(b)
            alpha = torch.tanh(h) if j < net.depth else h
        return 0.5 * torch.sum((alpha[:, 0] - yt) ** 2)

    wt, vt = torch.tensor(w, dtype=torch.float64), torch.tensor(v, dtype=torch.float64)
    want = torch.autograd.functional.hvp(loss, wt, vt)[1].numpy()
    got = net.loss_hvp(w, v)
    assert np.max(np.abs(got - want)) <= 1e-12 * np.max(np.abs(want))
    HL = torch.autograd.functional.hessian(loss, wt).numpy()
    norm = np.abs(np.linalg.eigvalsh(HL)).max()
    assert abs(float(net.loss_hessian_norm(w)) - norm) <= 1e-12 * norm


@pytest.mark.parametrize("activation", SMOOTH)
def test_two_layer_block_hessian_norm_equals_dense_eigvalsh(activation):
    X, y = _data(n=5, d=3)
    net = network(X, y, [12], activation=activation)
    W = _point(net, scale=1.0, k=3)
    dense = np.abs(np.linalg.eigvalsh(net.hessians(W))).max(axis=(-1, -2))
    np.testing.assert_allclose(net.hessian_norm(W), dense, rtol=1e-10, atol=0)


def test_lanczos_hessian_norm_equals_dense_above_the_threshold():
    X, y = _data(n=3, d=6)
    X[1] = 0.0  # this output's Hessian is exactly zero at every W (tanh(0) = 0)
    net = network(X, y, [15, 20], activation="tanh")
    assert net.m == 410 > NetworkSystem._dense_max_m  # hessian_norm takes the Lanczos path
    W = _point(net, k=2)
    H = net.hessians(W)
    assert np.abs(H[:, 1]).max() == 0.0
    dense = np.abs(np.linalg.eigvalsh(H)).max(axis=(-1, -2))
    lanczos = net.hessian_norm(W)
    np.testing.assert_allclose(lanczos, dense, rtol=1e-8, atol=0)
    np.testing.assert_allclose(net._hessian_norm_dense(W), dense, rtol=1e-12, atol=0)


def test_lanczos_agrees_with_the_two_layer_closed_form_at_width_1000():
    X, y = _data(n=2, d=5)
    net = network(X, y, [1000], activation="gelu")
    W = _point(net, k=1)
    np.testing.assert_allclose(net._hessian_norm_lanczos(W), net.hessian_norm(W), rtol=1e-8, atol=0)


def test_batch_and_single_point_calls_agree():
    X, y = _data(n=4)
    for net in (network(X, y, [6]), network(X, y, [3, 4], output="tanh"), network(X, y, [20, 20])):
        W = _point(net, k=3)
        V = np.random.default_rng(9).standard_normal(W.shape)
        for method in ("F", "jacobian", "kernel", "hessians", "hessian_norm", "loss", "grad"):
            batch = getattr(net, method)(W)
            for p in range(3):
                np.testing.assert_allclose(getattr(net, method)(W[p]), batch[p], rtol=1e-12, atol=1e-15)
        hv = net.hvp(W, V)
        for p in range(3):
            np.testing.assert_allclose(net.hvp(W[p], V[p]), hv[p], rtol=1e-12, atol=1e-15)


# -- ReLU: first derivatives only -------------------------------------------------------------
@pytest.mark.parametrize("kwargs,named", [({"activation": "relu"}, "activation='relu'"),
                                          ({"output": "relu"}, "output='relu'")])
def test_relu_has_jacobian_and_kernel_but_no_hessians(kwargs, named):
    X, y = _data(n=4)
    net = network(X, y, [8, 5], **kwargs)
    w = _point(net)
    J = net.jacobian(w)
    np.testing.assert_allclose(J, _fd_jacobian(net, w), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(net.kernel(w), J @ J.T, rtol=1e-10, atol=1e-13)
    for call in (lambda: net.hessians(w), lambda: net.hessian_norm(w), lambda: net.hvp(w, w),
                 lambda: net.loss_hvp(w, w), lambda: net.loss_hessian(w)):
        with pytest.raises(InvalidArgument, match=named):
            call()


# -- bad inputs ------------------------------------------------------------------------------------
GOOD = dict(X=np.ones((3, 2)), y=np.zeros(3), widths=[4])


@pytest.mark.parametrize("change,match", [
    ({"X": np.ones(3)}, r"^X has shape \(3,\); it must have 2 dimension"),
    ({"X": np.ones((0, 2)), "y": np.zeros(0)}, r"^X has shape \(0, 2\)"),
    ({"X": np.array([[1.0, np.nan]] * 3)}, r"^X contains nan"),
    ({"X": "abc"}, r"^X='abc'"),
    ({"y": np.zeros(2)}, r"^y has shape \(2,\); it must have shape \(3,\)"),
    ({"widths": []}, r"^widths=\[\] is empty"),
    ({"widths": [0]}, r"^widths\[0\]=0 must be an integer >= 1"),
    ({"widths": [4, -2]}, r"^widths\[1\]=-2 must be an integer >= 1"),
    ({"widths": [2.5]}, r"^widths\[0\]=2.5 must be an integer"),
    ({"widths": 4}, r"^widths=4 must be a non-empty list"),
    ({"activation": "foo"}, r"^activation='foo' is not allowed; choose one of 'tanh'"),
    ({"output": "foo"}, r"^output='foo' is not allowed; choose None"),
    ({"rng": -1}, r"^rng=-1 must be a non-negative int"),
    ({"rng": 1.5}, r"^rng=1.5 must be a non-negative int"),
])
def test_bad_inputs_name_the_argument(change, match):
    args = {**GOOD, **change}
    with pytest.raises(InvalidArgument, match=match):
        network(args.pop("X"), args.pop("y"), args.pop("widths"), **args)


def test_bad_points_and_oversized_dense_hessians_are_refused():
    X, y = _data(n=4, d=10)
    net = network(X, y, [1024])
    with pytest.raises(InvalidArgument, match=r"^w has shape \(3,\)"):
        net.unflatten(np.zeros(3))
    with pytest.raises(InvalidArgument, match=r"hvp.*hessian_norm"):
        net.hessians(net.w0)


# -- wide networks (T19, C22): matrix-free only --------------------------------------------------------
def test_width_4096_kernel_and_hessian_norm_run_without_dense_hessians(monkeypatch):
    X, y = _data(n=8, d=10)
    wide, narrow = network(X, y, [4096]), network(X, y, [64])

    def refuse(W):
        raise AssertionError("a dense Hessian was formed")
    monkeypatch.setattr(wide, "_hessians", refuse)
    K = wide.kernel(wide.w0)
    assert K.shape == (8, 8) and np.all(np.isfinite(K))
    assert np.linalg.eigvalsh(K).min() > 0  # over-parameterized: K is positive definite (D3)
    norm = wide.hessian_norm(wide.w0)
    # T19: ||H_F|| = O~(1/sqrt m); a 64x wider net has a clearly smaller Hessian.
    assert 0 < norm < narrow.hessian_norm(narrow.w0) / 2
    with pytest.raises(InvalidArgument, match="too big for symbolic work|symbolic forms"):
        wide.outputs


# -- symbolic forms ------------------------------------------------------------------------------
def test_symbolic_outputs_and_jacobian_of_a_tiny_net_match_numerics():
    X, y = _data(n=2, d=2)
    net = network(X, y, [2], activation="gelu", output="sigmoid")
    assert [p.name for p in net.params] == ["W1_0_0", "W1_0_1", "W1_1_0", "W1_1_1", "W2_0_0", "W2_0_1"]
    subs = dict(zip(net.params, map(sympy.Float, net.w0)))
    got = np.array([float(f.xreplace(subs).evalf(30)) for f in net.outputs])
    np.testing.assert_allclose(got, net.F(net.w0), rtol=1e-12, atol=0)
    J = np.array(net.jacobian_expr.xreplace(subs).evalf(30), dtype=float)
    np.testing.assert_allclose(J, net.jacobian(net.w0), rtol=1e-12, atol=1e-15)


def test_rng_draws_w0_and_seed_is_its_old_name():
    from plsym.systems import network, network_data, width_family

    X, y = network_data(5, 3, rng=2)
    a = network(X, y, [8], rng=7)
    assert a.seed == 7 and np.array_equal(a.w0, network(X, y, [8], rng=7).w0)
    g = network(X, y, [8], rng=np.random.default_rng(7))
    assert g.seed is None and np.array_equal(g.w0, a.w0)  # the same draws from a Generator of the same seed
    with pytest.warns(DeprecationWarning, match=r"network\(seed=\.\.\.\) is deprecated"):
        old = network(X, y, [8], seed=7)
    assert np.array_equal(old.w0, a.w0)
    with pytest.warns(DeprecationWarning, match=r"network_data\(seed=\.\.\.\)"):
        assert np.array_equal(network_data(5, 3, seed=2)[0], X)
    with pytest.warns(DeprecationWarning, match=r"width_family\(seed=\.\.\.\)"):
        assert [n.seed for n in width_family(a, [4, 8], seed=3)] == [3, 3]
    with pytest.raises(InvalidArgument, match="rng=-1 must be a non-negative int"):
        network(X, y, [8], rng=-1)
    with pytest.warns(DeprecationWarning, match=r"NetworkSystem\(seed=\.\.\.\) is deprecated"):
        assert np.array_equal(NetworkSystem(X, y, [8], seed=7).w0, a.w0)


def test_ball_arithmetic_by_layers_encloses_the_real_network():
    """F - y and DF at a point in arb, by the layers, contain the values computed in 60-digit arithmetic
    and overlap the enclosures of the network's sympy form (the other rigorous route)."""
    import mpmath

    from plsym import certify, interval
    from plsym.systems import network_data

    X, y = network_data(3, 2, rng=4)
    for widths, out in (([3], None), ([3, 2], "tanh"), ([2], "sigmoid")):
        net = network(X, y, widths, activation="tanh", output=out, rng=5)
        w = net.w0 + 0.5 * np.random.default_rng(6).standard_normal(net.m)
        P = certify._point_programs(net)
        assert type(P).__name__ == "NetworkPointProgram"
        args = interval.point_args(w)
        r, J = P.residual(args), P.jacobian(args)
        S = certify._programs(net)
        r2, J2 = S.residual(args), S.jacobian(args)
        assert all(a.overlaps(b) for a, b in zip(r, r2))
        assert all(J[i, j].overlaps(J2[i, j]) for i in range(net.n) for j in range(net.m))
        with mpmath.workdps(60):
            sig = {"tanh": mpmath.tanh, "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)), None: lambda z: z}
            layers = net.unflatten(w)
            for i, x in enumerate(X):
                a = [mpmath.mpf(float(t)) for t in x]
                for j, Wj in enumerate(layers):
                    act = sig[out] if j == len(layers) - 1 else sig["tanh"]
                    a = [act(sum(mpmath.mpf(float(c)) * t for c, t in zip(row, a)) / mpmath.sqrt(len(a)))
                         for row in Wj]
                exact = a[0] - mpmath.mpf(float(y[i]))
                lo, hi = interval.lower(r[i]), interval.upper(r[i])
                assert lo <= exact <= hi and hi - lo < 1e-13
        np.testing.assert_allclose([[float(J[i, j].mid()) for j in range(net.m)] for i in range(net.n)],
                                   net.jacobian(w), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", SMOOTH)
def test_two_layer_hessian_norm_gradient_in_closed_form(activation):
    """The closed-form gradient of ||H_F|| (one neuron's block) against a Richardson-extrapolated
    central difference of ||H_F|| itself along random directions, and against the generic path
    (central difference of two Hessian-vector products)."""
    from plsym.quantities import HessianNorm

    X, y = _data(n=7, d=4, seed=2)
    net = network(X, y, [50], activation=activation)
    W = _point(net, scale=0.5, k=4, seed=5)
    norm, grad = net._hessian_norm_value_and_grad(W)
    np.testing.assert_allclose(norm, net.hessian_norm(W), rtol=1e-14, atol=0)
    D = np.random.default_rng(1).standard_normal(W.shape)

    def central(h):
        return (net.hessian_norm(W + h * D) - net.hessian_norm(W - h * D)) / (2 * h)

    want = (4 * central(1e-4) - central(2e-4)) / 3
    np.testing.assert_allclose(np.sum(grad * D, axis=1), want, rtol=1e-7, atol=0)
    assert np.count_nonzero(grad, axis=1).max() <= X.shape[1] + 1  # one neuron's (u_r, v_r)
    # the estimators take it: HessianNorm.value_and_grad returns the closed form
    got = HessianNorm(net).value_and_grad(W)
    np.testing.assert_array_equal(got[1], grad)
    assert network(X, y, [5, 5])._hessian_norm_value_and_grad(_point(network(X, y, [5, 5]), k=1)) is None


@pytest.mark.parametrize("activation", SMOOTH + ["identity"])
def test_two_layer_kernel_form_gradient_in_closed_form(activation):
    """grad (c^T K(w) c) of two-layer nets in closed form, against the generic backward and
    second-order passes and against a central difference of c^T K c."""
    from plsym.system import System

    X, y = _data(n=9, d=4, seed=2)
    net = network(X, y, [40], activation=activation)
    W = _point(net, scale=0.5, k=4, seed=5)
    C = np.random.default_rng(5).standard_normal((4, net.n))
    got = net._kernel_form_grad(W, C)
    np.testing.assert_allclose(got, System._kernel_form_grad(net, W, C), rtol=1e-12, atol=1e-14)
    D = np.random.default_rng(6).standard_normal(W.shape)

    def form(V):
        return np.einsum("ki,kij,kj->k", C, net.kernel(V), C)

    h = 1e-5
    want = (form(W + h * D) - form(W - h * D)) / (2 * h)
    np.testing.assert_allclose(np.sum(got * D, axis=1), want, rtol=1e-6, atol=0)


@pytest.mark.parametrize("name", [a for a in activations.NAMES if activations.get(a).dsigma_sup is not None])
def test_activation_sups_bound_the_derivatives_everywhere_and_are_attained(name):
    act = activations.get(name)
    z = np.concatenate([np.linspace(-60.0, 60.0, 1_200_001), [-1e300, -1e8, 1e8, 1e300]])
    with np.errstate(all="ignore"):
        pairs = [(act.dsigma, act.dsigma_sup)] + ([(act.d2sigma, act.d2sigma_sup)] if act.d2sigma_sup is not None else [])
        for f, sup in pairs:
            values = np.abs(f(z))
            values = values[np.isfinite(values)]
            assert values.max() <= sup * (1 + 1e-12)  # a bound at every z
            assert values.max() >= sup * (1 - 1e-9)  # and the least one: the grid comes within 1e-9 of it


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus", "sin", "gelu"])
def test_the_two_layer_sup_witness_is_the_same_with_and_without_the_neuron_pruning(activation, monkeypatch):
    """Neurons whose block norm cannot reach the best found (bounded through the activation's sups) are
    not gridded: the witness is bit-identical to the one of the full grid."""
    from plsym.theorems import wide

    rng = np.random.default_rng(4)
    X = rng.standard_normal((3, 4))
    net = network(X, np.zeros(3), [96], activation=activation, rng=2)
    pruned = wide._two_layer_sup_witness(net, 0.7)
    act = activations.get(activation)
    unbounded = dataclasses.replace(act, dsigma_sup=None, d2sigma_sup=None)
    monkeypatch.setattr(wide.activations, "get", lambda name, **kw: unbounded)
    full = wide._two_layer_sup_witness(net, 0.7)
    assert np.array_equal(pruned, full)
