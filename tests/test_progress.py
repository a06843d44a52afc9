"""plsym.progress: silent by default, events to a callback, a bar only on a terminal, results unchanged;
the command line's progress (on a terminal only), --json, --version."""

import dataclasses
import io
import json
import os
import pathlib
import pty
import re
import select
import subprocess
import sys
import time

import pytest

import plsym
from plsym import InvalidArgument, certify, estimate
from plsym.progress import ProgressEvent, call, reporting, tick
from plsym.systems import product
from plsym.theorems import T4

ROOT = pathlib.Path(__file__).resolve().parents[1]
TWO_TANH = str(ROOT / "tests" / "data" / "two_tanh.toml")
X3, BALL = product(2.9), plsym.Ball([3.0, 1.0], 0.5)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_silent_by_default_and_results_do_not_depend_on_progress(capsys):
    quiet = estimate.kernel_min_eig(X3, BALL, samples=256)
    events = []
    loud = estimate.kernel_min_eig(X3, BALL, samples=256, progress=events.append)
    assert quiet == loud
    assert capsys.readouterr().err == ""
    assert events and all(isinstance(e, ProgressEvent) for e in events)
    assert {e.task for e in events} == {"estimate kernel_min_eig"}
    done = [e.done for e in events]
    assert done == sorted(done) and done[0] >= 256 and done[-1] == loud.nfev
    assert all(b.elapsed >= a.elapsed >= 0 for a, b in zip(events, events[1:]))


def test_certify_reports_boxes_against_the_budget():
    events = []
    b = certify.kernel_min_eig(X3, BALL, max_boxes=300, progress=events.append)
    assert b.certified and events
    assert all(e.task == "certify lower bound" and e.total == 300 and 0 < e.done <= 300 for e in events)
    again = certify.kernel_min_eig(X3, BALL, max_boxes=300)  # the same bound without progress (times aside)
    assert dataclasses.replace(again, seconds=b.seconds) == b


def test_nested_calls_report_to_the_active_reporter_and_false_silences():
    events = []
    with reporting(events.append):
        T4.check(X3, BALL, level="sampled")  # a theorem check reports through the estimates it runs
        n = len(events)
        estimate.lipschitz(X3, BALL, samples=64, progress=False)
        assert len(events) == n  # False: silent even inside a reporter
    assert n > 0 and any(e.task.startswith("estimate ") for e in events)
    tick("outside", 1)  # no reporter: nothing happens
    assert len(events) == n
    got = []
    assert call(estimate.lipschitz, X3, BALL, samples=64, progress=got.append).value > 0 and got


def test_bar_on_a_terminal_only():
    pipe, term = io.StringIO(), Terminal()
    with reporting(True, stream=pipe):
        estimate.lipschitz(X3, BALL, samples=2048)
    assert pipe.getvalue() == ""  # not a terminal: nothing written
    with reporting(True, label="demo", stream=term):
        for k in range(1, 4):
            tick("step", k, 3)
            time.sleep(0.12)
    text = term.getvalue()
    assert text.startswith("\rdemo: step [") and "/3]" not in text and " s" in text
    assert "3/3" in text and text.endswith("\r") and text.rstrip("\r").endswith(" ")  # the line is cleared


@pytest.mark.parametrize("bad", [3, "yes", 1.0])
def test_bad_progress(bad):
    with pytest.raises(InvalidArgument, match="progress=.* must be None, True, False or a callable"):
        estimate.lipschitz(X3, BALL, samples=64, progress=bad)


def test_option_in_signature_and_docstring():
    import inspect

    for fn in (estimate.kernel_min_eig, certify.smoothness):
        assert "progress" in inspect.signature(fn).parameters
        assert "    progress : None, bool or callable, default None" in fn.__doc__


# -- the command line -------------------------------------------------------------------------------

