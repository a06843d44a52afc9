"""T20: wide networks satisfy PL* on B(W0, R) (docs/theory.md T20, T4, C24). [paper]. Lower bound: inf_B lambda_min(K) >= mu.

The two-layer tanh network of the T19 script at widths 64 ... 4096, R = 2 and
mu = lambda0 / 2 with lambda0 = lambda_min(K(W0)). The infimum of lambda_min(K) over
the ball is searched at every width; the conclusion is read at the widest one (the
narrowest width fails it, which is T20's width requirement showing). The kernel
change along GD (eta = 1/lambda_max(K(W0))) is fitted against the width (C24).
"""

import functools

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import T20 as THEOREM

ID = "T20"
# The constants checked, as docs/theory.md states T20; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(mu_fraction=0.5, kernel_exponent=-0.5, log_power=1.0, atol=0.05)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(6, 4, rng=0)  # rows of norm sqrt(d), the data of every wide-network script
    template = network(X, y, [64], activation="tanh")
    return template, Ball(template.w0, 2.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    widths = (64, 256, 1024, 4096) if quick else (64, 128, 256, 512, 1024, 2048, 4096)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, widths=widths, samples=16 if quick else 32, steps=60 if quick else 100)


if __name__ == "__main__":
    print(check().line())
