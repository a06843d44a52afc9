"""The paper's negative results, reproduced from a fixed seed: what fails, shown by counterexamples.

Each function builds the system of one negative result and returns a
:class:`NegativeResult`. Where the result is one of the theorem checks (T3, T6,
T13, C15), that check is run on the system (``NegativeResult.check``, one
implementation of the result) and the counterexample searches of
:func:`plsym.search.counterexample` are its evidence: points of a ball where a
claim the result rules out fails. The others (X1, GD past 2/beta, a ball too
small for T14, ReLU networks) are the searches alone.

======================================  ================  ======================================
function                                 ids               what fails
======================================  ================  ======================================
:func:`x1_nonconvex_near_solutions`      X1, C10, T1       convexity near the solution (1, 1)
:func:`t3_nonconvex_near_solutions`      T3, C10           convexity near a solution (rank > 2n)
:func:`t6_underparameterized`            T6, C4            PL* and uniform conditioning, m < n
:func:`gd_divergence`                    T14, T15, C17     the rate 1 - eta mu past eta = 2/beta
:func:`ball_too_small`                   T14, C13          PL* on a ball smaller than T14's
:func:`t13_nonlinear_output`             T13, T19, C23     ||H_F|| <= C/sqrt(m), tanh output
:func:`c15_convention`                   C15, D1           the rate 1 - eta mu' with mu' = 2 mu
:func:`relu_not_applicable`              D8, T10           Hessian bounds on ReLU networks
======================================  ================  ======================================

References
----------
docs/theory.md §5 (X1-X3), T3, T6, T13, T14, C15, D8.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect

import numpy as np
import sympy

from .. import dynamics, estimate
from ..ball import Ball
from ..errors import InvalidArgument, _show, as_rng, positive_finite, positive_int
from ..quantities import pl_ratio
from ..search import (counterexample, hessian_norm, kernel_min_eig, linear_rate, locally_convex, pl_star,
                      smoothness)
from ..system import System
from ..systems.linear import linear
from ..systems.network import network, network_data
from ..systems.toys import product
from ._core import TheoremCheck
from .conditioning import T6
from .gd import C15
from .landscape import T3, t3_construction
from .networks import T13, _twin
from .wide import _draw

__all__ = ["NegativeResult", "x1_nonconvex_near_solutions", "t3_nonconvex_near_solutions", "t6_underparameterized",
           "gd_divergence", "ball_too_small", "t13_nonlinear_output", "c15_convention", "relu_not_applicable",
           "NEGATIVE_RESULTS", "negative_results"]


@dataclasses.dataclass(frozen=True)
class NegativeResult:
    """One of the paper's negative results, reproduced from a fixed seed.

    Attributes
    ----------
    name : str
        The function that reproduces it, e.g. ``"x1_nonconvex_near_solutions"``.
    reference : str
        Paper ids (docs/theory.md).
    statement : str
        What fails, in one sentence.
    reproduced : bool
        Whether every expected outcome was obtained: each refutation found, the
        theorem check (if any) as expected, and for :func:`relu_not_applicable`
        each Hessian claim reported not applicable.
    counterexamples : tuple of plsym.search.Counterexample
        The searches, in the order the statement lists them.
    measured : tuple of (str, float)
        Named numbers: closed forms and what was measured beside the searches.
    seed : int or None
    method : str
        ``"searched"``: the counterexamples are points, and prove the
        failure; the measured numbers are evaluations at stated points.
    check : plsym.theorems.TheoremCheck or None
        The theorem check of the same result on the same system (T3, T6, T13, C15).
    """

    name: str
    reference: str
    statement: str
    reproduced: bool
    counterexamples: tuple
    measured: tuple
    seed: int | None
    method: str = "searched"
    check: TheoremCheck | None = None

    def value(self, label):
        """The measured number called ``label``."""
        for key, v in self.measured:
            if key == label:
                return v
        raise InvalidArgument(f"label={_show(label)} is not measured here; labels: {[k for k, _ in self.measured]}")

    def to_dict(self) -> dict:
        """A JSON-ready dict (counterexamples and the check as their own dicts, measured as label -> value)."""
        return {
            "name": self.name, "reference": self.reference, "statement": self.statement,
            "reproduced": self.reproduced, "counterexamples": [c.to_dict() for c in self.counterexamples],
            "measured": {k: v for k, v in self.measured}, "seed": self.seed, "method": self.method,
            "check": None if self.check is None else self.check.to_dict(),
        }


def _keywords_only(fn):
    """Unknown or positional arguments raise InvalidArgument naming the allowed options."""
    allowed = tuple(inspect.signature(fn).parameters)

    @functools.wraps(fn)
    def wrapper(*args, **options):
        unknown = sorted(set(options) - set(allowed))
        if args or unknown:
            what = f"option(s) {', '.join(unknown)}" if unknown else f"positional argument(s) {_show(args)}"
            raise InvalidArgument(f"{fn.__name__} got {what}; its options are {', '.join(allowed)} (keywords)")
        return fn(**options)

    return wrapper


def _lambda_min_loss_hessian(system, w):
    return float(np.linalg.eigvalsh(system.loss_hessian(np.asarray(w, dtype=float)))[0])


@_keywords_only
def x1_nonconvex_near_solutions(*, radii=(1e-1, 1e-2, 1e-4), max_examples=50, rng=0):
    """X1: F = w1 w2, y = 1; L is not convex in any ball around the solution (1, 1).

    Parameters
    ----------
    radii : sequence of float
        Radii eps of the balls B((1, 1), eps) searched; each counterexample is
        within eps of the solution set.
    max_examples : int
        Hypothesis budget per ball.
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        One :func:`~plsym.search.locally_convex` counterexample per radius;
        ``measured`` has lambda_min(H_L) at (1 + eps, 1 + eps) (paper: -0.21,
        -0.0201, -0.0002 for eps = 0.1, 0.01, 1e-4) and at each counterexample.

    References
    ----------
    docs/theory.md X1, C10, T1.
    """
    gen, seed = as_rng(rng)
    s = product(1.0, w0=(1.0, 1.0))
    ces, measured = [], []
    for eps in radii:
        eps = positive_finite("radii[i]", eps)
        ce = counterexample(s, Ball([1.0, 1.0], eps), locally_convex(), max_examples=max_examples, rng=gen)
        ces.append(ce)
        measured += [
            (f"eps={eps:g}: lambda_min(H_L) at (1+eps, 1+eps)", _lambda_min_loss_hessian(s, [1 + eps, 1 + eps])),
            (f"eps={eps:g}: lambda_min(H_L) at the witness", _lambda_min_loss_hessian(s, ce.point)),
            (f"eps={eps:g}: distance of the witness to (1, 1)", float(np.linalg.norm(ce.point - 1.0))),
        ]
    return NegativeResult(
        name="x1_nonconvex_near_solutions", reference="X1, C10, T1",
        statement="F = w1 w2, y = 1: points within eps of the solution (1, 1) have lambda_min(H_L) < 0, for every eps",
        reproduced=all(c.found for c in ces), counterexamples=tuple(ces), measured=tuple(measured), seed=seed,
    )


def _t3_system(gen, n, m):
    """A random smooth system F_i = a_i.w + 1/2 w^T Q_i w + sin(b_i.w)/5 and a solution w* of it."""
    ws = sympy.symbols(f"w1:{m + 1}", real=True)
    w = sympy.Matrix(ws)
    outputs = []
    for _ in range(n):
        a, b = gen.standard_normal(m), gen.standard_normal(m)
        Q = gen.standard_normal((m, m))
        Q = (Q + Q.T) / 2
        lin = sum(sympy.Float(x) * wj for x, wj in zip(a, ws))
        quad = sympy.Rational(1, 2) * (w.T * sympy.Matrix(Q.tolist()).applyfunc(sympy.Float) * w)[0, 0]
        outputs.append(lin + quad + sympy.sin(sum(sympy.Float(x) * wj for x, wj in zip(b, ws))) / 5)
    w_star = 0.5 * gen.standard_normal(m)
    probe = System(outputs, ws, np.zeros(n))
    return System(outputs, ws, probe.F(w_star), name=f"random smooth (n={n}, m={m})", w0=w_star), w_star


@_keywords_only
def t3_nonconvex_near_solutions(*, n=2, m=6, ts=(1e-1, 1e-2, 1e-3), max_examples=50, rng=0):
    """T3 on a random smooth system: rank H_{F_i}(w*) > 2n gives local non-convexity.

    The T3 check (:data:`plsym.theorems.T3`) runs on the system at distances t ||u||
    from the solution w*, with its proof's construction as evidence
    (:func:`plsym.theorems.landscape.t3_construction`): with J = DF(w*) of full rank
    n and s H_{F_i}(w*) having >= n + 1 negative eigenvalues (s = +-1), u with
    J u = s e_i, w = w* + t u, and a unit v in ker J in that negative eigenspace,
    v^T H_L(w) v = t s v^T H_{F_i} v + O(t^2) < 0. The searches find points of
    B(w*, t ||u||) with lambda_min(H_L) < 0.

    Parameters
    ----------
    n, m : int
        Outputs and parameters, m > 2n (so that a full-rank H_{F_i} has rank > 2n).
    ts : sequence of float
        The multiples t of u.
    max_examples : int
        Hypothesis budget per search.
    rng : int or numpy.random.Generator
        Seed of the random system and of the searches.

    Returns
    -------
    NegativeResult
        One :func:`~plsym.search.locally_convex` counterexample per t;
        ``measured`` has the ranks, ||J v||, and per t v^T H_L(w) v, its ratio to t
        and lambda_min(H_L(w)); ``check`` is T3's check.

    References
    ----------
    docs/theory.md T3 (and its proof), C10.
    """
    n = positive_int("n", n)
    m = positive_int("m", m)
    if m <= 2 * n:
        raise InvalidArgument(f"m={m} must be > 2n={2 * n}, so that rank H_F_i can exceed 2n")
    ts = tuple(positive_finite(f"ts[{j}]", t) for j, t in enumerate(ts))
    gen, seed = as_rng(rng)
    s, w_star = _t3_system(gen, n, m)
    size = float(np.linalg.norm(t3_construction(s, w_star, ())["u"]))
    check = T3.check(s, Ball(w_star, max(ts) * size), level="sampled", rng=gen,
                     ts=tuple(t * size for t in ts))
    c = check.series.get("construction")
    if c is None:
        raise InvalidArgument(f"rng={_show(rng)} drew a system whose Hessians have rank <= 2n: T3's construction "
                              "does not apply; try another seed")
    J = s.jacobian(w_star)
    i = c["i"]
    measured = [("rank H_F_i(w*)", float(c["ranks"][i])), ("2n", float(2 * n)),
                ("rank J(w*)", float(np.linalg.matrix_rank(J))), ("||J v||", c["Jv"]),
                ("s v^T H_F_i(w*) v", c["slope"])]
    ces = []
    for t, q, lam in zip(ts, c["quadratic_form"], c["lambda_min"]):
        measured += [(f"t={t:g}: v^T H_L(w) v", q), (f"t={t:g}: v^T H_L(w) v / t", q / t),
                     (f"t={t:g}: lambda_min(H_L(w))", lam)]
        ces.append(counterexample(s, Ball(w_star, t * size), locally_convex(), max_examples=max_examples, rng=gen))
    reproduced = (c["ranks"][i] > 2 * n and np.linalg.matrix_rank(J) == n and all(q < 0 for q in c["quadratic_form"])
                  and all(ce.found for ce in ces) and check.verdict == "holds")
    return NegativeResult(
        name="t3_nonconvex_near_solutions", reference="T3, C10",
        statement=f"a random smooth system (n={n}, m={m}) with rank H_F_i(w*) > 2n and full-rank J(w*) has "
                  "lambda_min(H_L) < 0 at w* + t u for every t > 0 tried",
        reproduced=bool(reproduced), counterexamples=tuple(ces), measured=tuple(measured), seed=seed, check=check,
    )


@_keywords_only
def t6_underparameterized(*, n=3, m=2, mus=(1e-6, 1e-3, 1.0, 1e3), max_examples=50, rng=0):
    """T6: an under-parameterized linear system (m < n) is never uniformly conditioned nor PL*.

    Parameters
    ----------
    n, m : int
        m < n.
    mus : sequence of float
        The constants mu > 0 claimed, for both claims.
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        :func:`~plsym.search.kernel_min_eig` and :func:`~plsym.search.pl_star`
        counterexamples for every mu, on a ball containing the least-squares point
        w_ls (a stationary point with L > 0); ``check`` is T6's check (rank K <= m,
        lambda_min(K) = 0) on 1000 points of the ball, whose largest lambda_min(K)
        and rank are in ``measured`` with the PL* ratio and L at w_ls.

    References
    ----------
    docs/theory.md T6, C4.
    """
    n = positive_int("n", n)
    m = positive_int("m", m)
    if m >= n:
        raise InvalidArgument(f"m={m} must be < n={n} for an under-parameterized system")
    gen, seed = as_rng(rng)
    A = gen.standard_normal((n, m))
    y = gen.standard_normal(n)
    s = linear(A, y)
    w_ls = np.linalg.lstsq(A, y, rcond=None)[0]
    offset = gen.standard_normal(m)
    ball = Ball(w_ls + 0.3 * offset / np.linalg.norm(offset), 1.0)
    ces = []
    for j, mu in enumerate(mus):
        mu = positive_finite(f"mus[{j}]", mu)
        ces.append(counterexample(s, ball, kernel_min_eig(mu), max_examples=max_examples, rng=gen))
        ces.append(counterexample(s, ball, pl_star(mu), max_examples=max_examples, rng=gen))
    check = T6.check(s, ball, level="sampled", rng=gen, samples=999)
    measured = (("max over 1000 samples of lambda_min(K)", float(np.max(check.series["lambda_min"]))),
                ("rank K", float(np.max(check.series["rank"]))), ("m", float(m)),
                ("L(w_ls)", float(s.loss(w_ls))), ("PL* ratio at w_ls", float(pl_ratio(s, w_ls[None, :])[0])))
    return NegativeResult(
        name="t6_underparameterized", reference="T6, C4",
        statement=f"F = A w with A of shape ({n}, {m}): lambda_min(K) = 0 everywhere and PL* fails for every mu > 0",
        reproduced=all(c.found for c in ces) and check.verdict == "holds", counterexamples=tuple(ces),
        measured=measured, seed=seed, check=check,
    )


@_keywords_only
def gd_divergence(*, fraction=2.2, steps=10, max_examples=50, rng=0):
    """GD with eta = fraction / beta > 2 / beta diverges: the linear-rate claim 1 - eta mu is refuted.

    On F = A w with A (2 x 3) of singular values 1 and 3 (mu = 1, beta = 9), the
    residual's top component is multiplied by 1 - eta beta each step, |1 - eta beta| > 1.

    Parameters
    ----------
    fraction : float
        eta beta; above 2 for divergence.
    steps : int
        GD steps in the claim.
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        One :func:`~plsym.search.linear_rate` counterexample; ``measured`` has beta,
        mu, eta beta, the claimed rate, (1 - eta beta)^2 and L(w_steps)/L(w_0) from it.

    References
    ----------
    docs/theory.md T9, T14, T15, C17.
    """
    fraction = positive_finite("fraction", fraction)
    gen, seed = as_rng(rng)
    U = np.linalg.qr(gen.standard_normal((2, 2)))[0]
    V = np.linalg.qr(gen.standard_normal((3, 3)))[0]
    A = U @ np.diag([1.0, 3.0]) @ V[:2]
    w_star = gen.standard_normal(3)
    s = linear(A, A @ w_star)
    mu, beta = 1.0, 9.0
    eta = fraction / beta
    claim = linear_rate(eta, 1.0 - eta * mu, steps)
    ball = Ball(w_star + 0.5, 1.0)
    ce = counterexample(s, ball, claim, max_examples=max_examples, rng=gen)
    run = dynamics.gd(s, ce.point, eta=eta, steps=steps)
    measured = (("beta", beta), ("mu", mu), ("eta beta", fraction), ("claimed rate 1 - eta mu", claim.rate),
                ("(1 - eta beta)^2", (1 - fraction) ** 2),
                ("L(w_steps) / L(w_0) at the witness", float(run.losses[-1] / run.losses[0])))
    return NegativeResult(
        name="gd_divergence", reference="T14, T15, C17",
        statement=f"GD with eta = {fraction:g}/beta > 2/beta does not contract: L(w_t) <= (1 - eta mu)^t L(w_0) fails",
        reproduced=ce.found, counterexamples=(ce,), measured=measured, seed=seed,
    )


@_keywords_only
def ball_too_small(*, y=1.0, w0=(3.0, 1.0), R=0.05, steps=200, max_examples=50, rng=0):
    """A ball smaller than T14's radius 2 L_F ||F(w0) - y|| / mu: GD leaves it, and PL* fails outside.

    Parameters
    ----------
    y : float
        Target of F = w1 w2 (X1/X3).
    w0 : array_like, shape (2,)
        Center of the ball and GD start.
    R : float
        The (too small) radius.
    steps : int
        GD steps with T14's eta = 1 / (L_F^2 + beta_F ||F(w0) - y||).
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        A :func:`~plsym.search.pl_star` counterexample with the small ball's mu on
        B(w0, R_T14), the ball T14 asks for; ``measured`` has mu, L_F, beta_F, R,
        R_T14, eta, the first GD step outside B(w0, R) and the farthest GD distance.

    References
    ----------
    docs/theory.md T14, X3, C13.
    """
    R = positive_finite("R", R)
    gen, seed = as_rng(rng)
    s = product(y, w0=w0)
    small = Ball(s.w0, R)
    mu = estimate.kernel_min_eig(s, small, rng=gen).value
    L_F = estimate.lipschitz(s, small, rng=gen).value
    beta_F = estimate.hessian_norm(s, small, rng=gen).value
    r0 = float(np.linalg.norm(s.residual(s.w0)))
    R_needed = 2 * L_F * r0 / mu
    eta = 1.0 / (L_F ** 2 + beta_F * r0)
    run = dynamics.gd(s, eta=eta, steps=steps)
    outside = np.flatnonzero(run.distances > R)
    ce = counterexample(s, Ball(s.w0, R_needed), pl_star(mu), max_examples=max_examples, rng=gen)
    measured = (("mu on B(w0, R)", mu), ("L_F", L_F), ("beta_F", beta_F), ("||F(w0) - y||", r0), ("R", R),
                ("R_T14 = 2 L_F ||F(w0) - y|| / mu", R_needed), ("eta", eta),
                ("first GD step outside B(w0, R)", float(outside[0]) if outside.size else float("nan")),
                ("max GD distance from w0", float(run.distances.max())), ("final GD loss", float(run.losses[-1])))
    return NegativeResult(
        name="ball_too_small", reference="T14, C13",
        statement=f"R={R:g} < R_T14={R_needed:.3g}: GD with T14's step leaves B(w0, R), and the small ball's "
                  "mu-PL* fails on the larger ball it would need",
        reproduced=bool(R < R_needed and outside.size > 0 and ce.found), counterexamples=(ce,),
        measured=measured, seed=seed,
    )


@_keywords_only
def t13_nonlinear_output(*, widths=(64, 128, 256, 512, 1024), n=6, d=4, radius=0.5, max_examples=5, rng=0):
    """T13: a non-linear output keeps ||H_F|| = Theta(1) as the width m grows; a linear one decays.

    T13's check (:data:`plsym.theorems.T13`) on two-layer tanh networks
    f = tanh(v^T tanh(U x / sqrt d) / sqrt m), two draws per width (data of :func:`plsym.systems.network.network_data`), measures
    the mean ||H_F(W0)|| for the tanh output and for its linear-output twin on the same
    parameters. The transition-to-linearity claim ``||H_F|| <= C / sqrt(m)`` is
    taken with C twice the largest sqrt(m) ||H_F(W0)|| of the linear output, and
    searched at the largest width.

    Parameters
    ----------
    widths : sequence of int
        Hidden widths m.
    n, d : int
        Data points and input dimension.
    radius : float
        Radius of the ball B(W0, radius) searched at the largest width.
    max_examples : int
        Hypothesis budget (no sampling stage: each point costs n Lanczos runs).
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        At the largest width, :func:`~plsym.search.hessian_norm` (C / sqrt(m))
        counterexamples for the tanh output (refuted) and for the linear output
        (holds); ``measured`` has ||H_F(W0)|| per output and width, and the log-log
        slope of ||H_F(W0)|| in m per output (about -1/2 for linear, about 0 for
        tanh); ``check`` is T13's check.

    References
    ----------
    docs/theory.md T13, T19, C22, C23.
    """
    widths = tuple(positive_int(f"widths[{j}]", w) for j, w in enumerate(widths))
    if len(widths) < 2:
        raise InvalidArgument(f"widths={_show(widths)} must list at least two widths, for a slope")
    radius = positive_finite("radius", radius)
    gen, seed = as_rng(rng)
    X, y = network_data(positive_int("n", n), positive_int("d", d), rng=int(gen.integers(2**31)))
    template = network(X, y, [widths[0]], activation="tanh", output="tanh", rng=int(gen.integers(2**31)))
    check = T13.check(template, Ball(template.w0, radius), level="sampled", rng=int(gen.integers(2**31)),
                      widths=widths, draws=2, steps=60, samples=8)
    norms = {"tanh": np.array(check.series["hessian"]), None: np.array(check.series["hessian_linear"])}
    net = _draw(template, widths[-1], check.series["seeds"][-1][0])
    nets = {"tanh": net, None: _twin(net)}
    C = 2.0 * float(np.max(np.sqrt(widths) * norms[None]))
    eps = C / np.sqrt(widths[-1])
    ces = tuple(counterexample(nets[out], Ball(nets[out].w0, radius), hessian_norm(eps),
                               max_examples=max_examples, samples=0, rng=gen) for out in ("tanh", None))
    measured = [("C (twice the linear output's max sqrt(m) ||H_F(w0)||)", C)]
    for out, label in ((None, "linear"), ("tanh", "tanh")):
        measured += [(f"{label} output, m={w}: ||H_F(w0)||", float(h)) for w, h in zip(widths, norms[out])]
        measured.append((f"{label} output: log-log slope of ||H_F(w0)|| in m", check.series["slopes"][
            "hessian_linear" if out is None else "hessian"]))
    return NegativeResult(
        name="t13_nonlinear_output", reference="T13, T19, C22, C23",
        statement=f"with a tanh output ||H_F|| does not decay like 1/sqrt(m): ||H_F|| <= C/sqrt(m) fails at "
                  f"m={widths[-1]}, while the linear output satisfies it",
        reproduced=bool(ces[0].found and not ces[1].found and check.verdict == "holds"), counterexamples=ces,
        measured=tuple(measured),
        seed=seed, check=check,
    )


@_keywords_only
def c15_convention(*, a=2.0, fraction=0.9, max_examples=50, rng=0):
    """C15: with the no-1/2 constant mu' = 2 mu, the GD rate 1 - eta mu' is refuted; 1 - eta mu holds.

    F = a w (m = n = 1): L = a^2 (w - w*)^2 / 2, beta = a^2, the 1/2-form constant
    mu = a^2 and mu' = 2 a^2. With eta = 0.9 / beta, L_1 = 0.01 L_0, but
    1 - eta mu' = -0.8 < 0, while 1 - eta mu = 0.1 >= 0.01. C15's check
    (:data:`plsym.theorems.C15`) measures mu and beta and judges one step from the
    center; the searches judge one step from every point of the ball.

    Parameters
    ----------
    a : float
        The slope, a != 0.
    fraction : float
        eta beta.
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        Two one-step :func:`~plsym.search.linear_rate` searches: rate 1 - eta mu'
        (refuted) and rate 1 - eta mu (holds); ``measured`` has beta and mu (as
        C15's check measured them), mu', both rates and L_1/L_0 at the first
        counterexample; ``check`` is C15's check.

    References
    ----------
    docs/theory.md D1, C15.
    """
    if isinstance(a, bool) or not isinstance(a, (int, float, np.integer, np.floating)) or not np.isfinite(a) or a == 0:
        raise InvalidArgument(f"a={_show(a)} must be a non-zero finite number")
    fraction = positive_finite("fraction", fraction)
    gen, seed = as_rng(rng)
    s = linear([[float(a)]], [0.0])
    ball = Ball([1.0], 0.5)  # w* = 0 is outside: L > 0 on the ball
    check = C15.check(s, ball, level="searched", rng=gen, eta_fraction=fraction, samples=128)
    mu, beta, eta = check.series["mu"], check.series["beta"], check.series["eta"]
    nohalf = counterexample(s, ball, linear_rate(eta, 1 - eta * 2 * mu, 1), max_examples=max_examples, rng=gen)
    half = counterexample(s, ball, linear_rate(eta, 1 - eta * mu, 1), max_examples=max_examples, rng=gen)
    run = dynamics.gd(s, nohalf.point, eta=eta, steps=1)
    measured = (("beta", beta), ("mu (1/2 form, estimated)", mu), ("mu' = 2 mu (no-1/2 form)", 2 * mu),
                ("1 - eta mu'", 1 - eta * 2 * mu), ("1 - eta mu", 1 - eta * mu),
                ("L_1 / L_0 at the witness", float(run.losses[1] / run.losses[0])))
    reproduced = (nohalf.found and not half.found and check.verdict == "holds"
                  and check.series["other_reading"]["status"] == "refuted")
    return NegativeResult(
        name="c15_convention", reference="C15, D1",
        statement="plugging the no-1/2 constant mu' = 2 mu into the rate 1 - eta mu' gives a false bound "
                  "(negative at eta = 0.9/beta); the 1/2-form rate 1 - eta mu holds",
        reproduced=bool(reproduced), counterexamples=(nohalf, half), measured=measured, seed=seed, check=check,
    )


@_keywords_only
def relu_not_applicable(*, width=16, n=3, d=2, radius=0.5, max_examples=20, rng=0):
    """A ReLU network: Hessian-based claims are reported not applicable, first-order ones still run.

    plsym refuses Hessians of ReLU networks (InvalidArgument);
    :func:`plsym.search.counterexample` turns that into ``status="not applicable"``
    for ``hessian_norm``, ``smoothness`` and ``locally_convex``, while
    ``kernel_min_eig`` (first derivatives only) is searched and, with
    mu = 2 lambda_min(K(w0)), refuted.

    Parameters
    ----------
    width, n, d : int
        Hidden width, data points, input dimension.
    radius : float
        Radius of the ball around the initialization.
    max_examples : int
    rng : int or numpy.random.Generator

    Returns
    -------
    NegativeResult
        Four counterexamples: the three Hessian claims, then the kernel claim.

    References
    ----------
    docs/theory.md D8 (twice-differentiable activations), T10, T14.
    """
    gen, seed = as_rng(rng)
    X = gen.standard_normal((n, d))
    net = network(X, gen.standard_normal(n), [width], activation="relu", rng=int(gen.integers(2**31)))
    ball = Ball(net.w0, radius)
    lam0 = float(np.linalg.eigvalsh(net.kernel(net.w0))[0])
    claims = (hessian_norm(1.0), smoothness(1.0), locally_convex(), kernel_min_eig(2 * lam0))
    ces = tuple(counterexample(net, ball, c, max_examples=max_examples, rng=gen) for c in claims)
    return NegativeResult(
        name="relu_not_applicable", reference="D8, T10",
        statement="Hessian-based bounds do not apply to a ReLU network: the checker says so instead of failing",
        reproduced=bool(all(c.status == "not applicable" for c in ces[:3]) and ces[3].found),
        counterexamples=ces, measured=(("lambda_min(K(w0))", lam0),), seed=seed,
    )


NEGATIVE_RESULTS = (x1_nonconvex_near_solutions, t3_nonconvex_near_solutions, t6_underparameterized, gd_divergence,
                    ball_too_small, t13_nonlinear_output, c15_convention, relu_not_applicable)


@_keywords_only
def negative_results(*, rng=0):
    """All the negative results above, each from the seed ``rng``, in the paper's order.

    Parameters
    ----------
    rng : int, default 0
        The seed every case is run with.

    Returns
    -------
    tuple of NegativeResult

    References
    ----------
    docs/theory.md X1, T3, T6, T13, T14, C15.

    Examples
    --------
    >>> from plsym.theorems.negative import negative_results
    >>> all(r.reproduced for r in negative_results())  # doctest: +SKIP
    True
    """
    return tuple(case(rng=rng) for case in NEGATIVE_RESULTS)
