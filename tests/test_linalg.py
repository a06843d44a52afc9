"""plsym._linalg: the batched Lanczos against dense eigenvalues, and the lower-bound property."""

import numpy as np
import pytest

from plsym._linalg import abs_max_eig, batched_top_eig


def _operators(rng, k=8, m=60):
    A = rng.standard_normal((k, m, m))
    A = A + np.swapaxes(A, 1, 2)
    A[1] = 0.0  # the zero operator
    A[2] = np.diag(np.r_[np.ones(m - 1), -1.0000001])  # the top two moduli differ by 1e-7
    A[3] = np.outer(np.ones(m), np.ones(m))  # rank one: the Krylov space is invariant after one step
    A[4] = np.diag(np.linspace(-1.0, 1.0, m)) * 1e-200  # squares underflow
    A[5] = np.diag(rng.standard_normal(m) ** 3) * 1e100  # squares overflow
    A[6] = -np.eye(m)  # negative definite: the signed value is -1
    return A


@pytest.mark.parametrize("vectors", [True, False])
def test_batched_lanczos_matches_dense_eigenvalues(vectors):
    A = _operators(np.random.default_rng(3))
    k, m = A.shape[:2]
    lam, Q = batched_top_eig(lambda V, rows: np.einsum("pij,pj->pi", A[rows], V), k, m, vectors=vectors)
    for p in range(k):
        ev = np.linalg.eigvalsh(A[p])
        top = np.abs(ev).max()
        # a Ritz value: never above the norm (beyond rounding), and converged to it here
        assert abs(lam[p]) <= top * (1 + 1e-13)
        assert abs(lam[p]) == pytest.approx(top, rel=1e-12, abs=0.0)
        if top > 0:
            assert lam[p] in (pytest.approx(ev[0], rel=1e-12), pytest.approx(ev[-1], rel=1e-12))
        if vectors:
            assert np.linalg.norm(Q[p]) == pytest.approx(1.0, rel=1e-12)
            assert np.linalg.norm(A[p] @ Q[p] - lam[p] * Q[p]) <= 1e-7 * max(top, 1e-300)
    assert lam[6] == pytest.approx(-1.0, rel=1e-14)
    assert (Q is None) == (not vectors)


def test_batched_lanczos_agrees_with_arpack_and_stays_below_the_norm_when_stopped_early():
    rng = np.random.default_rng(5)
    A = _operators(rng, k=8, m=80)[[0, 2, 5, 7]]
    mv = lambda V, rows: np.einsum("pij,pj->pi", A[rows], V)
    lam, _ = batched_top_eig(mv, 4, 80, vectors=False)
    for p in range(4):
        assert abs(lam[p]) == pytest.approx(abs_max_eig(lambda x: A[p] @ x, 80), rel=1e-10)
    # three steps only: far from converged on a random matrix, still a lower bound of every norm
    early, _ = batched_top_eig(mv, 4, 80, max_steps=3, vectors=False)
    norms = np.array([np.abs(np.linalg.eigvalsh(a)).max() for a in A])
    assert np.all(np.abs(early) <= norms * (1 + 1e-13))
    assert np.abs(early[0]) < norms[0] * (1 - 1e-3)  # the early stop shows (the check above could fail)


def test_norms_stop_at_a_looser_residual_yet_keep_the_value_to_rounding():
    """Without vectors the default residual bound is RITZ_VALUE_TOL (1e-7 of the value): fewer steps than
    LANCZOS_TOL's 1e-10, and on spectra with a gap (relative gaps 1e-3 to 0.5 here) the value still agrees
    with the dense one to 1e-12, its error being about the residual squared over the gap."""
    from plsym._linalg import LANCZOS_TOL, RITZ_VALUE_TOL

    assert RITZ_VALUE_TOL > LANCZOS_TOL
    rng = np.random.default_rng(11)
    m, k = 600, 6
    Q = np.linalg.qr(rng.standard_normal((m, m)))[0]
    spectra = []
    for gap in (0.5, 0.1, 0.03, 0.01, 3e-3, 1e-3):  # a top eigenvalue (of either sign) above a decaying bulk
        bulk = rng.uniform(-1.0, 1.0, m - 1) * rng.random(m - 1) ** 4 * (1 - gap)
        spectra.append(np.r_[(-1.0) ** len(spectra), bulk])
    A = np.stack([(Q * s) @ Q.T for s in spectra])
    steps = []

    def mv(V, rows):
        steps.append(len(rows))
        return np.einsum("pij,pj->pi", A[rows], V)
    lam, _ = batched_top_eig(mv, k, m, vectors=False)
    loose = sum(steps)
    steps.clear()
    tight, _ = batched_top_eig(mv, k, m, vectors=False, tol=LANCZOS_TOL)
    assert sum(steps) >= 1.15 * loose  # 208 row-steps against 160 here
    want = np.array([s[0] for s in spectra])
    np.testing.assert_allclose(lam, want, rtol=1e-12)
    np.testing.assert_allclose(tight, want, rtol=1e-12)


