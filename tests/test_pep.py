"""plsym.pep: PEPit's worst-case GD rate on beta-smooth mu-PL functions, against theory and practice.

Tolerances: the SDP is solved by CLARABEL to ~1e-8; comparisons of two PEPit
values use rtol 1e-5, comparisons with closed-form bounds allow 1e-6.
"""

import sys

import numpy as np
import pytest

import plsym
from plsym import InvalidArgument
from plsym.pep import gd_worst_case_rate
from plsym.systems import linear, product

SOLVER_TOL = 1e-6


def _pepit():
    pytest.importorskip("PEPit")


def _descent_lemma(q, h):
    """1 - eta mu (2 - eta beta) with q = mu/beta, h = eta beta: the textbook one-step bound (1/2 form)."""
    return 1 - q * h * (2 - h)


def _abbaszadehpeivasti(q, h):
    """Thm. 3 of Abbaszadehpeivasti, de Klerk & Zamani (2023) for 0 < eta <= 1/beta (beta = 1, lower curvature -1).

    ((q (1 - h) + sqrt((L - m)(m - q)(2 - h) q h + (L - m)^2)) / (L - m + q))^2. PEPit 0.5.1's example
    file squares only the square root (an operator-precedence slip that only matters for h < 1) and
    then exceeds the descent-lemma bound, e.g. 0.8521 > 0.85 at q = 0.2, h = 0.5.
    """
    L, m = 1.0, -1.0
    return ((q * (1 - L * h) + np.sqrt((L - m) * (m - q) * (2 - L * h) * q * h + (L - m) ** 2)) / (L - m + q)) ** 2


def test_convention_mu_equal_beta_converges_in_one_step():
    """With mu = beta (1/2 form) the class is f* + beta/2 dist(x, X*)^2, and eta = 1/beta solves it at once.

    Had PEPit used the no-1/2 form, mu = beta would be a weaker condition and the rate would stay positive.
    """
    _pepit()
    r = gd_worst_case_rate(1.0, 1.0)
    assert r.claimed == 0.0 and abs(r.rate) < SOLVER_TOL
    assert r.convention == "half" and r.mu == r.mu_given == 1.0


def test_nohalf_constant_is_converted_not_plugged_in():
    _pepit()
    half = gd_worst_case_rate(0.2, 1.0)
    nohalf = gd_worst_case_rate(0.4, 1.0, convention="nohalf")
    assert nohalf.mu == 0.2 and nohalf.mu_given == 0.4 and "mu' / 2" in nohalf.conversion
    np.testing.assert_allclose(nohalf.rate, half.rate, rtol=1e-5)
    assert nohalf.claimed == half.claimed
    misread = gd_worst_case_rate(0.4, 1.0)  # mu' plugged in where mu is meant (C15): a rate far too good
    assert misread.rate < half.rate - 0.1


@pytest.mark.parametrize("q, h", [(0.05, 1.0), (0.2, 1.0), (0.5, 1.0), (0.2, 0.5), (0.5, 0.3)])
def test_pepit_rate_is_below_the_theoretical_bounds(q, h):
    """rate <= Abbaszadehpeivasti Thm. 3 <= descent lemma <= paper's 1 - eta mu (eta <= 1/beta): all upper bounds."""
    _pepit()
    r = gd_worst_case_rate(q, 1.0, eta=h)
    assert r.relation == "upper" and r.status.startswith("optimal")
    assert r.rate - r.primal <= SOLVER_TOL
    assert r.rate <= _abbaszadehpeivasti(q, h) + SOLVER_TOL
    assert _abbaszadehpeivasti(q, h) <= _descent_lemma(q, h) + 1e-12 <= r.claimed + 1e-12
    np.testing.assert_allclose(r.claimed, 1 - q * h, rtol=1e-15)


