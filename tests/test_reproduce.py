"""`plsym reproduce` runs every proof script, prints progress and a summary, and writes a valid report."""

import json

import pytest

from plsym.cli import main

FIELDS = {"id", "statement", "claimed", "measured", "method", "verdict"}
VERDICTS = {"certified", "holds", "inconclusive", "refuted", "not applicable", "error"}


def test_reproduce_quick_writes_report(tmp_path, capsys):
    code = main(["reproduce", "--quick", "--out", str(tmp_path), "--only", "T6", "T14", "T17-sum", "C15"])
    out = capsys.readouterr().out
    assert code == 0  # the run completed; T17's refutation is a finding, not a failure
    assert "[ 1/4]" in out and "T14" in out and "refuted" in out
    rows = json.loads((tmp_path / "report.json").read_text())
    assert [r["id"] for r in rows] == ["T6", "T14", "T17-sum", "C15"]
    for r in rows:
        assert FIELDS <= set(r) and r["verdict"] in VERDICTS
        assert isinstance(r["statement"], str) and r["statement"]
        assert r["measured"] is None or isinstance(r["measured"], float)
    assert {r["id"]: r["verdict"] for r in rows}["T17-sum"] == "refuted"
    assert {r["id"]: r["mutants"]["refuted"] for r in rows if r["mutants"]["tried"]} == {"T6": 1, "T14": 3, "C15": 1}
    md = (tmp_path / "report.md").read_text()
    assert md.startswith("# plsym reproduce") and "| T14 |" in md
    assert (tmp_path / "gd_loss_vs_T14_bound.png").stat().st_size > 1000


def test_strict_exits_1_only_on_an_unexpected_refutation(tmp_path, capsys):
    # T17-sum is written to refute the summed-loss reading (EXPECT = "refuted"): a finding, not a failure
    assert main(["reproduce", "--quick", "--strict", "--out", str(tmp_path), "--only", "T17-sum"]) == 0
    assert main(["reproduce", "--quick", "--strict", "--out", str(tmp_path), "--only", "T14"]) == 0
    script = tmp_path / "proofs"
    script.mkdir()
    (script / "x9_false.py").write_text(
        "from plsym import Ball\nfrom plsym.systems import product\nfrom plsym.theorems import T14 as THEOREM\n"
        "ID = 'X9'\n"
        "def check(*, quick=False, rng=0, claim=None):\n"
        "    return THEOREM.check(product(2.9), Ball([3.0, 1.0], 0.5), level='certified', rng=rng,\n"
        "                         claim=claim or THEOREM.claim.replace(rate_factor=2.0), samples=64)\n")
    from plsym.reproduce import run
    assert run(out=str(tmp_path / "o"), quick=True, strict=True, directory=script, mutants=False) == 1
    assert run(out=str(tmp_path / "o"), quick=True, strict=False, directory=script, mutants=False) == 0


def test_strict_passes_an_inconclusive_verdict(tmp_path):
    # a step budget that ends before the loss reaches round-off: inconclusive, which --strict does not fail
    script = tmp_path / "proofs"
    script.mkdir()
    (script / "x8_budget.py").write_text(
        "from plsym import Ball\nfrom plsym.systems import product\nfrom plsym.theorems import T14 as THEOREM\n"
        "ID = 'X8'\n"
        "def check(*, quick=False, rng=0, claim=None):\n"
        "    return THEOREM.check(product(2.9), Ball([3.0, 1.0], 0.5), level='certified', rng=rng,\n"
        "                         claim=claim or THEOREM.claim, samples=64, steps=3)\n")
    from plsym.reproduce import run
    assert run(out=str(tmp_path / "o"), quick=True, strict=True, directory=script, mutants=False) == 0
    (row,) = json.loads((tmp_path / "o" / "report.json").read_text())
    assert row["verdict"] == "inconclusive"


def test_unknown_id_is_a_clear_error(tmp_path, capsys):
    assert main(["reproduce", "--out", str(tmp_path), "--only", "T99"]) == 2
    assert "T99" in capsys.readouterr().err


def test_seed_is_the_old_name_of_rng(tmp_path):
    from plsym import registry
    from plsym.reproduce import run, run_mutants

    with pytest.warns(DeprecationWarning, match=r"plsym.reproduce.run\(seed=...\) is deprecated; use "):
        assert run(out=str(tmp_path), quick=True, only=["T9"], seed=0, mutants=False) == 0
    (proof,) = registry.load(only=["T9"])
    with pytest.warns(DeprecationWarning, match=r"plsym.reproduce.run_mutants\(seed=...\) is deprecated"):
        old = run_mutants(proof, quick=True, seed=0)
    assert old == run_mutants(proof, quick=True, rng=0) and old[0]["verdict"] == "refuted"


def test_parallel_jobs_give_the_same_report(tmp_path):
    from plsym.reproduce import run

    ids = ["T6", "T14", "T17-sum", "C15"]
    reports = []
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        assert run(out=str(out), quick=True, only=ids, jobs=jobs) == 0
        rows = json.loads((out / "report.json").read_text())
        reports.append([{k: v for k, v in r.items() if k != "seconds"} for r in rows])
    assert [r["id"] for r in reports[0]] == ids and reports[0] == reports[1]
    assert (tmp_path / "jobs2" / "gd_loss_vs_T14_bound.png").stat().st_size > 1000  # figures from worker checks


def test_jobs_is_checked(tmp_path):
    from plsym import InvalidArgument
    from plsym.reproduce import run

    with pytest.raises(InvalidArgument, match="jobs=0"):
        run(out=str(tmp_path), quick=True, only=["T6"], jobs=0)
