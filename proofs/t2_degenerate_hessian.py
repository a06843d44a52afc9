"""T2: at a solution, H_L(w*) = DF^T DF has at least m - n zero eigenvalues (docs/theory.md T2, C9, X2). [derived]. Lower bound on the zero count, attained.

X2 with m = 3: at a point of the unit sphere, H_L(w*) = 4 w* w*^T has exactly
m - n = 2 zero eigenvalues and one equal to 4: the claim is attained, and the mutant
m - n + 1 is refuted by a gap of 16 orders of magnitude.
"""

import functools

from plsym import Ball
from plsym.systems import sphere
from plsym.theorems import T2 as THEOREM

ID = "T2"
# The constants checked, as docs/theory.md states T2; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(zero_excess=0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return sphere(3, 1.0), Ball([0.7, 0.5, 0.4], 0.3)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng)


if __name__ == "__main__":
    print(check().line())
