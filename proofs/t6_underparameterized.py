"""T6: under-parameterized systems are never PL* (docs/theory.md T6, C4). [restated]/[derived]. lambda_min(K) = 0 is tight.

F: R^2 -> R^4 built from tanh and polynomials: rank K <= 2 < 4 everywhere.
"""

import functools
import sympy

import plsym
from plsym.theorems import T6 as THEOREM

ID = "T6"
# The constants checked, as docs/theory.md states T6; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(rank_excess=0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    a, b = sympy.symbols("a b")
    outs = [sympy.tanh(a + b), a * b, a**2 - b, sympy.sin(a) + b**3]
    system = plsym.System(outs, [a, b], [0.1, 0.2, 0.3, 0.4], name="R^2 -> R^4")
    return system, plsym.Ball([0.5, -0.3], 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="sampled", rng=rng, samples=256 if quick else 2048)


if __name__ == "__main__":
    print(check().line())
