"""T12: composition keeps conditioning, lambda_min(K_{G o Phi}) >= lambda_min(K_Phi) lambda_min(DG DG^T) (docs/theory.md T12, C12). [derived]. Lower bound.
"""

import functools
import sympy

import plsym
from plsym.theorems import T12 as THEOREM

ID = "T12"
# The constants checked, as docs/theory.md states T12; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(factor=1.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    w = sympy.symbols("w1:5")
    z = sympy.symbols("z1:4")
    phi = plsym.System([sympy.tanh(w[0] + w[1] - w[2]), w[1] * w[3] + w[0], sympy.sin(w[2]) + w[3] ** 2], list(w),
                       [0.0, 0.0, 0.0], name="Phi")
    G = plsym.System([z[0] * z[1] + z[2], z[0] - z[2] ** 3 / 3], list(z), [0.5, -0.5], name="G")
    return phi, plsym.Ball([0.3, -0.2, 0.5, 0.8], 0.5), G


def check(*, quick=False, rng=0, claim=None):
    system, ball, G = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="sampled", rng=rng, outer=G, samples=256 if quick else 2048)


if __name__ == "__main__":
    print(check().line())
