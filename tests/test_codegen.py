"""The generated batched evaluators of F, DF and H_F against sympy's lambdify on random points."""

import re

import numpy as np
import pytest
import sympy

import plsym

RTOL = 1e-13


def reference(params, outputs, W, hessians):
    """F, DF and (with ``hessians``) the per-output Hessians from sympy's derivatives and lambdify."""
    n = len(outputs)
    F = sympy.lambdify(params, sympy.Matrix(outputs), ["scipy", "numpy"])
    J = sympy.lambdify(params, sympy.Matrix(outputs).jacobian(params), ["scipy", "numpy"])
    got = [np.array([np.broadcast_to(np.asarray(F(*w), float).ravel(), (n,)) for w in W]),
           np.array([np.asarray(J(*w), float) for w in W])]
    if hessians:
        H = [sympy.lambdify(params, sympy.hessian(f, params), ["scipy", "numpy"]) for f in outputs]
        got.append(np.array([[np.asarray(h(*w), float) for h in H] for w in W]))
    return got


def assert_agrees(params, outputs, W, hessians=True):
    s = plsym.System(outputs, params, np.zeros(len(outputs)))
    want = reference(params, outputs, W, hessians)
    got = [s.F(W), s.jacobian(W)] + ([s.hessians(W)] if hessians else [])
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=RTOL * max(1.0, np.abs(w).max()))
    return s


def two_layer_data(n, d, seed):
    """The inputs of :func:`two_layer`: rounded to two decimals, so that the sympy outputs are exact."""
    return np.round(np.random.default_rng(seed).standard_normal((n, d)), 2)


def two_layer(width, n, d, sigma, *, bias=False, seed=0):
    X = two_layer_data(n, d, seed)
    U = [[sympy.Symbol(f"u{r}_{j}") for j in range(d)] for r in range(width)]
    b = [sympy.Symbol(f"b{r}") for r in range(width)]
    v = [sympy.Symbol(f"v{r}") for r in range(width)]
    outs = [sympy.Add(*[v[r] * sigma(sympy.Add(*[U[r][j] * sympy.Rational(str(x[j])) for j in range(d)])
                                     / sympy.sqrt(d) + (b[r] if bias else 0)) for r in range(width)])
            / sympy.sqrt(width) for x in X]
    return [p for row in U for p in row] + (b if bias else []) + v, outs


@pytest.mark.parametrize("sigma", [sympy.tanh, lambda z: z + z**3 / 3, lambda z: sympy.exp(-z**2)])
def test_two_layer_networks(sigma):
    # many outputs of the same shape: the nodes are computed by groups, read by broadcasting and summed
    # over consecutive rows
    params, outs = two_layer(5, 4, 3, sigma, bias=True)
    W = 0.5 * np.random.default_rng(1).standard_normal((7, len(params)))
    assert_agrees(params, outs, W)


def test_parameters_in_any_order_and_a_single_point():
    params, outs = two_layer(4, 3, 2, sympy.tanh)
    order = np.random.default_rng(2).permutation(len(params))
    shuffled = [params[j] for j in order]
    W = 0.5 * np.random.default_rng(3).standard_normal((5, len(params)))
    s = assert_agrees(shuffled, outs, W)
    np.testing.assert_allclose(s.jacobian(W[2]), s.jacobian(W)[2], rtol=1e-14, atol=1e-15)


def test_mixed_terms_constants_repeated_factors_and_unused_parameters():
    x, y, z, w = sympy.symbols("x y z w")
    outs = [
        # many terms of mixed shapes: products of 1, 2 and 3 factors, functions, powers and a constant
        3 * x + x * y - 2 * x * y * z + sympy.tanh(x - y) + sympy.exp(z) * sympy.sin(y) + x**2 * y + 7,
        sympy.Integer(5),  # a constant output
        x * x * x * y * y + (x * y)**3 + x**4,  # repeated factors and powers
        sympy.atan(x) / (1 + y**2) + sympy.sqrt(2 + x**2) + x**sympy.Rational(3, 2),  # no z nor w
        x,  # a parameter itself
        sympy.erf(x + 2 * y - z) * sympy.tanh(x + 2 * y - z) + sympy.log(1 + (x + 2 * y - z)**2),  # shared form
    ]
    W = np.random.default_rng(4).uniform(0.2, 1.5, (6, 4))
    assert_agrees([x, y, z, w], outs, W)


