"""The landscape, singular-set, random-matrix and non-linear-output checks (T1, T2, T5, T7, T8, T13) against closed forms."""

import numpy as np
import pytest

import plsym
from plsym.systems import linear, linear_toy, network, network_data, product, sphere
from plsym.theorems import T1, T2, T5, T7, T8, T13, THEOREMS
from plsym.theorems.landscape import find_solution, menger_curvature
from plsym.theorems.singular import log_condition_numbers, parametrization_jacobian


# -- T1 ---------------------------------------------------------------------------------------

def test_t1_curvature_of_the_hyperbola_is_the_closed_form():
    c = T1.check(product(1.0), plsym.Ball([1.2, 0.9], 0.5))
    assert c.verdict == "holds", c.line()
    w = c.series["solution"]
    assert w[0] * w[1] == pytest.approx(1.0, abs=1e-12)
    exact = 2.0 / np.linalg.norm(w) ** 3  # curvature of w1 w2 = c at w is 2c / ||w||^3
    assert c.series["curvature"][-1] == pytest.approx(exact, rel=1e-3)
    # the chord midpoints leave the solution set: L > 0, shrinking like s^4 as the chord shrinks
    Lmid = c.series["midpoint_loss"]
    assert np.all(Lmid > 0) and np.all(np.diff(Lmid) < 0)
    ratio = Lmid[1] / Lmid[2]
    s = c.series["steps"]
    assert ratio == pytest.approx((s[1] / s[2]) ** 4, rel=0.05)


def test_t1_curvature_of_the_sphere_is_one_over_its_radius():
    c = T1.check(sphere(3, 4.0), plsym.Ball([1.5, 1.0, 0.5], 0.5), rng=3)
    assert c.verdict == "holds", c.line()
    assert np.linalg.norm(c.series["solution"]) == pytest.approx(2.0, rel=1e-12)
    assert c.series["curvature"] == pytest.approx(np.full(3, 0.5), rel=1e-9)  # great circles of radius 2


def test_t1_on_the_linear_toy_the_solution_set_is_flat_and_t1_does_not_apply():
    x4 = linear_toy()
    c = T1.check(x4, plsym.Ball(np.zeros(3), 3.0))
    assert c.verdict == "not applicable"
    curved = next(h for h in c.hypotheses if h.name.startswith("the solution set is curved"))
    assert curved.status == "refuted" and curved.measured < 1e-12 and "affine" in curved.detail
    assert curved.sentence().endswith(": refuted") and " = " in curved.sentence()
    assert np.all(c.series["midpoint_loss"] < 1e-24)  # chords of a line stay on it


def test_t1_not_over_parameterized_is_not_applicable():
    c = T1.check(linear([[2.0]], [1.0]), plsym.Ball([0.0], 1.0))  # m = n = 1: an isolated solution
    assert c.verdict == "not applicable" and c.hypotheses[0].status == "refuted"


def test_menger_curvature_of_three_points_on_a_circle():
    t = np.array([0.1, 0.5, 1.3])
    P = 3.0 * np.stack([np.cos(t), np.sin(t)], axis=1)
    assert menger_curvature(*P) == pytest.approx(1 / 3, rel=1e-12)
    assert menger_curvature([0, 0], [1, 1], [2, 2]) == 0.0


# -- T2 ---------------------------------------------------------------------------------------

def _net():
    X, y = network_data(4, 3, rng=0)
    net = network(X, y, [16], activation="tanh", rng=0)
    return net, plsym.Ball(net.w0, 20.0)


def test_t2_zero_eigenvalues_at_a_network_solution_and_its_mutant():
    net, ball = _net()
    c = T2.check(net, ball)
    assert c.verdict == "holds", c.line()
    eig = np.sort(np.abs(c.series["eigenvalues"]))
    assert c.conclusion.measured == net.m - net.n == 60
    assert eig[59] < 1e-12 * eig[-1] and eig[60] > 1e-6 * eig[-1]  # exactly rank n: the gap the verdict reads
    K = net.kernel(c.series["solution"])
    assert eig[60:] == pytest.approx(np.linalg.eigvalsh(K), rel=1e-8)  # J^T J and J J^T share their nonzero spectrum
    bad = T2.check(net, ball, claim=T2.claim.replace(zero_excess=1))
    assert bad.verdict == "refuted" and bad.conclusion.sentence().endswith("60 < claimed 61: refuted")


