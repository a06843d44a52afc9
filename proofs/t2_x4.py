"""T2 on X4: for the linear toy, H_L(w*) = A^T A at every solution, with m - n = 1 zero eigenvalue (docs/theory.md T2, C9, X4). [derived]. Lower bound on the zero count, attained.

The linear toy of the T1-X4 script: two data points in R^2, w in R^3, F(w) = A w with
A = [[1, 0.5, -1], [1, -2, 0.3]] of rank 2. The residual term of H_L vanishes (F is
affine), so H_L(w*) = A^T A exactly, with one zero eigenvalue (ker A, the direction of the
line of solutions) and two positive ones: the mutant m - n + 1 = 2 is refuted.
"""

import functools

from plsym import Ball
from plsym.systems import linear_toy
from plsym.theorems import T2 as THEOREM

ID = "T2-X4"
# The constants checked, as docs/theory.md states T2; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(zero_excess=0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return linear_toy(), Ball([0.0, 0.0, 0.0], 3.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng)


if __name__ == "__main__":
    print(check().line())
