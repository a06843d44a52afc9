"""C15: the no-1/2 reading of PL* (mu' = 2 mu) breaks the T14 rate (docs/theory.md D1, C15). [derived].

F(w) = a w with a = 2 (m = n = 1), eta = 0.9/beta: L1 = 0.01 L0 while 1 - eta mu' = -0.8 < 0.
"""

from plsym import Ball
from plsym.systems import linear
from plsym.theorems import C15 as THEOREM

ID = "C15"


def check(*, quick=False, seed=0):
    return THEOREM.check(linear([[2.0]], [1.0], name="F = 2w"), Ball([0.0], 1.0), level="searched", rng=seed,
                         samples=64 if quick else 512)


if __name__ == "__main__":
    print(check().line())
