"""More results on networks: a non-linear output (T13, C23), GD/SGD end to end (T21), CNNs and ResNets (T22),
the kernel change along GD (C24).

Symbols follow docs/theory.md §3.5 and §3.8: ``m`` the hidden width, ``W0`` the
initialization, f = phi(f~) a network whose output activation phi is not the
identity, f~ the same network with a linear output (the same parameters).

T13 takes a :class:`~plsym.systems.network.NetworkSystem` with a non-linear
``output`` as a template, as T19 and T20 do: one network per width is drawn
(``draws`` per width, averaged), with the linear-output twin on the same
parameters for contrast.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..ball import Ball
from ..errors import InvalidArgument, _show, as_rng, positive_int
from ..systems.network import network
from ._core import Claim, Mutant, Theorem, TheoremCheck, Verdict, compare, constant, memo, positive_hypothesis
from ._runs import combine
from .conditioning import T11
from .wide import (_draw, _fmt, _kernel_change_along_gd, _linear_output_hypothesis, _loglog_slope, _polylog_allowance,
                   _radius, _seeds, _template, _widths)

__all__ = ["T13Claim", "T13", "T21Claim", "T21", "T22Claim", "T22", "C24Claim", "C24"]


@dataclasses.dataclass(frozen=True)
class T13Claim(Claim):
    """The constants of T13 (docs/theory.md T13, C23)."""

    hessian_exponent: float = constant(0.0, "||H_F(W0)|| ~ m^hessian_exponent: Theta(1), no decay with the width "
                                            "(tight)")
    kernel_exponent: float = constant(0.0, "sup_t ||K(W_t) - K(W0)|| along GD ~ m^kernel_exponent: Theta(1), the "
                                           "kernel keeps moving (tight)")
    atol: float = constant(0.2, "absolute tolerance on a fitted exponent (the Theta(1) limits are random: "
                                "max_i |phi''(f~_i(W0))| K_ii varies from draw to draw)")


def _twin(net):
    """The linear-output network on the same data and parameters as ``net``."""
    return network(net.X, net.y, net.widths, activation=net.activation, output=None, rng=net.seed)


def _t13_measure(template, widths, seeds, steps):
    H, Ht, KC, KCt = [], [], [], []
    for width, row in zip(widths, seeds):
        h, ht, kc, kct = [], [], [], []
        for s in row:
            net = _draw(template, width, s)
            twin = _twin(net)
            h.append(float(net.hessian_norm(net.w0)))
            ht.append(float(twin.hessian_norm(twin.w0)))
            kc.append(_kernel_change_along_gd(net, steps)[0])
            kct.append(_kernel_change_along_gd(twin, steps)[0])
        H.append(float(np.mean(h))), Ht.append(float(np.mean(ht)))
        KC.append(float(np.mean(kc))), KCt.append(float(np.mean(kct)))
    return H, Ht, KC, KCt


def _t13(system, ball, *, level, rng, claim, widths, draws, steps, samples):
    template = _template(system, "T13")
    R = _radius(ball, "T13")
    widths = _widths(widths)
    draws = positive_int("draws", draws)
    steps = positive_int("steps", steps)
    gen, seed = as_rng(rng)
    seeds = [_seeds(gen, draws) for _ in widths]
    hyp = Verdict("non-linear output phi (f = phi(f~))", "holds" if template.output is not None else "refuted",
                  "exact", detail=f"output={template.output!r}" + ("" if template.output is not None else
                                                                   ": a linear output is T19's case"))
    if hyp.status != "holds":
        return TheoremCheck("T13", T13.title, template.name, level, (hyp,), hyp, seed)
    def measure():
        """The width family and T11 (rho^2 factor) on B(W0, R) at the widest width: nothing here depends on
        the claim, so that its mutants reuse it."""
        inner = _twin(_draw(template, widths[-1], seeds[-1][0]))
        t11 = T11.check(inner, Ball(inner.w0, R), level=level, rng=seed, phi=template.output, samples=samples)
        lam = float(np.linalg.eigvalsh(_draw(template, widths[-1], seeds[-1][0]).kernel(inner.w0))[0])
        return _t13_measure(template, widths, seeds, steps), t11, lam

    key = (widths, tuple(map(tuple, seeds)), steps, R, level, seed, samples)
    (H, Ht, KC, KCt), t11, lam = memo(template, ("T13",) + key, measure)
    hs, hts = _loglog_slope(widths, H), _loglog_slope(widths, Ht)
    ks, kts = _loglog_slope(widths, KC), _loglog_slope(widths, KCt)
    # the Theta(1) limits are random (phi''(f~(W0)) varies from draw to draw): a fitted slope that misses
    # the claim by less than atol plus 3 standard errors of the fit is inconclusive, not refuted
    he, ke = _slope_error(widths, H), _slope_error(widths, KC)
    hess = compare("width slope of ||H_F(W0)|| (non-linear output)", hs, claim.hessian_exponent, "tight", "exact",
                   rtol=0.0, atol=claim.atol, error=he,
                   detail=(f"mean over {draws} draw(s) per width of ||H_F(W0)|| = {_fmt(H)} at widths {list(widths)}; "
                           f"error bar 3 standard errors of the fitted slope ({he:.3g}); the linear-output twin on the "
                           f"same parameters: {_fmt(Ht)}, slope {hts:.3g} (T19)"))
    kern = compare("width slope of sup_t ||K(W_t) - K(W0)||_2 along GD (non-linear output)", ks, claim.kernel_exponent,
                   "tight", "run", rtol=0.0, atol=claim.atol, error=ke,
                   detail=(f"GD with eta = 1/lambda_max(K(W0)), {steps} steps; kernel change {_fmt(KC)}; error bar "
                           f"{ke:.3g}; linear-output twin {_fmt(KCt)}, slope {kts:.3g} (C24)"))
    # PL* persists: T11 (lambda_min(K_f) >= rho^2 lambda_min(K_f~)) at the widest width on B(W0, R)
    pl = t11.conclusion.replace(detail=f"T11 at width {widths[-1]} on B(W0, {R:g}): {t11.conclusion.detail}")
    hyps = (hyp, *t11.hypotheses,
            positive_hypothesis("lambda_min(K_f(W0)) > 0 at the widest width", lam))
    concl = combine([hess, kern, pl])
    series = {"widths": list(widths), "hessian": H, "hessian_linear": Ht, "kernel_change": KC,
              "kernel_change_linear": KCt, "slopes": {"hessian": hs, "hessian_linear": hts, "kernel": ks,
                                                      "kernel_linear": kts},
              "slope_errors": {"hessian": he, "kernel": ke}, "seeds": seeds, "R": R}
    return TheoremCheck("T13", T13.title, f"{template.name} at widths {list(widths)}", level, hyps, concl, seed,
                        series)


T13 = Theorem(
    "T13", "a non-linear output: no transition to linearity, yet PL* persists",
    "For f = phi(f~) with phi'' != 0, H_f = phi'(f~) H_f~ + phi''(f~) grad f~ grad f~^T stays Theta(1) as the width "
    "grows, and the tangent kernel keeps moving along GD; yet lambda_min(K_f) >= rho^2 lambda_min(K_f~) (T11), so "
    "PL* persists.", "[paper]", _t13, claim=T13Claim(),
    options=[("widths", (64, 128, 256, 512, 1024, 2048, 4096), "hidden widths of the family"),
             ("draws", 2, "networks drawn per width (the Theta(1) limits are random; their mean is fitted)"),
             ("steps", 100, "GD steps for the kernel change"),
             ("samples", 64, "points of B(W0, R) for T11 at the widest width")],
    mutants=[Mutant("Hessian decays like m^-1/2", {"hessian_exponent": -0.5}),
             Mutant("kernel change vanishes like m^-1/2", {"kernel_exponent": -0.5})],
    notes=("Both slopes are fitted over the widths tried; Theta(1) is read as a slope within atol of 0 (a miss within "
           "atol plus 3 standard errors of the fit is inconclusive), the linear-"
           "output twin (slope about -1/2 for the Hessian, faster for the kernel change) is reported beside it. The "
           "PL* part is T11's check (rho^2 factor) on the widest network's ball."))


# -- T21: GD and SGD on a wide network, end to end ------------------------------------------


@dataclasses.dataclass(frozen=True)
class T21Claim(Claim):
    """The constants of T21 (docs/theory.md T21, with T14, T18 and T20)."""

    radius_factor: float = constant(2.0, "GD stays in B(W0, radius_factor L_F ||F(W0) - y|| / mu) (T14's radius, "
                                         "with T14's measured mu and L_F on the ball)")
    rate_factor: float = constant(1.0, "GD with T14's step: L(W_t+1) <= (1 - rate_factor eta mu) L(W_t)")
    sgd_rate_factor: float = constant(1.0, "SGD with T18's step eta*: E[L(W - eta* g)] <= (1 - sgd_rate_factor mu "
                                           "eta*) L(W)")


def _t21_ball(net, mu_fraction, radius_factor):
    """(R, lambda0, mu, L_F(W0), ||r0||): T20's mu and T21's radius at the network's W0."""
    ev = np.linalg.eigvalsh(net.kernel(net.w0))
    lam0, LF = float(ev[0]), float(np.sqrt(ev[-1]))
    r0 = float(np.linalg.norm(net.residual(net.w0)))
    mu = mu_fraction * lam0
    return radius_factor * LF * r0 / mu, lam0, mu, LF, r0


