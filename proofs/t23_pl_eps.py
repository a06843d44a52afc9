"""T23: PL*_eps => GD reaches loss eps within ceil((beta/mu) ln(L0/eps)) steps (docs/theory.md T23, D6, C19). [derived]. Upper bound on the step count.

An under-parameterized system F(w) = (w, tanh(w)) with y = (1, 0.5): no solution, so PL*
fails near the minimizer, but it holds where L >= eps for eps above the minimum loss.
"""

import functools
import sympy

import plsym
from plsym.theorems import T23 as THEOREM

ID = "T23"
# The constants checked, as docs/theory.md states T23; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(steps_factor=1.0, radius_factor=2.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    w = sympy.Symbol("w")
    system = plsym.System([w, sympy.tanh(w)], [w], [1.0, 0.5], name="(w, tanh w)")
    return system, plsym.Ball([2.5], 12.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, eps=0.05, samples=256 if quick else 2048)


if __name__ == "__main__":
    print(check().line())
