"""The parametric system F: R^m -> R^n with targets y, and what the paper builds on it.

Notation of docs/theory.md §1: ``r(w) = F(w) - y``, ``J = DF(w)`` (n x m),
``K(w) = J J^T`` (D2), ``H_{F_i}`` the per-output Hessians, the square loss
``L(w) = 1/2 ||r(w)||^2`` (a sum, not a mean), its gradient ``J^T r`` (C1) and
Hessian ``J^T J + sum_i r_i H_{F_i}`` (C8).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from . import _compile
from . import domain as _domain
from ._diff import Differentiator
from ._linalg import batched_top_eig, in_chunks
from .errors import InvalidArgument, _show, as_real_array

__all__ = ["System", "check_system_and_ball", "eigvalsh"]


def eigvalsh(M):
    """Batched eigenvalues of symmetric matrices (ascending); NaN rows where M is not finite.

    numpy's solver returns garbage or fails on NaN/inf input; a point where the
    system is undefined must read as undefined, never as a number.
    """
    M = np.asarray(M)
    if np.isfinite(M).all():  # the common case, in one pass
        return np.linalg.eigvalsh(M)
    bad = ~np.all(np.isfinite(M), axis=(-1, -2))
    out = np.full(M.shape[:-1], np.nan)
    good = ~bad
    if good.any():
        out[good] = np.linalg.eigvalsh(M[good])
    return out


class System:
    """A system of n equations F(w) = y in m parameters, with its square loss.

    Parameters
    ----------
    outputs : sequence of sympy expressions
        The n components F_1, ..., F_n. Python numbers are taken as constants;
        strings are refused (plsym never parses text here: see ``plsym check``).
    params : sequence of sympy Symbols
        The m parameters; their order is the coordinate order of ``w``.
    y : array_like, shape (n,)
        The targets (a scalar is allowed when n = 1).
    name : str, optional
        A label used in reports.
    w0 : array_like, shape (m,), optional
        A natural starting point (for example an initialization), or None.
    domain : sequence of sympy relationals, optional
        Conditions the outputs need to be defined, such as ``w1 > 0`` or
        ``Ne(w2, 0)`` (``>``, ``>=``, ``<``, ``<=``, ``Ne``). sympy rewrites
        expressions when they are built (``exp(log(w1))`` becomes ``w1``,
        ``0*log(w1)`` becomes ``0``), so an expression received here has lost the
        domain it was written with; pass that domain here. The conditions of the
        expressions as received (log and sqrt arguments, divisors, ...) are added
        to it, and spec files always pass the domain of the text as written. A
        claim is "undefined on the ball" where a condition provably fails at a
        point of the ball, and nothing is certified on a ball where the
        conditions cannot be proved.

    Attributes
    ----------
    m, n : int
        Number of parameters and of equations.
    params, outputs : tuple
        The symbols and expressions (built lazily for network families).
    y : ndarray, shape (n,)
    w0 : ndarray, shape (m,) or None
    domain : tuple of plsym.domain.Condition
        The domain conditions (see ``domain`` above).
    derivatives : dict
        How the Jacobian and Hessians are computed: ``"exact"`` (symbolic or
        hand-derived) or ``"finite-difference"``.

    Notes
    -----
    Every evaluator (``F``, ``residual``, ``jacobian``, ``hessians``, ``kernel``,
    ``loss``, ``grad``, ``loss_hessian``, ``hessian_norm``) takes one point of
    shape (m,) or a batch of shape (k, m) and then returns a leading k axis. The
    batch is evaluated by vectorized numpy code, with no Python loop over points.

    References
    ----------
    docs/theory.md §1, D2 (tangent kernel), C1 (gradient identity), C8 (loss
    Hessian).

    Examples
    --------
    >>> import sympy, plsym
    >>> a, b = sympy.symbols("a b")
    >>> s = plsym.System([a * b], [a, b], [1.0])
    >>> s.kernel([3.0, 1.0])
    array([[10.]])
    """

    # Subclasses (network families, callables) override these batch hooks; the
    # symbolic implementation below compiles them from sympy.
    _non_smooth_reason: str | None = None
    # Up to this many parameters loss_hessian_norm forms the dense loss Hessian (compiled H_F); above, Lanczos.
    _dense_max_m = 400
    domain: tuple = ()

    def __init__(self, outputs, params, y, *, name=None, w0=None, domain=None):
        params = _check_params(params)
        outputs = _check_outputs(outputs, params)
        given = _domain.as_conditions(domain, params)
        derived = tuple(c for f in outputs for c in _domain.conditions_of(f))
        self.domain = tuple(dict.fromkeys(given + derived))
        self._setup(m=len(params), n=len(outputs), y=y, w0=w0, name=name)
        self._params = params
        self._outputs = outputs
        self.derivatives = {"jacobian": "exact", "hessians": "exact"}
        # Differentiate in real-valued stand-ins so that |x|, sign and the like
        # have real derivatives; user-facing forms are mapped back.
        self._real, self._real_outputs = _compile.real_stand_ins(params, outputs)
        self._to_real = dict(zip(params, self._real))
        self._from_real = dict(zip(self._real, params))
        bad = [f for f in outputs if f.has(*_compile.NON_SMOOTH)]
        if bad:
            funcs = sorted({type(a).__name__ for f in bad for a in f.atoms(sympy.Function) if isinstance(a, _compile.NON_SMOOTH)}
                           | ({"Piecewise"} if any(f.has(sympy.Piecewise) for f in bad) else set()))
            self._non_smooth_reason = f"outputs contain the non-smooth function(s) {', '.join(funcs)}"

    # -- construction helpers -------------------------------------------------
    def _setup(self, *, m, n, y, w0, name):
        if n < 1:
            raise InvalidArgument("outputs=[] is empty; a system needs at least one output")
        if m < 1:
            raise InvalidArgument("params=[] is empty; a system needs at least one parameter")
        self.m = int(m)
        self.n = int(n)
        y_arr = as_real_array("y", y, ndim=(0, 1))
        if y_arr.ndim == 0:
            if n != 1:
                raise InvalidArgument(f"y={_show(y)} is a scalar; a system with n={n} outputs needs y of shape ({n},)")
            y_arr = y_arr.reshape(1)
        if y_arr.shape != (n,):
            raise InvalidArgument(f"y has shape {y_arr.shape}; it must have shape ({n},), one target per output")
        y_arr.setflags(write=False)
        self.y = y_arr
        if w0 is None:
            self.w0 = None
        else:
            w0_arr = as_real_array("w0", w0, shape=(m,))
            w0_arr.setflags(write=False)
            self.w0 = w0_arr
        if name is not None and not isinstance(name, str):
            raise InvalidArgument(f"name={_show(name)} must be a string or None")
        self.name = name

    def __repr__(self):
        label = f" {self.name!r}" if self.name else ""
        return f"<{type(self).__name__}{label}: m={self.m} parameters, n={self.n} outputs>"

    # -- symbolic forms -------------------------------------------------------
    @property
    def params(self):
        """The m parameter symbols, in coordinate order."""
        return self._params

    @property
    def outputs(self):
        """The n output expressions."""
        return self._outputs

    @functools.cached_property
    def _differ(self):
        return Differentiator()

    @functools.cached_property
    def _grads(self):
        return _compile.gradients(self._real_outputs, self._real, self._differ)

    @functools.cached_property
    def _hess_entries(self):
        self._require_smooth()
        return _compile.hessian_entries(self._grads, self._real, self._differ)

    @functools.cached_property
    def jacobian_expr(self) -> sympy.Matrix:
        """The symbolic Jacobian DF, an n x m sympy Matrix."""
        J = sympy.zeros(self.n, self.m)
        for i, row in enumerate(self._grads):
            for j, d in row:
                J[i, j] = d.xreplace(self._from_real)
        return J

    @functools.cached_property
    def hessian_exprs(self) -> tuple:
        """The n symbolic per-output Hessians H_{F_i}, each an m x m sympy Matrix."""
        out = []
        for row in self._hess_entries:
            H = sympy.zeros(self.m, self.m)
            for j, k, d in row:
                H[j, k] = H[k, j] = d.xreplace(self._from_real)
            out.append(H)
        return tuple(out)

    @functools.cached_property
    def loss_expr(self):
        """The symbolic square loss 1/2 sum_i (F_i - y_i)^2."""
        return sympy.Rational(1, 2) * sum((f - sympy.Float(t)) ** 2 for f, t in zip(self.outputs, self.y))

    # -- batch hooks: (k, m) -> arrays with a leading k axis --------------------
    @functools.cached_property
    def _values_fn(self):
        return _compile.compile_values(self._real, self._real_outputs)

    @functools.cached_property
    def _jacobian_fn(self):
        return _compile.compile_jacobian(self._real, self._grads, self.n, self.m)

    @functools.cached_property
    def _hessians_fn(self):
        return _compile.compile_hessians(self._real, self._hess_entries, self.n, self.m)

    def _F(self, W):
        return self._values_fn(W)

    def _jacobian(self, W):
        return self._jacobian_fn(W)

    def _hessians(self, W):
        return self._hessians_fn(W)

    def _kernel(self, W):
        J = self._jacobian(W)
        return J @ np.swapaxes(J, -1, -2)

    def _hessian_norm(self, W):
        # dense (k, n, m, m) Hessians: points in chunks, so memory stays O(chunk) for any k
        return in_chunks(lambda V: np.abs(eigvalsh(self._hessians(V))).max(axis=(-1, -2)), W,
                         self.n * self.m * self.m)

    def _hessian_norm_screen(self, W):
        """Cheaper lower bounds of ||H_F(w)|| that rank many points (see ``Quantity.screen``), or None
        where :meth:`_hessian_norm` is itself the cheap way (here: dense Hessians)."""
        return None

    def _hvp(self, W, V):
        """Per-output Hessian-vector products H_{F_i}(w) v: (k, m), (k, m) -> (k, n, m)."""
        return np.einsum("knij,kj->kni", self._hessians(W), V)

    def _floats_per_point(self):
        """Floats of the largest intermediate per point (a Jacobian, n x m): sizes batches."""
        return self.n * self.m

    def _hessian_norm_top(self, W):
        """The eigenpair behind ||H_F(w)||: (norms (k,), output i (k,), unit eigenvector q (k, m),
        signed eigenvalue lam (k,)) with |lam| = max_i ||H_{F_i}||_2 and H_{F_i} q = lam q."""
        vals, vecs = np.linalg.eigh(self._hessians(W))  # (k, n, m), (k, n, m, m)
        k = W.shape[0]
        i, j = np.unravel_index(np.abs(vals).reshape(k, -1).argmax(axis=1), vals.shape[1:])
        rows = np.arange(k)
        lam = vals[rows, i, j]
        return np.abs(lam), i, vecs[rows, i, :, j], lam

    # Products with DF and with the output-weighted Hessian sum_i c_i H_{F_i}: what gradients of
    # kernel eigenvalues, of the PL ratio and of the loss need. Families with structure (networks)
    # override them matrix-free; these defaults go through the Jacobian and ``_hvp``.
    def _jvp(self, W, V):
        """DF(w) v: (k, m), (k, m) -> (k, n)."""
        return np.einsum("kni,ki->kn", self._jacobian(W), V)

    def _vjp(self, W, C):
        """DF(w)^T c: (k, m), (k, n) -> (k, m)."""
        return np.einsum("kni,kn->ki", self._jacobian(W), C)

    def _linearization(self, w):
        """(F(w), c -> DF(w)^T c, ||DF(w)||_F) at one point w (m,): what a GD step needs. Families with
        structure override it without forming DF."""
        J = self._jacobian(w[None, :])[0]
        return self._F(w[None, :])[0], lambda c: J.T @ c, float(np.sqrt(np.vdot(J, J)))

    def _whvp(self, W, C, V):
        """sum_i c_i H_{F_i}(w) v: (k, m), (k, n), (k, m) -> (k, m)."""
        return np.einsum("kn,kni->ki", C, self._hvp(W, V))

    def _kernel_form_grad(self, W, C):
        """grad_w (c^T K(w) c) per point, c fixed: 2 sum_i c_i H_{F_i} (DF^T c) (a backward product
        and one c-weighted second-order pass; never J J^T). (k, m), (k, n) -> (k, m)."""
        return 2.0 * self._whvp(W, C, self._vjp(W, C))

    def _loss_hvp(self, W, V):
        """H_L(w) v = DF^T (DF v) + sum_i r_i H_{F_i} v (C8): a forward product, a backward
        product and one residual-weighted second-order pass."""
        return self._vjp(W, self._jvp(W, V)) + self._whvp(W, self._F(W) - self.y, V)

    def _loss_hessian_norm(self, W):
        """||H_L(w)||_2 per point: dense up to ``_dense_max_m`` parameters, Lanczos on loss_hvp above."""
        self._require_smooth()
        if self.m <= self._dense_max_m:
            def dense(V):
                J = self._jacobian(V)
                r = self._F(V) - self.y
                HL = np.swapaxes(J, -1, -2) @ J + np.einsum("kn,knij->kij", r, self._hessians(V))
                return np.abs(eigvalsh(HL)).max(axis=-1)
            return in_chunks(dense, W, self.n * self.m * self.m)
        # Lanczos on every point at once, one batched loss_hvp per step: the Hessian is never formed
        lam, _ = batched_top_eig(lambda V, rows: self._loss_hvp(W[rows], V), W.shape[0], self.m, vectors=False)
        return np.abs(lam)

    def _require_smooth(self):
        if self._non_smooth_reason is not None:
            raise InvalidArgument(
                f"Hessians of system {self.name or type(self).__name__} are not defined: "
                f"{self._non_smooth_reason}; only first derivatives are available"
            )

    # -- public evaluators ------------------------------------------------------
    def _points(self, w, name="w"):
        W = as_real_array(name, w, ndim=(1, 2))
        if W.shape[-1] != self.m:
            raise InvalidArgument(
                f"{name} has shape {W.shape}; it must be (m,) or (k, m) with m={self.m} parameters"
            )
        return (W[None, :], True) if W.ndim == 1 else (W, False)

    def _apply(self, hook, w):
        W, single = self._points(w)
        out = hook(W)
        return out[0] if single else out

    def F(self, w):
        """The outputs F(w), shape (n,) or (k, n)."""
        return self._apply(self._F, w)

    def residual(self, w):
        """r(w) = F(w) - y, shape (n,) or (k, n)."""
        return self._apply(lambda W: self._F(W) - self.y, w)

    def jacobian(self, w):
        """DF(w), shape (n, m) or (k, n, m)."""
        return self._apply(self._jacobian, w)

    def hessians(self, w):
        """The per-output Hessians H_{F_i}(w), shape (n, m, m) or (k, n, m, m)."""
        self._require_smooth()
        return self._apply(self._hessians, w)

    def kernel(self, w):
        """The tangent kernel K(w) = DF DF^T (D2), shape (n, n) or (k, n, n)."""
        return self._apply(self._kernel, w)

    def loss(self, w):
        """L(w) = 1/2 ||F(w) - y||^2, shape () or (k,)."""
        return self._apply(lambda W: 0.5 * np.sum((self._F(W) - self.y) ** 2, axis=-1), w)

    def grad(self, w):
        """The loss gradient DF^T (F - y) (C1), shape (m,) or (k, m)."""
        return self._apply(lambda W: self._vjp(W, self._F(W) - self.y), w)

    def loss_hessian(self, w):
        """H_L = DF^T DF + sum_i r_i H_{F_i} (C8), shape (m, m) or (k, m, m)."""
        self._require_smooth()

        def hook(W):
            J = self._jacobian(W)
            r = self._F(W) - self.y
            return np.swapaxes(J, -1, -2) @ J + np.einsum("kn,knij->kij", r, self._hessians(W))
        return self._apply(hook, w)

    def loss_hessian_norm(self, w):
        """||H_L(w)||_2, the local smoothness of L, shape () or (k,)."""
        self._require_smooth()
        return self._apply(self._loss_hessian_norm, w)

    def hessian_norm(self, w):
        """||H_F(w)|| := max_i ||H_{F_i}(w)||_2 (the paper's convention), shape () or (k,)."""
        self._require_smooth()
        return self._apply(self._hessian_norm, w)


    def hvp(self, w, v):
        """Per-output Hessian-vector products H_{F_i}(w) v, shape (n, m) or (k, n, m).

        ``v`` has the shape of ``w``. Network families compute these matrix-free.
        """
        return self._apply_with_tangent(self._hvp, w, v)

    def loss_hvp(self, w, v):
        """H_L(w) v = J^T (J v) + sum_i r_i H_{F_i} v, shape (m,) or (k, m), matrix-free where possible."""
        return self._apply_with_tangent(self._loss_hvp, w, v)

    def _apply_with_tangent(self, hook, w, v):
        """hook(W, V) for second-order products at points w and tangents v of the same shape."""
        self._require_smooth()
        W, single = self._points(w)
        V, _ = self._points(v, "v")
        if V.shape != W.shape:
            raise InvalidArgument(f"v has shape {np.shape(v)}; it must have the shape of w, {np.shape(w)}")
        out = hook(W, V)
        return out[0] if single else out


def check_system_and_ball(system, ball):
    """InvalidArgument unless ``system`` is a System and ``ball`` a Ball of the same dimension m."""
    from .ball import Ball

    if not isinstance(system, System):
        raise InvalidArgument(f"system={_show(system)} must be a plsym.System")
    if not isinstance(ball, Ball):
        raise InvalidArgument(f"ball={_show(ball)} must be a plsym.Ball")
    if ball.m != system.m:
        raise InvalidArgument(f"ball has dimension {ball.m}; it must match the system's m={system.m} parameters")


def _check_params(params):
    """The parameters as a tuple of distinct sympy Symbols, or InvalidArgument."""
    if isinstance(params, (str, bytes)) or not hasattr(params, "__iter__"):
        raise InvalidArgument(f"params={_show(params)} must be a sequence of sympy Symbols")
    params = tuple(params)
    if not params:
        raise InvalidArgument("params=[] is empty; a system needs at least one parameter")
    for j, p in enumerate(params):
        if not isinstance(p, sympy.Symbol):
            raise InvalidArgument(f"params[{j}]={_show(p)} must be a sympy Symbol")
    seen = set()
    for p in params:
        if p in seen:
            raise InvalidArgument(f"params has the parameter {p} twice; parameters must be distinct")
        seen.add(p)
    return params


def _check_outputs(outputs, params):
    """The outputs as a tuple of real sympy expressions in ``params`` only, or InvalidArgument."""
    if isinstance(outputs, (str, bytes)) or not hasattr(outputs, "__iter__"):
        raise InvalidArgument(f"outputs={_show(outputs)} must be a sequence of sympy expressions")
    outputs = tuple(outputs)
    if not outputs:
        raise InvalidArgument("outputs=[] is empty; a system needs at least one output")
    allowed = set(params)
    result = []
    for i, f in enumerate(outputs):
        if isinstance(f, (bool, np.bool_)):
            raise InvalidArgument(f"outputs[{i}]={f!r} must be a sympy expression, not a bool")
        if isinstance(f, (int, float, np.integer, np.floating)):
            if not np.isfinite(f):
                raise InvalidArgument(f"outputs[{i}]={f!r} must be finite")
            f = sympy.Float(float(f)) if isinstance(f, (float, np.floating)) else sympy.Integer(int(f))
        if isinstance(f, (str, bytes)):
            raise InvalidArgument(
                f"outputs[{i}]={_show(f)} is a string; plsym does not parse strings here "
                "(build sympy expressions, or use a spec file with `plsym check`)"
            )
        if not isinstance(f, sympy.Expr):
            raise InvalidArgument(f"outputs[{i}]={_show(f)} must be a sympy expression (sympy.Expr), got {type(f).__name__}")
        f = _lower(f, f"outputs[{i}]")
        extra = sorted(f.free_symbols - allowed, key=str)
        if extra:
            raise InvalidArgument(
                f"outputs[{i}]={_show(f)} uses the symbol(s) {', '.join(map(str, extra))} "
                f"that are not parameters; declared parameters: {', '.join(map(str, params))}"
            )
        if f.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise InvalidArgument(f"outputs[{i}]={_show(f)} must be a finite real expression (it contains I, oo or nan)")
        undefined = sorted({str(type(a)) for a in f.atoms(AppliedUndef)})
        if undefined:
            raise InvalidArgument(
                f"outputs[{i}]={_show(f)} uses the undefined function(s) {', '.join(undefined)}; "
                "outputs must be built from concrete functions (exp, tanh, ...)"
            )
        if f.atoms(sympy.Derivative, sympy.Integral):
            raise InvalidArgument(f"outputs[{i}]={_show(f)} contains an unevaluated Derivative or Integral")
        f = _lower(f, f"outputs[{i}]")
        _check_nodes(f, allowed, f"outputs[{i}]")
        result.append(f)
    return tuple(result)


# Node types the compiler and the ball arithmetic know; anything else is refused, so that
# no name outside plsym's own ever reaches generated source.
_MAX_SUM_TERMS = 1000


def _allowed_functions():
    import sympy.functions as funcs
    out = set()
    for name in dir(funcs):
        obj = getattr(funcs, name)
        if isinstance(obj, type) and issubclass(obj, sympy.Function) and not issubclass(obj, AppliedUndef):
            out.add(obj)
    return frozenset(out)


_FUNCTIONS = _allowed_functions()
_BOOLEAN = (sympy.core.relational.Relational, sympy.logic.boolalg.BooleanAtom, sympy.And, sympy.Or, sympy.Not,
            sympy.functions.elementary.piecewise.ExprCondPair)


def _lower(f, where):
    """``f`` with Subs substituted and Sum/Product with integer bounds written out term by term."""
    def lower_one(e):
        if isinstance(e, sympy.Subs):
            return e.doit(deep=False)
        limits = e.limits
        if len(limits) != 1 or len(limits[0]) != 3:
            raise InvalidArgument(f"{where}: {type(e).__name__} {_show(e)} must have one index with numeric bounds")
        k, a, b = limits[0]
        if not (a.is_Integer and b.is_Integer):
            raise InvalidArgument(f"{where}: {type(e).__name__} {_show(e)} must have integer bounds to be written out")
        if int(b) - int(a) + 1 > _MAX_SUM_TERMS:
            raise InvalidArgument(f"{where}: {type(e).__name__} {_show(e)} has {int(b) - int(a) + 1} terms; at most "
                                  f"{_MAX_SUM_TERMS} are written out")
        terms = [e.function.xreplace({k: sympy.Integer(j)}) for j in range(int(a), int(b) + 1)]
        return sympy.Add(*terms) if isinstance(e, sympy.Sum) else sympy.Mul(*terms)

    for _ in range(100):
        found = [e for e in sympy.preorder_traversal(f) if isinstance(e, (sympy.Subs, sympy.Sum, sympy.Product))]
        if not found:
            return f
        f = f.xreplace({found[0]: lower_one(found[0])})
    raise InvalidArgument(f"{where}={_show(f)} nests Subs, Sum or Product too deeply")


def _check_nodes(f, params, where):
    """InvalidArgument unless every node of ``f`` is a number, a parameter, +, *, ** or a sympy function."""
    seen = set()
    stack = [f]
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if isinstance(e, sympy.Symbol):
            if e not in params:
                raise InvalidArgument(f"{where} uses the symbol {_show(e.name)}, which is not a parameter")
            continue
        if isinstance(e, (sympy.Number, sympy.NumberSymbol)) or e in (sympy.pi, sympy.E):
            continue
        if isinstance(e, (sympy.Add, sympy.Mul, sympy.Pow)) or type(e) in _FUNCTIONS or isinstance(e, _BOOLEAN):
            stack.extend(e.args)
            continue
        raise InvalidArgument(f"{where} contains {type(e).__name__} ({_show(e, 40)}), which plsym cannot "
                              "evaluate; build outputs from numbers, parameters, +, *, ** and sympy's functions")