def test_t2_an_eigenvalue_between_round_off_and_the_gap_is_undecided():
    # A^T A has eigenvalues 1, 1e-8, 0: the 1e-8 lies in the undecided band (1e-9, 1e-6) relative
    s = linear([[1.0, 0.0, 0.0], [0.0, 1e-4, 0.0]], [1.0, 1e-4])
    ball = plsym.Ball(np.zeros(3), 3.0)
    assert T2.check(s, ball).verdict == "holds"
    c = T2.check(s, ball, claim=T2.claim.replace(zero_excess=1))
    assert c.verdict == "inconclusive", c.line()


def test_find_solution_reaches_the_solution_set():
    w = find_solution(sphere(4, 2.0), [0.3, 0.2, 0.1, 0.9])
    assert np.sum(w ** 2) == pytest.approx(2.0, abs=1e-13)


# -- T5 ---------------------------------------------------------------------------------------

def test_t5_stationary_points_in_a_pl_ball_are_solutions():
    c = T5.check(product(2.9), plsym.Ball([3.0, 1.0], 0.5), level="certified", starts=6, samples=128)
    assert c.verdict == "holds", c.line()
    S = c.series["stationary_points"]
    assert len(S) == 6 and np.allclose(S[:, 0] * S[:, 1], 2.9, atol=1e-12)


def test_t5_a_ball_around_the_saddle_is_not_applicable_with_the_saddle_as_witness():
    c = T5.check(product(1.0), plsym.Ball([0.1, 0.1], 0.5), level="sampled", starts=8, samples=128)
    assert c.verdict == "not applicable"
    assert c.hypotheses[0].status == "refuted"
    assert np.allclose(c.conclusion.x, 0.0, atol=1e-6)  # w = 0: grad L = 0, L = y^2 / 2
    assert c.conclusion.measured == pytest.approx(0.5, rel=1e-9)


# -- T7 ---------------------------------------------------------------------------------------

def test_t7_codimension_is_m_minus_n_plus_one_on_every_shape():
    shapes = [(2, 2), (2, 6), (3, 4), (4, 4), (4, 9), (6, 7)]
    c = T7.check(None, shapes=shapes, rng=1)
    assert c.verdict == "holds", c.line()
    assert c.series["codimension"] == [m - n + 1 for n, m in shapes]
    for offset in (0, 2):
        assert T7.check(None, shapes=shapes, claim=T7.claim.replace(codimension_offset=offset)).verdict == "refuted"


def test_parametrization_jacobian_matches_finite_differences():
    rng = np.random.default_rng(0)
    B, C = rng.standard_normal((3, 2)), rng.standard_normal((2, 4))
    J = parametrization_jacobian(B, C)
    x = np.concatenate([B.ravel(), C.ravel()])
    f = lambda x: (x[:6].reshape(3, 2) @ x[6:].reshape(2, 4)).ravel()  # noqa: E731
    h = 1e-6
    fd = np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))], axis=1)
    assert J == pytest.approx(fd, abs=1e-8)


def test_t7_bad_shapes_are_named():
    with pytest.raises(plsym.InvalidArgument, match=r"shapes\[0\]=\(5, 3\)"):
        T7.check(None, shapes=[(5, 3)])


# -- T8 ---------------------------------------------------------------------------------------

def test_log_condition_numbers_match_a_direct_computation_and_vanish_for_one_row():
    x = log_condition_numbers(4, 7, 30, rng=5, batch=7)
    A = np.random.default_rng(5)
    direct = []
    for k in range(30):
        if k % 7 == 0:
            block = A.standard_normal((min(7, 30 - k), 4, 7))
        direct.append(np.log(np.linalg.cond(block[k % 7] @ block[k % 7].T)))
    assert x == pytest.approx(direct, rel=1e-8)
    assert np.all(log_condition_numbers(1, 5, 10, rng=0) == 0.0)  # a single row: kappa(A A^T) = 1


def test_t8_holds_on_the_c20_pairs_and_a_bound_inside_the_interval_is_undecided():
    c = T8.check(None, shapes=[(5, 5), (10, 20)], trials=400, rng=2)
    assert c.verdict == "holds", c.line()
    mean = c.series["mean"][0]
    # a bound at the measured mean lies inside the confidence interval: neither holds nor refuted
    at_mean = T8.claim.replace(constant=mean - 2 * np.log(5.0))
    u = T8.check(None, shapes=[(5, 5)], trials=400, rng=2, claim=at_mean)
    assert u.verdict == "inconclusive", u.line()
    # a bound below the lower end of the interval is refuted
    low = T8.claim.replace(constant=mean - 2 * np.log(5.0) - 4 * c.series["half_width"][0])
    assert T8.check(None, shapes=[(5, 5)], trials=400, rng=2, claim=low).verdict == "refuted"


