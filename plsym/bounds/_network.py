"""The two-layer network bounds: ||H_F|| <= C(R)/sqrt(m) and L_F in closed form, and the width for T10.

f(W; x) = v^T sigma(U x / sqrt d) / sqrt m is handled in closed form from one
neuron template, never entry by entry (see :func:`two_layer_hessian_bound`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import warnings
from fractions import Fraction

import numpy as np
import sympy
from flint import arb

from .. import interval
from ..ball import Ball
from ..errors import InvalidArgument, _show, positive_finite
from ..system import check_system_and_ball
from ._expr import _ONE, SymbolicBound, _arb_eval, _ball_args

_EPS = np.finfo(np.float64).eps


@dataclasses.dataclass(frozen=True)
class WidthBound:
    """A width at which the T10 criterion holds on B(W0, R) for a two-layer network.

    Attributes
    ----------
    width : int
        The smallest width m (with the data-dependent initialization statistics of
        the given network held fixed, see :func:`width_for_pl`) at which
        ``hessian(R, m) <= (lambda0 - mu) / (2 lipschitz(R, m) sqrt(n) R)`` is proved.
    expr : sympy.Expr
        The closed form m_inf(R) = 4 n R^2 C(R)^2 L_inf^2 / (lambda0 - mu)^2 in the
        symbol ``R``: the width the criterion needs when L_F is replaced by its
        m -> infinity limit L_inf. ``width >= expr`` at the given radius.
    R : sympy.Symbol
    radius, mu, lambda0 : float
        The radius of the ball, the PL* constant (D1, D3) and lambda_min(K(W0)).
    n : int
        Number of data points.
    hessian, lipschitz : SymbolicBound
        C(R)/sqrt(m) and the L_F bound, both in R and the width symbol.
    t20 : float
        n R^8 / (lambda0 - mu)^2, T20's rate for L = 1 with its hidden constant
        and log factors set to 1 (for comparison of the scaling only).
    method : str
    """

    width: int
    expr: sympy.Expr
    R: sympy.Symbol
    radius: float
    mu: float
    lambda0: float
    n: int
    hessian: SymbolicBound
    lipschitz: SymbolicBound
    t20: float
    method: str

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {
            "width": self.width, "expr": str(self.expr), "R": str(self.R), "radius": self.radius,
            "mu": self.mu, "lambda0": self.lambda0, "n": self.n, "hessian": self.hessian.to_dict(),
            "lipschitz": self.lipschitz.to_dict(), "t20": self.t20, "method": self.method,
        }


# -- activation constants and the neuron template -------------------------------------------

@dataclasses.dataclass(frozen=True)
class _ActivationConstants:
    """sigma(0), sup|sigma| (None: unbounded), sup|sigma'| and sup|sigma''| as exact sympy numbers."""

    sigma0: sympy.Expr
    c0: sympy.Expr | None
    c1: sympy.Expr
    c2: sympy.Expr


#: Exact constants of the registered smooth activations (``relu`` is not twice
#: differentiable and has none). tanh: sigma'' = -2 t (1 - t^2), t = tanh z, peaks at
#: t^2 = 1/3; sigmoid: sigma'' = s (1 - s)(1 - 2 s) peaks at 1/(6 sqrt 3); softplus:
#: sigma' = sigmoid, sigma'' = sigmoid'; gelu: sigma' = Phi + z phi peaks at z = sqrt 2,
#: sigma'' = (2 - z^2) phi peaks at z = 0.
ACTIVATION_CONSTANTS = {
    "tanh": _ActivationConstants(sympy.Integer(0), _ONE, _ONE, 4 * sympy.sqrt(3) / 9),
    "sigmoid": _ActivationConstants(sympy.Rational(1, 2), _ONE, sympy.Rational(1, 4), sympy.sqrt(3) / 18),
    "softplus": _ActivationConstants(sympy.log(2), None, _ONE, sympy.Rational(1, 4)),
    "sin": _ActivationConstants(sympy.Integer(0), _ONE, _ONE, _ONE),
    "gelu": _ActivationConstants(sympy.Integer(0), None,
                                 (1 + sympy.erf(1)) / 2 + sympy.exp(-1) / sympy.sqrt(sympy.pi),
                                 sympy.sqrt(2 / sympy.pi)),
    "identity": _ActivationConstants(sympy.Integer(0), None, _ONE, sympy.Integer(0)),
}


