"""T1 on X2: the unit sphere of solutions of ||w||^2 = 1 is curved, with curvature 1 (docs/theory.md T1, X2). [derived]. No constant.
"""

import functools

from plsym import Ball
from plsym.systems import sphere
from plsym.theorems import T1 as THEOREM

ID = "T1-X2"


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return sphere(3, 1.0), Ball([0.7, 0.5, 0.4], 0.3)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim, level="searched", rng=rng)


if __name__ == "__main__":
    print(check().line())
