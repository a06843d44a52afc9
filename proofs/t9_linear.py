"""T9: linear systems are PL* without strong convexity; GD rate 1 - 1/kappa (docs/theory.md T9, C17). [derived]. Upper bound.
"""

import functools
import numpy as np

from plsym import Ball
from plsym.systems import linear
from plsym.theorems import T9 as THEOREM

ID = "T9"
# The constants checked, as docs/theory.md states T9; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(kappa_factor=1.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    gen = np.random.default_rng(rng)
    system = linear(gen.standard_normal((4, 10)), gen.standard_normal(4))
    return system, Ball(np.zeros(10), 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="sampled", rng=rng, steps=100 if quick else 400)


if __name__ == "__main__":
    print(check().line())
