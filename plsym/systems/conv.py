"""Convolutional networks (1-D and 2-D, NTK parameterization) as Systems.

An input x has C_0 channels over P spatial positions (a signal of length P, or
an H x W image with P = H W). Hidden layer l = 1..L is a stride-1 "same"
convolution with c_l output channels and a kernel of side s,

    h_l[p, c] = (1 / sqrt(c_{l-1} s^dim)) sum_{c', o} W_l[c, c', o] alpha_{l-1}[p + o - left, c'],
    alpha_l = sigma(h_l),

(a cross-correlation, as deep-learning libraries compute it; ``left = (s - 1) // 2``,
positions outside the signal read 0 for ``padding="zero"`` and wrap around for
``padding="circular"``). The read-out is linear: ``readout="pool"`` averages
over positions and then reads the channels, z = (1/P) sum_p v . alpha_L[p] / sqrt(c_L);
``readout="flatten"`` reads all positions, z = <V, alpha_L> / sqrt(c_L P).
f(W; x) = sigma_out(z). Every entry of every weight is N(0, 1) at
initialization; the width is the number of channels.

All derivatives are hand-derived and batched: a layer is a gather of patches
(im2col) followed by a matrix product, its adjoint a scatter; the tangent
kernel is a sum over layers of per-layer contractions; Hessian-vector
products are forward-over-reverse (Pearlmutter's R-operator).

References
----------
docs/theory.md §3.8: D8 (the NTK parameterization), T22 (CNNs satisfy PL*).
"""

from __future__ import annotations

import numpy as np

from .._linalg import matprod
from .._options import checked_options
from ..errors import InvalidArgument, _show, as_real_array, as_rng, one_of, positive_int
from ._layered import LayeredSystem, check_activations, check_int_list

__all__ = ["PADDINGS", "READOUTS", "ConvSystem", "conv"]

READOUTS = ("pool", "flatten")
PADDINGS = ("circular", "zero")


class _Tape:
    """The forward and backward pass at a batch of points, kept for the R-operator."""

    __slots__ = ("layers", "patches", "hs", "d1", "d2", "deltas", "gs")

    def __init__(self, layers, patches, hs, d1, d2, deltas, gs):
        self.layers = layers    # per layer (k, a, b): a output channels, b = fan-in
        self.patches = patches  # per layer (k, n, P_out, b): the gathered inputs (im2col)
        self.hs = hs            # per layer (k, n, P_out, a): pre-activations
        self.d1 = d1            # sigma'(h) per hidden layer, then sigma_out'(z) (k, n)
        self.d2 = d2            # the same for sigma'', or None
        self.deltas = deltas    # d f / d h, per layer (k, n, P_out, a)
        self.gs = gs            # d f / d alpha (the layer's input), per layer j >= 1


def _offsets_index(spatial, kernel_size, padding):
    """idx (P, s^dim): the flat source position of each (output position, kernel offset); P = the zero slot."""
    left = (kernel_size - 1) // 2
    axes = []
    for size in spatial:
        src = np.arange(size)[:, None] + np.arange(kernel_size)[None, :] - left  # (size, s)
        if padding == "circular":
            axes.append((src % size, np.ones(src.shape, dtype=bool)))
        else:
            axes.append((np.clip(src, 0, size - 1), (src >= 0) & (src < size)))
    P = int(np.prod(spatial))
    if len(spatial) == 1:
        (src, ok), = axes
        flat, valid = src, ok
    else:
        (r, okr), (c, okc) = axes
        # positions (a, b) -> a W + b; offsets (u, v) -> u s + v (the order of a (s, s) kernel, row-major)
        flat = (r[:, None, :, None] * spatial[1] + c[None, :, None, :])
        valid = okr[:, None, :, None] & okc[None, :, None, :]
        flat = flat.reshape(P, kernel_size ** 2)
        valid = valid.reshape(P, kernel_size ** 2)
    return np.where(valid, flat, P)


