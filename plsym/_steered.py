"""The Hypothesis stage of a counterexample search: draws steered by ``hypothesis.target()`` on a
claim's violation margin, the first violation shrunk."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings, target
from hypothesis import seed as _hypothesis_seed
from hypothesis import strategies as st

from .ball import Ball
from .strategies import points_in

# A finite stand-in for infinite margins, for hypothesis.target() (which needs finite values).
_BIG = 1e300
# The size of the moves around the seeds, relative to the ball's radius.
_NEAR = 0.05


class _Violated(Exception):
    """Raised inside the Hypothesis test at a violating point, so that Hypothesis shrinks it."""

    def __init__(self, w, margin):
        super().__init__(f"margin {margin!r}")
        self.w = w
        self.margin = margin


def _finite(v):
    return float(min(max(v, -_BIG), _BIG))


def near(ball, seeds):
    """Points a small move (a 5% ball) away from one of ``seeds``; shrinks to the first seed itself."""
    moves = points_in(Ball(np.zeros(ball.m), _NEAR * ball.radius))
    return st.builds(lambda i, d: ball.project(seeds[i] + d), st.integers(0, len(seeds) - 1), moves)


def in_ball_or_near(ball, seeds):
    """Points of the ball, or small moves from one of ``seeds``."""
    return st.one_of(points_in(ball), near(ball, seeds))


def run(strategy, margins, max_examples, hypothesis_seed):
    """Run Hypothesis on the margin; return (examples run, (shrunk point, margin) or None)."""
    tried = [0]

    @settings(database=None, max_examples=max_examples, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, report_multiple_bugs=False,
              phases=(Phase.generate, Phase.target, Phase.shrink), print_blob=False)
    @_hypothesis_seed(hypothesis_seed)
    @given(strategy)
    def probe(w):
        tried[0] += 1
        v = float(margins(w[None, :])[0])
        target(_finite(v), label="violation margin")
        if v > 0:
            raise _Violated(w, v)

    try:
        probe()
    except _Violated as exc:
        return tried[0], (tuple(float(x) for x in exc.w), float(exc.margin))
    return tried[0], None
