"""T18: SGD one-step contraction with the derived constants (docs/theory.md T18, C18). [derived]. Upper bound on E[L']/L.
"""

import numpy as np

from plsym import Ball
from plsym.systems import linear
from plsym.theorems import T18 as THEOREM

ID = "T18"


def check(*, quick=False, seed=0):
    rng = np.random.default_rng(seed)
    system = linear(rng.standard_normal((3, 6)), rng.standard_normal(3))
    return THEOREM.check(system, Ball(np.zeros(6), 1.0), level="searched", rng=seed, batch_size=2,
                         samples=64 if quick else 512)


if __name__ == "__main__":
    print(check().line())
