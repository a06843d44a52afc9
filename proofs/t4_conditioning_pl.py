"""T4: uniform conditioning => PL* (docs/theory.md T4, C2). [paper]. The constant 1 of the 1/2 form is tight: a lower bound, attained.

A random two-layer tanh network (n = 6 points, width 64) on the ball B(W0, 1), with the
targets placed so that the residual at W0 is a bottom eigenvector of K(W0): there
1/2||grad L||^2 = lambda_min(K) L exactly (the equality case of C2), so the check can
tell the 1/2-form constant from any larger one. The ratio
1/2||grad L(w)||^2 / (lambda_min(K(w)) L(w)) is checked against 1 at every sampled point
and at the search's witness of inf lambda_min(K).
"""

import functools

import numpy as np

from plsym import Ball
from plsym.systems import network
from plsym.theorems import T4 as THEOREM

ID = "T4"
# The constants checked, as docs/theory.md states T4; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(pl_factor=1.0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    gen = np.random.default_rng(rng)
    X = gen.standard_normal((6, 4))
    probe = network(X, np.zeros(6), [64], activation="tanh", rng=rng)
    v = np.linalg.eigh(probe.kernel(probe.w0))[1][:, 0]  # the bottom eigenvector of K(W0)
    net = network(X, probe.F(probe.w0) - v, [64], activation="tanh", rng=rng, name="tanh net, r(W0) bottom eigenvector")
    return net, Ball(net.w0, 1.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, samples=256 if quick else 2048)


if __name__ == "__main__":
    print(check().line())