@functools.lru_cache(maxsize=None)
def _neuron_template():
    """The per-neuron Hessian block and its spectral norm, derived with sympy.

    f_r = v sigma(s t) / sqrt(m) depends on u_r only through t = u_r . xhat / s
    (s = ||xhat||), so the Hessian of f on (u_r, v_r) is zero off span{xhat/s, e_v}
    and on it equals the Hessian of the template in (t, v):
    [[v s^2 sigma''/sqrt m, s sigma'/sqrt m], [s sigma'/sqrt m, 0]]. Its spectral
    norm, for [[p, q], [q, 0]] with p >= 0, is the larger eigenvalue
    (p + sqrt(p^2 + 4 q^2)) / 2 (the eigenvalues sum to p >= 0), non-decreasing in p and |q|.

    Returns (v, s, m, d1, d2, H, p, q, norm) with d1, d2 standing for sigma', sigma''.
    """
    t, v, s, m = sympy.symbols("t v s m", positive=True)
    d1, d2 = sympy.symbols("d1 d2", real=True)
    sigma = sympy.Function("sigma")
    H = sympy.hessian(v * sigma(s * t) / sympy.sqrt(m), (t, v))
    H = H.replace(lambda e: isinstance(e, sympy.Subs),
                  lambda e: {1: d1, 2: d2}[e.expr.derivative_count])
    p, q = sympy.symbols("p q", nonnegative=True)
    eigs = list(sympy.Matrix([[p, q], [q, 0]]).eigenvals())
    norm = max(eigs, key=lambda e: float(e.subs({p: 1, q: 1})))
    return v, s, m, d1, d2, H, p, q, norm


def _two_layer_parts(system, center, name="system"):
    """Checks and returns (activation constants, U0, v0, X, width, d) of a two-layer linear-output net,
    U0 and v0 read from ``center``."""
    from ..systems.network import NetworkSystem

    if not isinstance(system, NetworkSystem):
        raise InvalidArgument(f"{name}={_show(system)} must be a plsym NetworkSystem (plsym.systems.network.network)")
    if system.depth != 1:
        raise InvalidArgument(
            f"{name} has depth L={system.depth}; the two-layer bound needs one hidden layer (widths=[m])"
        )
    if system.output is not None:
        raise InvalidArgument(
            f"{name} has output={system.output!r}; the two-layer bound needs a linear output (output=None): "
            "a non-linear output makes ||H_f|| = Theta(1) (T13)"
        )
    consts = ACTIVATION_CONSTANTS.get(system.activation)
    if consts is None:
        raise InvalidArgument(
            f"{name} has activation={system.activation!r}, which is not twice differentiable; the two-layer "
            f"bound needs one of {', '.join(map(repr, ACTIVATION_CONSTANTS))}"
        )
    U0, v0 = system.unflatten(center)
    width, d = system.layer_shapes[0]
    return consts, U0, v0[0], system.X, width, d


def _round_up(x, terms=1) -> sympy.Rational:
    """A short decimal rational >= x, where x is a float computed with about ``terms`` roundings."""
    q = Fraction(float(x)) * (1 + Fraction(64 * max(terms, 1)) * Fraction(_EPS))
    if q <= 0:
        return sympy.Integer(0)
    scale = 10 ** max(0, 6 - int(math.floor(math.log10(float(q)))))  # 7 significant digits
    return sympy.Rational(math.ceil(q * scale), scale)


def _width_symbol(m, width):
    """(symbol or number used for the width in expressions, subs for evaluation)."""
    if m is None:
        return sympy.Integer(width), ()
    if not isinstance(m, sympy.Symbol):
        raise InvalidArgument(f"m={_show(m)} must be None (the actual width) or a sympy Symbol")
    return m, ((m, width),)


def _two_layer_ball(fn, system, ball, R):
    """(center, radius or None, radius symbol); the old form (system, R) with R a symbol warns."""
    if isinstance(ball, sympy.Basic):  # the old positional radius symbol
        if R is not None:
            raise InvalidArgument(f"the radius symbol is given twice, as {_show(ball)} and R={_show(R)}")
        ball, R = None, ball
    return _ball_args(fn, system, ball, R, old="(system, R)", stacklevel=4)


