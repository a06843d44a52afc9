"""``plsym reproduce``: run every proof script, print a table, write report.md, report.json and figures.

What a verdict means: "certified" = proved for the real quantities; "holds" = held at
every point tried, with the method and budget given; "refuted" = a counterexample was
found (for a [recalled] constant this is a finding about the claim); "not applicable" =
a hypothesis failed, so the theorem claims nothing there.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

from . import registry
from .progress import reporting
from .figures import FIGURES

COLUMNS = ("id", "statement", "claimed", "measured", "method", "verdict")


def _fmt(x):
    return "" if x is None else f"{x:.4g}"


def _row(proof, check, seconds):
    d = check.to_dict()
    d.update({"title": proof.title, "script": proof.path.name, "seconds": round(seconds, 3)})
    return d


def _error_row(proof, exc, seconds):
    return {"id": proof.id, "statement": proof.title, "system": None, "claimed": None, "measured": None,
            "relation": None, "method": None, "verdict": "error", "error": f"{type(exc).__name__}: {exc}",
            "script": proof.path.name, "seconds": round(seconds, 3)}


def _markdown(rows, seed, quick, seconds):
    lines = [
        "# plsym reproduce: Liu, Zhu & Belkin, checked",
        "",
        f"seed {seed}, {'quick' if quick else 'full'} run, {seconds:.1f} s. certified = proved for the real "
        "quantities; holds = held at every point tried (method and budget in the row); refuted = a counterexample "
        "(for a [recalled] constant, a finding about the claim); not applicable = a hypothesis failed. "
        "Ids are those of the theory catalog docs/theory.md, which states each result, its constants and provenance.",
        "",
        "| id | statement | system | claimed | measured | relation | method | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['id']} | {r['statement']} | {r.get('system') or ''} | {_fmt(r['claimed'])} | "
                     f"{_fmt(r['measured'])} | {r.get('relation') or ''} | {r.get('method') or ''} | {r['verdict']} |")
    lines += ["", "## Details", ""]
    for r in rows:
        lines.append(f"### {r['id']}: {r['statement']}")
        if "error" in r:
            lines.append(f"- error: {r['error']}")
        for h in r.get("hypotheses", []):
            lines.append(f"- hypothesis: {h['name']}: **{h['status']}** ({h['method']}; measured {_fmt(h['measured'])}"
                         f"{', claimed ' + _fmt(h['claimed']) if h['claimed'] is not None else ''}) {h['detail']}")
        if "conclusion" in r:
            c = r["conclusion"]
            lines.append(f"- conclusion: {c['name']}: **{c['status']}** ({c['method']}) {c['detail']}")
            if c["witness"]:
                lines.append(f"- witness: {c['witness'][:8]}{' ...' if len(c['witness']) > 8 else ''}")
        lines.append("")
    return "\n".join(lines)


def run(*, out="plsym-report", quick=False, strict=False, seed=0, stream=None, only=None, directory=None,
        progress=None) -> int:
    """Run the proof scripts; return 0 when the run completes (1 on an error, or with ``strict`` on a refutation).

    ``progress`` (None, True or a callable, see :mod:`plsym.progress`) reports the work inside
    each script, labelled with its position and id; True draws a bar on a terminal only.
    """
    proofs = registry.load(directory, only=only)
    os.makedirs(out, exist_ok=True)
    rows, checks = [], {}
    start = time.perf_counter()
    width = max(len(p.id) for p in proofs)
    for k, proof in enumerate(proofs, 1):
        t0 = time.perf_counter()
        try:
            with reporting(progress, label=f"[{k:2}/{len(proofs)}] {proof.id}"):
                check = proof.check(quick=quick, seed=seed)
            rows.append(_row(proof, check, time.perf_counter() - t0))
            checks[proof.id] = check
        except Exception as exc:  # a failing script is reported, and the run goes on
            rows.append(_error_row(proof, exc, time.perf_counter() - t0))
            if stream is not None:
                traceback.print_exc(file=sys.stderr)
        r = rows[-1]
        if stream is not None:
            rel = {"upper": "<=", "lower": ">=", "tight": "=="}.get(r.get("relation"), "vs")
            nums = f"{_fmt(r['measured'])} {rel} {_fmt(r['claimed'])}" if r["claimed"] is not None else _fmt(r["measured"])
            print(f"[{k:2}/{len(proofs)}] {r['id']:<{width}} {r['verdict']:<15} {nums:<24} "
                  f"{r.get('method') or '':<10} {r['statement'][:60]}  ({r['seconds']:.1f} s)", file=stream, flush=True)
    figures = []
    for pid, (name, draw) in FIGURES.items():
        if pid in checks and checks[pid].series:
            path = os.path.join(out, name)
            draw(checks[pid], path)
            figures.append(name)
    seconds = time.perf_counter() - start
    with open(os.path.join(out, "report.json"), "w") as fh:
        json.dump(rows, fh, indent=2, default=_json_default)
    with open(os.path.join(out, "report.md"), "w") as fh:
        fh.write(_markdown(rows, seed, quick, seconds))
        if figures:
            fh.write("\n## Figures\n\n" + "\n".join(f"![{f}]({f})" for f in figures) + "\n")
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("certified", "holds", "refuted", "not applicable", "error")}
    if stream is not None:
        print(f"{len(rows)} results in {seconds:.1f} s: " + ", ".join(f"{n} {v}" for v, n in counts.items() if n)
              + f"; report in {os.path.join(out, 'report.md')}", file=stream)
    if counts["error"]:
        return 1
    return 1 if (strict and counts["refuted"]) else 0


def _json_default(x):
    import numpy as np

    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    raise TypeError(f"{type(x).__name__} is not JSON serializable")
