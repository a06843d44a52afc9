"""plsym.sweep: grid order, process-pool = serial, resume without recomputing."""

import concurrent.futures
import functools
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from plsym import InvalidArgument
from plsym.dynamics import gd, linear_rate
from plsym.sweep import identity, summarize_witness, sweep
from plsym.systems import linear

# spawn, not fork: forking a process that has imported JAX or torch (other test modules) can deadlock
SPAWN = multiprocessing.get_context("spawn")
GRID = {"width": [2, 3], "seed": [0, 1, 2], "scale": [0.5, 1.0]}


def gd_rate(width, seed, scale, log=None, stop=None):
    """A small real experiment: GD on a random linear system; logs each call when asked.

    ``stop`` names a JSON file which, while it exists, interrupts the sweep: ``{"at": [w, s, c]}``
    raises at that point, ``{"sigkill_after": k, "out": path}`` writes half a record to ``path``
    and kills the process at the (k+1)-th call. The file is removed before resuming, so the
    interrupted and the resumed sweep run the same function (same partial arguments).
    """
    if stop is not None and os.path.exists(stop):
        with open(stop) as fh:
            spec = json.load(fh)
        if [width, seed, scale] == spec.get("at"):
            raise RuntimeError("killed")
        if "sigkill_after" in spec and log is not None and os.path.exists(log) and len(_calls(log)) == spec["sigkill_after"]:
            with open(spec["out"], "a") as fh:
                fh.write('{"fn": {"name": "x"}, "params": {"width": 3')  # a write cut short
                fh.flush()
            os.kill(os.getpid(), signal.SIGKILL)
    if log is not None:
        with open(log, "a") as fh:
            fh.write(json.dumps([width, seed, scale]) + "\n")
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
    assert len(serial) == 12 and all(r["status"] != "refuted" for r in serial)
    plain = sweep(gd_rate, GRID)  # without out: the objects themselves, same numbers
    assert [r.to_dict() for r in plain] == serial
    rerun = sweep(gd_rate, GRID, out=tmp_path / "serial.jsonl")  # deterministic, and fully resumed
    assert rerun == serial


@pytest.mark.parametrize("parallel", [False, True])
def test_interrupted_sweep_resumes_without_recomputing(tmp_path, parallel):
    out, log, stop = tmp_path / "runs.jsonl", tmp_path / "calls.log", tmp_path / "stop.json"
    fail_at = (3, 0, 0.5)  # the 7th point of 12
    stop.write_text(json.dumps({"at": list(fail_at)}))
    fn = functools.partial(gd_rate, log=str(log), stop=str(stop))
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=SPAWN) if parallel else None
    try:
        with pytest.raises(RuntimeError, match="killed"):
            sweep(fn, GRID, out=out, executor=pool)
    finally:
        if pool is not None:
            pool.shutdown()
    recorded = _recorded(out)
    assert fail_at not in recorded and len(recorded) >= (6 if not parallel else 0)  # a pool may report the failure first
    first = _calls(log)
    os.remove(log)
    os.remove(stop)
    resumed = sweep(fn, GRID, out=out)
    again = _calls(log)
    assert sorted(again) == sorted(set(map(tuple, _points())) - set(recorded))  # only the missing points
    assert fail_at in again and not set(again) & set(recorded)
    assert resumed == sweep(gd_rate, GRID, out=tmp_path / "fresh.jsonl")
    assert len(first) >= len(recorded)


def _recorded(out):
    with open(out) as fh:
        return [tuple(json.loads(line)["params"].values()) for line in fh]


def _points():
    return [(w, s, c) for w in GRID["width"] for s in GRID["seed"] for c in GRID["scale"]]