def _two_layer_hessian(system, center, Rs, msym):
    """The expression C(R) / sqrt(m) of :func:`two_layer_hessian_bound` and its method."""
    consts, U0, v0, X, width, d = _two_layer_parts(system, center)
    V0 = _round_up(np.max(np.abs(v0)))
    s2 = _round_up(np.max(np.sum(X**2, axis=1)) / d, terms=d + 2)
    v, s, mt, d1, d2, H, p, q, norm = _neuron_template()
    # majorize the template entries: every factor is replaced by an upper bound of its |.|
    # at m = 1; the block norm is positively homogeneous and P, Q scale as 1/sqrt(m)
    at = {v: V0 + Rs, s: sympy.sqrt(s2), mt: _ONE, d1: consts.c1, d2: consts.c2}
    P, Q = H[0, 0].xreplace(at), H[0, 1].xreplace(at)
    if H[1, 1] != 0:  # the template's structure, as derived: no v-v curvature
        raise AssertionError("two-layer neuron template: unexpected nonzero d^2 f / d v^2")
    expr = norm.xreplace({p: P, q: Q}) / sympy.sqrt(msym)
    method = (f"two-layer block closed form (T19): V0 = max|v(0)| = {float(V0):.6g}, "
              f"s^2 = max||x||^2/d = {float(s2):.6g}, activation {system.activation!r}")
    return expr, method


def two_layer_hessian_bound(system, ball=None, R=None, *, m=None) -> SymbolicBound:
    """The two-layer bound ||H_F(W)|| <= C(R) / sqrt(m) on B(W0, R), in closed form (T19).

    Parameters
    ----------
    system : plsym.systems.network.NetworkSystem
        A two-layer network f = v^T sigma(U x / sqrt d) / sqrt m with a linear
        output and a smooth activation.
    ball : plsym.Ball, optional
        The ball B(W0, R). None (default): W0 = ``system.w0``, the bound symbolic
        in R; a Ball fixes W0 (its center) and the radius.
    m : sympy.Symbol, optional
        A symbol for the width; None puts the actual width in the expression.
        Either way :meth:`SymbolicBound.evaluate` uses the actual width.
    R : deprecated
        The old form ``(system, R)`` with a positive radius symbol R; it warns.

    Returns
    -------
    SymbolicBound
        ``expr`` = C(R) / sqrt(m) with
        C(R) = (P + sqrt(P^2 + 4 Q^2)) / 2, P = (V0 + R) c2 s^2, Q = c1 s,
        so C(R) <= (V0 + R) c2 s^2 + c1 s.

    Raises
    ------
    InvalidArgument
        If the system is not a two-layer linear-output network with an activation
        of :data:`ACTIVATION_CONSTANTS`, or the ball does not match it.

    Notes
    -----
    H_f is block diagonal over neurons r; block r on (u_r, v_r) is
    [[a_r xhat xhat^T, b_r xhat], [b_r xhat^T, 0]], a_r = v_r sigma''(z_r)/sqrt m,
    b_r = sigma'(z_r)/sqrt m, xhat = x/sqrt d, so ||H_f|| = max_r of the norm of
    [[a_r s^2, b_r s], [b_r s, 0]], s = ||xhat|| (derived with sympy from one neuron
    template). On the ball |v_r| <= |v_r(0)| + R, |sigma'| <= c1, |sigma''| <= c2
    (:data:`ACTIVATION_CONSTANTS`); the norm is non-decreasing in |a_r| and |b_r|,
    and s is maximized over the data: s^2 = max_i ||x_i||^2 / d. The constants
    V0 = max_r |v_r(0)| and s^2 are read from the actual W0 and X and rounded up.

    For W0 ~ N(0, I), V0 grows like sqrt(2 log m) with the width: the bound is
    O(sqrt(log m) / sqrt(m)) for fixed R, the O~(1/sqrt m) of T19 with its log
    factor explicit, and linear in R (T19 allows R^{3L} = R^3 for L = 1).

    References
    ----------
    docs/theory.md T19, C22, D8.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym import bounds
    >>> from plsym.systems.network import network
    >>> net = network(np.eye(2), [1.0, -1.0], [512])
    >>> b = bounds.two_layer_hessian_bound(net)
    >>> bool(b.evaluate(1.0) >= net.hessian_norm(net.w0))
    True
    """
    center, radius, Rs = _two_layer_ball("two_layer_hessian_bound", system, ball, R)
    msym, subs = _width_symbol(m, _two_layer_parts(system, center)[4])
    expr, method = _two_layer_hessian(system, center, Rs, msym)
    return SymbolicBound(quantity="hessian_norm", expr=expr, R=Rs, valid="R > 0", method=method, subs=subs,
                         radius=radius)


