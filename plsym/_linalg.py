"""Symmetric operators given by their products: one Lanczos, dense Hessians from Hessian-vector products.

Every family that knows H v without H (autodiff adapters, the hand-differentiated
networks, the loss Hessian of any system) finds ||H|| here: :func:`top_eig` runs
ARPACK's Lanczos (``scipy.sparse.linalg.eigsh``) from a fixed start, so results are
reproducible, and :func:`hessians_from_columns` forms dense Hessians from the
products with identity columns, where m is small enough.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg

from .errors import InvalidArgument

# Tolerance of the Lanczos (ARPACK) largest-magnitude eigenvalue.
LANCZOS_TOL = 1e-10
# Dense per-output Hessians are refused above this many floats (k * n * m * m).
DENSE_HESSIAN_MAX = 50_000_000
# Identity columns pushed through one batched product are chunked to about this many floats.
CHUNK_FLOATS = 4_000_000


def start_vector(m):
    """The fixed Lanczos start in R^m (a standard normal draw with seed 0): reproducible Ritz values."""
    return np.random.default_rng(0).standard_normal(m)


def dense_symmetric(matvec, m):
    """The m x m matrix of the symmetric operator ``matvec`` from its identity columns, symmetrized."""
    H = np.column_stack([matvec(e) for e in np.eye(m)])
    return 0.5 * (H + H.T)


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
