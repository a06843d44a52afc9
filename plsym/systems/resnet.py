"""A fully connected residual network (NTK parameterization) as a System.

With width m, depth L >= 0 residual blocks and residual scale beta:

    h_0 = W_0 x / sqrt(d),
    h_l = h_{l-1} + (beta / sqrt(m)) W_l sigma(h_{l-1}),     l = 1, ..., L,
    f(W; x) = sigma_out(v^T sigma(h_L) / sqrt(m)),

with W_0 (m x d), W_l (m x m), v (m), all entries N(0, 1) at initialization.
Depth 0 is the two-layer network of D8. The width is m; every weight matrix is
scaled by 1/sqrt(fan-in) as in D8, and the residual branch keeps the identity
path, so the Hessian of F still decays like 1/sqrt(m) at fixed depth.

All derivatives are hand-derived and batched (backpropagation; the tangent
kernel as a sum over layers of (delta delta^T) * (input input^T); Hessian-vector
products forward-over-reverse, Pearlmutter's R-operator).

References
----------
docs/theory.md §3.8: D8 (the NTK parameterization), T22 (ResNets satisfy PL*).
"""

from __future__ import annotations

import numpy as np

from .._options import checked_options
from ..errors import as_rng, positive_finite, positive_int
from ._layered import LayeredSystem, check_activations, check_data_rows

__all__ = ["ResNetSystem", "resnet"]


class _Tape:
    """The forward and backward pass at a batch of points, kept for the R-operator."""

    __slots__ = ("X", "layers", "hs", "ss", "d1", "d2", "g", "es", "ts")

    def __init__(self, X, layers, hs, ss, d1, d2, g, es, ts):
        self.X = X            # the data rows (n, d) of this pass
        self.layers = layers  # W_0 (k, m, d), W_1..W_L (k, m, m), v (k, 1, m)
        self.hs = hs          # h_0..h_L, (k, n, m)
        self.ss = ss          # sigma(h_l)
        self.d1 = d1          # sigma'(h_l), then sigma_out'(z) (k, n) last
        self.d2 = d2          # sigma''(h_l), then sigma_out''(z); or None
        self.g = g            # d f / d z = sigma_out'(z), (k, n)
        self.es = es          # e_l = d f / d h_l
        self.ts = ts          # t_l = e_l W_l, l >= 1 (d f / d sigma(h_{l-1}) through block l, unscaled)


