"""``plsym reproduce``: run every proof script, print a table, write report.md, report.json and figures.

What a verdict means: "certified" = proved for the real quantities; "holds" = held at
every point tried, with the method and budget given; "inconclusive" = the evidence
cannot decide (budget, round-off, or estimated constants that could explain a
failure); "refuted" = a counterexample was found, beyond round-off (for a [recalled]
constant this is a finding about the claim); "not applicable" = a hypothesis failed,
so the theorem claims nothing there.

Every result whose theorem states numeric constants is also run with its mutants,
wrong variants of those constants that its check must refute; each row reports
mutants refuted / tried, so that a "holds" is known to be a check that can fail.
"""

from __future__ import annotations

import concurrent.futures
import functools
import json
import multiprocessing as mp
import os
import sys
import time
import traceback

from . import registry
from ._linalg import one_blas_thread
from ._options import checked_options
from .errors import positive_int
from .progress import reporting
from .figures import FIGURES
from .results import summarize

__all__ = ["CATALOG", "COLUMNS", "GROUPS", "group_of", "run", "run_mutants"]

COLUMNS = ("id", "statement", "claimed", "measured", "method", "verdict")

# The report's groups, as the theory catalog (docs/theory.md §3, §7) orders the results.
GROUPS = (
    ("landscape", ("T1", "T2", "T3", "T5")),
    ("conditioning", ("T4", "T6", "T7", "T8", "T9", "T10", "T11", "T12", "T13")),
    ("GD/SGD", ("T14", "T15", "T16", "T17", "T18", "T23", "C15")),
    ("wide networks", ("T19", "T20", "T21", "T22", "C24")),
    ("related work", ("R1", "R2", "R3", "R4")),
)
CATALOG = tuple(i for _, ids in GROUPS for i in ids if i[0] in "TR")
"""The results of the theory catalog (T1-T23, R1-R4), the denominator of the report's count."""


def group_of(theorem_id):
    """The report group of a result id ("T14", or a script id such as "T17-sum"); "other" when none."""
    base = str(theorem_id).split("-")[0]
    return next((name for name, ids in GROUPS if base in ids), "other")


# Why a result of the catalog has no proof script (see its entry in docs/theory.md).
_WITHOUT_SCRIPT = {
    "T16": "a later paper's result",
    "R3": "asymptotic rates, no constants",
    "R4": "no constants stated",
}


def _coverage(rows):
    """One line: how many of the catalog's results have a checked row, and which have none (with the reason)."""
    done = {str(r.get("theorem") or r["id"]).split("-")[0] for r in rows if r["verdict"] != "error"}
    missing = sorted((i for i in CATALOG if i not in done), key=registry._order)
    named = [f"{i} ({_WITHOUT_SCRIPT[i]})" if i in _WITHOUT_SCRIPT else i for i in missing]
    return (f"Results of the catalog checked: {sum(i in done for i in CATALOG)} of {len(CATALOG)} "
            f"(T1-T23, R1-R4){'; not checked: ' + ', '.join(named) if missing else ''}.")


def _fmt(x):
    return "" if x is None else f"{x:.4g}"


def _row(proof, check, seconds, mutants):
    d = check.to_dict()
    d.update({"title": proof.title, "script": proof.path.name, "seconds": round(seconds, 3),
              "sentence": check.conclusion.sentence(), "expected": proof.expect})
    if mutants is not None:
        d["mutants"] = {"tried": len(mutants), "refuted": sum(m["verdict"] == "refuted" for m in mutants),
                        "list": mutants}
    return d


@checked_options(renamed={"seed": "rng"}, name="plsym.reproduce.run_mutants")
def run_mutants(proof, *, quick=False, rng=0):
    """Check each mutant of the proof's theorem on the proof's own system: a list of dicts (label, claim, verdict).

    ``rng`` is the int seed of the checks (``seed=`` is its old name and warns).
    """
    out = []
    for label, claim in proof.mutants():
        c = proof.check(quick=quick, rng=rng, claim=claim)
        out.append({"label": label, "claim": claim.to_dict(), "verdict": c.verdict, "sentence": c.conclusion.sentence()})
    return out


def _jobs(jobs, n):
    """The number of worker processes: ``jobs``, or one per core up to 2 (None); never more than n scripts."""
    if jobs is None:
        jobs = min(2, os.cpu_count() or 1)
    jobs = positive_int("jobs", jobs)
    return max(1, min(jobs, n))