def _t21(system, ball, *, level, rng, claim, sgd_width, sgd_system, batch_size, samples, sgd_samples, mu_fraction):
    from .gd import T14
    from .sgd import T18

    template = _template(system, "T21")
    if sgd_system is not None:
        _template(sgd_system, "T21 (sgd_system)")
        sgd_width = sgd_system.widths[0]
    width, sgd_width = template.widths[0], positive_int("sgd_width", sgd_width)
    gen, seed = as_rng(rng)
    s_gd, s_sgd = template.seed, _seeds(gen, 1)[0]
    out_hyp = Verdict("linear output (T14's radius and step, T20's lambda0)",
                      "holds" if template.output is None else "refuted", "exact", detail=f"output={template.output!r}")
    parts, hyps, series = [], [out_hyp], {}
    for label, w, s, check in (("GD", width, s_gd, "gd"), ("SGD", sgd_width, s_sgd, "sgd")):
        net = template if check == "gd" else (sgd_system if sgd_system is not None else _draw(template, w, s))
        R, lam0, mu, LF, r0 = _t21_ball(net, mu_fraction, 2.0)
        hyps.append(positive_hypothesis(f"{label} at width {w}: lambda0 = lambda_min(K(W0)) > 0 (T20)", lam0,
                                        detail=f"R = 2 L_F ||r0|| / mu = {R:.4g} with L_F(W0) = {LF:.4g}, ||r0|| = "
                                               f"{r0:.4g}, mu = {mu_fraction:g} lambda0 = {mu:.4g}; seed {s}"))
        if lam0 <= 0:
            continue
        b = Ball(net.w0, R)
        if check == "gd":
            c = T14.check(net, b, level=level, rng=seed, samples=samples,
                          claim=T14.claim.replace(rate_factor=claim.rate_factor, radius_factor=claim.radius_factor))
        else:
            c = T18.check(net, b, level=level, rng=seed, claim=T18.claim.replace(rate_factor=claim.sgd_rate_factor),
                          batch_size=batch_size, samples=sgd_samples)
        hyps.extend(h.replace(name=f"{label} ({c.id}): {h.name}") for h in c.hypotheses)
        parts.append(c.conclusion.replace(name=f"{label} ({c.id}) at width {w}: {c.conclusion.name}",
                                          detail=f"B(W0, {R:.4g}); {c.conclusion.detail}"))
        series[label] = {"width": w, "R": R, "lambda0": lam0, "mu": mu, "verdict": c.verdict,
                         "series": {k: v for k, v in c.series.items() if k != "parts"}}
    if not parts:
        return TheoremCheck("T21", T21.title, template.name, level, tuple(hyps), hyps[-1], seed, series)
    return TheoremCheck("T21", T21.title, f"{template.name} at widths {width} (GD), {sgd_width} (SGD)", level,
                        tuple(hyps), combine(parts), seed, series)


