"""Certified bounds: soundness against sampling and search, tightness on closed forms, honest refusals."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

import plsym
from plsym import certify, estimate
from plsym.systems import from_callable, linear, product, sphere

LOWER = ["kernel_min_eig", "pl_constant"]
FLOAT_SLACK = 1e-11  # relative rounding allowance of float64 reference values (not of the bounds)
UPPER = ["hessian_norm", "lipschitz", "smoothness", "residual_norm"]


@st.composite
def small_systems(draw):
    """Random polynomial / tanh systems, m <= 6, n <= 3, n <= m, and a ball."""
    m = draw(st.integers(1, 6))
    n = draw(st.integers(1, min(3, m)))
    w = sympy.symbols(f"w1:{m + 1}")
    coef = st.floats(-2, 2, allow_nan=False).map(lambda c: sympy.Rational(round(c * 100), 100))
    outs = []
    for _ in range(n):
        terms = []
        for _ in range(draw(st.integers(1, 3))):
            j, k = draw(st.integers(0, m - 1)), draw(st.integers(0, m - 1))
            kind = draw(st.sampled_from(["lin", "quad", "tanh", "cube"]))
            c = draw(coef)
            terms.append({"lin": c * w[j], "quad": c * w[j] * w[k], "tanh": c * sympy.tanh(draw(coef) * w[j] + draw(coef) * w[k]),
                          "cube": c * w[j] ** 3 / 3}[kind])
        outs.append(sum(terms) + w[len(outs) % m])  # keep DF generically full rank
    y = draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n))
    center = draw(st.lists(st.floats(-1.5, 1.5), min_size=m, max_size=m))
    radius = draw(st.sampled_from([0.01, 0.05, 0.2]))
    return plsym.System(outs, list(w), y), plsym.Ball(center, radius)


def test_certified_bounds_are_sound():
    """Every certified lower bound <= sampled and searched values; every upper bound >= them.

    A bound that is not certified within its budget says so (value None and a reason) and is
    skipped; so that the test cannot pass on refusals alone, every kind of bound must be
    certified on most of the random systems.
    """
    certified = {name: 0 for name in LOWER + UPPER}
    examples = []

    @settings(max_examples=25, deadline=None)
    @given(small_systems())
    def check(case):
        examples.append(case)
        _check_soundness(case, certified)

    check()
    assert len(examples) >= 25
    for name, count in certified.items():
        assert count >= 0.5 * len(examples), (name, count, len(examples))


def _check_soundness(case, certified):
    s, ball = case
    pts = np.vstack([ball.sample(300, rng=0), ball.sample(100, rng=1, where="sphere")])
    dense = {
        "kernel_min_eig": np.linalg.eigvalsh(s.kernel(pts))[:, 0].min(),
        "hessian_norm": s.hessian_norm(pts).max(),
        "lipschitz": np.sqrt(np.linalg.eigvalsh(s.kernel(pts))[:, -1].max()),
        "smoothness": s.loss_hessian_norm(pts).max(),
        "residual_norm": np.linalg.norm(s.residual(pts), axis=1).max(),
    }
    L = s.loss(pts)
    g = s.grad(pts)
    ratio = 0.5 * np.sum(g * g, 1)[L > 0] / L[L > 0]
    dense["pl_constant"] = ratio.min() if ratio.size else np.inf  # L = 0 at every sample: no ratio to compare
    for name in LOWER + UPPER:
        b = getattr(certify, name)(s, ball, max_boxes=150, max_seconds=10)
        if not b.certified:
            assert b.value is None and b.detail
            continue
        certified[name] += 1
        searched = getattr(estimate, name)(s, ball, samples=200, maxiter=50, starts=2).value
        # the certified bound is about the real quantity; the sampled and searched values are
        # float64 evaluations carrying rounding error, allowed for by FLOAT_SLACK
        for v in (dense[name], searched):
            slack = FLOAT_SLACK * max(abs(v), 1.0)
            if name in LOWER:
                assert b.value <= v + slack, (name, b, v)
            else:
                assert b.value >= v - slack, (name, b, v)


def test_tight_on_product_X3():
    s, ball = product(2.9), plsym.Ball([3.0, 1.0], 0.5)
    mu = (np.sqrt(10) - 0.5) ** 2
    b = certify.kernel_min_eig(s, ball)
    assert b.certified and b.relation == "lower" and 0.99 * mu <= b.value <= mu
    h = certify.hessian_norm(s, ball)
    assert h.certified and 1.0 <= h.value <= 1.0 + 1e-12
    L = certify.lipschitz(s, ball)
    assert L.certified and np.sqrt(10) + 0.5 <= L.value <= 1.01 * (np.sqrt(10) + 0.5)
    assert certify.pl_constant(s, ball).value == b.value


def test_tight_on_sphere():
    s, c, R = sphere(3, 1.0), np.array([0.6, 0.5, 0.4]), 0.3
    b = certify.kernel_min_eig(s, plsym.Ball(c, R))
    exact = 4 * (np.linalg.norm(c) - R) ** 2
    assert b.certified and 0.97 * exact <= b.value <= exact
    h = certify.hessian_norm(s, plsym.Ball(c, R))
    assert 2.0 <= h.value <= 2.0 + 1e-12


def test_exact_on_linear_systems():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2, 4))
    s, ball = linear(A, [1.0, 2.0]), plsym.Ball(np.ones(4), 1.0)
    eig = np.linalg.eigvalsh(A @ A.T)
    b = certify.kernel_min_eig(s, ball)
    assert b.certified and b.boxes == 1 and eig[0] * (1 - 1e-12) <= b.value <= eig[0]
    L = certify.lipschitz(s, ball)
    assert np.sqrt(eig[-1]) <= L.value <= np.sqrt(eig[-1]) * (1 + 1e-12)


def two_neuron():
    u1, u2, v1, v2 = sympy.symbols("u1 u2 v1 v2")
    half, k = sympy.Rational(1, 2), sympy.Rational(-13, 10)
    outs = [v1 * sympy.tanh(half * u1) + v2 * sympy.tanh(half * u2), v1 * sympy.tanh(k * u1) + v2 * sympy.tanh(k * u2)]
    return plsym.System(outs, [u1, u2, v1, v2], [0.1, -0.2], name="two tanh neurons")


def test_two_neuron_tanh_reaches_half_the_true_infimum():
    """On the 4-parameter two-neuron tanh model at radius 0.01, at least half the true value."""
    s, ball = two_neuron(), plsym.Ball([0.7, -0.4, 1.1, 0.9], 0.01)
    b = certify.kernel_min_eig(s, ball)
    true = estimate.kernel_min_eig(s, ball).value  # an upper bound of the true infimum
    assert b.certified and 0.5 * true <= b.value <= true


def test_refusals_are_reasons_not_numbers():
    callable_sys = from_callable(lambda w: np.array([w[0] * w[1]]), m=2, n=1, y=[1.0])
    b = certify.kernel_min_eig(callable_sys, plsym.Ball([1.0, 1.0], 0.1))
    assert not b.certified and b.value is None and "callable" in b.detail
    a = sympy.Symbol("a")
    kinked = plsym.System([sympy.Abs(a) + a], [a], [0.0])
    h = certify.hessian_norm(kinked, plsym.Ball([1.0], 0.1))
    assert not h.certified and "Abs" in h.detail
    gamma = plsym.System([sympy.gamma(a)], [a], [0.0])
    g = certify.lipschitz(gamma, plsym.Ball([2.0], 0.1))
    assert not g.certified and "gamma" in g.detail
    under = plsym.System([a, a**2], [a], [0.0, 1.0])  # m < n: K singular (T6)
    u = certify.kernel_min_eig(under, plsym.Ball([1.0], 0.1))
    assert not u.certified and "T6" in u.detail


def test_kernel_that_vanishes_in_the_ball_is_not_certified():
    s = sphere(2, 1.0)  # K = 4 ||w||^2 vanishes at the origin
    b = certify.kernel_min_eig(s, plsym.Ball([0.05, 0.0], 0.1), max_boxes=300)
    assert not b.certified and b.value is None


def test_undefined_on_the_ball_is_not_certified():
    a = sympy.Symbol("a")
    s = plsym.System([sympy.log(a)], [a], [0.0])  # log of a negative number in the ball
    b = certify.lipschitz(s, plsym.Ball([0.05], 0.1), max_boxes=200)
    assert not b.certified and b.value is None


def test_bad_arguments():
    with pytest.raises(plsym.InvalidArgument, match=r"boxes=10 is not an option of lipschitz; its options are "
                                                    r"max_boxes, max_seconds, rtol, progress$"):
        certify.lipschitz(product(1.0), plsym.Ball([1.0, 1.0], 0.1), boxes=10)
    with pytest.raises(plsym.InvalidArgument, match="max_boxes=0"):
        certify.kernel_min_eig(product(1.0), plsym.Ball([1.0, 1.0], 0.1), max_boxes=0)
    with pytest.raises(plsym.InvalidArgument, match="ball has dimension 1"):
        certify.lipschitz(product(1.0), plsym.Ball([1.0], 0.1))


def _campaign():
    """scripts/soundness_campaign.py, loaded afresh as a module (a test may replace its parts)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "soundness_campaign.py"
    spec = importlib.util.spec_from_file_location("soundness_campaign", path)
    campaign = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(campaign)
    return campaign


