"""C24: the tangent kernel of a wide network moves O~(1/sqrt(width)) along GD (docs/theory.md C24, T19, T20). [derived]. One-sided upper slope.

The two-layer tanh network of the T19 script (n = 6 inputs in R^4, N(0, 1) targets, linear
output) at widths 64 ... 4096, two draws per width. GD with eta = 1/lambda_max(K(W0)) runs
100 steps (60 at the quick budget) and reaches about 1e-4 of the initial loss; the largest
distance from W0 along the way (about 3.4 over all widths and draws) stays inside R = 5, so R is fixed
as m grows. The width slope of sup_t ||K(W_t) - K(W0)||_2 (about -1: the bound is loose
here) is compared with -1/2 plus the polylog allowance.
"""

import functools

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import C24 as THEOREM

ID = "C24"
# The constants checked, as docs/theory.md states C24; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(kernel_exponent=-0.5, log_power=1.0, atol=0.05)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(6, 4, rng=0)  # rows of norm sqrt(d), the data of every wide-network script
    template = network(X, y, [64], activation="tanh")
    return template, Ball(template.w0, 5.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    widths = (64, 256, 1024, 4096) if quick else (64, 128, 256, 512, 1024, 2048, 4096)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="sampled", rng=rng, widths=widths, draws=2,
                         steps=60 if quick else 100)


if __name__ == "__main__":
    print(check().line())