def _two_layer_lipschitz_expr(system, center, Rs, msym):
    """The L_F bound of :func:`two_layer_lipschitz_bound` and its m -> infinity limit."""
    consts, U0, v0, X, width, d = _two_layer_parts(system, center)
    Xhat = X / np.sqrt(d)
    s2 = np.sum(Xhat**2, axis=1)
    # ||U0 xhat_i|| / sqrt m (about s_i at init), plus the worst rounding of the product
    # U0 xhat_i (which may cancel): (d + 2) eps ||U0||_F ||xhat_i|| per vector, doubled
    alpha = (np.linalg.norm(Xhat @ U0.T, axis=1)
             + 2 * (d + 2) * _EPS * np.linalg.norm(U0) * np.sqrt(s2)) / np.sqrt(width)
    nu = _round_up(np.linalg.norm(v0) / np.sqrt(width), terms=width + 2)  # ||v0|| / sqrt m, ~ 1
    c1, sig0 = consts.c1, abs(consts.sigma0)
    root = sympy.sqrt(msym)
    total, limit = [], []
    for s2_i, a_i in zip(s2, alpha):
        s_i = sympy.sqrt(_round_up(s2_i, terms=d + 2))
        a_i = _round_up(a_i, terms=width * d + 4)
        first = (sig0 + c1 * (a_i + Rs * s_i / root)) ** 2  # (1/m) sum_r sigma(z_r)^2
        first_inf = (sig0 + c1 * a_i) ** 2
        if consts.c0 is not None:
            first = sympy.Min(consts.c0**2, first)
            first_inf = sympy.Min(consts.c0**2, first_inf)
        second = c1**2 * s_i**2 * (nu + Rs / root) ** 2  # (1/m) s^2 sum_r v_r^2 sigma'(z_r)^2
        total.append(first + second)
        limit.append(first_inf + c1**2 * s_i**2 * nu**2)
    return sympy.sqrt(sympy.Add(*total)), sympy.sqrt(sympy.Add(*limit))


_LIPSCHITZ_METHOD = "two-layer closed form: Frobenius of per-sample gradients"


def two_layer_lipschitz_bound(system, ball=None, R=None, *, m=None) -> SymbolicBound:
    """An upper bound of L_F = sup ||DF(W)||_2 on B(W0, R) for a two-layer network, in closed form.

    Parameters
    ----------
    system : plsym.systems.network.NetworkSystem
        A two-layer network with a linear output and an activation of
        :data:`ACTIVATION_CONSTANTS`.
    ball : plsym.Ball, optional
        As for :func:`two_layer_hessian_bound`.
    m : sympy.Symbol, optional
        A symbol for the width; None puts the actual width in the expression.
    R : deprecated
        The old form ``(system, R)`` with a positive radius symbol R; it warns.

    Returns
    -------
    SymbolicBound
        ``expr`` = sqrt(sum_i [A_i(R, m) + c1^2 s_i^2 (nu + R/sqrt m)^2]) with
        A_i = (|sigma(0)| + c1 (alpha_i + R s_i / sqrt m))^2, capped by sup sigma^2
        for bounded activations.

    Raises
    ------
    InvalidArgument
        As :func:`two_layer_hessian_bound`.

    Notes
    -----
    ||DF||_2 <= ||DF||_F and ||grad f(x_i)||^2 = (1/m) sum_r sigma(z_r)^2 +
    (s_i^2/m) sum_r v_r^2 sigma'(z_r)^2 with z = U xhat_i. On the ball
    ||U xhat_i|| <= ||U0 xhat_i|| + R s_i and ||v|| <= ||v0|| + R, and
    |sigma(z)| <= |sigma(0)| + c1 |z|. The statistics alpha_i = ||U0 xhat_i||/sqrt m
    (about s_i) and nu = ||v0||/sqrt m (about 1) come from the actual W0, rounded up.
    The bound is O(sqrt n) as m grows, not O(1): the caveat of T20 in the paper.

    References
    ----------
    docs/theory.md D5, T20 (caveat on L_F), C5.
    """
    center, radius, Rs = _two_layer_ball("two_layer_lipschitz_bound", system, ball, R)
    msym, subs = _width_symbol(m, _two_layer_parts(system, center)[4])
    expr, _ = _two_layer_lipschitz_expr(system, center, Rs, msym)
    return SymbolicBound(quantity="lipschitz", expr=expr, R=Rs, valid="R > 0", method=_LIPSCHITZ_METHOD,
                         subs=subs, radius=radius)


