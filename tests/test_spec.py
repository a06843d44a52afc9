"""Spec files and the check behind ``plsym check``, through the API.

Oracles: closed forms (linear: K = A A^T, H_F = 0, L_F = ||A||_2; the scaled
product F = s u v: inf lambda_min(K) = s^2 (|w0| - R)^2, ||H_F|| = s), the
example spec's outputs written out in numpy, and the contract of plsym.certify
played by a stand-in module.
"""

import dataclasses
import json
import math
import pathlib
import textwrap
import types

import numpy as np
import pytest

import plsym
from plsym import InvalidArgument, certify, spec as specs
from plsym.quantities import QUANTITIES, QuantityClaim
from plsym.results import Verdict
from plsym.systems.linear import LinearSystem

DATA = pathlib.Path(__file__).parent / "data"
TWO_TANH = DATA / "two_tanh.toml"
FAST = {"samples": 256}


def loads(text):
    return specs.loads(textwrap.dedent(text))


def verdicts(report):
    return {v.name: v.status for v in report.claims}


# -- loading ---------------------------------------------------------------------------

def test_example_spec_loads_as_written():
    s = specs.load(TWO_TANH)
    assert s.name == "two tanh neurons"
    assert (s.system.m, s.system.n) == (4, 2)
    assert s.ball == plsym.Ball([0.7, -0.4, 1.1, 0.9], 0.01)
    assert all(isinstance(c, QuantityClaim) for c in s.claims)
    assert [(c.quantity, c.relation, c.kind) for c in s.claims] == [
        ("kernel_min_eig", "lower", "inf"), ("pl_constant", "lower", "inf"),
        ("hessian_norm", "upper", "sup"), ("lipschitz", "upper", "sup"), ("smoothness", "upper", "sup"),
    ]
    # The parsed outputs against the same formula written in numpy (rtol 1e-15: identical float ops up to order).
    u1, u2, v1, v2 = w = np.array([0.3, -1.2, 0.8, 2.0])
    expected = [v1 * np.tanh(0.5 * u1) + v2 * np.tanh(0.5 * u2), v1 * np.tanh(-1.3 * u1) + v2 * np.tanh(-1.3 * u2)]
    np.testing.assert_allclose(s.system.F(w), expected, rtol=1e-15)
    np.testing.assert_array_equal(s.system.y, [0.1, -0.2])
    np.testing.assert_array_equal(s.system.w0, s.ball.center)


def test_matrix_spec_is_a_linear_system_with_kernel_a_at():
    s = loads("""
        matrix = [[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]]
        targets = [1.0, 2.0]
        [ball]
        center = [0.0, 0.0, 0.0]
        radius = 1.0
    """)
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])
    assert isinstance(s.system, LinearSystem)
    np.testing.assert_array_equal(s.system.kernel(np.ones(3)), A @ A.T)
    assert s.name == "<string>" and s.claims == ()


def test_name_defaults_to_the_file_stem(tmp_path):
    path = tmp_path / "my_system.toml"
    path.write_text("params = ['a']\noutputs = ['a']\ntargets = [0.0]\n[ball]\ncenter = [1.0]\nradius = 0.5\n")
    assert specs.load(path).name == "my_system"


def test_errors_start_with_the_source():
    with pytest.raises(InvalidArgument, match=r"^<string>: unknown key nmae; allowed: name, params"):
        specs.loads('nmae = "x"')


def test_unknown_options_are_invalid_arguments():
    with pytest.raises(InvalidArgument, match=r"^sourc='a' is not an option of loads; its options are source$"):
        specs.loads('name = "x"', sourc="a")
    with pytest.raises(InvalidArgument, match=r"^src='a' is not an option of from_dict; its options are source$"):
        specs.from_dict({}, src="a")