def test_outputs_mixing_functions_share_their_subexpressions():
    p = sympy.symbols("p0:5")
    a = sympy.tanh(p[0] + p[1] - p[2])
    b = sympy.cos(p[3] * p[4]) + p[0]**2
    outs = [a * b, a + b, a**2 * b**3, sympy.exp(a) - sympy.sin(b), (a + b + p[2])**2 * p[1]]
    W = np.random.default_rng(5).uniform(-1, 1, (9, 5))
    assert_agrees(list(p), outs, W)


def test_non_smooth_outputs_have_their_first_derivatives():
    x, y = sympy.symbols("x y", real=True)
    outs = [sympy.Abs(x - 0.3) * y, sympy.Piecewise((x**2, x > 0.1), (y, True)) + y**2, x * y]
    W = np.random.default_rng(6).uniform(-1, 1, (8, 2))
    assert_agrees([x, y], outs, W, hessians=False)


def test_linear_forms_of_a_layer_are_one_batched_product():
    # the pre-activations u_r . x_i / sqrt(d) form one block per neuron r (some data entries are 0, so
    # some forms miss a parameter of their block)
    params, outs = two_layer(15, 8, 3, sympy.sin, seed=7)
    s = plsym.System(outs, params, np.zeros(8))
    assert "numpy.matmul(" in s._values_fn.source
    W = 0.5 * np.random.default_rng(8).standard_normal((4, len(params)))
    F = sympy.lambdify(params, sympy.Matrix(outs), "numpy")
    np.testing.assert_allclose(s.F(W), np.array([F(*w).ravel() for w in W]), rtol=RTOL, atol=RTOL)


def test_wide_scattered_linear_forms_use_a_sparse_product():
    # 120 forms in 60 parameters, 3 nonzero coefficients each, in no block structure: a sparse product
    rng = np.random.default_rng(11)
    p = sympy.symbols("p0:60")
    outs = [sympy.sin(sympy.Add(*[sympy.Rational(int(rng.integers(1, 9)), 7) * p[j]
                                  for j in rng.choice(60, 3, replace=False)])) for _ in range(120)]
    s = plsym.System(outs, list(p), np.zeros(120))
    assert " @ V[:60]" in s._values_fn.source
    W = rng.standard_normal((4, 60))
    F = sympy.lambdify(p, sympy.Matrix(outs), "numpy")
    np.testing.assert_allclose(s.F(W), np.array([F(*w).ravel() for w in W]), rtol=RTOL, atol=RTOL)


def test_repeated_calls_and_changing_numbers_of_points():
    params, outs = two_layer(3, 2, 2, sympy.tanh)
    s = plsym.System(outs, params, np.zeros(2))
    rng = np.random.default_rng(9)
    for k in (5, 5, 1, 12, 5):
        W = rng.standard_normal((k, len(params)))
        want = np.array([s.jacobian(w) for w in W])
        np.testing.assert_allclose(s.jacobian(W), want, rtol=1e-14, atol=1e-15)


def test_results_kept_by_the_caller_are_never_overwritten():
    # an evaluator reuses its output only once nothing refers to it any more
    params, outs = two_layer(3, 2, 2, sympy.tanh)
    s = plsym.System(outs, params, np.zeros(2))
    rng = np.random.default_rng(10)
    W1, W2 = rng.standard_normal((2, 4, len(params)))
    J1, H1, row = s.jacobian(W1), s.hessians(W1), s.jacobian(W1)[1]
    kept = [J1.copy(), H1.copy(), row.copy()]
    for _ in range(3):
        J2, H2 = s.jacobian(W2), s.hessians(W2)
        del J2, H2
    np.testing.assert_array_equal(J1, kept[0])
    np.testing.assert_array_equal(H1, kept[1])
    np.testing.assert_array_equal(row, kept[2])
    np.testing.assert_allclose(s.jacobian(W2), [s.jacobian(w) for w in W2], rtol=1e-14, atol=1e-15)


