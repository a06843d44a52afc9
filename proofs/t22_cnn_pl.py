"""T22 for CNNs: a 1-D convolutional network satisfies PL*, with lambda0 bounded away from 0 and ||H_F|| ~ channels^-1/2 (docs/theory.md T22, T20, T19). [restated]/[recalled]. One-sided slopes; lower bound on the ball.

One hidden convolution (kernel 3, circular padding, tanh) on n = 4 signals of length 8
with 2 channels, a linear read-out of the flattened feature map (global pooling makes
lambda0 about 5e-4 on such data), drawn at 16 ... 1024 channels. lambda0 and ||H_F(W0)||
are fitted against the channel count; inf lambda_min(K) over B(W0, 1) is searched at the
widest.
"""

import functools

import numpy as np

from plsym import Ball
from plsym.systems import conv
from plsym.theorems import T22 as THEOREM

ID = "T22"
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
    X, y = rng.standard_normal((4, 2, 8)), rng.standard_normal(4)
    template = conv(X, y, [WIDTHS[0]], kernel_size=3, readout="flatten", name="1-D CNN (flatten read-out)")
    return template, Ball(template.w0, 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng,
                         widths=WIDTHS[::2] if quick else WIDTHS, samples=8 if quick else 16)


if __name__ == "__main__":
    print(check().line())
