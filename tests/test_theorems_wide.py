"""Wide networks: T19, T20, R1 (Du et al.), R2 (MLI) against the theory (docs/theory.md §3.8, §7).

Every comparison states its tolerance. Width slopes are least-squares fits of
log-log data over widths 64 ... 4096 and carry draw-to-draw noise of a few
hundredths, so they are compared with an absolute tolerance of 0.1.
"""

import importlib.util
import pathlib
import re

import numpy as np
import pytest

from plsym import Ball, InvalidArgument
from plsym.systems import from_callable
from plsym.systems.network import network
from plsym.theorems import TheoremCheck
from plsym.theorems.wide import (
    MLI_COUNTEREXAMPLE_ETA, R1, R2, T19, T20, _two_layer_sup_witness, du_gram, du_h_infinity, du_network,
    mli_counterexample,
)

WIDTHS = (64, 128, 256, 512, 1024, 2048, 4096)
PROOFS = pathlib.Path(__file__).resolve().parent.parent / "proofs"


def _data(n=6, d=4, seed=0):
    """Inputs of norm sqrt(d) (so u . x / sqrt d ~ N(0, 1) at W0) and targets."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X * np.sqrt(d) / np.linalg.norm(X, axis=1, keepdims=True), rng.standard_normal(n)


def _unit(X):
    return X / np.linalg.norm(X, axis=1, keepdims=True)


# -- T19 ----------------------------------------------------------------------------------

def test_t19_two_layer_tanh_hessian_slope_is_minus_one_half():
    X, y = _data()
    template = network(X, y, [64])
    c = T19.check(template, Ball(template.w0, 10.0), level="searched", rng=0, widths=WIDTHS, samples=8)
    assert isinstance(c, TheoremCheck)
    assert -0.6 <= c.series["slope"] <= -0.4  # T19's rate -1/2 (a log factor on top)
    # one-sided: the claim is the exponent -1/2 plus the allowance of (log m)^1 over these widths
    assert c.verdict == "holds" and c.relation == "upper"
    assert c.claimed == pytest.approx(-0.5 + c.series["allowance"], abs=1e-12) and 0 < c.series["allowance"] < 0.25
    assert c.seed == 0 and c.series["widths"] == list(WIDTHS) and c.series["R"] == 10.0
    assert set(c.series) >= {"widths", "hessian_sup", "hessian_at_w0", "slope", "R"}
    # the sup over the ball is at least the value at its center
    assert np.all(np.array(c.series["hessian_sup"]) >= np.array(c.series["hessian_at_w0"]))


def test_t19_same_seed_same_result():
    X, y = _data()
    template = network(X, y, [64])
    a = T19.check(template, Ball(template.w0, 3.0), rng=7, widths=(64, 256), samples=4)
    b = T19.check(template, Ball(template.w0, 3.0), rng=7, widths=(64, 256), samples=4)
    assert a.series["hessian_sup"] == b.series["hessian_sup"] and a.series["seeds"] == b.series["seeds"]


@pytest.mark.parametrize("seed", [0, 1])
def test_t19_per_neuron_reduction_dominates_sampling(seed):
    """The exact reduction's witness is in the ball and no sampled point beats it (rtol 1e-9)."""
    X, y = _data(n=3, d=2, seed=seed)
    net = network(X, y, [3], rng=seed)
    R = 1.5
    ball = Ball(net.w0, R)
    W = _two_layer_sup_witness(net, R)
    assert ball.contains(W)
    best = float(net.hessian_norm(W))
    P = np.vstack([ball.sample(20000, rng=seed), ball.sample(20000, rng=seed + 1, where="sphere")])
    assert net.hessian_norm(P).max() <= best * (1 + 1e-9)


