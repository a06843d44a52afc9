"""T14: local PL* => a solution in the ball and GD at rate 1 - eta mu (docs/theory.md T14, C13, C16, X3). [paper]. Upper bound on the step ratio.

X3: F = w1 w2, y = 2.9, w0 = (3, 1), R = 0.5; mu, L_F and sup ||H_F|| are certified, then
GD with the theorem's step runs until the loss is 0.
"""

import functools

from plsym import Ball
from plsym.systems import product
from plsym.theorems import T14 as THEOREM

ID = "T14"
# The constants checked, as docs/theory.md states T14; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(radius_factor=2.0, step_factor=1.0, rate_factor=1.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return product(2.9), Ball([3.0, 1.0], 0.5)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="certified", rng=rng, samples=256 if quick else 2048)


if __name__ == "__main__":
    print(check().line())
