"""The paper's results as checks: each proof script's verdict is what the mathematics dictates."""

import json
import pathlib
import re

import numpy as np
import pytest
import sympy

import plsym
from plsym import registry
from plsym.systems import linear, product
from plsym.theorems import C15, T3, T4, T6, T9, T10, T14, T17, T18, THEOREMS

ROOT = pathlib.Path(__file__).resolve().parents[1]

# What the mathematics (and the derivations in docs/theory.md) dictate for each script's example.
EXPECTED = {
    "T3": "holds", "T4": "holds", "T6": "holds", "T9": "holds", "T10": "holds", "T11": "holds", "T12": "holds",
    "T14": "holds", "T15": "holds", "T17-sum": "refuted", "T17-mean": "holds", "T18": "holds", "T19": "holds",
    "T20": "holds", "T23": "holds", "C15": "holds", "R1": "holds", "R2": "holds",
    "T1": "holds", "T1-X2": "holds", "T1-X4": "not applicable", "T1-net": "holds", "T2": "holds", "T2-net": "holds", "T2-X1": "holds", "T2-X4": "holds",
    "T5": "holds", "T7": "holds", "T8": "holds", "T13": "holds", "T21": "holds", "T22": "holds",
    "T22-resnet": "holds", "T22-conv2d": "holds", "T19-deep": "holds", "T19-depth3": "holds", "C24": "holds",
}
PROOFS = {p.id: p for p in registry.load()}


@pytest.mark.parametrize("pid", sorted(PROOFS, key=registry._order))
def test_proof_script_verdict(pid):
    check = PROOFS[pid].check(quick=True, rng=0)
    assert check.id == pid.split("-")[0]
    assert check.verdict == EXPECTED[pid], check.line()
    json.dumps(check.to_dict(), default=lambda x: x.tolist())  # serializable


def test_every_result_named_in_the_issue_has_a_script_and_a_theorem():
    wanted = {"T3", "T4", "T6", "T9", "T10", "T11", "T12", "T14", "T15", "T17", "T18", "T19", "T20", "T23", "C15", "R1", "R2"}
    assert wanted <= {p.split("-")[0] for p in PROOFS} and wanted <= set(THEOREMS)


def test_t4_pointwise_at_every_sampled_point():
    c = T4.check(product(2.9), plsym.Ball([3.0, 1.0], 0.5), level="sampled", rng=3, samples=500)
    assert c.verdict == "holds" and "rtol 1e-12" in c.conclusion.detail
    assert c.conclusion.measured >= c.conclusion.claimed * (1 - 1e-12)


def test_t6_zero_kernel_and_not_applicable_when_over_parameterized():
    a, b = sympy.symbols("a b")
    under = plsym.System([a, b, a * b], [a, b], [0.0, 0.0, 1.0])
    c = T6.check(under, plsym.Ball([0.3, 0.4], 1.0), level="sampled", samples=200)
    assert c.verdict == "holds" and c.conclusion.measured <= 2  # rank K <= m = 2 < n = 3
    assert "max_w lambda_min(K)/lambda_max(K)" in c.conclusion.detail and "== claimed 0 within the tolerance 1e-12: holds" in c.conclusion.detail
    over = T6.check(product(1.0), plsym.Ball([1.0, 2.0], 0.5), level="sampled", samples=50)
    assert over.verdict == "not applicable"


def test_t9_residual_recursion_and_not_strongly_convex():
    rng = np.random.default_rng(5)
    c = T9.check(linear(rng.standard_normal((3, 8)), rng.standard_normal(3)), plsym.Ball(np.zeros(8), 1.0), steps=100)
    names = {h.name: h for h in c.hypotheses}
    assert "residual recursion r_t = (I - eta A A^T)^t r_0 (C17), max relative error" in c.conclusion.detail
    assert "recursion" in c.conclusion.detail and ": holds" in c.conclusion.detail.split("recursion")[-1]
    sc = next(h for n, h in names.items() if n.startswith("not strongly convex"))
    assert sc.status == "holds"
    assert c.verdict == "holds"
    nonlinear = T9.check(product(1.0), plsym.Ball([1.0, 1.0], 0.1))
    assert nonlinear.verdict == "not applicable"