@functools.lru_cache(maxsize=None)
def _criterion_symbols():
    return sympy.symbols("C L g n m", positive=True)


@functools.lru_cache(maxsize=None)
def _criterion_solution():
    """m solving the T10 criterion with equality, C / sqrt(m) = g / (2 L sqrt(n) R), by sympy."""
    C, L, g, n, m = _criterion_symbols()
    R = sympy.Symbol("R", positive=True)
    (sol,) = sympy.solve(sympy.Eq(C / sympy.sqrt(m), g / (2 * L * sympy.sqrt(n) * R)), m)
    return sol  # 4 C^2 L^2 n R^2 / g^2


def _width_ball(system, ball, R):
    """(center, radius) of width_for_pl's ball; the old form, a float radius R around system.w0, warns."""
    if isinstance(ball, Ball) and R is None:
        check_system_and_ball(system, ball)
        return ball.center, ball.radius
    if ball is None and R is None:
        raise InvalidArgument("ball=None: width_for_pl needs the ball B(W0, R), a plsym.Ball")
    if ball is not None and not (isinstance(ball, numbers.Real) and not isinstance(ball, bool)):
        raise InvalidArgument(f"ball={_show(ball)} must be a plsym.Ball")
    if ball is not None and R is not None:
        raise InvalidArgument(f"the radius is given twice, as {_show(ball)} and R={_show(R)}")
    warnings.warn(
        "plsym.bounds.width_for_pl(system, R, mu) with a float radius R is deprecated: use "
        "width_for_pl(system, plsym.Ball(system.w0, R), mu)",
        DeprecationWarning, stacklevel=3,
    )
    radius = positive_finite("R", ball if R is None else R)
    return getattr(system, "w0", None), radius


