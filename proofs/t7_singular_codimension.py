"""T7: the singular set has codimension m - n + 1, via the rank of a parametrization's Jacobian (docs/theory.md T7, C21). [restated]/[derived]. Tight.

For each shape (n, m), 2 <= n <= m, the Jacobian of (B, C) -> B C with B n x (n-1) and
C (n-1) x m is evaluated at a random point; its numerical rank (with a decisive gap) is
the dimension (n-1)(m+1) of the rank-(n-1) matrices, so their codimension nm - rank is
compared with m - n + 1 exactly.
"""

import functools

from plsym.theorems import T7 as THEOREM

ID = "T7"
# The constants checked, as docs/theory.md states T7; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(codimension_offset=1)
SHAPES = ((2, 2), (2, 5), (3, 3), (3, 7), (4, 6), (5, 5), (5, 12), (6, 9), (8, 20))


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """No system: the check is about n x m matrices (the shapes are the "system")."""
    return None, None


def check(*, quick=False, rng=0, claim=None):
    return THEOREM.check(None, None, claim=claim or CLAIM, level="searched", rng=rng,
                         shapes=SHAPES[:5] if quick else SHAPES)


if __name__ == "__main__":
    print(check().line())
