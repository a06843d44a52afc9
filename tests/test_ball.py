"""Ball membership and sampling."""

import numpy as np
import pytest
from scipy import stats

import plsym


def test_interior_samples_are_inside_and_uniform():
    b = plsym.Ball([1.0, -2.0, 0.5], 0.7)
    pts = b.sample(4000, rng=0)
    assert pts.shape == (4000, 3) and b.contains(pts).all()
    # uniform in the ball: (||w - c|| / R)^m is uniform on [0, 1]
    u = (np.linalg.norm(pts - b.center, axis=1) / b.radius) ** 3
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # and directions are isotropic: the mean offset is near 0
    assert np.linalg.norm((pts - b.center).mean(0)) < 0.05


def test_sphere_samples_are_on_the_sphere():
    b = plsym.Ball([3.0, 1.0], 0.5)
    pts = b.sample(100, rng=1, where="sphere")
    np.testing.assert_allclose(np.linalg.norm(pts - b.center, axis=1), 0.5, rtol=1e-14)
    assert b.contains(pts).all()


def test_same_seed_same_points_and_generator_accepted():
    b = plsym.Ball(np.zeros(4), 1.0)
    np.testing.assert_array_equal(b.sample(5, rng=7), b.sample(5, rng=7))
    assert not np.array_equal(b.sample(5, rng=7), b.sample(5, rng=8))
    assert b.sample(3, rng=np.random.default_rng(1)).shape == (3, 4)


def test_contains_and_project():
    b = plsym.Ball([0.0, 0.0], 1.0)
    assert b.contains([[0.6, 0.8], [0.6, 0.81]]).tolist() == [True, False]
    p = b.project([[3.0, 4.0], [0.1, 0.1]])
    np.testing.assert_allclose(p, [[0.6, 0.8], [0.1, 0.1]])


@pytest.mark.parametrize("m,R,c", [(40000, 2.5, 0.1), (140000, 1e-3, 3.0), (3, 1e-3, 5.0)])
def test_projection_of_a_batch_of_several_blocks(m, R, c):
    # rows go a block at a time: every row ends exactly inside, a row proven inside comes back as it
    # is, and a row outside lands on its segment to the center, on the sphere up to the test's margin
    rng = np.random.default_rng(3)
    ball = plsym.Ball(np.full(m, c) + rng.standard_normal(m), R)
    U = rng.standard_normal((9, m))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    t = np.array([0.0, 0.5, 0.25, 1.0 + 1e-15, 1.5, 1e6, 0.75, 2.0, 1.0])
    W = ball.center + U * (t * R)[:, None]
    for fresh in (False, True):
        V = W.copy()
        P = ball._project(V, fresh=fresh)
        assert (P is V) == fresh and P.shape == W.shape and ball.exactly_contains(P).all()
        kept = ball._proven_inside(ball._scaled_offsets(W)[1])
        assert kept[:3].all() and not kept[3:6].any() and np.array_equal(P[kept], W[kept])
        off = P - ball.center
        r = np.linalg.norm(off, axis=1) / R
        assert np.all(np.abs(r[3:6] - 1) < 1e-9)
        assert np.all(r[kept] == np.linalg.norm(W - ball.center, axis=1)[kept] / R)
        cos = np.sum(off[3:6] * U[3:6], axis=1) / np.linalg.norm(off[3:6], axis=1)
        assert np.all(np.abs(cos - 1) < 1e-9)
    single = ball.project(W[4])
    assert single.shape == (m,) and ball.exactly_contains(single)


def test_sample_rejects_bad_arguments():
    b = plsym.Ball([0.0], 1.0)
    with pytest.raises(plsym.InvalidArgument, match="where='box'"):
        b.sample(3, rng=0, where="box")
    with pytest.raises(plsym.InvalidArgument, match="k=0"):
        b.sample(0, rng=0)
    with pytest.raises(plsym.InvalidArgument, match="rng="):
        b.sample(3, rng="seed")


@pytest.mark.parametrize("m,R,c", [(1, 1.0, 0.0), (3, 1e-3, 5.0), (30000, 2.5, 0.1), (7, 1e100, 1e140),
                                   (5, 1e-200, 1.0)])
def test_sample_chunks_are_the_points_of_the_one_array_formulas(m, R, c):
    # drawn, scaled and projected a block of rows at a time: the points of the whole-chunk formulas
    from plsym.ball import scaled_norm
    ball = plsym.Ball(np.full(m, c) + np.linspace(0.0, 1.0, m), R)
    for where in ("interior", "sphere"):
        gen = np.random.default_rng(7)
        for C in ball.sample_chunks(40, rng=np.random.default_rng(7), where=where, rows=16):
            u = gen.standard_normal((len(C), m))
            f = R / scaled_norm(u, axis=1, keepdims=True)
            sphere = 1.0 - 3.0 * (m + 4) * np.finfo(float).eps
            f *= gen.random((len(C), 1)) ** (1.0 / m) if where == "interior" else sphere
            assert np.array_equal(C, ball.project(u * f + ball.center))
        W = np.vstack([C, ball.center, ball.center + 2.0 * (C[0] - ball.center)])
        assert np.array_equal(ball.strictly_contains(W), scaled_norm(W - ball.center, axis=1) <= R)
