"""T2 on X1: at a solution of w1 w2 = 1, H_L(w*) = DF^T DF has m - n = 1 zero eigenvalue (docs/theory.md T2, C9, X1). [derived]. Lower bound on the zero count, attained.

X1 with y = 1 on the ball of the T1 script: at the Gauss-Newton solution w* on the
hyperbola, DF(w*) = (w2*, w1*) has full rank 1, H_L(w*) = DF^T DF is the rank-one matrix
(w2*, w1*)^T (w2*, w1*): one zero eigenvalue and one equal to ||w*||^2, so the mutant
m - n + 1 = 2 is refuted.
"""

import functools

from plsym import Ball
from plsym.systems import product
from plsym.theorems import T2 as THEOREM

ID = "T2-X1"
# The constants checked, as docs/theory.md states T2; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(zero_excess=0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return product(1.0), Ball([1.2, 0.9], 0.5)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng)


if __name__ == "__main__":
    print(check().line())
