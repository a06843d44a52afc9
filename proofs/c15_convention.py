"""C15: the no-1/2 reading of PL* (mu' = 2 mu) breaks the T14 rate (docs/theory.md D1, C15). [derived].

F(w) = a w with a = 2 (m = n = 1), eta = 0.9/beta: L1 = 0.01 L0 while 1 - eta mu' = -0.8 < 0.
"""

import functools

from plsym import Ball
from plsym.systems import linear
from plsym.theorems import C15 as THEOREM

ID = "C15"
# The constants checked, as docs/theory.md states C15; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(mu_factor=1.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return linear([[2.0]], [1.0], name="F = 2w"), Ball([0.0], 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, samples=64 if quick else 512)


if __name__ == "__main__":
    print(check().line())