@pytest.mark.parametrize("vectors", [True, False])
def test_chunks_give_the_same_values_and_bound_the_batch(vectors):
    A = _operators(np.random.default_rng(7), k=8, m=40)[:6]
    asked = []

    def mv(V, rows):
        asked.append(len(rows))
        return np.einsum("pij,pj->pi", A[rows], V)
    whole, _ = batched_top_eig(mv, 6, 40, vectors=vectors)
    assert max(asked) == 6
    asked.clear()
    chunked, _ = batched_top_eig(mv, 6, 40, vectors=vectors, max_floats=40 * (64 if vectors else 4))  # one per chunk
    assert max(asked) == 1
    np.testing.assert_allclose(np.abs(chunked), np.abs(whole), rtol=1e-12)


def _dense_extreme(a, b):
    from plsym._linalg import _tridiagonal

    theta, S = np.linalg.eigh(_tridiagonal(a[None], b[None])[0])
    best = int(np.argmax(np.abs(theta)))
    return theta[best], S[:, best]


def test_the_ritz_pair_of_a_tridiagonal_matrix_is_its_dense_extreme_eigenpair():
    from plsym._linalg import _extreme_pair, _tridiagonal

    rng = np.random.default_rng(7)
    cases = [(np.array([2.5]), np.zeros(0)),  # one step
             (np.array([-1.0, 1.0]), np.zeros(1)),  # a tie of moduli: the lower one, as the dense solve picks
             (np.array([0.3, -0.2, 0.9, 0.1]), np.array([1.0, 0.0, 2.0]))]  # split into two blocks
    for _ in range(300):
        j = int(rng.integers(2, 60))
        scale = 10.0 ** rng.integers(-100, 100)
        cases.append((scale * rng.standard_normal(j), scale * np.abs(rng.standard_normal(j - 1))))
    for a, b in cases:
        lam, s = _extreme_pair(a, b)
        want, _ = _dense_extreme(a, b)
        T = _tridiagonal(a[None], b[None])[0]
        top = np.abs(np.linalg.eigvalsh(T)).max()
        assert lam == pytest.approx(want, rel=1e-13, abs=1e-13 * top)
        assert np.linalg.norm(s) == pytest.approx(1.0, rel=1e-13)
        assert np.linalg.norm(T @ s - lam * s) <= 1e-13 * top
    assert _extreme_pair(np.array([-1.0, 1.0]), np.zeros(1))[0] == -1.0


def test_the_ritz_pair_falls_back_to_a_dense_solve_when_mrrr_fails(monkeypatch):
    import plsym._linalg as linalg

    def failing(d, e, *args):
        return 0, np.zeros(len(d)), np.zeros((len(d), len(d))), 1  # info > 0: MRRR did not converge

    a, b = np.array([0.5, -2.0, 1.0]), np.array([0.3, 0.7])
    monkeypatch.setattr(linalg, "_dstemr", failing)
    lam, s = linalg._extreme_pair(a, b)
    want, v = _dense_extreme(a, b)
    assert lam == want and abs(float(s @ v)) == pytest.approx(1.0, rel=1e-14)


