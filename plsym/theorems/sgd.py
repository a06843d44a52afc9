"""SGD in the PL* ball: the derived constants (T18) and the paper's recalled ones (T17).

Both are checked by the exact expectation over mini-batches: the batch of s
indices drawn i.i.d. uniform on [n] enters the step only through its count
vector c, which has the multinomial law, so E[L(w - eta g)] is a finite sum.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..errors import InvalidArgument, positive_int
from ._core import Theorem, TheoremCheck, Verdict, compare, measure
from .conditioning import _need, _points

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


def _sgd_check(theorem_id, system, ball, *, level, rng, batch_size, samples, recalled):
    _need(system, ball)
    s = positive_int("batch_size", batch_size)
    n = system.n
    P, seed = _points(ball, rng, samples)
    mu = measure("pl_constant", system, ball, level, rng, samples=samples)
    beta = _loss_term_smoothness(system, P)
    hyps = [
        Verdict("mu := inf_B 1/2||grad L||^2 / L > 0 (PL*, 1/2 form)", "holds" if mu.value > 0 else "refuted",
                mu.method, None, mu.value, "upper", mu.detail, mu.witness),
        Verdict("each l_i beta-smooth on B: beta = max_i sup ||H_{l_i}||", "holds" if beta > 0 else "refuted", "sampled",
                None, beta, "lower", f"{len(P)} points (a sampled sup: a lower bound of the true beta)"),
    ]
    if not (mu.value > 0 and beta > 0):
        return TheoremCheck(theorem_id, (T17 if recalled else T18).title, system.name or "system", level, tuple(hyps), hyps[0], seed)
    if recalled:
        eta_batch_sum = n * mu.value / (beta * (n * n * beta + mu.value * (s - 1)))
        eta = (s / n) * eta_batch_sum  # the same step on the unbiased g = (n/s) * batch sum
        rate = 1 - mu.value * s * eta_batch_sum / n
        what = f"eta* = n mu/(beta(n^2 beta + mu(s-1))) = {eta_batch_sum:.4g} on the batch sum"
    else:
        eta = mu.value * s / (n * beta * (n * beta + mu.value * (s - 1)))
        rate = 1 - mu.value * eta
        what = f"eta* = mu s/(n beta(n beta + mu(s-1))) = {eta:.4g} on g = (n/s) batch sum"
    L = system.loss(P)
    keep = L > 0
    E = expected_loss_after_step(system, P[keep], eta, s)
    ratios = E / L[keep]
    j = int(np.argmax(ratios))
    concl = compare("worst E[L(w - eta g)] / L(w) over the sample", float(ratios[j]), rate, "upper", "sampled",
                    rtol=1e-9, atol=1e-12, detail=f"{what}; s = {s}, n = {n}; exact expectation over batches at {int(keep.sum())} points",
                    witness=P[keep][j])
    return TheoremCheck(theorem_id, (T17 if recalled else T18).title, system.name or "system", level, tuple(hyps), concl, seed,
                        {"eta": eta, "rate": rate, "beta": beta, "mu": mu.value})


def _t18(system, ball, *, level, rng, batch_size=1, samples=512):
    return _sgd_check("T18", system, ball, level=level, rng=rng, batch_size=batch_size, samples=samples, recalled=False)


def _t17(system, ball, *, level, rng, batch_size=1, samples=512):
    return _sgd_check("T17", system, ball, level=level, rng=rng, batch_size=batch_size, samples=samples, recalled=True)


T18 = Theorem("T18", "SGD one-step contraction, derived constants",
              "If each l_i is beta-smooth and L is mu-PL*, then with eta* = mu s/(n beta(n beta + mu(s-1))) and "
              "g = (n/s) sum_j grad l_{i_j}: E[L(w - eta* g)] <= (1 - mu eta*) L(w).", "[derived]", _t18)

T17 = Theorem("T17", "SGD in the PL* ball, the paper's recalled constants",
              "With mini-batch size s and step eta* = n mu/(beta(n^2 beta + mu(s-1))) on the batch sum, "
              "E[L(w_t)] <= (1 - mu s eta*/n)^t L(w0). [recalled, low confidence: a claim to check]", "[recalled]", _t17)