def test_t14_on_X3_every_step_under_the_bound_and_inside_the_ball():
    c = T14.check(product(2.9), plsym.Ball([3.0, 1.0], 0.5), level="searched", samples=512)
    s = c.series
    assert c.verdict == "holds"
    valid = s["losses"] > 1e-28
    assert np.all(s["losses"][valid] <= s["bound"][valid] * (1 + 1e-12))
    assert s["distances"].max() <= s["R_required"] <= 0.5  # the theorem's radius, not the ball's


def test_t14_not_applicable_when_the_ball_is_too_small():
    c = T14.check(product(2.9), plsym.Ball([3.0, 1.0], 0.05), level="searched", samples=256)
    assert c.verdict == "not applicable"
    assert any(h.status == "refuted" and "required radius" in h.name for h in c.hypotheses)


def test_c15_counterexample_is_found():
    c = C15.check(linear([[2.0]], [1.0]), plsym.Ball([0.0], 1.0), samples=128)
    assert c.verdict == "holds"  # the 1/2-form rate: L1/L0 = 0.01 <= 1 - eta mu = 0.1
    assert c.conclusion.measured == pytest.approx(0.01, rel=1e-9)  # L1 = 0.01 L0 (C15)
    assert c.conclusion.claimed == pytest.approx(0.1, rel=1e-9)
    other = c.series["other_reading"]  # the no-1/2 reading, reported beside: 1 - eta mu' = -0.8 < 0.01
    assert other["status"] == "refuted" and other["claimed"] == pytest.approx(-0.8, rel=1e-9)
    nohalf = C15.check(linear([[2.0]], [1.0]), plsym.Ball([0.0], 1.0), samples=128, claim=C15.claim.replace(mu_factor=2.0))
    assert nohalf.verdict == "refuted" and nohalf.conclusion.x == (0.0,)


def test_t17_recalled_constants_refuted_where_t18_holds():
    s, ball = linear([[1.0], [1.0]], [0.0, 0.0]), plsym.Ball([1.0], 0.5)
    rec = T17.check(s, ball, batch_size=2, samples=64)  # the summed-loss reading of mu (the default)
    mean = T17.check(s, ball, batch_size=2, samples=64, claim=T17.claim.replace(reading="mean"))
    der = T18.check(s, ball, batch_size=2, samples=64)
    assert rec.verdict == "refuted" and rec.conclusion.x is not None
    assert rec.conclusion.measured == pytest.approx(1 / 9, rel=1e-9) and rec.conclusion.claimed == pytest.approx(-1 / 3)
    assert "not of the paper" in rec.conclusion.detail and "other reading (mean)" in rec.conclusion.detail
    assert mean.verdict == "holds" and mean.conclusion.measured == pytest.approx(1 / 25, rel=1e-9)
    assert mean.conclusion.claimed == pytest.approx(3 / 5, rel=1e-12)
    assert der.verdict == "holds"


def test_t18_exact_expectation_matches_monte_carlo():
    from plsym.theorems.sgd import expected_loss_after_step

    rng = np.random.default_rng(0)
    s = linear(rng.standard_normal((3, 4)), rng.standard_normal(3))
    w = rng.standard_normal(4)
    exact = expected_loss_after_step(s, w[None, :], 0.05, 2)[0]
    from plsym.dynamics import sgd
    mc = np.mean([s.loss(sgd(s, w, eta=0.05, batch_size=2, steps=1, rng=k).points[1]) for k in range(3000)])
    assert exact == pytest.approx(mc, rel=0.02)


def test_t10_not_applicable_when_the_hessian_is_too_large():
    u1, u2, v1, v2 = sympy.symbols("u1 u2 v1 v2")
    h, k = sympy.Rational(1, 2), sympy.Rational(-13, 10)
    s = plsym.System([v1 * sympy.tanh(h * u1) + v2 * sympy.tanh(h * u2), v1 * sympy.tanh(k * u1) + v2 * sympy.tanh(k * u2)],
                     [u1, u2, v1, v2], [0.1, -0.2])
    c = T10.check(s, plsym.Ball([0.7, -0.4, 1.1, 0.9], 0.01), samples=256)
    assert c.verdict == "not applicable"