T21 = Theorem(
    "T21", "GD and SGD converge on wide networks",
    "With mu = mu_fraction lambda0 (T20) and R = 2 L_F ||F(W0) - y|| / mu, which does not grow with the width, T14 "
    "applies on B(W0, R): GD with eta = 1/(L_F^2 + beta_F ||F(W0) - y||) stays in the ball and converges as "
    "(1 - eta mu)^t; SGD with T18's step contracts E[L] by 1 - mu eta* per step. ``system`` is the GD network "
    "(its own W0); the SGD network is ``sgd_system``, or the GD network's data drawn at ``sgd_width``; ``ball`` is not used (the "
    "radius is computed).", "[recalled], [derived]", _t21,
    claim=T21Claim(),
    options=[("sgd_width", 16, "hidden width of the SGD network (T18 uses dense per-output Hessians)"),
             ("sgd_system", None, "the SGD network itself (a NetworkSystem); None = the GD network's data redrawn at "
                                  "sgd_width"),
             ("batch_size", 2, "SGD mini-batch size"),
             ("samples", 16, "sampling budget of T14's estimated constants"),
             ("sgd_samples", 64, "points of the ball where T18's expected step is computed"),
             ("mu_fraction", 0.5, "mu = mu_fraction lambda0, T20's PL* constant")],
    mutants=[Mutant("GD rate with 3 mu", {"rate_factor": 3.0}),
             Mutant("SGD rate with 3 mu", {"sgd_rate_factor": 3.0}),
             Mutant("GD radius divided by 20", {"radius_factor": 0.1})],
    notes=("The GD and SGD parts are T14's and T18's checks on networks drawn from the template, each on its own "
           "B(W0, R). On a nearly linear model GD contracts L by about (1 - eta lambda)^2 = 1 - 2 eta lambda in "
           "its slowest direction, so the doubled-mu rate can be attained up to the gap between mu and that "
           "lambda: the GD mutant triples mu (likewise for SGD). The ball is T20's, B(W0, 2 L_F(W0) ||r0|| / "
           "(mu_fraction lambda0)); inside it T14's own radius 2 L_F ||r0|| / mu is loose by about 5 on the proof "
           "script's network (GD travels about a fifth of it), so the radius mutant divides it by 20."))


