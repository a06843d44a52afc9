"""The vocabulary of theorem checks: claims as values, verdicts that can fail, and the check result.

A theorem check has three parts, kept apart so that each can be tested:

* the **claim**: the constants the theorem states (a rate, a radius factor, a
  width exponent, ...), a frozen :class:`Claim` value. ``T14.claim`` is the
  theorem as stated in docs/theory.md; ``T14.claim.replace(rate_factor=2)`` is
  a *mutant*, a wrong constant that the check must refute;
* the **measurement**: the constants of the system on the ball, at a level
  (sampled, searched or certified), cached per system so that a claim and its
  mutants are judged on the same evidence;
* the **verdict**: certified, holds, refuted, inconclusive or not applicable,
  per hypothesis and for the conclusion.

A verdict could always have gone the other way: "refuted" needs a violation that
survives the round-off of the measurement (and, for a violation at a point, its
confirmation at that point), and where the evidence cannot decide (a budget ran
out, a ratio's error bar straddles the claim, a hypothesis was only estimated in
the direction that could explain the violation) the verdict is "inconclusive".
"""

from __future__ import annotations

import dataclasses
import weakref

import numpy as np

from .. import certify, estimate
from .._linalg import one_blas_thread
from .. import progress as _progress
from ..errors import InvalidArgument, _show, one_of
from ..results import LEVELS, STATUSES, Claim, Verdict, compare, constant, decide, worst  # noqa: F401 (re-exported)


# -- claims --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Mutant:
    """A wrong variant of a theorem's claim that its check must refute on the proof-script system."""

    label: str
    changes: dict

    def apply(self, claim: Claim) -> Claim:
        return claim.replace(**self.changes)


# -- the check result ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class TheoremCheck:
    """The result of checking one result of the paper on one system.

    Attributes
    ----------
    id : str
        The id in the theory catalog docs/theory.md (T4, T14, C15, R1, ...).
    statement : str
    system : str
    level : {"sampled", "searched", "certified"}
    hypotheses : tuple of Verdict
    conclusion : Verdict
    seed : int or None
    series : dict
        Arrays for figures (e.g. the GD losses and the bound), not part of the verdict.
    claim : plsym.theorems.Claim or None
        The constants that were checked (the theorem's own, or a variant).
    """

    id: str
    statement: str
    system: str
    level: str
    hypotheses: tuple
    conclusion: Verdict
    seed: int | None = None
    series: dict = dataclasses.field(default_factory=dict)
    claim: Claim | None = None

    @property
    def claimed(self):
        return self.conclusion.claimed

    @property
    def measured(self):
        return self.conclusion.measured

    @property
    def relation(self):
        return self.conclusion.relation

    @property
    def method(self) -> str:
        return self.conclusion.method

    @property
    def verdict(self) -> str:
        """The verdict on the theorem as a whole.

        A refuted or inapplicable hypothesis makes the theorem "not applicable" (it
        claims nothing there); an undecided hypothesis makes a failed or undecided
        conclusion "inconclusive" (the theorem may not apply); otherwise the
        conclusion's status is the verdict, and "certified" needs every hypothesis
        certified too.
        """
        hyp = [h.status for h in self.hypotheses]
        if any(s in ("refuted", "not applicable") for s in hyp):
            return "not applicable"
        c = self.conclusion.status
        if "inconclusive" in hyp and c in ("refuted", "inconclusive"):
            return "inconclusive"
        if c == "certified" and not all(s == "certified" for s in hyp):
            return "holds"
        return c

    def line(self) -> str:
        """One verdict line, e.g. ``T14 ...: worst step ratio 0.073 <= claimed 0.477: holds -> HOLDS (run)``."""
        c = self.conclusion
        return (f"{self.id} {self.statement} on {self.system}: {c.sentence()} -> {self.verdict.upper()} "
                f"({c.method}{', ' + c.detail if c.detail else ''})")

    def to_dict(self) -> dict:
        return {
            "id": self.id, "statement": self.statement, "system": self.system, "level": self.level,
            "claimed": self.claimed, "measured": self.measured, "relation": self.relation,
            "method": self.method, "verdict": self.verdict, "seed": self.seed,
            "claim": self.claim.to_dict() if self.claim is not None else None,
            "hypotheses": [h.to_dict() for h in self.hypotheses], "conclusion": self.conclusion.to_dict(),
        }


# -- theorems --------------------------------------------------------------------------------