@pytest.mark.parametrize("name,value,pattern", [
    ("pl_star_constant", 1.0, r"claims.pl_star_constant is not a claim; allowed claims: kernel_min_eig, pl_constant, "
                              r"hessian_norm, lipschitz, smoothness, residual_norm$"),
    ("pl_constant", 0.0, r"claims.pl_constant=0.0 must be > 0 \(mu in 1/2 \|\|grad L\(w\)\|\|\^2 / L\(w\) >= mu, D1"),
    ("residual_norm", -1.0, r"claims.residual_norm=-1.0 must be >= 0 \(a norm bound"),
    ("kernel_min_eig", -1, r"claims.kernel_min_eig=-1 must be > 0"),
    ("lipschitz", -0.5, r"claims.lipschitz=-0.5 must be >= 0"),
    ("smoothness", math.inf, r"claims.smoothness=inf must be a finite number"),
    ("hessian_norm", True, r"claims.hessian_norm=True must be a finite number, not bool"),
    ("hessian_norm", "1", r"claims.hessian_norm='1' must be a finite number, not a string"),
])
def test_claim_values_are_checked(name, value, pattern):
    with pytest.raises(InvalidArgument, match=pattern):
        specs.claim(name, value)


def test_hessian_claims_on_non_smooth_outputs_are_bad_input():
    text = """
        params = ["u", "v"]
        outputs = ["abs(u) * v"]
        targets = [1.0]
        [ball]
        center = [1.0, 1.0]
        radius = 0.1
        [claims]
        smoothness = 3.0
    """
    with pytest.raises(InvalidArgument, match=r"claims.smoothness cannot be checked: Hessians .* Abs"):
        loads(text)
    report = specs.check(loads(text.replace("smoothness = 3.0", "lipschitz = 3.0")), **FAST)
    rows = {c.name: c for c in report.constants}
    assert rows["hessian_norm"].sampled is None and "not defined" in rows["hessian_norm"].detail
    assert rows["lipschitz"].sampled is not None
    assert verdicts(report) == {"lipschitz": "holds"}


# -- verdicts against closed forms --------------------------------------------------------------

def test_example_spec_claims_hold_and_tighter_ones_are_refuted_at_real_points():
    s = specs.load(TWO_TANH)
    report = specs.check(s, **FAST)
    assert set(verdicts(report).values()) == {"holds"} and report.exit_code == 0
    tight = dataclass_replace_claims(s, {"pl_constant": 2.6, "hessian_norm": 0.5, "lipschitz": 3.0})
    report = specs.check(tight, **FAST)
    assert verdicts(report) == {"pl_constant": "refuted", "hessian_norm": "refuted", "lipschitz": "holds"}
    assert report.exit_code == 1
    for v in report.claims:
        if v.status == "refuted":  # x is a point of the ball where the claim fails
            w = np.array(v.x)
            assert s.ball.contains(w)
            if v.name == "pl_constant":
                g, L = s.system.grad(w), s.system.loss(w)
                assert 0.5 * g @ g < 2.6 * L
                assert v.measured == pytest.approx(0.5 * g @ g / L, rel=1e-12)
            else:
                assert s.system.hessian_norm(w) > 0.5


def dataclass_replace_claims(s, claims):
    return dataclasses.replace(s, claims=tuple(specs.claim(k, v) for k, v in claims.items()))


@pytest.mark.parametrize("scale", [1.0, 1e8, 1e-8])
def test_scaled_product_closed_forms(scale):
    """F = s u v on B((3, 1), 0.5): K = s^2 (u^2 + v^2), inf = s^2 (sqrt(10) - 0.5)^2; ||H_F|| = s everywhere."""
    inf_k = scale**2 * (math.sqrt(10.0) - 0.5) ** 2
    s = loads(f"""
        params = ["u", "v"]
        outputs = ["{scale!r}*u*v"]
        targets = [0.0]
        [ball]
        center = [3.0, 1.0]
        radius = 0.5
    """)
    report = specs.check(s, **FAST)
    rows = {c.name: c for c in report.constants}
    assert rows["kernel_min_eig"].searched == pytest.approx(inf_k, rel=1e-6)
    # Attained at a point of the ball, so never below the inf, up to the ball's own rounding slack
    # (Ball.contains admits 1e-12 (R + |w0|) beyond the sphere, which moves lambda_min by ~1e-11 relative).
    assert rows["kernel_min_eig"].searched >= inf_k * (1 - 1e-10)
    assert rows["hessian_norm"].searched == pytest.approx(scale, rel=1e-12)
    claims = {"kernel_min_eig": 0.99 * inf_k, "hessian_norm": scale, "lipschitz": 1.01 * scale * (math.sqrt(10) + 0.5)}
    assert set(verdicts(specs.check(dataclass_replace_claims(s, claims), **FAST)).values()) == {"holds"}
    claims = {"kernel_min_eig": 1.01 * inf_k, "hessian_norm": 0.99 * scale, "lipschitz": 0.99 * scale * (math.sqrt(10) + 0.5)}
    assert set(verdicts(specs.check(dataclass_replace_claims(s, claims), **FAST)).values()) == {"refuted"}


