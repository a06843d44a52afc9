"""T1 on X4: a linear toy whose solution set is a line, flat: the non-convexity claim does not apply (docs/theory.md T1, X4). [restated]. No constant.

Two data points x_1 = (0.5, -1), x_2 = (-2, 0.3) in R^2, parameters w in R^3,
equations w0 + w1 x_i1 + w2 x_i2 = y_i. The solutions form a line (no isolated minimum:
the curve of solutions is found), but its curvature is 0 exactly (F is affine), so the
curvature hypothesis fails and T1's non-convexity claims nothing: "not applicable".
"""

import functools

from plsym import Ball
from plsym.systems import linear_toy
from plsym.theorems import T1 as THEOREM

ID = "T1-X4"


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return linear_toy(), Ball([0.0, 0.0, 0.0], 3.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim, level="searched", rng=rng)


if __name__ == "__main__":
    print(check().line())
