"""T10: small Hessian => uniform conditioning, and the kernel perturbation bound C5 (docs/theory.md T10). [recalled] form. Lower bound.

X3's product system F = w1 w2 on B((3, 1), 0.5) with mu = lambda0 / 2: the Hessian
criterion holds and inf lambda_min(K) >= mu, with the constants certified.
"""

import functools

from plsym import Ball
from plsym.systems import product
from plsym.theorems import T10 as THEOREM

ID = "T10"
# The constants checked, as docs/theory.md states T10; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(factor=2.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return product(2.9), Ball([3.0, 1.0], 0.5)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="certified", rng=rng, samples=256 if quick else 1024)


if __name__ == "__main__":
    print(check().line())
