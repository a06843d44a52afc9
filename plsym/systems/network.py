"""The fully connected network of D8 (NTK parameterization) as a System.

alpha_0 = x in R^d, alpha_l = sigma_l(W_l alpha_{l-1} / sqrt(m_{l-1})) for
l = 1, ..., L+1 with m_0 = d and m_{L+1} = 1; f(W; x) = alpha_{L+1} and
F(W) = (f(W; x_1), ..., f(W; x_n)). Every derivative is computed by hand-written,
batched backpropagation (no symbolic differentiation), so wide networks are
cheap: the tangent kernel never forms the Jacobian, Hessian-vector products are
forward-over-reverse (Pearlmutter's R-operator) and never form a Hessian.

Notation: ``dims = (m_0, m_1, ..., m_L, m_{L+1}) = (d, *widths, 1)``; layer
``j = 0..L`` (the paper's l = j + 1) has weights of shape ``(dims[j+1], dims[j])``,
pre-activations ``h_j = alpha_j W_j^T / sqrt(dims[j])`` and output
``alpha_{j+1} = sigma_j(h_j)``; ``delta_j = d f / d h_j``.

References
----------
docs/theory.md §3.8: D8 (the architecture), T19 and C22 (Hessian norm
O~(1/sqrt m)), C25 (the two-layer kernel identity).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy

from .._linalg import matprod
from .._memory import require_fits
from ..activations import _owned
from .._options import checked_options
from ..errors import InvalidArgument, as_rng, positive_int
from ._layered import LayeredSystem, check_activations, check_data_rows, check_int_list

__all__ = ["NetworkSystem", "network", "network_data"]

# Symbolic forms are refused above this many parameter-output pairs (m * n).
_SYMBOLIC_MAX = 20_000


class _Tape:
    """The forward and backward pass at a batch of points, kept for the R-operator."""

    __slots__ = ("layers", "hs", "alphas", "d1", "d2", "deltas", "gs", "out")

    def __init__(self, layers, hs, alphas, d1, d2, deltas, gs, out=None):
        self.layers = layers  # per layer (k, a, b)
        self.hs = hs          # per layer (k, n, a): pre-activations h_j
        self.alphas = alphas  # per layer (k, n, b): inputs alpha_j of layer j
        self.d1 = d1          # sigma_j'(h_j)
        self.d2 = d2          # sigma_j''(h_j), or None when not asked for
        self.deltas = deltas  # d f / d h_j, (k, n, a)
        self.gs = gs          # d f / d alpha_j = delta_j W_j / sqrt(dims[j]), for j >= 1
        self.out = out        # the network output sigma_{L+1}(h_L), (k, n, 1)


def _two_layer_block_norms(act, z, v, s2, width, *, parts=False, worst=False):
    """Spectral norms of the per-neuron Hessian blocks of a two-layer net with a linear output.

    The block of neuron r on (u_r, v_r) for data row i is [[a xhat xhat^T, b xhat],
    [b xhat^T, 0]] with a = v sigma''(z) / sqrt(width), b = sigma'(z) / sqrt(width) and
    s2 = ||xhat||^2; its norm (|a| s2 + sqrt(a^2 s2^2 + 4 b^2 s2)) / 2 is computed as
    (|A| + sqrt(A^2 + sigma'^2)) sqrt(s2 / width) with A = v sigma'' sqrt(s2) / 2, in a few
    in-place passes. Arguments broadcast (z, v: (..., n, r) and (..., 1, r); s2: (n, 1) or
    a number). With ``parts``, returns (norms, a, b); with ``worst``, the largest norm over
    the last two axes (the row factor applied after the max over neurons).
    """
    _, d1, d2 = act.with_derivatives(z, second=True)  # tanh: one transcendental evaluation
    return _block_norms_of(d1, d2, v, s2, width, parts=parts, worst=worst, z=z)


def _block_norms_of(d1, d2, v, s2, width, *, parts=False, worst=False, z=None):
    """:func:`_two_layer_block_norms` from sigma'(z) and sigma''(z) (``d1``, ``d2``; written over
    when they are arrays other than ``z``). The norm grows with |v|, |sigma'| and |sigma''|, so
    bounds of these give a bound of the norm."""
    root_width = math.sqrt(width)
    if parts:
        a, b = v * d2 / root_width, d1 / root_width
    root_s2 = np.sqrt(s2)
    in_place = isinstance(d2, np.ndarray) and d2 is not z and d2.shape == np.broadcast_shapes(d2.shape, np.shape(v))
    A = np.multiply(d2, v, out=d2 if in_place else None)
    A *= 0.5 * root_s2
    G = np.multiply(A, A)
    G += np.multiply(d1, d1, out=_owned(d1) if d1 is not z else None)
    G = np.sqrt(G, out=_owned(G))
    G += np.abs(A, out=_owned(A))
    if worst:
        return (G.max(axis=-1) * root_s2[..., 0]).max(axis=-1) / root_width
    G *= root_s2 / root_width
    return (G, a, b) if parts else G


class NetworkSystem(LayeredSystem):
    """The fully connected network of D8 on the data X, as the system F(W) = y.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The inputs x_1, ..., x_n, one per row; finite.
    y : array_like, shape (n,)
        The targets, one per row of X.
    widths : sequence of int
        The hidden widths [m_1, ..., m_L], L >= 1, each >= 1. ``[m]`` is the
        two-layer network f = v^T sigma(U x / sqrt d) / sqrt m.
    activation : str, optional
        The hidden activation sigma_1 = ... = sigma_L, a name in
        :data:`plsym.activations.NAMES` (default ``"tanh"``).
    output : str or None, optional
        The output activation sigma_{L+1}; None (default) for a linear output.
    rng : int or numpy.random.Generator, optional
        Seed (recorded as ``.seed``) or generator drawing w0 with iid N(0, 1) entries.
    seed : int, optional
        Deprecated name of ``rng``.
    name : str, optional
        A label for reports; by default one describing the architecture.

    Attributes
    ----------
    X : ndarray, shape (n, d), read-only
    widths : tuple of int
    activation : str
    output : str or None
    depth : int
        L, the number of hidden layers.
    layer_shapes : tuple of (int, int)
        ``(m_l, m_{l-1})`` for l = 1, ..., L+1.
    m, n, y, w0, derivatives
        As for :class:`plsym.System`; ``m = sum_l m_l m_{l-1}``.

    Notes
    -----
    Parameters are W_1 (m_1 x d), ..., W_{L+1} (1 x m_L), each flattened
    row-major and concatenated in that order; the symbol of entry (r, c) of W_l
    is ``W{l}_{r}_{c}`` with l 1-based and r, c 0-based. ``params`` and
    ``outputs`` are built lazily and only for small networks (m * n <= 20000).

    Every derivative is exact (hand-derived backpropagation, float64). With a
    ReLU hidden or output activation, first derivatives (the subgradient 0 at
    the kink) are available but Hessians are refused.

    Raises
    ------
    InvalidArgument
        As :func:`network`; and from ``hessians``, ``hvp``, ``hessian_norm``,
        ``loss_hvp``, ``loss_hessian`` when an activation is ``"relu"``.

    References
    ----------
    docs/theory.md §3.8, D8; T19 and C22 for ``hessian_norm``.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.systems.network import network
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> net = network(X, [0.0, 1.0, 0.5], [64])
    >>> net.m, net.n, net.kernel(net.w0).shape
    (192, 3, (3, 3))
    """

    @checked_options(renamed={"seed": "rng"}, name="NetworkSystem")
    def __init__(self, X, y, widths, *, activation="tanh", output=None, rng=0, name=None):
        X = check_data_rows(X)
        widths = check_int_list("widths", widths, "[64]")
        hidden, out, reason = check_activations(activation, output)
        rng = as_rng(rng)

        n, d = X.shape
        dims = (d, *widths, 1)
        shapes = tuple((dims[j + 1], dims[j]) for j in range(len(dims) - 1))
        m = sum(a * b for a, b in shapes)
        # w0, a point and its tangents, and the n x width activations of each layer: refuse before allocating
        require_fits("widths", list(widths), 8.0 * m + 8.0 * n * sum(dims), f"m={m} parameters on n={n} data points")
        if name is None:
            name = (f"network(d={d}, widths={list(widths)}, activation={hidden.name!r}"
                    + (f", output={out.name!r}" if output is not None else "") + ")")
        self._init_family(X, y, shapes, shapes, activations=(hidden, out, reason), output=output, rng=rng,
                          name=name)
        self._data = self.X
        self.widths = widths
        self.depth = len(widths)
        self._dims = dims
        self._acts = (hidden,) * len(widths) + (out,)
        self._scale = tuple(np.sqrt(float(b)) for b in dims[:-1])
        self._linear_output = out.name == "identity"
        self._gram0 = self.X @ self.X.T  # alpha_0 alpha_0^T, the same at every W
        self._xhat = self.X / self._scale[0]  # (n, d): the scaled inputs x_i / sqrt(d)
        self._row_norms2 = (np.sum(self.X ** 2, axis=1) / dims[0])[:, None]  # ||x_i / sqrt(d)||^2, (n, 1)

    # -- backpropagation ----------------------------------------------------------
    def _tape(self, layers, X, *, second=False):
        """Forward and backward pass for layers (k, a, b) on inputs X (n, d), or per point (k, n, d)."""
        k = layers[0].shape[0]
        alphas = [X if X.ndim == 3 else (X[None] if k == 1 else np.broadcast_to(X, (k,) + X.shape))]
        hs, d1, d2 = [], [], ([] if second else None)
        for j, Wj in enumerate(layers):
            h = (alphas[-1] @ np.swapaxes(Wj, -1, -2)) / self._scale[j]
            hs.append(h)
            # sigma, sigma' and sigma'' from one transcendental evaluation where the activation allows
            s, ds, d2s = self._acts[j].with_derivatives(h, second)
            d1.append(ds)
            if second:
                d2.append(d2s)
            if j < len(layers) - 1:  # the network output alpha_{L+1} is kept apart (F)
                alphas.append(s)
        last = len(layers) - 1
        deltas = [None] * len(layers)
        gs = [None] * len(layers)
        deltas[last] = d1[last]
        for j in range(last, 0, -1):
            gs[j] = matprod(deltas[j], layers[j]) / self._scale[j]
            deltas[j - 1] = d1[j - 1] * gs[j]
        return _Tape(layers, hs, alphas, d1, d2, deltas, gs, s)

    def _F_from_tape(self, tape):
        return tape.out[..., 0]

    def _F(self, W):
        layers = self._split(W)
        alpha = self.X
        for j, Wj in enumerate(layers):
            alpha = self._acts[j].sigma((alpha @ np.swapaxes(Wj, -1, -2)) / self._scale[j])
        return alpha[..., 0]

    def _factors(self, tape):
        """Per layer (delta, input, coef) of the gradient, coef delta outer input (see
        :meth:`LayeredSystem._jacobian`): (delta_j, alpha_j, 1 / sqrt(dims[j]))."""
        return [(tape.deltas[j], tape.alphas[j], 1.0 / self._scale[j]) for j in range(len(self.layer_shapes))]

    def _kernel(self, W):
        """K = sum_j (delta_j delta_j^T) * (alpha_j alpha_j^T) / dims[j], without forming J (see
        :meth:`LayeredSystem._kernel`), or the two-layer identity, O(k n^2 sum_l m_l) instead of O(k n^2 m)."""
        if self.depth == 1 and self._linear_output:
            return self._cache_chunks(self._kernel_two_layer, W)
        return super()._kernel(W)

    def _kernel_two_layer(self, W):
        """The two-layer identity K = (1/m)[(S' diag(v^2) S'^T) * (X X^T / d) + S S^T], S = sigma(X U^T / sqrt d).

        Computed in the (width, n) layout: U xhat^T is one product per point with the long
        axis first, and the two n x n products contract over the width."""
        U, v = self._split(W)
        act = self._acts[0]
        H = U @ self._xhat.T  # (k, width, n): the pre-activations, transposed
        if act.dsigma_from_sigma is not None:  # sigma' from sigma: H is not needed after sigma
            S = act.sigma(H, out=H) if isinstance(act.sigma, np.ufunc) else act.sigma(H)
            A = act.dsigma_from_sigma(S)
        else:
            S, A = act.sigma(H), act.dsigma(H)
        A *= np.swapaxes(v, -1, -2)  # diag(v) S', v as (k, width, 1)
        K = np.swapaxes(A, -1, -2) @ A
        K *= self._gram0 / self._dims[0]
        K += np.swapaxes(S, -1, -2) @ S
        K /= self._dims[1]
        return K

    def _forward_tangent(self, tape, V):
        """Forward R-operator: tangents V (per layer (k, p, a, b)) -> (hdots, alphadots) per layer.

        hdot_j = (alphadot_j W_j^T + alpha_j V_j^T) / sqrt(dims[j]), alphadot_{j+1} =
        sigma'(h_j) hdot_j, alphadot_0 = 0 (stored as None); hdot_j has shape (k, p, n, a).
        """
        layers = tape.layers
        alphadots = [None]
        hdots = []
        for j, (Wj, Vj) in enumerate(zip(layers, V)):
            hd = tape.alphas[j][:, None] @ np.swapaxes(Vj, -1, -2)
            if alphadots[j] is not None:
                hd = hd + alphadots[j] @ np.swapaxes(Wj, -1, -2)[:, None]
            hd /= self._scale[j]
            hdots.append(hd)
            if j < len(layers) - 1:
                alphadots.append(tape.d1[j][:, None] * hd)
        return hdots, alphadots

    def _tangent(self, tape, V, weights=None):
        """R-operator: tangents V (per layer (k, p, a, b)) -> H_{F_i} v, shape (k, p, n, m);
        with ``weights`` c (k, n), the weighted sum sum_i c_i H_{F_i} v, shape (k, p, m).

        Forward: see :meth:`_forward_tangent`. Backward: deltadot_L = sigma''(h_L) hdot_L,
        deltadot_{j-1} = sigma''(h_{j-1}) hdot_{j-1} g_j + sigma'(h_{j-1}) (deltadot_j W_j +
        delta_j V_j) / sqrt(dims[j]); the tangent of the gradient of W_j is (deltadot_j
        alpha_j^T + delta_j alphadot_j^T) / sqrt(dims[j]), per data row, or contracted with
        the weights over the rows (one (a x n)(n x b) product per layer: no n x m array).
        """
        layers = tape.layers
        k, p = V[0].shape[:2]
        n = tape.hs[0].shape[-2]
        hdots, alphadots = self._forward_tangent(tape, V)
        out = np.empty((k, p, n, self.m) if weights is None else (k, p, self.m))
        c = None if weights is None else weights[:, None, :, None]  # (k, 1, n, 1)
        last = len(layers) - 1
        dd = tape.d2[last][:, None] * hdots[last]
        for j in range(last, -1, -1):
            a, b = self.layer_shapes[j]
            alpha = tape.alphas[j][:, None] / self._scale[j]  # (k, 1, n, b)
            if weights is not None:
                block = out[..., self._offsets[j]:self._offsets[j + 1]].reshape(k, p, a, b)
                np.matmul(np.swapaxes(c * dd, -1, -2), alpha, out=block)
                if alphadots[j] is not None:
                    block += np.swapaxes(c * tape.deltas[j][:, None], -1, -2) @ (alphadots[j] / self._scale[j])
            else:
                block = out[..., self._offsets[j]:self._offsets[j + 1]].reshape(k, p, n, a, b)
                if alphadots[j] is None:
                    np.multiply(dd[..., :, None], alpha[..., None, :], out=block)
                else:
                    # deltadot alpha^T + delta alphadot^T as one (a x 2)(2 x b) product per
                    # sample, written in place: much faster than two broadcast products.
                    left, right = np.empty(dd.shape + (2,)), np.empty(dd.shape[:-1] + (2, b))
                    left[..., 0], left[..., 1] = dd, tape.deltas[j][:, None]
                    right[..., 0, :] = alpha
                    np.divide(alphadots[j], self._scale[j], out=right[..., 1, :])
                    np.matmul(left, right, out=block)
            if j > 0:
                gdot = matprod(dd, layers[j][:, None])
                gdot += matprod(tape.deltas[j][:, None], V[j])
                gdot /= self._scale[j]
                # sigma''(h) hdot g + sigma'(h) gdot, in place (the same operations in the same order)
                dd = tape.d2[j - 1][:, None] * hdots[j - 1]
                dd *= tape.gs[j][:, None]
                gdot *= tape.d1[j - 1][:, None]
                dd += gdot
        return out

    def _jvp(self, W, V):
        """J v per point, (k, m), (k, m) -> (k, n): one forward tangent pass, no Jacobian."""
        tape = self._tape(self._split(W), self.X)
        hdots, _ = self._forward_tangent(tape, self._split(V[:, None]))
        return (tape.d1[-1] * hdots[-1][:, 0])[..., 0]

    def _whvp(self, W, C, V):
        """sum_i c_i H_{F_i}(w) v per point, (k, m), (k, n), (k, m) -> (k, m), matrix-free."""
        self._require_smooth()
        tape = self._tape(self._split(W), self.X, second=True)
        return self._tangent(tape, self._split(V[:, None]), weights=C)[:, 0]

    # -- Hessian norm (T19, C22) ------------------------------------------------------
    def _hessian_norm(self, W):
        """||H_F(w)|| = max_i ||H_{F_i}(w)||_2, shape (k,).

        Two-layer nets with a linear output use the exact block closed form;
        otherwise Lanczos on the matrix-free hvp (to a residual of 1e-7 of the value, which
        leaves the value itself within rounding in practice; dense ``eigvalsh`` only for
        m <= ``_dense_max_m``). Lanczos returns a Ritz value, which is <= the true norm up
        to rounding: a lower bound.
        """
        self._require_smooth()
        if self.depth == 1 and self._linear_output:
            return self._hessian_norm_two_layer(W)
        return super()._hessian_norm(W)

    def _hessian_norm_screen(self, W):
        """None for two-layer nets with a linear output (their closed form is the cheap way), else
        the layered Lanczos screen."""
        if self.depth == 1 and self._linear_output:
            return None
        return super()._hessian_norm_screen(W)

    def _hessian_norm_two_layer(self, W):
        """Exact closed form for f = v^T sigma(U x / sqrt d) / sqrt m, O(k n m).

        With xhat = x / sqrt d, s = ||xhat||, z_r = u_r . xhat, the Hessian is block
        diagonal over neurons r, block [[a_r xhat xhat^T, b_r xhat], [b_r xhat^T, 0]]
        on (u_r, v_r) with a_r = v_r sigma''(z_r) / sqrt m, b_r = sigma'(z_r) / sqrt m.
        On span{xhat / s, e_{v_r}} it is [[a s^2, b s], [b s, 0]] and zero on the
        complement, so ||block|| = (|a| s^2 + sqrt(a^2 s^4 + 4 b^2 s^2)) / 2.
        """
        U, v = self._split(W)
        z = (self.X @ np.swapaxes(U, -1, -2)) / self._scale[0]  # (k, n, width)
        return _two_layer_block_norms(self._acts[0], z, v, self._row_norms2, self.layer_shapes[0][0], worst=True)

    def _two_layer_blocks(self, z, v, parts=False):
        """The norms of the two-layer Hessian blocks (see :meth:`_hessian_norm_two_layer`) at
        pre-activations z (..., n, r) and output weights v (..., 1, r); with ``parts``, (norms, a, b)."""
        return _two_layer_block_norms(self._acts[0], z, v, self._row_norms2, self.layer_shapes[0][0], parts=parts)

    def _hessian_norm_top(self, W):
        """The eigenpair behind ||H_F(w)|| (see :meth:`System._hessian_norm_top`), structured:
        the 2 x 2 block of the worst (data row, neuron) for two-layer nets, else the dense or
        Lanczos eigenvector."""
        if not (self.depth == 1 and self._linear_output):
            return super()._hessian_norm_top(W)
        self._require_smooth()
        k = W.shape[0]
        rows = np.arange(k)
        i, r, _, s, lam, x1, x2 = self._two_layer_top(W)
        q = np.zeros((k, self.m))
        Uq, vq = self._split(q)
        xhat = self._xhat[i]  # (k, d), norm s
        with np.errstate(invalid="ignore", divide="ignore"):
            Uq[rows, r] = np.where(s[:, None] > 0, x1[:, None] * xhat / s[:, None], 0.0)
        vq[rows, 0, r] = x2
        return np.abs(lam), i, q, lam

    def _two_layer_top(self, W):
        """Per point, the worst block of a two-layer net (data row i, neuron r), its pre-activation
        z = u_r . xhat_i, s = ||xhat_i||, and its top eigenpair: the eigenvalue lam of largest
        modulus of [[a s^2, b s], [b s, 0]] and its unit eigenvector (x1, x2)."""
        k = W.shape[0]
        rows = np.arange(k)
        U, v = self._split(W)
        z = (self.X @ np.swapaxes(U, -1, -2)) / self._scale[0]
        G, a, b = self._two_layer_blocks(z, v, parts=True)
        i, r = np.unravel_index(G.reshape(k, -1).argmax(axis=1), G.shape[1:])
        s = np.sqrt(self._row_norms2[i, 0])
        a, b = a[rows, i, r], b[rows, i, r]
        root = np.sqrt(a * a * s ** 4 + 4.0 * b * b * s * s)
        lam = 0.5 * (a * s * s + np.where(a >= 0, root, -root))
        x1, x2 = lam, b * s  # (lam, b s) is an eigenvector for lam
        nrm = np.hypot(x1, x2)
        nrm = np.where(nrm > 0, nrm, 1.0)
        x1, x2 = np.where(nrm > 0, x1 / nrm, 1.0), x2 / nrm
        return i, r, z[rows, i, r], s, lam, x1, x2

    def _hessian_norm_value_and_grad(self, W):
        """||H_F(w)|| and its gradient in closed form for two-layer nets with a linear output (None
        for other architectures).

        The top eigenpair (lam, q) is that of one neuron's block, so the gradient sign(lam)
        grad_w (q^T H_{F_i}(w) q) lives on that neuron's (u_r, v_r). With q_u = x1 xhat / s,
        q_v = x2, c = xhat . q_u = x1 s and z = u_r . xhat: q^T H_{F_i} q = (v_r s2(z) c^2
        + 2 s1(z) c q_v) / sqrt(m) (s1, s2, s3: the first three derivatives of sigma), whose
        partials are (v_r s3(z) c^2 + 2 s2(z) c q_v) xhat / sqrt(m) in u_r and s2(z) c^2 /
        sqrt(m) in v_r; s3 is a central difference of s2 in the scalar z (relative error about
        1e-10).
        """
        if not (self.depth == 1 and self._linear_output):
            return None
        self._require_smooth()
        k = W.shape[0]
        rows = np.arange(k)
        i, r, z, s, lam, x1, x2 = self._two_layer_top(W)
        v = self._split(W)[1][rows, 0, r]
        d2sigma = self._acts[0].d2sigma
        h = 6e-6 * np.maximum(1.0, np.abs(z))  # about eps^(1/3): truncation and rounding balanced
        d2, d3 = d2sigma(z), (d2sigma(z + h) - d2sigma(z - h)) / (2.0 * h)
        c = x1 * s
        sign = np.sign(lam) / math.sqrt(self.layer_shapes[0][0])
        grad = np.zeros((k, self.m))
        Ug, vg = self._split(grad)
        Ug[rows, r] = (sign * (v * d3 * c * c + 2.0 * d2 * c * x2))[:, None] * self._xhat[i]
        vg[rows, 0, r] = sign * d2 * c * c
        return np.abs(lam), grad

    def _kernel_form_grad(self, W, C):
        """grad_w (c^T K(w) c) in closed form for two-layer nets with a linear output (else the
        generic backward and second-order passes).

        With K = (1/m)[(A A^T) * (Xhat Xhat^T) + S S^T], A = sigma'(Z) diag(v), S = sigma(Z),
        Z = Xhat U^T: c^T K c = (1/m) sum_r (v_r^2 ||D_r||^2 + e_r^2) with D_r = sum_i c_i
        sigma'(z_ir) xhat_i and e_r = sum_i c_i sigma(z_ir), so the partials are
        (2/m) (v_r^2 sum_i c_i sigma''(z_ir) (D_r . xhat_i) xhat_i + e_r D_r) in u_r and
        (2/m) v_r ||D_r||^2 in v_r: a few (n x width) passes, no tape.
        """
        if not (self.depth == 1 and self._linear_output):
            return super()._kernel_form_grad(W, C)
        U, v = self._split(W)  # (k, width, d), (k, 1, width)
        xhat = self._xhat
        s, d1, d2 = self._acts[0].with_derivatives(xhat @ np.swapaxes(U, -1, -2), second=True)  # (k, n, width)
        c = C[:, :, None]
        D = np.swapaxes(c * d1, -1, -2) @ xhat  # (k, width, d)
        e = np.swapaxes(s, -1, -2) @ c  # (k, width, 1)
        T = c * d2
        T *= xhat @ np.swapaxes(D, -1, -2)  # c_i sigma''(z_ir) (D_r . xhat_i)
        vr = np.swapaxes(v, -1, -2)  # (k, width, 1)
        grad = np.empty_like(W)
        gU, gv = self._split(grad)
        np.multiply(vr * vr, np.swapaxes(T, -1, -2) @ xhat, out=gU)
        gU += e * D
        np.multiply(v, np.swapaxes(np.sum(D * D, axis=-1, keepdims=True), -1, -2), out=gv)
        grad *= 2.0 / self._dims[1]
        return grad

    def _floats_per_point(self):
        """Floats per point of the structured evaluators: the point and about eight n x width
        arrays per layer (activations, derivatives, tangents; the Jacobian is never formed),
        which sizes the estimators' batches."""
        return self.m + 8 * self.n * sum(self._dims)

    @functools.cached_property
    def _blocks(self):
        return self._neuron_blocks_uncached()

    def _neuron_blocks(self):
        """The parameters of each hidden neuron: a list of (layer j, neuron r, incoming, outgoing),
        the flat indices of row r of W_j and of column r of W_{j+1} (its block coordinates)."""
        return self._blocks

    def _neuron_blocks_uncached(self):
        blocks = []
        for j in range(self.depth):
            a, b = self.layer_shapes[j]
            c = self.layer_shapes[j + 1][0]
            for r in range(a):
                blocks.append((j, r, self._offsets[j] + r * b + np.arange(b),
                               self._offsets[j + 1] + np.arange(c) * a + r))
        return blocks

    def _layer_inputs(self, w):
        """alpha_j at one point w (m,): the inputs (n, dims[j]) of each layer."""
        return [al[0] for al in self._tape(self._split(w[None]), self.X).alphas]

    def _neuron_move_norms(self, w, neurons, moves, *, screen=False):
        """||H_F|| at w moved along single neurons: row p moves neuron ``neurons[p]`` (an index into
        :meth:`_neuron_blocks`) by ``moves[p]`` (incoming then outgoing coordinates).

        Two-layer nets with a linear output: only that neuron's Hessian blocks change, so each
        point costs O(n d) against the blocks of w (the other neurons' best is kept); otherwise
        the moved points are formed and evaluated, with ``screen`` by the ranking lower bounds of
        :meth:`_hessian_norm_screen` where there are such.
        """
        if not (self.depth == 1 and self._linear_output):
            blocks = self._neuron_blocks()
            P = np.repeat(w[None], len(neurons), axis=0)
            for p, (nb, mv) in enumerate(zip(neurons, moves)):
                _, _, inc, out = blocks[nb]
                P[p, np.concatenate([inc, out])] += mv
            ranked = self._hessian_norm_screen(P) if screen else None
            return self._hessian_norm(P) if ranked is None else ranked
        U, v = self._split(w)
        d = self._dims[0]
        z0 = (self.X @ U.T) / self._scale[0]  # (n, width)
        per_neuron = self._two_layer_blocks(z0, v).max(axis=0)  # (width,)
        order = np.argsort(per_neuron)[::-1]
        first, second = per_neuron[order[0]], (per_neuron[order[1]] if len(order) > 1 else 0.0)
        r = np.asarray(neurons)  # two-layer: block index = neuron index
        z = z0[:, r] + (self.X @ moves[:, :d].T) / self._scale[0]  # (n, K)
        vv = (v[0, r] + moves[:, d])[None, :]
        new = self._two_layer_blocks(z, vv).max(axis=0)
        return np.maximum(new, np.where(r == order[0], second, first))

    # -- symbolic forms (small networks only) --------------------------------------------
    def _check_symbolic_size(self):
        size = self.m * self.n
        if size > _SYMBOLIC_MAX:
            raise InvalidArgument(
                f"{self.name} has m*n={self.m}*{self.n}={size} parameter-output pairs, more than the "
                f"{_SYMBOLIC_MAX} allowed for symbolic forms (params, outputs); use the numeric evaluators "
                "(F, jacobian, kernel, hvp, hessian_norm)"
            )

    @functools.cached_property
    def _symbolic(self):
        self._check_symbolic_size()
        params = tuple(sympy.Symbol(f"W{j + 1}_{r}_{c}")
                       for j, (a, b) in enumerate(self.layer_shapes) for r in range(a) for c in range(b))
        mats, pos = [], 0
        for a, b in self.layer_shapes:
            mats.append([params[pos + r * b: pos + (r + 1) * b] for r in range(a)])
            pos += a * b
        outputs = []
        for x in self.X:
            alpha = [sympy.Float(float(t)) for t in x]
            for j, rows in enumerate(mats):
                inv = 1 / sympy.sqrt(self._dims[j])
                alpha = [self._acts[j].symbolic(inv * sympy.Add(*[wc * ac for wc, ac in zip(row, alpha)]))
                         for row in rows]
            outputs.append(alpha[0])
        return params, tuple(outputs)

    @property
    def params(self):
        """The m parameter symbols ``W{l}_{r}_{c}`` (small networks only; see Raises).

        Raises
        ------
        InvalidArgument
            If m * n > 20000: use the numeric evaluators instead.
        """
        self._check_symbolic_size()
        return self._symbolic[0]

    @property
    def outputs(self):
        """The n symbolic outputs f(W; x_i) (small networks only; see Raises).

        Raises
        ------
        InvalidArgument
            If m * n > 20000: use the numeric evaluators instead.
        """
        self._check_symbolic_size()
        return self._symbolic[1]

    # The base class's symbolic derivatives (jacobian_expr, hessian_exprs) read these.
    @functools.cached_property
    def _real(self):
        return tuple(sympy.Dummy(p.name, real=True) for p in self.params)

    @functools.cached_property
    def _to_real(self):
        return dict(zip(self.params, self._real))

    @functools.cached_property
    def _from_real(self):
        return dict(zip(self._real, self.params))

    @functools.cached_property
    def _real_outputs(self):
        return tuple(f.xreplace(self._to_real) for f in self.outputs)


