"""ID: one-line statement of the result (docs/theory.md ID). [tag]. The claimed constant is tight / an upper bound / a lower bound.

The skeleton every proof script follows. To add a result, copy this file to
``proofs/<id>_<short_name>.py``, set ID and CLAIM (the theorem's constants, written
out), build the system and ball in ``setup``,
and call the theorem's check: ``plsym reproduce`` and the tests find it through
``plsym.registry`` with no other edit. Files whose name starts with ``_`` are not run.
"""

import functools

from plsym import Ball
from plsym.systems import product
from plsym.theorems import T4 as THEOREM

ID = "TEMPLATE"
# The constants checked, written out so the file states the whole theorem (docs/theory.md ID).
CLAIM = THEOREM.claim.replace(pl_factor=1.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    system, ball = product(2.9), Ball([3.0, 1.0], 0.5)
    return system, ball


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, samples=256 if quick else 2048)


if __name__ == "__main__":
    print(check().line())
