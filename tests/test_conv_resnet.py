"""The conv and resnet families: exact derivatives against autodiff, differences and closed forms.

Three independent references: dense autodiff (JAX and torch, through plsym's own
adapters, skipped when a framework is absent), central differences (no
framework), and closed forms (a 1 x 1 convolution on one position and a
depth-0 ResNet are the two-layer network of D8; circular convolution with
pooling is shift invariant). Every comparison states its tolerance:
``_close(got, want, rtol)`` asserts max|got - want| <= rtol * max|want|.
"""

import numpy as np
import pytest

from plsym import InvalidArgument
from plsym.systems import conv, network, resnet, width_family
from test_network import _fd_hessians, _fd_jacobian, _point  # the same differences and test points as D8

SMOOTH = ["tanh", "sigmoid", "softplus", "sin", "gelu"]


def _close(got, want, rtol):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    scale = np.abs(want).max()
    assert scale > 0, "a zero reference checks nothing"
    err = np.abs(got - want).max()
    assert err <= rtol * scale, f"max error {err:.3g} > {rtol:g} * {scale:.3g}"


def _signals(n=3, c=2, length=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, c, length)), rng.standard_normal(n)


def _images(n=3, c=2, shape=(4, 3), seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, c) + shape), rng.standard_normal(n)


