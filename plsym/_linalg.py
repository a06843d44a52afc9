"""Symmetric operators given by their products: one Lanczos, dense Hessians from Hessian-vector products.

Every family that knows H v without H (autodiff adapters, the hand-differentiated
networks, the loss Hessian of any system) finds ||H|| here: :func:`top_eig` runs
ARPACK's Lanczos (``scipy.sparse.linalg.eigsh``) from a fixed start, so results are
reproducible, and :func:`hessians_from_columns` forms dense Hessians from the
products with identity columns, where m is small enough.
"""

from __future__ import annotations

import contextlib
import functools
import threading

import numpy as np
import scipy.linalg.blas
import scipy.linalg.lapack
import scipy.sparse.linalg
import threadpoolctl

from .errors import InvalidArgument

# Tolerance of the Lanczos (ARPACK) largest-magnitude eigenvalue.
LANCZOS_TOL = 1e-10
# Tolerance of batched Lanczos runs that return Ritz values only (norms): the residual bound at this
# fraction of the value puts an eigenvalue within it, and the value itself is far closer (a Ritz value's
# error is about its residual squared over the gap to the rest of the spectrum). Against LANCZOS_TOL it
# takes a fifth fewer steps; on `plsym reproduce`'s checks every value agreed to 1e-13.
RITZ_VALUE_TOL = 1e-7
# Dense per-output Hessians are refused above this many floats (k * n * m * m).
DENSE_HESSIAN_MAX = 50_000_000
# Identity columns pushed through one batched product are chunked to about this many floats.
CHUNK_FLOATS = 4_000_000

_dstemr = scipy.linalg.lapack.dstemr
_daxpy = scipy.linalg.blas.daxpy
# Rows at least this long are updated by BLAS axpy one at a time (see _subtract_scaled).
_AXPY_MIN_M = 4096
# Ritz pairs of at most this many Lanczos steps come from one batched dense eigen-solve (see _ritz).
_DENSE_RITZ_MAX = 12


@functools.lru_cache(maxsize=None)
def _blas_pools():
    """The BLAS libraries loaded (numpy's and scipy's own OpenBLAS builds, or MKL, ...): found once."""
    return tuple(threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers)


_one_thread_lock = threading.Lock()
_one_thread_state = {"depth": 0, "saved": ()}


@contextlib.contextmanager
def one_blas_thread():
    """Every BLAS library at one thread inside the block, as it was after it.

    For loops of many small products (Lanczos, ARPACK), where threaded BLAS costs far more
    than it gains. numpy and scipy each ship their own OpenBLAS, each with its own threads,
    which spin for a while after a call: a loop alternating the two (numpy's matmul in an
    operator, scipy's axpy or ARPACK in the iteration) waits on every call for a core held
    by the other library's spinning thread, tens of times slower on a 2-core machine. With
    one thread the results also do not depend on the machine's thread count. Nested and
    concurrent blocks share one setting: the first in lowers it, the last out restores it.

    The setting is the process's (threadpoolctl has no per-thread one), and OpenBLAS ignores a
    count set from another thread once the main thread has set one: called from a thread
    other than the main one, the block may leave BLAS threaded (``OPENBLAS_NUM_THREADS=1``
    before start-up avoids it there).
    """
    state = _one_thread_state
    with _one_thread_lock:
        if state["depth"] == 0:
            state["saved"] = tuple((lib, lib.num_threads) for lib in _blas_pools())
            for lib, threads in state["saved"]:
                if threads != 1:
                    lib.set_num_threads(1)
        state["depth"] += 1
    try:
        yield
    finally:
        with _one_thread_lock:
            state["depth"] -= 1
            if state["depth"] == 0:
                for lib, threads in state["saved"]:
                    if threads != 1:
                        lib.set_num_threads(threads)


def start_vector(m):
    """The fixed Lanczos start in R^m (a standard normal draw with seed 0): reproducible Ritz values."""
    return np.random.default_rng(0).standard_normal(m)


def dense_symmetric(matvec, m):
    """The m x m matrix of the symmetric operator ``matvec`` from its identity columns, symmetrized."""
    H = np.column_stack([matvec(e) for e in np.eye(m)])
    return 0.5 * (H + H.T)


