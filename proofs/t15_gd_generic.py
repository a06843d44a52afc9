"""T15: generic-loss form, R = 2 sqrt(2 beta L(w0))/mu and eta = 1/beta (docs/theory.md T15, C14). [paper]. Upper bound on the step ratio.
"""

from plsym import Ball
from plsym.systems import product
from plsym.theorems import T15 as THEOREM

ID = "T15"


def check(*, quick=False, seed=0):
    return THEOREM.check(product(2.9), Ball([3.0, 1.0], 0.5), level="certified", rng=seed, samples=256 if quick else 2048)


if __name__ == "__main__":
    print(check().line())
