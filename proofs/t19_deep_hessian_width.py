"""T19 for depth L = 2: the Hessian norm of a wide three-layer network decays like 1/sqrt(width) and grows at most like R^{3L} (docs/theory.md T19, C22). [paper] rate, [recalled] power of R. One-sided upper slopes.

A tanh network with two hidden layers of equal width and a linear output on the data of
the T19 script (n = 6 inputs in R^4), drawn at widths 32, 64, 128 (m = 4 w + w^2 + w
parameters; width 256, m = 66816, quadruples the run for the same verdict and slope within 0.04). No closed-form supremum exists at depth 2, so sup ||H_F|| over B(W0, R) is
sampled (plsym.estimate, no local search: at these sizes the generic search costs 30 s per
radius at width 128 and found nothing above the sampled value) at each radius R/10, R/3,
R; the width slope is compared with -1/2 plus the polylog allowance, the radius slope with
3L = 6, with R = 10. A sampled sup is a lower bound of the true sup: a "holds" is evidence
at the points tried. The sampled sup grows with R visibly only at width 32 (radius slope
about 0.13, against 0.004 to 0.04 at the wider ones): random points of a ball in 10^4
dimensions stay typical, which is why the exact two-layer reduction of the T19 script exists.
"""

import functools

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import T19 as THEOREM

ID = "T19-deep"
# The constants checked, as docs/theory.md states T19; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(width_exponent=-0.5, radius_exponent=None, log_power=1.0, atol=0.05)
WIDTHS = (32, 64, 128)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(6, 4, rng=0)
    template = network(X, y, [WIDTHS[0], WIDTHS[0]], activation="tanh")
    return template, Ball(template.w0, 10.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="sampled", rng=rng,
                         widths=WIDTHS, samples=4 if quick else 16)


if __name__ == "__main__":
    print(check().line())