# -- T22: CNNs and ResNets satisfy PL* --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class T22Claim(Claim):
    """The constants of T22 (docs/theory.md T22, with T19 and T20)."""

    lambda0_exponent: float = constant(0.0, "lambda0 = lambda_min(K(W0)) ~ m^lambda0_exponent at least: bounded away "
                                            "from 0 as the width grows (one-sided lower slope)")
    hessian_exponent: float = constant(-0.5, "||H_F(W0)|| decays at least like m^hessian_exponent (one-sided, up to "
                                             "the polylog factor)")
    mu_fraction: float = constant(0.5, "mu = mu_fraction lambda0: inf_B lambda_min(K) >= mu at the widest width")
    log_power: float = constant(1.0, "the polylog factor hidden by O~: (log m)^log_power is allowed on the Hessian")
    atol: float = constant(0.1, "absolute tolerance on a fitted exponent (draw-to-draw noise of lambda0)")


def _slope_error(x, y, z=3.0):
    """z standard errors of the least-squares slope of log(y) against log(x) (inf with fewer than 3 points)."""
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    if len(lx) < 3:
        return float("inf")
    coef = np.polyfit(lx, ly, 1)
    resid = ly - np.polyval(coef, lx)
    s2 = float(resid @ resid) / (len(lx) - 2)
    return z * float(np.sqrt(s2 / np.sum((lx - lx.mean()) ** 2)))


