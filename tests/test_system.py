"""The System object against closed forms, central differences and sympy's own diff."""

import numpy as np
import pytest
import sympy

import plsym
from plsym.systems import from_callable, linear, product, sphere

RTOL_EXACT = 1e-12


def random_symbolic(seed, m=4, n=3):
    """A random smooth system mixing polynomials, tanh, exp and erf, with sparse dependence."""
    rng = np.random.default_rng(seed)
    w = sympy.symbols(f"w1:{m + 1}")
    funcs = [sympy.tanh, sympy.sin, lambda z: sympy.exp(z / 3), sympy.erf, lambda z: z**3 / 5]
    outs = []
    for i in range(n):
        used = rng.choice(m, size=rng.integers(1, m + 1), replace=False)
        terms = []
        for j in used:
            f = funcs[rng.integers(len(funcs))]
            c = sympy.Float(round(rng.normal(), 3))
            k = w[rng.integers(m)]
            terms.append(c * f(w[j] * sympy.Float(round(rng.normal(), 3))) * (1 + k**2) / 2)
        outs.append(sum(terms))
    return plsym.System(outs, list(w), rng.normal(size=n), name=f"random{seed}")


def central_jacobian(fn, w, h=1e-6):
    cols = []
    for j in range(w.size):
        e = np.zeros_like(w)
        e[j] = h
        cols.append((fn(w + e) - fn(w - e)) / (2 * h))
    return np.stack(cols, axis=-1)


def test_linear_kernel_is_A_At():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((4, 7))
    s = linear(A, rng.standard_normal(4))
    W = rng.standard_normal((5, 7))
    np.testing.assert_allclose(s.kernel(W), np.broadcast_to(A @ A.T, (5, 4, 4)), rtol=RTOL_EXACT)
    np.testing.assert_allclose(s.F(W), W @ A.T, rtol=RTOL_EXACT)
    assert np.all(s.hessian_norm(W) == 0)


def test_linear_symbolic_outputs_agree_with_numeric():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((2, 3))
    s = linear(A, [0.0, 1.0])
    sym = plsym.System(s.outputs, s.params, s.y)
    w = rng.standard_normal(3)
    np.testing.assert_allclose(sym.kernel(w), A @ A.T, rtol=1e-12)


def test_product_closed_forms():
    y = 2.9
    s = product(y)
    rng = np.random.default_rng(3)
    W = rng.standard_normal((20, 2)) * 3
    w1, w2 = W.T
    np.testing.assert_allclose(s.kernel(W)[:, 0, 0], w1**2 + w2**2, rtol=RTOL_EXACT)
    HL = np.stack([np.stack([w2**2, 2 * w1 * w2 - y], -1), np.stack([2 * w1 * w2 - y, w1**2], -1)], -2)
    np.testing.assert_allclose(s.loss_hessian(W), HL, rtol=RTOL_EXACT, atol=1e-14)
    np.testing.assert_allclose(s.hessian_norm(W), 1.0, rtol=RTOL_EXACT)
    assert s.w0.tolist() == [3.0, 1.0]


def test_sphere_hessian_and_pl_equality():
    s = sphere(4, 1.0)
    rng = np.random.default_rng(4)
    W = rng.standard_normal((10, 4))
    np.testing.assert_allclose(s.hessians(W), np.broadcast_to(2 * np.eye(4), (10, 1, 4, 4)), rtol=RTOL_EXACT)
    lam = s.kernel(W)[:, 0, 0]
    np.testing.assert_allclose(lam, 4 * np.sum(W**2, 1), rtol=RTOL_EXACT)
    g = s.grad(W)
    # X2: PL* holds with equality, 1/2 ||grad L||^2 = lambda_min(K) L
    np.testing.assert_allclose(0.5 * np.sum(g**2, 1), lam * s.loss(W), rtol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_gradient_identity_C1(seed):
    s = random_symbolic(seed)
    W = np.random.default_rng(seed).standard_normal((25, s.m))
    g, r, K = s.grad(W), s.residual(W), s.kernel(W)
    np.testing.assert_allclose(np.sum(g**2, 1), np.einsum("kn,knm,km->k", r, K, r), rtol=1e-12)
    np.testing.assert_allclose(g, np.einsum("kni,kn->ki", s.jacobian(W), r), rtol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_derivatives_match_central_differences(seed):
    s = random_symbolic(seed)
    w = np.random.default_rng(100 + seed).standard_normal(s.m)
    np.testing.assert_allclose(s.jacobian(w), central_jacobian(s.F, w), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s.hessians(w), central_jacobian(s.jacobian, w),
                               rtol=1e-6, atol=1e-7)
    H = s.hessians(w)
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))


