"""The one vocabulary (plsym.results), the registry of quantities (plsym.quantities) and the sampling design."""

import numpy as np
import pytest

import plsym
from plsym import certify, estimate, quantities
from plsym.errors import InvalidArgument
from plsym.results import RELATIONS, STATUSES, Verdict, compare, relation_of, summarize, worst
from plsym.systems import linear, product

# -- verdicts --------------------------------------------------------------------------


@pytest.mark.parametrize("relation, measured, status", [
    ("upper", 0.9, "holds"), ("upper", 1.1, "refuted"),
    ("lower", 1.1, "holds"), ("lower", 0.9, "refuted"),
    ("tight", 1.0, "holds"), ("tight", 1.1, "refuted"),
])
def test_compare_reads_the_relation(relation, measured, status):
    v = compare("q", measured, 1.0, relation, "sampled")
    assert v.status == status and v.relation == relation and v.failed is (status == "refuted")


def test_a_failure_within_the_error_bar_is_inconclusive_not_refuted():
    v = compare("q", 1.05, 1.0, "upper", "run", error=0.1)
    assert v.status == "inconclusive" and "error bar" in v.detail
    assert compare("q", 1.05, 1.0, "upper", "run", error=0.01).status == "refuted"
    # a failure of estimated constants is never a refutation
    assert compare("q", 2.0, 1.0, "upper", "searched", refutable=False).status == "inconclusive"


def test_the_sentence_is_true_of_what_was_checked():
    assert compare("ratio", 0.5, 1.0, "upper", "run").sentence() == "ratio 0.5 <= claimed 1: holds"
    assert compare("ratio", 1.5, 1.0, "upper", "run").sentence() == "ratio 1.5 > claimed 1: refuted"
    assert compare("mu", 0.5, 1.0, "lower", "run").sentence() == "mu 0.5 < claimed 1: refuted"


def test_worst_orders_the_statuses():
    assert worst("holds", "certified") == "holds"
    assert worst("holds", "inconclusive", "certified") == "inconclusive"
    assert worst("inconclusive", "undefined") == "undefined"
    assert worst("undefined", "refuted", "holds") == "refuted"
    assert set(STATUSES) == {"certified", "holds", "inconclusive", "refuted", "undefined", "not applicable"}


def test_verdict_refuses_unknown_words():
    with pytest.raises(InvalidArgument, match="status='proved'"):
        Verdict("q", "proved", "sampled")
    with pytest.raises(InvalidArgument, match="relation='<='"):
        Verdict("q", "holds", "sampled", 1.0, 1.0, "<=")


def test_long_points_are_summarised_in_reprs():
    v = Verdict("q", "refuted", "searched", 1.0, 2.0, "upper", x=np.arange(3072.0))
    assert "3072 coordinates" in repr(v) and len(repr(v)) < 400
    assert summarize([1.0, 2.0]) == "[1, 2]"
    assert v.to_dict()["x"] == list(np.arange(3072.0))  # the data keeps every coordinate


def test_relation_of_a_claim_follows_the_extremum():
    assert relation_of("inf") == "lower" and relation_of("sup") == "upper"
    assert set(RELATIONS) == {"upper", "lower", "tight"}


# -- quantities ------------------------------------------------------------------------


def test_every_quantity_has_one_estimator_and_one_certifier():
    for name, q in quantities.QUANTITIES.items():
        assert q.name == name and q.kind in ("inf", "sup")
        assert callable(getattr(estimate, name)) and callable(getattr(certify, name))


def test_quantity_values_match_closed_forms_on_a_linear_system():
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])
    s = linear(A, [1.0, -1.0])
    W = np.random.default_rng(0).standard_normal((5, 3))
    eig = np.linalg.eigvalsh(A @ A.T)
    np.testing.assert_allclose(quantities.KernelMinEig(s).values(W), eig[0], rtol=1e-12)
    np.testing.assert_allclose(quantities.Lipschitz(s).values(W), np.sqrt(eig[-1]), rtol=1e-12)
    np.testing.assert_allclose(quantities.HessianNorm(s).values(W), 0.0, atol=1e-12)
    r = W @ A.T - s.y
    g = r @ A
    expected = 0.5 * np.sum(g * g, axis=1) / (0.5 * np.sum(r * r, axis=1))
    np.testing.assert_allclose(quantities.pl_ratio(s, W), expected, rtol=1e-12)
    # T4: the PL ratio is at least lambda_min(K)
    assert np.all(quantities.pl_ratio(s, W) >= eig[0] * (1 - 1e-12))