def _t22(system, ball, *, level, rng, claim, widths, samples, draws):
    from .. import estimate
    from ..systems.conv import ConvSystem
    from ..systems.network import NetworkSystem
    from ..systems.resnet import ResNetSystem
    from ..systems.widths import width_family
    from .wide import _polylog_allowance, _search_level

    if not isinstance(system, (ConvSystem, ResNetSystem, NetworkSystem)):
        raise InvalidArgument(f"system={_show(system)} must be a conv, resnet or network system (the template of "
                              "T22: one network per width is drawn)")
    R = _radius(ball, "T22")
    widths = _widths(widths)
    samples = positive_int("samples", samples, minimum=2)
    if not 0 < claim.mu_fraction < 1:
        raise InvalidArgument(f"claim.mu_fraction={claim.mu_fraction!r} must lie in (0, 1): mu in (0, lambda0)")
    gen, seed = as_rng(rng)
    draws = positive_int("draws", draws)
    net_seeds = [_seeds(gen, draws) for _ in widths]
    est_seed = _seeds(gen, 1)[0]
    search, note = _search_level(level)
    key = (R, widths, tuple(map(tuple, net_seeds)), est_seed, samples, search)

    def measure_family():
        """Per width: lambda0 and ||H_F(W0)|| (means over the draws), and over B(W0, R) of the last draw
        inf lambda_min(K) (searched at the widest width when the level searches) and sup ||H_F|| (sampled)."""
        lam0, H, lam_last, lam_ball, H_ball = [], [], [], [], []
        for w, row in zip(widths, net_seeds):
            lam, hs = [], []
            for s in row:
                net = width_family(system, [w], rng=s)[0]
                lam.append(float(np.linalg.eigvalsh(net.kernel(net.w0))[0]))
                hs.append(float(net.hessian_norm(net.w0)))
            lam0.append(float(np.mean(lam))), H.append(float(np.mean(hs))), lam_last.append(lam[-1])
            b = Ball(net.w0, R)
            lam_ball.append(estimate.kernel_min_eig(net, b, samples=samples, search=search and w == widths[-1],
                                                    rng=est_seed))
            H_ball.append(estimate.hessian_norm(net, b, samples=max(2, samples // 2), search=False,
                                                rng=est_seed).value)  # a Lanczos per point and output: half
        return lam0, H, lam_last, lam_ball, H_ball

    lam0, H, lam_last, lam_ball, H_ball = memo(system, ("T22",) + key, measure_family)
    kind = type(system).__name__.replace("System", "")
    hyps = (Verdict("linear output", "holds" if system.output is None else "refuted", "exact",
                    detail=f"output={system.output!r}" + ("" if system.output is None else ": T13's case")),
            positive_hypothesis("lambda0 > 0 at every width", min(lam0), detail=f"lambda0 by widths {_fmt(lam0)}"))
    ls, hs, hbs = _loglog_slope(widths, lam0), _loglog_slope(widths, H), _loglog_slope(widths, H_ball)
    allowance = _polylog_allowance(widths, claim.log_power)
    method = "searched" if search else "sampled"
    le, he, hbe = _slope_error(widths, lam0), _slope_error(widths, H), _slope_error(widths, H_ball)
    lam_v = compare("width slope of lambda0 = lambda_min(K(W0)) (claimed exponent less atol)", ls,
                    claim.lambda0_exponent - claim.atol, "lower", "exact", rtol=0.0, error=le,
                    detail=(f"lambda0 {_fmt(lam0)} at widths {list(widths)} ({kind}); seeds {net_seeds}; error bar "
                            f"3 standard errors of the fitted slope (mean of {draws} draw(s) per width: lambda0 varies "
                            "between draws)"))
    hess_v = compare("width slope of ||H_F(W0)|| (claimed exponent plus polylog allowance and atol)", hs,
                     claim.hessian_exponent + allowance + claim.atol, "upper", "exact", rtol=0.0, error=he,
                     detail=(f"||H_F(W0)|| {_fmt(H)}; claimed exponent {claim.hessian_exponent:g} plus the polylog "
                             f"allowance {allowance:.3g} ((log m)^{claim.log_power:g} over these widths); error bar 3 "
                             "standard errors of the fitted slope"))
    hess_ball_v = compare("width slope of sup_B ||H_F|| (claimed exponent plus polylog allowance and atol)", hbs,
                          claim.hessian_exponent + allowance + claim.atol, "upper", "sampled", rtol=0.0, error=hbe,
                          detail=(f"sup over B(W0, {R:g}) of ||H_F|| {_fmt(H_ball)} ({max(2, samples // 2)} samples "
                                  "per width, "
                                  "each attained: a lower bound of the sup); error bar 3 standard errors of the "
                                  "fitted slope"))
    inf_ball = [e.value for e in lam_ball]
    bs, be = _loglog_slope(widths, inf_ball), _slope_error(widths, inf_ball)
    ball_v = compare("width slope of inf_B lambda_min(K) (claimed exponent less atol)", bs,
                     claim.lambda0_exponent - claim.atol, "lower", method, rtol=0.0, error=be,
                     detail=(f"inf over B(W0, {R:g}) of lambda_min(K) {_fmt(inf_ball)} ({samples} samples per width"
                             + (", searched at the widest" if search else "") + "; over-estimates of the inf); error "
                             "bar 3 standard errors of the fitted slope"))
    e, mu = lam_ball[-1], claim.mu_fraction * lam_last[-1]
    pl = compare(f"inf_B lambda_min(K) at width {widths[-1]} (mu-PL*, T4)", e.value, mu, "lower", method, rtol=0.0,
                 error=1e-9 * abs(e.value),
                 detail=(f"mu = {claim.mu_fraction:g} lambda0 = {mu:.4g}, B(W0, {R:g}); {samples} samples"
                         + (" + local search" if search else "") + " (an upper bound of the true inf: holds = not "
                         "refuted)" + (f"; {note}" if note else "") + f"; seed {est_seed}"),
                 x=e.x if e.value < mu else None)
    concl = combine([pl, lam_v, ball_v, hess_v, hess_ball_v])
    series = {"widths": list(widths), "lambda0": lam0, "hessian_at_w0": H, "hessian_ball": H_ball,
              "lambda0_slope": ls, "hessian_slope": hs, "lambda0_slope_error": le, "hessian_slope_error": he,
              "hessian_ball_slope": hbs, "lambda_min_ball": inf_ball, "lambda_min_ball_slope": bs, "mu": mu, "R": R,
              "seeds": net_seeds, "allowance": allowance}
    return TheoremCheck("T22", T22.title, f"{system.name} at widths {list(widths)}", level, hyps, concl, seed, series)


T22 = Theorem(
    "T22", "CNNs and ResNets satisfy PL*",
    "With width meaning the number of channels (CNN) or the hidden width (ResNet), T20's width requirement gives "
    "mu-PL* on B(W0, R): lambda0 = lambda_min(K(W0)) stays bounded away from 0 as the width grows, ||H_F|| decays "
    "like m^-1/2 (up to log factors), so does inf_B lambda_min(K) stay away from 0, and inf_B lambda_min(K) >= mu "
    "at a large width.", "[restated], [recalled]",
    _t22, claim=T22Claim(),
    options=[("widths", (16, 32, 64, 128, 256), "the widths of the family (channels or hidden width)"),
             ("samples", 16, "sampling budget of inf_B lambda_min(K) at each width (half of it for sup_B ||H_F||, "
                             "a Lanczos per point and output)"),
             ("draws", 1, "networks drawn per width (lambda0 and ||H_F(W0)|| are averaged; the ball is the last "
                          "draw's)")],
    mutants=[Mutant("lambda0 grows like m^1/2", {"lambda0_exponent": 0.5}),
             Mutant("Hessian decays like 1/m", {"hessian_exponent": -1.0}),
             Mutant("mu = 0.99 lambda0 on the ball", {"mu_fraction": 0.99})],
    notes=("At every width, sup ||H_F|| over B(W0, R) is sampled (each value attained: a lower bound of the sup) "
           "and inf lambda_min(K) over the ball is estimated (an over-estimate: holds = not refuted), searched at "
           "the widest width when the level searches; the slopes of both, of lambda0 and of ||H_F(W0)|| (exact, "
           "by Lanczos, the least noisy) are checked. The slopes are fits "
           "over the widths tried, one-sided: lambda0 may grow and the Hessian decay faster. A slope fails beyond "
           "round-off only when it misses the claim by more than atol plus 3 standard errors of the fit (lambda0 "
           "varies between draws by a factor up to 2 at small widths; ``draws`` averages); otherwise "
           "the failure is inconclusive."))


# -- C24: the kernel change along GD ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class C24Claim(Claim):
    """The constants of C24 (docs/theory.md C24, with T19 and T20)."""

    kernel_exponent: float = constant(-0.5, "sup_t ||K(W_t) - K(W0)|| along GD decays at least like m^kernel_exponent "
                                            "(one-sided)")
    log_power: float = constant(1.0, "the polylog factor hidden by O~: (log m)^log_power is allowed on top")
    atol: float = constant(0.05, "absolute tolerance on a fitted exponent")


def _c24(system, ball, *, level, rng, claim, widths, draws, steps):
    """C24: the width slope of sup_t ||K(W_t) - K(W0)|| along GD, with GD inside B(W0, R) at every width."""
    template = _template(system, "C24")
    R = _radius(ball, "C24")
    widths = _widths(widths)
    draws = positive_int("draws", draws)
    steps = positive_int("steps", steps)
    gen, seed = as_rng(rng)
    seeds = [_seeds(gen, draws) for _ in widths]

    def measure():
        runs = [[_kernel_change_along_gd(_draw(template, w, s), steps) for s in row] for w, row in zip(widths, seeds)]
        return [[float(np.mean([r[k] for r in row])) for row in runs] for k in (0, 2)] + [
            max(r[3] for row in runs for r in row)]

    change, shrink, travel = memo(template, ("C24", widths, tuple(map(tuple, seeds)), steps), measure)
    hyps = (_linear_output_hypothesis(template, "T13: the kernel keeps moving, no decay"),
            compare("max_t ||W_t - W0|| along GD (R fixed as m grows)", travel, R, "upper", "run", rtol=0.0,
                    detail=f"{steps} GD steps, eta = 1/lambda_max(K(W0)), largest distance over every width and draw"))
    slope = _loglog_slope(widths, change)
    allowance = _polylog_allowance(widths, claim.log_power)
    concl = compare("width slope of sup_t ||K(W_t) - K(W0)||_2 along GD", slope, claim.kernel_exponent + allowance,
                    "upper", "run", rtol=0.0, atol=claim.atol,
                    detail=(f"claimed exponent {claim.kernel_exponent:g} plus the polylog allowance {allowance:.3g} "
                            f"((log m)^{claim.log_power:g} over these widths); mean over {draws} draw(s) per width of "
                            f"the kernel change {_fmt(change)} at widths {list(widths)}; final/initial loss "
                            f"{_fmt(shrink)}; seeds {seeds}"))
    series = {"widths": list(widths), "kernel_change": change, "slope": slope, "loss_ratio": shrink,
              "travel": travel, "allowance": allowance, "R": R, "seeds": seeds}
    return TheoremCheck("C24", C24.title, f"{template.name} at widths {list(widths)}", level, hyps, concl, seed,
                        series)


C24 = Theorem(
    "C24", "the tangent kernel moves O~(1/sqrt(width)) along GD",
    "For a network of D8 with a linear output, GD from W0 (eta = 1/lambda_max(K(W0))) staying in B(W0, R): "
    "sup_t ||K(W_t) - K(W0)|| = O~(1/sqrt(m)) as the width m grows with n and R fixed (a consequence of T19 and "
    "T20).", "[derived]", _c24, claim=C24Claim(),
    options=[("widths", (64, 128, 256, 512, 1024, 2048, 4096), "hidden widths of the family"),
             ("draws", 1, "networks drawn per width (the kernel change is averaged)"),
             ("steps", 100, "GD steps")],
    mutants=[Mutant("kernel change like m^-3/2", {"kernel_exponent": -1.5})],
    notes=("One-sided: a faster decay holds. On the proof script's two-layer tanh net the change decays like about "
           "m^-1 (the O~(1/sqrt(m)) bound is loose there), so the mutant claims m^-3/2. A non-linear output breaks "
           "the hypothesis (T13): the change stays Theta(1)."))
