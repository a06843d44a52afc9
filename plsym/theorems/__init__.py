"""The paper's results as checks: one :class:`Theorem` per result, named by its id in docs/theory.md.

Each ``Theorem.check(system, ball, *, level="sampled" | "searched" | "certified", rng=0, ...)``
returns a :class:`TheoremCheck` with a verdict per hypothesis and for the conclusion
("certified", "holds" with its method and budget, "refuted" with a witness, or "not
applicable"), and the claimed and measured constants with their relation.
Constants tagged [recalled] in docs/theory.md (T17, T10's form, ...) are claims: a
refutation is a finding, reported with its counterexample.

:mod:`plsym.theorems.negative` reproduces the paper's negative results (X1, T3, T6, T13,
C15, ...) from a seed, with counterexample searches (:mod:`plsym.search`) as evidence.
"""

from ._core import LEVELS, STATUSES, Claim, Measured, Mutant, Theorem, TheoremCheck, Verdict, compare, measure
from .conditioning import T4, T6, T9, T10, T11, T12
from .gd import C15, T14, T15, T23
from .landscape import T1, T2, T3, T5
from .negative import NEGATIVE_RESULTS, NegativeResult, negative_results
from .networks import C24, T13, T21, T22
from .sgd import T17, T18
from .singular import T7, T8
from .wide import R1, R2, T19, T20

THEOREMS = {t.id: t for t in (T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, C15, T17, T18, T19, T20, T21, T22, T23, C24, R1, R2)}

__all__ = [
    "LEVELS", "STATUSES", "Claim", "Measured", "Mutant", "THEOREMS", "Theorem", "TheoremCheck", "Verdict", "compare",
    "measure", "NEGATIVE_RESULTS", "NegativeResult", "negative_results",
    "C15", "C24", "R1", "R2", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "T13", "T14", "T15", "T17", "T18", "T19", "T20", "T21", "T22", "T23",
]
