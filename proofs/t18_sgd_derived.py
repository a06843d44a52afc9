"""T18: SGD one-step contraction with the derived constants (docs/theory.md T18, C18). [derived]. Upper bound on E[L']/L, attained.

Two copies of one linear equation (n = 2, F(w) = (w, w), y = 0) with batch size s = 2:
every l_i is 1-smooth, mu = 2, the step eta* = mu s/(n beta(n beta + mu(s-1))) = 1/2 on
g = (n/s) batch sum sends every w to the solution, so E[L(w')] = 0 = (1 - mu eta*) L(w):
the claimed rate is attained, and the check can tell it from any faster one. (The same
system refutes the recalled constants of T17 under the summed-loss reading.)
"""

import functools

from plsym import Ball
from plsym.systems import linear
from plsym.theorems import T18 as THEOREM

ID = "T18"
# The constants checked, as docs/theory.md states T18; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(step_factor=1.0, rate_factor=1.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return linear([[1.0], [1.0]], [0.0, 0.0], name="two copies of w = 0"), Ball([1.0], 0.5)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, batch_size=2,
                         samples=64 if quick else 512)


if __name__ == "__main__":
    print(check().line())