def test_killed_subprocess_resumes(tmp_path):
    """A sweep killed by the OS (SIGKILL, mid-run) resumes; a half-written last line is dropped."""
    out, log, stop = tmp_path / "runs.jsonl", tmp_path / "calls.log", tmp_path / "stop.json"
    stop.write_text(json.dumps({"sigkill_after": 4, "out": str(out)}))
    script = textwrap.dedent(f"""
        import functools, sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_sweep import GRID, gd_rate
        from plsym.sweep import identity, summarize_witness, sweep
        sweep(functools.partial(gd_rate, log={str(log)!r}, stop={str(stop)!r}), GRID, out={str(out)!r})
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -9
    assert len(_calls(log)) == 4
    os.remove(log)
    os.remove(stop)
    resumed = sweep(functools.partial(gd_rate, log=str(log), stop=str(stop)), GRID, out=out)
    assert len(_calls(log)) == 8  # 12 points, 4 already recorded
    assert resumed == sweep(gd_rate, GRID, out=tmp_path / "fresh.jsonl")
    with open(out) as fh:
        assert len(fh.read().splitlines()) == 12


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_silent_by_default_and_reports_when_asked(capsys, monkeypatch):
    sweep(lambda a: a, {"a": [1, 2]})
    sweep(lambda a: a, {"a": [1, 2]}, progress=True)  # stderr is not a terminal here: nothing
    assert capsys.readouterr().err == ""
    seen = []
    assert sweep(lambda a: 2 * a, {"a": [1, 2]}, progress=seen.append) == [2, 4]
    assert [(e.task, e.done, e.total) for e in seen] == [("sweep", 1, 2), ("sweep", 2, 2)]
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    sweep(lambda a: time.sleep(0.15) or a, {"a": [1, 2, 3]}, progress=True)
    assert "plsym sweep: sweep [" in terminal.getvalue() and "/3 " in terminal.getvalue()


@pytest.mark.parametrize("kwargs, match", [
    ({"grid": []}, "grid=\\[\\] must be a non-empty dict"),
    ({"grid": {}}, "must be a non-empty dict"),
    ({"grid": {"a": []}}, "grid\\['a'\\]=\\[\\] is empty"),
    ({"grid": {"a": 3}}, "must be a list of values"),
    ({"grid": {"a": [object()]}}, "not JSON-serializable"),
    ({"grid": {"a": [1]}, "executor": 3}, "executor=3 must be a concurrent.futures.Executor"),
    ({"grid": {"a": [1]}, "progress": 3}, "progress=3 must be None, True, False or a callable"),
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


def _scaled(factor):
    def fn(a):
        return factor * a
    return fn


def _membership(a):
    return a in {"alpha", "beta", "gamma"}  # a frozenset constant: its order follows string hashing


def test_records_name_the_function_and_another_function_is_refused(tmp_path):
    out = tmp_path / "runs.jsonl"
    assert sweep(_scaled(2), {"a": [1, 2]}, out=out) == [2, 4]
    record = json.loads(out.read_text().splitlines()[0])
    assert record["fn"] == identity(_scaled(2)) and record["fn"]["name"] == "test_sweep._scaled.<locals>.fn"
    assert sweep(_scaled(2), {"a": [1, 2, 3]}, out=out) == [2, 4, 6]  # the same function resumes and extends
    # same name, another closure value: another function
    with pytest.raises(InvalidArgument, match="line 1 was written by .*test_sweep._scaled.<locals>.fn.*not by fn="):
        sweep(_scaled(3), {"a": [1, 2]}, out=out)
    with pytest.raises(InvalidArgument, match="written by"):
        sweep(lambda a: 2 * a, {"a": [1]}, out=out)  # another name and code
    sweep(functools.partial(gd_rate, scale=1.0), {"width": [2], "seed": [0]}, out=tmp_path / "p.jsonl")
    with pytest.raises(InvalidArgument, match="written by"):  # another bound argument
        sweep(functools.partial(gd_rate, scale=2.0), {"width": [2], "seed": [0]}, out=tmp_path / "p.jsonl")
    old = tmp_path / "old.jsonl"  # a record without "fn" (or from an older plsym) is not trusted either
    old.write_text(json.dumps({"params": {"a": 1}, "result": 2}) + "\n")
    with pytest.raises(InvalidArgument, match="written by None"):
        sweep(_scaled(2), {"a": [1]}, out=old)
    assert old.read_text().count("\n") == 1  # refused before anything was appended


def test_fingerprint_is_stable_across_processes_and_follows_the_code():
    ids = {identity(_membership)["fingerprint"]}
    for hash_seed in ("1", "2"):  # string hashing (and so set order) differs between processes
        script = f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); " \
                 "from test_sweep import _membership; from plsym.sweep import identity; " \
                 "print(identity(_membership)['fingerprint'])"
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, check=True)
        ids.add(done.stdout.strip())
    assert len(ids) == 1
    assert identity(_scaled(2)) == identity(_scaled(2)) != identity(_scaled(2.0000001))
    assert identity(lambda a: a + 1) != identity(lambda a: a + 2)
    assert identity(gd_rate)["name"] == "test_sweep.gd_rate"

    class Model:
        def __init__(self, size):
            self.size = size

    class Edited:
        def __init__(self, size):
            self.size = 2 * size

    Edited.__qualname__ = Model.__qualname__
    assert identity(Model)["name"] == identity(Edited)["name"] and identity(Model) != identity(Edited)
    assert identity(_Found(3)) == identity(_Found(3)) != identity(_Found(4))  # a callable object's state counts


class _Found:
    """A result with a witness of the given size, like an Estimate or a Counterexample."""

    def __init__(self, size):
        self.size = size

    def __call__(self):
        return self.size

    def to_dict(self):
        w = [float(i) for i in range(self.size)]
        return {"value": 1.0, "witness": w, "nested": {"shrunk": w}}


def test_records_summarise_long_witnesses_unless_asked(tmp_path):
    big, small = sweep(_Found, {"size": [100, 3]}, out=tmp_path / "s.jsonl")
    assert small["witness"] == [0.0, 1.0, 2.0]  # short witnesses stay in full
    summary = big["witness"]
    assert summary == big["nested"]["shrunk"] == summarize_witness(range(100))
    assert summary["size"] == 100 and summary["min"] == 0.0 and summary["max"] == 99.0
    assert summary["norm"] == pytest.approx(np.sqrt(sum(i * i for i in range(100))), rel=1e-12)
    full = sweep(_Found, {"size": [100]}, out=tmp_path / "f.jsonl", full_witness=True)[0]
    assert full["witness"] == [float(i) for i in range(100)] and full["nested"]["shrunk"] == full["witness"]
    assert (tmp_path / "s.jsonl").stat().st_size < (tmp_path / "f.jsonl").stat().st_size / 2
    with pytest.raises(InvalidArgument, match="full_witness=1 must be True or False"):
        sweep(_Found, {"size": [1]}, full_witness=1)


def test_dask_cluster_resumes_an_interrupted_sweep(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    out, log, stop = tmp_path / "runs.jsonl", tmp_path / "calls.log", tmp_path / "stop.json"
    fn = functools.partial(gd_rate, log=str(log), stop=str(stop))
    fail_at = (3, 2, 1.0)  # the last point of the grid
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        # pure=False: Dask would otherwise key tasks by their arguments and hand the resumed sweep
        # the remembered error of the interrupted one
        executor = client.get_executor(pure=False)
        # a first run limited to the width-2 half of the grid: 6 records
        part = sweep(fn, {**GRID, "width": [2]}, executor=executor, out=out)
        assert len(part) == 6 and len(_recorded(out)) == 6
        # the full grid, interrupted at its last point
        stop.write_text(json.dumps({"at": list(fail_at)}))
        with pytest.raises(RuntimeError, match="killed"):
            sweep(fn, GRID, executor=executor, out=out)
        recorded = _recorded(out)
        assert fail_at not in recorded and len(recorded) >= 6
        os.remove(stop)
        os.remove(log)
        resumed = sweep(fn, GRID, executor=executor, out=out)  # resumed on the cluster
    assert sorted(_calls(log)) == sorted(set(_points()) - set(recorded))  # only the missing points ran
    assert fail_at in _calls(log)
    assert resumed == sweep(gd_rate, GRID, out=tmp_path / "serial.jsonl")
    assert len(_recorded(out)) == 12