# -- T13 --------------------------------------------------------------------------------------

def test_t13_non_linear_output_keeps_the_hessian_while_the_linear_twin_decays():
    X, y = network_data(6, 4, rng=0)
    tmpl = network(X, y, [64], activation="tanh", output="tanh")
    kw = dict(widths=(64, 256, 1024), draws=1, steps=40, samples=16, level="sampled")
    c = T13.check(tmpl, plsym.Ball(tmpl.w0, 1.0), **kw)
    assert c.verdict == "holds", c.line()
    s = c.series["slopes"]
    assert abs(s["hessian"]) < 0.2 and s["hessian_linear"] < -0.3  # Theta(1) against ~ m^-1/2 (T19)
    assert abs(s["kernel"]) < 0.2 and s["kernel_linear"] < -0.5
    bad = T13.check(tmpl, plsym.Ball(tmpl.w0, 1.0), claim=T13.claim.replace(hessian_exponent=-0.5), **kw)
    assert bad.verdict == "refuted"
    lin = network(X, y, [64], activation="tanh")
    assert T13.check(lin, plsym.Ball(lin.w0, 1.0), **kw).verdict == "not applicable"


def test_the_new_theorems_are_registered():
    assert {"T1", "T2", "T5", "T7", "T8", "T13"} <= set(THEOREMS)


# -- T21 --------------------------------------------------------------------------------------

def _near_init(X, width, seed=0, offset=0.05):
    probe = network(X, np.zeros(len(X)), [width], activation="tanh", rng=seed)
    y = probe.F(probe.w0) + offset * np.random.default_rng(seed).standard_normal(len(X))
    return network(X, y, [width], activation="tanh", rng=seed)


def test_t21_gd_and_sgd_on_a_wide_network_and_its_rate_mutants():
    from plsym.theorems import T21

    X, _ = network_data(4, 6, rng=0)
    net, small = _near_init(X, 64), _near_init(X, 8)
    kw = dict(level="sampled", sgd_system=small, samples=8, sgd_samples=16)
    c = T21.check(net, None, **kw)
    assert c.verdict == "holds", c.line()
    gd = c.series["GD"]
    lam = np.linalg.eigvalsh(net.kernel(net.w0))
    r0 = np.linalg.norm(net.residual(net.w0))
    assert gd["R"] == pytest.approx(2 * np.sqrt(lam[-1]) * r0 / (0.5 * lam[0]), rel=1e-12)  # T20's mu, T21's radius
    assert gd["series"]["distances"].max() <= gd["R"]
    assert gd["series"]["losses"][-1] < 1e-25  # GD reached the round-off level of L
    assert c.series["SGD"]["width"] == 8
    gd3 = T21.check(net, None, claim=T21.claim.replace(rate_factor=3.0), **kw)
    assert gd3.verdict == "refuted" and gd3.conclusion.name.startswith("GD (T14)")


def test_t21_needs_a_linear_output_network():
    from plsym.theorems import T21

    with pytest.raises(plsym.InvalidArgument, match="NetworkSystem"):
        T21.check(product(1.0), None)


# -- T22 --------------------------------------------------------------------------------------

def test_t22_cnn_family_slopes_and_pl_on_the_ball():
    from plsym.systems import conv
    from plsym.theorems import T22

    rng = np.random.default_rng(0)
    tmpl = conv(rng.standard_normal((4, 2, 8)), rng.standard_normal(4), [16], kernel_size=3, readout="flatten")
    c = T22.check(tmpl, plsym.Ball(tmpl.w0, 1.0), widths=(16, 64, 256), samples=4, level="searched")
    assert c.verdict == "holds", c.line()
    s = c.series
    assert abs(s["lambda0_slope"]) < 0.1 and s["hessian_slope"] < -0.3
    assert s["lambda_min_ball"][-1] >= s["mu"] == pytest.approx(0.5 * s["lambda0"][-1])
    # the ball values are measured at every width: inf below lambda0, sup above ||H_F(W0)||
    assert len(s["lambda_min_ball"]) == len(s["hessian_ball"]) == 3
    assert np.all(np.array(s["lambda_min_ball"]) <= np.array(s["lambda0"]) * (1 + 1e-12))
    assert np.all(np.array(s["hessian_ball"]) >= np.array(s["hessian_at_w0"]) * (1 - 1e-9))
    assert s["lambda_min_ball_slope"] > -0.1
    bad = T22.check(tmpl, plsym.Ball(tmpl.w0, 1.0), widths=(16, 64, 256), samples=4, level="searched",
                    claim=T22.claim.replace(mu_fraction=0.99))
    assert bad.verdict == "refuted" and bad.conclusion.x is not None


