"""More results on networks: a non-linear output (T13, C23).

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
from ._core import Claim, Mutant, Theorem, TheoremCheck, Verdict, compare, constant
from ._runs import combine
from .conditioning import T11
from .wide import _draw, _fmt, _kernel_change_along_gd, _loglog_slope, _radius, _seeds, _template, _widths

__all__ = ["T13"]


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
    return network(net.X, net.y, net.widths, activation=net.activation, output=None, seed=net.seed)


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
    H, Ht, KC, KCt = _t13_measure(template, widths, seeds, steps)
    hs, hts = _loglog_slope(widths, H), _loglog_slope(widths, Ht)
    ks, kts = _loglog_slope(widths, KC), _loglog_slope(widths, KCt)
    hess = compare("width slope of ||H_F(W0)|| (non-linear output)", hs, claim.hessian_exponent, "tight", "exact",
                   rtol=0.0, atol=claim.atol,
                   detail=(f"mean over {draws} draw(s) per width of ||H_F(W0)|| = {_fmt(H)} at widths {list(widths)}; "
                           f"the linear-output twin on the same parameters: {_fmt(Ht)}, slope {hts:.3g} (T19)"))
    kern = compare("width slope of sup_t ||K(W_t) - K(W0)||_2 along GD (non-linear output)", ks, claim.kernel_exponent,
                   "tight", "run", rtol=0.0, atol=claim.atol,
                   detail=(f"GD with eta = 1/lambda_max(K(W0)), {steps} steps; kernel change {_fmt(KC)}; linear-output "
                           f"twin {_fmt(KCt)}, slope {kts:.3g} (C24)"))
    # PL* persists: T11 (lambda_min(K_f) >= rho^2 lambda_min(K_f~)) at the widest width on B(W0, R)
    inner = _twin(_draw(template, widths[-1], seeds[-1][0]))
    t11 = T11.check(inner, Ball(inner.w0, R), level=level, rng=seed, phi=template.output, samples=samples)
    pl = t11.conclusion.replace(detail=f"T11 at width {widths[-1]} on B(W0, {R:g}): {t11.conclusion.detail}")
    lam = float(np.linalg.eigvalsh(_draw(template, widths[-1], seeds[-1][0]).kernel(inner.w0))[0])
    hyps = (hyp, *t11.hypotheses,
            Verdict("lambda_min(K_f(W0)) > 0 at the widest width", "holds" if lam > 0 else "refuted", "exact", 0.0, lam,
                    "lower"))
    concl = combine([hess, kern, pl])
    series = {"widths": list(widths), "hessian": H, "hessian_linear": Ht, "kernel_change": KC,
              "kernel_change_linear": KCt, "slopes": {"hessian": hs, "hessian_linear": hts, "kernel": ks,
                                                      "kernel_linear": kts}, "seeds": seeds, "R": R}
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
    notes=("Both slopes are fitted over the widths tried; Theta(1) is read as a slope within atol of 0, the linear-"
           "output twin (slope about -1/2 for the Hessian, faster for the kernel change) is reported beside it. The "
           "PL* part is T11's check (rho^2 factor) on the widest network's ball."))
