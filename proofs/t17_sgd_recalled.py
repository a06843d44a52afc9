"""T17: SGD with the paper's recalled constants (docs/theory.md T17, C18). [recalled, low confidence]. Upper bound on E[L']/L.

The recalled step eta* = n mu/(beta(n^2 beta + mu(s-1))) on the batch sum, rate 1 - mu s eta*/n,
checked by the exact expectation over batches on n = 2 copies of one linear equation with
s = 2: there E[L(w')] = L(w)/9 while the claimed factor is -1/3, a counterexample (a finding
about the recalled constants, not a bug). T18 gives the constants that hold.
"""

from plsym import Ball
from plsym.systems import linear
from plsym.theorems import T17 as THEOREM

ID = "T17"


def check(*, quick=False, seed=0):
    system = linear([[1.0], [1.0]], [0.0, 0.0], name="two copies of w = 0")
    return THEOREM.check(system, Ball([1.0], 0.5), level="searched", rng=seed, batch_size=2, samples=64 if quick else 256)


if __name__ == "__main__":
    print(check().line())