def test_rate_depends_only_on_mu_over_beta_and_eta_beta():
    _pepit()
    a = gd_worst_case_rate(0.2, 1.0)
    b = gd_worst_case_rate(2.0, 10.0)
    np.testing.assert_allclose(b.rate, a.rate, rtol=1e-5)
    two = gd_worst_case_rate(0.2, 1.0, steps=2)
    assert two.claimed == pytest.approx(0.64, rel=1e-15)
    assert two.rate <= a.rate ** 2 + SOLVER_TOL and two.per_step <= a.rate + SOLVER_TOL


def _worst_one_step_ratio(system, W, eta, ball=None):
    """max over the rows of W of L(w - eta grad L(w)) / L(w), keeping steps that end in the ball."""
    W1 = W - eta * system.grad(W)
    keep = np.ones(len(W), bool) if ball is None else ball.contains(W1)
    return float(np.max(system.loss(W1[keep]) / system.loss(W[keep]))), int(keep.sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rate_lies_between_linear_systems_and_the_paper(seed):
    """Linear F = A w (n < m): L is globally beta-smooth and mu-PL with mu = lambda_min(K), beta = lambda_max(K).

    So the observed ratio (at most (1 - mu/beta)^2 along K's eigenvectors) is a lower
    bound of the true worst case, and PEPit's rate an upper bound: observed <= rate <= 1 - mu/beta.
    """
    _pepit()
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((3, 5))
    s = linear(A, rng.standard_normal(3))
    eigs, vecs = np.linalg.eigh(A @ A.T)
    mu, beta = eigs[0], eigs[-1]
    # points sampled at random, plus one whose residual is K's bottom eigenvector (the worst case)
    w_star = np.linalg.lstsq(A, s.y, rcond=None)[0]
    W = np.vstack([rng.standard_normal((2000, 5)), w_star + np.linalg.pinv(A) @ vecs[:, 0]])
    observed, _ = _worst_one_step_ratio(s, W, 1 / beta)
    np.testing.assert_allclose(observed, (1 - mu / beta) ** 2, rtol=1e-9)
    r = gd_worst_case_rate(mu, beta)
    assert observed <= r.rate <= r.claimed
    np.testing.assert_allclose(r.claimed, 1 - mu / beta, rtol=1e-12)


def test_rate_lies_between_the_product_system_on_a_ball_and_the_paper():
    """F = w1 w2 on B((3, 1), 0.5): certified mu (lambda_min K, T4) and beta (||H_L||, C8) on the ball.

    The constants hold only on the ball, so 'observed <= rate' is checked (searched,
    4000 points whose GD step stays in the ball), not implied by PEPit's global class.
    """
    _pepit()
    s = product(2.9)
    ball = plsym.Ball([3.0, 1.0], 0.5)
    mu = plsym.certify.kernel_min_eig(s, ball).value
    beta = plsym.certify.smoothness(s, ball).value
    observed, kept = _worst_one_step_ratio(s, ball.sample(4000, rng=0), 1 / beta, ball)
    r = gd_worst_case_rate(mu, beta)
    assert kept > 1000
    assert observed <= r.rate <= r.claimed


@pytest.mark.parametrize("args, kwargs, match", [
    ((0.0, 1.0), {}, "mu=0.0 must be a positive finite number"),
    ((0.2, -1.0), {}, "beta=-1.0 must be a positive finite number"),
    ((2.0, 1.0), {}, "mu=2.0 \\(half form\\) gives mu=2.0 > beta=1.0"),
    ((3.0, 1.0), {"convention": "nohalf"}, "gives mu=1.5 > beta=1.0"),
    ((0.2, 1.0), {"eta": 2.0}, "eta=2.0 must be in \\(0, 2/beta\\)"),
    ((0.2, 1.0), {"steps": 0}, "steps=0 must be an integer >= 1"),
    ((0.2, 1.0), {"convention": "1/2"}, "convention='1/2' is not allowed"),
])
def test_bad_arguments(args, kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        gd_worst_case_rate(*args, **kwargs)


def test_missing_pepit_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "PEPit", None)
    with pytest.raises(ImportError, match=r'pip install "plsym\[pep\]"'):
        gd_worst_case_rate(0.2, 1.0)
