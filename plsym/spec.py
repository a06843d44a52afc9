"""Spec files: a system, a ball and claims in TOML, and the check behind ``plsym check``.

A spec file names a system (expressions in declared parameters, or a matrix),
targets, a ball B(center, radius) and claims about the quantities of
:mod:`plsym.quantities` on that ball::

    name = "two tanh neurons"
    params = ["u1", "u2", "v1", "v2"]
    outputs = ["v1*tanh(0.5*u1) + v2*tanh(0.5*u2)", "v1*tanh(-1.3*u1) + v2*tanh(-1.3*u2)"]
    targets = [0.1, -0.2]          # or: matrix = [[...], ...] instead of params and outputs

    [ball]
    center = [0.7, -0.4, 1.1, 0.9]
    radius = 0.01

    [claims]                       # each optional; each must hold on the whole ball
    kernel_min_eig = 0.012         # lambda_min(K(w)) >= value            (D3)
    pl_constant = 0.012            # 1/2 ||grad L(w)||^2 >= value * L(w)  (D1, 1/2 form)
    hessian_norm = 0.5             # max_i ||H_{F_i}(w)||_2 <= value      (T10)
    lipschitz = 3.0                # ||DF(w)||_2 <= value                 (D5)
    smoothness = 10.0              # ||H_L(w)||_2 <= value                (D5, C8)
    residual_norm = 1.0            # ||F(w) - y|| <= value                (T14)

A claim's key is the quantity's name, as in :mod:`plsym.estimate` and
:mod:`plsym.certify`; a claim is a :class:`plsym.quantities.QuantityClaim`
and its verdict a :class:`plsym.results.Verdict` (``"certified"``,
``"holds"``, ``"inconclusive"`` (violated in floats at a point, but not in ball
arithmetic there), ``"refuted"`` or ``"undefined"``). The old key ``pl_star`` still
reads as ``pl_constant``, with a DeprecationWarning.

Expressions are read by :mod:`plsym.parse`, never evaluated as Python.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import domain, estimate
from ._deprecated import module_getattr, renamed_attribute, warn
from ._options import checked_options
from ._spec_file import (BALL_KEYS, MAX_EXAMPLES, MAX_FACTORS, MAX_HESSIAN_ENTRIES, MAX_JACOBIAN_ENTRIES,  # noqa: F401
                         MAX_MATRIX_ENTRIES, MAX_OUTPUTS, MAX_PARAMS, MAX_SAMPLES, MAX_SPEC_BYTES,
                         MAX_SYMBOLIC_HESSIAN, TOP_KEYS, Spec, check_budget, claim, from_dict, hessian_trouble,
                         load, loads)
from .errors import InvalidArgument, _show, one_of, seed_of
from .quantities import QUANTITIES, QuantityClaim
from .results import LEVELS, RTOL, STATUSES, relation_of, relation_symbol, summarize
from .results import Verdict as _Verdict  # plsym.spec.Verdict is the old name of plsym.results.Verdict

__all__ = ["Spec", "Constant", "Report", "claim", "load", "loads", "from_dict", "check", "deep_search",
           "search_engine", "verdict_text", "check_budget", "MAX_VALUE",
           # the size limits of a spec, checked before any work (plsym._spec_file)
           "BALL_KEYS", "MAX_EXAMPLES", "MAX_FACTORS", "MAX_HESSIAN_ENTRIES", "MAX_JACOBIAN_ENTRIES",
           "MAX_MATRIX_ENTRIES", "MAX_OUTPUTS", "MAX_PARAMS", "MAX_SAMPLES", "MAX_SPEC_BYTES", "MAX_SYMBOLIC_HESSIAN",
           "TOP_KEYS"]


for _obj in (Spec, claim, load, loads, from_dict):  # documented and shown as plsym.spec's own
    _obj.__module__ = __name__


def _needs_hessians(name):
    return QUANTITIES[name].derivatives == "hessians"


# -- the report ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Constant:
    """One quantity on the ball, by each method that ran (None where it did not).

    Attributes
    ----------
    name : str
        A name of :data:`plsym.quantities.QUANTITIES`.
    kind : {"inf", "sup"}
    sampled, searched : float or None
        Values attained at points of the ball: for an inf an upper bound of the true
        one, for a sup a lower bound.
    certified : float or None
        A proven bound the other way (lower for an inf, upper for a sup), or None.
    detail : str or None
        Why a value is missing, when one is.
    """

    name: str
    kind: str
    sampled: float | None
    searched: float | None
    certified: float | None
    detail: str | None

    reason = renamed_attribute("reason", "detail")

    def to_dict(self) -> dict:
        """The row of the JSON report."""
        return {"sampled": self.sampled, "searched": self.searched, "certified": self.certified,
                "detail": self.detail}


class _ClaimVerdict(_Verdict):
    """A plsym.results.Verdict on a spec claim, still answering to the old attribute names (each warns)."""

    @property
    def value(self) -> float:
        """Deprecated: use ``claimed``."""
        warn("Verdict.value", "Verdict.claimed")
        return self.claimed

    @property
    def reason(self) -> str:
        """Deprecated: use ``detail``."""
        warn("Verdict.reason", "Verdict.detail")
        return self.detail

    @property
    def witness(self):
        """Deprecated: use ``x``."""
        warn("Verdict.witness", "Verdict.x")
        return self.x

    @property
    def verdict(self) -> str:
        """Deprecated: use ``status`` (``"holds"`` was ``"not refuted"``, ``"undefined"`` ``"undefined on the ball"``)."""
        warn("Verdict.verdict", "Verdict.status")
        return {"holds": "not refuted", "undefined": "undefined on the ball"}.get(self.status, self.status)

    def to_text(self) -> str:
        """Deprecated: use ``plsym.spec.verdict_text(v)``."""
        warn("Verdict.to_text()", "plsym.spec.verdict_text(v)")
        return verdict_text(self)


def verdict_text(v: _Verdict) -> str:
    """The verdict on a spec claim as one line, and a second with the point ``x`` when there is one.

    ``"hessian_norm <= 0.5: refuted; max_i ||H_{F_i}(w)||_2 = 1.72 > 0.5 at x, ..."``
    """
    text = f"{v.name} {relation_symbol(v.relation)} {v.claimed:g}: {v.status}; {v.detail}"
    if v.x is not None:
        text += f"\n    x = {summarize(v.x)}"
    return text


@dataclasses.dataclass(frozen=True)
class Report:
    """The outcome of :func:`check`: every quantity and a verdict per claim.

    Attributes
    ----------
    name, level : str
    seed : int
        The seed of every random choice (drawn from the Generator when one was passed).
    samples : int
    m, n : int
        Parameters and outputs of the system.
    constants : tuple of Constant
        In the order of :data:`plsym.quantities.QUANTITIES`.
    claims : tuple of plsym.results.Verdict
        In the order of the spec.
    """

    name: str
    level: str
    seed: int
    samples: int
    m: int
    n: int
    constants: tuple
    claims: tuple

    @property
    def exit_code(self) -> int:
        """1 when a claim is refuted or undefined on the ball, else 0."""
        return int(any(v.failed for v in self.claims))

    def to_dict(self) -> dict:
        """The JSON object printed by ``plsym check --json`` (no NaN; None for missing values)."""
        return {"name": self.name, "level": self.level, "seed": self.seed, "samples": self.samples,
                "constants": {c.name: c.to_dict() for c in self.constants},
                "claims": [v.to_dict() for v in self.claims]}

    def to_text(self) -> str:
        """The human-readable report printed by ``plsym check``."""
        over = {c.name: f"{c.kind} {QUANTITIES[c.name].symbol}" for c in self.constants}
        width = max([14] + [len(o) + 2 for o in over.values()])
        lines = [f"{self.name}: m={self.m} parameters, n={self.n} outputs; level {self.level}, seed {self.seed}, "
                 f"{self.samples} samples per quantity",
                 "",
                 f"{'quantity':<16}{'over the ball':<{width}}{'sampled':>14}{'searched':>14}{'certified':>14}"]
        for c in self.constants:
            lines.append(f"{c.name:<16}{over[c.name]:<{width}}"
                         + "".join(f"{_fmt(x):>14}" for x in (c.sampled, c.searched, c.certified)))
            if c.detail:
                lines.append(f"{'':<16}({c.detail})")
        lines.append("(sampled and searched values are attained at points of the ball: upper bounds of an inf, "
                     "lower bounds of a sup; certified values are proven bounds the other way)")
        if self.claims:
            lines += ["", "claims:"] + ["  " + verdict_text(v) for v in self.claims]
            failed = sum(v.failed for v in self.claims)
            lines.append(f"{len(self.claims)} claim(s): {failed} refuted or undefined, "
                         f"{sum(v.status == 'certified' for v in self.claims)} certified, "
                         f"{sum(v.status == 'holds' for v in self.claims)} hold"
                         + (f", {n} inconclusive" if (n := sum(v.status == 'inconclusive' for v in self.claims)) else ""))
        return "\n".join(lines) + "\n"


def _fmt(x):
    return "-" if x is None else f"{x:.6g}"


# -- the check -----------------------------------------------------------------------------

@checked_options(renamed={"seed": "rng"})
def check(spec, *, level="searched", rng=0, samples=4096) -> Report:
    """Estimate the quantities of ``spec`` on its ball and give a verdict on each claim.

    Parameters
    ----------
    spec : Spec
    level : {"sampled", "searched", "certified"}, default "searched"
        Cumulative: ``searched`` samples then runs local searches; ``certified``
        also asks :mod:`plsym.certify` for proven bounds.
    rng : int or numpy.random.Generator, default 0
        Seed of every random choice; the same spec and seed give the same report.
        (``seed=`` is the old name, deprecated.)
    samples : int, default 4096
        Points sampled per quantity (and for the scan for undefined points).

    Returns
    -------
    Report

    Notes
    -----
    Before any quantity, the system is evaluated (F, DF and, when they exist, the
    Hessians) at the points of :meth:`plsym.Ball.design`; a non-finite value there
    makes every claim "undefined", so a NaN never makes a claim look held or
    refuted. A claim is refuted only when :func:`plsym.certify.confirm_violation`
    proves the violation at the estimate's ``x``: the point exactly inside the
    closed ball and the quantity's ball-arithmetic enclosure there beyond the claim.
    """
    if not isinstance(spec, Spec):
        raise InvalidArgument(f"spec={_show(spec)} must be a plsym.spec.Spec (see plsym.spec.load)")
    level = one_of("level", level, LEVELS)
    samples = check_budget("samples", samples, 2, MAX_SAMPLES)
    seed = seed_of(rng)
    system, ball = spec.system, spec.ball
    smooth = hessian_trouble(system) is None
    undefined = _find_undefined(system, ball, samples=samples, seed=seed, hessians=smooth)
    results, bounds = {}, {}
    if undefined is None:
        for name in QUANTITIES:
            results[name] = _estimate(name, system, ball, level=level, seed=seed, samples=samples, smooth=smooth)
        if level == "certified":
            bounds = _certify(system, ball, smooth=smooth)
    constants = tuple(_constant(name, results.get(name), bounds.get(name), undefined) for name in QUANTITIES)
    verdicts = tuple(_verdict(c, system, ball, results.get(c.quantity), bounds.get(c.quantity), undefined, level)
                     for c in spec.claims)
    return Report(name=spec.name, level=level, seed=seed, samples=samples, m=system.m, n=system.n,
                  constants=constants, claims=verdicts)


@dataclasses.dataclass(frozen=True)
class _Undefined:
    point: tuple
    what: str


def _find_undefined(system, ball, *, samples, seed, hessians):
    """The first point of the ball's design where F, DF or the Hessians are not finite, or None."""
    points = ball.design(samples, rng=np.random.default_rng((int(seed), 0x5CA9)))
    found = domain.find_violation(system, points)
    if found is not None:
        point, condition = found
        return _Undefined(point, f"the domain condition {condition} fails (checked in ball arithmetic)")
    per_point = system.n * system.m * (system.m if hessians else 1)
    batch = max(1, 2**22 // max(1, per_point))
    for start in range(0, len(points), batch):
        W = points[start:start + batch]
        checks = [("F", system.F), ("DF", system.jacobian)] + ([("a Hessian H_Fi", system.hessians)] if hessians else [])
        for what, fn in checks:
            values = fn(W).reshape(len(W), -1)
            bad = ~np.all(np.isfinite(values), axis=1)
            if bad.any():
                point = tuple(float(x) for x in W[np.argmax(bad)])
                _refuse_overflow(system, point, what)
                return _Undefined(point, f"{what} is not finite")
            _refuse_huge(W, values - system.y if what == "F" else values, "F - y" if what == "F" else what)
    return None


MAX_VALUE = 1e150  # |F - y|, |DF| and |H_Fi| entries beyond which their squares (K, L, H_L) overflow float64


def _refuse_huge(W, values, what):
    """InvalidArgument when an entry of ``values`` (one row per point of ``W``) exceeds MAX_VALUE."""
    big = np.max(np.abs(values), axis=1, initial=0.0)
    if np.any(big > MAX_VALUE):
        k = int(np.argmax(big))
        raise InvalidArgument(f"{what} reaches {big[k]:.3g} at the point {[float(x) for x in W[k]]!r} of the ball, "
                              f"above {MAX_VALUE:g}: the squares of such values (the tangent kernel, the loss) "
                              "overflow float64; rescale the system or shrink the ball")


def _refuse_overflow(system, point, what):
    """InvalidArgument when F, DF or a Hessian is finite at ``point`` in ball arithmetic but not in
    float64: the system overflows there, which is a limit of float64, not a point where it is undefined."""
    from . import interval
    from .certify import _programs

    try:
        P = _programs(system)
        args = interval.point_args(point)
        values = {"F": lambda: P.F(args), "DF": lambda: P.J(args), "a Hessian H_Fi": lambda: P.H(args)}[what]()
    except (interval.Unsupported, InvalidArgument):
        return
    if all(v.is_finite() for v in values):
        raise InvalidArgument(f"{what} overflows float64 at the point {list(point)!r} of the ball, where it is "
                              "defined: the system's values there are beyond what float64 can represent; "
                              "rescale the system or shrink the ball")


@dataclasses.dataclass(frozen=True)
class _Result:
    estimate: object          # a plsym.estimate.Estimate, or None
    note: str | None = None   # why there is none, or why it is only sampled


def _estimate(name, system, ball, *, level, seed, samples, smooth):
    """The Estimate of one quantity (as a _Result), or why there is none."""
    if _needs_hessians(name) and not smooth:
        return _Result(None, "not defined: " + hessian_trouble(system))
    fn = getattr(estimate, name)
    search = level != "sampled"
    try:
        return _Result(fn(system, ball, samples=samples, search=search, rng=seed))
    except InvalidArgument:
        if name != "pl_constant":
            raise
        # F is finite on the scan, so the ratio is undefined only where L = 0.
        return _Result(None, "L(w) = 0 at every sampled point, where the PL* inequality holds trivially")
    except np.linalg.LinAlgError:
        # eigvalsh fails on matrices with NaN entries: the search met a point where the system is
        # not finite (SLSQP steps may leave the ball). Keep the sampled stage, whose points are in the ball.
        note = ("local search stopped: eigenvalues did not converge at a point where the system is not finite, "
                "near or just outside the ball; sampled value only")
        if search:
            try:
                return _Result(fn(system, ball, samples=samples, search=False, rng=seed), note)
            except np.linalg.LinAlgError:
                pass
        raise InvalidArgument(f"the estimate of {name} failed: eigenvalues did not converge at a sampled point, "
                              "which happens where the system is not finite; are the outputs defined on the "
                              "whole ball?") from None


def _certify(system, ball, *, smooth):
    """certify.Bound per quantity, or a string saying why there is none."""
    from . import certify

    bounds = {}
    for name in QUANTITIES:
        if _needs_hessians(name) and not smooth:
            continue
        try:
            # the box budget, not the clock, ends the proof: the same spec gives the same JSON anywhere
            bounds[name] = getattr(certify, name)(system, ball, max_boxes=2000, max_seconds=3600.0)
        except (InvalidArgument, NotImplementedError) as exc:
            bounds[name] = f"certify: {exc}"
    return bounds


def _proven(bound, name):
    """The certified value of a certify.Bound, if it proves a bound in the claim's direction."""
    if bound is None or isinstance(bound, str):
        return None
    if (bound.certified and bound.value is not None and bound.relation == relation_of(QUANTITIES[name].kind)
            and math.isfinite(bound.value)):
        return float(bound.value)
    return None


def _constant(name, result, bound, undefined):
    kind = QUANTITIES[name].kind
    if undefined is not None:
        return Constant(name, kind, None, None, None, f"undefined on the ball: {undefined.what}")
    est = result.estimate
    if est is None:
        return Constant(name, kind, None, None, None, result.note)
    searched = est.value if est.method == "searched" else None
    notes = [result.note] if result.note else []
    if bound is not None and _proven(bound, name) is None:
        notes.append(bound if isinstance(bound, str) else f"not certified: {bound.detail}")
    return Constant(name, kind, est.sampled_value, searched, _proven(bound, name), "; ".join(notes) or None)


def _said(c: QuantityClaim, status, method, *, measured=None, detail="", x=None) -> _Verdict:
    return _ClaimVerdict(c.quantity, status, method, c.value, measured, c.relation, detail or "", x)


def _refuted(c, outcome, method, where):
    """The verdict "refuted" on ``c`` at the point ``outcome.x``, with what it rests on."""
    symbol = QUANTITIES[c.quantity].symbol
    return _said(c, "refuted", method, measured=outcome.measured, x=outcome.x,
                 detail=f"{symbol} = {outcome.measured:.6g} {relation_symbol(c.relation, holds=False)} {c.value:g} at x, {where}, "
                        f"confirmed there by {outcome.detail}")


def _verdict(c, system, ball, result, bound, undefined, level):
    """The verdict on one claim, from the scan, the estimate and the certified bound."""
    if undefined is not None:
        return _said(c, "undefined", "sampled", x=undefined.point, detail=f"{undefined.what} at x, a point of the ball")
    if result.estimate is None:
        return _said(c, "holds", "sampled", detail=result.note)
    note, est = result.note, result.estimate
    outcome = _confirm(c, system, ball, est.x)
    proven = _proven(bound, c.quantity)
    if proven is not None and c.margin(proven) > 0:
        proven = None  # a true bound, but too weak to prove this claim
    symbol = QUANTITIES[c.quantity].symbol
    if outcome.status == "undefined":
        return _said(c, "undefined", est.method, x=outcome.x, detail=f"{symbol} is not finite at x, a point of the ball")
    if outcome.status == "refuted":
        v = _refuted(c, outcome, est.method, est.method)
        if proven is not None:
            v = v.replace(detail=v.detail + f"; this contradicts certify's bound {proven:.6g}, a bug in one of "
                                            "them: please report it")
        return v
    if proven is not None:
        return _said(c, "certified", "certified", measured=proven,
                     detail=f"certified {c.relation} bound {proven:.6g} {relation_symbol(c.relation)} {c.value:g} on the "
                            "whole ball")
    budget = f"{est.samples} samples" + (" then local search" if est.method == "searched" else "")
    detail = f"worst {symbol} found {est.value:.6g}, {est.method} from {budget}"
    if note:
        detail += f" ({note})"
    if outcome.near:  # round-off cannot decide: neither a refutation nor a pass
        detail += f"; at its point the claim fails in floats, but not in ball arithmetic ({outcome.detail})"
        return _said(c, "inconclusive", est.method, measured=est.value, x=outcome.x, detail=detail)
    return _said(c, "holds", est.method, measured=est.value, detail=detail)


@dataclasses.dataclass(frozen=True)
class _Outcome:
    status: str | None        # "refuted", "undefined" or None
    measured: float | None
    near: bool = False        # violated in floats, but not confirmed in ball arithmetic
    x: tuple | None = None    # the point checked (the given one, or its exact projection onto the ball)
    detail: str = ""          # what the confirmation rests on


def _confirm(c, system, ball, x):
    """Whether the claim provably fails at ``x``: :func:`plsym.certify.confirm_violation`.

    The float value at the point is the one reported; the verdict rests only on the
    ball-arithmetic enclosure (and the point exactly inside the ball).
    """
    from .certify import confirm_violation

    v = confirm_violation(system, ball, c.quantity, x, c.value, c.relation)
    measured = _measure(c.quantity, system, v.x)
    if measured is not None and not math.isfinite(measured):
        measured = v.measured
    if v.status == "refuted":
        return _Outcome("refuted", measured if measured is not None else v.measured, x=v.x,
                        detail=f"enclosure [{v.lower:.10g}, {v.upper:.10g}] in ball arithmetic"
                               + (", at x projected exactly onto the ball" if v.projected else ""))
    if v.status == "undefined":
        return _Outcome("undefined", None, x=v.x, detail=v.detail)
    near = measured is not None and c.margin(measured) > RTOL  # within RTOL: the rounding of the measurement
    return _Outcome(None, measured, near=near, x=v.x, detail=v.detail)


def _measure(name, system, x):
    """The quantity at one point in floats: the value reported beside a verdict (never its basis).

    nan where the system is not finite, None for the PL ratio where L = 0.
    """
    with np.errstate(all="ignore"):
        W = np.asarray(x, dtype=float)[None, :]
        if name == "pl_constant" and not system.loss(W[0]) > 0:
            return None if system.loss(W[0]) == 0 else math.nan
        return float(QUANTITIES[name](system).values(W)[0])


# -- the deep search of ``plsym search`` ----------------------------------------------------

def search_engine(claim=None) -> str:
    """Which engine :func:`deep_search` uses: :mod:`plsym.search`, for every quantity of the registry.

    Examples
    --------
    >>> from plsym.spec import search_engine
    >>> search_engine("lipschitz")
    'plsym.search'
    """
    return "plsym.search"


@checked_options(renamed={"seed": "rng"})
def deep_search(spec, name, value, *, rng=0, max_examples=1000, started=None) -> _Verdict:
    """Search hard for a counterexample to one claim on the spec's ball.

    Parameters
    ----------
    spec : Spec
    name : str
        A name of :data:`plsym.quantities.QUANTITIES` (as in a spec's claims).
    value : float
        The claimed bound.
    rng : int or numpy.random.Generator, default 0
        Seed of every random choice (``seed=`` is the old name, deprecated).
    max_examples : int, default 1000
        Budget: Hypothesis examples of :func:`plsym.search.counterexample`.
    started : callable, optional
        Called with no arguments once the input is accepted (after the scan of the
        ball for undefined points and overflow), just before the search.

    Returns
    -------
    plsym.results.Verdict
        ``"refuted"`` only when :func:`plsym.certify.confirm_violation` proves
        the violation at ``x``; ``"inconclusive"`` when the violation found in
        floats is not confirmed there; else ``"holds"`` (no counterexample within
        the budget, which proves nothing) or ``"undefined"``.
    """
    if not isinstance(spec, Spec):
        raise InvalidArgument(f"spec={_show(spec)} must be a plsym.spec.Spec (see plsym.spec.load)")
    c = claim(name, value)
    max_examples = check_budget("max_examples", max_examples, 2, MAX_EXAMPLES)
    if started is not None and not callable(started):
        raise InvalidArgument(f"started={_show(started)} must be a callable or None")
    seed = seed_of(rng)
    system, ball = spec.system, spec.ball
    smooth = hessian_trouble(system) is None
    if _needs_hessians(c.quantity) and not smooth:
        raise InvalidArgument(f"claims.{c.quantity} cannot be checked: {hessian_trouble(system)}")
    undefined = _find_undefined(system, ball, samples=min(max_examples, 4096), seed=seed, hessians=smooth)
    if undefined is not None:
        return _verdict(c, system, ball, None, None, undefined, "searched")
    from .search import counterexample

    if started is not None:
        started()
    found = counterexample(system, ball, c, max_examples=max_examples, rng=seed)
    budget = f"{found.nfev} evaluations of plsym.search"
    if not found.found:
        return _said(c, "holds", "searched", detail=f"no counterexample in {budget}")
    outcome = _confirm(c, system, ball, found.x)
    if outcome.status == "refuted":
        return _refuted(c, outcome, "searched", f"found in {budget}")
    if outcome.status == "undefined":
        return _said(c, "undefined", "searched", x=outcome.x,
                     detail=f"{QUANTITIES[c.quantity].symbol} is not finite at x, a point of the ball")
    return _said(c, "inconclusive", "searched", measured=outcome.measured, x=outcome.x,
                 detail=f"plsym.search reported a violation that ball arithmetic at its point does not confirm "
                        f"({outcome.detail}), in {budget}")


# -- old names -------------------------------------------------------------------------------

def _old_claims():
    return {q.name: (q.name, ">=" if q.kind == "inf" else "<=", f"{q.symbol}, {q.reference}")
            for q in QUANTITIES.values()}


def _old_constants():
    return {q.name: (q.kind, q.symbol, relation_of(q.kind)) for q in QUANTITIES.values()}


__getattr__ = module_getattr(__name__, {
    "Claim": ("plsym.quantities.QuantityClaim", lambda: QuantityClaim),
    "Verdict": ("plsym.results.Verdict", lambda: _Verdict),
    "VERDICTS": ("plsym.results.STATUSES", lambda: STATUSES),
    "CLAIMS": ("plsym.quantities.QUANTITIES", _old_claims),
    "CONSTANTS": ("plsym.quantities.QUANTITIES", _old_constants),
})