def test_polynomials_in_one_node():
    # sums of powers of one node are evaluated by Horner's rule, whatever their degrees and constants
    x, y = sympy.symbols("x y")
    t = sympy.tanh(x - 2 * y)
    outs = [2 + t - 3 * t**2 + t**4 / 5, t**3 / 3 + t, 1 - x**2 + x**3, sympy.sin(y) * (y + y**2), t**2 + t]
    s = assert_agrees([x, y], outs, np.random.default_rng(12).uniform(-1.5, 1.5, (7, 2)))
    assert "numpy.tanh(" in s._values_fn.source


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_linear_forms_read_the_points_in_place_in_any_memory_layout(layout):
    # a layer's pre-activations (a batched product) and a dense set of forms (one product) read W itself;
    # only the parameters read elsewhere are copied
    params, outs = two_layer(6, 5, 3, sympy.tanh, seed=13)
    x, y, z = sympy.symbols("x y z")
    dense = [sympy.sin(x + 2 * y - z / 3), sympy.cos(x - y + z), sympy.exp(x / 5 + y / 7 + z)]
    rng = np.random.default_rng(14)
    W = 0.5 * rng.standard_normal((6, len(params)))
    W3 = rng.standard_normal((6, 3))
    if layout == "F":
        W, W3 = np.asfortranarray(W), np.asfortranarray(W3)
    elif layout == "strided":
        W = np.repeat(W, 2, axis=1)[:, ::2]
        W3 = np.repeat(W3, 3, axis=0)[::3]
    s = assert_agrees(params, outs, W)
    assert "numpy.matmul(W[:, 0:18].reshape(-1, 6, 3)" in s._values_fn.source
    assert "W[:, 0:18].T" not in s._values_fn.source and "V[18:24] = W[:, 18:24].T" in s._values_fn.source
    s = assert_agrees([x, y, z], dense, W3)
    assert "_C0 @ W.T" in s._values_fn.source and "W[:, " not in s._values_fn.source


def test_sums_of_products_are_one_einsum():
    # sum_r a * b over a product group read only by the sums: the factors read as a block per sum term
    # ('rk'), one row per sum ('ik'), one row ('k') or all rows ('irk'); the products are never stored
    p, q, c = sympy.symbols("p0:4"), sympy.symbols("q0:5"), sympy.Symbol("c")
    t = sympy.tanh(c)
    systems = {
        "ik": [sympy.Add(*[sympy.exp(p[i]) * sympy.cos(q[r] * p[i]) for r in range(5)]) for i in range(4)],
        "k": [sympy.Add(*[t * sympy.sin(q[r] - 2 * p[i]) for r in range(5)]) / 3 for i in range(4)],
        "rk": [sympy.Add(*[sympy.sin(q[r]) * sympy.cos(q[r] + p[i]) for r in range(5)]) for i in range(4)],
    }
    params = list(p) + list(q) + [c]
    W = np.random.default_rng(15).uniform(-1, 1, (5, len(params)))
    for pattern, outs in systems.items():
        s = assert_agrees(params, outs, W)
        src = s._values_fn.source
        assert f"'{pattern},irk->ik'" in src or f"'irk,{pattern}->ik'" in src, src
    params, outs = two_layer(5, 4, 3, sympy.tanh)
    s = assert_agrees(params, outs, 0.5 * np.random.default_rng(1).standard_normal((7, len(params))))
    assert "numpy.einsum('rk,irk->ik', " in s._values_fn.source
    assert "numpy.add.reduce" not in s._values_fn.source


def test_random_sums_of_products_against_lambdify():
    # sums of products of random functions of random parameters: whichever order the factors come in
    rng = np.random.default_rng(16)
    p = sympy.symbols("p0:6")
    funcs = [sympy.sin, sympy.cos, sympy.tanh, sympy.exp]
    taken = 0
    for trial in range(6):
        a = [funcs[int(rng.integers(4))](p[int(rng.integers(6))] * int(rng.integers(1, 4))) for _ in range(4)]
        b = [funcs[int(rng.integers(4))](p[int(rng.integers(6))] - int(rng.integers(1, 4))) for _ in range(3)]
        outs = [sympy.Add(*[a[(i + r * trial) % 4] * b[r] for r in range(3)]) for i in range(4)]
        W = rng.uniform(-1, 1, (4, 6))
        s = assert_agrees(list(p), outs, W)
        taken += "numpy.einsum(" in s._values_fn.source
    assert taken >= 3