def width_for_pl(system, ball=None, mu=None, *, lambda0=None, R=None) -> WidthBound:
    """A width m at which the T10 criterion proves mu-uniform conditioning on B(W0, R) (T20, L = 1).

    Parameters
    ----------
    system : plsym.systems.network.NetworkSystem
        A two-layer network with a linear output and a smooth activation; its
        data, width and the center W0 of ``ball`` supply the statistics below.
    ball : plsym.Ball
        The ball B(W0, R), R > 0 (usually centered at ``system.w0``).
    mu : float
        The target PL* / uniform-conditioning constant mu (D1, D3), 0 < mu < lambda0.
    lambda0 : float, optional
        lambda_min(K(W0)); computed (in floating point) from ``system`` when None.
    R : deprecated
        The old form ``(system, R, mu)`` with a float radius R around ``system.w0``
        (positional or keyword); it warns.

    Returns
    -------
    WidthBound

    Raises
    ------
    InvalidArgument
        For a missing ball, a non-positive R or mu, mu >= lambda0, or a system as
        refused by :func:`two_layer_hessian_bound`.

    Notes
    -----
    T10 / C6: if sup_B ||H_F|| <= (lambda0 - mu) / (2 L_F sqrt(n) R), then
    lambda_min(K) >= mu on B(W0, R). With ||H_F|| <= C(R)/sqrt(m)
    (:func:`two_layer_hessian_bound`) and L_F <= L(R, m)
    (:func:`two_layer_lipschitz_bound`, non-increasing in m), the criterion reads
    sqrt(m) (lambda0 - mu) >= 2 sqrt(n) R C(R) L(R, m). ``width`` is the smallest
    integer where it is proved in ball arithmetic; ``expr`` is the sympy solution
    for m with L replaced by its m -> infinity limit L_inf:

        m_inf(R) = 4 n R^2 C(R)^2 L_inf^2 / (lambda0 - mu)^2  <=  width.

    Compare T20 for L = 1: m = Omega~(n R^8 / (lambda0 - mu)^2). Here C(R) is
    linear in R (not R^3), so m grows like R^4 for large R (like R^2 for small R);
    L_inf^2 = sum_i [(|sigma(0)| + c1 alpha_i)^2 + c1^2 s_i^2 nu^2] (alpha_i ~ s_i,
    nu ~ 1 at initialization; see :func:`two_layer_lipschitz_bound`) is of order n, so m
    grows like n^2 at fixed data scale, where T20 treats L_F as O(1) and gets n.
    Both grow like (lambda0 - mu)^-2.

    What is held fixed. V0 = max_r |v_r(0)|, ||v0||/sqrt m and ||U0 x_i||/sqrt m are
    read from the given W0 and kept when m changes, and lambda0 is taken as
    width-independent (its NTK limit). For a fresh N(0, 1) initialization at width
    m, V0 ~ sqrt(2 log m): through C(R)^2 the width then needed grows by at most
    the factor ((sqrt(2 log m) + R) / (V0 + R))^2 (the other statistics move by
    O(1/sqrt m)), the log factor hidden in T20's Omega~. The criterion is proved
    for the given network itself only at its own width.

    References
    ----------
    docs/theory.md T10, C6, T19, T20, C22.

    Examples
    --------
    >>> import numpy as np
    >>> import plsym
    >>> from plsym import bounds
    >>> from plsym.systems.network import network
    >>> X = np.random.default_rng(0).standard_normal((4, 3))
    >>> net = network(X, np.zeros(4), [64], rng=0)
    >>> wb = bounds.width_for_pl(net, plsym.Ball(net.w0, 0.5), 0.1, lambda0=0.5)
    >>> wb.width >= float(wb.expr.subs(wb.R, 0.5))
    True
    """
    center, radius = _width_ball(system, ball, R)
    consts, U0, v0, X, width, d = _two_layer_parts(system, center)
    mu = positive_finite("mu", mu)
    if lambda0 is None:
        lambda0 = float(np.linalg.eigvalsh(system.kernel(center))[0])
    lambda0 = positive_finite("lambda0", lambda0)
    if not mu < lambda0:
        raise InvalidArgument(f"Cannot have mu={mu!r} >= lambda0={lambda0!r}; T10 needs 0 < mu < lambda0")
    n = system.n
    Rs = sympy.Symbol("R", positive=True)
    msym = sympy.Symbol("m", positive=True)
    subs = ((msym, width),)
    hess_expr, hess_method = _two_layer_hessian(system, center, Rs, msym)
    hess = SymbolicBound(quantity="hessian_norm", expr=hess_expr, R=Rs, valid="R > 0", method=hess_method,
                         subs=subs, radius=radius)
    lip_expr, lip_inf = _two_layer_lipschitz_expr(system, center, Rs, msym)
    lip = SymbolicBound(quantity="lipschitz", expr=lip_expr, R=Rs, valid="R > 0", method=_LIPSCHITZ_METHOD,
                        subs=subs, radius=radius)
    gap = sympy.Rational(lambda0) - sympy.Rational(mu)  # exact in the floats given
    C = hess.expr.xreplace({msym: _ONE})  # hess.expr = C(R) / sqrt(m)
    Cs, Ls, gs, ns, ms = _criterion_symbols()
    m_inf = _criterion_solution().xreplace({Cs: C, Ls: lip_inf, gs: gap, ns: sympy.Integer(n), Rs: Rs})

    # the smallest integer width where the full criterion (L depends on m) is proved
    lhs = 2 * sympy.sqrt(n) * Rs * C * lip_expr / sympy.sqrt(msym)  # must be <= gap
    r_arb, gap_arb = arb(radius), interval.to_arb(gap)

    def holds(mm):
        val = _arb_eval(lhs, {Rs: r_arb, msym: arb(int(mm))})
        return interval.upper(val) <= interval.lower(gap_arb)

    lo = max(1, int(math.floor(interval.lower(_arb_eval(m_inf, {Rs: r_arb})))))
    if holds(lo):  # possible only by rounding: search below (0 stands for "fails")
        lo, hi = 0, lo
    else:
        hi = 2 * lo
        while not holds(hi):
            lo, hi = hi, 2 * hi
            if hi > 2**62:
                raise InvalidArgument(f"no width up to 2^62 meets the T10 criterion for R={radius!r}, mu={mu!r}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid
    return WidthBound(
        width=int(hi), expr=m_inf, R=Rs, radius=radius, mu=mu, lambda0=lambda0, n=n,
        hessian=hess, lipschitz=lip, t20=n * radius**8 / (lambda0 - mu) ** 2,
        method="T10 criterion with the two-layer closed forms: sqrt(m)(lambda0 - mu) >= 2 sqrt(n) R C(R) L_F(R, m)",
    )
