"""SGD in the PL* ball: the derived constants (T18) and the paper's recalled ones (T17).

Both are checked by the exact expectation over mini-batches: the batch of s
indices drawn i.i.d. uniform on [n] enters the step only through its count
vector c, which has the multinomial law, so E[L(w - eta g)] is a finite sum.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np

from ..errors import InvalidArgument, positive_int
from ._core import Claim, Mutant, Theorem, TheoremCheck, compare, constant, measure, positive_hypothesis
from ._runs import pl_ratio
from .conditioning import _need, _points

__all__ = ["expected_loss_after_step", "T18Claim", "T17Claim", "T18", "T17"]

_MAX_COUNT_VECTORS = 20000


def _count_vectors(n, s):
    """All count vectors of s draws from [n] and their multinomial probabilities."""
    total = math.comb(n + s - 1, s)
    if total > _MAX_COUNT_VECTORS:
        raise InvalidArgument(f"batch_size={s} with n={n} gives {total} batch compositions; at most "
                              f"{_MAX_COUNT_VECTORS} can be enumerated exactly")
    C = []
    for combo in itertools.combinations_with_replacement(range(n), s):
        C.append(np.bincount(combo, minlength=n))
    C = np.array(C)
    logp = (math.lgamma(s + 1) - np.sum([[math.lgamma(c + 1) for c in row] for row in C], axis=1)) - s * math.log(n)
    return C, np.exp(logp)


def expected_loss_after_step(system, W, eta, s):
    """E[L(w - eta g)] with g = (n/s) sum_j grad l_{i_j}(w), exactly, for each point of W (k, m)."""
    n = system.n
    C, p = _count_vectors(n, s)
    r = system.residual(W)  # (k, n)
    J = system.jacobian(W)  # (k, n, m)
    # g for every (point, count vector): (n/s) J^T (c * r)
    G = (n / s) * np.einsum("kni,cn,kn->kci", J, C, r)
    new = W[:, None, :] - eta * G
    Lnew = system.loss(new.reshape(-1, W.shape[1])).reshape(W.shape[0], -1)
    return Lnew @ p


def _loss_term_smoothness(system, P):
    """max over points and i of ||H_{l_i}|| = ||grad F_i grad F_i^T + r_i H_{F_i}||_2 (sampled)."""
    J = system.jacobian(P)
    r = system.residual(P)
    H = np.einsum("kni,knj->knij", J, J) + r[:, :, None, None] * system.hessians(P)
    return float(np.abs(np.linalg.eigvalsh(H)).max())


@dataclasses.dataclass(frozen=True)
class T18Claim(Claim):
    """The constants of T18 (docs/theory.md T18, C18)."""

    step_factor: float = constant(1.0, "eta = step_factor * mu s / (n beta (n beta + mu (s - 1))) on g = (n/s) batch sum")
    rate_factor: float = constant(1.0, "E[L(w - eta g)] <= (1 - rate_factor * mu * eta) L(w)")


@dataclasses.dataclass(frozen=True)
class T17Claim(Claim):
    """The recalled constants of T17 (docs/theory.md T17, C18), under a reading of mu."""

    reading: str = constant("sum", "'sum': mu is the 1/2-form PL* constant of the summed loss L; 'mean': of the mean "
                                   "loss L/n (mu_mean = mu / n)")
    step_factor: float = constant(1.0, "eta* = step_factor * n mu / (beta (n^2 beta + mu (s - 1))) on the batch sum")
    rate_factor: float = constant(1.0, "E[L(w_t+1)] <= (1 - rate_factor * mu s eta* / n) L(w_t)")


def _steps_and_rate(claim, mu, beta, n, s):
    """(eta on g = (n/s) batch sum, rate, description) of a claim."""
    if isinstance(claim, T17Claim):
        mu_r = mu if claim.reading == "sum" else mu / n
        eta_bs = claim.step_factor * n * mu_r / (beta * (n * n * beta + mu_r * (s - 1)))
        eta = (s / n) * eta_bs  # the same step on the unbiased g = (n/s) * batch sum
        rate = 1 - claim.rate_factor * mu_r * s * eta_bs / n
        what = (f"{claim.reading} reading: mu = {mu_r:.6g}; eta* = n mu/(beta(n^2 beta + mu(s-1))) = {eta_bs:.4g} "
                "on the batch sum")
    else:
        eta = claim.step_factor * mu * s / (n * beta * (n * beta + mu * (s - 1)))
        rate = 1 - claim.rate_factor * mu * eta
        what = f"eta* = mu s/(n beta(n beta + mu(s-1))) = {eta:.4g} on g = (n/s) batch sum"
    return eta, rate, what


def _ratio_error(system, P, eta, s):
    """A round-off allowance on E[L(w - eta g)] / L(w): 64 eps times the scale of F, y and the iterates, relative to ||r||."""
    r = np.linalg.norm(system.residual(P), axis=1)
    scale = np.linalg.norm(system.F(P), axis=1) + np.linalg.norm(system.y) + np.linalg.norm(P, axis=1) * \
        np.sqrt(np.max(np.linalg.eigvalsh(system.kernel(P)), axis=1))
    dr = 64 * np.finfo(float).eps * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        return (2 * dr / np.maximum(r, 1e-300) + (dr / np.maximum(r, 1e-300)) ** 2) * 3


def _sgd_check(theorem, system, ball, *, level, rng, claim, batch_size, samples):
    _need(system, ball)
    s = positive_int("batch_size", batch_size)
    n = system.n
    P, seed = _points(ball, rng, samples)
    mu = measure("pl_constant", system, ball, level, rng, samples=samples)
    beta = _loss_term_smoothness(system, P)
    hyps = [
        positive_hypothesis("mu := inf_B 1/2||grad L||^2 / L > 0 (PL*, 1/2 form, summed loss)", mu),
        positive_hypothesis("each l_i beta-smooth on B: beta = max_i sup ||H_{l_i}||", beta, method="sampled",
                            detail=f"{len(P)} points (a sampled sup: a lower bound of the true beta)"),
    ]
    if not (mu.value > 0 and beta > 0):
        return TheoremCheck(theorem.id, theorem.title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    eta, rate, what = _steps_and_rate(claim, mu.value, beta, n, s)
    L = system.loss(P)
    keep = L > 0
    E = expected_loss_after_step(system, P[keep], eta, s)
    ratios = E / L[keep]
    errs = _ratio_error(system, P[keep], eta, s)
    j = int(np.argmax(ratios - errs))  # the point most likely to refute
    jj = int(np.argmax(ratios))
    j = j if ratios[j] - errs[j] > rate else jj
    # mu and beta are estimates; at a refuting point the claim's constants must hold there (PL* ratio >= mu)
    pl_here = float(pl_ratio(system, P[keep][j][None, :])[0])
    supported = mu.certified or pl_here >= mu.value * (1 - 1e-9)
    concl = compare("worst E[L(w - eta g)] / L(w) over the points", float(ratios[j]), rate, "upper", "sampled",
                    rtol=1e-9, error=float(errs[j]), refutable=supported,
                    detail=f"{what}; s = {s}, n = {n}; exact expectation over batches at {int(keep.sum())} points",
                    x=P[keep][j])
    return TheoremCheck(theorem.id, theorem.title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"eta": eta, "rate": rate, "beta": beta, "mu": mu.value})


def _t18(system, ball, *, level, rng, claim, batch_size, samples):
    return _sgd_check(T18, system, ball, level=level, rng=rng, claim=claim, batch_size=batch_size, samples=samples)


def _t17(system, ball, *, level, rng, claim, batch_size, samples):
    if claim.reading not in ("sum", "mean"):
        raise InvalidArgument(f"claim.reading={claim.reading!r} must be 'sum' or 'mean'")
    main = _sgd_check(T17, system, ball, level=level, rng=rng, claim=claim, batch_size=batch_size, samples=samples)
    other = claim.replace(reading="mean" if claim.reading == "sum" else "sum")
    alt = _sgd_check(T17, system, ball, level=level, rng=rng, claim=other, batch_size=batch_size, samples=samples)
    note = (f"other reading ({other.reading}): {alt.conclusion.sentence()}. A refutation here is of the recalled "
            f"constants under the {claim.reading} reading of mu, not of the paper, whose exact constants are unverified")
    concl = main.conclusion.replace(detail=f"{main.conclusion.detail} | {note}")
    return dataclasses.replace(main, conclusion=concl, statement=f"{T17.title} ({claim.reading} reading of mu)",
                               series=dict(main.series, other_reading=alt.conclusion.to_dict()))


_OPTIONS = [("batch_size", 1, "the mini-batch size s"), ("samples", 512, "points sampled in the ball")]

T18 = Theorem(
    "T18", "SGD one-step contraction, derived constants",
    "If each l_i is beta-smooth and L is mu-PL*, then with eta* = mu s/(n beta(n beta + mu(s-1))) and "
    "g = (n/s) sum_j grad l_{i_j}: E[L(w - eta* g)] <= (1 - mu eta*) L(w).", "[derived]", _t18,
    claim=T18Claim(), options=_OPTIONS,
    mutants=[Mutant("mu doubled in the rate", {"rate_factor": 2.0}), Mutant("step 2.2 eta*", {"step_factor": 2.2})])

T17 = Theorem(
    "T17", "SGD in the PL* ball, the paper's recalled constants",
    "With mini-batch size s and step eta* = n mu/(beta(n^2 beta + mu(s-1))) on the batch sum, "
    "E[L(w_t)] <= (1 - mu s eta*/n)^t L(w0). [recalled, low confidence: a claim to check, under two readings of mu]",
    "[recalled]", _t17, claim=T17Claim(), options=_OPTIONS,
    mutants=[Mutant("the summed-loss mu where the mean-loss mu is meant", {"reading": "sum"}),
             Mutant("mu tripled in the rate", {"rate_factor": 3.0}), Mutant("step 2.2 eta*", {"step_factor": 2.2})],
    notes="Under the mean reading the recalled rate is loose (eta* carries n^2 beta where T18 has n beta): on the proof "
          "script's system the contraction 1 - E[L']/L is 2.4 times the claimed one, so the rate mutant triples mu.")