def _one(proof, task, progress):
    """(row, check for a figure or None, traceback text or None) of one script and its mutants."""
    k, n, _, quick, rng, mutants = task
    t0 = time.perf_counter()
    try:
        # one BLAS thread throughout (not only in the iterations): the float results do not depend
        # on the machine's thread count
        with reporting(progress, label=f"[{k:2}/{n}] {proof.id}"), one_blas_thread():
            check = proof.check(quick=quick, rng=rng)
            muts = run_mutants(proof, quick=quick, rng=rng) if mutants else None
        row = _row(proof, check, time.perf_counter() - t0, muts)
        row["theorem"], row["id"] = check.id, proof.id
        row["group"] = group_of(check.id)
        return row, (check if proof.id in FIGURES and check.series else None), None
    except Exception as exc:  # a failing script is reported, and the run goes on
        return _error_row(proof, exc, time.perf_counter() - t0), None, traceback.format_exc()


@functools.lru_cache(maxsize=None)
def _scripts(directory):
    """The proof scripts of ``directory`` by path, loaded once per worker process."""
    return {p.path: p for p in registry.load(directory)}


def _weight(proof):
    """1 for a script whose theorem measures a family of widths (the longest: networks drawn at every width), else 0."""
    return int(any(name == "widths" for name, _, _ in getattr(proof.theorem, "options", ())))


# Frameworks whose threads make a forked child unsafe: with one of them loaded, workers are spawned.
_FORK_UNSAFE = ("torch", "jax", "tensorflow")


def _context():
    """The start method of the workers: fork where there is one (the workers inherit the imported plsym: no
    second import of numpy, scipy and sympy per worker), spawn where fork is missing or unsafe."""
    if "fork" in mp.get_all_start_methods() and not any(m in sys.modules for m in _FORK_UNSAFE):
        return mp.get_context("fork")
    return mp.get_context("spawn")


def _one_by_path(task):
    """:func:`_one` in a worker process, which loads the script from its path."""
    path = task[2]
    return _one(_scripts(path.parent)[path], task, None)


def _error_row(proof, exc, seconds):
    return {"id": proof.id, "statement": proof.title, "system": None, "claimed": None, "measured": None,
            "relation": None, "method": None, "verdict": "error", "error": f"{type(exc).__name__}: {exc}",
            "script": proof.path.name, "seconds": round(seconds, 3)}


def _markdown(rows, seed, quick, seconds):
    lines = [
        "# plsym reproduce: Liu, Zhu & Belkin, checked",
        "",
        f"seed {seed}, {'quick' if quick else 'full'} run, {seconds:.1f} s. certified = proved for the real "
        "quantities; holds = held at every point tried (method and budget in the row); inconclusive = the evidence "
        "cannot decide; refuted = a counterexample beyond round-off (for a [recalled] constant, a finding about the "
        "claim); not applicable = a hypothesis failed. Mutants: wrong variants of the claimed constants, refuted / "
        "tried. Statements and ids: docs/theory.md.",
        "",
        _coverage(rows),
    ]
    for group in [name for name, _ in GROUPS] + ["other"]:
        members = [r for r in rows if group_of(r.get("theorem") or r["id"]) == group]
        if not members:
            continue
        lines += ["", f"## {group}", "", "| id | statement | system | checked | method | verdict | mutants |",
                  "|---|---|---|---|---|---|---|"]
        for r in members:
            mu = r.get("mutants")
            mut = f"{mu['refuted']}/{mu['tried']}" if mu and mu["tried"] else ""
            lines.append(f"| {r['id']} | {r['statement']} | {r.get('system') or ''} | {r.get('sentence', '')} | "
                         f"{r.get('method') or ''} | {r['verdict']}"
                         f"{' (expected finding)' if r.get('expected') else ''} | {mut} |")
    lines += ["", "## Details", ""]
    for r in rows:
        lines.append(f"### {r['id']}: {r['statement']}")
        if "error" in r:
            lines.append(f"- error: {r['error']}")
        for h in r.get("hypotheses", []):
            lines.append(f"- hypothesis: {h['sentence']} ({h['method']}) {h['detail']}")
        if "conclusion" in r:
            c = r["conclusion"]
            lines.append(f"- conclusion: {c['sentence']} ({c['method']}) {c['detail']}")
            if c["x"]:
                lines.append(f"- at x = {summarize(c['x'])}")
        for m in (r.get("mutants") or {}).get("list", []):
            lines.append(f"- mutant {m['label']}: {m['sentence']} -> **{m['verdict']}**")
        lines.append("")
    return "\n".join(lines)