@pytest.mark.slow
@pytest.mark.parametrize("part", range(8))
def test_soundness_campaign_1000_cases(part):
    """Soundness campaign: 1000 random cases, certified bounds against dense sampling, 0 violations;
    in eight parts of 125 cases (c % 8), which test workers share."""
    campaign = _campaign()
    result = campaign.run(cases=1000, seed=0, samples=2000, max_boxes=150, part=(part, 8))
    assert result["cases"] == 125
    assert result["violations"] == [] and sum(result["certified"].values()) > 3000 / 8


def test_soundness_campaign_parts_are_the_whole_campaign():
    """The parts c % k == i of the campaign check the same cases as the whole run, each once."""
    campaign = _campaign()
    seen = []
    campaign.dense_values = lambda s, ball, samples, seed: seen.append((s.m, tuple(ball.center), seed)) or {
        q: np.nan for q in campaign.QUANTITIES}
    campaign.certify = type("NoBounds", (), {q: staticmethod(lambda *a, **k: type("B", (), {"certified": False})())
                                             for q in campaign.QUANTITIES})
    whole = campaign.run(cases=6, seed=3, adversarial=4)
    everything, seen[:] = list(seen), []
    parts = [campaign.run(cases=6, seed=3, adversarial=4, part=(i, 3)) for i in range(3)]
    assert whole["cases"] == 10 and [p["cases"] for p in parts] == [4, 3, 3]
    assert sorted(seen, key=lambda x: x[2]) == everything