@pytest.mark.parametrize("m", [50, 5000])  # numpy broadcasting, and BLAS axpy row by row
def test_rows_are_updated_in_place_on_contiguous_and_strided_arrays(m):
    from plsym._linalg import _AXPY_MIN_M, _row_dots, _subtract_scaled

    assert (m >= _AXPY_MIN_M) == (m == 5000)
    rng = np.random.default_rng(1)
    X, c = rng.standard_normal((3, m)), rng.standard_normal(3)
    for W in (rng.standard_normal((3, m)), np.asfortranarray(rng.standard_normal((3, m)))):
        want = W - c[:, None] * X
        _subtract_scaled(W, c, X)
        np.testing.assert_allclose(W, want, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(_row_dots(W, X), np.sum(W * X, axis=1), rtol=1e-12)


def test_batched_lanczos_on_long_vectors_converges_to_the_top_eigenvalue():
    m = 6000  # long enough for the row-by-row BLAS updates
    d = np.random.default_rng(5).standard_normal((3, m))
    d[1, 17] = -9.0  # the largest modulus is negative
    lam, Q = batched_top_eig(lambda V, rows: d[rows] * V, 3, m, vectors=False)
    want = d[np.arange(3), np.argmax(np.abs(d), axis=1)]
    np.testing.assert_allclose(lam, want, rtol=1e-10)
    assert lam[1] == pytest.approx(-9.0, rel=1e-10)


def test_ritz_pairs_of_short_and_long_runs_in_one_batch_are_the_dense_ones():
    """Rows of few steps go through one batched dense solve, longer ones through MRRR row by row: both
    give each row's own extreme eigenpair and residual bound beta_j |s_j|."""
    from plsym._linalg import _DENSE_RITZ_MAX, _ritz

    rng = np.random.default_rng(11)
    steps = np.array([1, 5, _DENSE_RITZ_MAX, _DENSE_RITZ_MAX + 1, 30, 5, 40])
    width = 41
    alpha, beta = rng.standard_normal((len(steps), width)), np.abs(rng.standard_normal((len(steps), width)))
    lam, coef, resid = _ritz(alpha, beta, steps)
    for p, j in enumerate(steps):
        want, v = _dense_extreme(alpha[p, :j], beta[p, :j - 1])
        assert lam[p] == pytest.approx(want, rel=1e-13)
        assert abs(float(coef[p, :j] @ v)) == pytest.approx(1.0, rel=1e-12) and not coef[p, j:].any()
        assert resid[p] == pytest.approx(beta[p, j - 1] * abs(v[-1]), rel=1e-8, abs=1e-15)


def test_matprod_is_matmul_bit_for_bit_including_one_term_products():
    """matprod's element-wise path (a contracted axis of length 1) gives matmul's numbers exactly, with
    matmul's broadcasting of the stack axes, an out= array, and scales from 1e-200 to 1e200."""
    from plsym._linalg import matprod

    rng = np.random.default_rng(8)
    for shape_a, shape_b in [((3, 6, 1), (3, 1, 40)), ((2, 1, 5, 1), (2, 4, 1, 7)), ((6, 1), (1, 9)),
                             ((3, 6, 4), (3, 4, 5)), ((2, 1, 5, 2), (1, 3, 2, 7))]:
        for scale in (1e-200, 1.0, 1e200):
            A, B = scale * rng.standard_normal(shape_a), rng.standard_normal(shape_b) / scale
            want = A @ B
            np.testing.assert_array_equal(matprod(A, B), want)
            out = np.empty(want.shape)
            assert matprod(A, B, out=out) is out
            np.testing.assert_array_equal(out, want)


# -- BLAS threads inside the iterations ------------------------------------------------------------

def _blas_threads():
    """Each loaded BLAS library's thread count, by its file."""
    import threadpoolctl
    return {p["filepath"]: p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"}


@pytest.fixture
def two_blas_threads():
    """Every BLAS library at two threads (the machine's count on a 2-core machine), as a user's session
    is; yields the setting by library, which the caller must get back. A library that another package
    bundles may stay at one thread (SCS's OpenBLAS does, once the PEPit tests have loaded it in this
    process); with no library at two threads there is nothing to test."""
    import threadpoolctl
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        setting = _blas_threads()
        if 2 not in setting.values():
            pytest.skip(f"no BLAS library can run two threads here ({setting})")
        yield setting


@pytest.mark.parametrize("solver", ["batched", "top", "min"])
def test_the_iterations_run_blas_on_one_thread_and_restore_the_callers_setting(two_blas_threads, solver):
    from plsym._linalg import min_eig, top_eig
    A = np.diag(np.arange(1.0, 41.0))
    seen = []

    def matvec(v, rows=None):
        seen.append(_blas_threads())
        return v @ A

    if solver == "batched":
        lam = batched_top_eig(matvec, 2, 40, vectors=False)[0]
        assert np.allclose(lam, 40.0)
    elif solver == "top":
        assert np.isclose(top_eig(matvec, 40)[0], 40.0)
    else:
        assert np.isclose(min_eig(matvec, 40), 1.0)
    assert seen and all(set(s.values()) == {1} for s in seen)
    assert _blas_threads() == two_blas_threads


class _FakePool:
    """A BLAS library's process-wide thread count, as threadpoolctl's controllers expose it."""

    def __init__(self, threads):
        self.num_threads = threads

    def set_num_threads(self, threads):
        self.num_threads = threads


def test_concurrent_iterations_keep_one_thread_until_the_last_ends_then_restore(monkeypatch):
    """Thread a starts, b starts, a ends while b still runs, b ends: b keeps one thread after a's end,
    and the caller's threads come back only after b's (a plain save-and-restore per call would give b
    the caller's threads mid-run and leave one thread behind). The library is a stand-in: OpenBLAS
    ignores a count set from another thread once the main thread has set one."""
    import threading

    import plsym._linalg as linalg
    pools = (_FakePool(2), _FakePool(4))
    monkeypatch.setattr(linalg, "_blas_pools", lambda: pools)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    A = np.diag(np.arange(1.0, 21.0))
    seen_a, seen_b_after_a = [], []

    def matvec_a(v, rows):
        a_in.set()
        assert b_in.wait(10)
        seen_a.append([p.num_threads for p in pools])
        return v @ A

    def matvec_b(v, rows):
        b_in.set()
        assert a_out.wait(10)
        seen_b_after_a.append([p.num_threads for p in pools])
        return v @ A

    def run_a():
        batched_top_eig(matvec_a, 1, 20, vectors=False)
        a_out.set()

    ta = threading.Thread(target=run_a)
    ta.start()
    assert a_in.wait(10)
    tb = threading.Thread(target=batched_top_eig, args=(matvec_b, 1, 20), kwargs={"vectors": False})
    tb.start()
    ta.join(20), tb.join(20)
    assert not ta.is_alive() and not tb.is_alive()
    assert seen_a and all(s == [1, 1] for s in seen_a)
    assert seen_b_after_a and all(s == [1, 1] for s in seen_b_after_a)
    assert [p.num_threads for p in pools] == [2, 4]


def _recording_linear_system(seen):
    """F(w) = A w as user code (exact derivatives), noting the BLAS thread count at every evaluation."""
    from plsym.systems import from_callable
    A = np.random.default_rng(1).standard_normal((3, 5))

    def record(value):
        seen.append(_blas_threads())
        return value

    return from_callable(lambda W: record(W @ A.T), m=5, n=3, y=np.ones(3), batched=True,
                         jacobian=lambda W: record(np.broadcast_to(A, (len(W), 3, 5)).copy()),
                         hessians=lambda W: record(np.zeros((len(W), 3, 5, 5))), w0=np.zeros(5), name="recording")


@pytest.mark.parametrize("run", ["estimate", "gd", "sgd", "counterexample", "theorem"])
def test_searches_and_runs_evaluate_on_one_blas_thread_then_restore(two_blas_threads, run):
    """Estimates, GD/SGD records, counterexample searches and theorem checks do not depend on the
    machine's thread count: every evaluation inside them sees one BLAS thread."""
    from plsym import Ball, dynamics, estimate, search
    from plsym.theorems import T4
    seen = []
    system = _recording_linear_system(seen)
    ball = Ball(system.w0, 1.0)
    if run == "estimate":
        estimate.kernel_min_eig(system, ball, samples=16, maxiter=5, starts=1, rng=0)
    elif run == "gd":
        dynamics.gd(system, eta=0.01, steps=5)
    elif run == "sgd":
        dynamics.sgd(system, eta=0.01, batch_size=2, steps=5, rng=0)
    elif run == "counterexample":
        search.counterexample(system, ball, search.pl_star(1e-9), max_examples=5, samples=8, rng=0)
    else:
        T4.check(system, ball, level="sampled", rng=0)
    assert seen and all(set(s.values()) == {1} for s in seen)
    assert _blas_threads() == two_blas_threads

