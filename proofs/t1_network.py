"""T1 on a two-layer network: the solutions through w* form a curved manifold, so L is non-convex next to it (docs/theory.md T1, D8). [paper]. No constant.

A two-layer tanh network of width 16 on n = 4 inputs in R^3 (m = 64 parameters);
Gauss-Newton from W0 reaches a solution at distance about 12.7, inside B(W0, 20).
"""

import functools

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import T1 as THEOREM

ID = "T1-net"


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(4, 3, rng=0)
    net = network(X, y, [16], activation="tanh", rng=0)
    return net, Ball(net.w0, 20.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim, level="searched", rng=rng)


if __name__ == "__main__":
    print(check().line())
