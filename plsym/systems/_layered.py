"""Shared machinery of the hand-differentiated network families (fully connected, conv, resnet).

A family subclasses :class:`LayeredSystem` and supplies a forward/backward pass
(``_tape``) and its forward-over-reverse tangent (``_tangent``, Pearlmutter's
R-operator). This module then derives, once for every family: the parameter
layout by layer, Hessian-vector products, dense per-output Hessians (for small
cases and tests), the Hessian norm (dense or Lanczos) with its top eigenpair,
and the per-layer block norms of the Hessian with the bound they give.
"""

from __future__ import annotations

import math

import numpy as np

from .. import activations
from .._linalg import CHUNK_FLOATS, DENSE_HESSIAN_MAX, abs_max_eig, batched_top_eig, check_dense_size, \
    hessians_from_columns, in_chunks
from ..errors import InvalidArgument, _show, as_real_array, positive_int
from ..system import System

# The Lanczos vectors of one batch of operators hold about this many floats: each step makes a few passes
# over them and a tangent pass, a third faster while they stay in cache (an eighth of CHUNK_FLOATS: one
# operator at a time for a ResNet of 130k parameters, four for a CNN of 26k, seven for a network of 17k).
_LANCZOS_FLOATS = CHUNK_FLOATS // 8
# Lanczos steps of the Hessian norm that only ranks points (estimators' samples, single-neuron moves):
# a Ritz value bounds the norm from below after any number of steps, and the order of the largest
# settles well before the value converges (a two-hidden-layer net, 1024 points: 16 steps against 36.5
# on average to a residual of 1e-10, the best point and the top 8 the same, values at most 7e-7 lower).
_SCREEN_STEPS = 16
# Batched first-order passes (the kernel at many points) run on chunks of points of about this many floats
# per layer array.
_CACHE_FLOATS = 2**18


def check_activations(activation, output):
    """(hidden, out, reason): the Activation objects and why Hessians are undefined (or None)."""
    hidden = activations.get(activation, argument="activation")
    if output is None:
        out = activations.get("identity")
    else:
        if not isinstance(output, str) or output not in activations.NAMES:
            raise InvalidArgument(
                f"output={_show(output)} is not allowed; choose None (a linear output) or one of "
                f"{', '.join(map(repr, activations.NAMES))}"
            )
        out = activations.get(output, argument="output")
    rough = [f"{arg}={act.name!r}" for arg, act in (("activation", hidden), ("output", out)) if not act.smooth]
    reason = None
    if rough:
        reason = (f"the network uses {' and '.join(rough)}, which {'is' if len(rough) == 1 else 'are'} "
                  "not twice differentiable")
    return hidden, out, reason


def check_data_rows(X):
    """X as a finite (n, d) array with a row and a column, or InvalidArgument naming X."""
    X = as_real_array("X", X, ndim=2)
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise InvalidArgument(
            f"X has shape {X.shape}; it needs at least one row (a data point) and one column (a feature)"
        )
    return X


