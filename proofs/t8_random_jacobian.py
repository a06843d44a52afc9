"""T8: random Jacobians, E[log kappa(A A^T)] < 2 log(m/(m-n+1)) + 5, by Monte Carlo (docs/theory.md T8, C20). [restated]. Upper bound, with a 3-sigma confidence interval.

The (n, m) pairs of C20 and five more (square ones, where conditioning is worst, and a
long one). Each pair's mean of log kappa over the draws is compared with the bound; it
is refuted only when the lower end of its confidence interval exceeds the bound.
"""

import functools

from plsym.theorems import T8 as THEOREM
from plsym.theorems.singular import C20_SHAPES

ID = "T8"
# The constants checked, as docs/theory.md states T8; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(log_factor=2.0, constant=5.0)
SHAPES = C20_SHAPES + ((2, 2), (10, 10), (30, 30), (3, 30), (30, 40))


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """No system: the check is about Gaussian n x m matrices."""
    return None, None


def check(*, quick=False, rng=0, claim=None):
    return THEOREM.check(None, None, claim=claim or CLAIM, level="sampled", rng=rng, shapes=SHAPES,
                         trials=400 if quick else 2000)


if __name__ == "__main__":
    print(check().line())
