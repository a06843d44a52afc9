"""Systems from JAX and PyTorch models, with derivatives from the framework's own autodiff.

``from_jax(f, params, X, y)`` and ``from_torch(model, X, y)`` turn a model with
one scalar output per input row into the system F(w) = (f(w; x_1), ..., f(w; x_n))
with targets y (docs/theory.md §1), so that every estimator and the GD/SGD
runs of plsym work on it. The parameters w are the model's parameters flattened
in the framework's own order (``jax.flatten_util.ravel_pytree``; the order of
``model.named_parameters()`` for PyTorch, each tensor row-major), and ``w0`` is
the model's current parameters.

Derivatives are exact (automatic differentiation, float64), batched over the k
points and the n data rows by ``vmap``:

=============  ==========================================================
hook           autodiff
=============  ==========================================================
``_F``         vmap over points of vmap over rows of f
``_jacobian``  vmap over points and rows of the reverse-mode gradient
``_kernel``    J J^T from the batched Jacobian (D2)
``_hvp``       H_{F_i}(w) v, forward-over-reverse: jvp of the gradient
``_hessians``  hvp on the identity columns (small m only)
=============  ==========================================================

The frameworks are optional extras, imported only when an adapter is called:
``pip install "plsym[jax]"`` or ``pip install "plsym[torch]"``.

These systems have no symbolic form: ``params`` and ``outputs`` raise
InvalidArgument, so :mod:`plsym.certify` reports them not certified, with the
reason, and never a number it did not prove.
"""

from __future__ import annotations

import numpy as np

from .errors import InvalidArgument, _show, as_real_array
from ._linalg import CHUNK_FLOATS, DENSE_HESSIAN_MAX, abs_max_eig, check_dense_size, hessians_from_columns
from .system import System, eigvalsh

__all__ = ["AutodiffSystem", "JaxSystem", "TorchSystem", "from_jax", "from_torch"]

# hessian_norm forms dense Hessians up to this many parameters, then uses Lanczos.
_DENSE_MAX_M = 400


def _missing(framework, extra):
    """The ImportError raised when an optional framework is absent, naming the extra to install."""
    return ImportError(
        f"{framework} is not installed; plsym.adapters.from_{extra} needs it. "
        f'Install the optional extra: pip install "plsym[{extra}]"'
    )


def _as_data(X):
    """The inputs as a finite float64 array with one row per data point."""
    X = as_real_array("X", X)
    if X.ndim < 1 or X.shape[0] < 1:
        raise InvalidArgument(f"X has shape {X.shape}; it needs at least one row (one data point per row)")
    return X