class ConvSystem(LayeredSystem):
    """A convolutional network in NTK parameterization on the data X, as the system F(W) = y.

    Parameters
    ----------
    X : array_like, shape (n, C_0, ``*spatial``) or (n, ``*spatial``)
        The inputs, one per leading row; ``spatial`` is (length,) for ``dim=1``
        and (height, width) for ``dim=2``. Without a channel axis, C_0 = 1.
    y : array_like, shape (n,)
        The targets.
    channels : sequence of int
        The hidden channel counts [c_1, ..., c_L], L >= 1: the widths.
    kernel_size : int
        The side s of every convolution kernel (s^dim weights per channel pair).
    activation : str, optional
        Hidden activation name (:data:`plsym.activations.NAMES`), default ``"tanh"``.
    output : str or None, optional
        Output activation name, or None (default) for a linear output.
    readout : {"pool", "flatten"}, optional
        Global average pooling then a linear map of the c_L channels (default),
        or a linear map of all c_L P features.
    padding : {"circular", "zero"}, optional
        How a kernel reads past the edge: wrap around (default) or read 0.
    dim : {1, 2}, optional
        1-D (default) or 2-D convolutions.
    rng : int or numpy.random.Generator, optional
        Seed (recorded as ``.seed``) or generator drawing w0 with iid N(0, 1) entries.
    seed : int, optional
        Deprecated name of ``rng``.
    name : str, optional
        A label for reports.

    Attributes
    ----------
    X : ndarray, shape (n, C_0, ``*spatial``), read-only
    channels : tuple of int
    kernel_size, dim, depth : int
        ``depth`` is L, the number of hidden convolutions.
    spatial : tuple of int
    activation, readout, padding : str
    output : str or None
    layer_shapes : tuple of tuple
        Weight shapes: ``(c_l, c_{l-1}, s)`` or ``(c_l, c_{l-1}, s, s)`` for the
        convolutions, then ``(1, c_L)`` (pool) or ``(1, c_L, *spatial)`` (flatten).
    m, n, y, w0, derivatives
        As for :class:`plsym.System`.

    Notes
    -----
    Parameters are the layers' weights, each flattened row-major (the layout of
    ``torch.nn.Conv1d/Conv2d`` weights and of a ``Linear`` on the flattened
    channels-first feature map) and concatenated in order. The kernel size may
    exceed the signal (circular padding then wraps more than once). Every
    derivative is exact (float64); with ReLU, first derivatives use the
    subgradient 0 at the kink and Hessians are refused.

    Raises
    ------
    InvalidArgument
        As :func:`conv`; and from ``hessians``, ``hvp``, ``hessian_norm``,
        ``loss_hvp``, ``loss_hessian``, ``layer_hessian_norms`` when an
        activation is ``"relu"``.

    References
    ----------
    docs/theory.md §3.8, D8 and T22.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.systems.conv import conv
    >>> X = np.random.default_rng(0).standard_normal((4, 2, 6))  # 4 signals, 2 channels, length 6
    >>> net = conv(X, np.zeros(4), [8], kernel_size=3)
    >>> net.layer_shapes, net.m
    (((8, 2, 3), (1, 8)), 56)
    >>> net.kernel(net.w0).shape
    (4, 4)
    """

    # Private knob for tests: force the kernel's contraction (None: the cheaper per layer).
    _kernel_by_positions = None

    @checked_options(renamed={"seed": "rng"}, name="ConvSystem")
    def __init__(self, X, y, channels, *, kernel_size, activation="tanh", output=None, readout="pool",
                 padding="circular", dim=1, rng=0, name=None):
        if isinstance(dim, bool) or dim not in (1, 2):
            raise InvalidArgument(f"dim={_show(dim)} is not allowed; choose 1 (signals) or 2 (images)")
        X = as_real_array("X", X, ndim=(dim + 1, dim + 2))
        if X.ndim == dim + 1:
            X = X[:, None]
        if min(X.shape) < 1:
            raise InvalidArgument(
                f"X has shape {X.shape} (points, channels, *spatial); every axis needs at least one entry"
            )
        channels = check_int_list("channels", channels, "[16]")
        kernel_size = positive_int("kernel_size", kernel_size)
        hidden, out, reason = check_activations(activation, output)
        readout = one_of("readout", readout, READOUTS)
        padding = one_of("padding", padding, PADDINGS)
        rng = as_rng(rng)

        n, c0 = X.shape[:2]
        spatial = tuple(int(s) for s in X.shape[2:])
        P = int(np.prod(spatial))
        widths = (c0, *channels)
        shapes, mats, kinds = [], [], []
        idx = _offsets_index(spatial, kernel_size, padding)
        for cin, cout in zip(widths[:-1], widths[1:]):
            shapes.append((cout, cin) + (kernel_size,) * dim)
            mats.append((cout, cin * kernel_size ** dim))
            kinds.append("conv")
        if readout == "pool":
            shapes.append((1, widths[-1]))
            mats.append((1, widths[-1]))
            kinds.append("point")
        else:
            shapes.append((1, widths[-1]) + spatial)
            mats.append((1, widths[-1] * P))
            kinds.append("full")
        if name is None:
            name = (f"conv(dim={dim}, C0={c0}, spatial={spatial}, channels={list(channels)}, "
                    f"kernel_size={kernel_size}, activation={hidden.name!r}"
                    + (f", output={out.name!r}" if output is not None else "")
                    + f", readout={readout!r}, padding={padding!r})")
        self._init_family(X, y, shapes, mats, activations=(hidden, out, reason), output=output, rng=rng,
                          name=name)
        self.channels = channels
        self.kernel_size = kernel_size
        self.dim = dim
        self.depth = len(channels)
        self.spatial = spatial
        self.readout = readout
        self.padding = padding
        self._kinds = tuple(kinds)
        self._idx = idx
        self._patch_indices, self._adjoint_indices = {}, {}  # by channel count
        self._pad = bool(np.any(idx == P))  # some kernel offset reads the zero slot
        self._P = P
        self._cin = widths
        self._scale = tuple(np.sqrt(float(b)) for _, b in mats)
        self._p_out = tuple(1 if kind == "full" else P for kind in kinds)
        # Points x positions x channels: the layout every pass uses.
        self._data = np.ascontiguousarray(np.moveaxis(X.reshape(n, c0, P), 1, 2))

    # -- patches (im2col) and their adjoint ----------------------------------------------------
    def _patch_index(self, c):
        """Flat positions in (P [+ the zero slot], c) of the patch entries (P, c * O), features ordered
        (channel, offset): one gather forms the patches in their final order."""
        cached = self._patch_indices.get(c)
        if cached is None:
            idx = self._idx  # (P, O)
            cached = (idx[:, None, :] * c + np.arange(c)[None, :, None]).reshape(-1)
            self._patch_indices[c] = cached
        return cached

    def _adjoint_index(self, c):
        """For the adjoint of the patches: (flat positions in (P_out, c * O) of the terms (P, O, c) that
        sum to each input position and channel, offsets in order; the (position, offset) pairs that no
        output position reads, whose terms are zero)."""
        cached = self._adjoint_indices.get(c)
        if cached is None:
            P, O = self._idx.shape
            inv = np.full((P + 1, O), -1)
            inv[self._idx, np.arange(O)[None, :]] = np.arange(P)[:, None]  # sources of one offset are distinct
            inv = inv[:P]
            missing = np.nonzero(inv < 0)
            src = np.where(inv < 0, 0, inv)
            flat = src[:, :, None] * (c * O) + np.arange(c)[None, None, :] * O + np.arange(O)[None, :, None]
            cached = (flat.reshape(-1), missing)
            self._adjoint_indices[c] = cached
        return cached

    def _gather(self, j, A):
        """The layer-j patches of A (..., P, c): (..., P_out, c * O), features ordered (channel, offset)."""
        kind = self._kinds[j]
        if kind == "point":
            return A
        c = A.shape[-1]
        if kind == "full":
            return np.swapaxes(A, -1, -2).reshape(A.shape[:-2] + (1, c * self._P))
        if self._pad:
            A = np.concatenate([A, np.zeros(A.shape[:-2] + (1, c))], axis=-2)
        flat = np.ascontiguousarray(A).reshape(A.shape[:-2] + (-1,))
        return np.take(flat, self._patch_index(c), axis=-1).reshape(A.shape[:-2] + (self._P, c * self._idx.shape[1]))

    def _scatter(self, j, G):
        """The adjoint of :meth:`_gather`: (..., P_out, c * O) -> (..., P, c). Each input position
        gathers its O terms, and they are summed in offset order (the order of adding one offset's
        shifted block at a time)."""
        kind = self._kinds[j]
        if kind == "point":
            return G
        c = self._cin[j]
        if kind == "full":
            return np.swapaxes(G.reshape(G.shape[:-2] + (c, self._P)), -1, -2)
        O = self._idx.shape[1]
        index, missing = self._adjoint_index(c)
        flat = np.ascontiguousarray(G).reshape(G.shape[:-2] + (-1,))
        terms = np.take(flat, index, axis=-1).reshape(G.shape[:-2] + (self._P, O, c))
        if missing[0].size:  # zero padding: pairs read by no output position
            terms[..., missing[0], missing[1], :] = 0.0
        return terms.sum(axis=-2)

    # -- backpropagation --------------------------------------------------------------------------
    def _tape(self, layers, data, *, second=False):
        """Forward and backward pass for per-layer matrices (k, a, b) on data (n, P, C_0), or per point
        (k, n, P, C_0)."""
        k = layers[0].shape[0]
        alpha = data if data.ndim == 4 else np.broadcast_to(data, (k,) + data.shape)
        last = len(layers) - 1
        patches, hs, d1, d2 = [], [], [], []
        for j, Wj in enumerate(layers):
            Pj = self._gather(j, alpha)
            h = (Pj @ np.swapaxes(Wj, -1, -2)[:, None]) / self._scale[j]
            patches.append(Pj)
            hs.append(h)
            if j < last:
                d1.append(self._hidden.dsigma(h))
                if second:
                    d2.append(self._hidden.d2sigma(h))
                alpha = self._hidden.sigma(h)
        z = hs[last][..., 0].mean(axis=-1)  # (k, n)
        d1.append(self._out.dsigma(z))
        if second:
            d2.append(self._out.d2sigma(z))
        deltas = [None] * len(layers)
        gs = [None] * len(layers)
        deltas[last] = np.broadcast_to((d1[last] / self._p_out[last])[..., None, None], hs[last].shape)
        for j in range(last, 0, -1):
            gs[j] = self._scatter(j, (deltas[j] @ layers[j][:, None]) / self._scale[j])
            deltas[j - 1] = d1[j - 1] * gs[j]
        return _Tape(layers, patches, hs, d1, d2 if second else None, deltas, gs)

    def _F(self, W):
        layers = self._split(W)
        alpha = np.broadcast_to(self._data, (W.shape[0],) + self._data.shape)
        for j, Wj in enumerate(layers):
            h = (self._gather(j, alpha) @ np.swapaxes(Wj, -1, -2)[:, None]) / self._scale[j]
            if j < len(layers) - 1:
                alpha = self._hidden.sigma(h)
        return self._out.sigma(h[..., 0].mean(axis=-1))

    def _factors(self, tape):
        """Per layer (delta, input, coef) of the gradient, summed over positions (see
        :meth:`LayeredSystem._jacobian`): (delta_j, patches_j, 1 / sqrt(fan-in))."""
        return [(tape.deltas[j], tape.patches[j], 1.0 / self._scale[j]) for j in range(len(self._mat_shapes))]

    def _kernel(self, W):
        """K = sum_j <delta_j^T patches_j, (same)>_F / fan-in_j, per layer the cheaper of two contractions.

        Over positions: K_j = sum_{p, q} (delta_j[i, p] . delta_j[i', q]) (patch_j[i, p] . patch_j[i', q]),
        O(k (n P)^2 (a + b)); or through the per-sample gradient matrix M_i = delta^T patches
        (a x b), O(k n a b (P + n)). Neither forms the full Jacobian.
        """
        tape = self._tape(self._split(W), self._data)
        k, n = W.shape[0], self.n
        K = np.zeros((k, n, n))
        for j, (a, b) in enumerate(self._mat_shapes):
            P = self._p_out[j]
            D, Q = tape.deltas[j], tape.patches[j]
            by_positions = self._kernel_by_positions
            if by_positions is None:
                by_positions = (n * P) ** 2 * (a + b) <= n * a * b * (P + n)
            if by_positions:
                D = np.reshape(D, (k, n * P, a))
                Q = np.reshape(Q, (k, n * P, b))
                G = (D @ np.swapaxes(D, -1, -2)) * (Q @ np.swapaxes(Q, -1, -2))
                K += G.reshape(k, n, P, n, P).sum(axis=(2, 4)) / self._scale[j] ** 2
            else:
                M = (np.swapaxes(D, -1, -2) @ Q).reshape(k, n, a * b)
                K += (M @ np.swapaxes(M, -1, -2)) / self._scale[j] ** 2
        return K

    def _tangent(self, tape, V):
        """R-operator: tangents V (per layer (k, p, a, b)) -> H_{F_i} v, shape (k, p, n, m).

        Forward: hdot_j = (gather(alphadot_j) W_j^T + patches_j V_j^T) / sqrt(fan_j),
        alphadot_{j+1} = sigma'(h_j) hdot_j, zdot = mean_p hdot_L. Backward:
        deltadot_L = sigma_out''(z) zdot / P_out; deltadot_{j-1} = sigma''(h_{j-1})
        hdot_{j-1} g_j + sigma'(h_{j-1}) scatter((deltadot_j W_j + delta_j V_j) / sqrt(fan_j));
        the tangent of the gradient of W_j is (deltadot_j^T patches_j + delta_j^T
        gather(alphadot_j)) / sqrt(fan_j).
        """
        layers = tape.layers
        k, p = V[0].shape[:2]
        n = tape.hs[0].shape[1]
        last = len(layers) - 1
        pdots, hdots = [], []
        alphadot = None
        for j, (Wj, Vj) in enumerate(zip(layers, V)):
            hd = tape.patches[j][:, None] @ np.swapaxes(Vj, -1, -2)[:, :, None]
            Pd = None if alphadot is None else self._gather(j, alphadot)
            if Pd is not None:
                hd = hd + Pd @ np.swapaxes(Wj, -1, -2)[:, None, None]
            hd /= self._scale[j]
            pdots.append(Pd)
            hdots.append(hd)
            if j < last:
                alphadot = tape.d1[j][:, None] * hd
        zdot = hdots[last][..., 0].mean(axis=-1)  # (k, p, n)
        dd = np.broadcast_to((tape.d2[last][:, None] * zdot / self._p_out[last])[..., None, None], hdots[last].shape)
        out = np.empty((k, p, n, self.m))
        for j in range(last, -1, -1):
            a, b = self._mat_shapes[j]
            block = out[..., self._offsets[j]:self._offsets[j + 1]].reshape(k, p, n, a, b)
            # a product over one term (one position, or one output channel) is an outer product: matprod
            # writes it element-wise, the same numbers as the matmul, without its per-sample loop
            matprod(np.swapaxes(dd, -1, -2), tape.patches[j][:, None], out=block)
            if pdots[j] is not None:
                block += matprod(np.swapaxes(tape.deltas[j], -1, -2)[:, None], pdots[j])
            block /= self._scale[j]
            if j > 0:
                back = matprod(dd, layers[j][:, None, None])
                back += matprod(tape.deltas[j][:, None], V[j][:, :, None])
                gdot = self._scatter(j, back / self._scale[j])  # a temporary of its own: written over
                # sigma''(h) hdot g + sigma'(h) gdot, in place (the same operations in the same order)
                dd = tape.d2[j - 1][:, None] * hdots[j - 1]
                dd *= tape.gs[j][:, None]
                gdot *= tape.d1[j - 1][:, None]
                dd += gdot
        return out