@checked_options(renamed={"seed": "rng"}, name="plsym.reproduce.run")
def run(*, out="plsym-report", quick=False, strict=False, rng=0, stream=None, only=None, directory=None,
        mutants=True, progress=None, jobs=1) -> int:
    """Run the proof scripts (and their theorems' mutants); return 0 when the run completes.

    Returns 1 on an error, or with ``strict`` on a refutation that its script does not
    declare as an expected finding (``EXPECT = "refuted"``). ``progress`` (None, True or a
    callable, see :mod:`plsym.progress`) reports the work inside each script, labelled with
    its position and id; True draws a bar on a terminal only (with ``jobs`` 1). ``rng`` is the
    int seed every script runs with (``seed=`` is its old name and warns). ``jobs`` scripts run
    at once, each in its own process (None: one per core, at most 2); the rows, their order and
    every number are those of ``jobs=1``.
    """
    proofs = registry.load(directory, only=only)
    jobs = _jobs(jobs, len(proofs))
    os.makedirs(out, exist_ok=True)
    rows, drawn = [], set()
    start = time.perf_counter()
    width = max(len(p.id) for p in proofs)
    tasks = [(k, len(proofs), proof.path, quick, rng, mutants) for k, proof in enumerate(proofs, 1)]
    if jobs == 1:
        results = ((k, _one(proof, task, progress)) for k, (proof, task) in enumerate(zip(proofs, tasks)))
        pool = None
    else:  # scripts are independent and seeded: in worker processes, the same rows in the same order
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=_context())
        # the longest scripts are handed out first, so that no long one starts last; rows keep the script order
        order = sorted(range(len(proofs)), key=lambda k: -_weight(proofs[k]))
        futures = {pool.submit(_one_by_path, tasks[k]): k for k in order}
        results = ((futures[f], f.result()) for f in concurrent.futures.as_completed(futures))
    try:
        done = {}
        for k, (row, check, trace) in results:
            if check is not None:  # drawn as soon as its check is in, while the other scripts run
                name, draw = FIGURES[row["id"]]
                draw(check, os.path.join(out, name))
                drawn.add(row["id"])
            done[k] = (row, trace)
            while len(rows) in done:  # the rows in script order, each printed as soon as those before it are in
                row, trace = done.pop(len(rows))
                rows.append(row)
                if trace and stream is not None:
                    print(trace, file=sys.stderr, end="")
                if stream is not None:
                    mu = row.get("mutants")
                    mut = f"mutants {mu['refuted']}/{mu['tried']} refuted" if mu and mu["tried"] else ""
                    print(f"[{len(rows):2}/{len(proofs)}] {row['id']:<{width}} {row['verdict']:<14} "
                          f"{row.get('sentence', row.get('error', ''))[:70]:<70} {mut:<20} ({row['seconds']:.1f} s)",
                          file=stream, flush=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    figures = [name for pid, (name, _) in FIGURES.items() if pid in drawn]
    seconds = time.perf_counter() - start
    with open(os.path.join(out, "report.json"), "w") as fh:
        json.dump(rows, fh, indent=2, default=_json_default)
    with open(os.path.join(out, "report.md"), "w") as fh:
        fh.write(_markdown(rows, rng, quick, seconds))
        if figures:
            fh.write("\n## Figures\n\n" + "\n".join(f"![{f}]({f})" for f in figures) + "\n")
    counts = {v: sum(r["verdict"] == v for r in rows)
              for v in ("certified", "holds", "inconclusive", "refuted", "not applicable", "error")}
    tried = sum(r.get("mutants", {}).get("tried", 0) for r in rows if r.get("mutants"))
    killed = sum(r.get("mutants", {}).get("refuted", 0) for r in rows if r.get("mutants"))
    if stream is not None:
        print(f"{len(rows)} results in {seconds:.1f} s: " + ", ".join(f"{n} {v}" for v, n in counts.items() if n)
              + (f"; mutants {killed}/{tried} refuted" if tried else "")
              + f"; report in {os.path.join(out, 'report.md')}", file=stream)
    if counts["error"]:
        return 1
    unexpected = [r["id"] for r in rows if r["verdict"] == "refuted" and r.get("expected") != "refuted"]
    return 1 if (strict and unexpected) else 0


def _json_default(x):
    import numpy as np

    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    raise TypeError(f"{type(x).__name__} is not JSON serializable")
