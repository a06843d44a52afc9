"""Wide networks: T19 (Hessian ~ 1/sqrt(width)), T20 (wide nets are PL*), R1 (Du et al.), R2 (MLI).

Symbols follow docs/theory.md §3.8 and §7: ``w0``/``W0`` the initialization,
``R`` the ball radius, ``m`` the width (the number of hidden neurons here, not the
parameter count), ``lambda0`` the smallest eigenvalue of a kernel, ``mu`` the PL*
constant (D1, 1/2 form), ``eta`` the GD step.

T19 and T20 take a :class:`~plsym.systems.network.NetworkSystem` as a *template*:
its data X, y, hidden activation and output are kept, and one network of each width
in ``widths`` is drawn (fresh N(0, 1) weights, seeds derived from ``rng``). Only the
radius of ``ball`` is used: for each width the ball is B(W0_width, R).

What a pass means: every supremum here is attained at a point of the
ball, so it is a lower bound of the true supremum, and every infimum an upper bound
of the true infimum; "holds" means held at the points tried. A width *slope* is a
least-squares fit of log(quantity) against log(width), a statement about the widths
tried, never about all widths.

The options and claimed constants of each check are listed by ``help(T19)``,
``help(T20)``, ``help(R1)`` and ``help(R2)``. In short: T19 checks that sup_B ||H_F||
decays at least like m^-1/2 (one-sided, up to a polylog factor) at every radius tried
and grows at most like (1 + R)^{3L}; T20 that inf_B lambda_min(K) >= mu at the widest
width and that the kernel moves O~(m^-1/2) along GD (C24); R1 Du et al.'s cumulative
rate 1 - eta lambda0 / 2 (``system`` may be None when X and y are given; ``ball`` is
ignored); R2 monotonic linear interpolation (``breaking=True`` checks
:func:`mli_counterexample`).

Examples
--------
>>> import numpy as np
>>> from plsym.theorems.wide import R2
>>> c = R2.check(None, breaking=True)
>>> c.verdict, c.conclusion.x
('refuted', (0.665,))
"""

from __future__ import annotations

import math

import numpy as np
import scipy.optimize
import sympy

from .. import activations, estimate
from ..ball import Ball
from ..dynamics import gd, linear_rate
from ..errors import InvalidArgument, _show, as_real_array, as_rng, positive_finite, positive_int
from ..system import System
from ..systems.callable import from_callable
from ..systems.network import NetworkSystem, _block_norms_of, _two_layer_block_norms, network
import dataclasses

from ._core import Claim, Mutant, Theorem, TheoremCheck, Verdict, compare, constant, memo, positive_hypothesis
from ._runs import _count, combine

__all__ = ["WIDTHS", "SLOPE", "SLOPE_ATOL", "T19Claim", "T19", "T20Claim", "T20", "du_network", "du_gram",
           "du_h_infinity", "R1Claim", "R1", "MLI_COUNTEREXAMPLE_ETA", "mli_counterexample", "R2"]

WIDTHS = (64, 128, 256, 512, 1024, 2048, 4096)
SLOPE = -0.5       # the claimed width exponent of T19 and C24
SLOPE_ATOL = 0.1   # absolute tolerance on a fitted slope (log factors of O~ and draw-to-draw noise)
_RTOL_IDENTITY = 1e-12  # exact identities in float64 (C25)


# -- shared helpers -------------------------------------------------------------------

def _template(system, theorem_id):
    """The template network, or InvalidArgument."""
    if not isinstance(system, NetworkSystem):
        raise InvalidArgument(
            f"system={_show(system)} must be a plsym NetworkSystem (the template of {theorem_id}: its X, y, "
            "activation and output are kept and one network per width is drawn)"
        )
    return system


def _radius(ball, theorem_id):
    if isinstance(ball, Ball):
        return ball.radius
    if ball is None:
        raise InvalidArgument(f"ball=None: {theorem_id} needs a ball; its radius is R (its center is ignored)")
    return positive_finite("ball", ball)


def _widths(widths):
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise InvalidArgument(f"widths={_show(widths)} must be a list of at least two distinct positive ints")
    ws = tuple(positive_int(f"widths[{j}]", w) for j, w in enumerate(widths))
    if len(set(ws)) < 2:
        raise InvalidArgument(f"widths={list(ws)!r} must hold at least two distinct widths to fit a slope")
    return tuple(sorted(ws))


def _seeds(gen, count):
    """``count`` independent int seeds drawn from ``gen`` (recorded in ``series``)."""
    return [int(s) for s in gen.integers(0, 2**31 - 1, size=count)]


def _draw(template, width, seed):
    """The template's data and activations at hidden width ``width`` (all L hidden layers)."""
    return network(template.X, template.y, [width] * template.depth, activation=template.activation,
                   output=template.output, rng=seed)