@one_blas_thread()
def top_eig(matvec, m, *, v0=None, tol=LANCZOS_TOL, vector=False):
    """The eigenvalue of largest modulus of the symmetric operator ``matvec`` on R^m, and its eigenvector.

    Returns ``(lam, q)``: the signed eigenvalue and, with ``vector=True``, a unit
    eigenvector (else None). ARPACK Lanczos from ``v0`` (:func:`start_vector` when
    None): a Ritz value, |lam| at most the true value up to ``tol``, a lower bound
    of the norm. ``(0.0, None)`` when ``matvec(v0) = 0``, which for a generic v0
    happens only for the zero operator (ARPACK would stop on a zero residual).
    """
    v0 = start_vector(m) if v0 is None else v0
    if not np.any(matvec(v0)):
        return 0.0, None
    if m <= 2:  # ARPACK needs k < m - 1 for symmetric problems; tiny m is cheap to form
        vals, vecs = np.linalg.eigh(dense_symmetric(matvec, m))
        j = int(np.argmax(np.abs(vals)))
        return float(vals[j]), (vecs[:, j] if vector else None)
    op = scipy.sparse.linalg.LinearOperator((m, m), matvec=matvec, dtype=np.float64)
    got = scipy.sparse.linalg.eigsh(op, k=1, which="LM", tol=tol, v0=v0, return_eigenvectors=vector,
                                    ncv=min(m, 40), maxiter=max(1000, 10 * m))
    return (float(got[0][0]), got[1][:, 0]) if vector else (float(got[0]), None)