class ResNetSystem(LayeredSystem):
    """A residual network in NTK parameterization on the data X, as the system F(W) = y.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The inputs x_1, ..., x_n, one per row; finite.
    y : array_like, shape (n,)
        The targets.
    width : int
        m, the width of every hidden representation h_l.
    depth : int
        L >= 0, the number of residual blocks (0: the two-layer network of D8).
    activation : str, optional
        Hidden activation name (:data:`plsym.activations.NAMES`), default ``"tanh"``.
    output : str or None, optional
        Output activation name, or None (default) for a linear output.
    residual_scale : float, optional
        beta > 0, the factor of every residual branch (default 1).
    rng : int or numpy.random.Generator, optional
        Seed (recorded as ``.seed``) or generator drawing w0 with iid N(0, 1) entries.
    seed : int, optional
        Deprecated name of ``rng``.
    name : str, optional
        A label for reports.

    Attributes
    ----------
    X : ndarray, shape (n, d), read-only
    width, depth : int
    residual_scale : float
    activation : str
    output : str or None
    layer_shapes : tuple of (int, int)
        ``(m, d)``, then ``(m, m)`` L times, then ``(1, m)``.
    m, n, y, w0, derivatives
        As for :class:`plsym.System` (``self.m`` is the number of parameters,
        ``m d + L m^2 + m``; ``self.width`` is the width).

    Notes
    -----
    The function computed is

        h_0 = W_0 x / sqrt(d),  h_l = h_{l-1} + (beta / sqrt(m)) W_l sigma(h_{l-1}),
        f(W; x) = sigma_out(v^T sigma(h_L) / sqrt(m)).

    Parameters are W_0, W_1, ..., W_L, v, each flattened row-major and
    concatenated in that order. Every derivative is exact (float64); with ReLU,
    first derivatives use the subgradient 0 at the kink and Hessians are refused.

    Raises
    ------
    InvalidArgument
        As :func:`resnet`; and from every second-order evaluator (Hessians,
        their products and norms, per-layer block norms) with a ReLU activation.

    References
    ----------
    docs/theory.md §3.8, D8 and T22.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.systems.resnet import resnet
    >>> net = resnet(np.eye(3), [1.0, 0.0, -1.0], 16, 2)
    >>> net.layer_shapes, net.m
    (((16, 3), (16, 16), (16, 16), (1, 16)), 576)
    """

    @checked_options(renamed={"seed": "rng"}, name="ResNetSystem")
    def __init__(self, X, y, width, depth, *, activation="tanh", output=None, residual_scale=1.0, rng=0,
                 name=None):
        X = check_data_rows(X)
        width = positive_int("width", width)
        depth = positive_int("depth", depth, minimum=0)
        hidden, out, reason = check_activations(activation, output)
        beta = positive_finite("residual_scale", residual_scale)
        rng = as_rng(rng)

        n, d = X.shape
        shapes = [(width, d)] + [(width, width)] * depth + [(1, width)]
        if name is None:
            name = (f"resnet(d={d}, width={width}, depth={depth}, activation={hidden.name!r}"
                    + (f", output={out.name!r}" if output is not None else "")
                    + (f", residual_scale={beta!r}" if beta != 1.0 else "") + ")")
        self._init_family(X, y, shapes, shapes, activations=(hidden, out, reason), output=output, rng=rng,
                          name=name)
        self.width = width
        self.depth = depth
        self.residual_scale = beta
        self._data = self.X
        self._sqrt_d = np.sqrt(float(d))
        self._sqrt_m = np.sqrt(float(width))
        self._c = beta / self._sqrt_m  # the residual branch factor
        self._gram0 = self.X @ self.X.T

    # -- backpropagation --------------------------------------------------------------------------
    def _forward(self, layers, X):
        """h_0..h_L and sigma(h_l) for layers (k, ...) on inputs X (n, d)."""
        h = (X @ np.swapaxes(layers[0], -1, -2)) / self._sqrt_d  # (k, n, m)
        hs, ss = [h], [self._hidden.sigma(h)]
        for Wl in layers[1:-1]:
            h = h + self._c * (ss[-1] @ np.swapaxes(Wl, -1, -2))
            hs.append(h)
            ss.append(self._hidden.sigma(h))
        return hs, ss

    def _tape(self, layers, X, *, second=False):
        """Forward and backward pass for layers (k, a, b) on inputs X (n, d), or per point (k, n, d)."""
        hs, ss = self._forward(layers, X)
        v = layers[-1]  # (k, 1, m)
        z = (ss[-1] @ np.swapaxes(v, -1, -2))[..., 0] / self._sqrt_m  # (k, n)
        d1 = [self._hidden.dsigma(h) for h in hs] + [self._out.dsigma(z)]
        d2 = [self._hidden.d2sigma(h) for h in hs] + [self._out.d2sigma(z)] if second else None
        g = d1[-1]
        L = self.depth
        es = [None] * (L + 1)
        ts = [None] * (L + 1)
        es[L] = (g[..., None] * v / self._sqrt_m) * d1[L]
        for l in range(L, 0, -1):
            ts[l] = es[l] @ layers[l]
            es[l - 1] = es[l] + self._c * d1[l - 1] * ts[l]
        return _Tape(X, layers, hs, ss, d1, d2, g, es, ts)

    def _F(self, W):
        layers = self._split(W)
        _, ss = self._forward(layers, self._data)
        return self._out.sigma((ss[-1] @ np.swapaxes(layers[-1], -1, -2))[..., 0] / self._sqrt_m)

    def _factors(self, tape):
        """Per layer (delta, input, coefficient): the gradient of layer j is coef * delta outer input."""
        L = self.depth
        X = np.broadcast_to(tape.X, tape.hs[0].shape[:-1] + tape.X.shape[-1:])
        return ([(tape.es[0], X, 1.0 / self._sqrt_d)]
                + [(tape.es[l], tape.ss[l - 1], self._c) for l in range(1, L + 1)]
                + [(tape.g[..., None], tape.ss[L], 1.0 / self._sqrt_m)])

    def _tangent(self, tape, V):
        """R-operator: tangents V (per layer (k, p, a, b)) -> H_{F_i} v, shape (k, p, n, m).

        Forward: hdot_0 = V_0 x / sqrt(d), hdot_l = hdot_{l-1} + c (V_l s_{l-1} +
        W_l sdot_{l-1}) with s = sigma(h), sdot = sigma'(h) hdot, c = beta / sqrt(m);
        zdot = (v . sdot_L + u . s_L) / sqrt(m) for the read-out tangent u.
        Backward: gdot = sigma_out''(z) zdot; edot_L = (gdot v + g u) / sqrt(m)
        sigma'(h_L) + g v / sqrt(m) sigma''(h_L) hdot_L; edot_{l-1} = edot_l + c
        (sigma''(h_{l-1}) hdot_{l-1} t_l + sigma'(h_{l-1}) (edot_l W_l + e_l V_l))
        with t_l = e_l W_l. Gradient tangents: c (edot_l s_{l-1}^T + e_l
        sdot_{l-1}^T), edot_0 x^T / sqrt(d), (gdot s_L + g sdot_L) / sqrt(m).
        """
        layers = tape.layers
        L = self.depth
        k, p = V[0].shape[:2]
        n = tape.hs[0].shape[-2]
        X = tape.X if tape.X.ndim == 2 else tape.X[:, None]  # shared (n, d), or per point (k, 1, n, d)
        hd = (X @ np.swapaxes(V[0], -1, -2)) / self._sqrt_d  # (k, p, n, m)
        hdots, sdots = [hd], [tape.d1[0][:, None] * hd]
        for l in range(1, L + 1):
            hd = hd + self._c * (tape.ss[l - 1][:, None] @ np.swapaxes(V[l], -1, -2)
                                 + sdots[-1] @ np.swapaxes(layers[l], -1, -2)[:, None])
            hdots.append(hd)
            sdots.append(tape.d1[l][:, None] * hd)
        v, u = layers[-1][:, None], V[-1]  # (k, 1, 1, m), (k, p, 1, m)
        zdot = ((sdots[L] @ np.swapaxes(v, -1, -2)) + (tape.ss[L][:, None] @ np.swapaxes(u, -1, -2)))[..., 0]
        zdot /= self._sqrt_m
        g = tape.g[:, None, :, None]  # (k, 1, n, 1)
        gdot = (tape.d2[-1][:, None] * zdot)[..., None]  # (k, p, n, 1)
        b = g * v / self._sqrt_m
        bdot = (gdot * v + g * u) / self._sqrt_m
        ed = bdot * tape.d1[L][:, None] + b * tape.d2[L][:, None] * hdots[L]
        out = np.empty((k, p, n, self.m))

        def write(j, delta_dot, inp, delta, inp_dot, coef):
            a, bb = self._mat_shapes[j]
            block = out[..., self._offsets[j]:self._offsets[j + 1]].reshape(k, p, n, a, bb)
            if delta is None:
                np.multiply(delta_dot[..., :, None], coef * inp[..., None, :], out=block)
                return
            # coef (delta_dot inp^T + delta inp_dot^T) as one (a x 2)(2 x b) product per sample, written in
            # place: one pass over the block instead of a product, a temporary, a sum and a scaling
            left, right = np.empty((k, p, n, a, 2)), np.empty((k, p, n, 2, bb))
            np.multiply(delta_dot, coef, out=left[..., 0])
            np.multiply(delta, coef, out=left[..., 1])
            right[..., 0, :], right[..., 1, :] = inp, inp_dot
            np.matmul(left, right, out=block)

        write(L + 1, gdot, tape.ss[L][:, None], g, sdots[L], 1.0 / self._sqrt_m)
        for l in range(L, 0, -1):
            e = tape.es[l][:, None]
            write(l, ed, tape.ss[l - 1][:, None], e, sdots[l - 1], self._c)
            tdot = ed @ layers[l][:, None] + e @ V[l]
            ed = ed + self._c * (tape.d2[l - 1][:, None] * hdots[l - 1] * tape.ts[l][:, None]
                                 + tape.d1[l - 1][:, None] * tdot)
        write(0, ed, X, None, None, 1.0 / self._sqrt_d)
        return out