def test_near_singular_kernel_rounding_never_refutes_an_equality():
    """K = diag(1, 1e-14) everywhere: lambda_min = 1e-14 exactly."""
    s = loads("""
        matrix = [[1.0, 0.0, 0.0], [0.0, 1e-7, 0.0]]
        targets = [1.0, 2.0]
        [ball]
        center = [0.0, 0.0, 0.0]
        radius = 1.0
    """)
    lam = 1e-7**2
    claims = {"kernel_min_eig": lam}
    assert verdicts(specs.check(dataclass_replace_claims(s, claims), **FAST)) == {"kernel_min_eig": "holds"}
    report = specs.check(dataclass_replace_claims(s, {"kernel_min_eig": 0.5 * lam}), **FAST)
    assert verdicts(report) == {"kernel_min_eig": "holds"}
    # lambda_min is exactly fl(1e-7)^2: a claim above it by a relative 1e-12, far below the float rounding of
    # the largest eigenvalue 1, is false, and ball arithmetic at x proves it
    for value in (lam * (1 + 1e-12), 2 * lam):
        report = specs.check(dataclass_replace_claims(s, {"kernel_min_eig": value}), **FAST)
        assert verdicts(report) == {"kernel_min_eig": "refuted"}, value
        assert "ball arithmetic" in report.claims[0].detail
    report = specs.check(dataclass_replace_claims(s, {"kernel_min_eig": 1e-6, "pl_constant": 1e-6}), **FAST)
    assert verdicts(report) == {"kernel_min_eig": "refuted", "pl_constant": "refuted"}
    assert report.claims[0].measured == pytest.approx(lam, rel=1e-6)


UNDEFINED = [
    ("log(u) * v", [0.05, 1.0], 0.1),      # log of a negative number on part of the ball
    ("sqrt(u - 1) + v", [1.0, 0.0], 0.5),  # sqrt of a negative number on half the ball
    ("log(u) + v", [-1.0, 0.0], 0.5),      # undefined on the whole ball
    ("acosh(u) * v", [1.0, 1.0], 0.2),     # acosh below 1
]


@pytest.mark.parametrize("output,center,radius", UNDEFINED, ids=[u[0] for u in UNDEFINED])
@pytest.mark.parametrize("claims", [
    {"kernel_min_eig": 1e-9, "pl_constant": 1e-9, "hessian_norm": 1e9, "lipschitz": 1e9, "smoothness": 1e9,
     "residual_norm": 1e9},  # loose
    {"kernel_min_eig": 1e9, "pl_constant": 1e9, "hessian_norm": 1e-9, "lipschitz": 1e-9, "smoothness": 1e-9,
     "residual_norm": 1e-9},  # tight
], ids=["loose", "tight"])
def test_nan_never_makes_a_claim_look_held_or_refuted(output, center, radius, claims):
    s = loads(f"""
        params = ["u", "v"]
        outputs = ["{output}", "u * v"]
        targets = [0.0, 1.0]
        [ball]
        center = {center}
        radius = {radius}
    """)
    report = specs.check(dataclass_replace_claims(s, claims), **FAST)
    assert set(verdicts(report).values()) == {"undefined"}
    assert report.exit_code == 1
    for v in report.claims:
        w = np.array(v.x)
        assert s.ball.contains(w) and not np.all(np.isfinite(s.system.F(w)))
    assert all(c.sampled is None and "undefined" in c.detail for c in report.constants)
    json.dumps(report.to_dict(), allow_nan=False)  # valid JSON: no NaN anywhere


