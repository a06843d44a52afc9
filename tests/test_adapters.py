"""JAX and PyTorch adapters: the framework's autodiff against the hand-derived network of D8.

A two-layer tanh net in NTK parameterization, f = v^T tanh(U x / sqrt d) / sqrt m,
written in each framework with the weights of ``network(...).unflatten(w0)``,
must give the network system's F, DF, K, ||H_F||, H_{F_i} v (float64 both
sides; rtol 1e-6, where the observed agreement is ~1e-15 relative). Each test
skips when its framework is absent.
"""

import sys

import numpy as np
import pytest

import plsym
from plsym import InvalidArgument, certify, dynamics, estimate
from plsym.adapters import from_jax, from_torch
from plsym.systems.network import network

RTOL, ATOL = 1e-6, 1e-12


def _net(widths=(5,), n=4, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    return network(X, y, list(widths), rng=seed)


def _points(net, k=3, seed=1):
    rng = np.random.default_rng(seed)
    return net.w0 + 0.3 * rng.standard_normal((k, net.m)), rng.standard_normal((k, net.m))


def _jax_system(net):
    jnp = pytest.importorskip("jax.numpy")
    dims = net._dims

    def mlp(p, x):  # the D8 network, any depth, tanh hidden layers, linear output
        a = x
        for j in range(len(dims) - 1):
            h = p[f"W{j + 1}"] @ a / jnp.sqrt(float(dims[j]))
            a = jnp.tanh(h) if j < len(dims) - 2 else h
        return a[0]

    layers = net.unflatten(net.w0)
    return from_jax(mlp, {f"W{j + 1}": Wj for j, Wj in enumerate(layers)}, net.X, net.y, name="jax mlp")


def _torch_system(net):
    torch = pytest.importorskip("torch")
    dims = net._dims

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList(
                torch.nn.Linear(dims[j], dims[j + 1], bias=False) for j in range(len(dims) - 1))

        def forward(self, x):
            for j, layer in enumerate(self.layers):
                x = layer(x / dims[j] ** 0.5)
                if j < len(self.layers) - 1:
                    x = torch.tanh(x)
            return x

    model = MLP().double()
    with torch.no_grad():
        for layer, Wj in zip(model.layers, net.unflatten(net.w0)):
            layer.weight.copy_(torch.from_numpy(np.array(Wj)))
    return from_torch(model, net.X, net.y, name="torch mlp")


ADAPTERS = [pytest.param(_jax_system, id="jax"), pytest.param(_torch_system, id="torch")]


@pytest.mark.parametrize("build", ADAPTERS)
@pytest.mark.parametrize("widths", [(5,), (4, 3)])
def test_adapter_equals_network_system(build, widths):
    net = _net(widths)
    s = build(net)
    W, V = _points(net)
    assert (s.m, s.n) == (net.m, net.n)
    np.testing.assert_array_equal(s.w0, net.w0)
    assert s.derivatives == {"jacobian": "exact", "hessians": "exact"}
    for name in ("F", "jacobian", "kernel", "hessian_norm", "hessians", "loss_hessian_norm", "grad"):
        got, want = getattr(s, name)(W), getattr(net, name)(W)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=name)
    np.testing.assert_allclose(s.hvp(W, V), net.hvp(W, V), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(s.loss_hvp(W[0], V[0]), net.loss_hvp(W[0], V[0]), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(s.F(W[0]), net.F(W[0]), rtol=RTOL, atol=ATOL)  # single point: no k axis


@pytest.mark.parametrize("build", ADAPTERS)
def test_adapter_hessian_norm_lanczos_matches_dense(build, monkeypatch):
    net = _net()
    s = build(net)
    W, _ = _points(net, k=2)
    dense = s.hessian_norm(W)
    monkeypatch.setattr(plsym.adapters, "_DENSE_MAX_M", 1)
    np.testing.assert_allclose(s.hessian_norm(W), dense, rtol=1e-8)


@pytest.mark.parametrize("build", ADAPTERS)
def test_estimators_and_gd_run_on_adapters(build):
    net = _net()
    s = build(net)
    ball = plsym.Ball(net.w0, 0.5)
    got = estimate.kernel_min_eig(s, ball, samples=64, search=False, rng=0)
    want = estimate.kernel_min_eig(net, ball, samples=64, search=False, rng=0)
    assert got.derivatives == "exact"
    np.testing.assert_allclose(got.value, want.value, rtol=RTOL)
    tr, tr_net = dynamics.gd(s, eta=0.1, steps=20), dynamics.gd(net, eta=0.1, steps=20)
    np.testing.assert_allclose(tr.losses, tr_net.losses, rtol=RTOL)
    assert tr.losses[-1] < tr.losses[0]


@pytest.mark.parametrize("build", ADAPTERS)
def test_adapters_have_no_symbolic_form_so_certify_refuses(build):
    s = build(_net())
    with pytest.raises(InvalidArgument, match="no symbolic parameters"):
        s.params
    with pytest.raises(InvalidArgument, match="no symbolic outputs"):
        s.outputs
    for check in (certify.kernel_min_eig, certify.hessian_norm):
        b = check(s, plsym.Ball(s.w0, 0.1))
        assert not b.certified and b.value is None
        assert b.detail.startswith("not certified") and "no symbolic" in b.detail


def test_from_jax_flat_params_and_pytree_order():
    jnp = pytest.importorskip("jax.numpy")
    X = np.array([[1.0, 2.0], [0.5, -1.0], [0.0, 1.0]])
    s = from_jax(lambda w, x: w[0] * w[1] * x[0] + w[1] ** 2 * x[1], np.array([3.0, 1.0]), X, [1.0, 2.0, 3.0])
    w = np.array([3.0, 1.0])
    np.testing.assert_allclose(s.jacobian(w), np.stack([X[:, 0] * w[1], X[:, 0] * w[0] + 2 * w[1] * X[:, 1]], 1),
                               rtol=1e-14)
    np.testing.assert_allclose(s.hessians(w), [[[0, x0], [x0, 2 * x1]] for x0, x1 in X], rtol=1e-14)
    assert jnp.zeros(1).dtype == jnp.float32  # the user's global JAX config is untouched


def test_from_jax_bad_inputs():
    pytest.importorskip("jax")
    X = np.eye(2)
    with pytest.raises(InvalidArgument, match="f=3 must be callable"):
        from_jax(3, np.ones(2), X, [0.0, 0.0])
    with pytest.raises(InvalidArgument, match="must return a scalar"):
        from_jax(lambda p, x: p * x, np.ones(2), X, [0.0, 0.0])
    with pytest.raises(InvalidArgument, match="y has shape"):
        from_jax(lambda p, x: p @ x, np.ones(2), X, [0.0, 0.0, 1.0])
    with pytest.raises(InvalidArgument, match="X contains nan"):
        from_jax(lambda p, x: p @ x, np.ones(2), [[np.nan, 0.0], [0.0, 1.0]], [0.0, 0.0])


def test_from_torch_bad_inputs():
    torch = pytest.importorskip("torch")
    X = np.eye(2)
    with pytest.raises(InvalidArgument, match="must be a torch.nn.Module"):
        from_torch(lambda x: x, X, [0.0, 0.0])
    with pytest.raises(InvalidArgument, match="one scalar per row"):
        from_torch(torch.nn.Linear(2, 2).double(), X, [0.0, 0.0])
    with pytest.raises(InvalidArgument, match="has no parameters"):
        from_torch(torch.nn.Tanh(), X, [0.0, 0.0])


def test_torch_model_is_not_modified_and_float32_is_upcast():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))  # float32
    before = [p.detach().clone() for p in model.parameters()]
    s = from_torch(model, np.eye(2), [1.0, 0.0])
    assert s.m == 13 and s.w0.dtype == np.float64
    dynamics.gd(s, eta=0.1, steps=3)
    assert all(torch.equal(a, b) and b.dtype == torch.float32 for a, b in zip(before, model.parameters()))
    with torch.no_grad():  # float64 evaluation of float32 weights equals the model's output up to float32 rounding
        want = model(torch.eye(2)).reshape(-1).numpy()
    np.testing.assert_allclose(s.F(s.w0), want, rtol=1e-6)


@pytest.mark.parametrize("module, extra, call", [
    ("jax", "jax", lambda: from_jax(lambda p, x: p @ x, np.ones(2), np.eye(2), [0.0, 0.0])),
    ("torch", "torch", lambda: from_torch(None, np.eye(2), [0.0, 0.0])),
])
def test_missing_framework_names_the_extra(monkeypatch, module, extra, call):
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    with pytest.raises(ImportError, match=rf'pip install "plsym\[{extra}\]"'):
        call()