def test_soundness_campaign_small():
    """The same campaign on 15 cases, in the default run."""
    campaign = _campaign()
    result = campaign.run(cases=15, seed=1, samples=1000, max_boxes=100)
    assert result["violations"] == [] and result["certified"]["hessian_norm"] >= 10


# -- one table per quantity, and the old names ---------------------------------------------------------

def test_one_bound_per_quantity_of_the_registry():
    from plsym.quantities import QUANTITIES

    assert tuple(certify._BOUNDS) == tuple(QUANTITIES) == certify.CONFIRMABLE
    assert certify.__all__[4:] == list(QUANTITIES)
    for name, q in QUANTITIES.items():
        b = getattr(certify, name)(product(1.0), plsym.Ball([3.0, 1.0], 0.1), max_boxes=20)
        assert b.quantity == name and b.relation == ("lower" if q.kind == "inf" else "upper")


def _square():
    w = sympy.Symbol("w")
    return plsym.System([w**2], [w], [0.0]), plsym.Ball([1.0], 0.5)


def test_violation_x_and_its_summarized_repr():
    s, ball = _square()
    v = certify.confirm_violation(s, ball, "lipschitz", [1.5], 2.9, "upper")
    assert v.x == (1.5,) and v.status == "refuted" and "x=[1.5]" in repr(v)
    m = 20
    ws = sympy.symbols(f"w1:{m + 1}")
    big = plsym.System([sum(w**2 for w in ws)], list(ws), [0.0])
    v = certify.confirm_violation(big, plsym.Ball(np.ones(m), 0.1), "residual_norm", np.ones(m), 1.0, "upper")
    assert v.status == "refuted" and len(v.x) == m and "(20 coordinates)" in repr(v) and len(repr(v)) < 600


def test_old_violation_witness_warns_and_is_x():
    s, ball = _square()
    v = certify.confirm_violation(s, ball, "lipschitz", [1.5], 2.9, "upper")
    with pytest.warns(DeprecationWarning, match=r"Violation.witness is deprecated; use Violation.x"):
        assert v.witness == v.x


@pytest.mark.parametrize("old,new", [(">=", "lower"), ("<=", "upper")])
def test_old_relation_spellings_warn_and_still_work(old, new):
    s, ball = _square()
    quantity, claimed = ("kernel_min_eig", 10.0) if new == "lower" else ("lipschitz", 2.9)
    with pytest.warns(DeprecationWarning, match=rf"relation='{old}'\) is deprecated; use relation='{new}'"):
        v = certify.confirm_violation(s, ball, quantity, [1.5], claimed, old)
    assert v == certify.confirm_violation(s, ball, quantity, [1.5], claimed, new)
    assert v.status == "refuted"


def test_old_witness_keyword_warns_and_is_x():
    s, ball = _square()
    with pytest.warns(DeprecationWarning, match=r"confirm_violation\(witness=...\) is deprecated"):
        v = certify.confirm_violation(s, ball, "lipschitz", witness=[1.5], claimed=2.9, relation="upper")
    assert v.status == "refuted" and v.x == (1.5,)


def test_confirm_violation_arguments_are_checked():
    s, ball = _square()
    with pytest.raises(plsym.InvalidArgument, match=r"relation='tight' is not allowed; choose one of 'lower', 'upper'"):
        certify.confirm_violation(s, ball, "lipschitz", [1.5], 2.9, "tight")
    with pytest.raises(plsym.InvalidArgument, match=r"quantity='mu' is not allowed"):
        certify.confirm_violation(s, ball, "mu", [1.5], 2.9, "upper")
    with pytest.raises(plsym.InvalidArgument, match=r"foo=1 is not an option of confirm_violation; its arguments are "
                                                    r"system, ball, quantity, x, claimed, relation$"):
        certify.confirm_violation(s, ball, "lipschitz", [1.5], 2.9, "upper", foo=1)
    with pytest.raises(plsym.InvalidArgument, match=r"x has shape \(2, 1\)"):
        certify.confirm_violation(s, ball, "lipschitz", [[1.5], [1.0]], 2.9, "upper")
