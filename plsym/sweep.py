"""Run a function over a grid of parameters, serially or on any executor, resumably.

``sweep(fn, {"width": [64, 256], "seed": [0, 1]})`` calls ``fn(width=64, seed=0)``,
``fn(width=64, seed=1)``, ... (the product of the values, in the order of the
dict and then of each list) and returns the results in that order. With
``out="runs.jsonl"`` every finished point is appended to the file as one JSON
line ``{"params": {...}, "result": ...}`` at once, so a sweep that is killed
resumes where it stopped: points already in the file are read back, not
recomputed.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import os
import sys

from .errors import InvalidArgument, _show

__all__ = ["sweep"]


def _grid_points(grid):
    """The grid as a list of dicts, the product of the values in dict-then-list order."""
    if not isinstance(grid, dict) or not grid:
        raise InvalidArgument(f"grid={_show(grid)} must be a non-empty dict of name -> list of values")
    names = list(grid)
    values = []
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise InvalidArgument(f"grid has the key {_show(name)}; keys must be strings usable as keyword names")
        vals = grid[name]
        if isinstance(vals, (str, bytes, dict)) or not hasattr(vals, "__iter__"):
            raise InvalidArgument(f"grid[{name!r}]={_show(vals)} must be a list of values")
        vals = list(vals)
        if not vals:
            raise InvalidArgument(f"grid[{name!r}]=[] is empty; give at least one value")
        values.append(vals)
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def _key(params):
    """A canonical text key for a grid point (JSON, sorted keys), or InvalidArgument."""
    try:
        return json.dumps(params, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"grid point {_show(params)} is not JSON-serializable ({exc}); use numbers, strings, bools or lists"
        ) from None


def _jsonable(result, params):
    """The result's ``to_dict()`` or the plain value, round-tripped through JSON."""
    value = result.to_dict() if hasattr(result, "to_dict") else result
    try:
        return json.loads(json.dumps(value, allow_nan=True))
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"fn returned {_show(result)} at {_show(params)}, which is not JSON-serializable ({exc}); "
            "return a value with to_dict() or plain numbers, strings, lists and dicts"
        ) from None


def _load(out):
    """The records already in ``out`` by key; an incomplete last line (a killed write) is cut off."""
    done = {}
    if not os.path.exists(out):
        return done
    with open(out, "rb+") as fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # the last write did not finish: drop it so the next append starts clean
            fh.truncate(end)
    for number, line in enumerate(data[:end].decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            done[_key(record["params"])] = record["result"]
        except (ValueError, KeyError, TypeError, InvalidArgument):
            raise InvalidArgument(
                f"out={out!r} line {number} is not a sweep record {{\"params\": ..., \"result\": ...}}: {line[:80]!r}"
            ) from None
    return done


def _reporter(progress, total):
    """The per-point progress hook: None (silent), True (a line on stderr) or a callable."""
    if progress is None or progress is False:
        return lambda done, params, result: None
    if progress is True:
        def line(done, params, result):
            print(f"sweep: {done}/{total} {_key(params)}", file=sys.stderr, flush=True)
        return line
    if callable(progress):
        return lambda done, params, result: progress(done, total, params, result)
    raise InvalidArgument(f"progress={_show(progress)} must be None, True or a callable (done, total, params, result)")


def sweep(fn, grid, *, executor=None, out=None, progress=None):
    """Evaluate ``fn(**params)`` at every point of a grid; parallel and resumable on request.

    Parameters
    ----------
    fn : callable
        Called as ``fn(**params)`` for each grid point. With a process pool it must
        be picklable (a module-level function, or a ``functools.partial`` of one).
    grid : dict of str -> list
        Names and values, for example ``{"width": [64, 256], "seed": [0, 1, 2]}``;
        the points are the product of the values, the last name varying fastest.
        Values must be JSON-serializable (they key the records in ``out``).
    executor : concurrent.futures.Executor, optional
        Where to run the points (a ``ProcessPoolExecutor``, a Dask or Ray
        executor, ...); None (default) runs them one after the other here.
    out : str or os.PathLike, optional
        A JSON-lines file. Each finished point is appended at once as
        ``{"params": {...}, "result": ...}``, the result being ``to_dict()`` when
        it has one, else the value itself. Points already recorded are not
        recomputed, so a killed sweep resumes where it stopped.
    progress : None, True or callable, optional
        None (default): silent. True: a line per finished point on stderr.
        A callable is called as ``progress(done, total, params, result)``.

    Returns
    -------
    list
        One result per grid point, in grid order, whatever the executor. With
        ``out``, the results are the JSON records (``to_dict()`` round-tripped
        through JSON), so a resumed sweep returns exactly what a fresh one does.

    Raises
    ------
    InvalidArgument
        If grid is not a non-empty dict of non-empty lists with JSON-able values,
        a result is not JSON-serializable (with ``out``), or ``out`` holds a line
        that is not a sweep record. An exception raised by ``fn`` propagates
        after the points finished before it are recorded.

    Examples
    --------
    >>> def area(width, height):
    ...     return width * height
    >>> sweep(area, {"width": [1, 2], "height": [10, 20]})
    [10, 20, 20, 40]
    """
    if not callable(fn):
        raise InvalidArgument(f"fn={_show(fn)} must be callable as fn(**params)")
    if executor is not None and not isinstance(executor, concurrent.futures.Executor):
        raise InvalidArgument(f"executor={_show(executor)} must be a concurrent.futures.Executor or None")
    points = _grid_points(grid)
    keys = [_key(p) for p in points]
    total = len(points)
    report = _reporter(progress, total)
    done = _load(os.fspath(out)) if out is not None else {}
    results = {k: done[k] for k in keys if k in done}
    pending = [(i, p) for i, (k, p) in enumerate(zip(keys, points)) if k not in results]
    finished = len(results)

    fh = open(out, "a", encoding="utf-8") if out is not None else None
    try:
        def record(i, result):
            nonlocal finished
            params = points[i]
            if fh is not None:
                result = _jsonable(result, params)
                fh.write(json.dumps({"params": params, "result": result}) + "\n")
                fh.flush()
            results[keys[i]] = result
            finished += 1
            report(finished, params, result)

        if executor is None:
            for i, p in pending:
                record(i, fn(**p))
        else:
            futures = {executor.submit(fn, **p): i for i, p in pending}
            try:
                for fut in concurrent.futures.as_completed(futures):
                    record(futures[fut], fut.result())
            finally:
                for fut in futures:
                    fut.cancel()
    finally:
        if fh is not None:
            fh.close()
    return [results[k] for k in keys]
