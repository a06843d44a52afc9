"""Mutation testing of the theorem checks: every wrong constant is refuted on its proof script's own system.

A check that cannot fail proves nothing. For every proof script whose theorem states
numeric constants, each mutant (``THEOREM.mutants``: mu doubled in a rate, a radius
quartered, eta past 2/beta, a faster width exponent, the no-1/2 mu, the summed-loss mu
where the mean-loss mu is meant, ...) is checked at the level the script uses and must
be refuted, while the script's own claim holds (tests/test_theorems.py).
"""

import dataclasses

import pytest

from plsym import registry

PROOFS = {p.id: p for p in registry.load()}
CASES = [(pid, label) for pid, p in PROOFS.items() for label, _ in p.mutants()]

# Fields of a claim that are tolerances of the measurement, not constants of the theorem.
TOLERANCES = {"atol", "log_power"}
# Constants deliberately without a mutant, with the reason (stated in the theorem's notes too).
UNMUTATED = {
    ("T17-sum", "step_factor"): "the script refutes its own claim (a finding)",
    ("T17-sum", "rate_factor"): "the script refutes its own claim (a finding)",
    ("T17-sum", "reading"): "the script refutes its own claim (a finding)",
    ("T19", "radius_exponent"): None,  # mutated from None (3L) to 0: see the check below
}


@pytest.mark.parametrize("pid, label", CASES)
def test_every_mutant_is_refuted(pid, label):
    proof = PROOFS[pid]
    claim = dict(proof.mutants())[label]
    c = proof.check(quick=True, rng=0, claim=claim)
    assert c.verdict == "refuted", f"{pid} mutant {label!r} survived: {c.line()}"
    assert c.conclusion.sentence().endswith(": refuted")


@pytest.mark.parametrize("pid", sorted(pid for pid, p in PROOFS.items() if p.claim is not None))
def test_every_constant_has_a_mutant(pid):
    proof = PROOFS[pid]
    mutated = {f.name for _, claim in proof.mutants() for f in dataclasses.fields(claim)
               if getattr(claim, f.name) != getattr(proof.claim, f.name)}
    fields = {f.name for f in dataclasses.fields(proof.claim)} - TOLERANCES
    missing = {name for name in fields - mutated if (pid, name) not in UNMUTATED}
    assert not missing, f"{pid}: constants without a mutant: {sorted(missing)}"


def test_the_scripts_without_constants_are_the_expected_ones():
    # T3 claims a sign (negative curvature next to a solution), R2 a monotonicity, T1 a curve of solutions and the
    # sign of L at its chords' midpoints, T5 L = 0 at stationary points: no constant to mutate
    assert {pid for pid, p in PROOFS.items() if p.claim is None} == {"T1", "T1-X2", "T1-X4", "T1-net", "T3", "T5", "R2"}


def test_a_mutant_list_reaches_the_report(tmp_path):
    from plsym.reproduce import run
    import json

    assert run(out=str(tmp_path), quick=True, only=["T9"]) == 0
    row = json.loads((tmp_path / "report.json").read_text())[0]
    assert row["mutants"]["tried"] == 1 and row["mutants"]["refuted"] == 1
    assert row["mutants"]["list"][0]["claim"] == {"kappa_factor": 0.5}


def test_the_documentation_lists_every_mutant():
    import pathlib

    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "verdicts.md").read_text()
    for pid, proof in PROOFS.items():
        for label, _ in proof.mutants():
            assert label in text, f"docs/verdicts.md does not list the {pid} mutant {label!r}"


def test_a_script_that_expects_its_claim_refuted_runs_no_mutants():
    # T17-sum refutes its own (sum-reading) claim: a mutant of it would be refuted whatever the check does
    assert PROOFS["T17-sum"].expect == "refuted" and PROOFS["T17-sum"].mutants() == []
    assert {label for label, _ in PROOFS["T17-mean"].mutants()} == {
        "the summed-loss mu where the mean-loss mu is meant", "mu tripled in the rate", "step 2.2 eta*"}