class Theorem:
    """One result of the paper: its id, provenance, statement, claimed constants, options and check.

    ``check(system, ball, *, level="searched", rng=0, claim=None, progress=None, **options)``
    returns a :class:`TheoremCheck` (``progress`` as in :mod:`plsym.progress`); ``claim`` defaults to the theorem's own
    constants (``Theorem.claim``), and :attr:`mutants` are wrong variants that the
    check must refute. ``help(T14)`` lists the constants and options.
    """

    def __init__(self, id, title, statement, tag, check, *, claim=None, options=(), mutants=(), notes=""):
        self.id, self.title, self.statement, self.tag = id, title, statement, tag
        self._check = check
        self.claim = claim
        self.options = tuple(options)  # (name, default, doc)
        self.mutants = tuple(mutants)
        self.notes = notes
        lines = [f"{id}: {title}.", "", statement, "", f"Provenance: {tag}; see {id} in docs/theory.md.", ""]
        if claim is not None:
            lines += ["Claimed constants (``claim=``, a ``plsym.theorems.Claim``):", ""]
            lines += [f"- {ln}" for ln in claim.describe().splitlines()] + [""]
        lines += ["Options of ``check(system, ball, *, level, rng, claim, progress, ...)``:", ""]
        lines += [f"- {name}={default!r}: {doc}" for name, default, doc in self.options]
        lines += ["- progress=None: None, True (a bar on a terminal), False or a callable; see plsym.progress", ""]
        if self.mutants:
            lines += ["Mutants (each must be refuted on the proof script's system):", ""]
            lines += [f"- {mu.label}: {mu.changes}" for mu in self.mutants] + [""]
        if notes:
            lines += [notes, ""]
        # a class per theorem, so that help(T14) shows this text
        self.__class__ = type(f"Theorem_{id}", (Theorem,), {"__doc__": "\n".join(lines)})

    def __repr__(self):
        return f"<Theorem {self.id}: {self.title}>"

    @one_blas_thread()  # the measured values do not depend on the machine's thread count
    def check(self, system, ball=None, *, level="searched", rng=0, claim=None, progress=None,
              **options) -> TheoremCheck:
        one_of("level", level, LEVELS)
        known = {name for name, _, _ in self.options}
        unknown = sorted(set(options) - known)
        if unknown:
            raise InvalidArgument(f"{self.id}.check got unknown option(s) {', '.join(unknown)}; "
                                  f"its options are {', '.join(sorted(known)) or 'none'}")
        if claim is None:
            claim = self.claim
        elif self.claim is None or not isinstance(claim, type(self.claim)):
            raise InvalidArgument(f"claim={_show(claim)} must be a {type(self.claim).__name__} "
                                  f"(start from {self.id}.claim.replace(...))")
        kwargs = {name: default for name, default, _ in self.options}
        kwargs.update(options)
        with _progress.reporting(progress):  # the estimates and bounds inside report to it
            result = self._check(system, ball, level=level, rng=rng, claim=claim, **kwargs)
        return dataclasses.replace(result, claim=claim)

    def __call__(self, *args, **kwargs):
        return self.check(*args, **kwargs)


# -- measuring constants at a level --------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Measured:
    """A constant measured at a level: value, how, and the point attaining it, ``x`` (for estimates).

    ``certified`` True means ``value`` is a proved bound in the safe direction (a
    lower bound of an infimum, an upper bound of a supremum); otherwise it is an
    estimate in the *unsafe* direction (a sampled infimum is too high, a searched
    supremum too low).
    """

    name: str
    value: float
    method: str
    detail: str
    x: tuple | None
    certified: bool


_MEASURED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def measure(name, system, ball, level, rng, *, samples=2048):
    """Measure constant ``name`` on the ball at ``level`` (cached per system, ball, level, seed and budget).

    Certified level: a proved bound when plsym.certify manages one, else the
    searched estimate (``certified`` False, with the reason in ``detail``).
    A Generator ``rng`` is never cached (its state is the caller's).
    """
    key = None
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        key = (name, ball.center.tobytes(), float(ball.radius), level, int(rng), int(samples))
        try:
            hit = _MEASURED.get(system, {}).get(key)
        except TypeError:  # an unhashable system: no caching
            hit, key = None, None
        if hit is not None:
            return hit
    result = _measure(name, system, ball, level, rng, samples)
    if key is not None:
        _MEASURED.setdefault(system, {})[key] = result
    return result


def _measure(name, system, ball, level, rng, samples):
    if level == "certified":
        b = getattr(certify, name)(system, ball)
        if b.certified:
            return Measured(name, b.value, "certified", f"{b.boxes} boxes", None, True)
        note = f"certification failed ({b.detail}); searched instead"
        level = "searched"
    else:
        note = ""
    e = getattr(estimate, name)(system, ball, samples=samples, search=(level == "searched"), rng=rng)
    detail = f"{e.nfev} evals, seed {e.seed}" + (f"; {note}" if note else "")
    return Measured(name, e.value, e.method, detail, e.x, False)


