"""T22 for 2-D CNNs: a convolutional network on images satisfies PL*, with lambda0 bounded away from 0 and ||H_F|| ~ channels^-1/2 (docs/theory.md T22, T20, T19). [restated]/[recalled]. One-sided slopes; lower bound on the ball.

One hidden 2-D convolution (3 x 3 kernel, circular padding, tanh) on n = 4 one-channel
images of 4 x 4 pixels, a linear read-out of the flattened feature map, drawn at 16 ...
1024 channels (16, 64, 256, 1024 at the quick budget). lambda0 (slope about 0.01) and
||H_F(W0)|| (slope about -0.43) are fitted against the channel count; inf lambda_min(K)
over B(W0, 1) is searched at the widest (about 0.39 against mu = lambda0 / 2 = 0.2).
"""

import functools

import numpy as np

from plsym import Ball
from plsym.systems import conv
from plsym.theorems import T22 as THEOREM

ID = "T22-conv2d"
# The constants checked, as docs/theory.md states T22; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(
    lambda0_exponent=0.0,
    hessian_exponent=-0.5,
    mu_fraction=0.5,
    log_power=1.0,
    atol=0.1,
)
WIDTHS = (16, 32, 64, 128, 256, 512, 1024)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((4, 1, 4, 4)), rng.standard_normal(4)
    template = conv(X, y, [WIDTHS[0]], kernel_size=3, readout="flatten", dim=2, name="2-D CNN (flatten read-out)")
    return template, Ball(template.w0, 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng,
                         widths=WIDTHS[::2] if quick else WIDTHS, samples=8 if quick else 16)


if __name__ == "__main__":
    print(check().line())
