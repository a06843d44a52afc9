"""plsym.sweep: grid order, process-pool = serial, resume without recomputing."""

import concurrent.futures
import functools
import json
import multiprocessing
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from plsym import InvalidArgument
from plsym.dynamics import gd, linear_rate
from plsym.sweep import sweep
from plsym.systems import linear

# spawn, not fork: forking a process that has imported JAX or torch (other test modules) can deadlock
SPAWN = multiprocessing.get_context("spawn")
GRID = {"width": [2, 3], "seed": [0, 1, 2], "scale": [0.5, 1.0]}


def gd_rate(width, seed, scale, log=None, fail_at=None):
    """A small real experiment: GD on a random linear system; logs each call when asked."""
    if log is not None:
        with open(log, "a") as fh:
            fh.write(json.dumps([width, seed, scale]) + "\n")
    if fail_at is not None and [width, seed, scale] == list(fail_at):
        raise RuntimeError("killed")
    A = scale * np.random.default_rng(seed).standard_normal((width - 1, width))
    s = linear(A, np.ones(width - 1))
    K = A @ A.T
    eigs = np.linalg.eigvalsh(K)
    eta = 1.0 / eigs[-1]
    return linear_rate(gd(s, eta=eta, steps=10), 1 - eta * eigs[0])


def _calls(log):
    with open(log) as fh:
        return [tuple(json.loads(line)) for line in fh]


def test_serial_results_in_grid_order():
    got = sweep(lambda a, b: (a, b), {"a": [1, 2], "b": ["x", "y", "z"]})
    assert got == [(1, "x"), (1, "y"), (1, "z"), (2, "x"), (2, "y"), (2, "z")]


def test_process_pool_equals_serial(tmp_path):
    serial = sweep(gd_rate, GRID, out=tmp_path / "serial.jsonl")
    with concurrent.futures.ProcessPoolExecutor(max_workers=3, mp_context=SPAWN) as pool:
        parallel = sweep(gd_rate, GRID, executor=pool, out=tmp_path / "pool.jsonl")
    assert parallel == serial  # results are in grid order whatever the completion order
    assert len(serial) == 12 and all(r["held"] for r in serial)
    plain = sweep(gd_rate, GRID)  # without out: the objects themselves, same numbers
    assert [r.to_dict() for r in plain] == serial
    rerun = sweep(gd_rate, GRID, out=tmp_path / "serial.jsonl")  # deterministic, and fully resumed
    assert rerun == serial


@pytest.mark.parametrize("parallel", [False, True])
def test_interrupted_sweep_resumes_without_recomputing(tmp_path, parallel):
    out, log = tmp_path / "runs.jsonl", tmp_path / "calls.log"
    fail_at = (3, 0, 0.5)  # the 7th point of 12
    fn = functools.partial(gd_rate, log=str(log), fail_at=fail_at)
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=SPAWN) if parallel else None
    try:
        with pytest.raises(RuntimeError, match="killed"):
            sweep(fn, GRID, out=out, executor=pool)
    finally:
        if pool is not None:
            pool.shutdown()
    with open(out) as fh:
        recorded = [tuple(json.loads(line)["params"].values()) for line in fh]
    assert fail_at not in recorded and len(recorded) >= (6 if not parallel else 0)  # a pool may report the failure first
    first = _calls(log)
    os.remove(log)
    resumed = sweep(functools.partial(gd_rate, log=str(log)), GRID, out=out)
    again = _calls(log)
    assert sorted(again) == sorted(set(map(tuple, _points())) - set(recorded))  # only the missing points
    assert fail_at in again and not set(again) & set(recorded)
    assert resumed == sweep(gd_rate, GRID, out=tmp_path / "fresh.jsonl")
    assert len(first) >= len(recorded)


def _points():
    return [(w, s, c) for w in GRID["width"] for s in GRID["seed"] for c in GRID["scale"]]


def test_killed_subprocess_resumes(tmp_path):
    """A sweep killed by the OS (SIGKILL, mid-run) resumes; a half-written last line is dropped."""
    out, log = tmp_path / "runs.jsonl", tmp_path / "calls.log"
    script = textwrap.dedent(f"""
        import functools, os, signal, sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_sweep import GRID, gd_rate
        from plsym.sweep import sweep
        calls = []
        def fn(**p):
            calls.append(p)
            if len(calls) == 5:
                with open({str(out)!r}, "a") as fh:
                    fh.write('{{"params": {{"width": 3')  # a write cut short
                    fh.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            return gd_rate(log={str(log)!r}, **p)
        sweep(fn, GRID, out={str(out)!r})
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -9
    assert len(_calls(log)) == 4
    os.remove(log)
    resumed = sweep(functools.partial(gd_rate, log=str(log)), GRID, out=out)
    assert len(_calls(log)) == 8  # 12 points, 4 already recorded
    assert resumed == sweep(gd_rate, GRID, out=tmp_path / "fresh.jsonl")
    with open(out) as fh:
        assert len(fh.read().splitlines()) == 12


def test_progress_is_silent_by_default_and_reports_when_asked(capsys):
    sweep(lambda a: a, {"a": [1, 2]})
    assert capsys.readouterr().err == ""
    sweep(lambda a: a, {"a": [1, 2]}, progress=True)
    assert capsys.readouterr().err.splitlines() == ['sweep: 1/2 {"a": 1}', 'sweep: 2/2 {"a": 2}']
    seen = []
    sweep(lambda a: 2 * a, {"a": [1, 2]}, progress=lambda *args: seen.append(args))
    assert seen == [(1, 2, {"a": 1}, 2), (2, 2, {"a": 2}, 4)]


@pytest.mark.parametrize("kwargs, match", [
    ({"grid": []}, "grid=\\[\\] must be a non-empty dict"),
    ({"grid": {}}, "must be a non-empty dict"),
    ({"grid": {"a": []}}, "grid\\['a'\\]=\\[\\] is empty"),
    ({"grid": {"a": 3}}, "must be a list of values"),
    ({"grid": {"a": [object()]}}, "not JSON-serializable"),
    ({"grid": {"a": [1]}, "executor": 3}, "executor=3 must be a concurrent.futures.Executor"),
    ({"grid": {"a": [1]}, "progress": 3}, "progress=3 must be None, True or a callable"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        sweep(lambda a: a, **kwargs)


def test_unserializable_result_and_bad_file(tmp_path):
    with pytest.raises(InvalidArgument, match="fn returned .* not JSON-serializable"):
        sweep(lambda a: object(), {"a": [1]}, out=tmp_path / "r.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    with pytest.raises(InvalidArgument, match="line 1 is not a sweep record"):
        sweep(lambda a: a, {"a": [1]}, out=bad)


def test_dask_executor(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2) as client:
        got = sweep(gd_rate, GRID, executor=client.get_executor(), out=tmp_path / "dask.jsonl")
    assert got == sweep(gd_rate, GRID, out=tmp_path / "serial.jsonl")
