"""T13: a non-linear output keeps the Hessian Theta(1) and the kernel moving, yet PL* persists with the rho^2 factor (docs/theory.md T13, C23, T11). [paper]. Tight slopes 0; lower bound for PL*.

The two-layer tanh network of the T19 script with a tanh output, drawn at widths
64 ... 4096 (two draws per width, averaged): the width slopes of ||H_F(W0)|| and of the
kernel change along GD are fitted (both about 0, against about -1/2 and -0.8 for the
linear-output twin on the same parameters), and T11 is checked on B(W0, 1) at the
widest width.
"""

import functools

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import T13 as THEOREM

ID = "T13"
# The constants checked, as docs/theory.md states T13; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(hessian_exponent=0.0, kernel_exponent=0.0, atol=0.2)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(6, 4, rng=0)
    template = network(X, y, [64], activation="tanh", output="tanh")
    return template, Ball(template.w0, 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    widths = (64, 256, 1024, 4096) if quick else (64, 128, 256, 512, 1024, 2048, 4096)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="sampled", rng=rng, widths=widths,
                         draws=2 if quick else 3, steps=60 if quick else 100, samples=32 if quick else 64)


if __name__ == "__main__":
    print(check().line())