def test_pl_ratio_says_nothing_at_a_solution():
    s = product(1.0)
    W = np.array([[1.0, 1.0], [2.0, 1.0]])
    assert np.isnan(quantities.pl_ratio(s, W)[0]) and np.isfinite(quantities.pl_ratio(s, W)[1])
    assert quantities.pl_ratio(s, W, where_solved=np.inf)[0] == np.inf


def test_a_quantity_claim_bounds_its_extremum():
    mu = quantities.QuantityClaim("kernel_min_eig", 2.0)
    eps = quantities.QuantityClaim("hessian_norm", 0.5)
    assert (mu.kind, mu.relation, str(mu)) == ("inf", "lower", "kernel_min_eig >= 2")
    assert (eps.kind, eps.relation, str(eps)) == ("sup", "upper", "hessian_norm <= 0.5")
    np.testing.assert_allclose(mu.margin([1.0, 2.0, 3.0]), [0.5, 0.0, -0.5])
    np.testing.assert_allclose(eps.margin([1.0, 0.25]), [1.0, -0.5])
    with pytest.raises(InvalidArgument, match="quantity='pl_star'"):
        quantities.QuantityClaim("pl_star", 1.0)
    with pytest.raises(InvalidArgument, match="value=nan"):
        quantities.QuantityClaim("lipschitz", float("nan"))
    assert mu.replace(value=3.0).value == 3.0


# -- the sampling design ---------------------------------------------------------------


def test_the_design_is_the_center_uniform_points_and_a_quarter_on_the_sphere():
    ball = plsym.Ball([1.0, -2.0, 0.5], 0.25)
    P = ball.design(100, rng=3)
    assert P.shape == (101, 3) and np.array_equal(P[0], ball.center)
    t = np.linalg.norm(P - ball.center, axis=1) / ball.radius
    assert np.sum(t > 1 - 1e-12) == 25 and np.all(ball.exactly_contains(P))
    chunks = list(ball.design(100, rng=3, rows=1000))
    assert len(chunks) == 1 and np.array_equal(chunks[0], P)
    many = np.vstack(list(ball.design(100, rng=3, rows=16)))
    assert many.shape == (101, 3) and np.all(ball.exactly_contains(many))
    with pytest.raises(InvalidArgument, match="samples=1"):
        ball.design(1, rng=0)


# -- old names ---------------------------------------------------------------------------


def test_old_result_names_warn_and_still_work():
    s, ball = product(2.9), plsym.Ball([3.0, 1.0], 0.5)
    e = estimate.kernel_min_eig(s, ball, samples=32, search=False)
    for old, new in (("witness", "x"), ("evaluations", "nfev"), ("bound", "relation")):
        with pytest.warns(DeprecationWarning, match=f"Estimate.{old} is deprecated"):
            assert getattr(e, old) == getattr(e, new)
    v = Verdict("q", "holds", "sampled", x=[1.0, 2.0])
    with pytest.warns(DeprecationWarning, match="Verdict.witness"):
        assert v.witness == (1.0, 2.0)
    b = certify.residual_norm(s, plsym.Ball([3.0, 1.0], 1e-3), max_boxes=50)
    with pytest.warns(DeprecationWarning, match="Bound.bound"):
        assert b.bound == b.relation == "upper"
    with pytest.warns(DeprecationWarning, match="Bound.reason"):
        assert b.reason == b.detail
    v = certify.confirm_violation(s, ball, "residual_norm", [3.0, 1.0], 1.0, "upper")
    assert v.status == "inconclusive"  # ||F - y|| = 0.1 at the center: no violation of <= 1
    with pytest.warns(DeprecationWarning, match="Violation.reason"):
        assert v.reason == v.detail
