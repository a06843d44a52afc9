"""plsym.search: planted false claims are found, true claims are not refuted, the paper's negative
results are reproduced from a fixed seed, and the results say what they mean.

Tolerances: margins are relative to the claimed constant, minus RTOL = 1e-9; a planted claim is
1-2% beyond its true constant, so its margin at the worst point is 0.01-0.02; true claims below
are 2% on the safe side of a closed form (or exact, margin -RTOL).
"""

import importlib.util
import json
import os
import pathlib
import sys

import numpy as np
import pytest
import sympy
from hypothesis import settings

import plsym
from plsym import InvalidArgument, search
from plsym.search import (
    RTOL, counterexample, hessian_norm, kernel_min_eig, linear_rate, lipschitz, locally_convex, pl_star, smoothness,
)
from plsym.systems import from_callable, linear, product, sphere
from plsym.systems.network import network

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
deep_only = pytest.mark.skipif(not DEEP, reason="long search: runs with HYPOTHESIS_PROFILE=deep")
ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_planted():
    if "planted_claims" not in sys.modules:  # dataclasses look their module up in sys.modules
        spec = importlib.util.spec_from_file_location("planted_claims", ROOT / "scripts" / "planted_claims.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["planted_claims"] = module
        spec.loader.exec_module(module)
    return sys.modules["planted_claims"]


# -- claims ---------------------------------------------------------------------------

def test_margins_match_closed_forms_on_the_product():
    s = product(1.0)
    W = np.array([[3.0, 1.0], [0.5, 3.0], [1.0, 1.0]])  # the last one is a solution: L = 0
    K = np.sum(W ** 2, axis=1)  # K = w1^2 + w2^2, and the PL* ratio equals K (n = 1)
    np.testing.assert_allclose(kernel_min_eig(4.0).violation(s, W), 1 - K / 4.0 - RTOL, rtol=1e-12)
    np.testing.assert_allclose(lipschitz(2.0).violation(s, W), np.sqrt(K) / 2.0 - 1 - RTOL, rtol=1e-12)
    np.testing.assert_allclose(hessian_norm(0.5).violation(s, W), 1.0 - RTOL, rtol=1e-12)  # ||H_F|| = 1
    pl = pl_star(4.0).violation(s, W)
    np.testing.assert_allclose(pl[:2], 1 - K[:2] / 4.0 - RTOL, rtol=1e-12)
    assert pl[2] == -np.inf  # PL* says nothing where L = 0
    # X1: at (1 + eps, 1 + eps), lambda_min(H_L) = -0.21 for eps = 0.1 and ||H_L|| = 1.21 + 1.42
    assert locally_convex().violation(s, [1.1, 1.1]) == pytest.approx(0.21 / 2.63 - RTOL, rel=1e-9)
    assert np.ndim(pl_star(1.0).violation(s, [3.0, 1.0])) == 0


def test_linear_rate_margin_is_exact_on_a_scalar_system():
    s = linear([[2.0]], [0.0])  # beta = 4; eta = 0.9/4 gives w1 = 0.1 w0, L1 = 0.01 L0
    assert linear_rate(0.225, 0.02, 1).violation(s, [1.0]) == pytest.approx(0.01 / 0.02 - 1 - RTOL, rel=1e-9)
    assert linear_rate(0.225, 0.005, 1).violation(s, [1.0]) == pytest.approx(0.01 / 0.005 - 1 - RTOL, rel=1e-9)
    assert linear_rate(0.225, 0.5, 3).violation(s, [0.0]) == -np.inf  # L0 = 0: nothing to check
    # eta = 3/beta: the error is multiplied by -2 per step, L by 4
    assert linear_rate(0.75, 0.9, 2).violation(s, [1.0]) == pytest.approx(16 / 0.81 - 1 - RTOL, rel=1e-9)


def test_claims_are_frozen_values():
    assert pl_star(2.0) == pl_star(2.0) and hash(pl_star(2.0)) == hash(pl_star(2.0))
    assert pl_star(2.0) != kernel_min_eig(2.0)
    with pytest.raises(AttributeError):
        pl_star(2.0).mu = 3.0
    d = linear_rate(0.1, 0.9, 5).to_dict()
    assert d["kind"] == "linear_rate" and (d["eta"], d["rate"], d["steps"]) == (0.1, 0.9, 5)
    assert "T14" in d["description"]


BAD_CLAIMS = [
    (lambda: pl_star(0.0), "mu=0.0 must be a positive finite number"),
    (lambda: kernel_min_eig(float("nan")), "mu=nan must be a positive finite number"),
    (lambda: hessian_norm(-1.0), "eps=-1.0 must be a positive finite number"),
    (lambda: lipschitz("2"), "L='2' must be a positive finite number"),
    (lambda: smoothness(float("inf")), "beta=inf must be a positive finite number"),
    (lambda: linear_rate(0.1, float("inf"), 3), "rate=inf must be a finite real number"),
    (lambda: linear_rate(0.1, 0.9, 0), "steps=0 must be an integer >= 1"),
    (lambda: linear_rate(0.0, 0.9, 1), "eta=0.0 must be a positive finite number"),
]


@pytest.mark.parametrize("make,message", BAD_CLAIMS)
def test_bad_claim_constants(make, message):
    with pytest.raises(InvalidArgument) as info:
        make()
    assert message in str(info.value)


def test_bad_search_arguments():
    s, ball = product(1.0), plsym.Ball([3.0, 1.0], 0.5)
    cases = [
        (lambda: counterexample("F", ball, pl_star(1.0)), "system='F' must be a plsym.System"),
        (lambda: counterexample(s, plsym.Ball([0.0], 1.0), pl_star(1.0)), "ball has dimension 1"),
        (lambda: counterexample(s, (3.0, 1.0), pl_star(1.0)), "must be a plsym.Ball"),
        (lambda: counterexample(s, ball, "pl_star"), "claim='pl_star' must be a claim"),
        (lambda: counterexample(s, ball, pl_star(1.0), max_examples=0), "max_examples=0 must be an integer >= 1"),
        (lambda: counterexample(s, ball, pl_star(1.0), rng=-1), "rng=-1 must be a non-negative int seed"),
        (lambda: pl_star(1.0).violation(s, [1.0, 2.0, 3.0]), "W has shape (3,)"),
    ]
    for make, message in cases:
        with pytest.raises(InvalidArgument) as info:
            make()
        assert message in str(info.value)


# -- the search -----------------------------------------------------------------------

def test_planted_false_claims_are_found():
    """>= 99% of 200 planted claims (1-2% beyond the true constant) refuted within the budget.

    Not 100%: about 1 planted claim in 1000 is a PL* infimum reached only in a thin
    valley next to a solution of a polynomial system with n = m = 2 (K condition
    number in the hundreds), which a 128-sample seeding with 50 Hypothesis examples
    can miss (scripts/planted_claims.py: 2398/2400 over seeds 0-5, both misses of
    this kind; 199/200 on this seed).
    """
    planted = load_planted()
    cases = planted.cases(200, seed=0)
    results = planted.run(cases, max_examples=50, samples=128)
    found = [ce.found for ce, _ in results]
    assert len(cases) >= 200 and len({c.label.split()[0].split("(")[0] for c in cases}) == 4
    assert np.mean(found) >= 0.99, [c.label for c, f in zip(cases, found) if not f]
    for case, (ce, _) in zip(cases, results):
        if ce.found:
            assert case.ball.contains(ce.point) and ce.violation > 0
            assert case.claim.violation(case.system, ce.point) == pytest.approx(ce.violation, rel=1e-9, abs=1e-12)
            assert ce.shrunk is not None and case.ball.contains(np.array(ce.shrunk))
            assert case.claim.violation(case.system, np.array(ce.shrunk)) > 0


@deep_only
@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_false_claims_many_seeds(seed):
    planted = load_planted()
    results = planted.run(planted.cases(400, seed=seed))
    assert np.mean([ce.found for ce, _ in results]) >= 0.99


def true_claims():
    """(label, system, ball, claim): true claims, from closed forms, 2% on the safe side (or exact)."""
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
    eig = np.linalg.eigvalsh(A @ A.T)
    c = np.array([3.0, 1.0])
    mu_p = (np.linalg.norm(c) - 0.5) ** 2  # product: inf K on B((3, 1), 0.5)
    sph_c, R = np.array([1.0, 1.0, 0.5]), 0.4
    lo, hi = (np.linalg.norm(sph_c) - R) ** 2, (np.linalg.norm(sph_c) + R) ** 2
    sph_beta = max(max(abs(6 * t - 2), abs(2 * t - 2)) for t in (lo, hi))  # y = 1
    lin, lin_ball = linear(A, A @ np.ones(3)), plsym.Ball(np.ones(3) + 0.2, 1.0)
    eta = 0.9 / eig[-1]
    q = max((1 - eta * eig) ** 2)
    return [
        ("product kernel", product(2.9), plsym.Ball(c, 0.5), kernel_min_eig(0.98 * mu_p)),
        ("product pl*", product(2.9), plsym.Ball(c, 0.5), pl_star(0.98 * mu_p)),
        ("product lipschitz", product(2.9), plsym.Ball(c, 0.5), lipschitz(1.02 * (np.linalg.norm(c) + 0.5))),
        ("product hessian exact", product(2.9), plsym.Ball(c, 0.5), hessian_norm(1.0)),
        ("sphere kernel", sphere(3), plsym.Ball(sph_c, R), kernel_min_eig(0.98 * 4 * lo)),
        ("sphere pl*", sphere(3), plsym.Ball(sph_c, R), pl_star(0.98 * 4 * lo)),
        ("sphere hessian exact", sphere(3), plsym.Ball(sph_c, R), hessian_norm(2.0)),
        ("sphere smoothness", sphere(3), plsym.Ball(sph_c, R), smoothness(1.02 * sph_beta)),
        ("linear pl*", lin, lin_ball, pl_star(0.98 * eig[0])),
        ("linear smoothness", lin, lin_ball, smoothness(1.02 * eig[-1])),
        ("linear convex", lin, lin_ball, locally_convex()),
        ("linear rate", lin, lin_ball, linear_rate(eta, 1.02 * q, 5)),
        ("C15 1/2-form rate", linear([[2.0]], [0.0]), plsym.Ball([1.0], 0.5), linear_rate(0.225, 0.1, 1)),
    ]


@pytest.mark.parametrize("label,system,ball,claim", true_claims(), ids=[c[0] for c in true_claims()])
def test_true_claims_are_not_refuted(label, system, ball, claim):
    budget = max(100, settings.default.max_examples)  # 2000 under the "deep" profile
    ce = counterexample(system, ball, claim, max_examples=budget, rng=3)
    assert not ce.found and ce.status == "not refuted" and ce.violation <= 0
    assert ce.shrunk is None and np.isnan(ce.shrunk_violation)
    assert ce.examples_tried >= budget and ce.evaluations > ce.examples_tried
    assert "not refuted within" in ce.message and "not a proof" in ce.message
    assert "proved" not in ce.message.lower()


def test_search_is_deterministic_for_a_fixed_seed():
    s, ball = product(2.9), plsym.Ball([3.0, 1.0], 0.5)
    claim = kernel_min_eig(7.2)
    a = counterexample(s, ball, claim, max_examples=30, rng=11)
    b = counterexample(s, ball, claim, max_examples=30, rng=11)
    assert a == b and a.to_dict() == b.to_dict()
    g1 = counterexample(s, ball, claim, max_examples=30, rng=np.random.default_rng(5))
    g2 = counterexample(s, ball, claim, max_examples=30, rng=np.random.default_rng(5))
    assert g1.witness == g2.witness and g1.seed is None


def test_hypothesis_alone_finds_and_shrinks_towards_the_center():
    # samples=0: no sampling and no estimator; Hypothesis's targeting does the work.
    # Sphere y=1 on B((2, 0), 1): K = 4 |w|^2 < 8 only where |w|^2 < 2, away from the center.
    s, ball = sphere(2), plsym.Ball([2.0, 0.0], 1.0)
    ce = counterexample(s, ball, kernel_min_eig(8.0), max_examples=200, samples=0, rng=0)
    assert ce.found and ce.shrunk is not None
    shrunk = np.array(ce.shrunk)
    assert ball.contains(shrunk) and kernel_min_eig(8.0).violation(s, shrunk) > 0
    # the shrunk point is a simple one: on the first axis, within 1.25 R/1024 of the frontier |w| = sqrt(2)
    assert shrunk[1] == 0 and np.sqrt(2) - 1.25 / 1024 <= np.linalg.norm(shrunk) < np.sqrt(2)
    assert ce.violation >= kernel_min_eig(8.0).violation(s, shrunk)
    # violated everywhere: the shrunk example is the center itself
    ce = counterexample(product(1.0), plsym.Ball([3.0, 1.0], 0.5), hessian_norm(0.98), max_examples=20, samples=0)
    assert ce.shrunk == (3.0, 1.0) and ce.found


def test_result_fields_and_dict():
    ce = counterexample(product(2.9), plsym.Ball([3.0, 1.0], 0.5), pl_star(7.2), max_examples=20)
    assert ce.method == "searched" and ce.status == "refuted" and ce.seed == 0 and ce.max_examples == 20
    assert ce.message.startswith("refuted")
    d = json.loads(json.dumps(ce.to_dict()))
    assert set(d) == {"claim", "found", "status", "witness", "violation", "shrunk", "shrunk_violation",
                      "examples_tried", "evaluations", "max_examples", "seed", "method", "message"}
    assert d["claim"]["kind"] == "pl_star" and d["claim"]["mu"] == 7.2
    # the closed form: inf K on the ball is (sqrt(10) - 0.5)^2 = 7.0877, margin 1 - 7.0877/7.2
    assert ce.violation == pytest.approx(1 - (np.sqrt(10) - 0.5) ** 2 / 7.2 - RTOL, rel=1e-6)


def test_library_search_is_silent(capsys):
    counterexample(product(2.9), plsym.Ball([3.0, 1.0], 0.5), kernel_min_eig(7.2), max_examples=20)
    counterexample(product(2.9), plsym.Ball([3.0, 1.0], 0.5), kernel_min_eig(7.0), max_examples=20)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_callable_systems_are_searched_too():
    s = from_callable(lambda w: np.array([w[0] * w[1]]), m=2, n=1, y=[2.9])  # finite differences
    ce = counterexample(s, plsym.Ball([3.0, 1.0], 0.5), kernel_min_eig(7.2), max_examples=20)
    assert ce.found and ce.violation == pytest.approx(1 - (np.sqrt(10) - 0.5) ** 2 / 7.2, rel=1e-4)


def test_polynomial_system_from_the_strategy_module():
    w1, w2, w3 = sympy.symbols("w1:4")
    s = plsym.System([w1 * w2 + w3, w2 ** 2 - w1], [w1, w2, w3], [1.0, 0.5])
    ball = plsym.Ball([1.0, 1.0, 0.0], 0.3)
    true = plsym.estimate.kernel_min_eig(s, ball, samples=4096, starts=8)
    assert counterexample(s, ball, kernel_min_eig(1.02 * true.value), max_examples=30).found
    assert not counterexample(s, ball, kernel_min_eig(0.9 * true.value), max_examples=30).found


# -- negative results ---------------------------------------------------------------------

def test_x1_nonconvex_arbitrarily_close_to_the_solution():
    r = search.x1_nonconvex_near_solutions()
    assert r.reproduced and len(r.counterexamples) == 3 and r.seed == 0
    for eps, paper in ((0.1, -0.21), (0.01, -0.0201), (1e-4, -0.0002)):
        assert r.value(f"eps={eps:g}: lambda_min(H_L) at (1+eps, 1+eps)") == pytest.approx(paper, rel=1e-3)
        assert r.value(f"eps={eps:g}: lambda_min(H_L) at the witness") < 0
        assert r.value(f"eps={eps:g}: distance of the witness to (1, 1)") <= eps * (1 + 1e-9)
    assert all(c.claim == locally_convex() and c.found for c in r.counterexamples)


def test_t3_construction_on_a_random_smooth_system():
    r = search.t3_nonconvex_near_solutions(rng=0)
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
        search.t3_nonconvex_near_solutions(n=2, m=4)


def test_t6_underparameterized_never_pl():
    r = search.t6_underparameterized()
    assert r.reproduced and len(r.counterexamples) == 8
    assert {c.claim.kind for c in r.counterexamples} == {"kernel_min_eig", "pl_star"}
    assert abs(r.value("max over 1000 samples of lambda_min(K)")) < 1e-12
    assert r.value("rank K") <= r.value("m")
    assert r.value("L(w_ls)") > 0.1 and r.value("PL* ratio at w_ls") < 1e-20
    tiny = [c for c in r.counterexamples if c.claim == pl_star(1e-6)][0]
    assert tiny.found  # even mu = 1e-6 fails: the search reaches the stationary point w_ls


def test_gd_diverges_beyond_two_over_beta():
    r = search.gd_divergence()
    assert r.reproduced
    assert r.value("(1 - eta beta)^2") == pytest.approx(1.44, rel=1e-12)
    assert r.value("L(w_steps) / L(w_0) at the witness") > 1  # the loss grew
    # control: the same system and claim with eta = 1/beta are not refuted
    assert not search.gd_divergence(fraction=1.0).counterexamples[0].found


def test_ball_too_small_for_t14():
    r = search.ball_too_small()
    assert r.reproduced
    assert r.value("R") < r.value("R_T14 = 2 L_F ||F(w0) - y|| / mu")
    assert r.value("first GD step outside B(w0, R)") == 1
    assert r.value("mu on B(w0, R)") == pytest.approx((np.sqrt(10) - 0.05) ** 2, rel=1e-6)


def test_t13_nonlinear_output_keeps_the_hessian():
    r = search.t13_nonlinear_output()
    assert r.reproduced
    tanh, lin = r.counterexamples
    assert tanh.found and tanh.claim == lin.claim and not lin.found
    assert r.value("linear output: log-log slope of ||H_F(w0)|| in m") < -0.25
    assert r.value("tanh output: log-log slope of ||H_F(w0)|| in m") > -0.2
    assert r.value("tanh output, m=1024: ||H_F(w0)||") > 2 * r.value("linear output, m=1024: ||H_F(w0)||")


def test_c15_convention_mix_up():
    r = search.c15_convention()
    assert r.reproduced
    nohalf, half = r.counterexamples
    assert nohalf.found and not half.found
    assert r.value("L_1 / L_0 at the witness") == pytest.approx(0.01, rel=1e-9)
    assert r.value("1 - eta mu'") == pytest.approx(-0.8, rel=1e-9)
    assert r.value("1 - eta mu") == pytest.approx(0.1, rel=1e-9)
    assert r.value("mu' = 2 mu (no-1/2 form)") == pytest.approx(2 * r.value("beta"), rel=1e-9)


def test_relu_hessian_claims_are_not_applicable():
    r = search.relu_not_applicable()
    assert r.reproduced
    for ce in r.counterexamples[:3]:
        assert ce.status == "not applicable" and not ce.found and ce.witness is None
        assert "not applicable" in ce.message and "relu" in ce.message.lower()
        assert ce.examples_tried == 0
    assert r.counterexamples[3].status == "refuted"  # first derivatives still searched
    net = network(np.eye(2), [1.0, -1.0], [8], activation="relu")
    with pytest.raises(InvalidArgument, match="Hessians"):
        hessian_norm(1.0).violation(net, net.w0)


def test_negative_result_dict_and_labels():
    r = search.c15_convention()
    d = json.loads(json.dumps(r.to_dict()))
    assert d["name"] == "c15_convention" and d["reproduced"] and len(d["counterexamples"]) == 2
    with pytest.raises(InvalidArgument, match="label='nope' is not measured here"):
        r.value("nope")


@deep_only
@pytest.mark.slow
def test_all_negative_results_from_several_seeds():
    for seed in (0, 1, 2):
        results = search.negative_results(rng=seed)
        assert [r.name for r in results] == [
            "x1_nonconvex_near_solutions", "t3_nonconvex_near_solutions", "t6_underparameterized",
            "gd_divergence", "ball_too_small", "t13_nonlinear_output", "c15_convention", "relu_not_applicable"]
        assert all(r.reproduced for r in results), [r.name for r in results if not r.reproduced]


def test_all_is_explicit_and_documented():
    for name in search.__all__:
        obj = getattr(search, name)
        if callable(obj):
            assert obj.__doc__, name
    public = {k for k, v in vars(search).items()
              if not k.startswith("_") and callable(v) and getattr(v, "__module__", "") == search.__name__}
    assert public <= set(search.__all__), public - set(search.__all__)
