"""T1/T3: the loss is not convex in any neighbourhood of a solution (docs/theory.md T1, T3, X2). [paper]/[derived].

On the sphere system F(w) = ||w||^2 (X2, m = 3 > n = 1), rank H_F = 3 > 2n, so the T3
construction applies: lambda_min(H_L) < 0 at points w* + t u with t -> 0.
"""

import functools

from plsym import Ball
from plsym.systems import sphere
from plsym.theorems import T3 as THEOREM

ID = "T3"


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return sphere(3, 1.0), Ball([0.7, 0.5, 0.4], 0.3)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim, level="sampled", rng=rng)


if __name__ == "__main__":
    print(check().line())
