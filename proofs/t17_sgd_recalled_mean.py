"""T17 (mean reading): SGD with the recalled constants, mu of the mean loss L/n (docs/theory.md T17, C18). [recalled, low confidence]. Upper bound on E[L']/L.

The recalled step eta* = n mu/(beta(n^2 beta + mu(s-1))) on the batch sum and rate
1 - mu s eta*/n, with mu the 1/2-form PL* constant of the mean loss L/n (mu / n for the
summed loss's mu), on the same n = 2 copies of one linear equation with s = 2 as the
sum reading: E[L(w')] = L(w)/25 <= 3/5, the claim holds.
"""

import functools

from plsym import Ball
from plsym.systems import linear
from plsym.theorems import T17 as THEOREM

ID = "T17-mean"
CLAIM = THEOREM.claim.replace(reading="mean")


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    return linear([[1.0], [1.0]], [0.0, 0.0], name="two copies of w = 0"), Ball([1.0], 0.5)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, batch_size=2,
                         samples=64 if quick else 256)


if __name__ == "__main__":
    print(check().line())
