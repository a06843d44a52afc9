"""Print the figures of the ``plsym check`` reliability campaign and the hostile-input campaign.

Runs the tables of tests/test_cli_check.py (bad spec files, bad command lines,
injection attempts, numerical edge cases) through the API and the command line,
plus the determinism check across processes (and across BLAS thread counts),
and the hostile-input table of tests/test_hostile.py: every input in its own
child process under a memory ceiling (RLIMIT_AS) and a timeout, with its expected
exit code and message, plus interrupted runs and Python-API attacks. Prints one
line per figure::

    python scripts/reliability.py [--only hostile] [--jobs 2] [--memory-mb 1024] [--timeout 60]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import io
import json
import os
import pathlib
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import test_cli_check as campaign  # noqa: E402 - the tables live with their tests
import test_hostile as hostile_table  # noqa: E402

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
        got = {c["name"]: c["status"] for c in json.loads(out)["claims"]}
        good = got == expected and code == int(any(v != "holds" for v in expected.values()))
        ok += good
        rows.append(f"  {'ok  ' if good else 'FAIL'} {name}: {', '.join(f'{k} {v}' for k, v in got.items())}")
    n = len(campaign.EDGE_CASES)
    print(f"numerical edge cases: {n} specs; every verdict and exit code as expected: {ok}/{n}")
    print("\n".join(rows))
    return ok == n


# -- the hostile-input campaign: one child process per input ------------------------------------

_CHILD = """
import resource, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal, even when started in the background
limit = int(sys.argv[1]) * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, {root!r})
from plsym.cli import main
if len(sys.argv) > 2 and sys.argv[2].startswith("--ready-fd="):  # tell the campaign the imports are done
    import os
    fd = int(sys.argv.pop(2).split("=")[1])
    os.write(fd, b"1")
    os.close(fd)
