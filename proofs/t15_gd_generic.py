"""T15: generic-loss form, R = 2 sqrt(2 beta L(w0))/mu and eta = 1/beta (docs/theory.md T15, C14). [paper]. Upper bound on the step ratio.
"""

import functools

from plsym import Ball
from plsym.systems import product
from plsym.theorems import T15 as THEOREM

ID = "T15"
# The constants checked, as docs/theory.md states T15; a variant is CLAIM.replace(...).
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