def test_zero_loss_everywhere_gives_no_pl_ratio_and_no_false_verdict():
    s = loads("""
        params = ["u"]
        outputs = ["0*u + 1"]
        targets = [1.0]
        [ball]
        center = [0.0]
        radius = 1.0
        [claims]
        pl_constant = 5.0
        kernel_min_eig = 0.1
    """)
    report = specs.check(s, **FAST)
    assert verdicts(report) == {"pl_constant": "holds", "kernel_min_eig": "refuted"}  # K = 0 < 0.1
    assert "L(w) = 0" in report.claims[0].detail
    assert {c.name: c.sampled for c in report.constants}["pl_constant"] is None


# -- the report ---------------------------------------------------------------------------------

def test_report_dict_has_fixed_keys_and_is_deterministic():
    s = specs.load(TWO_TANH)
    a, b = specs.check(s, rng=3, **FAST), specs.check(s, rng=3, **FAST)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    d = a.to_dict()
    assert set(d) == {"name", "level", "seed", "samples", "constants", "claims"}
    assert list(d["constants"]) == list(QUANTITIES) == ["kernel_min_eig", "pl_constant", "hessian_norm", "lipschitz",
                                                        "smoothness", "residual_norm"]
    for row in d["constants"].values():
        assert set(row) == {"sampled", "searched", "certified", "detail"}
    for row in d["claims"]:
        assert set(row) == {"name", "status", "method", "claimed", "measured", "relation", "detail", "x", "sentence"}
    assert (d["seed"], d["level"]) == (3, "searched")
    other = specs.check(s, rng=4, **FAST).to_dict()
    assert other["constants"]["kernel_min_eig"]["sampled"] != d["constants"]["kernel_min_eig"]["sampled"]


def test_levels_are_cumulative_and_sampling_is_shared():
    s = specs.load(TWO_TANH)
    sampled = {c.name: c for c in specs.check(s, level="sampled", **FAST).constants}
    searched = {c.name: c for c in specs.check(s, level="searched", **FAST).constants}
    for name, row in searched.items():
        assert sampled[name].searched is None and sampled[name].sampled == row.sampled
        if row.name in ("kernel_min_eig", "pl_constant"):
            assert row.searched <= row.sampled
        else:
            assert row.searched >= row.sampled


@pytest.mark.parametrize("kwargs,pattern", [
    ({"level": "proved"}, r"level='proved' is not allowed; choose one of 'sampled', 'searched', 'certified'"),
    ({"samples": 1}, r"samples=1 must be an integer >= 2"),
    ({"rng": -1}, r"rng=-1 must be a non-negative int seed"),
    ({"sample": 10}, r"sample=10 is not an option of check; its options are level, rng, samples"),
])
def test_check_arguments_are_checked(kwargs, pattern):
    with pytest.raises(InvalidArgument, match=pattern):
        specs.check(specs.load(TWO_TANH), **kwargs)


def test_check_needs_a_spec():
    with pytest.raises(InvalidArgument, match=r"spec='x.toml' must be a plsym.spec.Spec"):
        specs.check("x.toml")


# -- the certified level, through plsym.certify's contract -----------------------------------------

def _bound(value, certified, relation):
    return types.SimpleNamespace(value=value, certified=certified, relation=relation, detail="stand-in", boxes=1,
                                 seconds=0.0)


def _fake_certify(monkeypatch, bounds):
    """Stand-ins for plsym.certify's functions, returning the given Bounds."""
    for name, q in QUANTITIES.items():
        none = _bound(None, False, "lower" if q.kind == "inf" else "upper")
        monkeypatch.setattr(certify, name, lambda system, ball, _b=bounds.get(name, none), **kw: _b)


def test_certified_needs_a_certified_bound_that_proves_the_claim(monkeypatch):
    s = dataclass_replace_claims(specs.load(TWO_TANH),
                                 {"kernel_min_eig": 0.012, "pl_constant": 0.012, "lipschitz": 3.0, "smoothness": 10.0})
    _fake_certify(monkeypatch, {
        "kernel_min_eig": _bound(0.013, True, "lower"),   # proves >= 0.012
        "pl_constant": _bound(0.005, True, "lower"),      # true but too weak
        "lipschitz": _bound(2.0, False, "upper"),         # not certified
        "smoothness": _bound(5.0, True, "lower"),         # wrong direction: proves nothing about a sup
    })
    report = specs.check(s, level="certified", **FAST)
    assert verdicts(report) == {"kernel_min_eig": "certified", "pl_constant": "holds",
                                "lipschitz": "holds", "smoothness": "holds"}
    rows = {c.name: c for c in report.constants}
    assert rows["kernel_min_eig"].certified == 0.013 and rows["pl_constant"].certified == 0.005
    assert rows["lipschitz"].certified is None and "stand-in" in rows["lipschitz"].detail
    assert rows["smoothness"].certified is None