@pytest.mark.parametrize("seed", range(4))
def test_derivatives_match_sympy_diff(seed):
    """Two formulations agree: plsym's structural derivative and sympy's own diff."""
    s = random_symbolic(seed, m=3, n=2)
    J = sympy.Matrix(s.outputs).jacobian(s.params)
    Hs = [sympy.hessian(f, s.params) for f in s.outputs]
    fJ = sympy.lambdify(s.params, J, modules=["scipy", "numpy"])
    fH = sympy.lambdify(s.params, Hs, modules=["scipy", "numpy"])
    for w in np.random.default_rng(seed).standard_normal((5, s.m)):
        np.testing.assert_allclose(s.jacobian(w), np.asarray(fJ(*w), dtype=float), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(s.hessians(w), np.asarray(fH(*w), dtype=float), rtol=1e-12, atol=1e-14)
    # the symbolic forms the user sees are in the user's own symbols
    assert s.jacobian_expr.free_symbols <= set(s.params)
    assert (s.jacobian_expr - J).subs(dict(zip(s.params, [0.3, -0.2, 0.7]))).norm() < 1e-12


def test_batch_and_single_agree():
    s = random_symbolic(7)
    W = np.random.default_rng(7).standard_normal((6, s.m))
    for name in ["F", "residual", "jacobian", "hessians", "kernel", "loss", "grad", "loss_hessian", "hessian_norm"]:
        fn = getattr(s, name)
        batch = fn(W)
        single = np.stack([fn(w) for w in W])
        np.testing.assert_allclose(batch, single, rtol=1e-14, err_msg=name)
    V = np.random.default_rng(8).standard_normal(W.shape)
    np.testing.assert_allclose(s.hvp(W, V), np.einsum("knij,kj->kni", s.hessians(W), V), rtol=1e-12)
    np.testing.assert_allclose(s.loss_hvp(W, V), np.einsum("kij,kj->ki", s.loss_hessian(W), V), rtol=1e-10)


def test_loss_hessian_decomposition_C8():
    s = random_symbolic(9)
    w = np.random.default_rng(9).standard_normal(s.m)
    J, r, H = s.jacobian(w), s.residual(w), s.hessians(w)
    np.testing.assert_allclose(s.loss_hessian(w), J.T @ J + np.einsum("n,nij->ij", r, H), rtol=1e-12)
    np.testing.assert_allclose(s.loss_hessian(w), central_jacobian(s.grad, w), rtol=1e-6, atol=1e-7)
    assert np.isclose(s.loss(w), 0.5 * np.sum(r**2), rtol=1e-14)


def test_symbolic_forms_and_loss():
    a, b = sympy.symbols("a b")
    s = plsym.System([a * b, a + b**2], [a, b], [1.0, 2.0])
    assert s.jacobian_expr == sympy.Matrix([[b, a], [1, 2 * b]])
    assert s.hessian_exprs[0] == sympy.Matrix([[0, 1], [1, 0]])
    assert s.hessian_exprs[1] == sympy.Matrix([[0, 0], [0, 2]])
    assert sympy.simplify(s.loss_expr - ((a * b - 1) ** 2 + (a + b**2 - 2) ** 2) / 2) == 0
    assert (s.m, s.n) == (2, 2) and s.params == (a, b)


def test_constant_output_and_output_without_some_params():
    a, b = sympy.symbols("a b")
    s = plsym.System([3, a**2], [a, b], [0.0, 0.0])
    W = np.array([[1.0, 5.0], [2.0, -1.0]])
    np.testing.assert_allclose(s.F(W), [[3, 1], [3, 4]])
    np.testing.assert_array_equal(s.jacobian(W)[:, 0], [[0, 0], [0, 0]])  # constant output
    np.testing.assert_allclose(s.jacobian(W)[:, 1], [[2, 0], [4, 0]])  # d(a^2)/da, and no b


def test_first_derivatives_through_abs_but_no_hessian():
    a, b = sympy.symbols("a b")
    s = plsym.System([sympy.Abs(a) * b], [a, b], [0.0])
    np.testing.assert_allclose(s.jacobian([-2.0, 3.0]), [[-3.0, 2.0]])
    with pytest.raises(plsym.InvalidArgument, match="Abs"):
        s.hessians([1.0, 1.0])


def test_from_callable_finite_differences_are_marked_and_accurate():
    F = lambda w: np.array([w[0] * w[1], np.sin(w[0]) + w[1] ** 3])
    s = from_callable(F, m=2, n=2, y=[1.0, 0.0])
    assert s.derivatives == {"jacobian": "finite-difference", "hessians": "finite-difference"}
    w = np.array([0.7, -1.2])
    exact_J = np.array([[w[1], w[0]], [np.cos(w[0]), 3 * w[1] ** 2]])
    np.testing.assert_allclose(s.jacobian(w), exact_J, rtol=1e-8)
    exact_H = np.array([[[0, 1], [1, 0]], [[-np.sin(w[0]), 0], [0, 6 * w[1]]]])
    np.testing.assert_allclose(s.hessians(w), exact_H, atol=1e-5)
    exact = from_callable(F, m=2, n=2, y=[1.0, 0.0], jacobian=lambda w: np.array([[w[1], w[0]], [np.cos(w[0]), 3 * w[1] ** 2]]))
    assert exact.derivatives == {"jacobian": "exact", "hessians": "finite-difference"}
    np.testing.assert_allclose(exact.hessians(w), exact_H, atol=1e-8)


def test_from_callable_batched_matches_pointwise():
    F1 = lambda w: np.array([w[0] ** 2 * w[1]])
    Fk = lambda W: (W[:, 0] ** 2 * W[:, 1])[:, None]
    a = from_callable(F1, m=2, n=1, y=[0.0])
    b = from_callable(Fk, m=2, n=1, y=[0.0], batched=True)
    W = np.random.default_rng(0).standard_normal((4, 2))
    np.testing.assert_allclose(a.kernel(W), b.kernel(W), rtol=1e-12)


def test_linear_forms_are_batched_into_one_product_and_agree_with_sympy():
    # a two-layer net written in sympy: its pre-activations (with a bias) are linear forms, which the
    # compiled evaluator computes as one matrix product and one tanh call; values agree with lambdify
    import re
    rng = np.random.default_rng(0)
    X = np.round(rng.standard_normal((5, 3)), 2)
    U = sympy.symbols("user_u0:12")
    v = sympy.symbols("user_v0:4")
    outs = [sum(v[r] * sympy.tanh((U[3 * r] * sympy.Rational(str(x[0])) + U[3 * r + 1] * sympy.Rational(str(x[1]))
                                  + U[3 * r + 2] * sympy.Rational(str(x[2])) + sympy.Rational(1, 3)) / sympy.sqrt(3))
                for r in range(4)) + sympy.exp(U[0] - 2 * U[5]) for x in X]
    params = list(U) + list(v)
    s = plsym.System(outs, params, np.zeros(5))
    source = s._values_fn.source
    assert source.count(" @ ") == 1 and source.count("numpy.tanh(") == 1
    assert not re.search(r"user_", source + s._jacobian_fn.source)
    W = rng.standard_normal((7, 16))
    want_F = np.array([sympy.lambdify(params, sympy.Matrix(outs), "numpy")(*w).ravel() for w in W])
    np.testing.assert_allclose(s.F(W), want_F, rtol=1e-13, atol=1e-14)
    Jf = sympy.lambdify(params, sympy.Matrix(outs).jacobian(params), "numpy")
    np.testing.assert_allclose(s.jacobian(W), np.array([Jf(*w) for w in W]), rtol=1e-12, atol=1e-14)
