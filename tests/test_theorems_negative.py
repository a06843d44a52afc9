"""plsym.theorems.negative: the paper's negative results reproduced from a fixed seed, each with its
theorem check (T3, T6, T13, C15) and counterexample searches as evidence; the old names in
plsym.search still work and warn.

Tolerances as in tests/test_search.py: margins relative to the claimed constant, minus RTOL = 1e-9.
"""

import json
import os

import numpy as np
import pytest

from plsym import InvalidArgument, search
from plsym.search import hessian_norm, locally_convex, pl_star, violation
from plsym.systems.network import network
from plsym.theorems import negative

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
deep_only = pytest.mark.skipif(not DEEP, reason="long search: runs with HYPOTHESIS_PROFILE=deep")


def test_x1_nonconvex_arbitrarily_close_to_the_solution():
    r = negative.x1_nonconvex_near_solutions()
    assert r.reproduced and len(r.counterexamples) == 3 and r.seed == 0
    for eps, paper in ((0.1, -0.21), (0.01, -0.0201), (1e-4, -0.0002)):
        assert r.value(f"eps={eps:g}: lambda_min(H_L) at (1+eps, 1+eps)") == pytest.approx(paper, rel=1e-3)
        assert r.value(f"eps={eps:g}: lambda_min(H_L) at the witness") < 0
        assert r.value(f"eps={eps:g}: distance of the witness to (1, 1)") <= eps * (1 + 1e-9)
    assert all(c.claim == locally_convex() and c.found for c in r.counterexamples)


def test_t3_construction_on_a_random_smooth_system():
    r = negative.t3_nonconvex_near_solutions(rng=0)
    assert r.reproduced
    assert r.value("rank H_F_i(w*)") > r.value("2n") and r.value("rank J(w*)") == 2
    assert r.value("||J v||") < 1e-12
    slope = r.value("s v^T H_F_i(w*) v")
    assert slope < 0
    for t in (1e-1, 1e-2, 1e-3):
        assert r.value(f"t={t:g}: v^T H_L(w) v") < 0 and r.value(f"t={t:g}: lambda_min(H_L(w))") < 0
    # v^T H_L v = t s v^T H_i v + O(t^2): the ratio to t tends to the slope
    assert r.value("t=0.001: v^T H_L(w) v / t") == pytest.approx(slope, rel=1e-2)
    with pytest.raises(InvalidArgument, match="m=4 must be > 2n=4"):
        negative.t3_nonconvex_near_solutions(n=2, m=4)


def test_t6_underparameterized_never_pl():
    r = negative.t6_underparameterized()
    assert r.reproduced and len(r.counterexamples) == 8
    assert {c.claim.quantity for c in r.counterexamples} == {"kernel_min_eig", "pl_constant"}
    assert abs(r.value("max over 1000 samples of lambda_min(K)")) < 1e-12
    assert r.value("rank K") <= r.value("m")
    assert r.value("L(w_ls)") > 0.1 and r.value("PL* ratio at w_ls") < 1e-20
    tiny = [c for c in r.counterexamples if c.claim == pl_star(1e-6)][0]
    assert tiny.found  # even mu = 1e-6 fails: the search reaches the stationary point w_ls


def test_gd_diverges_beyond_two_over_beta():
    r = negative.gd_divergence()
    assert r.reproduced
    assert r.value("(1 - eta beta)^2") == pytest.approx(1.44, rel=1e-12)
    assert r.value("L(w_steps) / L(w_0) at the witness") > 1  # the loss grew
    # control: the same system and claim with eta = 1/beta are not refuted
    assert not negative.gd_divergence(fraction=1.0).counterexamples[0].found


def test_ball_too_small_for_t14():
    r = negative.ball_too_small()
    assert r.reproduced
    assert r.value("R") < r.value("R_T14 = 2 L_F ||F(w0) - y|| / mu")
    assert r.value("first GD step outside B(w0, R)") == 1
    assert r.value("mu on B(w0, R)") == pytest.approx((np.sqrt(10) - 0.05) ** 2, rel=1e-6)


