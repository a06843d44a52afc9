"""Print the figures of the ``plsym check`` reliability campaign.

Runs the tables of tests/test_cli_check.py (bad spec files, bad command lines,
injection attempts, numerical edge cases) through the API and the command line,
plus the determinism check across processes, and prints one line per figure::

    python scripts/reliability.py
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import test_cli_check as campaign  # noqa: E402 - the tables live with their tests

from plsym import InvalidArgument  # noqa: E402
from plsym import spec as specs  # noqa: E402
from plsym.cli import main  # noqa: E402


def run_cli(argv):
    """(exit code, stdout, stderr) of one in-process ``plsym`` run."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def api_rejects(text, pattern):
    try:
        specs.loads(text)
    except InvalidArgument as exc:
        return re.search(pattern, str(exc)) is not None
    return False


def bad_specs(tmp):
    api = cli = 0
    for _, text, pattern in campaign.BAD_SPECS:
        api += api_rejects(text, pattern)
        path = tmp / "spec.toml"
        path.write_text(text)
        code, out, err = run_cli(["check", path, *campaign.FAST])
        cli += code == 2 and out == "" and "Traceback" not in err and re.search(pattern, err) is not None
    n = len(campaign.BAD_SPECS)
    print(f"bad spec files: {n} cases; API raises InvalidArgument with the expected message: {api}/{n}; "
          f"CLI exits 2 with it on stderr, no traceback: {cli}/{n}")
    return api == cli == n


def bad_commands(tmp):
    (tmp / "s.toml").write_text(campaign.spec_text(claims=None))
    ok = 0
    for _, argv, pattern in campaign.BAD_COMMANDS:
        code, out, err = run_cli(argv(tmp))
        ok += code == 2 and out == "" and "Traceback" not in err and re.search(pattern, err) is not None
    n = len(campaign.BAD_COMMANDS)
    print(f"bad command lines: {n} cases; exit 2 with the expected message, no traceback: {ok}/{n}")
    return ok == n


def injections(tmp):
    rejected = created = 0
    for i, payload in enumerate(campaign.INJECTIONS):
        target = tmp / f"PWNED{i}"
        text = campaign.spec_text(outputs=campaign.outputs(payload.replace("FILE", str(target)), "v"))
        api = api_rejects(text, r"at position \d+")
        path = tmp / "spec.toml"
        path.write_text(text)
        code, _, err = run_cli(["check", path, *campaign.FAST])
        rejected += api and code == 2 and "at position" in err
        created += target.exists()
    n = len(campaign.INJECTIONS)
    print(f"injection attempts: {n} expressions; rejected by the parser (API and CLI) naming a position: "
          f"{rejected}/{n}; files created: {created}")
    return rejected == n and created == 0


def determinism():
    argv = [str(a) for a in campaign.DETERMINISM_ARGV]
    outputs = [run_cli(argv)[1], run_cli(argv)[1]]
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-m", "plsym", *argv], capture_output=True, cwd=ROOT, env=env,
                              timeout=300)
        outputs.append(done.stdout.decode())
    distinct = len(set(outputs))
    print(f"determinism: {len(outputs)} runs of `plsym check --json` on one spec and seed (2 in-process, "
          f"2 processes with PYTHONHASHSEED 0 and 12345): distinct outputs: {distinct}")
    return distinct == 1


def edge_cases(tmp):
    ok = 0
    rows = []
    for name, text, expected in campaign.EDGE_CASES:
        path = tmp / "edge.toml"
        path.write_text(text)
        code, out, _ = run_cli(["check", path, "--json", *campaign.FAST])
        got = {c["name"]: c["verdict"] for c in json.loads(out)["claims"]}
        good = got == expected and code == int(any(v != "not refuted" for v in expected.values()))
        ok += good
        rows.append(f"  {'ok  ' if good else 'FAIL'} {name}: {', '.join(f'{k} {v}' for k, v in got.items())}")
    n = len(campaign.EDGE_CASES)
    print(f"numerical edge cases: {n} specs; every verdict and exit code as expected: {ok}/{n}")
    print("\n".join(rows))
    return ok == n


def main_() -> int:
    with tempfile.TemporaryDirectory() as name:
        tmp = pathlib.Path(name)
        results = [bad_specs(tmp), bad_commands(tmp), injections(tmp), determinism(), edge_cases(tmp)]
    print("campaign: " + ("all figures as expected" if all(results) else "SOME FIGURES FAILED"))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main_())