@checked_options(renamed={"seed": "rng"})
def network(X, y, widths, *, activation="tanh", output=None, rng=0, name=None):
    """The fully connected NTK-parameterized network of D8 as a :class:`NetworkSystem`.

    Parameters
    ----------
    X, y, widths, activation, output, rng, name
        As for :class:`NetworkSystem`: the inputs (n, d) and targets (n,), the
        hidden widths [m_1, ..., m_L], the hidden and output activations
        (``"tanh"`` and None, a linear output, by default), the seed or generator of w0 and a label.

    Returns
    -------
    NetworkSystem

    Raises
    ------
    InvalidArgument
        If X is not a finite 2-D array, y does not have one entry per row of X,
        widths is not a non-empty list of positive ints, activation or output is
        not a registered name, or rng is not a non-negative int or a Generator.

    References
    ----------
    docs/theory.md §3.8, D8.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.systems.network import network
    >>> net = network(np.eye(2), [1.0, -1.0], [512])
    >>> bool(net.hessian_norm(net.w0) < 0.1)  # T19: O~(1/sqrt m)
    True
    """
    return NetworkSystem(X, y, widths, activation=activation, output=output, rng=rng, name=name)


@checked_options(renamed={"seed": "rng"})
def network_data(n, d, *, rng=0, row_norm=None):
    """n inputs in R^d with rows of norm ``row_norm`` (default sqrt(d)), and n targets, both N(0, 1)-drawn.

    With rows of norm sqrt(d), the pre-activations u_r . x / sqrt(d) are N(0, 1) at the
    initialization of D8, the scaling under which the paper's width statements are made.

    Parameters
    ----------
    n, d : int
        Number of data points and input dimension.
    rng : int or numpy.random.Generator
        Seed or generator of the draw (the same seed, the same data).
    row_norm : float, optional
    seed : int, optional
        Deprecated name of ``rng``.

    Returns
    -------
    X : ndarray, shape (n, d)
    y : ndarray, shape (n,)

    Examples
    --------
    >>> X, y = network_data(6, 4, rng=0)
    >>> np.allclose(np.linalg.norm(X, axis=1), 2.0), y.shape
    (True, (6,))
    """
    n, d = positive_int("n", n), positive_int("d", d)
    gen, _ = as_rng(rng)
    X = gen.standard_normal((n, d))
    norm = np.sqrt(d) if row_norm is None else float(row_norm)
    return X * norm / np.linalg.norm(X, axis=1, keepdims=True), gen.standard_normal(n)