def run_with_terminal_stderr(args):
    """Run ``python -m plsym ARGS`` with stderr on a pseudo-terminal; (returncode, stdout, stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "plsym", *args], stdout=subprocess.PIPE, stderr=slave, cwd=ROOT,
                            env={**os.environ, "COLUMNS": "100"})
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                break
            err += chunk
        elif proc.poll() is not None:
            break
    out = proc.stdout.read()
    proc.wait(timeout=300)
    os.close(master)
    return proc.returncode, out.decode(), err.decode()


PRODUCT = """
name = "product X3"
params = ["w1", "w2"]
outputs = ["w1*w2"]
targets = [2.9]

[ball]
center = [3.0, 1.0]
radius = 0.5

[claims]
kernel_min_eig = 7.0
lipschitz = 3.7
"""


def test_check_shows_progress_on_a_terminal_and_json_is_unchanged(tmp_path):
    spec = tmp_path / "x3.toml"
    spec.write_text(PRODUCT)
    code, out, err = run_with_terminal_stderr(["check", str(spec), "--level", "certified", "--samples", "512"])
    assert code == 0 and out.startswith("product X3:")
    # the reporter draws at most every 0.1 s: a bound proved faster (X3's lambda_min(K) is proved on
    # the first region) is not drawn, so any certification's bar will do
    assert "plsym check: " in err and re.search(r"certify (lower|upper) bound \[", err) and " s" in err
    args = ["check", str(spec), "--level", "certified", "--samples", "512", "--json", "--seed", "1"]
    code_json, out_json, err_json = run_with_terminal_stderr(args)
    assert code_json == 0 and err_json == ""  # --json: nothing on the terminal
    plain = subprocess.run([sys.executable, "-m", "plsym", *args], capture_output=True, text=True, cwd=ROOT)
    assert plain.stderr == "" and plain.stdout == out_json  # byte-identical per seed, terminal or not
    assert json.loads(out_json)["claims"][0]["status"] == "certified"


def test_search_json_is_one_object_and_byte_identical_per_seed():
    args = [sys.executable, "-m", "plsym", "search", TWO_TANH, "--claim", "hessian_norm", "--value", "0.5",
            "--max-examples", "20", "--json"]
    first = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    second = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    assert first.returncode == 1 and first.stderr == ""
    assert first.stdout == second.stdout
    record = json.loads(first.stdout)
    assert record["status"] == "refuted" and record["name"] == "hessian_norm" and record["claimed"] == 0.5
    assert record["relation"] == "upper" and record["engine"] == "plsym.search"
    assert record["seed"] == 0 and record["max_examples"] == 20 and len(record["x"]) == 4


def test_version(capsys):
    from plsym.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"plsym {plsym.__version__}"


def test_reproduce_reports_the_work_inside_each_script(tmp_path):
    from plsym.reproduce import run

    events = []
    assert run(out=str(tmp_path), quick=True, only=["T4"], progress=events.append) == 0
    assert events and any(e.task.startswith("estimate ") for e in events)
    assert run(out=str(tmp_path), quick=True, only=["T4"]) == 0  # silent without progress


def test_theorem_checks_and_searches_take_the_progress_option():
    from plsym.quantities import QuantityClaim
    from plsym.search import counterexample
    from plsym.theorems import T10

    events = []
    loud = T10.check(product(2.9), BALL, level="sampled", progress=events.append)  # a fresh system: no cached measures
    assert events and all(e.elapsed >= 0 for e in events)  # the estimates inside reported
    quiet = T10.check(product(2.9), BALL, level="sampled")
    assert loud.to_dict() == quiet.to_dict()
    assert "progress=None" in T10.__doc__
    events.clear()
    ce = counterexample(X3, BALL, QuantityClaim("kernel_min_eig", 7.2), max_examples=20, progress=events.append)
    assert events and ce.status == "refuted"
    with pytest.raises(InvalidArgument, match="progress=.* must be None, True, False or a callable"):
        T10.check(X3, BALL, level="sampled", progress="yes")