def _loglog_slope(x, y):
    """Least-squares slope of log(y) against log(x) (NaN when a value is not positive)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if np.any(x <= 0) or np.any(y <= 0) or len(x) < 2:
        return float("nan")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _label(template, widths):
    return f"{template.name} at widths {list(widths)}"


def _linear_output_hypothesis(template, consequence):
    if template.output is None:
        return Verdict("linear output (sigma_{L+1} = identity, rho = 1)", "holds", "exact",
                       detail="D8 with a linear output")
    return Verdict("linear output (sigma_{L+1} = identity, rho = 1)", "refuted", "exact",
                   detail=f"output={template.output!r}: {consequence}")


def _smooth_hypothesis(template):
    act = activations.get(template.activation)
    return Verdict("hidden activation twice differentiable (D8)", "holds" if act.smooth else "refuted", "exact",
                   detail=f"activation={template.activation!r}")


def _search_level(level):
    """(search?, note): no certified bound is attempted at these widths (millions of boxes)."""
    if level == "certified":
        return True, "certification is out of reach at these widths; searched instead"
    return level == "searched", ""


# -- T19 ------------------------------------------------------------------------------

def _two_layer_sup_witness(net, R, *, grid=256):
    """A point of B(w0, R) maximizing ||H_F|| for a two-layer linear-output net, by exact reduction.

    ||H_F(W)|| = max_{i, r} (norm of block (i, r)), and block (i, r) depends only on
    neuron r's weights through z = u_r . xhat_i and v_r. So the supremum over the ball
    is the max over (i, r) of a 2-D problem: put the whole radius on neuron r, move u_r
    along xhat_i (z moves by s_i per unit) and v_r. The block norm grows with |v| at
    fixed z, so the maximum is on the circle z = z0 + s R cos(t), v = v0 + R sin(t):
    a grid over t for every (i, r) at once, then a bounded scalar refinement of the best.
    A generic search in the full R^m cannot find this point at large m: it needs the
    whole radius on one neuron, which random directions never propose.
    """
    U, V = net.unflatten(net.w0)
    v0 = V[0]
    width, d = U.shape
    act = activations.get(net.activation)
    norms = np.linalg.norm(net.X, axis=1)
    t = np.linspace(0.0, 2.0 * np.pi, grid, endpoint=False)
    rows = [i for i in range(len(norms)) if norms[i] > 0.0]  # a zero input gives a zero Hessian block
    s = norms / math.sqrt(d)
    Z0 = {i: U @ net.X[i] / math.sqrt(d) for i in rows}  # z0 of every neuron, per data row

    def grid_norms(i, neurons):
        return _two_layer_block_norms(act, Z0[i][neurons, None] + s[i] * R * np.cos(t),
                                      v0[neurons, None] + R * np.sin(t), s[i] * s[i], width)

    # Only neurons whose block norm can reach the best found on the neurons of largest |v0| are gridded:
    # the same maximizer (the others stay below it everywhere on their circle), a fraction of the work.
    candidates = {i: np.arange(width) for i in rows}
    if act.dsigma_sup is not None and act.d2sigma_sup is not None and rows:
        top = np.sort(np.argsort(-np.abs(v0), kind="stable")[:8])
        found = max(float(grid_norms(i, top).max()) for i in rows)
        for i in rows:  # the block norm at the sups of |sigma'|, |sigma''| and |v| on the circle bounds it there
            bound = _block_norms_of(act.dsigma_sup, act.d2sigma_sup, np.abs(v0) + R, s[i] * s[i], width)
            candidates[i] = np.flatnonzero(bound * (1 + 1e-6) >= found)
    best = (-1.0, None, None, None)
    for i in rows:
        if not candidates[i].size:
            continue
        g = grid_norms(i, candidates[i])
        r, j = np.unravel_index(int(np.argmax(g)), g.shape)
        if g[r, j] > best[0]:
            best = (float(g[r, j]), i, int(candidates[i][r]), float(t[j]))
    _, i, r, tj = best
    if i is None:
        return net.w0.copy()
    s = norms[i] / math.sqrt(d)
    z0 = float(U[r] @ net.X[i]) / math.sqrt(d)
    h = 2.0 * np.pi / grid
    res = scipy.optimize.minimize_scalar(
        lambda tt: -float(_two_layer_block_norms(act, z0 + s * R * math.cos(tt), v0[r] + R * math.sin(tt), s * s,
                                                width)),
        bounds=(tj - h, tj + h), method="bounded", options={"xatol": 1e-10})
    tt = float(res.x) if -res.fun >= best[0] else tj
    W = net.w0.copy()
    Uw, Vw = net.unflatten(W)  # views into W
    Uw[r] += R * math.cos(tt) * net.X[i] / norms[i]
    Vw[0, r] += R * math.sin(tt)
    return W


@dataclasses.dataclass(frozen=True)
class T19Claim(Claim):
    """The constants of T19 (docs/theory.md T19, C22): sup_B(W0, R) ||H_F|| = O~(R^{3L} / m^{1/2})."""

    width_exponent: float = constant(-0.5, "sup_B ||H_F|| decays at least like m^width_exponent (one-sided)")
    radius_exponent: float | None = constant(None, "sup_B ||H_F|| grows at most like (1 + R)^radius_exponent; "
                                                   "None = 3L (L hidden layers)")
    log_power: float = constant(1.0, "the polylog factor hidden by O~: (log m)^log_power is allowed on top")
    atol: float = constant(0.05, "absolute tolerance on a fitted exponent (draw-to-draw noise)")


def _polylog_allowance(widths, power):
    """The log-log slope that a factor (log m)^power adds over these widths."""
    return power * _loglog_slope(widths, np.log(np.asarray(widths, float)))


def _t19_sups(template, R, widths, net_seeds, est_seeds, samples, search, structured, radii):
    """sup_B ||H_F|| per (radius, width): the estimate at R, the exact two-layer reduction at every radius."""
    sup = {r: [] for r in radii}
    generic, at_w0 = [], []
    for width, ns, es in zip(widths, net_seeds, est_seeds):
        net = _draw(template, width, ns)
        at_w0.append(float(net.hessian_norm(net.w0)))
        for r in radii:
            if structured:
                value = float(net.hessian_norm(_two_layer_sup_witness(net, r)))
                if r == R:
                    e = estimate.hessian_norm(net, Ball(net.w0, r), samples=samples, search=search, rng=es)
                    generic.append(e.value)
                    value = max(value, e.value)
            else:
                e = estimate.hessian_norm(net, Ball(net.w0, r), samples=samples, search=search, rng=es)
                value = e.value
                if r == R:
                    generic.append(value)
            sup[r].append(value)
    return sup, generic, at_w0




def _t19(system, ball, *, level, rng, claim, widths, samples, radii):
    """T19 / C22: the width decay of sup_B ||H_F|| (one-sided, at every radius) and its growth in R."""
    template = _template(system, "T19")
    R = _radius(ball, "T19")
    widths = _widths(widths)
    samples = positive_int("samples", samples, minimum=2)
    radii = tuple(sorted({float(r) for r in (radii if radii is not None else (R / 10, R / 3, R))} | {R}))
    for k, r in enumerate(radii):
        positive_finite(f"radii[{k}]", r)
    gen, seed = as_rng(rng)
    net_seeds, est_seeds = _seeds(gen, len(widths)), _seeds(gen, len(widths))
    hyps = (_linear_output_hypothesis(template, "T13: the Hessian stays Theta(1), no decay"),
            _smooth_hypothesis(template))
    name = "width slope of sup_B ||H_F|| (worst radius)"
    p_R = claim.radius_exponent if claim.radius_exponent is not None else 3.0 * template.depth
    if hyps[1].status == "refuted":
        concl = Verdict(name, "not applicable", level, claim.width_exponent, None, "upper",
                        f"the Hessian of a network with activation={template.activation!r} is not defined")
        return TheoremCheck("T19", T19.title, _label(template, widths), level, hyps, concl, seed,
                            {"widths": list(widths), "R": R})
    search, note = _search_level(level)
    structured = search and template.depth == 1 and template.output is None
    key = (R, widths, tuple(net_seeds), tuple(est_seeds), samples, search, structured, radii)
    sup, generic, at_w0 = memo(template, ("T19",) + key, lambda: _t19_sups(
        template, R, widths, net_seeds, est_seeds, samples, search, structured, radii))
    allowance = _polylog_allowance(widths, claim.log_power)
    slopes = {r: _loglog_slope(widths, sup[r]) for r in radii}
    r_worst = max(radii, key=lambda r: slopes[r])
    method = "searched" if search else "sampled"
    how = (f"{samples} samples per width" + (" + local search" if search else "")
           + (" + exact per-neuron reduction" if structured else "") + (f"; {note}" if note else ""))
    width_v = compare(name, slopes[r_worst], claim.width_exponent + allowance, "upper", method, rtol=0.0,
                      atol=claim.atol,
                      detail=(f"claimed exponent {claim.width_exponent:g} plus the polylog allowance {allowance:.3g} "
                              f"((log m)^{claim.log_power:g} over these widths); slopes by radius "
                              f"{ {r: round(v, 4) for r, v in slopes.items()} }; each sup is attained at a point of "
                              f"B(W0, R) (a lower bound of the true sup; {how}); seeds {net_seeds}"),
                      x=(r_worst,))
    # growth in R at every width: log-log slope of sup against (1 + R)
    rslopes = [_loglog_slope([1 + r for r in radii], [sup[r][k] for r in radii]) for k in range(len(widths))]
    kw = int(np.nanargmax(rslopes))
    radius_v = compare("radius slope of sup_B ||H_F|| against 1 + R (worst width)", rslopes[kw], p_R, "upper", method,
                       rtol=0.0, atol=claim.atol, x=(widths[kw],),
                       detail=f"radii {list(radii)}; claimed exponent 3L = {p_R:g}; slopes by width {_fmt(rslopes)}")
    concl = combine([width_v, radius_v])
    series = {"widths": list(widths), "hessian_sup": sup[R], "hessian_at_w0": at_w0, "slope": slopes[R], "R": R,
              "slope_at_w0": _loglog_slope(widths, at_w0), "hessian_sup_generic_search": generic, "seeds": net_seeds,
              "radii": list(radii), "slopes_by_radius": slopes, "radius_slopes": rslopes, "allowance": allowance}
    return TheoremCheck("T19", T19.title, _label(template, widths), level, hyps, concl, seed, series)


T19 = Theorem(
    "T19", "Hessian norm O~(R^{3L}/sqrt(width)) (transition to linearity)",
    "For a linear output and fixed R, w.h.p. over W0, ||H_F(W)|| = O~(R^{3L} / sqrt(m)) for all W in B(W0, R): "
    "sup_B ||H_F|| decays at least like m^-1/2 up to log factors, and grows at most like R^{3L}.",
    "[paper] (rate), [recalled] (R power)", _t19, claim=T19Claim(),
    options=[("widths", WIDTHS, "hidden widths of the family (one network drawn per width)"),
             ("samples", 32, "sampling budget per width and radius"),
             ("radii", None, "radii of the R-dependence check; None = (R/10, R/3, R)")],
    mutants=[Mutant("decay like 1/m", {"width_exponent": -1.0}),
             Mutant("no growth in R", {"radius_exponent": 0.0})],
    notes=("One-sided: a faster decay than m^-1/2 holds; a slower one (e.g. a non-linear output, T13) is refuted. "
           "A slope is a least-squares fit over the widths tried, a statement about them, not about all widths."))


# -- T20 ------------------------------------------------------------------------------

def _kernel_change_along_gd(net, steps):
    """(sup_t ||K(W_t) - K(W0)||_2, eta, final/initial loss, max_t ||W_t - W0||) for GD with eta = 1/lambda_max(K(W0))."""
    K0 = net.kernel(net.w0)
    eta = 1.0 / float(np.linalg.eigvalsh(K0)[-1])
    tr = gd(net, eta=eta, steps=steps)
    dK = net.kernel(tr.points) - K0
    change = float(np.abs(np.linalg.eigvalsh(dK)).max())
    travel = float(np.linalg.norm(tr.points - net.w0, axis=1).max())
    return change, eta, float(tr.losses[-1] / tr.losses[0]), travel


@dataclasses.dataclass(frozen=True)
class T20Claim(Claim):
    """The constants of T20 (docs/theory.md T20, C24)."""

    mu_fraction: float = constant(0.5, "mu = mu_fraction lambda0 in (0, lambda0): inf_B lambda_min(K) >= mu at the "
                                       "widest width")
    kernel_exponent: float = constant(-0.5, "sup_t ||K(W_t) - K(W0)|| along GD decays at least like m^kernel_exponent "
                                            "(C24, one-sided)")
    log_power: float = constant(1.0, "the polylog factor hidden by O~ in C24")
    atol: float = constant(0.05, "absolute tolerance on a fitted exponent")


def _t20_measure(template, R, widths, net_seeds, est_seeds, samples, search, steps):
    lam0, lam_ball, witnesses, change, etas, shrink = [], [], [], [], [], []
    for width, ns, es in zip(widths, net_seeds, est_seeds):
        net = _draw(template, width, ns)
        lam0.append(float(np.linalg.eigvalsh(net.kernel(net.w0))[0]))
        e = estimate.kernel_min_eig(net, Ball(net.w0, R), samples=samples, search=search, rng=es)
        lam_ball.append(e.value)
        witnesses.append(e.x)
        c, eta, ratio, _ = _kernel_change_along_gd(net, steps)
        change.append(c)
        etas.append(eta)
        shrink.append(ratio)
    return lam0, lam_ball, witnesses, change, etas, shrink


def _t20(system, ball, *, level, rng, claim, widths, samples, steps):
    """T20 (+ T4, C24): inf_B lambda_min(K) >= mu = mu_fraction * lambda0 at the widest width; the kernel moves
    O~(1/sqrt(m)) along GD."""
    template = _template(system, "T20")
    R = _radius(ball, "T20")
    widths = _widths(widths)
    samples = positive_int("samples", samples, minimum=2)
    steps = positive_int("steps", steps)
    mu_fraction = positive_finite("claim.mu_fraction", claim.mu_fraction)
    if mu_fraction >= 1:
        raise InvalidArgument(f"claim.mu_fraction={mu_fraction!r} must lie in (0, 1): T20 takes mu in (0, lambda0)")
    gen, seed = as_rng(rng)
    net_seeds, est_seeds = _seeds(gen, len(widths)), _seeds(gen, len(widths))
    search, note = _search_level(level)
    key = (R, widths, tuple(net_seeds), tuple(est_seeds), samples, search, steps)
    lam0, lam_ball, witnesses, change, etas, shrink = memo(template, ("T20",) + key, lambda: _t20_measure(
        template, R, widths, net_seeds, est_seeds, samples, search, steps))
    mu = [mu_fraction * v for v in lam0]
    method = "searched" if search else "sampled"
    kslope = _loglog_slope(widths, change)
    allowance = _polylog_allowance(widths, claim.log_power)
    hyps = (
        positive_hypothesis("lambda0 = lambda_min(K(W0)) > 0 at the widest width", lam0[-1],
                            detail=f"lambda0 by widths: {_fmt(lam0)}"),
        _linear_output_hypothesis(template, "T20 then needs rho = inf |sigma'_{L+1}| on the ball and lambda0 of the "
                                            "pre-activation kernel (T11), not computed here"),
    )
    c24 = compare("width slope of sup_t ||K(W_t) - K(W0)||_2 along GD (C24)", kslope,
                  claim.kernel_exponent + allowance, "upper", "run", rtol=0.0, atol=claim.atol,
                  detail=(f"claimed exponent {claim.kernel_exponent:g} plus the polylog allowance {allowance:.3g}; GD on "
                          f"the square loss, eta = 1/lambda_max(K(W0)), {steps} steps; kernel change by widths: "
                          f"{_fmt(change)}; final/initial loss: {_fmt(shrink)}"))
    passing = [w for w, lb, m_ in zip(widths, lam_ball, mu) if lb >= m_]
    detail = (f"mu = {mu_fraction:g} lambda0 = {mu[-1]:.4g}, R = {R:g}; inf estimated by {samples} samples"
              + (" + local search" if search else "") + " (an upper bound of the true inf: holds = not refuted)"
              + (f"; {note}" if note else "")
              + f"; inf_B lambda_min >= mu at widths {passing} of {list(widths)}; seeds {net_seeds}")
    pl = compare("inf_B lambda_min(K) at the widest width (mu-PL*, T4)", lam_ball[-1], mu[-1], "lower", method,
                 rtol=0.0, error=1e-9 * abs(lam_ball[-1]), detail=detail,
                 x=witnesses[-1] if lam_ball[-1] < mu[-1] else None)
    concl = combine([pl, c24])
    series = {"widths": list(widths), "lambda0": lam0, "lambda_min_ball": lam_ball, "mu": mu,
              "kernel_change": change, "kernel_change_slope": kslope, "R": R, "eta": etas, "seeds": net_seeds}
    return TheoremCheck("T20", T20.title, _label(template, widths), level, hyps, concl, seed, series)


def _fmt(values):
    return "[" + ", ".join(f"{v:.3g}" for v in values) + "]"


T20 = Theorem(
    "T20", "wide networks satisfy PL*",
    "If lambda0 = lambda_min(K(W0)) > 0 and mu in (0, lambda0 rho^2), width m = Omega~(n R^{6L+2} / (lambda0 - mu rho^-2)^2) "
    "gives mu-PL* for the square loss on B(W0, R) w.h.p.; the kernel moves O~(1/sqrt(m)) along GD (C24).",
    "[paper]", _t20, claim=T20Claim(),
    options=[("widths", WIDTHS, "hidden widths of the family"), ("samples", 32, "sampling budget per width"),
             ("steps", 100, "GD steps for the kernel change (C24)")],
    mutants=[Mutant("mu = 0.99 lambda0 (the kernel barely moves on the ball)", {"mu_fraction": 0.99}),
             Mutant("kernel change like m^-3/2", {"kernel_exponent": -1.5})],
    notes=("The inf over the ball is searched (an over-estimate of the true inf): the PL* part holds where not refuted. "
           "The C24 bound is one-sided: on the proof script's two-layer tanh net the kernel change decays faster "
           "(about m^-1.15), so its mutant claims m^-3/2."))


# -- R1: Du, Zhai, Poczos, Singh ----------------------------------------------------------

def du_network(X, y, width, *, rng=0):
    """Du et al.'s two-layer ReLU network f(W; x) = (1/sqrt m) sum_r a_r relu(w_r . x) as a system in W.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs x_i, one per row (Du et al. take ||x_i|| = 1).
    y : array_like, shape (n,)
        Targets.
    width : int
        m, the number of hidden neurons.
    rng : int or numpy.random.Generator, default 0
        Draws w_r(0) ~ N(0, I_d) and then a_r uniform on {-1, +1}.

    Returns
    -------
    CallableSystem
        With batched F and the exact Jacobian d f / d w_r = a_r 1{w_r . x >= 0} x / sqrt(m)
        (relu'(0) := 1, Du's convention), parameters W flattened row-major (m = width * d
        parameters), ``w0`` the draw. It also carries ``X``, ``a`` (the fixed output
        signs), ``width`` and ``seed`` (None when a Generator was passed).

    References
    ----------
    docs/theory.md §7 R1 and C25.

    Examples
    --------
    >>> import numpy as np
    >>> s = du_network(np.eye(2), [1.0, -1.0], 512, rng=0)
    >>> s.m, s.n
    (1024, 2)
    >>> bool(np.allclose(s.kernel(s.w0), du_gram(s.X, s.w0.reshape(512, 2)), rtol=1e-12))
    True
    """
    X = as_real_array("X", X, ndim=2)
    width = positive_int("width", width)
    gen, seed = as_rng(rng)
    n, d = X.shape
    W0 = gen.standard_normal((width, d))
    a = gen.choice([-1.0, 1.0], size=width)
    scale = 1.0 / math.sqrt(width)

    def F(Wb):
        Z = X @ np.swapaxes(Wb.reshape(-1, width, d), -1, -2)  # (k, n, width)
        return np.maximum(Z, 0.0) @ a * scale

    def jacobian(Wb):
        Z = X @ np.swapaxes(Wb.reshape(-1, width, d), -1, -2)
        gate = (Z >= 0.0) * (a * scale)  # (k, n, width)
        return (gate[..., :, None] * X[None, :, None, :]).reshape(Wb.shape[0], n, width * d)

    system = from_callable(F, m=width * d, n=n, y=y, jacobian=jacobian, batched=True,
                           name=f"Du et al. two-layer ReLU net (d={d}, width={width})", w0=W0.ravel())
    system.X, system.a, system.width, system.seed = X.copy(), a, width, seed
    return system


def du_gram(X, W):
    """Du et al.'s Gram matrix H(W)_ij = (1/m) x_i . x_j sum_r 1{w_r . x_i >= 0, w_r . x_j >= 0}.

    Parameters
    ----------
    X : array_like, shape (n, d)
    W : array_like, shape (m, d)
        The hidden weights w_1, ..., w_m as rows.

    Returns
    -------
    ndarray, shape (n, n)

    Notes
    -----
    C25: this is the tangent kernel of :func:`du_network` with respect to W.

    Examples
    --------
    >>> import numpy as np
    >>> du_gram(np.eye(2), np.array([[1.0, 1.0], [-1.0, 1.0]]))
    array([[0.5, 0. ],
           [0. , 1. ]])
    """
    X = as_real_array("X", X, ndim=2)
    W = as_real_array("W", W, ndim=2)
    if W.shape[1] != X.shape[1]:
        raise InvalidArgument(f"W has shape {W.shape}; it must be (m, d) with d={X.shape[1]} like X")
    A = (X @ W.T >= 0.0).astype(np.float64)  # (n, m)
    return (X @ X.T) * (A @ A.T) / W.shape[0]


def du_h_infinity(X):
    """H^inf_ij = E_{w ~ N(0, I)} x_i . x_j 1{w . x_i >= 0, w . x_j >= 0}, in closed form for unit inputs.

    For unit x_i, x_j at angle theta = arccos(x_i . x_j), the probability that both
    half-spaces contain w is (pi - theta) / (2 pi), so H^inf_ij = x_i . x_j (pi - theta) / (2 pi).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Unit-norm rows.

    Returns
    -------
    ndarray, shape (n, n)

    Raises
    ------
    InvalidArgument
        If a row of X is not of unit norm (within 1e-9).

    Examples
    --------
    >>> import numpy as np
    >>> du_h_infinity(np.eye(2))
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    X = as_real_array("X", X, ndim=2)
    norms = np.linalg.norm(X, axis=1)
    if np.any(np.abs(norms - 1.0) > 1e-9):
        raise InvalidArgument(f"X has rows of norm {_fmt(norms)}; du_h_infinity needs unit-norm rows")
    # theta = 2 atan2(||x_i - x_j||, ||x_i + x_j||): accurate near 0 and pi, where arccos is not
    diff = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)
    summ = np.linalg.norm(X[:, None, :] + X[None, :, :], axis=-1)
    theta = 2.0 * np.arctan2(diff, summ)
    return (X @ X.T) * (np.pi - theta) / (2.0 * np.pi)


