"""Where PL* can fail: the size of the singular set (T7, C21) and random-Jacobian conditioning (T8, C20).

Both are statements about n x m matrices, not about one system: the checks take
``system=None`` and a list of shapes (n, m), n <= m.

* T7: the n x m matrices of rank n - 1 (where K = A A^T is singular) form a
  manifold of codimension m - n + 1, measured as nm minus the numerical rank of the
  Jacobian of the parametrization (B, C) -> B C, B n x (n-1), C (n-1) x m, at a
  random point. (The parametrization has n(n-1) + (n-1)m parameters and a
  GL(n-1) gauge of dimension (n-1)^2, so the rank is (n-1)(m+1).)
* T8: for A with independent N(0, 1) entries, E[log kappa(A A^T)] <
  2 log(m / (m - n + 1)) + 5, by Monte Carlo with a confidence interval.

Examples
--------
>>> from plsym.theorems.singular import T7
>>> c = T7.check(None, shapes=[(3, 5)])
>>> c.verdict, c.conclusion.measured
('holds', 3.0)
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import InvalidArgument, _show, as_rng, positive_int
from ._core import Claim, Mutant, Theorem, TheoremCheck, Verdict, compare, constant, memo
from ._runs import combine

__all__ = ["C20_SHAPES", "parametrization_jacobian", "T7Claim", "T7", "log_condition_numbers", "T8Claim", "T8"]

C20_SHAPES = ((5, 5), (5, 6), (10, 20), (20, 200), (50, 60))
"""The (n, m) pairs of docs/theory.md C20."""

_ZERO_REL, _NONZERO_REL = 1e-11, 1e-7  # singular values / sigma_max: surely zero below, surely nonzero above


def _shapes(shapes):
    if isinstance(shapes, (str, bytes)) or not hasattr(shapes, "__iter__"):
        raise InvalidArgument(f"shapes={_show(shapes)} must be a list of pairs (n, m) with 1 <= n <= m")
    out = []
    for k, pair in enumerate(shapes):
        try:
            n, m = pair
        except (TypeError, ValueError):
            raise InvalidArgument(f"shapes[{k}]={_show(pair)} must be a pair (n, m) with 1 <= n <= m") from None
        n, m = positive_int(f"shapes[{k}][0]", n), positive_int(f"shapes[{k}][1]", m)
        if n > m:
            raise InvalidArgument(f"shapes[{k}]=({n}, {m}) must have n <= m (over-parameterized, T7/T8)")
        out.append((n, m))
    if not out:
        raise InvalidArgument("shapes=[] must hold at least one pair (n, m)")
    return out


# -- T7 -----------------------------------------------------------------------------------


def parametrization_jacobian(B, C):
    """The Jacobian of (B, C) -> vec(B C) (row-major), a (n m) x (n r + r m) matrix.

    Parameters
    ----------
    B : array_like, shape (n, r)
    C : array_like, shape (r, m)

    Returns
    -------
    ndarray, shape (n * m, n * r + r * m)
        Columns for vec(B) then vec(C): d vec(B C) = (I_n kron C^T) d vec(B) + (B kron I_m) d vec(C).

    Examples
    --------
    >>> import numpy as np
    >>> parametrization_jacobian(np.ones((2, 1)), np.ones((1, 3))).shape
    (6, 5)
    """
    B, C = np.asarray(B, dtype=float), np.asarray(C, dtype=float)
    n, m = B.shape[0], C.shape[1]
    return np.hstack([np.kron(np.eye(n), C.T), np.kron(B, np.eye(m))])


@dataclasses.dataclass(frozen=True)
class T7Claim(Claim):
    """The constant of T7 (docs/theory.md T7, C21)."""

    codimension_offset: int = constant(1, "the rank-(n-1) matrices in R^{n x m} have codimension m - n + "
                                          "codimension_offset (tight)")


def _t7(system, ball, *, level, rng, claim, shapes):
    gen, seed = as_rng(rng)
    parts, rows = [], []
    for n, m in _shapes(shapes):
        if n < 2:
            continue  # rank n - 1 = 0: the singular set is the single matrix 0, codimension m = m - n + 1 trivially
        B, C = gen.standard_normal((n, n - 1)), gen.standard_normal((n - 1, m))
        sv = np.linalg.svd(parametrization_jacobian(B, C), compute_uv=False)
        top = sv[0]
        surely = int(np.sum(sv > _NONZERO_REL * top))
        maybe = int(np.sum(sv > _ZERO_REL * top))
        claimed = m - n + claim.codimension_offset
        decided = surely == maybe
        codim = n * m - surely
        gap = (float(sv[surely - 1] / top), float(sv[surely] / top) if surely < len(sv) else 0.0)
        detail = (f"n = {n}, m = {m}: Jacobian of (B, C) -> B C is {n * m} x {len(sv)}, numerical rank {surely} "
                  f"(sigma_rank / sigma_max = {gap[0]:.2g}, next {gap[1]:.2g}; zero below {_ZERO_REL:g}, nonzero "
                  f"above {_NONZERO_REL:g}); codimension nm - rank = {codim}; (n-1)(m+1) = {(n - 1) * (m + 1)}")
        v = compare(f"codimension of the rank-{n - 1} matrices in R^{n}x{m}", float(codim), float(claimed), "tight",
                    "exact", rtol=0.0, detail=detail)
        if not decided:
            v = v.replace(status="inconclusive", detail=detail + "; the rank gap is not decisive")
        parts.append(v)
        rows.append((n, m, codim, claimed))
    if not parts:
        raise InvalidArgument(f"shapes={_show(shapes)} has no pair with n >= 2 (rank n - 1 >= 1)")
    hyp = Verdict("shapes with 2 <= n <= m", "holds", "exact", detail=f"{len(parts)} shapes; B, C ~ N(0, 1), seed {seed}")
    concl = combine(parts)
    return TheoremCheck("T7", T7.title, "rank-(n-1) parametrization B C", level, (hyp,), concl, seed,
                        {"shapes": [(n, m) for n, m, _, _ in rows], "codimension": [c for _, _, c, _ in rows],
                         "claimed": [c for _, _, _, c in rows]})


T7 = Theorem(
    "T7", "the singular set has codimension m - n + 1",
    "The n x m matrices of rank n - 1 form a manifold of codimension m - n + 1 in R^{n x m}; so S_sing = "
    "{lambda_min(K) = 0} generically has codimension m - n + 1 and PL* holds on most of the space.",
    "[restated], [derived]", _t7, claim=T7Claim(),
    options=[("shapes", ((2, 2), (2, 5), (3, 3), (3, 7), (4, 6), (5, 5), (5, 12), (6, 9)),
              "the (n, m) pairs, 2 <= n <= m")],
    mutants=[Mutant("codimension m - n", {"codimension_offset": 0}),
             Mutant("codimension m - n + 2", {"codimension_offset": 2})],
    notes=("The manifold's dimension is the rank of the parametrization's Jacobian at a random point (the "
           "parametrization is a submersion onto the rank-(n-1) matrices there): n(n-1) + (n-1)m parameters less "
           "the (n-1)^2 of the gauge B -> B G, C -> G^-1 C, i.e. (n-1)(m+1) = nm - (m - n + 1). The rank is "
           "numerical with a decisive gap; an undecided gap is inconclusive."))


# -- T8 -----------------------------------------------------------------------------------


def log_condition_numbers(n, m, trials, *, rng=0, batch=500):
    """log kappa(A A^T) = 2 log(sigma_max(A) / sigma_min(A)) for ``trials`` draws of A ~ N(0, 1)^{n x m}.

    Parameters
    ----------
    n, m : int
        The shape, n <= m.
    trials : int
    rng : int or numpy.random.Generator
    batch : int
        Matrices per batched SVD.

    Returns
    -------
    ndarray, shape (trials,)

    Examples
    --------
    >>> x = log_condition_numbers(3, 30, 200, rng=0)
    >>> bool(0 < x.mean() < 2 * np.log(30 / 28) + 5)
    True
    """
    gen, _ = as_rng(rng)
    out = []
    left = positive_int("trials", trials)
    while left > 0:
        k = min(batch, left)
        s = np.linalg.svd(gen.standard_normal((k, n, m)), compute_uv=False)
        out.append(2.0 * (np.log(s[:, 0]) - np.log(s[:, -1])))
        left -= k
    return np.concatenate(out)


@dataclasses.dataclass(frozen=True)
class T8Claim(Claim):
    """The constants of T8 (docs/theory.md T8, C20)."""

    log_factor: float = constant(2.0, "E[log kappa(A A^T)] < log_factor log(m / (m - n + 1)) + constant")
    constant: float = constant(5.0, "the additive constant")


def _t8(system, ball, *, level, rng, claim, shapes, trials, z):
    gen, seed = as_rng(rng)
    trials = positive_int("trials", trials, minimum=10)
    z = float(z)
    if not z > 0:
        raise InvalidArgument(f"z={_show(z)} must be a positive number of standard errors")
    pairs = _shapes(shapes)

    def draw():
        """(mean, standard deviation) of log kappa per pair: the measurement, which no constant of the claim enters."""
        return [(float(x.mean()), float(x.std(ddof=1)))
                for x in (log_condition_numbers(n, m, trials, rng=gen) for n, m in pairs)]

    # a seeded run is measured once, so that the mutants are judged on the same draws
    stats = draw() if seed is None else memo(T8, (tuple(pairs), trials, seed), draw)
    parts, means, halfs, bounds = [], [], [], []
    for (n, m), (mean, sd) in zip(pairs, stats):
        half = z * sd / math.sqrt(trials)
        bound = claim.log_factor * math.log(m / (m - n + 1)) + claim.constant
        v = compare(f"E[log kappa(A A^T)] at (n, m) = ({n}, {m})", mean, bound, "upper", "sampled", rtol=0.0,
                    error=half, detail=(f"{trials} draws: mean {mean:.4g}, {z:g}-sigma confidence interval "
                                        f"[{mean - half:.4g}, {mean + half:.4g}]; bound {claim.log_factor:g} "
                                        f"log(m/(m-n+1)) + {claim.constant:g} = {bound:.4g}"))
        if v.status == "holds" and mean + half > bound:
            v = v.replace(status="inconclusive", detail=v.detail + "; the interval straddles the bound")
        parts.append(v)
        means.append(mean), halfs.append(half), bounds.append(bound)
    # the deciding pair: the smallest margin bound - mean
    order = np.argsort(np.array(bounds) - np.array(means))
    parts = [parts[i] for i in order]
    concl = combine(parts)
    hyp = Verdict("A has independent N(0, 1) entries, n <= m", "holds", "exact",
                  detail=f"numpy Generator, seed {seed}; refuted only when the lower end of the interval exceeds "
                         "the bound")
    return TheoremCheck("T8", T8.title, "Gaussian n x m matrices", level, (hyp,), concl, seed,
                        {"shapes": pairs, "mean": means, "half_width": halfs, "bound": bounds,
                         "trials": trials})


T8 = Theorem(
    "T8", "random Jacobians are well conditioned: E log kappa(K) < 2 log(m/(m-n+1)) + 5",
    "For A in R^{n x m} with independent N(0, 1) entries, E[log kappa(A A^T)] < 2 log(m / (m - n + 1)) + 5 "
    "(Chen & Dongarra's bound for kappa(A), doubled).", "[restated], [derived]", _t8, claim=T8Claim(),
    options=[("shapes", C20_SHAPES + ((2, 2), (10, 10), (30, 30), (3, 30), (30, 40)),
              "the (n, m) pairs: those of C20 and more"),
             ("trials", 2000, "Monte-Carlo draws per pair"),
             ("z", 3.0, "half-width of the confidence interval in standard errors")],
    mutants=[Mutant("constant 5 lowered to 2", {"constant": 2.0}),
             Mutant("no log term (log_factor 0)", {"log_factor": 0.0})],
    notes=("Monte Carlo: a pair's bound is refuted only when the lower end of its confidence interval exceeds it, "
           "held only when the upper end is below it. On the proof script's pairs (seed 0, 2000 draws) the means "
           "exceed 2 log(m/(m-n+1)) by 1.0 (at (20, 200)) to 3.0 (at (30, 30)), so the bound is loose by 2.0 to "
           "4.0: the mutant constant 2 is refuted at the square and near-square pairs ((5, 5), (10, 10), (30, 30), "
           "(50, 60)), and dropping the log term leaves 5 below the means 5.7 at (5, 5), 7.3 at (10, 10) and 9.8 at "
           "(30, 30)."))
