"""The vocabulary of theorem checks: verdicts per hypothesis and conclusion, and the check result."""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from .. import certify, estimate
from ..errors import InvalidArgument, _show, one_of

LEVELS = ("sampled", "searched", "certified")
STATUSES = ("certified", "holds", "refuted", "not applicable")
RELATIONS = ("upper", "lower", "tight", None)


def _num(x):
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else (None if np.isnan(x) else x)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The verdict on one hypothesis or on the conclusion of a theorem.

    Attributes
    ----------
    name : str
        What is checked, e.g. ``"lambda_min(K) >= mu > 0 on B (D3)"``.
    status : {"certified", "holds", "refuted", "not applicable"}
        certified = proved for the real quantities; holds = held at the points
        tried (see ``method`` and ``detail`` for the budget); refuted = fails at
        ``witness``; not applicable = cannot be checked here (``detail`` says why).
    method : str
        "certified", "searched", "sampled", "exact" (a finite computation), or "run"
        (along a GD/SGD trajectory).
    claimed, measured : float or None
        The constant the theorem claims and the one measured.
    relation : {"upper", "lower", "tight", None}
        How ``claimed`` relates to the truth: "upper" = measured <= claimed is the
        claim; "lower" = measured >= claimed; "tight" = equal within tolerance.
    detail : str
    witness : tuple or None
    """

    name: str
    status: str
    method: str
    claimed: float | None = None
    measured: float | None = None
    relation: str | None = None
    detail: str = ""
    witness: tuple | None = None

    def __post_init__(self):
        one_of("status", self.status, STATUSES)
        if self.relation not in RELATIONS:
            raise InvalidArgument(f"relation={_show(self.relation)} is not allowed; choose upper, lower, tight or None")
        object.__setattr__(self, "claimed", _num(self.claimed))
        object.__setattr__(self, "measured", _num(self.measured))
        if self.witness is not None:
            object.__setattr__(self, "witness", tuple(float(v) for v in np.ravel(self.witness)))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["witness"] = list(self.witness) if self.witness is not None else None
        return d


def compare(name, measured, claimed, relation, method, *, rtol=1e-9, atol=0.0, detail="", witness=None, certified=False):
    """A Verdict from comparing a measured constant with a claimed one (slack rtol * scale + atol)."""
    if measured is None or not np.isfinite(measured):
        return Verdict(name, "not applicable", method, claimed, None, relation, detail or "not measurable", witness)
    slack = rtol * max(abs(claimed), abs(measured), 1e-300) + atol
    if relation == "upper":
        ok = measured <= claimed + slack
    elif relation == "lower":
        ok = measured >= claimed - slack
    else:
        ok = abs(measured - claimed) <= slack
    status = ("certified" if certified else "holds") if ok else "refuted"
    return Verdict(name, status, method, claimed, measured, relation, detail, witness)


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
    claimed, measured : float or None
        The headline constants (those of the conclusion).
    relation : str or None
    seed : int or None
    series : dict
        Arrays for figures (e.g. the GD losses and the bound), not part of the verdict.
    """

    id: str
    statement: str
    system: str
    level: str
    hypotheses: tuple
    conclusion: Verdict
    seed: int | None = None
    series: dict = dataclasses.field(default_factory=dict)

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
        """certified / holds / refuted / not applicable, for the theorem as a whole.

        A failed hypothesis makes the theorem not applicable (its conclusion is not
        claimed); otherwise the conclusion's status is the verdict, and "certified"
        needs every hypothesis certified too.
        """
        if any(h.status in ("refuted", "not applicable") for h in self.hypotheses):
            return "not applicable"
        c = self.conclusion.status
        if c == "certified" and not all(h.status == "certified" for h in self.hypotheses):
            return "holds"
        return c

    def line(self) -> str:
        """One verdict line, e.g. ``T14 GD under local PL*: worst step ratio 0.16 <= claimed 0.475 [upper] HOLDS (run)``."""
        c = self.conclusion
        rel = {"upper": "<=", "lower": ">=", "tight": "=="}.get(c.relation, "vs")
        nums = ""
        if c.measured is not None and c.claimed is not None:
            nums = f": {c.name} {c.measured:.4g} {rel} claimed {c.claimed:.4g} [{c.relation}]"
        elif c.measured is not None:
            nums = f": {c.name} {c.measured:.4g}"
        else:
            nums = f": {c.name}"
        return f"{self.id} {self.statement} on {self.system}{nums} {self.verdict.upper()} ({c.method}{', ' + c.detail if c.detail else ''})"

    def to_dict(self) -> dict:
        return {
            "id": self.id, "statement": self.statement, "system": self.system, "level": self.level,
            "claimed": self.claimed, "measured": self.measured, "relation": self.relation,
            "method": self.method, "verdict": self.verdict, "seed": self.seed,
            "hypotheses": [h.to_dict() for h in self.hypotheses], "conclusion": self.conclusion.to_dict(),
        }


@dataclasses.dataclass(frozen=True)
class Theorem:
    """One result of the paper: its id, provenance tag, statement, and a check.

    ``check(system, ball, *, level="sampled" | "searched" | "certified", rng=0, **options)``
    returns a :class:`TheoremCheck`.
    """

    id: str
    title: str
    statement: str
    tag: str
    _check: Callable = dataclasses.field(repr=False)

    def check(self, system, ball=None, *, level="searched", rng=0, **options) -> TheoremCheck:
        one_of("level", level, LEVELS)
        return self._check(system, ball, level=level, rng=rng, **options)

    def __call__(self, *args, **kwargs):
        return self.check(*args, **kwargs)


# -- measuring constants at a level --------------------------------------------------

_KIND = {"kernel_min_eig": "inf", "pl_constant": "inf", "hessian_norm": "sup", "lipschitz": "sup",
         "smoothness": "sup", "residual_norm": "sup"}


@dataclasses.dataclass(frozen=True)
class Measured:
    """A constant measured at a level: value, how, and a witness (for estimates)."""

    name: str
    value: float
    method: str
    detail: str
    witness: tuple | None
    certified: bool


def measure(name, system, ball, level, rng, *, samples=2048):
    """Measure constant ``name`` on the ball at ``level``.

    Certified level: a proved bound (lower for an infimum, upper for a supremum)
    when plsym.certify manages one, else the searched estimate (and ``certified``
    False, with the reason in ``detail``).
    """
    if level == "certified":
        b = getattr(certify, name)(system, ball)
        if b.certified:
            return Measured(name, b.value, "certified", f"{b.boxes} boxes", None, True)
        note = f"certification failed ({b.reason}); searched instead"
        level = "searched"
    else:
        note = ""
    e = getattr(estimate, name)(system, ball, samples=samples, search=(level == "searched"), rng=rng)
    detail = f"{e.evaluations} evals, seed {e.seed}" + (f"; {note}" if note else "")
    return Measured(name, e.value, e.method, detail, e.witness, False)
