"""T19: the Hessian norm of a wide two-layer network decays like 1/sqrt(width) (docs/theory.md T19, C22). [paper] rate. Tight (slope -1/2 within 0.1).

A two-layer tanh network with a linear output on n = 6 inputs in R^4 (rows of norm
sqrt(d), so that u_r . x / sqrt(d) ~ N(0, 1) at W0), drawn at widths 64, 128, ..., 4096.
For each width, sup ||H_F|| over B(W0, R) is searched (generic search plus the exact
per-neuron reduction of two-layer nets); the log-log slope against the width is
compared with -1/2.

R = 10: the O~ hides a log factor, max_r |v_r(0)| ~ sqrt(2 log m), which the
supremum carries as max_r |v_r(0)| + R. A radius that dominates it shows the 1/sqrt(m)
rate itself (the slope of ||H_F(W0)|| alone is about -0.4 for that reason).
"""

import functools

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import T19 as THEOREM

ID = "T19"
# The constants checked, as docs/theory.md states T19; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(width_exponent=-0.5, radius_exponent=None, log_power=1.0, atol=0.05)
WIDTHS = (64, 128, 256, 512, 1024, 2048, 4096)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(6, 4, rng=0)  # rows of norm sqrt(d), the data of every wide-network script
    template = network(X, y, [WIDTHS[0]], activation="tanh")
    return template, Ball(template.w0, 10.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, widths=WIDTHS, samples=8 if quick else 32)


if __name__ == "__main__":
    print(check().line())