def conv(X, y, channels, *, kernel_size, activation="tanh", output=None, readout="pool", padding="circular",
         dim=1, rng=0, name=None):
    """A 1-D or 2-D convolutional network in NTK parameterization as a :class:`ConvSystem`.

    Parameters
    ----------
    X, y, channels, kernel_size, activation, output, readout, padding, dim, rng, name
        As for :class:`ConvSystem`: the inputs (n, C_0, ``*spatial``) or (n,
        ``*spatial``) and targets (n,), the hidden channel counts (the widths),
        the kernel side, the activations, the read-out (``"pool"`` or
        ``"flatten"``), the padding (``"circular"`` or ``"zero"``), the dimension
        (1 or 2), the seed or generator of w0 and a label.

    Returns
    -------
    ConvSystem

    Raises
    ------
    InvalidArgument
        If dim is not 1 or 2, X is not a finite array of rank dim + 1 or dim + 2
        with non-empty axes, y does not have one entry per point, channels is
        not a non-empty list of positive ints, kernel_size is not a positive
        int, activation, output, readout or padding is not an allowed name, or
        rng is not a non-negative int or a Generator.

    References
    ----------
    docs/theory.md §3.8, D8 and T22.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(1).standard_normal((3, 5, 5))  # three 5 x 5 images, one channel
    >>> net = conv(X, np.zeros(3), [4, 4], kernel_size=3, dim=2)
    >>> [s for s in net.layer_shapes]
    [(4, 1, 3, 3), (4, 4, 3, 3), (1, 4)]
    >>> bool(np.linalg.eigvalsh(net.kernel(net.w0)).min() > 0)
    True
    """
    return ConvSystem(X, y, channels, kernel_size=kernel_size, activation=activation, output=output,
                      readout=readout, padding=padding, dim=dim, rng=rng, name=name)