def _vectors(n=3, d=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal(n)


# Small members of both families, covering every option.
CASES = {
    "conv1d-circular-pool": lambda: conv(*_signals(), [3, 4], kernel_size=3, activation="gelu"),
    "conv1d-zero-flatten-tanh": lambda: conv(*_signals(), [3], kernel_size=2, padding="zero", readout="flatten",
                                             activation="softplus", output="tanh"),
    "conv2d-zero-pool-sigmoid": lambda: conv(*_images(), [2, 3], kernel_size=3, padding="zero", dim=2,
                                             activation="sin", output="sigmoid"),
    "conv2d-circular-flatten": lambda: conv(*_images(c=1), [3], kernel_size=2, readout="flatten", dim=2),
    "resnet-depth2": lambda: resnet(*_vectors(), 4, 2, activation="softplus", residual_scale=0.7),
    "resnet-depth1-tanh": lambda: resnet(*_vectors(), 5, 1, activation="gelu", output="tanh"),
}


# -- autodiff references (dense, framework-computed) --------------------------------------------
def _jax_reference(net):
    """The same network written in jax.numpy, as a plsym JAX system (exact autodiff)."""
    pytest.importorskip("jax")
    import jax.numpy as jnp
    from jax import lax

    from plsym.adapters import from_jax

    sizes = [int(np.prod(s)) for s in net.layer_shapes]
    offsets = np.cumsum([0] + sizes)
    shapes = net.layer_shapes

    def split(w):
        return [w[offsets[j]:offsets[j + 1]].reshape(s) for j, s in enumerate(shapes)]

    act = {"tanh": jnp.tanh, "sigmoid": lambda z: 1 / (1 + jnp.exp(-z)), "softplus": lambda z: jnp.logaddexp(0, z),
           "sin": jnp.sin, "gelu": lambda z: z * (1 + lax.erf(z / jnp.sqrt(2.0))) / 2, "identity": lambda z: z}
    hidden, out = act[net.activation], act[net.output or "identity"]

    if hasattr(net, "kernel_size"):
        dim, s = net.dim, net.kernel_size
        left = (s - 1) // 2
        mode = "wrap" if net.padding == "circular" else "constant"
        spatial = "".join("HW"[:dim]) if dim == 2 else "H"
        dn = ("NC" + spatial, "OI" + spatial, "NC" + spatial)

        def f(w, x):
            layers = split(w)
            a = x[None]
            for W in layers[:-1]:
                a = jnp.pad(a, [(0, 0), (0, 0)] + [(left, s - 1 - left)] * dim, mode=mode)
                fan = np.prod(W.shape[1:])
                a = hidden(lax.conv_general_dilated(a, W, (1,) * dim, "VALID", dimension_numbers=dn)
                           / np.sqrt(fan))
            v = layers[-1]
            if net.readout == "pool":
                z = a[0].mean(axis=tuple(range(1, dim + 1))) @ v[0] / np.sqrt(v.shape[1])
            else:
                z = jnp.sum(a[0] * v[0]) / np.sqrt(v.size)
            return out(z)
        X = net.X
    else:
        def f(w, x):
            layers = split(w)
            m = net.width
            h = layers[0] @ x / np.sqrt(x.shape[0])
            for W in layers[1:-1]:
                h = h + net.residual_scale / np.sqrt(m) * (W @ hidden(h))
            return out(layers[-1][0] @ hidden(h) / np.sqrt(m))
        X = net.X
    return from_jax(f, net.w0, X, net.y)


def _torch_reference(net):
    """The same network as a torch Module, as a plsym torch system (exact autodiff)."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as tf

    from plsym.adapters import from_torch

    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "softplus": tf.softplus, "sin": torch.sin,
           "gelu": tf.gelu, "identity": lambda z: z}
    hidden, out = act[net.activation], act[net.output or "identity"]

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = torch.nn.ParameterList(
                [torch.nn.Parameter(torch.tensor(W, dtype=torch.float64)) for W in net.unflatten(net.w0)])

        def forward(self, x):
            layers = list(self.weights)
            if hasattr(net, "kernel_size"):
                s, dim = net.kernel_size, net.dim
                left = (s - 1) // 2
                a = x
                for W in layers[:-1]:
                    a = tf.pad(a, (left, s - 1 - left) * dim, mode="circular" if net.padding == "circular" else "constant")
                    fan = float(np.prod(W.shape[1:]))
                    a = hidden((tf.conv1d if dim == 1 else tf.conv2d)(a, W) / fan ** 0.5)
                v = layers[-1]
                if net.readout == "pool":
                    z = a.mean(dim=tuple(range(2, 2 + dim))) @ v[0] / v.shape[1] ** 0.5
                else:
                    z = a.flatten(1) @ v.flatten() / v.numel() ** 0.5
                return out(z)
            m = net.width
            h = x @ layers[0].T / x.shape[-1] ** 0.5
            for W in layers[1:-1]:
                h = h + net.residual_scale / m ** 0.5 * (hidden(h) @ W.T)
            return out(hidden(h) @ layers[-1][0] / m ** 0.5)

    return from_torch(Model(), net.X, net.y)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("framework", ["jax", "torch"])
def test_F_DF_kernel_and_hvp_match_dense_autodiff(case, framework):
    net = CASES[case]()
    ref = (_jax_reference if framework == "jax" else _torch_reference)(net)
    assert ref.m == net.m
    W = _point(net, k=2)
    V = np.random.default_rng(4).standard_normal(W.shape)
    _close(net.F(W), ref.F(W), 1e-10)
    J = ref.jacobian(W)
    _close(net.jacobian(W), J, 1e-10)
    _close(net.kernel(W), J @ np.swapaxes(J, -1, -2), 1e-10)
    _close(net.hvp(W, V), ref.hvp(W, V), 1e-10)
    _close(net.loss_hvp(W, V), ref.loss_hvp(W, V), 1e-10)


# -- central differences (no framework) -------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_derivatives_match_central_differences(case):
    """Truncation O(h^2) and rounding O(eps/h) are ~1e-10 relative here; 1e-6 catches any wrong term."""
    net = CASES[case]()
    w = _point(net)
    J = net.jacobian(w)
    _close(J, _fd_jacobian(net, w), 1e-6)
    H = net.hessians(w)
    _close(H, _fd_hessians(net, w), 1e-6)
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))
    v = np.random.default_rng(3).standard_normal(net.m)
    _close(net.hvp(w, v), H @ v, 1e-12)
    r = net.residual(w)
    _close(net.loss_hessian(w), J.T @ J + np.einsum("i,ijk->jk", r, H), 1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_structured_kernel_equals_J_JT_and_batches_agree(case):
    net = CASES[case]()
    W = _point(net, k=3)
    J = net.jacobian(W)
    _close(net.kernel(W), J @ np.swapaxes(J, -1, -2), 1e-12)
    V = np.random.default_rng(9).standard_normal(W.shape)
    hv = net.hvp(W, V)
    for p in range(3):
        for method in ("F", "jacobian", "kernel", "hessian_norm"):
            np.testing.assert_allclose(getattr(net, method)(W[p]), getattr(net, method)(W)[p], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(net.hvp(W[p], V[p]), hv[p], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", sorted(CASES) + ["network-deep"])
def test_backward_products_and_jacobian_norm_need_no_jacobian(case):
    """DF^T c per point, and the (F, DF^T c, ||DF||_F) of one GD step, from the gradient factors: equal to
    the dense Jacobian's, for layers applied once and at several positions."""
    net = CASES[case]() if case in CASES else network(*_vectors(n=4, d=3), [3, 4], activation="tanh")
    W = _point(net, k=3)
    C = np.random.default_rng(11).standard_normal((3, net.n))
    J = net.jacobian(W)
    _close(net._vjp(W, C), np.einsum("kni,kn->ki", J, C), 1e-12)
    F, vjp, jnorm = net._linearization(W[1])
    np.testing.assert_allclose(F, net.F(W[1]), rtol=1e-14, atol=1e-15)
    _close(vjp(C[1]), J[1].T @ C[1], 1e-12)
    np.testing.assert_allclose(jnorm, np.linalg.norm(J[1]), rtol=1e-13)


@pytest.mark.parametrize("by_positions", [True, False])
@pytest.mark.parametrize("dim", [1, 2])
def test_both_conv_kernel_contractions_equal_J_JT(monkeypatch, by_positions, dim):
    X, y = (_signals(n=4, length=6) if dim == 1 else _images(n=4))
    for readout in ("pool", "flatten"):
        net = conv(X, y, [5, 3], kernel_size=3, readout=readout, dim=dim, padding="zero")
        monkeypatch.setattr(net, "_kernel_by_positions", by_positions)
        W = _point(net, k=2)
        J = net.jacobian(W)
        _close(net.kernel(W), J @ np.swapaxes(J, -1, -2), 1e-12)


# -- closed forms ----------------------------------------------------------------------------------
@pytest.mark.parametrize("padding", ["circular", "zero"])
@pytest.mark.parametrize("dim,spatial,kernel_size", [(1, (7,), 3), (1, (5,), 4), (2, (4, 5), 3), (2, (3, 3), 2)])
def test_patches_and_their_adjoint_follow_the_definition(padding, dim, spatial, kernel_size):
    # patch[p, ch * O + o] = A[p + o - left (per axis), ch], wrapped (circular) or 0 outside (zero);
    # the adjoint sums each input position's terms; both with stacked leading axes
    rng = np.random.default_rng(4)
    net = conv(rng.standard_normal((2, 3) + spatial), np.zeros(2), [5, 4], kernel_size=kernel_size, dim=dim,
               padding=padding)
    left, c = (kernel_size - 1) // 2, 5
    A = rng.standard_normal((2, 3, net._P, c))
    grid = np.arange(net._P).reshape(spatial)
    want = np.zeros((2, 3, net._P, c, kernel_size ** dim))
    for pos in np.ndindex(*spatial):
        for o, off in enumerate(np.ndindex(*(kernel_size,) * dim)):
            src = [q + u - left for q, u in zip(pos, off)]
            if padding == "zero" and not all(0 <= x < size for x, size in zip(src, spatial)):
                continue
            want[:, :, grid[pos], :, o] = A[:, :, grid[tuple(x % size for x, size in zip(src, spatial))], :]
    got = net._gather(1, A)
    np.testing.assert_array_equal(got, want.reshape(2, 3, net._P, -1))
    G = rng.standard_normal(got.shape)
    back = net._scatter(1, G)
    assert back.shape == A.shape
    # <patches(A), G> = <A, adjoint(G)> for every A: the adjoint is the transposed linear map
    E = np.eye(net._P * c).reshape(net._P * c, net._P, c)
    M = net._gather(1, E).reshape(net._P * c, -1)  # rows: the patches of each unit input
    np.testing.assert_allclose(back.reshape(2, 3, -1), G.reshape(2, 3, -1) @ M.T, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("output", [None, "tanh"])
def test_pointwise_conv_on_one_position_is_the_fully_connected_network(output):
    """A 1 x 1 convolution on one position is a dense layer: conv = network(D8), same parameter layout."""
    X, y = _vectors(n=4, d=3)
    for readout in ("pool", "flatten"):
        cnn = conv(X[:, :, None], y, [5, 4], kernel_size=1, readout=readout, activation="gelu", output=output)
        fc = network(X, y, [5, 4], activation="gelu", output=output)
        assert cnn.m == fc.m
        W = _point(fc, k=2)
        for method in ("F", "jacobian", "kernel", "hessians"):
            _close(getattr(cnn, method)(W), getattr(fc, method)(W), 1e-13)


@pytest.mark.parametrize("output", [None, "sigmoid"])
def test_depth_zero_resnet_is_the_two_layer_network(output):
    X, y = _vectors(n=5, d=3)
    res, fc = resnet(X, y, 7, 0, activation="sin", output=output), network(X, y, [7], activation="sin", output=output)
    assert res.layer_shapes == fc.layer_shapes
    W = _point(fc, k=2)
    for method in ("F", "jacobian", "kernel", "hessians", "hessian_norm"):
        _close(getattr(res, method)(W), getattr(fc, method)(W), 1e-12)


def test_resnet_forward_pass_matches_its_formula():
    X, y = _vectors(n=4, d=3)
    net = resnet(X, y, 6, 2, activation="tanh", output="sigmoid", residual_scale=0.5)
    W0, W1, W2, v = net.unflatten(net.w0)
    h = X @ W0.T / np.sqrt(3)
    for Wl in (W1, W2):
        h = h + 0.5 / np.sqrt(6) * np.tanh(h) @ Wl.T
    want = 1 / (1 + np.exp(-(np.tanh(h) @ v[0] / np.sqrt(6))))
    _close(net.F(net.w0), want, 1e-13)


@pytest.mark.parametrize("dim", [1, 2])
def test_circular_conv_with_pooling_is_shift_invariant(dim):
    """Circular convolutions commute with cyclic shifts and pooling forgets position: F(shifted x) = F(x)."""
    X, y = (_signals(n=3, length=7) if dim == 1 else _images(n=3, shape=(4, 5)))
    net = conv(X, y, [4, 3], kernel_size=3, dim=dim)
    shifted = conv(np.roll(X, (2, -1)[:dim], axis=tuple(range(2, 2 + dim))), y, [4, 3], kernel_size=3, dim=dim)
    W = _point(net, k=2)
    _close(shifted.F(W), net.F(W), 1e-13)
    _close(shifted.kernel(W), net.kernel(W), 1e-12)
    zero = conv(X, y, [4, 3], kernel_size=3, dim=dim, padding="zero")
    assert np.abs(zero.F(W) - net.F(W)).max() > 1e-3  # the two paddings do differ


# -- Hessian norms ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["conv1d-circular-pool", "conv2d-zero-pool-sigmoid", "resnet-depth2"])
def test_lanczos_hessian_norm_equals_dense(monkeypatch, case):
    net = CASES[case]()
    W = _point(net, k=2)
    dense = np.abs(np.linalg.eigvalsh(net.hessians(W))).max(axis=(-1, -2))
    _close(net.hessian_norm(W), dense, 1e-12)  # small m: the dense path
    monkeypatch.setattr(net, "_dense_max_m", 0)
    _close(net.hessian_norm(W), dense, 1e-8)  # the Lanczos path


@pytest.mark.parametrize("case", ["conv1d-circular-pool", "conv2d-zero-pool-sigmoid", "resnet-depth2", "network-deep"])
def test_lanczos_eigenpair_is_the_worst_outputs_own(case):
    """One Lanczos over all (point, output) pairs: each point's best output, Ritz value and vector are
    those of that output's own dense Hessian (per-pair data rows in the tape, not shared ones)."""
    net = network(*_signals_flat(), [6, 5]) if case == "network-deep" else CASES[case]()
    W = _point(net, k=3)
    H = net.hessians(W)
    vals = np.linalg.eigvalsh(H)  # (k, n, m)
    top = np.where(-vals[..., 0] > vals[..., -1], vals[..., 0], vals[..., -1])  # signed, largest modulus
    norm, best_i, q, lam = net._hessian_norm_lanczos(W, vectors=True)
    want_i = np.abs(top).argmax(axis=1)
    assert best_i.tolist() == want_i.tolist()
    _close(lam, top[np.arange(3), want_i], 1e-8)
    _close(norm, np.abs(top).max(axis=1), 1e-8)
    Hq = np.einsum("kij,kj->ki", H[np.arange(3), best_i], q)
    assert np.abs(Hq - lam[:, None] * q).max() <= 1e-6 * np.abs(lam).max()


def _signals_flat(n=4, d=3, seed=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal(n)


@pytest.mark.parametrize("case", ["conv1d-zero-flatten-tanh", "resnet-depth2"])
def test_layer_block_norms_match_dense_blocks_and_bound_the_norm(case):
    net = CASES[case]()
    w = _point(net)
    H = net.hessians(w)
    off = np.cumsum([0] + [int(np.prod(s)) for s in net.layer_shapes])
    count = len(net.layer_shapes)
    want = np.array([[[np.linalg.norm(Hi[off[a]:off[a + 1], off[b]:off[b + 1]], 2) for b in range(count)]
                      for a in range(count)] for Hi in H])
    B = net.layer_hessian_norms(w)
    _close(B, want, 1e-8)
    if net.output is None:
        assert np.all(B[:, -1, -1] == 0)  # f is linear in the read-out weights
    assert np.all(net.layer_hessian_bound(w) >= net.hessian_norm(w) * (1 - 1e-8))


@pytest.mark.parametrize("build", [
    lambda X, y, w: conv(X[:, None, :], y, [w, w], kernel_size=3),
    lambda X, y, w: resnet(X, y, w, 2),
])
def test_hessian_norm_decays_with_width(build):
    """T22 with a linear output: ||H_F(w0)|| = O~(1/sqrt width); 16x the width, clearly under half the norm."""
    X, y = _vectors(n=3, d=6)
    narrow, wide = build(X, y, 8), build(X, y, 128)
    assert wide.m > narrow._dense_max_m  # the wide one goes through Lanczos
    assert 0 < wide.hessian_norm(wide.w0) < narrow.hessian_norm(narrow.w0) / 2


# -- ReLU: first derivatives only --------------------------------------------------------------
@pytest.mark.parametrize("family", ["conv", "resnet"])
@pytest.mark.parametrize("kwargs,named", [({"activation": "relu"}, "activation='relu'"),
                                          ({"output": "relu"}, "output='relu'")])
def test_relu_has_jacobian_and_kernel_but_no_hessians(family, kwargs, named):
    if family == "conv":
        net = conv(*_signals(), [4, 3], kernel_size=3, **kwargs)
    else:
        net = resnet(*_vectors(), 5, 2, **kwargs)
    w = _point(net)
    J = net.jacobian(w)
    _close(J, _fd_jacobian(net, w), 1e-6)
    _close(net.kernel(w), J @ J.T, 1e-12)
    for call in (lambda: net.hessians(w), lambda: net.hessian_norm(w), lambda: net.hvp(w, w),
                 lambda: net.loss_hvp(w, w), lambda: net.loss_hessian(w), lambda: net.layer_hessian_norms(w)):
        with pytest.raises(InvalidArgument, match=named):
            call()


# -- layout and reproducibility --------------------------------------------------------------------
def test_layouts_and_flatten_roundtrip():
    net = conv(*_images(), [4, 5], kernel_size=3, dim=2, readout="flatten", rng=7)
    assert net.layer_shapes == ((4, 2, 3, 3), (5, 4, 3, 3), (1, 5, 4, 3))
    assert net.m == 72 + 180 + 60 and net.depth == 2 and net.spatial == (4, 3)
    # Without a channel axis, C_0 = 1: (n, H, W) for dim=2 and (n, length) for dim=1.
    assert conv(np.ones((3, 2, 5)), np.zeros(3), [4], kernel_size=3, dim=2).layer_shapes[0] == (4, 1, 3, 3)
    assert conv(np.ones((3, 5)), np.zeros(3), [4], kernel_size=3).spatial == (5,)
    res = resnet(*_vectors(d=4), 6, 3)
    assert res.layer_shapes == ((6, 4),) + ((6, 6),) * 3 + ((1, 6),) and res.m == 24 + 108 + 6
    for sys in (net, res):
        W = _point(sys, k=3)
        layers = sys.unflatten(W)
        assert [L.shape[1:] for L in layers] == list(sys.layer_shapes)
        np.testing.assert_array_equal(layers[1][2].ravel(), W[2, sys._offsets[1]:sys._offsets[2]])
        np.testing.assert_array_equal(sys.flatten(layers), W)
        np.testing.assert_array_equal(sys.flatten(sys.unflatten(sys.w0)), sys.w0)
        with pytest.raises(InvalidArgument, match=r"^w has shape \(3,\)"):
            sys.unflatten(np.zeros(3))
        with pytest.raises(InvalidArgument, match=r"^layers\[1\] has shape"):
            sys.flatten([layers[0], layers[0]] + layers[2:])
        with pytest.raises(InvalidArgument, match="no symbolic"):
            sys.outputs


def test_initialization_is_reproducible_per_seed():
    for make in (lambda s: conv(*_signals(), [3], kernel_size=3, rng=s), lambda s: resnet(*_vectors(), 4, 1, rng=s)):
        a, b, c = make(5), make(5), make(6)
        np.testing.assert_array_equal(a.w0, np.random.default_rng(5).standard_normal(a.m))
        np.testing.assert_array_equal(a.w0, b.w0)
        np.testing.assert_array_equal(a.kernel(a.w0), b.kernel(b.w0))
        assert a.seed == 5 and np.abs(a.w0 - c.w0).max() > 0.1


def test_width_family_redraws_the_template_at_each_width():
    X, y = _signals()
    template = conv(X, y, [3, 5], kernel_size=2, activation="sin", output="tanh", readout="flatten",
                    padding="zero", rng=9)
    members = width_family(template, [4, 8], rng=2)
    for width, net in zip([4, 8], members):
        assert net.channels == (width, width) and net.seed == 2
        assert (net.kernel_size, net.activation, net.output, net.readout, net.padding, net.dim) == \
            (2, "sin", "tanh", "flatten", "zero", 1)
        np.testing.assert_array_equal(net.X, template.X)
        np.testing.assert_array_equal(net.w0, np.random.default_rng(2).standard_normal(net.m))
    res = width_family(resnet(*_vectors(), 3, 2, residual_scale=0.5), [6], rng=0)[0]
    assert (res.width, res.depth, res.residual_scale) == (6, 2, 0.5)
    fc = width_family(network(*_vectors(), [3, 3], output="sigmoid"), [10])[0]
    assert fc.widths == (10, 10) and fc.output == "sigmoid"
    with pytest.raises(InvalidArgument, match=r"^template=.* must be a network, conv or resnet"):
        width_family("conv", [4])
    with pytest.raises(InvalidArgument, match=r"^widths\[1\]=0 must be an integer >= 1"):
        width_family(template, [4, 0])
    with pytest.raises(InvalidArgument, match=r"^widths=\[\] is empty"):
        width_family(template, [])
    with pytest.raises(InvalidArgument, match=r"^rng=-1 must be"):
        width_family(template, [4], rng=-1)


# -- bad inputs ------------------------------------------------------------------------------------
CONV_GOOD = dict(X=np.ones((3, 2, 5)), y=np.zeros(3), channels=[4], kernel_size=3)


@pytest.mark.parametrize("change,match", [
    ({"X": np.ones((3, 2, 5, 5, 5))}, r"^X has shape \(3, 2, 5, 5, 5\); it must have 2 or 3 dimension"),
    ({"X": np.ones((3, 0, 5))}, r"^X has shape \(3, 0, 5\)"),
    ({"X": np.full((3, 5), np.inf)}, r"^X contains inf"),
    ({"y": np.zeros(4)}, r"^y has shape \(4,\); it must have shape \(3,\)"),
    ({"channels": []}, r"^channels=\[\] is empty"),
    ({"channels": [4, 0]}, r"^channels\[1\]=0 must be an integer >= 1"),
    ({"channels": 4}, r"^channels=4 must be a non-empty list"),
    ({"kernel_size": 0}, r"^kernel_size=0 must be an integer >= 1"),
    ({"kernel_size": 2.0}, r"^kernel_size=2.0 must be an integer"),
    ({"dim": 3}, r"^dim=3 is not allowed; choose 1"),
    ({"activation": "foo"}, r"^activation='foo' is not allowed; choose one of 'tanh'"),
    ({"output": "foo"}, r"^output='foo' is not allowed; choose None"),
    ({"readout": "max"}, r"^readout='max' is not allowed; choose one of 'pool', 'flatten'"),
    ({"padding": "reflect"}, r"^padding='reflect' is not allowed; choose one of 'circular', 'zero'"),
    ({"rng": -1}, r"^rng=-1 must be a non-negative int"),
])
def test_conv_bad_inputs_name_the_argument(change, match):
    args = {**CONV_GOOD, **change}
    with pytest.raises(InvalidArgument, match=match):
        conv(args.pop("X"), args.pop("y"), args.pop("channels"), **args)


RES_GOOD = dict(X=np.ones((3, 2)), y=np.zeros(3), width=4, depth=2)


@pytest.mark.parametrize("change,match", [
    ({"X": np.ones(3)}, r"^X has shape \(3,\); it must have 2 dimension"),
    ({"X": np.ones((3, 0))}, r"^X has shape \(3, 0\)"),
    ({"y": np.zeros(2)}, r"^y has shape \(2,\)"),
    ({"width": 0}, r"^width=0 must be an integer >= 1"),
    ({"width": [4]}, r"^width=\[4\] must be an integer >= 1"),
    ({"depth": -1}, r"^depth=-1 must be an integer >= 0"),
    ({"activation": "foo"}, r"^activation='foo' is not allowed"),
    ({"output": 3}, r"^output=3 is not allowed; choose None"),
    ({"residual_scale": 0.0}, r"^residual_scale=0.0 must be a positive finite number"),
    ({"rng": True}, r"^rng=True must be a non-negative int"),
])
def test_resnet_bad_inputs_name_the_argument(change, match):
    args = {**RES_GOOD, **change}
    with pytest.raises(InvalidArgument, match=match):
        resnet(args.pop("X"), args.pop("y"), args.pop("width"), args.pop("depth"), **args)


def test_oversized_dense_hessians_are_refused():
    net = resnet(*_vectors(n=4), 64, 2)
    with pytest.raises(InvalidArgument, match=r"hvp.*hessian_norm"):
        net.hessians(net.w0)