@pytest.mark.parametrize("seed", range(4))
def test_outputs_are_copied_by_blocks_wherever_they_go(seed):
    # one group of rows copied to evenly spaced runs of positions (as slices of out), the rest scattered
    # (from a slice of rows when they are consecutive); with and without the transposed copies of a
    # symmetric output
    from plsym._compile import Compiled
    rng = np.random.default_rng(seed)
    p = sympy.symbols("p0:3")
    shape = (3, 5, 5)
    cells = [(i, j, k) for i in range(3) for j in range(5) for k in range(j, 5)]
    runs = [(i, 0, k) for i in range(3) for k in range(1, 5)]  # 3 runs of 4 positions, 25 apart
    rest = [c for c in cells if c not in runs]
    some = [rest[q] for q in rng.choice(len(rest), 20, replace=False)]
    chosen = some[:seed * 3] + runs + some[seed * 3:]
    exprs = [sympy.sin(sympy.Integer(q + 2) * p[q % 3]) for q in range(len(chosen))]
    exprs[-1] = sympy.Integer(2)  # a constant
    exprs[-2] = exprs[len(chosen) // 2]  # the same row at two places
    W = rng.uniform(-1, 1, (4, 3))
    for symmetric in (False, True):
        c = Compiled(list(p), exprs, shape, tuple(np.array(chosen).T), symmetric=symmetric)
        assert "_out.reshape(3, 25, -1)[0:3, 1:5] = V[" in c.source, c.source
        assert re.search(r"_out\[_i\d+\] = V\[\d+:\d+\]", c.source), c.source  # consecutive rows, scattered
        want = np.zeros((4,) + shape)
        f = sympy.lambdify(p, exprs, "numpy")
        for t, w in enumerate(W):
            for (i, j, k), v in zip(chosen, f(*w)):
                want[t, i, j, k] = v
                if symmetric:
                    want[t, i, k, j] = v
        np.testing.assert_allclose(c(W), want, rtol=1e-15, atol=0)
        np.testing.assert_allclose(c(W[:1]), want[:1], rtol=1e-15, atol=0)


def test_polynomials_in_a_linear_form_are_made_monic():
    # a polynomial in a linear form read by nothing else: the form is scaled so that the leading
    # coefficient is 1 (odd degrees of either sign, even degrees of positive sign), whatever the others
    x, y, z = sympy.symbols("x y z")
    rng = np.random.default_rng(17)
    W = rng.uniform(-1.5, 1.5, (6, 3))
    cases = [
        (lambda u: u**3 / 3 + sympy.sqrt(2) * u, True), (lambda u: -2 * u**3 + u**2 / 7 - 3, True),
        (lambda u: 5 * u**2 + sympy.sqrt(3) * u, True), (lambda u: u**4 / 9 - u**2 + 2, True),
        (lambda u: 3 * u**4 + u**3, True),
        (lambda u: -u**2 / 4 + sympy.sqrt(2) * u, False),  # an even degree, a negative leading coefficient
    ]
    for poly, monic in cases:
        outs = [poly(sympy.Rational(int(rng.integers(1, 9)), 7) * x - y / 3 + sympy.Rational(1, 5) * z + q)
                for q in range(4)]
        s = assert_agrees([x, y, z], outs, W)
        src = s._values_fn.source
        rows = re.search(r"V\[(\d+:\d+)\] = _C0 @ W\.T", src).group(1)  # the forms, then Horner's first step
        step = re.search(rf"numpy\.(multiply|add)\(V\[{rows}\], ([^,]+), out=V\[(?!{rows})", src)
        assert (step.group(2) == f"V[{rows}]" or step.group(1) == "add") == monic, src
    params, outs = two_layer(5, 4, 3, lambda u: u + u**3 / 3)
    s = assert_agrees(params, outs, 0.5 * np.random.default_rng(18).standard_normal((5, len(params))))
    src = s._values_fn.source
    assert re.search(r"numpy\.multiply\(V\[(\d+:\d+)\], V\[\1\], out=", src), src  # x'^2, then + a_1, times x'
    assert src.count("numpy.multiply(") == 3 and src.count("numpy.add(") == 1, src  # and the final scale


@pytest.mark.parametrize("sigma", [sympy.tanh, lambda z: z + z**3 / 3])
def test_constant_factors_of_outputs_are_applied_by_the_copy(sigma):
    # outputs read by nothing else and copied once by a block: their constant factors (a column of them
    # or one number) multiply on the way into out, in F (a sum's factor) as in DF; the derivatives in
    # u_rj, v_r * sigma'(z_ir) * x_ij / sqrt(d) / 2, differ only by a constant for j = 0, 1, 2: the product
    # is computed once per (i, r) and read three times by the copy (for the cubic, sigma' = a_ij + b_ij z^2
    # is shared as a_ij (1 + (b_ij / a_ij) z^2))
    params, outs = two_layer(4, 5, 3, sigma, seed=19)  # 1 / sqrt(4): a rational, a coefficient of the sum
    s = assert_agrees(params, outs, 0.5 * np.random.default_rng(20).standard_normal((6, len(params))))
    assert re.search(r"numpy\.multiply\(V\[\d+:\d+\], [0-9.]+, out=_out\[0:5\]\)", s._values_fn.source)
    src = s._jacobian_fn.source
    assert re.search(r"numpy\.multiply\(V\[\d+:\d+\]\.reshape\(5, 4, 1, -1\), _k\d+\.reshape\(5, 4, 3, 1\), "
                     r"out=_split\(_out\.reshape\(5, 16, -1\)\[0:5, 0:12\], \(5, 4, 3, -1\)\)\)", src), src
    assert re.search(r"numpy\.multiply\(V\[\d+:\d+\]\.reshape\(5, 4, -1\), 0\.5, "
                     r"out=_out\.reshape\(5, 16, -1\)\[0:5, 12:16\]\)", src), src
    assert not re.search(r"V\[\d+:\d+\]\.reshape\(\d+, 3, -1\)", src), src  # nothing computed per (i, r, j)


def test_products_shared_by_scaled_outputs_in_any_order():
    # outputs k * P_a, each product P_a for two outputs, in a scrambled order: each product is computed
    # once and the copy into out gathers them
    x, y = sympy.symbols("x y")
    P = [sympy.sin(x + a) * sympy.cos(y - 2 * a) for a in range(1, 5)]
    order = [2, 0, 3, 1, 1, 3, 0, 2]
    outs = [sympy.Integer(q + 2) * P[a] for q, a in enumerate(order)]
    W = np.random.default_rng(22).uniform(-1, 1, (5, 2))
    s = assert_agrees([x, y], outs, W)
    src = s._values_fn.source
    assert re.search(r"numpy\.multiply\(V\[_i\d+\], _k\d+\.reshape\(8, 1\), out=_out\[0:8\]\)", src), src
    assert src.count("numpy.multiply(") == 2, src  # the 4 products, then the copy scaling the 8 outputs


def test_polynomials_with_extreme_coefficients_stay_as_they_are():
    # scaling the form by c with c^3 = 1e-300 would take the other coefficients out of range: not monic
    x, y = sympy.symbols("x y")
    u = x / 3 - 2 * y
    outs = [sympy.Float(1e-300) * u**3 + sympy.Float(1e300) * u**2 + u * sympy.sqrt(2), sympy.sin(x)]
    W = np.random.default_rng(21).uniform(-1, 1, (5, 2))
    s = assert_agrees([x, y], outs, W, hessians=False)
    assert "1e-300" in s._values_fn.source


def test_sums_shared_up_to_a_factor_only_for_moderate_factors():
    # b_j + c_j t with c_j / b_j the same: b_j (1 + (c_j / b_j) t) computed once per t when b_j is moderate;
    # with b_j = 1e-200 the sums stay as they are (1 + 1e200 t would overflow long before c_j t + b_j)
    x, y = sympy.symbols("x y")
    t = sympy.sin(x - y)
    W = np.random.default_rng(23).uniform(-1, 1, (5, 2))
    for b, shared in ((sympy.Rational(3, 7), True), (sympy.Float(1e-200), False)):
        outs = [y * (b * q + b * q * 5 * t) for q in (1, 2, 3)] + [x * (b * q + b * q * 5 * t) for q in (4, 5)]
        s = assert_agrees([x, y], outs, W, hessians=False)
        src = s._values_fn.source
        assert ("numpy.add(V[" in src and ", 1.0, out=" in src) == shared, src


def test_a_constant_plus_or_minus_a_node_is_one_pass():
    # b - t and b + t over a group: numpy.subtract(b, t) / numpy.add(b, t); mixed signs: scaled, then added
    x, y = sympy.symbols("x y")
    W = np.random.default_rng(24).uniform(-1, 1, (5, 2))
    cases = {"subtract": [2 - sympy.sin(x), 3 - sympy.sin(y), sympy.Rational(1, 3) - sympy.sin(x + y)],
             "add": [2 + sympy.sin(x), 3 + sympy.sin(y)],
             "mixed": [2 + sympy.sin(x), 3 - sympy.sin(y)]}
    for op, outs in cases.items():
        src = assert_agrees([x, y], outs, W)._values_fn.source
        one_pass = re.search(r"numpy\.(add|subtract)\((_k\d+|[0-9.]+), V\[", src)
        assert (one_pass.group(1) if one_pass else "mixed") == op, src


def test_equal_products_written_apart_are_computed_once():
    # (x*y)*sin(x) and x*(y*sin(x)) flatten to the same factors: one product, read at both places
    x, y = sympy.symbols("x y")
    a = sympy.Mul(sympy.Mul(x, y, evaluate=False), sympy.sin(x), evaluate=False)
    b = sympy.Mul(x, sympy.Mul(y, sympy.sin(x), evaluate=False), evaluate=False)
    outs = [a + sympy.cos(y), b * 3 + sympy.cos(x), 2 * a]
    W = np.random.default_rng(25).uniform(-1, 1, (5, 2))
    s = assert_agrees([x, y], outs, W)
    out = re.search(r"numpy\.multiply\(V\[0:1\], V\[1:2\], out=V\[(\d+):(\d+)\]\)", s._values_fn.source)
    assert out and int(out.group(2)) - int(out.group(1)) == 1, s._values_fn.source  # x * y, once


def test_many_shared_sums_and_products_together():
    # several groups of sums equal up to a factor, several products shared by scaled outputs, in F, DF
    # and H_F at once (the nodes made for them never take each other's place)
    x, y, z = sympy.symbols("x y z")
    t, u = sympy.tanh(x - y), sympy.sin(y + 2 * z)
    outs = [f * (b * q + b * q * r * g) for q in (1, 2, 3)
            for f, b, r, g in ((y, sympy.Rational(3, 7), 5, t), (x, sympy.Rational(2, 9), 7, u), (z, 1, 3, t * u))]
    W = np.random.default_rng(26).uniform(-1, 1, (4, 3))
    assert_agrees([x, y, z], outs, W)


@pytest.mark.parametrize("activation", ["tanh", "cubic"])
def test_two_layer_networks_agree_with_jax_autodiff(activation):
    # the systems the benchmark races against JAX (4 and 16 parameters here): F, DF and the per-output Hessians
    # of the generated code against jit(vmap(...)) of jax.jacrev and jax.hessian, to 1e-12
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp
    x64 = getattr(jax, "enable_x64", None)
    if x64 is None:
        from jax.experimental import enable_x64 as x64
    sigma = {"tanh": (sympy.tanh, jnp.tanh), "cubic": (lambda z: z + z**3 / 3, lambda z: z + z**3 / 3)}[activation]
    for width in (1, 4):
        params, outs = two_layer(width, 8, 3, sigma[0], seed=width)
        s = plsym.System(outs, params, np.zeros(8))
        X = two_layer_data(8, 3, seed=width)
        W = 0.5 * np.random.default_rng(2).standard_normal((50, s.m))

        def f(w, width=width, X=X):
            U, v = w[:3 * width].reshape(width, 3), w[3 * width:]
            return sigma[1](X @ U.T / np.sqrt(3)) @ v / np.sqrt(width)

        with x64(True):
            Wj = jnp.asarray(W, dtype=jnp.float64)
            want = [np.asarray(jax.jit(jax.vmap(g))(Wj)) for g in (f, jax.jacrev(f), jax.hessian(f))]
        for got, ref in zip((s.F(W), s.jacobian(W), s.hessians(W)), want, strict=True):
            assert got.shape == ref.shape and ref.dtype == np.float64
            np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