def test_t19_nonlinear_output_does_not_decay():
    """T13: with output='tanh' the Hessian stays Theta(1); the slope is far from -1/2."""
    X, y = _data()
    template = network(X, y, [64], output="tanh")
    c = T19.check(template, Ball(template.w0, 10.0), level="sampled", rng=0, widths=WIDTHS, samples=2)
    assert c.series["slope"] > -0.25
    assert c.conclusion.status == "refuted"
    assert c.hypotheses[0].status == "refuted" and c.verdict == "not applicable"


def test_t19_relu_hidden_layer_is_not_applicable():
    X, y = _data()
    c = T19.check(network(X, y, [8], activation="relu"), Ball(np.zeros(40), 1.0), widths=(8, 16))
    assert c.verdict == "not applicable" and c.conclusion.measured is None

@pytest.mark.parametrize("depth", [1, 2, 3])
def test_t19_radius_exponent_is_three_times_the_depth(depth):
    """R^{3L}: the claimed radius exponent follows the number L of hidden layers (6 at L = 2, 9 at L = 3)."""
    X, y = _data()
    template = network(X, y, [4] * depth)
    c = T19.check(template, Ball(template.w0, 2.0), level="sampled", rng=0, widths=(4, 8), samples=2)
    assert f"against 1 + R (worst width)" in c.conclusion.detail
    assert c.conclusion.detail.endswith(f" <= claimed {3 * depth}: holds")
    assert c.series["widths"] == [4, 8] and len(c.series["radius_slopes"]) == 2
    wrong = T19.check(template, Ball(template.w0, 2.0), level="sampled", rng=0, widths=(4, 8), samples=2,
                      claim=T19.claim.replace(radius_exponent=3.0 * depth - 1))
    assert wrong.conclusion.detail.endswith(f" <= claimed {3 * depth - 1}: holds")



# -- T20 ----------------------------------------------------------------------------------

def test_t20_widest_width_is_pl_and_kernel_change_decreases():
    X, y = _data()
    template = network(X, y, [64])
    widths = (64, 256, 1024, 4096)
    c = T20.check(template, Ball(template.w0, 2.0), level="searched", rng=0, widths=widths, samples=16, steps=60)
    s = c.series
    assert set(s) >= {"widths", "lambda0", "lambda_min_ball", "kernel_change", "kernel_change_slope", "R"}
    assert s["lambda_min_ball"][-1] >= 0.5 * s["lambda0"][-1]  # mu = lambda0 / 2
    assert c.conclusion.status == "holds" and c.verdict == "holds"
    # the infimum over the ball is never above the value at its center
    assert np.all(np.array(s["lambda_min_ball"]) <= np.array(s["lambda0"]) * (1 + 1e-12))
    change = np.array(s["kernel_change"])
    assert change[-1] < change[0] and s["kernel_change_slope"] <= -0.4  # C24: at least like m^-1/2


# -- C24 ----------------------------------------------------------------------------------

def test_c24_kernel_change_decays_on_a_linear_output_and_not_on_a_tanh_output():
    from plsym.theorems import C24, THEOREMS

    assert THEOREMS["C24"] is C24
    X, y = _data()
    widths = (64, 256, 1024)
    linear = network(X, y, [64])
    c = C24.check(linear, Ball(linear.w0, 5.0), rng=0, widths=widths, steps=40)
    s = c.series
    assert c.id == "C24" and c.verdict == "holds" and c.relation == "upper"
    assert c.claimed == pytest.approx(-0.5 + s["allowance"], abs=1e-12)
    assert s["slope"] <= -0.4 and s["kernel_change"][-1] < s["kernel_change"][0] and s["travel"] <= 5.0
    # the slope is the least-squares fit of the recorded changes
    assert s["slope"] == pytest.approx(np.polyfit(np.log(widths), np.log(s["kernel_change"]), 1)[0], rel=1e-12)
    mutant = C24.check(linear, Ball(linear.w0, 5.0), rng=0, widths=widths, steps=40,
                       claim=C24.claim.replace(kernel_exponent=-1.5))
    assert mutant.verdict == "refuted"
    # T13: a non-linear output keeps the kernel moving; its hypothesis fails, and so does the slope
    tanh = network(X, y, [64], output="tanh")
    t = C24.check(tanh, Ball(tanh.w0, 5.0), rng=0, widths=widths, steps=40)
    assert t.verdict == "not applicable" and t.hypotheses[0].status == "refuted" and t.conclusion.status == "refuted"
    # GD leaving B(W0, R): R is not fixed, the theorem says nothing
    small = C24.check(linear, Ball(linear.w0, 0.1), rng=0, widths=widths, steps=40)
    assert small.verdict == "not applicable" and small.hypotheses[1].status == "refuted"
    with pytest.raises(InvalidArgument, match="NetworkSystem"):
        C24.check(from_callable(lambda w: w, m=2, n=2, y=[0.0, 0.0]), Ball([0.0, 0.0], 1.0))