def test_t3_convex_linear_system_is_not_applicable():
    c = T3.check(linear(np.eye(2, 4), [1.0, 2.0]), plsym.Ball(np.zeros(4), 5.0))
    assert c.verdict == "not applicable"  # flat solution set: T1 claims nothing


def test_levels_are_validated():
    with pytest.raises(plsym.InvalidArgument, match="level='proved'"):
        T4.check(product(1.0), plsym.Ball([1.0, 1.0], 0.1), level="proved")


def test_registry_finds_a_new_script_with_no_other_edit(tmp_path):
    (tmp_path / "x1_new.py").write_text(
        "ID = 'X1'\n"
        "def check(*, quick=False, rng=0):\n"
        "    from plsym import Ball\n"
        "    from plsym.systems import product\n"
        "    from plsym.theorems import T4\n"
        "    return T4.check(product(1.0), Ball([1.2, 1.1], 0.3), level='sampled', rng=rng, samples=64)\n")
    (tmp_path / "_ignored.py").write_text("raise SystemExit('not run')\n")
    proofs = registry.load(tmp_path)
    assert [p.id for p in proofs] == ["X1"] and proofs[0].check(quick=True).verdict == "holds"
    (tmp_path / "x1_twin.py").write_text("ID = 'X1'\ndef check(*, quick=False, rng=0):\n    pass\n")
    with pytest.raises(plsym.InvalidArgument, match="more than one script"):
        registry.load(tmp_path)


def test_a_script_written_with_seed_still_runs_and_warns(tmp_path):
    (tmp_path / "x1_old.py").write_text(
        "ID = 'X1'\n"
        "def check(*, quick=False, seed=0):\n"
        "    from plsym import Ball\n"
        "    from plsym.systems import product\n"
        "    from plsym.theorems import T4\n"
        "    return T4.check(product(1.0), Ball([1.2, 1.1], 0.3), level='sampled', rng=seed, samples=64)\n")
    with pytest.warns(DeprecationWarning, match=r"x1_old.py: check\(seed=...\) is deprecated"):
        (proof,) = registry.load(tmp_path)
    assert proof.check(quick=True, rng=3).seed == 3
    with pytest.warns(DeprecationWarning, match=r"Proof.check\(seed=...\) is deprecated; use Proof.check\(rng=...\)"):
        assert proof.check(quick=True, seed=2).seed == 2
    with pytest.raises(plsym.InvalidArgument, match="unknown option.s. budget"):
        proof.check(budget=3)


def test_every_package_is_in_the_wheel():
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.search(r"packages = \[(.*?)\]", text).group(1).replace('"', "").replace(" ", "").split(","))
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "plsym").rglob("__init__.py")}
    assert found | {"plsym_proofs"} == listed


def test_the_old_name_of_the_pointwise_rtol_warns():
    from plsym.theorems import conditioning

    with pytest.warns(DeprecationWarning, match="plsym.theorems.conditioning.RTOL is deprecated; use "
                                                "plsym.theorems.conditioning.POINTWISE_RTOL"):
        assert conditioning.RTOL == conditioning.POINTWISE_RTOL == 1e-12


def test_every_script_states_the_constants_it_checks():
    """A script's CLAIM is written out in the file, and it is the theorem as stated unless the script
    checks another reading of recalled constants (T17) or declares a refutation as its finding."""
    import dataclasses

    for pid, proof in PROOFS.items():
        if proof.theorem is None or proof.theorem.claim is None:
            continue
        text = open(proof.path).read()
        assert "CLAIM = THEOREM.claim.replace(" in text, f"{pid}: the script does not write out its CLAIM"
        stated = proof.theorem.claim
        changed = {f.name for f in dataclasses.fields(stated) if getattr(proof.claim, f.name) != getattr(stated, f.name)}
        assert changed <= {"reading"}, f"{pid} checks {sorted(changed)} other than the theorem states"