@dataclasses.dataclass(frozen=True)
class R1Claim(Claim):
    """The constant of Du et al.'s GD theorem (docs/theory.md R1, C25)."""

    rate_factor: float = constant(0.5, "||u(k) - y||^2 <= (1 - rate_factor eta lambda0)^k ||u(0) - y||^2")


def _r1(system, ball, *, level, rng, claim, X, y, width, steps, eta):
    """R1 (Du et al. Thm 4.1) and C25 on Du's network built from the data of ``system`` or X, y."""
    if X is None:
        if not isinstance(system, NetworkSystem):
            raise InvalidArgument(f"system={_show(system)} must be a NetworkSystem (for its X, y), or pass X= and y=")
        X = system.X
        y = system.y if y is None else y
    if y is None:
        raise InvalidArgument("y=None: R1 needs targets, from a template NetworkSystem or y=")
    X = as_real_array("X", X, ndim=2)
    steps = positive_int("steps", steps)
    gen, seed = as_rng(rng)
    net = du_network(X, y, width, rng=gen)
    n, d = X.shape
    norms = np.linalg.norm(X, axis=1)
    far = int(np.argmax(np.abs(norms - 1)))
    unit = compare("unit-norm inputs ||x_i|| = 1 (the norm farthest from 1)", float(norms[far]), 1.0, "tight", "exact",
                   rtol=0.0, atol=1e-12, detail="atol 1e-12")
    if unit.status == "refuted":
        concl = Verdict("worst step ratio ||u(k+1) - y||^2 / ||u(k) - y||^2", "not applicable", "run",
                        detail="H^inf has the closed form only for unit inputs")
        return TheoremCheck("R1", R1.title, net.name, level, (unit,), concl, seed)
    eta_rule = "1/lambda_max(H(W0))" if eta is None else "given"
    eta = None if eta is None else positive_finite("eta", eta)

    def run():
        """The GD run and the kernels along it: nothing here depends on the claim, so that its mutants reuse it."""
        Hinf = du_h_infinity(X)
        H0 = du_gram(X, net.w0.reshape(width, d))
        lam_max0 = float(np.linalg.eigvalsh(H0)[-1])
        step = 1.0 / lam_max0 if eta is None else eta
        tr = gd(net, eta=step, steps=steps)
        # C25 at W0 and along the run: the tangent kernel is Du's H(W) (a_r^2 = 1)
        pts = tr.points[np.unique(np.linspace(0, len(tr.points) - 1, 5).astype(int))]
        errs = []
        for w in pts:
            H = du_gram(X, w.reshape(width, d))
            errs.append(float(np.abs(net.kernel(w) - H).max() / np.abs(H).max()))
        return (Hinf, float(np.linalg.eigvalsh(Hinf)[0]), lam_max0, float(np.linalg.norm(H0 - Hinf, 2)), step, tr,
                pts, errs)

    key = ("R1", X.tobytes(), np.asarray(y, float).tobytes(), width, steps, eta, seed)
    Hinf, lam0, lam_max0, dev, eta, tr, pts, errs = run() if seed is None else memo(R1, key, run)
    rate = 1.0 - claim.rate_factor * eta * lam0
    rc = linear_rate(tr, rate)
    moves = np.linalg.norm((tr.points - tr.points[0]).reshape(len(tr.points), width, d), axis=2).max()
    r0 = math.sqrt(2.0 * tr.losses[0])
    R_prime = math.sqrt(n) * r0 / (math.sqrt(width) * lam0) if lam0 > 0 else math.inf
    hyps = (
        unit,
        compare("tangent kernel = Du's H(W) (C25), max relative entry error", max(errs), 0.0, "tight", "exact",
                rtol=0.0, atol=_RTOL_IDENTITY, detail=f"at {len(pts)} points of the GD run, rtol {_RTOL_IDENTITY:g}"),
        positive_hypothesis("lambda0 = lambda_min(H^inf) > 0 (no two inputs parallel)", lam0,
                            detail="H^inf_ij = x_i.x_j (pi - arccos x_i.x_j) / (2 pi)"),
        compare("||H(W0) - H^inf||_2 <= lambda0 / 4 (Du's Lemma 3.1: m large enough)", dev, lam0 / 4, "upper",
                "exact", rtol=0.0, detail=f"width m = {width}; this draw of W0"),
        compare("eta lambda_max(H(W0)) <= 1 (a stable step)", eta * lam_max0, 1.0, "upper", "exact", rtol=1e-12,
                detail=(f"eta = {eta:.4g} ({eta_rule}); Du's Thm 4.1 asks eta = O(lambda0 / n^2) with an unstated "
                        f"constant (lambda0 / n^2 = {lam0 / n ** 2:.3g}); 1/lambda_max(H(W0)) is the step 1/beta "
                        "of the linearized loss, the practical choice")),
    )
    detail = (f"eta = {eta:.4g}, lambda0 = {lam0:.4g}, {rc.steps_checked} steps checked (stopped: {tr.stopped}), "
              f"{rc.undecided} within round-off; max_r ||w_r(k) - w_r(0)|| = {moves:.3g} (Du's R' = sqrt(n)||y - u(0)|| "
              f"/ (sqrt(m) lambda0) = {R_prime:.3g}); L = 1/2 ||u - y||^2, so loss ratios are the ratios of ||u - y||^2; "
              "float64 evidence (a ReLU network has no ball-arithmetic form here)")
    k = np.arange(1, len(tr.losses))
    E = tr.loss_errors
    ok = (tr.losses[1:] > 1e3 * E[1:]) & (tr.losses[0] > 0)
    eff = (tr.losses[1:][ok] / tr.losses[0]) ** (1.0 / k[ok]) if ok.any() else np.array([np.nan])
    j = int(np.nanargmax(eff)) if ok.any() else None
    measured = float(eff[j]) if j is not None else None
    status = {"refuted": "refuted", "holds": "holds"}.get(rc.status, "inconclusive")
    witness = tr.points[rc.first_failure] if rc.first_failure is not None else None
    concl = Verdict("worst effective rate max_k (||u(k) - y||^2 / ||u(0) - y||^2)^(1/k)", status, "run", rate,
                    measured, "upper", detail, witness)
    series = {"losses": tr.losses, "bound": tr.losses[0] * rate ** np.arange(len(tr.losses)), "rate": rate,
              "eta": eta, "lambda0": lam0, "h0_deviation": dev, "H_inf": Hinf, "max_neuron_move": float(moves),
              "R_prime": R_prime, "width": width}
    return TheoremCheck("R1", R1.title, net.name, level, hyps, concl, seed, series)


