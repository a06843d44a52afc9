"""`plsym reproduce` runs every proof script, prints progress and a summary, and writes a valid report."""

import json

from plsym.cli import main

FIELDS = {"id", "statement", "claimed", "measured", "method", "verdict"}
VERDICTS = {"certified", "holds", "refuted", "not applicable", "error"}


def test_reproduce_quick_writes_report(tmp_path, capsys):
    code = main(["reproduce", "--quick", "--out", str(tmp_path), "--only", "T4", "T14", "T17", "C15"])
    out = capsys.readouterr().out
    assert code == 0  # the run completed; T17's refutation is a finding, not a failure
    assert "[ 1/4]" in out and "T14" in out and "refuted" in out
    rows = json.loads((tmp_path / "report.json").read_text())
    assert [r["id"] for r in rows] == ["T4", "T14", "T17", "C15"]
    for r in rows:
        assert FIELDS <= set(r) and r["verdict"] in VERDICTS
        assert isinstance(r["statement"], str) and r["statement"]
        assert r["measured"] is None or isinstance(r["measured"], float)
    assert {r["id"]: r["verdict"] for r in rows}["T17"] == "refuted"
    md = (tmp_path / "report.md").read_text()
    assert md.startswith("# plsym reproduce") and "| T14 |" in md
    assert (tmp_path / "gd_loss_vs_T14_bound.png").stat().st_size > 1000


def test_strict_exits_1_on_a_refuted_claim(tmp_path, capsys):
    assert main(["reproduce", "--quick", "--strict", "--out", str(tmp_path), "--only", "T17"]) == 1
    assert main(["reproduce", "--quick", "--strict", "--out", str(tmp_path), "--only", "T14"]) == 0


def test_unknown_id_is_a_clear_error(tmp_path, capsys):
    assert main(["reproduce", "--out", str(tmp_path), "--only", "T99"]) == 2
    assert "T99" in capsys.readouterr().err