_MEMO: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def memo(owner, key, compute):
    """The last measurement of ``owner`` (a system or template) under ``key``, computed once.

    A theorem check keeps its expensive measurement here, so that a claim's
    variants (mutants) are judged on the same evidence; one entry per owner.
    """
    cached = _MEMO.setdefault(owner, {})
    if key not in cached:
        cached.clear()
        cached[key] = compute()
    return cached[key]


def positive_hypothesis(name, m, *, method="exact", detail="", x=None) -> Verdict:
    """The hypothesis "constant > 0" for a measured infimum (certified when its lower bound is proved positive).

    ``m`` is a :class:`Measured`, or a number computed at stated points (then
    ``method``, ``detail`` and ``x`` say how and where). A sampled or searched
    infimum over-estimates the true one, so a positive estimate only "holds" at
    the points tried; a non-positive one is a real point where the constant
    fails (refuted).
    """
    if not isinstance(m, Measured):
        m = Measured(name, float(m), method, detail, x, False)
    if m.value > 0:
        status = "certified" if m.certified else "holds"
    else:
        status = "refuted" if not m.certified else "inconclusive"  # a proved lower bound <= 0 decides nothing
    return Verdict(name, status, m.method, 0.0, m.value, "lower", m.detail, m.x)


def arb_point_parts(system, w):
    """(residual, Jacobian) of a system of sympy expressions at the float point w, in ball arithmetic; else None."""
    from .. import interval

    try:
        P = certify._point_programs(system)
        args = interval.point_args(np.asarray(w, dtype=float))
        return P.residual(args), P.jacobian(args)
    except (interval.Unsupported, InvalidArgument, AttributeError, TypeError, ZeroDivisionError, ValueError):
        return None


def kernel_min_eig_at(system, w):
    """lambda_min(K(w)) in float64, and rigorous (lower, upper) bounds where ball arithmetic applies (else None).

    The lower bound is Gershgorin/Ostrowski on the enclosure of K = DF DF^T; the
    upper bound is the Rayleigh quotient of the float bottom eigenvector, in ball
    arithmetic (lambda_min <= v^T K v / v^T v for every v).
    """
    from .. import interval

    K = system.kernel(np.asarray(w, dtype=float))
    vals, vecs = np.linalg.eigh(K)
    parts = arb_point_parts(system, w)
    if parts is None:
        return float(vals[0]), None, None
    _, J = parts
    Ka = J * J.transpose()
    lo, _ = interval.eig_bounds(Ka)
    v = interval.arb_mat([[float(x)] for x in vecs[:, 0]])
    num = (v.transpose() * Ka * v)[0, 0]
    den = (v.transpose() * v)[0, 0]
    hi = interval.upper(num / den)
    return float(vals[0]), (lo if np.isfinite(lo) else None), (hi if np.isfinite(hi) else None)


def residual_norm_at(system, w, *, bound=True):
    """||F(w) - y|| in float64, and a rigorous upper bound where ball arithmetic applies (else None).

    ``bound=False`` skips the bound (None), when nothing certified will use it.
    """
    from .. import interval

    value = float(np.linalg.norm(system.residual(np.asarray(w, dtype=float))))
    parts = arb_point_parts(system, w) if bound else None
    if parts is None:
        return value, None
    r, _ = parts
    up = interval.upper(sum((ri * ri for ri in r), interval.arb(0)).sqrt())
    return value, (up if np.isfinite(up) else None)


def refine_min(fun, ball, starts, *, constraints=(), maxiter=60):
    """Local minimization (SLSQP) of ``fun`` (a function of a batch of points) on the ball from each start.

    ``constraints`` are extra SLSQP inequality constraints ``g(w) >= 0``. Returns the best
    point found, projected exactly into the ball, and its value, or (None, inf).
    """
    import scipy.optimize

    c, R = ball.center, ball.radius
    cons = [{"type": "ineq", "fun": lambda w: R * R - float(np.sum((w - c) ** 2))}] + list(constraints)
    best_w, best_v = None, np.inf
    for s in starts:
        try:
            res = scipy.optimize.minimize(lambda w: float(fun(ball.project(w)[None, :])[0]), s, method="SLSQP",
                                          constraints=cons, options={"maxiter": maxiter})
            w = ball.project(res.x)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if any(con["fun"](w) < 0 for con in constraints):
            continue
        v = float(fun(w[None, :])[0])
        if v < best_v:
            best_w, best_v = w, v
    return best_w, best_v


def float_error(x, *, ulps=64):
    """A generous absolute round-off allowance for a float64 value computed from O(1) operations."""
    return ulps * np.finfo(np.float64).eps * abs(float(x))


__all__ = ["LEVELS", "STATUSES", "Claim", "Measured", "Mutant", "Theorem", "TheoremCheck", "Verdict", "compare",
           "constant", "decide", "measure", "positive_hypothesis", "worst", "float_error", "arb_point_parts",
           "kernel_min_eig_at", "residual_norm_at", "refine_min", "memo"]