R1 = Theorem(
    "R1", "Du et al.: GD on a wide two-layer ReLU net at rate 1 - eta lambda0 / 2",
    "f = (1/sqrt m) sum_r a_r relu(w_r . x), unit inputs, lambda0 = lambda_min(H^inf) > 0: for m large and a small step eta, "
    "||u(k) - y||^2 <= (1 - eta lambda0 / 2)^k ||u(0) - y||^2; H(W) is the tangent kernel (C25).",
    "[paper], constants [recalled]", _r1, claim=R1Claim(),
    options=[("X", None, "inputs (else the template's)"), ("y", None, "targets (else the template's)"),
             ("width", 2048, "the number m of hidden neurons"), ("steps", 200, "GD steps"),
             ("eta", None, "the step; None = 1/lambda_max(H(W0))")],
    mutants=[Mutant("rate 1 - 2 eta lambda0", {"rate_factor": 2.0})],
    notes="The claim is cumulative (Du et al. Thm 4.1), checked with round-off error bars on every loss.")


# -- R2: monotonic linear interpolation ------------------------------------------------------

MLI_COUNTEREXAMPLE_ETA = 0.2
"""The GD step of :func:`mli_counterexample` that jumps from w0 = -2 into the +1 basin."""


def mli_counterexample():
    """F(w) = w^2, y = 1, w0 = -2: GD with eta = 0.2 breaks monotonic linear interpolation.

    The first step goes from -2 to 0.4 (gradient 2 w (w^2 - 1) = -12), into the basin of
    +1, so GD ends near w_T = 1 and the segment from -2 to 1 passes the solution -1
    (L = 0) and then the barrier at 0 (L = 1/2).

    Returns
    -------
    plsym.System
        m = n = 1, with ``w0 = [-2.0]``; run R2 with ``eta=MLI_COUNTEREXAMPLE_ETA``.

    References
    ----------
    docs/theory.md §7 R2.

    Examples
    --------
    >>> s = mli_counterexample()
    >>> float(s.loss([0.0]))
    0.5
    """
    w = sympy.Symbol("w")
    return System([w ** 2], [w], [1.0], w0=[-2.0], name="F(w) = w^2, y = 1, w0 = -2")


