"""T2 on a two-layer network: H_L(w*) has m - n = 60 zero eigenvalues at a solution (docs/theory.md T2, C9, D8). [derived]. Lower bound, attained.

The network of the T1-net script (width 16, n = 4, m = 64); at the Gauss-Newton
solution DF(w*) has full rank 4, so exactly 60 eigenvalues of H_L(w*) vanish.
"""

import functools

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import T2 as THEOREM

ID = "T2-net"
# The constants checked, as docs/theory.md states T2; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(zero_excess=0)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(4, 3, rng=0)
    net = network(X, y, [16], activation="tanh", rng=0)
    return net, Ball(net.w0, 20.0)


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng)


if __name__ == "__main__":
    print(check().line())