def test_t13_nonlinear_output_keeps_the_hessian():
    r = negative.t13_nonlinear_output()
    assert r.reproduced
    tanh, lin = r.counterexamples
    assert tanh.found and tanh.claim == lin.claim and not lin.found
    assert r.value("linear output: log-log slope of ||H_F(w0)|| in m") < -0.25
    assert r.value("tanh output: log-log slope of ||H_F(w0)|| in m") > -0.2
    assert r.value("tanh output, m=1024: ||H_F(w0)||") > 2 * r.value("linear output, m=1024: ||H_F(w0)||")


def test_c15_convention_mix_up():
    r = negative.c15_convention()
    assert r.reproduced
    nohalf, half = r.counterexamples
    assert nohalf.found and not half.found
    assert r.value("L_1 / L_0 at the witness") == pytest.approx(0.01, rel=1e-9)
    assert r.value("1 - eta mu'") == pytest.approx(-0.8, rel=1e-9)
    assert r.value("1 - eta mu") == pytest.approx(0.1, rel=1e-9)
    assert r.value("mu' = 2 mu (no-1/2 form)") == pytest.approx(2 * r.value("beta"), rel=1e-9)


def test_relu_hessian_claims_are_not_applicable():
    r = negative.relu_not_applicable()
    assert r.reproduced
    for ce in r.counterexamples[:3]:
        assert ce.status == "not applicable" and not ce.found and ce.x is None
        assert "not applicable" in ce.detail and "relu" in ce.detail.lower()
        assert ce.examples_tried == 0
    assert r.counterexamples[3].status == "refuted"  # first derivatives still searched
    net = network(np.eye(2), [1.0, -1.0], [8], activation="relu")
    with pytest.raises(InvalidArgument, match="Hessians"):
        violation(hessian_norm(1.0), net, net.w0)


def test_negative_result_dict_and_labels():
    r = negative.c15_convention()
    d = json.loads(json.dumps(r.to_dict()))
    assert d["name"] == "c15_convention" and d["reproduced"] and len(d["counterexamples"]) == 2
    with pytest.raises(InvalidArgument, match="label='nope' is not measured here"):
        r.value("nope")


@deep_only
@pytest.mark.slow
def test_all_negative_results_from_several_seeds():
    for seed in (0, 1, 2):
        results = negative.negative_results(rng=seed)
        assert [r.name for r in results] == [
            "x1_nonconvex_near_solutions", "t3_nonconvex_near_solutions", "t6_underparameterized",
            "gd_divergence", "ball_too_small", "t13_nonlinear_output", "c15_convention", "relu_not_applicable"]
        assert all(r.reproduced for r in results), [r.name for r in results if not r.reproduced]


def test_merged_results_carry_their_theorem_check():
    """T3, T6, T13 and C15 are their theorem checks on the negative result's system, with the searches as evidence."""
    for fn, theorem in ((negative.t3_nonconvex_near_solutions, "T3"), (negative.t6_underparameterized, "T6"),
                        (negative.t13_nonlinear_output, "T13"), (negative.c15_convention, "C15")):
        r = fn()
        assert r.check is not None and r.check.id == theorem and r.check.verdict == "holds", (theorem, r.check)
        assert json.loads(json.dumps(r.to_dict()))["check"]["id"] == theorem
    c15 = negative.c15_convention()
    assert c15.check.series["other_reading"]["status"] == "refuted"  # the no-1/2 reading, on the same step
    assert c15.value("beta") == pytest.approx(c15.check.series["beta"], rel=0)


def test_unknown_options_are_invalid_arguments():
    with pytest.raises(InvalidArgument, match="c15_convention got option.s. nope; its options are a, fraction"):
        negative.c15_convention(nope=1)
    with pytest.raises(InvalidArgument, match="positional"):
        negative.gd_divergence(2.2)


OLD_NAMES = ["NegativeResult", "x1_nonconvex_near_solutions", "t3_nonconvex_near_solutions", "t6_underparameterized",
             "gd_divergence", "ball_too_small", "t13_nonlinear_output", "c15_convention", "relu_not_applicable",
             "negative_results"]


@pytest.mark.parametrize("name", OLD_NAMES)
def test_old_search_names_warn_and_still_work(name):
    with pytest.warns(DeprecationWarning, match=f"plsym.search.{name} is deprecated; use "
                                                f"plsym.theorems.negative.{name}"):
        old = getattr(search, name)
    assert old is getattr(negative, name)
    if name == "c15_convention":
        assert old().reproduced
    with pytest.raises(AttributeError):
        search.no_such_name  # noqa: B018
