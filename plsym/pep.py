"""Worst-case GD rates over all beta-smooth mu-PL functions, by performance estimation (PEPit).

The paper's GD theorem (docs/theory.md T14) promises L(w_{t+1}) <= (1 - eta mu) L(w_t)
for eta <= 1/beta; at eta = 1/beta that is 1 - mu/beta. :func:`gd_worst_case_rate`
asks PEPit for the worst ratio (f(x_T) - f*) / (f(x_0) - f*) after T steps of GD
with step eta over the whole class of beta-smooth functions satisfying the PL
inequality with constant mu, and returns it next to the paper's rate.

Convention. plsym's PL* is the 1/2 form (D1): 1/2 ||grad L||^2 >= mu L, that is
||grad L||^2 >= 2 mu L. PEPit's ``SmoothQuadraticLojasiewiczFunctionExpensive``
(quadratic Lojasiewicz = PL) states f(x) - f* <= ||grad f(x)||^2 / (2 mu), which
is the same inequality: PEPit's mu is plsym's mu, with no conversion. A constant
mu' of the no-1/2 form (||grad L||^2 >= mu' L) is mu = mu' / 2.

What the number means. PEPit's description of this class is a set of necessary
conditions (Rubbens, Hendrickx & Taylor 2025, Prop. 3.4), not an exact
interpolation theorem, so the computed rate is an upper bound of the true worst
case (``relation = "upper"``); on the instances checked it is strictly below the
paper's 1 - mu/beta and below the earlier bound of Abbaszadehpeivasti, de Klerk &
Zamani (2023, Thm. 3).
"""

from __future__ import annotations

import dataclasses
import warnings

from .errors import InvalidArgument, _show, one_of, positive_finite, positive_int

__all__ = ["PEPRate", "gd_worst_case_rate"]

_CONVENTIONS = ("half", "nohalf")
_CONVERSION = {
    "half": "mu given in the 1/2 form (1/2 ||grad f||^2 >= mu (f - f*)), PEPit's own form: PEPit mu = mu",
    "nohalf": "mu given in the no-1/2 form (||grad f||^2 >= mu' (f - f*)): PEPit mu = mu' / 2",
}