# -- R1 -----------------------------------------------------------------------------------

def test_r1_tangent_kernel_is_dus_gram_matrix():
    """C25 at w0 and at random points: K(W) = H(W), rtol 1e-12."""
    X, y = _data(n=5, d=3)
    X = _unit(X)
    s = du_network(X, y, 256, rng=3)
    pts = np.vstack([s.w0, s.w0 + np.random.default_rng(1).standard_normal((4, s.m))])
    for w in pts:
        np.testing.assert_allclose(s.kernel(w), du_gram(X, w.reshape(256, 3)), rtol=1e-12, atol=0)


def test_r1_jacobian_matches_central_differences():
    """The exact relu Jacobian against differences of F (no activation kink within h: rtol 1e-6)."""
    X, y = _data(n=4, d=3)
    X = _unit(X)
    s = du_network(X, y, 16, rng=2)
    fd = from_callable(lambda W: s.F(W), m=s.m, n=s.n, y=y, batched=True)
    w = s.w0
    Z = X @ w.reshape(16, 3).T
    assert np.abs(Z).min() > 1e-3  # no neuron within the difference step of its kink
    np.testing.assert_allclose(s.jacobian(w), fd.jacobian(w), rtol=1e-6, atol=1e-9)


def test_r1_h_infinity_closed_form_matches_monte_carlo():
    """E_w x_i.x_j 1{w.x_i >= 0, w.x_j >= 0}, 400000 draws (std error < 1e-3): atol 0.02."""
    X, _ = _data(n=5, d=3, seed=4)
    X = _unit(X)
    Wmc = np.random.default_rng(11).standard_normal((400_000, 3))
    A = (X @ Wmc.T >= 0).astype(float)
    mc = (X @ X.T) * (A @ A.T) / Wmc.shape[0]
    np.testing.assert_allclose(du_h_infinity(X), mc, atol=0.02, rtol=0)
    np.testing.assert_allclose(np.diag(du_h_infinity(X)), 0.5, rtol=1e-12)  # theta = 0: half the Gaussian


def test_r1_rate_holds_on_a_wide_net():
    X, y = _data()
    c = R1.check(None, None, rng=0, X=_unit(X), y=y, width=2048, steps=150)
    assert c.verdict == "holds"
    assert c.measured <= c.claimed  # worst step ratio <= 1 - eta lambda0 / 2
    assert all(h.status == "holds" for h in c.hypotheses)
    assert c.series["lambda0"] > 0 and c.series["h0_deviation"] <= c.series["lambda0"] / 4
    losses, bound = c.series["losses"], c.series["bound"]
    assert np.all(losses <= bound * (1 + 1e-12) + 1e-28)


def test_r1_template_network_supplies_the_data():
    X, y = _data()
    template = network(_unit(X), y, [8])
    c = R1.check(template, None, rng=1, width=1024, steps=20)
    assert c.series["width"] == 1024 and c.seed == 1 and c.verdict in ("holds", "not applicable")


