"""T11: an output non-linearity with |phi'| >= rho keeps conditioning, lambda_min(K_F) >= rho^2 lambda_min(K_F~) (docs/theory.md T11, C11). [derived]. Lower bound.
"""

import functools
import numpy as np

from plsym import Ball
from plsym.systems import network
from plsym.theorems import T11 as THEOREM

ID = "T11"
# The constants checked, as docs/theory.md states T11; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(rho_power=2.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    gen = np.random.default_rng(rng)
    inner = network(gen.standard_normal((5, 3)), gen.standard_normal(5), [32], activation="tanh", rng=rng)
    return inner, Ball(inner.w0, 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="sampled", rng=rng, phi="tanh", samples=256 if quick else 1024)


if __name__ == "__main__":
    print(check().line())