def check_int_list(name, values, example):
    """A non-empty list of positive ints as a tuple, or InvalidArgument naming ``name``."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InvalidArgument(f"{name}={_show(values)} must be a non-empty list of positive ints, such as {example}")
    values = list(values)
    if not values:
        raise InvalidArgument(f"{name}=[] is empty; give at least one, such as {example}")
    return tuple(positive_int(f"{name}[{j}]", v) for j, v in enumerate(values))


class LayeredSystem(System):
    """A network whose parameters are a list of weight arrays, differentiated by hand.

    Subclasses set the layout with :meth:`_init_layout`, store the data (in the
    layout their pass expects, one data point per leading row) as ``_data`` and
    implement ``_tape(layers, data, *, second)`` (the forward and backward pass
    of the per-layer weight matrices ``layers``, each ``(k, a, b)``, on data rows),
    ``_factors(tape)`` (the per-layer gradient factors, see :meth:`_jacobian`)
    and ``_tangent(tape, V)`` (tangents ``V``, per layer ``(k, p, a, b)``, to the
    per-output Hessian-vector products, ``(k, p, n, m)``).
    """

    # Up to this many parameters hessian_norm and loss_hessian_norm form dense Hessians; above, Lanczos.
    # Dense Hessians here take m tangent passes, Lanczos a few dozen batched ones: Lanczos at every size.
    _dense_max_m = 0
    _non_smooth_reason: str | None = None

    def _init_layout(self, shapes, mat_shapes):
        """Record the natural weight shapes and the (rows, cols) matrices the passes use."""
        self.layer_shapes = tuple(tuple(int(s) for s in shape) for shape in shapes)
        self._mat_shapes = tuple((int(a), int(b)) for a, b in mat_shapes)
        self._offsets = tuple(int(o) for o in np.cumsum([0] + [a * b for a, b in self._mat_shapes]))
        return self._offsets[-1]

    def _init_family(self, X, y, shapes, mat_shapes, *, activations, output, rng, name):
        """The layout, w0 with iid N(0, 1) entries drawn from ``rng`` (a (Generator, seed) pair of
        :func:`plsym.errors.as_rng`), and the attributes every family shares; ``activations`` is
        ``check_activations``' (hidden, out, reason)."""
        hidden, out, reason = activations
        gen, seed = rng
        m = self._init_layout(shapes, mat_shapes)
        w0 = gen.standard_normal(m)
        self._setup(m=m, n=X.shape[0], y=y, w0=w0, name=name)
        self.derivatives = {"jacobian": "exact", "hessians": "exact"}
        self._non_smooth_reason = reason  # System._require_smooth raises with it in hessians, hvp, ...
        X = X.copy()
        X.setflags(write=False)
        self.X = X
        self.activation = hidden.name
        self.output = output
        self.seed = seed
        self._hidden, self._out = hidden, out

    # -- layout -------------------------------------------------------------------
    def unflatten(self, w):
        """Split parameters into the per-layer weight arrays.

        Parameters
        ----------
        w : array_like, shape (m,) or (k, m)

        Returns
        -------
        list of ndarray
            One array per layer with the shapes ``layer_shapes``, each with a
            leading k axis when ``w`` is a batch (views into ``w`` where possible).
        """
        W = as_real_array("w", w, ndim=(1, 2))
        if W.shape[-1] != self.m:
            raise InvalidArgument(f"w has shape {W.shape}; it must be (m,) or (k, m) with m={self.m} parameters")
        lead = W.shape[:-1]
        return [W[..., o:o + a * b].reshape(lead + shape)
                for o, (a, b), shape in zip(self._offsets, self._mat_shapes, self.layer_shapes)]

    def flatten(self, layers):
        """Concatenate per-layer weight arrays into parameters, the inverse of :meth:`unflatten`.

        Parameters
        ----------
        layers : sequence of array_like
            One array per layer with the shapes ``layer_shapes``, all with or all
            without the same leading batch axis.

        Returns
        -------
        ndarray, shape (m,) or (k, m)
        """
        count = len(self.layer_shapes)
        if isinstance(layers, np.ndarray) or not hasattr(layers, "__len__") or len(layers) != count:
            raise InvalidArgument(f"layers must be a list of {count} arrays with shapes {list(self.layer_shapes)}")
        arrays = [as_real_array(f"layers[{j}]", a) for j, a in enumerate(layers)]
        lead = arrays[0].shape[:arrays[0].ndim - len(self.layer_shapes[0])]
        if len(lead) > 1:
            raise InvalidArgument(f"layers[0] has shape {arrays[0].shape}; at most one leading batch axis is allowed")
        for j, (a, shape) in enumerate(zip(arrays, self.layer_shapes)):
            if a.shape != lead + shape:
                raise InvalidArgument(f"layers[{j}] has shape {a.shape}; it must be {lead + shape}")
        return np.concatenate([a.reshape(lead + (-1,)) for a in arrays], axis=-1)

    def _split(self, W):
        """Per-layer matrix views (..., a, b) of W (..., m), any leading axes, unchecked."""
        lead = W.shape[:-1]
        return [W[..., o:o + a * b].reshape(lead + (a, b)) for o, (a, b) in zip(self._offsets, self._mat_shapes)]

    # -- symbolic forms: none -----------------------------------------------------------
    @property
    def params(self):
        """Not available: this family has numeric evaluators only.

        Raises
        ------
        InvalidArgument
            Always.
        """
        raise InvalidArgument(f"system {self.name!r} has no symbolic parameters; use the numeric evaluators "
                              "(F, jacobian, kernel, hvp, hessian_norm)")

    @property
    def outputs(self):
        """Not available: this family has numeric evaluators only.

        Raises
        ------
        InvalidArgument
            Always.
        """
        raise InvalidArgument(f"system {self.name!r} has no symbolic outputs; use the numeric evaluators "
                              "(F, jacobian, kernel, hvp, hessian_norm)")

    # -- first derivatives from the gradient factors -------------------------------------------
    def _jacobian(self, W):
        """Per-sample gradients from ``_factors(tape)``: per layer j, (delta, input, coef) with
        d f(x_i) / d W_j = coef delta[i]^T input[i]; delta (k, n, a) and input (k, n, b) for a
        layer applied once (an outer product), or (k, n, P, a) and (k, n, P, b), summed over
        the P positions where it is applied."""
        return self._jacobian_from_tape(self._tape(self._split(W), self._data), W.shape[0])

    def _F_from_tape(self, tape):
        """F at the tape's points when the family keeps its output on the tape, else None."""
        return None

    def _linearization(self, w):
        """(F(w), c -> DF(w)^T c, ||DF(w)||_F) at one point from one forward and backward pass, without
        forming DF (a GD step needs F, one or two backward products and the norm of DF for its round-off bar)."""
        tape = self._tape(self._split(w[None, :]), self._data)
        F = self._F_from_tape(tape)
        F = (self._F(w[None, :]) if F is None else F)[0]
        return F, lambda c: self._vjp_from_tape(tape, c[None, :])[0], self._jacobian_norm_from_tape(tape)

    def _vjp(self, W, C):
        """DF^T c per point, (k, m), (k, n) -> (k, m): one backward pass, no Jacobian."""
        return self._vjp_from_tape(self._tape(self._split(W), self._data), C)

    def _vjp_from_tape(self, tape, C):
        """DF^T c from the gradient factors: per layer coef sum_i c_i delta_i^T input_i, summed over the
        positions of a layer applied several times; one (a x n)(n x b) product per layer and point."""
        k = C.shape[0]
        out = np.empty((k, self.m))
        for j, (delta, inp, coef) in enumerate(self._factors(tape)):
            a, b = self._mat_shapes[j]
            block = out[:, self._offsets[j]:self._offsets[j + 1]].reshape(k, a, b)
            if delta.ndim == 3:
                np.matmul(np.swapaxes((coef * C)[:, :, None] * delta, -1, -2), inp, out=block)
            else:  # (k, n, P, a), (k, n, P, b): the rows and the positions are one contracted axis
                d = ((coef * C)[:, :, None, None] * delta).reshape(k, -1, a)
                np.matmul(np.swapaxes(d, -1, -2), inp.reshape(k, -1, b), out=block)
        return out

    def _jacobian_norm_from_tape(self, tape):
        """||DF||_F at the tape's single point from the gradient factors: a layer applied once has the
        row blocks coef delta_i outer input_i, of norm |coef| ||delta_i|| ||input_i||; a layer applied at
        several positions has the blocks coef delta_i^T input_i, formed one layer at a time."""
        total = 0.0
        for delta, inp, coef in self._factors(tape):
            delta, inp = delta[0], inp[0]
            if delta.ndim == 2:
                sq = np.einsum("ia,ia->i", delta, delta) @ np.einsum("ib,ib->i", inp, inp)
            else:
                M = np.swapaxes(delta, -1, -2) @ inp
                sq = np.vdot(M, M)
            total += coef * coef * float(sq)
        return math.sqrt(total)

    def _jacobian_from_tape(self, tape, k):
        J = np.empty((k, self.n, self.m))
        for j, (delta, inp, coef) in enumerate(self._factors(tape)):
            a, b = self._mat_shapes[j]
            # written straight into J (splitting the last axis of a slice is a view): no temporaries of J's size
            block = J[..., self._offsets[j]:self._offsets[j + 1]].reshape(k, self.n, a, b)
            if delta.ndim == 3:
                np.multiply(delta[..., :, None], coef * inp[..., None, :], out=block)
            else:
                np.matmul(np.swapaxes(delta, -1, -2), inp, out=block)
                block *= coef
        return J

    def _kernel(self, W):
        """K = sum_j coef_j^2 (delta_j delta_j^T) * (input_j input_j^T) for layers applied once
        (the Jacobian block of layer j is the row-wise Kronecker product of delta_j and
        coef_j input_j), O(k n^2 sum_j (a_j + b_j)) without forming J; the first layer's
        input is the data, whose Gram matrix ``_gram0`` is the same at every W. Points in chunks
        whose passes stay in cache (:meth:`_cache_chunks`)."""
        return self._cache_chunks(self._kernel_chunk, W)

    def _cache_chunks(self, fn, W):
        """``fn`` over the points W in chunks whose per-layer arrays (n x width per point) hold about
        _CACHE_FLOATS floats: the same numbers, several times faster than one pass over a long trajectory."""
        return in_chunks(fn, W, self.n * sum(a + b for a, b in self._mat_shapes), _CACHE_FLOATS)

    def _kernel_chunk(self, W):
        tape = self._tape(self._split(W), self._data)
        K = np.zeros((W.shape[0], self.n, self.n))
        for j, (delta, inp, coef) in enumerate(self._factors(tape)):
            dd = delta @ np.swapaxes(delta, -1, -2)
            ii = self._gram0 if j == 0 else inp @ np.swapaxes(inp, -1, -2)
            K += coef ** 2 * dd * ii
        return K

    # -- second derivatives from the R-operator ---------------------------------------------
    def _hvp(self, W, V):
        """Exact per-output Hessian-vector products H_{F_i}(w) v, matrix-free: (k, n, m)."""
        self._require_smooth()
        tape = self._tape(self._split(W), self._data, second=True)
        return self._tangent(tape, self._split(V[:, None]))[:, 0]

    def _hessians(self, W):
        """Dense per-output Hessians from the R-operator on identity columns, in chunks."""
        self._require_smooth()
        k, m, n = W.shape[0], self.m, self.n
        check_dense_size(k, n, m, "a network")
        tape = self._tape(self._split(W), self._data, second=True)

        def columns(start, stop):
            E = np.zeros((k, stop - start, m))
            E[:, np.arange(stop - start), np.arange(start, stop)] = 1.0
            return self._tangent(tape, self._split(E))

        return hessians_from_columns(columns, k, n, m, max(1, CHUNK_FLOATS // (4 * k * n * m)))

    def _hessian_norm(self, W):
        """||H_F(w)|| = max_i ||H_{F_i}(w)||_2: dense eigvalsh for small m, else Lanczos (a lower bound).

        The value at w0 is computed once per system and reused: width checks ask it at W0 and again
        as the centre of every ball they sample around W0.
        """
        self._require_smooth()
        if self._dense_hessian_norm():
            return self._hessian_norm_dense(W)
        at_w0 = np.all(W == self.w0, axis=1)
        if not at_w0.any():
            return self._hessian_norm_lanczos(W)
        cached = getattr(self, "_hessian_norm_w0", None)
        if cached is None or cached[0] is not self.w0:
            cached = self._hessian_norm_w0 = (self.w0, float(self._hessian_norm_lanczos(self.w0[None, :])[0]))
        out = np.full(W.shape[0], cached[1])
        if not at_w0.all():
            out[~at_w0] = self._hessian_norm_lanczos(W[~at_w0])
        return out

    def _dense_hessian_norm(self):
        """Whether ||H_F|| comes from dense Hessians here (small m) rather than Lanczos."""
        return self.m <= self._dense_max_m and self.n * self.m ** 2 <= DENSE_HESSIAN_MAX

    def _hessian_norm_screen(self, W):
        """Lower bounds of ||H_F(w)|| for ranking many points: the Lanczos of :meth:`_hessian_norm`
        stopped after ``_SCREEN_STEPS`` steps (or at convergence); None where dense Hessians give
        the value itself."""
        self._require_smooth()
        if self._dense_hessian_norm():
            return None
        return self._hessian_norm_lanczos(W, max_steps=min(self.m, _SCREEN_STEPS))

    def _hessian_norm_dense(self, W):
        """max_i ||H_{F_i}||_2 by eigvalsh of dense Hessians, points in memory-bounded chunks (the
        generic :meth:`System._hessian_norm`)."""
        return System._hessian_norm(self, W)

    def _output_operators(self, W):
        """For each point p and output i, (p, i, matvec) with matvec v -> H_{F_i}(W[p]) v.

        One operator per (point, output), for the Krylov methods that take one
        operator at a time; each matvec is one tangent pass over a single data row.
        """
        layers_all = self._split(W)
        for p in range(W.shape[0]):
            layers = [Wj[p:p + 1] for Wj in layers_all]
            for i in range(self.n):
                tape = self._tape(layers, self._data[i:i + 1], second=True)

                def matvec(x, tape=tape):
                    return self._tangent(tape, self._split(np.ravel(x)[None, None]))[0, 0, 0]
                yield p, i, matvec

    def _hessian_norm_lanczos(self, W, *, tol=None, vectors=False, max_steps=None):
        """max_i ||H_{F_i}||_2 by Lanczos on the matrix-free hvp (Ritz values: lower bounds).

        One batched Lanczos (:func:`plsym._linalg.batched_top_eig`) runs on the k n operators
        (point p, output i) at once, each step one tangent pass in which pair (p, i) sees
        only its data row (the tape takes per-pair data, shape (pairs, 1, ...)), so a single
        point costs one Lanczos, not n. With ``vectors=True``, also the output, Ritz vector
        and signed Ritz value of the best, per point (as :meth:`_hessian_norm_top`); ``max_steps``
        caps the Lanczos steps and ``tol`` sets the residual bound (defaults:
        :func:`plsym._linalg.batched_top_eig`'s, a residual of 1e-7 of the value for norms and
        1e-10 with vectors).
        """
        k, m, n = W.shape[0], self.m, self.n
        layers_all = self._split(W)
        tapes = {}

        def matvec(V, rows):
            key = rows.tobytes()  # Lanczos asks the same rows until one of them converges
            if key not in tapes:
                tapes.clear()
                points, outputs = np.divmod(rows, n)
                tapes[key] = self._tape([Wj[points] for Wj in layers_all], self._data[outputs][:, None],
                                        second=True)
            return self._tangent(tapes[key], self._split(V[:, None]))[:, 0, 0]

        lam, Q = batched_top_eig(matvec, k * n, m, tol=tol, vectors=vectors, max_steps=max_steps,
                                 max_floats=_LANCZOS_FLOATS)
        size = np.abs(lam).reshape(k, n)
        out = size.max(axis=1)
        if not vectors:
            return out
        best_i = size.argmax(axis=1)  # the first output attaining the max
        pick = np.arange(k) * n + best_i
        best_q, best_lam = Q[pick], lam[pick]
        zero = out == 0  # the zero operator: e_0, as no output improves on 0
        best_q[zero], best_i[zero] = np.eye(1, m), 0
        return out, best_i, best_q, best_lam

    def _hessian_norm_top(self, W):
        """The eigenpair behind ||H_F(w)|| (see :meth:`System._hessian_norm_top`): dense for small
        m, else the Lanczos Ritz pair."""
        self._require_smooth()
        if self._dense_hessian_norm():
            return super()._hessian_norm_top(W)
        return self._hessian_norm_lanczos(W, vectors=True)

    def layer_hessian_norms(self, w):
        """Spectral norms of the layer blocks H_{F_i}[W_a, W_b] of every per-output Hessian.

        The block (a, b) is the map from a tangent of layer b to the part of
        H_{F_i} v on layer a. Its norm is the largest |eigenvalue| of the
        symmetric operator [[H_aa, 0], [0, 0]] for a = b and of
        [[0, H_ab], [H_ba, 0]] for a != b, found by Lanczos on the R-operator
        restricted to those layers (Ritz values: each at most the true norm, up
        to the tolerance 1e-10).

        Parameters
        ----------
        w : array_like, shape (m,) or (k, m)

        Returns
        -------
        ndarray, shape (n, l, l) or (k, n, l, l)
            ``B[..., i, a, b] = ||H_{F_i}[W_a, W_b]||_2`` for the l layers in
            ``layer_shapes`` order; symmetric in (a, b).

        Raises
        ------
        InvalidArgument
            If w has the wrong shape, or an activation is not twice differentiable.

        Notes
        -----
        For any symmetric block matrix, ||H|| <= ||B||_2 where B is the matrix
        of block norms (apply the triangle inequality to the blockwise product
        and Cauchy-Schwarz). :meth:`layer_hessian_bound` returns that bound:
        with exact block norms it is an upper bound of ||H_{F_i}||; with the
        Ritz values here each block is under-estimated by at most the Lanczos
        tolerance, so the bound is as reliable as they are.

        References
        ----------
        docs/theory.md §3.8, T19 (the per-layer decomposition of the Hessian of
        a wide network), T22.
        """
        self._require_smooth()
        W, single = self._points(w)
        count = len(self._mat_shapes)
        out = np.zeros((W.shape[0], self.n, count, count))
        rng = np.random.default_rng(0)  # fixed starts: reproducible
        masks = [np.zeros(self.m, dtype=bool) for _ in range(count)]
        for j, mask in enumerate(masks):
            mask[self._offsets[j]:self._offsets[j + 1]] = True
        for p, i, matvec in self._output_operators(W):
            for a in range(count):
                for b in range(a, count):
                    both = masks[a] | masks[b]
                    size = int(both.sum())

                    def block(x, a=a, b=b, both=both):
                        v = np.zeros(self.m)
                        v[both] = x
                        if a == b:
                            return matvec(v)[both]
                        # [[0, H_ab], [H_ba, 0]]: cross terms only
                        va, vb = np.where(masks[a], v, 0.0), np.where(masks[b], v, 0.0)
                        return np.where(masks[a], matvec(vb), 0.0)[both] + np.where(masks[b], matvec(va), 0.0)[both]
                    val = abs_max_eig(block, size, v0=rng.standard_normal(size))
                    out[p, i, a, b] = out[p, i, b, a] = val
        return out[0] if single else out

    def layer_hessian_bound(self, w):
        """The per-layer bound max_i ||(||H_{F_i}[W_a, W_b]||)_{a,b}||_2 of ||H_F(w)||, shape () or (k,).

        Parameters
        ----------
        w : array_like, shape (m,) or (k, m)

        Returns
        -------
        ndarray
            The spectral norm of the matrix of block norms from
            :meth:`layer_hessian_norms`, maximised over outputs.

        Raises
        ------
        InvalidArgument
            As :meth:`layer_hessian_norms`.

        Notes
        -----
        ||H|| <= ||B||_2 for the block-norm matrix B of a symmetric H; the bound
        is exact when the blocks' top singular vectors align and otherwise
        shows which layer pairs carry the curvature (T19: every block of a wide
        network is O~(1/sqrt(width))).

        References
        ----------
        docs/theory.md §3.8, T19, T22.
        """
        B = self.layer_hessian_norms(w)
        return np.linalg.norm(B, ord=2, axis=(-2, -1)).max(axis=-1)
