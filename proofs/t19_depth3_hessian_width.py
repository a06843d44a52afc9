"""T19 for depth L = 3: the Hessian norm of a wide four-layer network decays like 1/sqrt(width) and grows at most like R^{3L} (docs/theory.md T19, C22). [paper] rate, [recalled] power of R. One-sided upper slopes.

A tanh network with three hidden layers of equal width and a linear output on the data of
the T19 script (n = 6 inputs in R^4), drawn at widths 16, 32, 64 (m = 4 w + 2 w^2 + w
parameters). As at depth 2 (the T19-deep script) no closed-form supremum exists, so
sup ||H_F|| over B(W0, R) is sampled at each radius R/10, R/3, R with R = 10; the width
slope is compared with -1/2 plus the polylog allowance (about 0.29 over a factor 4 in
width), the radius slope with 3L = 9. A sampled sup is a lower bound of the true sup: a
"holds" is evidence at the points tried. The measured width slopes (about -0.48 at R/10,
-0.5 at R/3, -0.8 at R) and radius slopes (about 0.3 at width 16 down to 0.05 at width 64)
leave both mutants refuted.
"""

import functools

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import T19 as THEOREM

ID = "T19-depth3"
# The constants checked, as docs/theory.md states T19; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(width_exponent=-0.5, radius_exponent=None, log_power=1.0, atol=0.05)
WIDTHS = (16, 32, 64)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(6, 4, rng=0)
    template = network(X, y, [WIDTHS[0]] * 3, activation="tanh")
    return template, Ball(template.w0, 10.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="sampled", rng=rng,
                         widths=WIDTHS, samples=4 if quick else 16)


if __name__ == "__main__":
    print(check().line())