def test_a_refutation_is_never_hidden_by_a_certificate(monkeypatch):
    s = dataclass_replace_claims(specs.load(TWO_TANH), {"hessian_norm": 0.5})
    _fake_certify(monkeypatch, {"hessian_norm": _bound(0.4, True, "upper")})
    (v,) = specs.check(s, level="certified", **FAST).claims
    assert v.status == "refuted" and "contradicts certify's bound" in v.detail


def test_real_certify_on_a_linear_system():
    pytest.importorskip("plsym.certify")
    s = loads("""
        matrix = [[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]]
        targets = [1.0, 2.0]
        [ball]
        center = [0.0, 0.0, 0.0]
        radius = 1.0
        [claims]
        kernel_min_eig = 0.5
        lipschitz = 4.0
        smoothness = 3.0
    """)
    report = specs.check(s, level="certified", **FAST)
    assert verdicts(report) == {"kernel_min_eig": "certified", "lipschitz": "certified", "smoothness": "refuted"}
    lam = np.linalg.eigvalsh(np.array([[5.0, 2.0], [2.0, 10.0]]))
    rows = {c.name: c for c in report.constants}
    # certified bounds lie on the far side of the attained values (rtol 1e-12 for float ties)
    assert rows["kernel_min_eig"].certified <= lam[0] * (1 + 1e-12) <= rows["kernel_min_eig"].searched * (1 + 1e-12)
    assert rows["lipschitz"].certified >= math.sqrt(lam[1]) * (1 - 1e-12)


# -- the deep search ---------------------------------------------------------------------------

def test_deep_search_covers_every_quantity_of_the_registry():
    s = specs.load(TWO_TANH)
    assert all(specs.search_engine(q) == "plsym.search" for q in plsym.quantities.QUANTITIES)
    v = specs.deep_search(s, "hessian_norm", 0.5, max_examples=256)
    assert v.status == "refuted" and s.system.hessian_norm(np.array(v.x)) > 0.5
    assert specs.deep_search(s, "residual_norm", 1.0, max_examples=256).status == "holds"  # ||F - y|| <= 0.21 here


def test_deep_search_with_plsym_search():
    s = specs.load(TWO_TANH)
    v = specs.deep_search(s, "pl_constant", 2.6, max_examples=30)
    assert isinstance(v, Verdict) and v.status == "refuted" and "plsym.search" in v.detail
    w = np.array(v.x)
    g = s.system.grad(w)
    assert s.ball.contains(w) and 0.5 * g @ g < 2.6 * s.system.loss(w)
    assert specs.deep_search(s, "kernel_min_eig", 0.012, max_examples=30).status == "holds"


def test_deep_search_arguments_are_checked():
    s = specs.load(TWO_TANH)
    with pytest.raises(InvalidArgument, match=r"claims.pl is not a claim"):
        specs.deep_search(s, "pl", 1.0)
    with pytest.raises(InvalidArgument, match=r"max_examples=1 must be an integer >= 2"):
        specs.deep_search(s, "pl_constant", 1.0, max_examples=1)
    with pytest.raises(InvalidArgument, match=r"examples=3 is not an option of deep_search"):
        specs.deep_search(s, "pl_constant", 1.0, examples=3)


# -- old names: each warns and still works ----------------------------------------------------------

