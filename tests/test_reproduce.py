"""`plsym reproduce` runs, prints what it checked and writes a valid report."""

import json

from plsym.cli import main


def test_reproduce_quick_writes_report(tmp_path, capsys):
    code = main(["reproduce", "--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "C1" in out and "T4" in out and "refuted" in out
    rows = json.loads((tmp_path / "report.json").read_text())
    assert {r["id"] for r in rows} >= {"C1", "T4"}
    for r in rows:
        assert set(r) >= {"id", "statement", "claimed", "measured", "method", "verdict"}
        assert r["verdict"] in {"holds", "refuted", "certified", "not applicable"}
    assert (tmp_path / "report.md").read_text().startswith("| id |")