@one_blas_thread()
def batched_top_eig(matvec, k, m, *, v0=None, tol=None, max_steps=None, vectors=True,
                    max_floats=CHUNK_FLOATS):
    """The eigenvalue of largest modulus of k symmetric operators at once (and its eigenvector).

    ``matvec(V, rows)`` maps vectors V (k', m) to the products (k', m), row p by the
    operator ``rows[p]`` (an index array into the k operators). Lanczos runs on all k
    at once from ``v0`` (:func:`start_vector` when None), one batched product per
    step, until the residual bound beta_j |s_j| of the Ritz pair of largest modulus is
    at most ``tol`` times the Ritz value (tested every few steps), or the Krylov space
    is invariant, or after ``max_steps`` steps (default min(m, 300)). The default ``tol``
    is ``LANCZOS_TOL`` (1e-10) with vectors and ``RITZ_VALUE_TOL`` (1e-7) without: a
    value is then within 1e-7 of an eigenvalue by the residual bound, and in practice
    within rounding (its error is about the residual squared over the spectral gap).

    With ``vectors=True`` the Krylov bases are kept and reorthogonalized (operators
    in chunks, so that the bases hold about ``max_floats`` floats at 64 steps) and
    the Ritz vectors are returned; with ``vectors=False`` the plain three-term
    recurrence runs (orthogonality is lost only as Ritz values converge, which
    leaves the extreme ones accurate: Paige's theory), on chunks of operators whose
    vectors hold about ``max_floats`` floats.

    Returns ``(lam, Q)``: the signed Ritz values (k,) and unit Ritz vectors (k, m), or
    None without ``vectors``. Ritz values lie in the spectrum's hull (up to rounding,
    of order eps ||A||), so |lam| is a lower bound of each norm whatever the number of
    steps; a zero operator gives 0 and the start vector.
    """
    v0 = start_vector(m) if v0 is None else np.asarray(v0, dtype=float)
    max_steps = min(m, 300) if max_steps is None else max_steps
    tol = (LANCZOS_TOL if vectors else RITZ_VALUE_TOL) if tol is None else tol
    chunk = max(1, int(max_floats // (m * (64 if vectors else 4))))
    lam, vecs = np.zeros(k), (np.zeros((k, m)) if vectors else None)
    for start in range(0, k, chunk):
        rows = np.arange(start, min(k, start + chunk))
        if vectors:
            lam[rows], vecs[rows] = _lanczos(matvec, rows, m, v0, tol, max_steps)
        else:
            lam[rows] = _lanczos_values(matvec, rows, m, v0, tol, max_steps)
    return lam, vecs


def matprod(A, B, out=None):
    """A @ B for stacks of matrices; an element-wise product where the contracted axis has length 1:
    the same numbers (each entry a sum of one term), without matmul's per-matrix cost (about 6 times
    the time for a (6 x 1)(1 x 4096) product)."""
    if A.ndim >= 2 and B.ndim >= 2 and A.shape[-1] == 1:
        return np.multiply(A, B, out=out)
    return np.matmul(A, B, out=out)


def _row_dots(A, B):
    """The dot products of the rows of A and B (p, m), as p BLAS dot products (einsum does not vectorize
    them: 2-4 times slower)."""
    return np.matmul(A[:, None, :], B[:, :, None])[:, 0, 0]


def _subtract_scaled(W, c, X):
    """W -= c[:, None] * X in place: row by row with BLAS axpy on long rows (no temporary, one pass),
    by numpy broadcasting on short ones (where a Python loop over the rows would cost more)."""
    if W.shape[1] >= _AXPY_MIN_M and W.strides[1] == W.itemsize:  # axpy writes a contiguous row in place
        for p in range(W.shape[0]):
            _daxpy(X[p], W[p], a=-c[p])
    else:
        W -= c[:, None] * X


def _row_norms(W):
    """Euclidean norms of the rows of W, rescaling the rows whose squares under- or overflow."""
    out = np.sqrt(_row_dots(W, W))
    bad = ~((out > 1e-140) & (out < 1e140))
    if bad.any():
        s = np.abs(W[bad]).max(axis=1)
        safe = np.where(s > 0, s, 1.0)
        out[bad] = s * np.linalg.norm(W[bad] / safe[:, None], axis=1)
    return out


def _ritz(alpha, beta, steps):
    """Per row, the Ritz value of largest modulus of the first ``steps`` Lanczos steps, its vector's
    coefficients (padded with zeros to alpha's width) and the residual bound beta_j |s_j|.

    Rows of at most ``_DENSE_RITZ_MAX`` steps are diagonalized together (one batched dense
    eigen-solve per step count, cheaper there than a call per row); longer ones one by one by
    :func:`_extreme_pair`, whose cost grows like j where the dense solve's grows like j^3."""
    b, width = alpha.shape
    lam, coef, resid = np.zeros(b), np.zeros((b, width)), np.zeros(b)
    for j in np.unique(steps[steps <= _DENSE_RITZ_MAX]):
        rows = np.flatnonzero(steps == j)
        lam[rows], coef[rows, :j] = _dense_extreme_pairs(alpha[rows, :j], beta[rows, :j - 1])
    for p in np.flatnonzero(steps > _DENSE_RITZ_MAX):
        j = int(steps[p])
        lam[p], coef[p, :j] = _extreme_pair(alpha[p, :j], beta[p, :j - 1])
    last = np.maximum(steps, 1) - 1
    resid[:] = beta[np.arange(b), last] * np.abs(coef[np.arange(b), last])
    return lam, coef, resid


def _extreme_pair(a, b):
    """The eigenvalue of largest modulus of the symmetric tridiagonal matrix with diagonal a and
    off-diagonal b, and a unit eigenvector: the two extreme eigenpairs by LAPACK's MRRR (dstemr, O(j)
    each, where a dense eigen-solve costs O(j^3)); the lower one on a tie of moduli; a dense solve
    where MRRR reports a failure."""
    j = len(a)
    if j == 1:
        return float(a[0]), np.ones(1)
    e = np.empty(j)  # dstemr's off-diagonal has n entries, the last one workspace; it writes over e
    pairs = []
    for i in (1, j):  # the lowest, then the highest
        e[:-1] = b
        _, w, z, info = _dstemr(a, e, 2, 0.0, 0.0, i, i)
        if info != 0:
            lam, vec = _dense_extreme_pairs(a[None], b[None])
            return float(lam[0]), vec[0]
        pairs.append((float(w[0]), z[:, 0]))
    low, high = pairs
    return low if abs(low[0]) >= abs(high[0]) else high


def _dense_extreme_pairs(a, b):
    """Per row, the eigenvalue of largest modulus and a unit eigenvector of the symmetric tridiagonal
    matrix with diagonal a (p, j) and off-diagonal b (p, j - 1), by one batched dense eigen-solve (the
    lower one on a tie of moduli)."""
    theta, S = np.linalg.eigh(_tridiagonal(a, b))
    best = np.argmax(np.abs(theta), axis=1)
    pick = np.arange(len(a))
    return theta[pick, best], S[pick, :, best]


def _end_of_step(W, alpha, beta, steps, at, j, tol, max_steps):
    """After step j of the operators ``at`` (W their new, orthogonalized vectors): records beta_j = ||W||
    and the step count, and returns (beta_j, which stop): all of them after the last step, else as
    :func:`_stopping`."""
    nrm = _row_norms(W)
    beta[at, j] = nrm
    steps[at] = j + 1
    if j + 1 == max_steps:
        return nrm, np.ones(len(nrm), dtype=bool)
    return nrm, _stopping(alpha, beta, steps, at, nrm, j, tol)


def _stopping(alpha, beta, steps, at, nrm, j, tol):
    """Which of the operators ``at`` stop after step j (``nrm`` their new beta): an invariant Krylov space
    (the Ritz values are exact), or, tested after steps 8, 12, 16 and then every eighth step, a
    residual bound beta_j |s_j| of the Ritz pair of largest modulus within ``tol`` of its value
    (the test finds two eigenpairs of each j x j tridiagonal matrix, one LAPACK call each, so it is
    spaced out as j grows)."""
    scale = np.abs(alpha[at, :j + 1]).max(axis=1) + beta[at, :j + 1].max(axis=1)
    done = nrm <= 1e-14 * scale
    if j + 1 in (8, 12) or (j + 1 >= 16 and (j + 1) % 8 == 0):
        lam, _, resid = _ritz(alpha[at], beta[at], steps[at])
        done |= resid <= tol * np.abs(lam)
    return done


def _lanczos_values(matvec, rows, m, v0, tol, max_steps):
    """Block of :func:`batched_top_eig` without vectors: the three-term recurrence on the live operators
    only, with the last two Lanczos vectors rotated in place (no copies of the bases)."""
    b = len(rows)
    alpha, beta = np.zeros((b, max_steps)), np.zeros((b, max_steps))
    steps = np.zeros(b, dtype=int)
    live = np.arange(b)  # positions in rows still iterating
    q = np.broadcast_to(v0 / np.linalg.norm(v0), (b, m)).copy()
    q_prev = None
    for j in range(max_steps):
        W = matvec(q, rows[live])
        a = _row_dots(W, q)
        alpha[live, j] = a
        _subtract_scaled(W, a, q)
        if q_prev is not None:
            _subtract_scaled(W, beta[live, j - 1], q_prev)
        nrm, done = _end_of_step(W, alpha, beta, steps, live, j, tol, max_steps)
        W /= np.where(done, 1.0, nrm)[:, None]
        q_prev, q = q, W
        if done.any():
            keep = ~done
            live, q, q_prev = live[keep], q[keep], q_prev[keep]
            if not live.size:
                break
    return _ritz(alpha, beta, steps)[0]


def _lanczos(matvec, rows, m, v0, tol, max_steps):
    """Block of :func:`batched_top_eig` with vectors: the bases are kept and reorthogonalized (twice,
    classical Gram-Schmidt) and the Ritz vectors formed."""
    b = len(rows)
    Q = np.zeros((b, min(max_steps, 32) + 1, m))
    Q[:, 0] = v0 / np.linalg.norm(v0)
    alpha, beta = np.zeros((b, max_steps)), np.zeros((b, max_steps))
    active = np.ones(b, dtype=bool)  # neither converged nor invariant yet
    steps = np.zeros(b, dtype=int)
    for j in range(max_steps):
        if j + 1 >= Q.shape[1]:  # grow the bases
            Q = np.concatenate([Q, np.zeros((b, min(Q.shape[1], max_steps + 1 - Q.shape[1]), m))], axis=1)
        idx = np.flatnonzero(active)
        basis = Q[:, :j + 1] if len(idx) == b else Q[idx, :j + 1]  # a view while every operator is active
        q = basis[:, j]
        W = matvec(q, rows[idx])
        alpha[idx, j] = _row_dots(W, q)
        for _ in range(2):
            W -= (np.matmul(basis, W[:, :, None])[:, :, 0][:, None, :] @ basis)[:, 0]
        nrm, done = _end_of_step(W, alpha, beta, steps, idx, j, tol, max_steps)
        Q[idx, j + 1] = W / np.where(done, 1.0, nrm)[:, None]  # a stopped row's next vector is never used
        active[idx[done]] = False
        if not active.any():
            break
    lam, coef, _ = _ritz(alpha, beta, steps)
    vec = (coef[:, None, :Q.shape[1]] @ Q[:, :coef.shape[1]])[:, 0]
    norms = np.linalg.norm(vec, axis=1, keepdims=True)
    return lam, vec / np.where(norms > 0, norms, 1.0)


def _tridiagonal(a, b):
    """The symmetric tridiagonal matrices (p, j, j) with diagonals a (p, j) and off-diagonals b (p, j - 1)."""
    p, j = a.shape
    T = np.zeros((p, j, j))
    d = np.arange(j)
    T[:, d, d] = a
    T[:, d[:-1], d[1:]] = b
    T[:, d[1:], d[:-1]] = b
    return T


@one_blas_thread()
def min_eig(matvec, m, *, v0=None, tol=LANCZOS_TOL):
    """The smallest eigenvalue of the symmetric operator ``matvec`` on R^m (ARPACK Lanczos, which="SA").

    A Ritz value: at least the true smallest eigenvalue up to ``tol``. From ``v0``
    (:func:`start_vector` when None); dense for m <= 2, 0 for the zero operator.
    """
    v0 = start_vector(m) if v0 is None else v0
    if not np.any(matvec(v0)):
        return 0.0
    if m <= 2:
        return float(np.linalg.eigvalsh(dense_symmetric(matvec, m))[0])
    op = scipy.sparse.linalg.LinearOperator((m, m), matvec=matvec, dtype=np.float64)
    return float(scipy.sparse.linalg.eigsh(op, k=1, which="SA", tol=tol, v0=v0, return_eigenvectors=False,
                                           ncv=min(m, 40), maxiter=max(1000, 10 * m))[0])


def abs_max_eig(matvec, m, *, v0=None, tol=LANCZOS_TOL):
    """The largest |eigenvalue| of the symmetric operator ``matvec`` on R^m (see :func:`top_eig`)."""
    return abs(top_eig(matvec, m, v0=v0, tol=tol)[0])


def in_chunks(fn, W, floats_per_point, budget=CHUNK_FLOATS):
    """``fn`` over the points ``W`` (k, m) in chunks of about ``budget`` floats of per-point intermediates."""
    step = max(1, budget // max(1, floats_per_point))
    if W.shape[0] <= step:
        return fn(W)
    return np.concatenate([fn(W[i:i + step]) for i in range(0, W.shape[0], step)])


def check_dense_size(k, n, m, what="a system"):
    """InvalidArgument when k per-output dense m x m Hessians of n outputs exceed DENSE_HESSIAN_MAX floats."""
    size = k * n * m * m
    if size > DENSE_HESSIAN_MAX:
        raise InvalidArgument(
            f"hessians at k={k} point(s) of {what} with n={n}, m={m} would hold k*n*m*m={size:.3g} "
            f"floats (the limit is {DENSE_HESSIAN_MAX:.0e}); use hvp (matrix-free) or hessian_norm"
        )


def hessians_from_columns(columns, k, n, m, chunk):
    """Dense symmetric per-output Hessians (k, n, m, m) from their columns, ``chunk`` columns at a time.

    ``columns(start, stop)`` returns H_{F_i}(w_p) e_j for j in [start, stop) with shape
    (k, stop - start, n, m); the result is symmetrized (products carry rounding).
    """
    H = np.empty((k, n, m, m))
    for start in range(0, m, chunk):
        stop = min(m, start + chunk)
        H[:, :, start:stop, :] = np.moveaxis(columns(start, stop), 1, 2)
    return 0.5 * (H + np.swapaxes(H, -1, -2))