@checked_options(renamed={"seed": "rng"})
def resnet(X, y, width, depth, *, activation="tanh", output=None, residual_scale=1.0, rng=0, name=None):
    """A fully connected residual network in NTK parameterization as a :class:`ResNetSystem`.

    The network is h_0 = W_0 x / sqrt(d), h_l = h_{l-1} + (beta / sqrt(m))
    W_l sigma(h_{l-1}) for l = 1..L, f = sigma_out(v^T sigma(h_L) / sqrt(m)).

    Parameters
    ----------
    X, y, width, depth, activation, output, residual_scale, rng, name
        As for :class:`ResNetSystem`: the inputs (n, d) and targets (n,), the
        width m, the number L >= 0 of residual blocks, the activations, the
        residual scale beta > 0 (default 1), the seed or generator of w0 and a label.

    Returns
    -------
    ResNetSystem

    Raises
    ------
    InvalidArgument
        If X is not a finite 2-D array with a row and a column, y does not have
        one entry per row of X, width is not a positive int, depth is not an
        int >= 0, activation or output is not a registered name, residual_scale
        is not a positive finite number, or rng is not a non-negative int or a Generator.

    References
    ----------
    docs/theory.md §3.8, D8 and T22.

    Examples
    --------
    >>> import numpy as np
    >>> net = resnet(np.eye(2), [1.0, -1.0], 512, 2)
    >>> bool(np.linalg.eigvalsh(net.kernel(net.w0)).min() > 0)
    True
    """
    return ResNetSystem(X, y, width, depth, activation=activation, output=output, residual_scale=residual_scale,
                        rng=rng, name=name)
