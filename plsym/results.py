"""The vocabulary every plsym result speaks: levels, relations, statuses, claims and verdicts.

One word per notion, used by :mod:`plsym.estimate`, :mod:`plsym.certify`,
:mod:`plsym.search`, :mod:`plsym.spec` and :mod:`plsym.theorems`:

=============  ==========================================================================
level          how a number was obtained: ``"sampled"`` (the best of random points of the
               ball), ``"searched"`` (the worst point an optimizer or Hypothesis found),
               ``"certified"`` (a bound proved in ball arithmetic)
relation       what a number is to the true quantity: ``"upper"`` (it is >= the quantity:
               a sampled infimum, a proved bound of a supremum, a claimed ``eps`` in
               ``||H_F|| <= eps``), ``"lower"`` (it is <=: a searched supremum, a proved
               bound of an infimum, a claimed ``mu`` in ``lambda_min(K) >= mu``) or
               ``"tight"`` (equal within a stated tolerance)
status         a verdict: ``"certified"`` (proved for the real quantities), ``"holds"``
               (held at every point tried; ``method`` and ``detail`` say which),
               ``"inconclusive"`` (budget or round-off cannot decide), ``"refuted"``
               (fails at ``x``, beyond round-off), ``"undefined"`` (the system is not
               finite at ``x``, a point of the ball), ``"not applicable"``
x              the point a result is about (a witness, a counterexample), as in SciPy
nfev           how many points were evaluated, as in SciPy
=============  ==========================================================================

A sampled or searched infimum over-estimates the true one and a searched
supremum under-estimates it: only ``"certified"`` results are proofs.

References
----------
docs/verdicts.md (what each status rests on), docs/theory.md §1 (the quantities).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._deprecated import renamed_attribute
from .errors import InvalidArgument, _show, one_of

__all__ = ["LEVELS", "RELATIONS", "RTOL", "STATUSES", "Claim", "Verdict", "compare", "constant", "decide",
           "relation_of", "summarize", "summarized_repr", "worst", "relation_symbol"]

LEVELS = ("sampled", "searched", "certified")
# The relative slack of every comparison of a float measurement with a claimed constant: a
# difference below it is the rounding of the measurement, never a violation.
RTOL = 1e-9
RELATIONS = ("upper", "lower", "tight")
STATUSES = ("certified", "holds", "inconclusive", "refuted", "undefined", "not applicable")

# How a relation reads when the claim held and when it failed (the reports' sentences).
_HOLDS_OP = {"upper": "<=", "lower": ">=", "tight": "=="}
_FAILS_OP = {"upper": ">", "lower": "<", "tight": "!="}


def relation_symbol(relation: str, *, holds=True) -> str:
    """How a relation reads: ``"<="`` for "upper" (``">"`` when it failed), ``">="`` for "lower", ``"=="`` for "tight"."""
    one_of("relation", relation, RELATIONS)
    return (_HOLDS_OP if holds else _FAILS_OP)[relation]


def relation_of(kind: str) -> str:
    """The relation of a claimed bound on a quantity of ``kind``: a claim on an infimum is a lower bound."""
    return {"inf": "lower", "sup": "upper"}[one_of("kind", kind, ("inf", "sup"))]


def summarize(x, *, head=3) -> str:
    """A short text for a point: every coordinate up to 6, else the first few and the size."""
    if x is None:
        return "None"
    v = np.ravel(np.asarray(x, dtype=float))
    if v.size <= 6:
        return "[" + ", ".join(f"{c:.6g}" for c in v) + "]"
    return "[" + ", ".join(f"{c:.6g}" for c in v[:head]) + f", ... ({v.size} coordinates)]"


def summarized_repr(result) -> str:
    """The repr of a result dataclass with its points (``x``, ``shrunk``) summarised (see :func:`summarize`)."""
    fields = ", ".join(f"{f.name}={summarize(v) if f.name in _POINT_FIELDS else repr(v)}"
                       for f in dataclasses.fields(result) for v in [getattr(result, f.name)])
    return f"{type(result).__name__}({fields})"


_POINT_FIELDS = ("x", "shrunk")


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if np.isnan(x) else x


def _fmt(x):
    return "n/a" if x is None else f"{x:.4g}"


@dataclasses.dataclass(frozen=True, repr=False)
class Verdict:
    """The verdict on one claim, one hypothesis or one conclusion.

    Attributes
    ----------
    name : str
        What is measured, e.g. ``"worst step ratio L(w_t+1)/L(w_t)"`` or ``"pl_constant"``.
    status : {"certified", "holds", "inconclusive", "refuted", "undefined", "not applicable"}
        certified = proved for the real quantities; holds = held at the points
        tried (``method`` and ``detail`` give the budget); inconclusive = the
        evidence cannot decide (budget, round-off, or an estimated hypothesis
        that could explain a violation); refuted = fails at ``x``, beyond
        round-off; undefined = the system is not finite at ``x``, a point of the
        ball; not applicable = cannot be checked here (``detail`` says why).
    method : str
        "certified", "searched", "sampled", "exact" (a finite computation), or
        "run" (along a GD/SGD trajectory).
    claimed, measured : float or None
        The constant claimed and the one measured.
    relation : {"upper", "lower", "tight", None}
        What ``claimed`` is to the quantity: "upper" claims measured <= claimed,
        "lower" measured >= claimed, "tight" equality within tolerance.
    detail : str
        What the verdict rests on (budget, seed, error bar, reason).
    x : tuple of float or None
        The point (or parameter) where a refutation happens, or where an
        extremum was attained.
    tolerance : float
        The slack of the comparison (an absolute tolerance, or the rounding
        allowance of an exact identity): a claim holds when ``measured`` is
        within it of ``claimed``; the sentence states it when it is needed.
    """

    name: str
    status: str
    method: str
    claimed: float | None = None
    measured: float | None = None
    relation: str | None = None
    detail: str = ""
    x: tuple | None = None
    tolerance: float = 0.0

    def __post_init__(self):
        one_of("status", self.status, STATUSES)
        if self.relation is not None and self.relation not in RELATIONS:
            raise InvalidArgument(f"relation={_show(self.relation)} is not allowed; choose upper, lower, tight or None")
        object.__setattr__(self, "claimed", _num(self.claimed))
        object.__setattr__(self, "measured", _num(self.measured))
        if self.x is not None:
            object.__setattr__(self, "x", tuple(np.ravel(np.asarray(self.x, dtype=float)).tolist()))

    witness = renamed_attribute("witness", "x")

    @property
    def failed(self) -> bool:
        """Whether the claim is refuted or the system undefined on the ball."""
        return self.status in ("refuted", "undefined")

    def replace(self, **changes) -> "Verdict":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def sentence(self) -> str:
        """The verdict as a sentence that is true of what was checked.

        ``"worst step ratio 0.073 <= claimed 0.477: holds"``; a refutation reads
        ``"... 0.5 > claimed -0.05: refuted"``, an undecided comparison
        ``"... 0.86 ~ claimed 0.86 (within round-off): inconclusive"``.
        """
        if self.measured is None:
            body = self.name if self.claimed is None else f"{self.name} (claimed {_fmt(self.claimed)})"
        elif self.claimed is None or self.relation is None:
            body = f"{self.name} = {_fmt(self.measured)}"
        else:
            if self.status in ("refuted", "undefined"):
                op = _FAILS_OP[self.relation]
            elif self.status == "inconclusive":
                op = "~"
            else:
                op = _HOLDS_OP[self.relation]
            body = f"{self.name} {_fmt(self.measured)} {op} claimed {_fmt(self.claimed)}"
            if self.status in ("holds", "certified") and not _holds_exactly(self.relation, self.measured,
                                                                             self.claimed):
                body += (f" within the tolerance {self.tolerance:.3g}" if self.tolerance > 0 else
                         " within round-off")
        return f"{body}: {self.status}"

    __repr__ = summarized_repr

    def to_dict(self) -> dict:
        """A JSON-ready dict, with the sentence."""
        d = dataclasses.asdict(self)
        del d["tolerance"]  # stated by the sentence where it matters; the keys of the JSON reports stay fixed
        d["x"] = list(self.x) if self.x is not None else None
        d["sentence"] = self.sentence()
        return d


def _holds_exactly(relation, measured, claimed):
    """Whether measured and claimed satisfy the relation with no tolerance."""
    if relation == "upper":
        return measured <= claimed
    if relation == "lower":
        return measured >= claimed
    return measured == claimed


def decide(holds: bool, violated_beyond_error: bool, *, certified=False) -> str:
    """The status of a comparison: holds (or certified), refuted beyond the error bar, else inconclusive."""
    if holds:
        return "certified" if certified else "holds"
    return "refuted" if violated_beyond_error else "inconclusive"


def compare(name, measured, claimed, relation, method, *, rtol=RTOL, atol=0.0, error=0.0, detail="", x=None,
            certified=False, refutable=True) -> Verdict:
    """A Verdict from comparing a measured constant with a claimed one.

    The slack ``rtol * max(|claimed|, |measured|) + atol`` absorbs the rounding of
    an exact identity. ``error`` is an absolute error bar on ``measured`` (its
    round-off or estimation error): a failure within it is "inconclusive", not
    "refuted". ``refutable=False`` turns every failure into "inconclusive" (the
    measured value was estimated in the direction that could explain it).
    """
    if measured is None or not np.isfinite(measured):
        return Verdict(name, "not applicable", method, claimed, None, relation, detail or "not measurable", x)
    slack = rtol * max(abs(claimed), abs(measured), 1e-300) + atol
    error = abs(float(error))
    if relation == "upper":
        ok, beyond = measured <= claimed + slack, measured - error > claimed + slack
    elif relation == "lower":
        ok, beyond = measured >= claimed - slack, measured + error < claimed - slack
    else:
        ok, beyond = abs(measured - claimed) <= slack, abs(measured - claimed) - error > slack
    status = decide(ok, beyond and refutable, certified=certified)
    if status == "inconclusive" and not refutable and beyond:
        detail = (detail + "; " if detail else "") + "a failure, but of estimated constants: not a refutation"
    elif status == "inconclusive":
        detail = (detail + "; " if detail else "") + f"the failure is within the error bar {error:.3g}"
    return Verdict(name, status, method, claimed, measured, relation, detail, x, slack)


def worst(*statuses) -> str:
    """The combined status of parts that must all hold: refuted > undefined > not applicable > inconclusive > holds > certified."""
    for s in ("refuted", "undefined", "not applicable", "inconclusive", "holds", "certified"):
        if s in statuses:
            return s
    return "holds"


@dataclasses.dataclass(frozen=True)
class Claim:
    """Claimed constants, as a value; subclasses add the fields.

    A theorem's claim (``T14.claim``) holds its stated constants; a claim on one
    quantity over a ball (:class:`plsym.quantities.QuantityClaim`) holds the
    quantity and its bound. Every field is documented in ``metadata["doc"]``;
    :meth:`replace` builds a variant (a mutant, or another reading of a recalled
    constant) and refuses unknown names.
    """

    def replace(self, **changes) -> "Claim":
        """A copy with some constants changed, e.g. ``T14.claim.replace(rate_factor=2.0)``."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise InvalidArgument(f"{type(self).__name__} has no constant {', '.join(unknown)}; "
                                  f"its constants are {', '.join(sorted(names))}")
        return dataclasses.replace(self, **changes)

    def describe(self) -> str:
        """One line per constant: name = value: meaning."""
        return "\n".join(f"{f.name} = {getattr(self, f.name)!r}: {f.metadata.get('doc', '')}"
                         for f in dataclasses.fields(self))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def constant(default, doc):
    """A claim field with its documentation."""
    return dataclasses.field(default=default, metadata={"doc": doc})
