"""T5: under PL* every stationary point in the ball is a global minimizer (docs/theory.md T5, X3). [derived]. No constant.

X3: F = w1 w2, y = 2.9 on B((3, 1), 0.5), where PL* holds (certified). Minimizing
||grad L||^2 from the centre and 31 uniform points finds stationary points; each has L = 0
within round-off (all lie on the hyperbola w1 w2 = 2.9).
"""

import functools

from plsym import Ball
from plsym.systems import product
from plsym.theorems import T5 as THEOREM

ID = "T5"


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return product(2.9), Ball([3.0, 1.0], 0.5)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim, level="certified", rng=rng, starts=8 if quick else 32,
                         samples=256 if quick else 1024)


if __name__ == "__main__":
    print(check().line())
