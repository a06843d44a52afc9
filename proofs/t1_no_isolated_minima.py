"""T1: no isolated minimum, and a curved solution set makes L non-convex next to every solution (docs/theory.md T1, C10, X1). [paper]/[derived]. No constant.

X1: F(w) = w1 w2, y = 1. From the centre (1.2, 0.9) Gauss-Newton finds a solution w*
on the hyperbola; solutions w(s) along ker DF(w*) are found by moving along the tangent
and projecting back. The curvature of the hyperbola w1 w2 = c at w is 2c / ||w||^3,
and the midpoints of the chords [w(-s), w(s)] have L > 0.
"""

import functools

from plsym import Ball
from plsym.systems import product
from plsym.theorems import T1 as THEOREM

ID = "T1"


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return product(1.0), Ball([1.2, 0.9], 0.5)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim, level="searched", rng=rng)


if __name__ == "__main__":
    print(check().line())