def test_old_claim_key_pl_star_warns_and_reads_as_pl_constant():
    with pytest.warns(DeprecationWarning, match=r"pl_star is deprecated; use claims.pl_constant"):
        s = specs.loads(TWO_TANH.read_text().replace("pl_constant = 0.012", "pl_star = 0.012"))
    assert s.claims[1] == QuantityClaim("pl_constant", 0.012)
    with pytest.warns(DeprecationWarning, match=r"use claims.pl_constant"):
        assert specs.claim("pl_star", 2.0) == QuantityClaim("pl_constant", 2.0)
    with pytest.raises(InvalidArgument, match=r"claims.pl_star and claims.pl_constant are the same claim"), \
            pytest.warns(DeprecationWarning):
        specs.loads(TWO_TANH.read_text() + "pl_star = 0.012\n")


@pytest.mark.parametrize("old,new", [
    ("Claim", QuantityClaim), ("Verdict", Verdict), ("VERDICTS", plsym.results.STATUSES),
])
def test_old_module_names_warn_and_forward(old, new):
    with pytest.warns(DeprecationWarning, match=rf"plsym.spec.{old} is deprecated; use plsym"):
        assert getattr(specs, old) is new


def test_old_tables_warn_and_are_derived_from_the_registry():
    with pytest.warns(DeprecationWarning, match=r"plsym.spec.CLAIMS is deprecated; use plsym.quantities.QUANTITIES"):
        claims = specs.CLAIMS
    assert claims["kernel_min_eig"][:2] == ("kernel_min_eig", ">=") and claims["lipschitz"][1] == "<="
    with pytest.warns(DeprecationWarning, match=r"plsym.spec.CONSTANTS is deprecated"):
        constants = specs.CONSTANTS
    assert list(constants) == list(QUANTITIES)
    assert constants["pl_constant"][0::2] == ("inf", "lower") and constants["smoothness"][0::2] == ("sup", "upper")


def test_old_seed_option_warns_and_is_rng():
    s = specs.load(TWO_TANH)
    with pytest.warns(DeprecationWarning, match=r"check\(seed=...\) is deprecated; use check\(rng=...\)"):
        old = specs.check(s, seed=3, level="sampled", **FAST)
    assert old == specs.check(s, rng=3, level="sampled", **FAST)
    with pytest.warns(DeprecationWarning, match=r"deep_search\(seed=...\)"):
        assert specs.deep_search(s, "lipschitz", 3.0, seed=1, max_examples=20).status == "holds"
    with pytest.raises(InvalidArgument, match=r"seed=1 and rng=2 are both given"):
        specs.check(s, seed=1, rng=2)


def test_constant_reason_warns_and_is_detail():
    row = specs.check(specs.load(TWO_TANH), level="sampled", **FAST).constants[0]
    with pytest.warns(DeprecationWarning, match=r"Constant.reason is deprecated; use Constant.detail"):
        assert row.reason == row.detail


def test_a_generator_as_rng_is_recorded_as_the_seed_it_drew():
    s = specs.load(TWO_TANH)
    report = specs.check(s, rng=np.random.default_rng(5), level="sampled", **FAST)
    assert report == specs.check(s, rng=report.seed, level="sampled", **FAST)


def test_old_verdict_attributes_warn_and_still_work():
    s = dataclass_replace_claims(specs.load(TWO_TANH), {"hessian_norm": 0.5, "lipschitz": 3.0})
    refuted, held = specs.check(s, **FAST).claims
    assert isinstance(refuted, Verdict) and (refuted.status, held.status) == ("refuted", "holds")
    with pytest.warns(DeprecationWarning, match=r"Verdict.verdict is deprecated; use Verdict.status"):
        assert (refuted.verdict, held.verdict) == ("refuted", "not refuted")
    with pytest.warns(DeprecationWarning, match=r"Verdict.value is deprecated; use Verdict.claimed"):
        assert refuted.value == refuted.claimed == 0.5
    with pytest.warns(DeprecationWarning, match=r"Verdict.reason is deprecated; use Verdict.detail"):
        assert refuted.reason == refuted.detail
    with pytest.warns(DeprecationWarning, match=r"Verdict.witness is deprecated; use Verdict.x"):
        assert refuted.witness == refuted.x
    with pytest.warns(DeprecationWarning, match=r"Verdict.to_text\(\) is deprecated; use plsym.spec.verdict_text"):
        assert refuted.to_text() == specs.verdict_text(refuted)
    assert specs.LEVELS is plsym.results.LEVELS