sys.exit(main(sys.argv[2:]))
"""


def run_child(argv, *, cwd, memory_mb, timeout, code=None, interrupt_after=None, env=None):
    """(exit code or None on timeout, stdout, stderr, seconds) of one child."""
    program = code if code is not None else _CHILD.format(root=str(ROOT))
    ready = os.pipe() if interrupt_after is not None else None
    # an interrupted run is interrupted ``interrupt_after`` seconds into its work, counted from the end of
    # the imports (on a loaded machine they alone can take longer than that)
    extra = [f"--ready-fd={ready[1]}"] if ready else []
    args = [sys.executable, "-c", program, str(memory_mb), *extra, *argv]
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                            pass_fds=(ready[1],) if ready else ())
    try:
        if ready:
            os.close(ready[1])
            select.select([ready[0]], [], [], timeout)
            os.close(ready[0])
            time.sleep(interrupt_after)
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        rc = None
    seconds = time.perf_counter() - start
    return rc, out.decode(errors="replace"), err.decode(errors="replace"), seconds


def _peak_mb():
    """The largest peak RSS of any child reaped so far, in MB (Linux reports kB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


API_ATTACKS = [
    # (id, Python source run in the child, expected exit code, fragment of the output); FILE is a path
    ("Subs with a crafted Symbol name",
     "import sympy, plsym\nw1 = sympy.Symbol('w1')\nk = sympy.Symbol(\"k)+__import__('os').system('touch FILE')+(k\")\n"
     "s = plsym.System([sympy.Subs(w1*sympy.sin(k), k, w1)], [w1], [0])\nprint(s.F([1.0]), s.jacobian([1.0]))", 0,
     r"\[0.84"),
    ("Sum with a crafted Symbol name",
     "import sympy, plsym\nw1 = sympy.Symbol('w1')\nk = sympy.Symbol(\"k)+__import__('os').system('touch FILE')+(k\")\n"
     "s = plsym.System([sympy.Sum(w1*k, (k, 1, 3))], [w1], [0])\nprint(s.F([1.0]), s.hessians([1.0]))", 0, r"\[6\.\]"),
    ("a crafted Symbol inside a Piecewise condition",
     "import sympy, plsym\nw1 = sympy.Symbol('w1')\nk = sympy.Symbol(\"__import__('os').system('touch FILE')\")\n"
     "try:\n    plsym.System([sympy.Piecewise((w1, k > 0), (0, True))], [w1], [0])\n"
     "except plsym.InvalidArgument as e:\n    print('refused:', e)", 0, r"refused: .*uses the symbol"),
    ("a sympy.Function subclass of the caller's",
     "import sympy, plsym\nw1 = sympy.Symbol('w1')\nevil = type('evil', (sympy.Function,), {'nargs': 1})\n"
     "try:\n    plsym.System([evil(w1)], [w1], [0])\nexcept plsym.InvalidArgument as e:\n    print('refused:', e)", 0,
     r"refused: .*contains evil"),
]

INTERRUPTS = [
    # (id, spec text, argv, seconds before SIGINT)
    ("SIGINT during plsym search", hostile_table.spec(["tanh(w1)*w2", "w1 + w2**2"], claims={"lipschitz": 100.0}),
     ["search", "SPEC", "--claim", "lipschitz", "--max-examples", "10000"], 3.0),
    ("SIGINT during plsym check --level certified",
     hostile_table.spec([hostile_table.nested("tanh", 30), "w1*w2"], center=[0.3, 0.2], radius=0.5),
     ["check", "SPEC", "--level", "certified", "--samples", "100000"], 3.0),
    ("SIGINT during plsym check", hostile_table.spec([hostile_table.nested("tanh", 40), "w1*w2"], center=[0.3, 0.2]),
     ["check", "SPEC", "--samples", "100000"], 3.0),
]


def hostile(jobs=2, memory_mb=1024, timeout=60.0, only_interrupts=False):
    """Run every hostile input in a child; print the summary line and the failures."""
    rows = []

    def one_case(case):
        cid, files, argv, code, pattern, _ = case
        with tempfile.TemporaryDirectory() as name:
            tmp = pathlib.Path(name)
            args = hostile_table.materialize(files, argv, tmp)
            made = set(os.listdir(tmp))
            rc, out, err, seconds = run_child(args, cwd=tmp, memory_mb=memory_mb, timeout=timeout)
            created = set(os.listdir(tmp)) - made
        return cid, code, pattern, rc, out, err, seconds, created

    def one_api(case):
        cid, source, code, pattern = case
        with tempfile.TemporaryDirectory() as name:
            tmp = pathlib.Path(name)
            target = tmp / "PWNED"
            program = ("import resource, sys\nlimit = int(sys.argv[1]) * 2**20\n"
                       "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
                       + source.replace("FILE", str(target)))
            rc, out, err, seconds = run_child([], cwd=tmp, memory_mb=memory_mb, timeout=timeout, code=program)
            created = set(os.listdir(tmp))
        return cid, code, pattern, rc, out, err, seconds, created

    def one_interrupt(case):
        cid, text, argv, after = case
        with tempfile.TemporaryDirectory() as name:
            tmp = pathlib.Path(name)
            (tmp / "s.toml").write_text(text)
            args = [str(tmp / "s.toml") if a == "SPEC" else a for a in argv]
            made = set(os.listdir(tmp))
            rc, out, err, seconds = run_child(args, cwd=tmp, memory_mb=memory_mb, timeout=timeout,
                                              interrupt_after=after)
            created = set(os.listdir(tmp)) - made
        return cid, 130, r"plsym: interrupted; nothing was written", rc, out, err, seconds, created

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = ([] if only_interrupts else [pool.submit(one_case, c) for c in hostile_table.HOSTILE]
                   + [pool.submit(one_api, c) for c in API_ATTACKS])
        futures += [pool.submit(one_interrupt, c) for c in INTERRUPTS]
        rows = [f.result() for f in futures]
    peak = _peak_mb()
    clean = hangs = tracebacks = 0
    failures = []
    for cid, code, pattern, rc, out, err, seconds, created in rows:
        text = out + err
        tb = "Traceback" in err
        hang = rc is None
        one_line = rc != 2 or (out == "" and err.count("\n") == 1)
        ok = (not hang and not tb and rc == code and re.search(pattern, text) is not None and one_line
              and not created and "Warning" not in err)
        clean += ok
        hangs += hang
        tracebacks += tb
        if not ok:
            failures.append(f"  FAIL {cid}: exit {rc} (expected {code}), {seconds:.1f} s, created {sorted(created)}: "
                            f"{text.strip()[-300:]}")
    slowest = max(rows, key=lambda r: r[6])
    print(f"hostile inputs: {len(rows)} tried ({len(hostile_table.HOSTILE)} command lines, {len(API_ATTACKS)} "
          f"Python-API attacks, {len(INTERRUPTS)} interrupted runs), each in a child under RLIMIT_AS "
          f"{memory_mb} MB and a {timeout:g} s timeout: clean {clean}/{len(rows)}, hangs {hangs}, tracebacks "
          f"{tracebacks}; slowest {slowest[6]:.1f} s ({slowest[0]}); peak RSS of any child {peak:.0f} MB")
    print("\n".join(failures))
    return clean == len(rows)


def blas_determinism():
    argv = [str(a) for a in campaign.DETERMINISM_ARGV]
    outs = []
    for threads in ("1", "2"):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads,
               "MKL_NUM_THREADS": threads}
        done = subprocess.run([sys.executable, "-m", "plsym", *argv], capture_output=True, cwd=ROOT, env=env,
                              timeout=300)
        outs.append(done.stdout.decode())
    print(f"BLAS threads: `plsym check --json` with OPENBLAS_NUM_THREADS 1 and 2: distinct outputs: {len(set(outs))}")
    return len(set(outs)) == 1


def main_(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=("hostile", "classic", "interrupts"), default=None)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--memory-mb", type=int, default=1024)
    p.add_argument("--timeout", type=float, default=60.0)
    a = p.parse_args(argv)
    results = []
    if a.only in (None, "classic"):
        with tempfile.TemporaryDirectory() as name:
            tmp = pathlib.Path(name)
            results += [bad_specs(tmp), bad_commands(tmp), injections(tmp), determinism(), blas_determinism(),
                        edge_cases(tmp)]
    if a.only in (None, "hostile", "interrupts"):
        results.append(hostile(a.jobs, a.memory_mb, a.timeout, only_interrupts=a.only == "interrupts"))
    print("campaign: " + ("all figures as expected" if all(results) else "SOME FIGURES FAILED"))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main_())
