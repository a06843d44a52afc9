"""T21: GD and SGD converge on a wide network, end to end: T20's ball, T14's step and rate, T18's SGD step (docs/theory.md T21, T14, T18, T20). [recalled]/[derived]. Upper bounds on the step ratios.

A two-layer tanh network of width 256 on n = 4 inputs in R^6, with targets near its
initial outputs, y = F(W0) + 0.05 z (z ~ N(0, I)): T21's radius R = 2 L_F ||F(W0) - y|| / mu,
mu = lambda0 / 2, is then small enough (about 0.3) for the searched inf of lambda_min(K) on
B(W0, R) to stay above mu at this width. (With N(0, 1) targets R is about 19, and a
searched point of that ball at width 128 has lambda_min(K) = 0.04 < lambda0 / 2: far wider
networks would be needed.) T14 runs GD with its own step to the round-off level of L inside
the ball. SGD: the same inputs at width 16 (T18 needs per-output Hessians), targets near its
own initial outputs, batch size 2, the exact expected step at 41 points of its ball (the
same points at both budgets: T18's mu is searched with that budget, and the SGD mutant 3 mu
is refuted at the point where the PL* ratio is closest to it; a larger budget finds a
smaller mu and a looser rate).
"""

import functools

import numpy as np

from plsym import Ball
from plsym.systems.network import network, network_data
from plsym.theorems import T21 as THEOREM

ID = "T21"
# The constants checked, as docs/theory.md states T21; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(radius_factor=2.0, rate_factor=1.0, sgd_rate_factor=1.0)
WIDTH = 256


def _near_init(X, width, seed):
    """The network with targets F(W0) + 0.05 z, z ~ N(0, I): a small residual at W0."""
    probe = network(X, np.zeros(len(X)), [width], activation="tanh", rng=seed)
    y = probe.F(probe.w0) + 0.05 * np.random.default_rng(seed).standard_normal(len(X))
    return network(X, y, [width], activation="tanh", rng=seed)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The GD network (with its ball) and the SGD network (built once per budget and seed)."""
    X, _ = network_data(4, 6, rng=0)
    net = _near_init(X, WIDTH, rng)
    return net, Ball(net.w0, 1.0), _near_init(X, 16, rng)  # the radius is T21's own, computed per network


def check(*, quick=False, rng=0, claim=None):
    system, ball, sgd_system = setup(quick, rng)
    return THEOREM.check(system, ball, claim=claim or CLAIM, level="searched", rng=rng, sgd_system=sgd_system,
                         samples=8 if quick else 16, sgd_samples=32)


if __name__ == "__main__":
    print(check().line())
