"""T4: uniform conditioning => PL* (docs/theory.md T4, C2). [paper]. The claimed mu is a lower bound of the PL* ratio.

A random two-layer tanh network (n = 6 points, width 64) on the ball B(W0, 1): mu is the
searched infimum of lambda_min(K); the PL* inequality is checked at every sampled point
(1e-12 relative) and at the search's witness.
"""

import numpy as np

from plsym import Ball
from plsym.systems import network
from plsym.theorems import T4 as THEOREM

ID = "T4"


def check(*, quick=False, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((6, 4))
    net = network(X, rng.standard_normal(6), [64], activation="tanh", seed=seed)
    return THEOREM.check(net, Ball(net.w0, 1.0), level="searched", rng=seed, samples=256 if quick else 2048)


if __name__ == "__main__":
    print(check().line())