def test_t22_slope_error_bar_makes_a_noisy_miss_inconclusive():
    from plsym.theorems.networks import _slope_error

    x = [1, 2, 4, 8]
    assert _slope_error(x, [1, 2, 4, 8]) == pytest.approx(0.0, abs=1e-12)  # an exact power law: no error bar
    assert _slope_error(x, [1, 3, 2, 8]) > 0.3
    assert _slope_error([1, 2], [1, 2]) == np.inf


def test_t22_rejects_a_non_network_template():
    from plsym.theorems import T22

    with pytest.raises(plsym.InvalidArgument, match="conv, resnet or network"):
        T22.check(product(1.0), plsym.Ball([1.0, 1.0], 0.5))


def test_the_new_rows_read_as_true_sentences(tmp_path):
    import json

    from plsym.reproduce import run

    ops = {("upper", "holds"): "<=", ("lower", "holds"): ">=", ("upper", "refuted"): ">", ("lower", "refuted"): "<"}
    ids = ["T1", "T1-X4", "T2", "T5", "T7", "T8", "T22"]
    assert run(out=str(tmp_path), quick=True, only=ids, mutants=True) == 0
    rows = json.loads((tmp_path / "report.json").read_text())
    assert sorted(r["id"] for r in rows) == sorted(ids)
    for r in rows:
        for v in r["hypotheses"] + [r["conclusion"]]:
            s, m, c = v["sentence"], v["measured"], v["claimed"]
            assert s.endswith(": " + v["status"])
            op = ops.get((v["relation"], v["status"]))
            if op and m is not None and c is not None:
                assert f" {op} claimed " in s
                assert {"<=": m <= c, ">=": m >= c, ">": m > c, "<": m < c}[op], s
        if r["mutants"]["tried"]:
            assert r["mutants"]["refuted"] == r["mutants"]["tried"], r["mutants"]


def test_report_groups_follow_the_catalog_and_count_its_results():
    import pathlib
    import re

    from plsym.reproduce import CATALOG, GROUPS, _markdown, group_of

    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "theory.md").read_text()
    results = set(re.findall(r"^#{3,4} ([TR]\d+)$", text, flags=re.M))  # the headings of the catalog's results
    assert len(CATALOG) == len(set(CATALOG)) == 27 and set(CATALOG) == results
    assert [name for name, _ in GROUPS] == ["landscape", "conditioning", "GD/SGD", "wide networks", "related work"]
    assert group_of("T17-sum") == "GD/SGD" and group_of("T22-resnet") == "wide networks" and group_of("X9") == "other"
    rows = [{"id": i, "theorem": i.split("-")[0], "statement": i, "verdict": "holds"} for i in ("R1", "T3", "T19-deep")]
    rows.append({"id": "T16", "statement": "x", "verdict": "error"})
    md = _markdown(rows, 0, True, 1.0)
    assert "Results of the catalog checked: 3 of 27 (T1-T23, R1-R4); not checked: T1, T2, T4," in md
    assert "T16 (a later paper's result)" in md.split("not checked:")[1].split("\n")[0]  # an error row does not count
    full = [{"id": i, "theorem": i, "statement": i, "verdict": "holds"} for i in CATALOG if i not in ("T16", "R3", "R4")]
    assert ("Results of the catalog checked: 24 of 27 (T1-T23, R1-R4); not checked: T16 (a later paper's result), "
            "R3 (asymptotic rates, no constants), R4 (no constants stated).") in _markdown(full, 0, True, 1.0)
    heads = [ln for ln in md.splitlines() if ln.startswith("## ")]
    assert heads[:4] == ["## landscape", "## GD/SGD", "## wide networks", "## related work"]  # the error row too


def test_every_proof_script_has_a_report_group_and_every_catalog_result_without_one_says_why():
    from plsym import registry
    from plsym.reproduce import _WITHOUT_SCRIPT, CATALOG, group_of

    scripts = {p.id.split("-")[0] for p in registry.load()}
    assert all(group_of(i) != "other" for i in scripts), sorted(i for i in scripts if group_of(i) == "other")
    assert {i for i in CATALOG if i not in scripts} == set(_WITHOUT_SCRIPT)