def _largest_rise(L):
    """(rise, k_low, k_high): the largest L[k_high] - L[k_low] with k_low <= k_high (0 if L is non-increasing)."""
    low, best = 0, (0.0, 0, 0)
    for k in range(len(L)):
        if L[k] < L[low]:
            low = k
        if L[k] - L[low] > best[0]:
            best = (float(L[k] - L[low]), low, k)
    return best


def _r2(system, ball, *, level, rng, claim, eta, steps, grid, atol, breaking):
    """R2: L((1 - a) w0 + a w_T) non-increasing on a grid of a in [0, 1], w_T the end of GD from w0."""
    if breaking is not None:
        if breaking is not True:
            raise InvalidArgument(f"breaking={_show(breaking)} must be True (check mli_counterexample()) or None")
        system, eta = mli_counterexample(), MLI_COUNTEREXAMPLE_ETA if eta is None else eta
    if not isinstance(system, System):
        raise InvalidArgument(f"system={_show(system)} must be a plsym.System")
    if system.w0 is None:
        raise InvalidArgument(f"system {system.name!r} has w0=None; R2 starts GD from system.w0")
    steps = positive_int("steps", steps)
    grid = positive_int("grid", grid, minimum=3)
    _, seed = as_rng(rng)  # GD and the grid are deterministic; the seed is recorded for uniformity
    w0 = system.w0
    eta_rule = "given"
    if eta is None:
        eta = 1.0 / float(np.linalg.eigvalsh(system.kernel(w0))[-1])
        eta_rule = "1/lambda_max(K(w0))"
    eta = positive_finite("eta", eta)
    tr = gd(system, eta=eta, steps=steps)
    wT = tr.points[-1]
    alphas = np.linspace(0.0, 1.0, grid)
    L = system.loss(w0[None, :] + alphas[:, None] * (wT - w0)[None, :])
    tol = 1e-12 * max(float(L[0]), 1.0) if atol is None else float(atol)
    rise, k_low, k_high = _largest_rise(L)
    trained = compare("GD lowered the loss: L(w_T) < L(w0)", float(L[-1]), float(L[0]), "upper", "run", rtol=0.0,
                      detail=f"eta = {eta:.4g} ({eta_rule}), {_count(tr.steps, 'step')}, stopped: {tr.stopped}")
    if not L[-1] < L[0]:
        trained = Verdict(trained.name, "refuted", "run", float(L[0]), float(L[-1]), "upper", trained.detail)
    detail = (f"grid of {grid} alphas in [0, 1], tolerance {tol:.3g}; "
              + (f"L rises from {L[k_low]:.4g} at alpha = {alphas[k_low]:.4g} to {L[k_high]:.4g} at alpha = {alphas[k_high]:.4g}"
                 if rise > tol else "L is non-increasing on the grid")
              + "; MLI is an empirical property [restated]: a refutation is expected where GD leaves its starting basin")
    concl = compare("largest increase of L((1 - a) w0 + a w_T) over a in [0, 1]", rise, 0.0, "upper", "sampled",
                    rtol=0.0, atol=tol, detail=detail, x=(alphas[k_high],) if rise > tol else None)
    series = {"alphas": alphas, "losses_along_line": L, "gd_losses": tr.losses, "largest_increase": rise,
              "witness_alpha": float(alphas[k_high]) if rise > tol else None,
              "rise_from_alpha": float(alphas[k_low]) if rise > tol else None, "eta": eta}
    return TheoremCheck("R2", R2.title, system.name or "system", level, (trained,), concl, seed, series)


R2 = Theorem(
    "R2", "monotonic linear interpolation (MLI)",
    "Along GD from w0 to w_T, L((1 - a) w0 + a w_T) is non-increasing in a in [0, 1] (Lucas et al.); it holds in the "
    "(near-)linear regime of wide nets and fails when GD leaves its starting basin.",
    "[paper], [restated]", _r2,
    options=[("eta", None, "the GD step; None = 1/lambda_max(K(w0))"), ("steps", 100, "GD steps"),
             ("grid", 201, "points on the segment"), ("atol", None, "tolerance on an increase; None = 1e-12 max(1, L(w0))"),
             ("breaking", None, "True: check mli_counterexample() instead of system")],
    notes="No numeric constant: the claim is monotonicity (the largest increase is 0).")
