"""plsym.search: planted false claims are found, true claims are not refuted, and the results say
what they mean (the paper's negative results: tests/test_theorems_negative.py).

Tolerances: margins are relative to the claimed constant, minus RTOL = 1e-9; a planted claim is
1-2% beyond its true constant, so its margin at the worst point is 0.01-0.02; true claims below
are 2% on the safe side of a closed form (or exact, margin -RTOL).
"""

import dataclasses
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
from plsym.quantities import QuantityClaim
from plsym.search import (
    RTOL, counterexample, hessian_norm, kernel_min_eig, linear_rate, lipschitz, locally_convex, pl_star, smoothness,
    violation,
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
    np.testing.assert_allclose(violation(kernel_min_eig(4.0), s, W), 1 - K / 4.0 - RTOL, rtol=1e-12)
    np.testing.assert_allclose(violation(lipschitz(2.0), s, W), np.sqrt(K) / 2.0 - 1 - RTOL, rtol=1e-12)
    np.testing.assert_allclose(violation(hessian_norm(0.5), s, W), 1.0 - RTOL, rtol=1e-12)  # ||H_F|| = 1
    pl = violation(pl_star(4.0), s, W)
    np.testing.assert_allclose(pl[:2], 1 - K[:2] / 4.0 - RTOL, rtol=1e-12)
    assert pl[2] == -np.inf  # PL* says nothing where L = 0
    # X1: at (1 + eps, 1 + eps), lambda_min(H_L) = -0.21 for eps = 0.1 and ||H_L|| = 1.21 + 1.42
    assert locally_convex().violation(s, [1.1, 1.1]) == pytest.approx(0.21 / 2.63 - RTOL, rel=1e-9)
    assert np.ndim(violation(pl_star(1.0), s, [3.0, 1.0])) == 0


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
    with pytest.raises(dataclasses.FrozenInstanceError):
        pl_star(2.0).value = 3.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        linear_rate(0.1, 0.9, 5).eta = 3.0
    # the constructors are the vocabulary's claims: no second definition of the quantities
    assert pl_star(2.0) == QuantityClaim("pl_constant", 2.0) and kernel_min_eig(1.0) == QuantityClaim("kernel_min_eig", 1.0)
    assert (hessian_norm(1.0).relation, lipschitz(1.0).relation, smoothness(1.0).relation) == ("upper",) * 3
    assert pl_star(1.0).relation == "lower" and search.Claim is plsym.results.Claim
    assert isinstance(linear_rate(0.1, 0.9, 5), plsym.results.Claim) and isinstance(locally_convex(), plsym.results.Claim)
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
        (lambda: counterexample(s, ball, pl_star(1.0), budget=3), "unknown option(s) budget"),
        (lambda: violation("pl_star", s, [1.0, 2.0]), "claim='pl_star' must be a claim"),
        (lambda: counterexample(s, ball, pl_star(1.0), max_examples=0), "max_examples=0 must be an integer >= 1"),
        (lambda: counterexample(s, ball, pl_star(1.0), rng=-1), "rng=-1 must be a non-negative int seed"),
        (lambda: violation(pl_star(1.0), s, [1.0, 2.0, 3.0]), "W has shape (3,)"),
    ]
    for make, message in cases:
        with pytest.raises(InvalidArgument) as info:
            make()
        assert message in str(info.value)


# -- the search -----------------------------------------------------------------------

def test_hypothesis_alone_finds_and_shrinks_towards_the_center():
    # samples=0: no sampling and no estimator; Hypothesis's targeting does the work. Hypothesis also
    # draws constants found in the loaded local modules, so its examples for a seed depend on what the
    # session imported (at 200 examples, seed 0 found it at the 199th in one order and not in another):
    # the budget leaves room for that.
    # Sphere y=1 on B((2, 0), 1): K = 4 |w|^2 < 8 only where |w|^2 < 2, away from the center.
    s, ball = sphere(2), plsym.Ball([2.0, 0.0], 1.0)
    ce = counterexample(s, ball, kernel_min_eig(8.0), max_examples=600, samples=0, rng=0)
    assert ce.found and ce.shrunk is not None
    shrunk = np.array(ce.shrunk)
    assert ball.contains(shrunk) and violation(kernel_min_eig(8.0), s, shrunk) > 0
    # the shrunk point is a simple one: on the first axis, within 1.25 R/1024 of the frontier |w| = sqrt(2)
    assert shrunk[1] == 0 and np.sqrt(2) - 1.25 / 1024 <= np.linalg.norm(shrunk) < np.sqrt(2)
    assert ce.violation >= violation(kernel_min_eig(8.0), s, shrunk)
    # violated everywhere: the shrunk example is the center itself
    ce = counterexample(product(1.0), plsym.Ball([3.0, 1.0], 0.5), hessian_norm(0.98), max_examples=20, samples=0)
    assert ce.shrunk == (3.0, 1.0) and ce.found


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
            assert violation(case.claim, case.system, ce.point) == pytest.approx(ce.violation, rel=1e-9, abs=1e-12)
            assert ce.shrunk is not None and case.ball.contains(np.array(ce.shrunk))
            assert violation(case.claim, case.system, np.array(ce.shrunk)) > 0


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
    assert not ce.found and ce.status == "holds" and ce.violation <= 0
    assert ce.shrunk is None and np.isnan(ce.shrunk_violation)
    assert ce.examples_tried >= budget and ce.nfev > ce.examples_tried
    assert "no counterexample within" in ce.detail and "not a proof" in ce.detail
    assert "proved" not in ce.detail.lower()