class AutodiffSystem(System):
    """Base of the framework adapters: the parts that do not depend on the framework.

    Subclasses provide the batch hooks ``_F`` (k, n), ``_jacobian`` (k, n, m) and
    ``_hvp`` (k, n, m); the kernel, dense Hessians and Hessian norms are built
    from them here.
    """

    def _refuse_symbolic(self, what):
        raise InvalidArgument(
            f"system {self.name!r} was built from a {self.framework} model; it has no symbolic {what} "
            "(use the numeric evaluators: F, jacobian, kernel, hvp, hessian_norm)"
        )

    @property
    def params(self):
        """Not available: raises InvalidArgument (no symbolic parameters)."""
        self._refuse_symbolic("parameters")

    @property
    def outputs(self):
        """Not available: raises InvalidArgument (no symbolic outputs)."""
        self._refuse_symbolic("outputs")

    def _call(self, fn, *args):
        """fn (the framework's compiled F, DF or hvp) on float64 numpy arrays, returning numpy."""
        raise NotImplementedError

    def _F(self, W):
        return self._call(self._F_fn, W)

    def _jacobian(self, W):
        return self._call(self._J_fn, W)

    def _hvp(self, W, V):
        """Per-output H_{F_i}(w) v by forward-over-reverse (jvp of grad): (k, n, m)."""
        return self._call(self._hvp_fn, W, V)

    def _kernel(self, W):
        J = self._jacobian(W)
        return J @ np.swapaxes(J, -1, -2)

    def _hessians(self, W):
        """Dense per-output Hessians from hvp on identity columns: (k, n, m, m), symmetrized."""
        k, n, m = W.shape[0], self.n, self.m
        check_dense_size(k, n, m)

        def columns(start, stop):  # chunks of columns bound the memory, not a loop over points
            cols = stop - start
            E = np.zeros((cols, m))
            E[np.arange(cols), np.arange(start, stop)] = 1.0
            Wr = np.repeat(W, cols, axis=0)  # (k * cols, m)
            Vr = np.tile(E, (k, 1))
            return self._hvp(Wr, Vr).reshape(k, cols, n, m)  # [p, j, i, :] = H_{F_i} e_j

        return hessians_from_columns(columns, k, n, m, max(1, CHUNK_FLOATS // max(1, k * n * m)))

    def _hessian_norm(self, W):
        """max_i ||H_{F_i}(w)||_2: dense eigvalsh for m <= 400, else Lanczos (a lower bound)."""
        if self.m <= _DENSE_MAX_M and self.n * self.m ** 2 <= DENSE_HESSIAN_MAX:
            step = max(1, DENSE_HESSIAN_MAX // (self.n * self.m ** 2))
            out = np.empty(W.shape[0])
            for start in range(0, W.shape[0], step):
                out[start:start + step] = np.abs(eigvalsh(self._hessians(W[start:start + step]))).max(axis=(-1, -2))
            return out
        return self._hessian_norm_lanczos(W)

    def _hessian_norm_lanczos(self, W):
        """ARPACK Lanczos on the matrix-free hvp, one operator per (point, output).

        A Krylov method needs one operator per (point, output), hence the loop;
        the Ritz value is <= the true norm up to the tolerance (a lower bound).
        """
        out = np.zeros(W.shape[0])
        for p, w in enumerate(W):
            for i in range(self.n):
                def matvec(x, w=w, i=i):
                    return self._hvp(w[None], np.ravel(x)[None])[0, i]

                out[p] = max(out[p], abs_max_eig(matvec, self.m))
        return out


# -- JAX -------------------------------------------------------------------------------

class JaxSystem(AutodiffSystem):
    """F(w) = (f(unravel(w), x_i))_i for a JAX function f(params, x) -> scalar.

    Built by :func:`from_jax`; see there. All evaluation runs under
    ``jax.enable_x64(True)``, so the computation is in float64 without changing
    the user's global JAX configuration.
    """

    framework = "JAX"

    def __init__(self, f, params, X, y, *, name=None):
        try:
            import jax
            import jax.numpy as jnp
            from jax.flatten_util import ravel_pytree
        except ImportError as exc:
            raise _missing("JAX", "jax") from exc
        if not callable(f):
            raise InvalidArgument(f"f={_show(f)} must be callable as f(params, x) -> scalar")
        X = _as_data(X)
        # jax.enable_x64 (a context manager) is top-level in recent JAX, in jax.experimental before
        self._x64 = getattr(jax, "enable_x64", None)
        if self._x64 is None:
            from jax.experimental import enable_x64 as x64
            self._x64 = x64
        with self._x64(True):
            try:
                leaves = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype=jnp.float64), params)
                flat, unravel = ravel_pytree(leaves)
            except (TypeError, ValueError) as exc:
                raise InvalidArgument(f"params={_show(params)} must be a pytree of real arrays ({exc})") from None
            if flat.size < 1:
                raise InvalidArgument("params has no entries; a system needs at least one parameter")
            Xj = jnp.asarray(X, dtype=jnp.float64)

            def f_point(w, x):
                return jnp.reshape(f(unravel(w), x), ())

            def F_one(w):
                return jax.vmap(f_point, in_axes=(None, 0))(w, Xj)

            def hvp_row(w, v, x):
                return jax.jvp(lambda u: jax.grad(f_point)(u, x), (w,), (v,))[1]

            self._F_fn = jax.jit(jax.vmap(F_one))
            self._J_fn = jax.jit(jax.vmap(lambda w: jax.vmap(jax.grad(f_point), in_axes=(None, 0))(w, Xj)))
            self._hvp_fn = jax.jit(jax.vmap(lambda w, v: jax.vmap(hvp_row, in_axes=(None, None, 0))(w, v, Xj)))
            w0 = np.asarray(flat, dtype=np.float64)
            self._check_output(w0, X.shape[0])
        self._setup(m=w0.size, n=X.shape[0], y=y, w0=w0, name=name or getattr(f, "__name__", "jax model"))
        self.derivatives = {"jacobian": "exact", "hessians": "exact"}
        X.setflags(write=False)
        self.X = X
        self.unravel = unravel

    def _check_output(self, w0, n):
        try:
            out = np.asarray(self._F_fn(w0[None]))
        except TypeError as exc:  # a non-scalar output fails the reshape to ()
            raise InvalidArgument(f"f(params, x) must return a scalar for each row x of X ({exc})") from None
        if out.shape != (1, n):
            raise InvalidArgument(f"f(params, x) gave outputs of shape {out.shape[1:]}; expected ({n},)")

    def _call(self, fn, *args):
        with self._x64(True):
            return np.asarray(fn(*(np.ascontiguousarray(a, dtype=np.float64) for a in args)), dtype=np.float64)


def from_jax(f, params, X, y, *, name=None):
    """A system from a JAX model f(params, x) -> scalar on the data X.

    Parameters
    ----------
    f : callable
        ``f(params, x)`` returning a scalar for one input row ``x = X[i]``; it must
        be traceable by JAX (``jax.numpy`` operations).
    params : pytree of arrays, or a flat array
        The model's current parameters: w0. They are flattened with
        ``jax.flatten_util.ravel_pytree`` (dict keys in sorted order, each leaf
        row-major) and cast to float64.
    X : array_like, shape (n, ...)
        The inputs x_1, ..., x_n, one per row.
    y : array_like, shape (n,)
        The targets.
    name : str, optional
        A label for reports; by default ``f.__name__``.

    Returns
    -------
    JaxSystem
        A :class:`plsym.System` with exact derivatives (``derivatives`` is
        ``{"jacobian": "exact", "hessians": "exact"}``) and ``w0`` the flattened
        params; ``unravel(w)`` maps a parameter vector back to the pytree.

    Raises
    ------
    ImportError
        If JAX is not installed (``pip install "plsym[jax]"``).
    InvalidArgument
        If f is not callable, params is not a pytree of real arrays, X or y have
        the wrong shape, or f does not return one scalar per row.

    Notes
    -----
    Every hook is ``jax.vmap`` over the k points and the n rows, jit-compiled and
    run in float64 under ``jax.enable_x64(True)``. Per-output Hessian-vector
    products are forward-over-reverse, ``jvp(grad f)``; dense Hessians (small m
    only) come from hvp on the identity columns.

    References
    ----------
    docs/theory.md §1 (F, y, the square loss), D2 (the tangent kernel).

    Examples
    --------
    >>> import jax.numpy as jnp, numpy as np  # doctest: +SKIP
    >>> from plsym.adapters import from_jax  # doctest: +SKIP
    >>> f = lambda p, x: jnp.dot(p["v"], jnp.tanh(p["U"] @ x))  # doctest: +SKIP
    >>> s = from_jax(f, {"U": np.eye(2), "v": np.ones(2)}, np.eye(2), [1.0, 0.0])  # doctest: +SKIP
    >>> s.m, s.n, s.kernel(s.w0).shape  # doctest: +SKIP
    (6, 2, (2, 2))
    """
    return JaxSystem(f, params, X, y, name=name)


# -- PyTorch ---------------------------------------------------------------------------

class TorchSystem(AutodiffSystem):
    """F(w) = (model(x_i; w))_i for a ``torch.nn.Module`` with one scalar output per row.

    Built by :func:`from_torch`; see there. The model is never modified: its
    parameters are replaced per call by ``torch.func.functional_call`` with
    float64 copies.
    """

    framework = "PyTorch"

    def __init__(self, model, X, y, *, name=None):
        try:
            import torch
            from torch.func import functional_call, grad, jvp, vmap
        except ImportError as exc:
            raise _missing("PyTorch", "torch") from exc
        if not isinstance(model, torch.nn.Module):
            raise InvalidArgument(f"model={_show(model)} must be a torch.nn.Module")
        X = _as_data(X)
        named = [(k, p) for k, p in model.named_parameters()]
        if not named:
            raise InvalidArgument(f"model={_show(model)} has no parameters; a system needs at least one")
        for k, p in named:
            if p.is_complex() or not p.is_floating_point():
                raise InvalidArgument(f"model parameter {k!r} has dtype {p.dtype}; parameters must be real floating point")
        names = [k for k, _ in named]
        shapes = [tuple(p.shape) for _, p in named]
        sizes = [int(np.prod(s, dtype=int)) for s in shapes]
        offsets = np.cumsum([0] + sizes)
        buffers = {k: (b.detach().to(torch.float64) if b.is_floating_point() else b.detach())
                   for k, b in model.named_buffers()}
        w0 = np.concatenate([p.detach().to(torch.float64).cpu().reshape(-1).numpy() for _, p in named])

        def unravel(w):
            return {k: w[offsets[j]:offsets[j + 1]].reshape(shapes[j]) for j, k in enumerate(names)}

        def f_point(w, x):
            out = functional_call(model, (unravel(w), buffers), (x.unsqueeze(0),))
            if out.numel() != 1:
                raise InvalidArgument(
                    f"model returned {out.numel()} values for one row; it must return one scalar per row"
                )
            return out.reshape(())

        def hvp_row(w, v, x):
            return jvp(lambda u: grad(f_point)(u, x), (w,), (v,))[1]

        Xt = torch.tensor(X, dtype=torch.float64)  # a copy: X is read-only
        self._torch = torch
        self._F_fn = vmap(lambda w: vmap(f_point, in_dims=(None, 0))(w, Xt))
        self._J_fn = vmap(lambda w: vmap(grad(f_point), in_dims=(None, 0))(w, Xt))
        self._hvp_fn = vmap(lambda w, v: vmap(hvp_row, in_dims=(None, None, 0))(w, v, Xt))
        out = self._call(self._F_fn, w0[None])
        if out.shape != (1, X.shape[0]):
            raise InvalidArgument(f"model gave outputs of shape {out.shape[1:]}; expected ({X.shape[0]},)")
        self._setup(m=w0.size, n=X.shape[0], y=y, w0=w0, name=name or type(model).__name__)
        self.derivatives = {"jacobian": "exact", "hessians": "exact"}
        X.setflags(write=False)
        self.X = X
        self.model = model
        self.parameter_names = tuple(names)
        self.parameter_shapes = tuple(shapes)

    def _call(self, fn, *args):
        torch = self._torch
        tensors = [torch.from_numpy(np.array(a, dtype=np.float64)) for a in args]  # copies: inputs may be read-only
        return fn(*tensors).detach().cpu().numpy().astype(np.float64, copy=False)


def from_torch(model, X, y, *, name=None):
    """A system from a PyTorch model with one scalar output per input row.

    Parameters
    ----------
    model : torch.nn.Module
        ``model(x[None])`` returns one value for one input row; put it in the
        mode you want evaluated (``model.eval()`` for dropout or batch norm).
        The model is not modified.
    X : array_like, shape (n, ...)
        The inputs, one per row.
    y : array_like, shape (n,)
        The targets.
    name : str, optional
        A label for reports; by default the model's class name.

    Returns
    -------
    TorchSystem
        A :class:`plsym.System` with exact derivatives and ``w0`` the model's
        current parameters, in the order of ``model.named_parameters()``, each
        tensor flattened row-major, as float64.

    Raises
    ------
    ImportError
        If PyTorch is not installed (``pip install "plsym[torch]"``).
    InvalidArgument
        If model is not a Module with real parameters, X or y have the wrong
        shape, or the model does not return one scalar per row.

    Notes
    -----
    Built on ``torch.func``: ``functional_call`` with float64 parameters,
    ``vmap`` over the k points and the n rows, ``grad`` for the Jacobian and
    ``jvp(grad f)`` (forward-over-reverse) for Hessian-vector products.

    References
    ----------
    docs/theory.md §1 (F, y, the square loss), D2 (the tangent kernel).

    Examples
    --------
    >>> import torch, numpy as np  # doctest: +SKIP
    >>> from plsym.adapters import from_torch  # doctest: +SKIP
    >>> model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))  # doctest: +SKIP
    >>> s = from_torch(model, np.eye(2), [1.0, 0.0])  # doctest: +SKIP
    >>> s.m, s.derivatives["hessians"]  # doctest: +SKIP
    (13, 'exact')
    """
    return TorchSystem(model, X, y, name=name)
