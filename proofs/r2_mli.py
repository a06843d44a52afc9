"""R2: monotonic linear interpolation along GD on a wide network (docs/theory.md §7 R2). [paper], [restated]. Upper bound: the largest increase is 0.

The two-layer tanh network of the T19 script at width 2048, GD with
eta = 1/lambda_max(K(W0)); L((1 - a) W0 + a W_T) is evaluated on 201 values of a.
In this near-linear regime MLI holds. ``R2.check(None, breaking=True)`` checks the
counterexample F(w) = w^2, w0 = -2, eta = 0.2, where GD jumps basins and MLI is refuted.
"""

import functools

from plsym.systems.network import network, network_data
from plsym.theorems import R2 as THEOREM

ID = "R2"


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The system and ball (built once per budget and seed, so that mutants reuse the measurements)."""
    X, y = network_data(6, 4, rng=0)  # rows of norm sqrt(d), the data of every wide-network script
    net = network(X, y, [1024 if quick else 2048], activation="tanh", rng=rng)
    return net, None


def check(*, quick=False, rng=0, claim=None):
    system, ball = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim, level="searched", rng=rng, steps=50 if quick else 200, grid=201)


if __name__ == "__main__":
    print(check().line())
