"""T22 for ResNets: a residual network with two blocks satisfies PL*, lambda0 bounded away from 0 and ||H_F|| ~ width^-1/2 (docs/theory.md T22, T20, T19). [restated]/[recalled]. One-sided slopes; lower bound on the ball.

Two residual blocks (tanh, residual scale 1) on n = 4 inputs in R^3 with rows of norm
sqrt(3), drawn at hidden widths 32 ... 256 (m = 3 w + 2 w^2 + w parameters; at width 16
lambda0 varies from 0.06 to 0.2 between draws, so the family starts at 32), three draws
per width averaged (two at the quick budget). lambda0 and
||H_F(W0)|| are fitted against the width; inf lambda_min(K) over B(W0, 1) is searched at
the widest.
"""

import functools

import numpy as np

from plsym import Ball
from plsym.systems import resnet
from plsym.theorems import T22 as THEOREM

ID = "T22-resnet"
# The constants checked, as docs/theory.md states T22; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(
    lambda0_exponent=0.0,
    hessian_exponent=-0.5,
    mu_fraction=0.5,
    log_power=1.0,
    atol=0.1,
)
WIDTHS = (32, 48, 64, 96, 128, 192, 256)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 3))
    X *= np.sqrt(3) / np.linalg.norm(X, axis=1, keepdims=True)
    template = resnet(X, rng.standard_normal(4), WIDTHS[0], 2, name="ResNet (2 blocks)")
    return template, Ball(template.w0, 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng,
                         widths=WIDTHS, samples=8 if quick else 16, draws=2 if quick else 3)


if __name__ == "__main__":
    print(check().line())