def test_search_is_deterministic_for_a_fixed_seed():
    s, ball = product(2.9), plsym.Ball([3.0, 1.0], 0.5)
    claim = kernel_min_eig(7.2)
    a = counterexample(s, ball, claim, max_examples=30, rng=11)
    b = counterexample(s, ball, claim, max_examples=30, rng=11)
    assert a == b and a.to_dict() == b.to_dict()
    g1 = counterexample(s, ball, claim, max_examples=30, rng=np.random.default_rng(5))
    g2 = counterexample(s, ball, claim, max_examples=30, rng=np.random.default_rng(5))
    assert g1.x == g2.x and g1.seed is None


def test_result_fields_and_dict():
    ce = counterexample(product(2.9), plsym.Ball([3.0, 1.0], 0.5), pl_star(7.2), max_examples=20)
    assert ce.method == "searched" and ce.status == "refuted" and ce.seed == 0 and ce.max_examples == 20
    assert ce.detail.startswith("refuted")
    d = json.loads(json.dumps(ce.to_dict()))
    assert set(d) == {"claim", "found", "status", "x", "violation", "shrunk", "shrunk_violation",
                      "examples_tried", "nfev", "max_examples", "seed", "method", "detail"}
    assert d["claim"] == {"quantity": "pl_constant", "value": 7.2}
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


def test_all_is_explicit_and_documented():
    for name in search.__all__:
        obj = getattr(search, name)
        if callable(obj):
            assert obj.__doc__, name
    public = {k for k, v in vars(search).items()
              if not k.startswith("_") and callable(v) and getattr(v, "__module__", "") == search.__name__}
    assert public <= set(search.__all__), public - set(search.__all__)


def test_quantity_claims_search_like_their_constructors():
    s, ball = product(2.9), plsym.Ball([3.0, 1.0], 0.5)
    a = counterexample(s, ball, QuantityClaim("kernel_min_eig", 7.2), max_examples=20)
    b = counterexample(s, ball, kernel_min_eig(7.2), max_examples=20)
    assert a == b and a.found
    # a claim on the residual norm (no estimator): ||F(w) - y|| <= 0.5 fails on the ball
    assert counterexample(s, ball, QuantityClaim("residual_norm", 0.05), max_examples=20).found


def test_counterexample_repr_summarizes_long_points():
    net = network(np.eye(2), [1.0, -1.0], [8])
    ce = counterexample(net, plsym.Ball(net.w0, 0.1), kernel_min_eig(1e6), max_examples=5, samples=8)
    assert ce.found and len(ce.x) == net.m > 6
    assert f"({net.m} coordinates)" in repr(ce) and "x=[" in repr(ce)


@pytest.mark.parametrize("old,new", [("witness", "x"), ("evaluations", "nfev"), ("message", "detail")])
def test_old_counterexample_attributes_warn(old, new):
    ce = counterexample(product(2.9), plsym.Ball([3.0, 1.0], 0.5), kernel_min_eig(7.2), max_examples=20)
    with pytest.warns(DeprecationWarning, match=f"Counterexample.{old} is deprecated; use Counterexample.{new}"):
        assert getattr(ce, old) == getattr(ce, new)


def test_gauss_newton_finds_the_solutions_of_the_product():
    s = product(2.0)
    W = search.gauss_newton(s, [[3.0, 1.0], [1.0, 1.5]], tol=1e-13)
    np.testing.assert_allclose(W[:, 0] * W[:, 1], 2.0, rtol=1e-12)
    ball = plsym.Ball([3.0, 1.0], 0.1)  # no solution inside: the iterates stay in the ball
    assert ball.contains(search.gauss_newton(s, [3.0, 1.0], ball=ball)[0])


def test_search_needs_no_concrete_system():
    src = (ROOT / "plsym" / "search.py").read_text()
    assert "systems" not in "".join(line for line in src.splitlines() if line.startswith(("from", "import")))


def test_a_search_reads_as_a_verdict():
    ce = counterexample(product(2.9), plsym.Ball([3.0, 1.0], 0.5), kernel_min_eig(7.2), max_examples=20)
    v = ce.verdict()
    assert (v.status, v.claimed, v.relation, v.x, v.method) == ("refuted", 7.2, "lower", ce.x, "searched")
    assert v.sentence().endswith(": refuted") and v.status in plsym.results.STATUSES
    held = counterexample(linear([[2.0]], [0.0]), plsym.Ball([1.0], 0.5), linear_rate(0.225, 0.1, 1), max_examples=20)
    assert held.verdict().status == "holds" and held.verdict().claimed is None
