"""R1: Du, Zhai, Poczos & Singh, GD on a wide two-layer ReLU net (docs/theory.md §7 R1, C25). [paper], constants [recalled]. Upper bound on the step ratio.

f(W; x) = (1/sqrt m) sum_r a_r relu(w_r . x), a_r = +-1 fixed, m = 2048 neurons,
n = 6 unit inputs in R^4. Checks that the tangent kernel is Du's H(W) (C25),
lambda0 = lambda_min(H^inf) > 0 from the closed form, ||H(W0) - H^inf|| <= lambda0 / 4,
and that GD with eta = 1/lambda_max(H(W0)) contracts ||u(k) - y||^2 by at least
1 - eta lambda0 / 2 at every step.
"""

import functools
import numpy as np

from plsym.systems.network import network_data
from plsym.theorems import R1 as THEOREM

ID = "R1"
# The constants checked, as docs/theory.md states R1; a variant is CLAIM.replace(...).
CLAIM = THEOREM.claim.replace(rate_factor=0.5)


@functools.lru_cache(maxsize=None)
def setup(quick=False, rng=0):
    """The data (Du et al. take unit inputs): R1 draws its own network from it."""
    X, y = network_data(6, 4, rng=0)  # rows of norm sqrt(d), the data of every wide-network script
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    return X, y


def check(*, quick=False, rng=0, claim=None):
    X, y = setup(quick, rng)
    return THEOREM.check(None, None, claim=claim or CLAIM, level="searched", rng=rng, X=X, y=y, width=2048, steps=100 if quick else 300)


if __name__ == "__main__":
    print(check().line())