def test_r1_non_unit_inputs_are_not_applicable():
    X, y = _data()
    c = R1.check(None, None, X=2 * _unit(X), y=y, width=64, steps=5)
    assert c.hypotheses[0].status == "refuted" and c.verdict == "not applicable"


# -- R2 -----------------------------------------------------------------------------------

def test_r2_mli_holds_on_a_wide_net():
    X, y = _data()
    net = network(X, y, [2048], rng=1)
    c = R2.check(net, None, rng=0, steps=100)
    assert c.verdict == "holds" and c.measured <= 1e-12 * max(1.0, c.series["losses_along_line"][0])
    assert c.series["gd_losses"][-1] < c.series["gd_losses"][0]
    assert len(c.series["alphas"]) == 201


def test_r2_breaking_case_is_refuted_with_a_witness():
    c = R2.check(None, breaking=True)
    assert c.conclusion.status == "refuted" and c.verdict == "refuted"
    (alpha,) = c.conclusion.x
    assert 0 < alpha < 1
    # the segment from -2 to w_T ~ 1 crosses the barrier L(0) = 1/2 at alpha ~ 2/3
    assert c.measured == pytest.approx(0.5, abs=1e-3) and alpha == pytest.approx(2 / 3, abs=0.01)
    explicit = R2.check(mli_counterexample(), None, eta=MLI_COUNTEREXAMPLE_ETA)
    assert explicit.measured == c.measured and explicit.conclusion.x == c.conclusion.x


def test_r2_small_step_stays_in_basin_and_mli_holds():
    """The same landscape with eta = 1/lambda_max(K(w0)) = 1/16 converges to -1: MLI holds."""
    c = R2.check(mli_counterexample(), None, steps=200)
    assert c.verdict == "holds"


# -- bad inputs ------------------------------------------------------------------------

def _net():
    X, y = _data()
    return network(X, y, [8])


@pytest.mark.parametrize("theorem, system, ball, options, message", [
    (T19, "not a system", Ball([0.0], 1.0), {}, "must be a plsym NetworkSystem"),
    (T19, _net(), Ball(np.zeros(40), 1.0), {"widths": [64]}, "at least two distinct widths"),
    (T19, _net(), Ball(np.zeros(40), 1.0), {"widths": [64, 0]}, "widths[1]=0"),
    (T19, _net(), None, {}, "ball=None"),
    (T19, _net(), Ball(np.zeros(40), 1.0), {"sample": 8}, "unknown option(s) sample"),
    (T20, _net(), Ball(np.zeros(40), 1.0), {"claim": T20.claim.replace(mu_fraction=1.0)},
     "claim.mu_fraction=1.0 must lie in (0, 1)"),
    (T20, _net(), Ball(np.zeros(40), 1.0), {"mu_fraction": 0.5}, "unknown option(s) mu_fraction"),
    (R1, None, None, {}, "or pass X= and y="),
    (R2, None, None, {"breaking": "yes"}, "breaking='yes' must be True"),
    (R2, "x", None, {}, "must be a plsym.System"),
])
def test_bad_inputs_name_the_argument(theorem, system, ball, options, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        theorem.check(system, ball, **options)


# -- proof scripts ---------------------------------------------------------------------

def _load(stem):
    path = PROOFS / f"{stem}.py"
    spec = importlib.util.spec_from_file_location(f"plsym_proofs.{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("stem, pid", [
    ("t19_hessian_width", "T19"), ("t20_wide_pl", "T20"), ("r1_du_et_al", "R1"), ("r2_mli", "R2"),
])
def test_proof_script_quick_check_holds(stem, pid):
    module = _load(stem)
    assert module.ID == pid
    c = module.check(quick=True)
    assert isinstance(c, TheoremCheck) and c.id == pid
    assert c.verdict == "holds", c.line()  # each of these results holds on its script's system
    assert c.line().startswith(pid)
