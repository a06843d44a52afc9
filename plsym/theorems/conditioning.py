"""Uniform conditioning and PL*: T4, T6, T9, T10, T11, T12 of docs/theory.md.

Each check tests the theorem's own statement with its constants as a
:class:`~plsym.theorems.Claim`, on points of the ball (sampled, plus local
minimization at the searched level). Pointwise inequalities are the theorem
applied to the one-point set S = {w}; they are compared with a relative
round-off allowance, and a violation at a point of a system of sympy
expressions is confirmed in ball arithmetic before it is called a refutation.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy

from .._deprecated import module_getattr
from ..errors import InvalidArgument, _show, as_rng
from ..system import System, check_system_and_ball
from ..systems.linear import LinearSystem
from ..systems.network import NetworkSystem, network
from ._core import (Claim, Mutant, Theorem, TheoremCheck, Verdict, compare, constant, kernel_min_eig_at, measure,
                    positive_hypothesis, refine_min)
from ._runs import combine, judge_rate, pl_ratio

__all__ = ["POINTWISE_RTOL", "ROUNDOFF", "T4Claim", "T4", "T6Claim", "T6", "T9Claim", "T9", "T10Claim", "T10",
           "T11Claim", "T11", "T12Claim", "T12"]

POINTWISE_RTOL = 1e-12  # identities and pointwise inequalities in float64 (T4 is checked to 1e-12 relative)
ROUNDOFF = 1e-9  # the relative error bar of a pointwise ratio of float64 eigenvalues and norms

_need = check_system_and_ball


def _points(ball, rng, samples):
    """The sampling design of the pointwise checks: the center, uniform points, a quarter on the sphere."""
    gen, seed = as_rng(rng)
    P = ball.design(samples, rng=gen)
    return P, seed


_REFINE_MAX_M = 64  # local minimization with finite-difference gradients only up to this many parameters


def _min_ratio(fun, ball, P, level, *, starts=4):
    """min of fun over the points P (and, searched, local minimization from the best ones): (value, point)."""
    vals = fun(P)
    order = np.argsort(vals)
    j = int(order[0])
    best_v, best_w = float(vals[j]), P[j]
    if level != "sampled" and ball.m <= _REFINE_MAX_M:
        w, v = refine_min(fun, ball, P[order[:starts]])
        if w is not None and v < best_v:
            best_v, best_w = v, w
    return best_v, best_w


# -- T4 --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class T4Claim(Claim):
    """The constant of T4 (docs/theory.md T4, C2)."""

    pl_factor: float = constant(1.0, "1/2 ||grad L(w)||^2 >= pl_factor * lambda_min(K(w)) * L(w) at every w "
                                     "(1 for the 1/2-form PL*, equality when n = 1 or r is a bottom eigenvector of K)")


def _c2_ratio(system):
    """w -> (1/2 ||grad L||^2 / L) / lambda_min(K(w)), the C2 ratio (>= 1 by T4)."""
    def fun(W):
        lam = np.linalg.eigvalsh(system.kernel(W))[:, 0]
        pl = pl_ratio(system, W)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(lam > 0, pl / np.where(lam > 0, lam, 1.0), np.inf)
    return fun


def _t4(system, ball, *, level, rng, claim, samples):
    _need(system, ball)
    P, seed = _points(ball, rng, samples)
    mu_m = measure("kernel_min_eig", system, ball, level, rng, samples=samples)
    hyp = positive_hypothesis("mu := inf_B lambda_min(K) > 0 (D3)", mu_m)
    fun = _c2_ratio(system)
    if mu_m.x is not None:
        P = np.vstack([P, np.asarray(mu_m.x)[None, :]])
    ratio, w = _min_ratio(fun, ball, P, level)
    name = "min_w 1/2||grad L(w)||^2 / (lambda_min(K(w)) L(w))"
    concl = compare(name, ratio, claim.pl_factor, "lower", "searched" if level != "sampled" else "sampled",
                    rtol=POINTWISE_RTOL, error=ROUNDOFF * abs(ratio),
                    detail=f"T4 on S = {{w}} at {len(P)} points, rtol {POINTWISE_RTOL:g}; {mu_m.detail}", x=w)
    if concl.status == "refuted":
        concl = _confirm_c2(system, w, claim.pl_factor, concl)
    return TheoremCheck("T4", T4.title, system.name or "system", level, (hyp,), concl, seed)


def _confirm_c2(system, w, factor, verdict):
    """Confirm 1/2||grad L||^2 < factor lambda_min(K) L at w in ball arithmetic (sympy systems)."""
    from .. import interval
    from ._core import arb_point_parts

    parts = arb_point_parts(system, w)
    if parts is None:
        return verdict.replace(detail=verdict.detail + "; float64 evidence (no ball-arithmetic form for this system)")
    r, J = parts
    g = [sum((J[i, j] * r[i] for i in range(len(r))), interval.arb(0)) for j in range(J.ncols())]
    half = sum((gj * gj for gj in g), interval.arb(0)) / 2
    L = sum((ri * ri for ri in r), interval.arb(0)) / 2
    lam_lo, _ = interval.eig_bounds(J * J.transpose())
    lhs_hi = interval.upper(half)
    rhs_lo = factor * lam_lo * interval.lower(L) if lam_lo > 0 else -np.inf
    if lhs_hi < rhs_lo:
        return verdict.replace(detail=verdict.detail + "; confirmed in ball arithmetic at the witness")
    return verdict.replace(status="inconclusive", detail=verdict.detail + "; not confirmed in ball arithmetic")


T4 = Theorem(
    "T4", "uniform conditioning => PL*",
    "If lambda_min(K(w)) >= mu on S then L = 1/2||F - y||^2 is mu-PL* on S: 1/2||grad L||^2 >= mu L. "
    "Checked on every one-point set S = {w}: 1/2||grad L(w)||^2 >= lambda_min(K(w)) L(w).", "[paper]", _t4,
    claim=T4Claim(), options=[("samples", 2048, "points sampled in the ball (plus local minimization when searched)")],
    mutants=[Mutant("the no-1/2 constant (factor 2)", {"pl_factor": 2.0})])


# -- T6 --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class T6Claim(Claim):
    """The constants of T6 (docs/theory.md T6, C4)."""

    rank_excess: int = constant(0, "rank K(w) <= m + rank_excess (and so lambda_min(K) = 0 when m + rank_excess < n)")


_RANK_ZERO, _RANK_NONZERO = 1e-12, 1e-8  # eigenvalues / lambda_max: surely zero below, surely nonzero above


def _t6(system, ball, *, level, rng, claim, samples):
    _need(system, ball)
    P, seed = _points(ball, rng, samples)
    m, n = system.m, system.n
    bound = m + claim.rank_excess
    hyp = Verdict("under-parameterized: m < n", "holds" if m < n else "not applicable", "exact", detail=f"m={m}, n={n}")
    eig = np.linalg.eigvalsh(system.kernel(P))
    top = np.maximum(eig[:, -1:], 1e-300)
    surely = np.sum(eig > _RANK_NONZERO * top, axis=1)  # rank certainly at least this (up to eigvalsh error)
    maybe = np.sum(eig > _RANK_ZERO * top, axis=1)  # rank at most this
    worst = int(np.argmax(surely))
    rank_v = compare("max_w rank K(w)", float(surely[worst]), float(bound), "upper", "sampled", rtol=0.0,
                     detail=f"{len(P)} points; numerical rank: eigenvalues above {_RANK_NONZERO:g} lambda_max count, "
                            f"below {_RANK_ZERO:g} do not (at most {int(maybe.max())} in between)",
                     x=P[worst])
    if rank_v.status == "holds" and maybe.max() > bound:
        rank_v = rank_v.replace(status="inconclusive", measured=float(maybe.max()))
    rel = np.abs(eig[:, 0]) / top[:, 0]
    parts = [rank_v]
    if bound < n:  # lambda_min(K) = 0 follows from the rank bound
        j = int(np.argmax(rel))
        parts.append(compare("max_w lambda_min(K)/lambda_max(K)", float(rel[j]), 0.0, "tight", "sampled", rtol=0.0,
                             atol=_RANK_ZERO, error=_RANK_NONZERO, x=P[j],
                             detail=f"zero up to {_RANK_ZERO:g} relative"))
    return TheoremCheck("T6", T6.title, system.name or "system", level, (hyp,), combine(parts), seed,
                        {"lambda_min": eig[:, 0], "rank": surely, "points": P})


T6 = Theorem(
    "T6", "under-parameterized systems are never PL*",
    "If m < n then rank K(w) <= m < n, so lambda_min(K(w)) = 0 everywhere: no uniform conditioning.",
    "[restated], [derived]", _t6, claim=T6Claim(), options=[("samples", 1024, "points sampled in the ball")],
    mutants=[Mutant("rank bound m - 1", {"rank_excess": -1})])


# -- T9 --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class T9Claim(Claim):
    """The constants of T9 (docs/theory.md T9, C17)."""

    kappa_factor: float = constant(1.0, "||r_t+1|| <= (1 - 1/(kappa_factor kappa)) ||r_t||, so "
                                        "L(w_t+1) <= (1 - 1/(kappa_factor kappa))^2 L(w_t), with eta = 1/lambda_max")


def _t9(system, ball, *, level, rng, claim, steps):
    _need(system, ball)
    _, seed = as_rng(rng)
    if not isinstance(system, LinearSystem):
        hyp = Verdict("F(w) = A w with A of rank n", "not applicable", "exact", detail="not a plsym linear system")
        return TheoremCheck("T9", T9.title, system.name or "system", level, (hyp,), hyp, seed)
    from ..dynamics import gd

    A = system.A
    K = A @ A.T
    eig = np.linalg.eigvalsh(K)
    lam_min, lam_max = eig[0], eig[-1]
    full = lam_min > 1e-12 * lam_max
    hyps = [Verdict("rank A = n (lambda_min(A A^T) > 0)", "holds" if full else "refuted", "exact", 0.0, lam_min, "lower")]
    if system.m > system.n:
        ata = np.linalg.eigvalsh(A.T @ A)[0]
        hyps.append(Verdict("not strongly convex: lambda_min(A^T A) = 0 (m > n)",
                            "holds" if abs(ata) <= 1e-10 * lam_max else "refuted", "exact", 0.0, float(ata), "tight",
                            tolerance=1e-10 * lam_max))
    if not full:
        return TheoremCheck("T9", T9.title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    kappa = lam_max / lam_min
    eta = 1.0 / lam_max
    tr = gd(system, ball.center, eta=eta, steps=steps)
    M = np.eye(system.n) - eta * K
    rs = system.residual(tr.points)
    pred = np.empty_like(rs)
    r = rs[0].copy()
    for t in range(len(rs)):
        pred[t] = r
        r = M @ r
    rec_err = float(np.max(np.linalg.norm(rs - pred, axis=1)) / max(np.linalg.norm(rs[0]), 1e-300))
    recursion = compare("residual recursion r_t = (I - eta A A^T)^t r_0 (C17), max relative error", rec_err, 0.0,
                        "upper", "run", rtol=0.0, atol=1e-9, detail=f"eta = 1/lambda_max = {eta:.4g}, tolerance 1e-9")
    rate = (1 - 1 / (claim.kappa_factor * kappa)) ** 2
    rate_v, _ = judge_rate(system, tr, rate, eta=eta, mu=lam_min, beta=lam_max, certified=True)
    rate_v = rate_v.replace(detail=f"kappa = lambda_max/lambda_min = {kappa:.6g}; {rate_v.detail}")
    concl = combine([rate_v, recursion])
    return TheoremCheck("T9", T9.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"losses": tr.losses, "rate": rate, "kappa": kappa})


T9 = Theorem(
    "T9", "linear systems: PL* without strong convexity, GD rate 1 - 1/kappa",
    "For F = A w (rank n < m), L is lambda_min(A A^T)-PL* but not strongly convex; GD with eta = 1/lambda_max gives "
    "||r_t+1|| <= (1 - 1/kappa) ||r_t||, so L(w_t+1) <= (1 - 1/kappa)^2 L(w_t) (and the paper's L(w_t) <= "
    "(1 - 1/kappa)^t L(w_0)).", "[derived]", _t9, claim=T9Claim(),
    options=[("steps", 200, "GD steps")], mutants=[Mutant("kappa halved", {"kappa_factor": 0.5})])


# -- T10 -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class T10Claim(Claim):
    """The constant of T10 (docs/theory.md T10, C5, C6)."""

    factor: float = constant(2.0, "lambda_min(K(w)) >= lambda0 - factor L_F sqrt(n) ||w - w0|| sup ||H_F|| (C5); "
                                  "hence sup ||H_F|| <= (lambda0 - mu)/(factor L_F sqrt(n) R) gives mu-uniform "
                                  "conditioning on B(w0, R)")


def _t10(system, ball, *, level, rng, claim, mu, samples):
    """T10 and the kernel perturbation bound C5 (mu defaults to the largest mu the criterion admits)."""
    _need(system, ball)
    P, seed = _points(ball, rng, samples)
    n, R = system.n, ball.radius
    lam0, lam0_lo, _ = kernel_min_eig_at(system, ball.center)
    lam0_safe = lam0_lo if lam0_lo is not None else lam0
    LF = measure("lipschitz", system, ball, level, rng, samples=samples)
    H = measure("hessian_norm", system, ball, level, rng, samples=samples)
    certified = LF.certified and H.certified and lam0_lo is not None
    slope = claim.factor * LF.value * np.sqrt(n) * H.value  # the C5 perturbation per unit distance
    mu_star = lam0_safe - slope * R
    mu = mu_star if mu is None else float(mu)
    threshold = (lam0_safe - mu) / (claim.factor * LF.value * np.sqrt(n) * R)
    hyps = (
        Verdict("0 < mu < lambda0 = lambda_min(K(w0))", "certified" if certified and 0 < mu < lam0_safe else
                ("holds" if 0 < mu < lam0 else "refuted"), "certified" if lam0_lo is not None else "exact", mu, lam0,
                "lower", f"lambda0 >= {lam0_safe:.10g} (ball arithmetic)" if lam0_lo is not None else "eigvalsh"),
        compare("sup_B ||H_F|| <= (lambda0 - mu)/(factor L_F sqrt(n) R)", H.value, threshold, "upper", H.method,
                rtol=1e-12, detail=f"L_F = {LF.value:.6g} ({LF.method}); {H.detail}", certified=certified),
    )
    # C5 at the points, and the conclusion inf_B lambda_min(K) >= mu
    lam = np.linalg.eigvalsh(system.kernel(P))[:, 0]
    bound = lam0_safe - slope * np.linalg.norm(P - ball.center, axis=1)
    gap = lam - bound
    k = int(np.argmin(gap))
    c5 = compare("C5: min_w lambda_min(K(w)) - (lambda0 - factor L_F sqrt(n) ||w - w0|| sup||H_F||)", float(gap[k]), 0.0,
                 "lower", "sampled", rtol=0.0, error=ROUNDOFF * max(abs(lam[k]), abs(bound[k])), refutable=certified,
                 detail=f"{len(P)} points", x=P[k])
    mu_m = measure("kernel_min_eig", system, ball, level, rng, samples=samples)
    conc = compare("inf_B lambda_min(K)", mu_m.value, mu, "lower", mu_m.method, rtol=0.0,
                   error=ROUNDOFF * abs(mu_m.value), refutable=certified,
                   detail=f"mu = {mu:.6g} ({'the largest mu the criterion admits' if mu == mu_star else 'given'}); "
                          f"{mu_m.detail}", x=mu_m.x, certified=mu_m.certified and certified)
    if conc.status == "refuted" and mu_m.x is not None:
        _, _, hi = kernel_min_eig_at(system, np.asarray(mu_m.x))
        if hi is not None and not hi < mu:
            conc = conc.replace(status="inconclusive", detail=conc.detail + "; not confirmed in ball arithmetic")
    return TheoremCheck("T10", T10.title, system.name or "system", level, hyps, combine([conc, c5]), seed)


T10 = Theorem(
    "T10", "small Hessian => uniform conditioning",
    "If max_i ||H_{F_i}|| <= (lambda0 - mu)/(2 L_F sqrt(n) R) on B(w0, R), then lambda_min(K) >= mu there; "
    "pointwise, lambda_min(K(w)) >= lambda0 - 2 L_F sqrt(n) ||w - w0|| sup ||H_F|| (C5).",
    "[recalled], bound [derived]", _t10, claim=T10Claim(),
    options=[("mu", None, "the conditioning constant claimed; None = lambda0 - factor L_F sqrt(n) R sup||H_F||, the "
                          "largest the criterion admits (the sharpest test)"),
             ("samples", 1024, "points sampled for C5 and budget of the estimated constants")],
    mutants=[Mutant("factor 2 dropped", {"factor": 1.0})],
    notes="A violation refutes only when L_F, sup ||H_F|| and lambda0 are certified: with estimates (a searched sup is "
          "too low) it is inconclusive.")


# -- T11, T12 --------------------------------------------------------------------------


def _kernel_identity(name, K, other):
    """The verdict on a kernel identity K = other at sampled points, the two sides computed independently."""
    error = float(np.max(np.abs(K - other)) / max(np.abs(K).max(), 1e-300))
    return compare(f"{name}, max relative entry error", error, 0.0, "upper", "sampled", rtol=0.0, atol=1e-12,
                   detail=f"the two kernels computed independently at {len(K)} points")


def _compose_output(system, phi):
    """The system phi(F~) built on its own (not by the chain rule from F~'s arrays)."""
    if isinstance(system, NetworkSystem):
        if system.output is not None:
            raise InvalidArgument(f"system has output={system.output!r}; T11 composes phi with a linear-output network")
        comp = network(system.X, system.y, system.widths, activation=system.activation, output=phi, rng=system.seed)
        if not np.array_equal(comp.w0, system.w0):
            raise InvalidArgument("the composed network does not share the template's parameters")
        return comp
    from ..activations import get

    act = get(phi, argument="phi")
    fn = getattr(sympy, act.name, None)
    if fn is None:
        raise InvalidArgument(f"phi={phi!r} has no sympy form; T11 needs one to build phi(F~) independently")
    return System([fn(e) for e in system.outputs], list(system.params), system.y, name=f"{phi}({system.name})")


@dataclasses.dataclass(frozen=True)
class T11Claim(Claim):
    """The constant of T11 (docs/theory.md T11, C11)."""

    rho_power: float = constant(2.0, "lambda_min(K_F(w)) >= rho(w)^rho_power lambda_min(K_F~(w)), "
                                     "rho(w) = min_i |phi'(F~_i(w))|")


def _t11(system, ball, *, level, rng, claim, phi, samples):
    """``system`` is the inner F~; F = phi(F~) coordinatewise, built as a system of its own."""
    from ..activations import get

    _need(system, ball)
    act = get(phi, argument="phi")
    outer = _compose_output(system, phi)
    P, seed = _points(ball, rng, samples)
    D = act.dsigma(system.F(P))
    K, Kt = outer.kernel(P), system.kernel(P)
    rho = float(np.abs(D).min())
    hyp = positive_hypothesis("rho := inf |phi'(F~_i)| > 0 on the sample", rho, method="sampled")

    def fun(W):
        d = np.abs(act.dsigma(system.F(W))).min(axis=1)
        lhs = np.linalg.eigvalsh(outer.kernel(W))[:, 0]
        rhs = d ** claim.rho_power * np.linalg.eigvalsh(system.kernel(W))[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(rhs > 0, lhs / np.where(rhs > 0, rhs, 1.0), np.inf)

    ratio, w = _min_ratio(fun, ball, P, level)
    concl = compare("min_w lambda_min(K_F) / (rho(w)^p lambda_min(K_F~))", ratio, 1.0, "lower",
                    "searched" if level != "sampled" else "sampled", rtol=POINTWISE_RTOL, error=ROUNDOFF * abs(ratio), x=w,
                    detail=f"K_F computed on phi(F~) itself; {len(P)} points, phi = {phi}")
    ident_v = _kernel_identity("K_F = D K_F~ D", K, D[:, :, None] * Kt * D[:, None, :])
    return TheoremCheck("T11", T11.title, system.name or "system", level, (hyp,), combine([concl, ident_v]), seed)


T11 = Theorem(
    "T11", "output transformation keeps conditioning",
    "For F = phi(F~) with |phi'| >= rho > 0: K_F = D K_F~ D, so lambda_min(K_F) >= rho^2 lambda_min(K_F~).",
    "[derived], form [recalled]", _t11, claim=T11Claim(),
    options=[("phi", "tanh", "the output function (an activation name)"),
             ("samples", 1024, "points sampled in the ball")],
    mutants=[Mutant("rho instead of rho^2", {"rho_power": 1.0})])


@dataclasses.dataclass(frozen=True)
class T12Claim(Claim):
    """The constant of T12 (docs/theory.md T12, C12)."""

    factor: float = constant(1.0, "lambda_min(K_{G o Phi}) >= factor lambda_min(K_Phi) lambda_min(DG DG^T)")


def _compose(outer, inner):
    """G o Phi as a system of its own (sympy substitution), differentiated independently."""
    try:
        sub = dict(zip(outer.params, inner.outputs))
        exprs = [e.xreplace(sub) for e in outer.outputs]
        return System(exprs, list(inner.params), outer.y, name=f"{outer.name or 'G'} o {inner.name or 'Phi'}")
    except InvalidArgument as exc:
        raise InvalidArgument(f"T12 composes systems of sympy expressions: {exc}") from None


def _t12(system, ball, *, level, rng, claim, outer, samples):
    """``system`` is Phi: R^m -> R^p; ``outer`` is G: R^p -> R^n (a System with m = p)."""
    _need(system, ball)
    if not isinstance(outer, System) or outer.m != system.n:
        raise InvalidArgument(f"outer={_show(outer)} must be a plsym.System with m = {system.n} (Phi's outputs)")
    comp = _compose(outer, system)
    P, seed = _points(ball, rng, samples)

    def parts(W):
        DG = outer.jacobian(system.F(W))
        return (np.linalg.eigvalsh(comp.kernel(W))[:, 0], np.linalg.eigvalsh(system.kernel(W))[:, 0],
                np.linalg.eigvalsh(DG @ np.swapaxes(DG, -1, -2))[:, 0])

    def fun(W):
        lhs, a, b = parts(W)
        rhs = claim.factor * a * b
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(rhs > 0, lhs / np.where(rhs > 0, rhs, 1.0), np.inf)

    ratio, w = _min_ratio(fun, ball, P, level)
    hyp = Verdict("G o Phi well defined (dimensions match)", "holds", "exact",
                  detail=f"Phi: R^{system.m} -> R^{system.n}, G: R^{outer.m} -> R^{outer.n}")
    concl = compare("min_w lambda_min(K_GoPhi) / (factor lambda_min(K_Phi) lambda_min(DG DG^T))", ratio, 1.0, "lower",
                    "searched" if level != "sampled" else "sampled", rtol=POINTWISE_RTOL, error=ROUNDOFF * abs(ratio), x=w,
                    detail=f"K_GoPhi computed on the composed expressions; {len(P)} points")
    # the identity K_GoPhi = DG K_Phi DG^T itself, the composite's kernel against the chain rule's
    DG = outer.jacobian(system.F(P))
    ident_v = _kernel_identity("K_GoPhi = DG K_Phi DG^T", comp.kernel(P), DG @ system.kernel(P) @ np.swapaxes(DG, -1, -2))
    return TheoremCheck("T12", T12.title, comp.name, level, (hyp,), combine([concl, ident_v]), seed)


T12 = Theorem(
    "T12", "composition keeps conditioning",
    "K_{G o Phi} = DG K_Phi DG^T, so lambda_min(K_{G o Phi}) >= lambda_min(K_Phi) lambda_min(DG DG^T).",
    "[derived], form [recalled]", _t12, claim=T12Claim(),
    options=[("outer", None, "G, a plsym.System of sympy expressions with m = Phi's n (required)"),
             ("samples", 1024, "points sampled in the ball")],
    mutants=[Mutant("factor 2", {"factor": 2.0})])


# the old name of POINTWISE_RTOL (plsym.search.RTOL is the search's rounding allowance, a different constant)
__getattr__ = module_getattr(__name__, {"RTOL": ("plsym.theorems.conditioning.POINTWISE_RTOL", lambda: POINTWISE_RTOL)})