@dataclasses.dataclass(frozen=True)
class PEPRate:
    """The PEPit worst-case rate of GD on beta-smooth mu-PL functions, next to the paper's.

    Attributes
    ----------
    rate : float
        PEPit's worst-case bound on (f(x_T) - f*) / (f(x_0) - f*) (the dual value
        of the SDP: a certificate up to the solver's accuracy).
    primal : float
        The primal value (the ratio attained by PEPit's worst-case example); the
        gap ``rate - primal`` measures the solver's accuracy.
    claimed : float
        The paper's rate (1 - eta mu)^T (T14); 1 - mu/beta per step at eta = 1/beta.
    relation : str
        ``"upper"``: ``rate`` is an upper bound of the true worst case over the class.
    mu, beta, eta : float
        The PL constant in the 1/2 form (after conversion), the smoothness, the step.
    steps : int
        T, the number of GD steps.
    convention : {"half", "nohalf"}
        The form in which ``mu`` was given.
    mu_given : float
        ``mu`` as passed, before conversion.
    conversion : str
        How mu_given maps to PEPit's constant.
    function_class : str
        The PEPit class used.
    solver : str
        The SDP solver, and ``status`` its final status.
    status : str
    """

    rate: float
    primal: float
    claimed: float
    relation: str
    mu: float
    beta: float
    eta: float
    steps: int
    convention: str
    mu_given: float
    conversion: str
    function_class: str
    solver: str
    status: str

    @property
    def per_step(self) -> float:
        """The geometric-mean rate per step, rate ** (1 / steps)."""
        return max(self.rate, 0.0) ** (1.0 / self.steps)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def gd_worst_case_rate(mu, beta, *, eta=None, steps=1, convention="half", solver="CLARABEL"):
    """The worst-case rate of ``steps`` GD steps over beta-smooth mu-PL functions, by PEPit.

    Parameters
    ----------
    mu : float
        ``mu``: the PL constant (D1), in the form given by ``convention``.
    beta : float
        ``beta``: the smoothness constant, ||grad f(x) - grad f(z)|| <= beta ||x - z|| (D5).
    eta : float, optional
        ``eta``: the step size, 0 < eta < 2 / beta; default 1 / beta.
    steps : int, default 1
        T >= 1, the number of GD steps x_{t+1} = x_t - eta grad f(x_t).
    convention : {"half", "nohalf"}, default "half"
        ``"half"``: 1/2 ||grad f||^2 >= mu (f - f*) (plsym's, and PEPit's); ``"nohalf"``:
        ||grad f||^2 >= mu (f - f*), converted to the 1/2 form as mu / 2.
    solver : str, default "CLARABEL"
        The CVXPY solver PEPit uses.

    Returns
    -------
    PEPRate
        ``rate`` (PEPit) and ``claimed`` = (1 - eta mu)^T (the paper's T14), with the
        convention and conversion used.

    Raises
    ------
    ImportError
        If PEPit is not installed (``pip install "plsym[pep]"``).
    InvalidArgument
        If mu or beta is not positive and finite, mu > beta after conversion (no
        beta-smooth function is then mu-PL, since smoothness gives
        1/2 ||grad f||^2 <= beta (f - f*)), eta is not in (0, 2 / beta), steps is
        not a positive int, or convention is unknown.

    Notes
    -----
    The inequality bounded is f(x_T) - f* <= rate (f(x_0) - f*), for every
    beta-smooth f with 1/2 ||grad f||^2 >= mu (f - f*) and every x_0. It depends
    only on mu / beta and eta beta. PEPit's class is a relaxation (necessary
    conditions), so ``rate`` is an upper bound of the true worst case; the
    descent lemma gives rate <= (1 - eta mu (2 - eta beta))^T, which is <= the
    paper's (1 - eta mu)^T for eta <= 1 / beta.

    References
    ----------
    docs/theory.md D1 (the 1/2 convention), T14 (the rate 1 - eta mu). PEPit:
    Goujaud et al., Math. Prog. Comp. 16 (2024); the function class:
    Rubbens, Hendrickx & Taylor, arXiv:2504.14377 (2025), Prop. 3.4.

    Examples
    --------
    >>> from plsym.pep import gd_worst_case_rate
    >>> r = gd_worst_case_rate(0.2, 1.0)  # doctest: +SKIP
    >>> round(r.rate, 4), round(r.claimed, 4)  # doctest: +SKIP
    (0.6833, 0.8)
    """
    mu_given = positive_finite("mu", mu)
    beta = positive_finite("beta", beta)
    convention = one_of("convention", convention, _CONVENTIONS)
    mu = mu_given if convention == "half" else mu_given / 2.0
    if mu > beta:
        raise InvalidArgument(
            f"mu={mu_given!r} ({convention} form) gives mu={mu!r} > beta={beta!r} in the 1/2 form; "
            "no beta-smooth function is mu-PL then (smoothness gives 1/2 ||grad f||^2 <= beta (f - f*))"
        )
    eta = 1.0 / beta if eta is None else positive_finite("eta", eta)
    if not eta < 2.0 / beta:
        raise InvalidArgument(f"eta={eta!r} must be in (0, 2/beta) = (0, {2.0 / beta!r}); GD need not descend beyond")
    steps = positive_int("steps", steps)
    if not isinstance(solver, str):
        raise InvalidArgument(f"solver={_show(solver)} must be the name of a CVXPY solver, such as 'CLARABEL'")
    try:
        from PEPit import PEP
        from PEPit.functions import SmoothQuadraticLojasiewiczFunctionExpensive as FunctionClass
    except ImportError as exc:
        raise ImportError(
            'PEPit is not installed; plsym.pep needs it. Install the optional extra: pip install "plsym[pep]"'
        ) from exc

    problem = PEP()
    f = problem.declare_function(FunctionClass, L=beta, mu=mu)
    xs = f.stationary_point()  # under PL every stationary point is a global minimizer (T5)
    fs = f(xs)
    x0 = problem.set_initial_point()
    problem.set_initial_condition(f(x0) - fs <= 1)
    x = x0
    for _ in range(steps):
        x = x - eta * f.gradient(x)
    problem.set_performance_metric(f(x) - fs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # solver chatter ("may be inaccurate") is reported through status
        rate = float(problem.solve(verbose=0, solver=solver))
    wrapper = problem.wrapper
    status = str(getattr(getattr(wrapper, "prob", None), "status", "unknown"))
    primal = float(getattr(getattr(wrapper, "prob", None), "value", float("nan")))
    return PEPRate(
        rate=rate, primal=primal, claimed=(1.0 - eta * mu) ** steps, relation="upper", mu=mu, beta=beta,
        eta=eta, steps=steps, convention=convention, mu_given=mu_given, conversion=_CONVERSION[convention],
        function_class=FunctionClass.__name__, solver=str(getattr(wrapper, "solver_name", solver)), status=status,
    )
