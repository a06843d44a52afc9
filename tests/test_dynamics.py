"""GD/SGD runs and the rate inequality, against the theory's closed forms."""

import numpy as np
import pytest

import plsym
from plsym.dynamics import gd, linear_rate, sgd
from plsym.systems import linear, product


def test_gd_on_X3_obeys_T14_rate_and_stays_in_ball():
    s, R = product(2.9), 0.5
    LF, mu, betaF = np.sqrt(10) + 0.5, (np.sqrt(10) - 0.5) ** 2, 1.0
    r0 = abs(3.0 - 2.9)
    assert 2 * LF * r0 / mu <= R  # the T14 radius hypothesis
    eta = 1.0 / (LF**2 + betaF * r0)
    tr = gd(s, eta=eta, steps=200)
    check = linear_rate(tr, 1 - eta * mu)
    assert check.status == "holds" and check.first_failure is None
    assert check.worst_ratio <= 1 - eta * mu
    assert check.max_distance <= R and tr.path_length[-1] <= 2 * LF * r0 / mu  # C16
    assert tr.losses[-1] < 1e-25 and abs(np.prod(tr.points[-1]) - 2.9) < 1e-12


def test_linear_residual_recursion_C17():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 7))
    s = linear(A, rng.standard_normal(3))
    K = A @ A.T
    eta = 1.0 / np.linalg.eigvalsh(K)[-1]
    tr = gd(s, eta=eta, steps=30)
    r0 = s.residual(tr.points[0])
    M = np.eye(3) - eta * K
    for t in (1, 5, 30):
        np.testing.assert_allclose(s.residual(tr.points[t]), np.linalg.matrix_power(M, t) @ r0, rtol=1e-9, atol=1e-13)
    kappa = np.linalg.eigvalsh(K)[-1] / np.linalg.eigvalsh(K)[0]
    assert linear_rate(tr, (1 - 1 / kappa) ** 2).status == "holds"


def test_rate_failure_is_reported_with_first_step():
    tr = gd(product(2.9), eta=0.3, steps=20)  # eta > 2 / beta: divergence
    check = linear_rate(tr, 0.5)
    assert check.status == "refuted" and check.first_failure == 1 and check.worst_ratio > 1


def test_divergence_stops_cleanly_at_non_finite():
    tr = gd(product(2.9), eta=5.0, steps=500)
    assert tr.stopped == "non-finite" and np.all(np.isfinite(tr.losses)) and tr.steps < 500


def test_zero_loss_stop():
    s = linear(np.eye(2), [1.0, 2.0])
    tr = gd(s, eta=1.0, steps=10)  # one exact step to the solution
    assert tr.stopped == "zero loss" and tr.steps == 1 and tr.losses[-1] == 0.0


def test_sgd_single_output_is_gd_and_seeded():
    s = product(2.9)
    a = gd(s, eta=0.05, steps=10)
    b = sgd(s, eta=0.05, batch_size=1, steps=10, rng=0)
    np.testing.assert_allclose(a.points, b.points, rtol=1e-15)
    rng = np.random.default_rng(1)
    s2 = linear(rng.standard_normal((4, 6)), rng.standard_normal(4))
    c = sgd(s2, eta=0.02, batch_size=2, steps=20, rng=3)
    d = sgd(s2, eta=0.02, batch_size=2, steps=20, rng=3)
    np.testing.assert_array_equal(c.points, d.points)
    assert c.seed == 3 and c.batch_size == 2


def test_sgd_direction_is_unbiased():
    """E[g] = grad L for the T18 normalization: the average of many one-step moves matches GD's."""
    rng = np.random.default_rng(2)
    s = linear(rng.standard_normal((3, 4)), rng.standard_normal(3))
    w0 = rng.standard_normal(4)
    moves = np.array([sgd(s, w0, eta=1.0, batch_size=2, steps=1, rng=k).points[1] - w0 for k in range(4000)])
    np.testing.assert_allclose(moves.mean(0), -s.grad(w0), atol=0.05 * np.linalg.norm(s.grad(w0)) + 0.02)


@pytest.mark.parametrize("kwargs,pattern", [
    ({"eta": -0.1, "steps": 3}, "eta=-0.1"),
    ({"eta": 0.1, "steps": -1}, "steps=-1"),
    ({"eta": float("nan"), "steps": 3}, "eta=nan"),
])
def test_bad_gd_arguments(kwargs, pattern):
    with pytest.raises(plsym.InvalidArgument, match=pattern):
        gd(product(1.0), **kwargs)


def test_gd_needs_a_start():
    from plsym.systems import sphere
    with pytest.raises(plsym.InvalidArgument, match="w0=None"):
        gd(sphere(2), eta=0.1, steps=3)
    with pytest.raises(plsym.InvalidArgument, match="w0 has shape"):
        gd(sphere(2), [1.0], eta=0.1, steps=3)


def test_held_is_an_old_name_of_the_status():
    tr = gd(linear([[1.0, 0.0], [0.0, 2.0]], [1.0, 1.0]), np.zeros(2), eta=0.1, steps=20)
    check = linear_rate(tr, 0.99)
    with pytest.warns(DeprecationWarning, match="RateCheck.held"):
        assert check.held is (check.status != "refuted")


@pytest.mark.parametrize("method", ["gd", "sgd"])
def test_runs_on_networks_follow_the_dense_jacobian_iteration(method):
    """GD and SGD on a network take their steps from backward products, not from DF: the iterates,
    losses and round-off bars are those of the iteration written with the dense Jacobian."""
    from plsym.systems import network

    rng = np.random.default_rng(6)
    net = network(rng.standard_normal((5, 3)), rng.standard_normal(5), [4, 3], activation="tanh", rng=1)
    steps, eta = 12, 0.05
    tr = gd(net, eta=eta, steps=steps) if method == "gd" else sgd(net, eta=eta, batch_size=2, steps=steps, rng=4)
    gen = np.random.default_rng(4)
    w = net.w0.copy()
    for t in range(steps + 1):
        np.testing.assert_allclose(tr.points[t], w, rtol=1e-11, atol=1e-13)
        J, r = net.jacobian(w), net.residual(w)
        np.testing.assert_allclose(tr.losses[t], 0.5 * r @ r, rtol=1e-11)
        dr = 64 * np.finfo(float).eps * (np.linalg.norm(net.F(w)) + np.linalg.norm(net.y)
                                         + np.linalg.norm(J) * np.linalg.norm(w))
        np.testing.assert_allclose(tr.loss_errors[t], dr * np.linalg.norm(r) + 0.5 * dr * dr, rtol=1e-9)
        if method == "gd":
            w = w - eta * (J.T @ r)
        else:
            counts = np.bincount(gen.integers(0, net.n, size=2), minlength=net.n)
            w = w - eta * (net.n / 2) * (J.T @ (counts * r))
