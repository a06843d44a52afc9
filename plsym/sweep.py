"""Run a function over a grid of parameters, serially or on any executor, resumably.

``sweep(fn, {"width": [64, 256], "seed": [0, 1]})`` calls ``fn(width=64, seed=0)``,
``fn(width=64, seed=1)``, ... (the product of the values, in the order of the
dict and then of each list) and returns the results in that order. With
``out="runs.jsonl"`` every finished point is appended to the file as one JSON
line ``{"fn": {...}, "params": {...}, "result": ...}`` at once, so a sweep that is
killed resumes where it stopped: points already in the file are read back, not
recomputed. Each record names the function that produced it (qualified name and a
fingerprint of its code, defaults, closure and bound arguments), and a file written
by another function is refused rather than read back. Witnesses (points in
parameter space) longer than a few coordinates are stored as a summary unless
``full_witness=True``.

The executor can be a Dask cluster's: ``executor=distributed.Client(address).get_executor()``
(the documentation page on sweeps shows how to point it at a remote scheduler).
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import itertools
import json
import os
import types

import numpy as np

from . import progress as _progress
from .errors import InvalidArgument, _show

__all__ = ["FULL_WITNESS_MAX", "WITNESS_KEYS", "identity", "summarize_witness", "sweep"]


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


# -- which function wrote a record ---------------------------------------------------------------

def _describe(value, depth=0):
    """A deterministic, address-free description of a value bound into a function."""
    if depth > 6:
        return "..."
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return repr(value)
    if isinstance(value, os.PathLike):
        return repr(os.fspath(value))
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + "(" + ",".join(_describe(v, depth + 1) for v in value) + ")"
    if isinstance(value, (set, frozenset)):  # element order follows string hashing: sort it
        return type(value).__name__ + "(" + ",".join(sorted(_describe(v, depth + 1) for v in value)) + ")"
    if isinstance(value, dict):
        return "dict(" + ",".join(sorted(f"{_describe(k, depth + 1)}:{_describe(v, depth + 1)}" for k, v in value.items())) + ")"
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return f"ndarray({data.dtype},{data.shape},{hashlib.sha256(data.tobytes()).hexdigest()[:16]})"
    if isinstance(value, types.CodeType):
        return _code(value, depth + 1)
    if isinstance(value, (types.FunctionType, functools.partial, types.MethodType)):
        return _fingerprint_parts(value, depth + 1)
    return "<" + type(value).__module__ + "." + type(value).__qualname__ + ">"


def _code(code, depth=0):
    """A code object's bytecode, constants (nested code included) and names."""
    consts = ",".join(_describe(c, depth + 1) for c in code.co_consts)
    return f"code({code.co_code.hex()};{consts};{','.join(code.co_names)};{','.join(code.co_varnames)})"


def _fingerprint_parts(fn, depth=0):
    if isinstance(fn, functools.partial):
        return (f"partial({_fingerprint_parts(fn.func, depth + 1)};{_describe(fn.args, depth + 1)};"
                f"{_describe(fn.keywords, depth + 1)})")
    if isinstance(fn, types.MethodType):
        return f"method({_fingerprint_parts(fn.__func__, depth + 1)};{_describe(fn.__self__, depth + 1)})"
    if isinstance(fn, types.FunctionType):
        cells = [_describe(c.cell_contents, depth + 1) if _filled(c) else "<empty>" for c in fn.__closure__ or ()]
        return (f"function({_code(fn.__code__, depth)};{_describe(fn.__defaults__, depth + 1)};"
                f"{_describe(fn.__kwdefaults__, depth + 1)};{','.join(cells)})")
    if isinstance(fn, type):  # a class: the code of the functions it defines, and its bases
        methods = sorted((k, v) for k, v in vars(fn).items() if isinstance(v, (types.FunctionType, classmethod, staticmethod)))
        parts = [f"{k}={_fingerprint_parts(getattr(v, '__func__', v), depth + 1)}" for k, v in methods]
        bases = ",".join(f"{b.__module__}.{b.__qualname__}" for b in fn.__mro__[1:])
        return f"class({fn.__module__}.{fn.__qualname__};{bases};{';'.join(parts)})"
    call = getattr(type(fn), "__call__", None)  # a callable object: its class's __call__ and its state
    inner = _fingerprint_parts(call, depth + 1) if isinstance(call, types.FunctionType) else "builtin"
    state = _describe(vars(fn), depth + 1) if hasattr(fn, "__dict__") else ""
    return f"object({type(fn).__module__}.{type(fn).__qualname__};{inner};{state})"


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _qualified_name(fn):
    if isinstance(fn, functools.partial):
        return f"functools.partial({_qualified_name(fn.func)})"
    target = getattr(fn, "__func__", fn)
    if not hasattr(target, "__qualname__"):
        target = type(fn)
    return f"{getattr(target, '__module__', None) or '?'}.{target.__qualname__}"


def identity(fn):
    """Which function a sweep record comes from: ``{"name": ..., "fingerprint": ...}``.

    The name is the qualified name (``module.qualname``; ``functools.partial(...)``
    around a partial). The fingerprint is a SHA-256 over the bytecode, constants and
    names of the function's code (nested functions included), its defaults, the
    values in its closure and, for a partial, the bound arguments. Plain values
    (numbers, strings, paths, lists, dicts, arrays) enter by value, other objects by
    their type. Editing the function's code, or running it under another Python
    version (whose bytecode differs), changes the fingerprint.

    Parameters
    ----------
    fn : callable
        The function a sweep calls.

    Returns
    -------
    dict
        ``{"name": str, "fingerprint": str}`` (the fingerprint is 16 hex digits).

    Examples
    --------
    >>> def area(width, height):
    ...     return width * height
    >>> identity(area)["name"]
    'plsym.sweep.area'
    >>> identity(area) == identity(area), len(identity(area)["fingerprint"])
    (True, 16)
    """
    digest = hashlib.sha256(_fingerprint_parts(fn).encode("utf-8")).hexdigest()[:16]
    return {"name": _qualified_name(fn), "fingerprint": digest}


# -- records ----------------------------------------------------------------------------------------

WITNESS_KEYS = ("x", "witness", "shrunk")
FULL_WITNESS_MAX = 16  # witnesses with at most this many coordinates are always stored in full


def summarize_witness(point):
    """A fixed-size summary of a point: size, Euclidean norm, min, max and a SHA-256 prefix.

    Parameters
    ----------
    point : sequence of float
        A witness (a point in parameter space).

    Returns
    -------
    dict
        ``{"size", "norm", "min", "max", "sha256"}``; the hash is over the float64
        bytes, so two summaries with the same hash come from the same point.

    Examples
    --------
    >>> summarize_witness([3.0, 4.0])["norm"]
    5.0
    """
    w = np.asarray(point, dtype=float).ravel()
    return {
        "size": int(w.size), "norm": float(np.linalg.norm(w)),
        "min": float(w.min()) if w.size else None, "max": float(w.max()) if w.size else None,
        "sha256": hashlib.sha256(np.ascontiguousarray(w).tobytes()).hexdigest()[:16],
    }


def _summarize(value):
    """The record with every long witness (keys in WITNESS_KEYS) replaced by its summary."""
    if isinstance(value, dict):
        return {
            k: summarize_witness(v) if k in WITNESS_KEYS and isinstance(v, list) and len(v) > FULL_WITNESS_MAX
            and all(isinstance(x, (int, float)) for x in v) else _summarize(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_summarize(v) for v in value]
    return value


def _jsonable(result, params, full_witness=True):
    """The result's ``to_dict()`` or the plain value, round-tripped through JSON."""
    value = result.to_dict() if hasattr(result, "to_dict") else result
    try:
        value = json.loads(json.dumps(value, allow_nan=True))
        return value if full_witness else _summarize(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"fn returned {_show(result)} at {_show(params)}, which is not JSON-serializable ({exc}); "
            "return a value with to_dict() or plain numbers, strings, lists and dicts"
        ) from None


def _load(out, fn_id):
    """The records already in ``out`` by key; an incomplete last line (a killed write) is cut off.

    Raises InvalidArgument when a record was written by another function than ``fn_id``.
    """
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
            key, result, written_by = _key(record["params"]), record["result"], record.get("fn")
        except (ValueError, KeyError, TypeError, AttributeError, InvalidArgument):
            raise InvalidArgument(
                f"out={out!r} line {number} is not a sweep record {{\"fn\": ..., \"params\": ..., \"result\": ...}}: "
                f"{line[:80]!r}"
            ) from None
        if written_by != fn_id:
            raise InvalidArgument(
                f"out={out!r} line {number} was written by {_show(written_by, 120)}, not by fn={fn_id['name']} "
                f"(fingerprint {fn_id['fingerprint']}): its results are not this function's. Use another out file, "
                "or delete this one to recompute (a changed function, or another Python version, changes the fingerprint)"
            )
        done[key] = result
    return done


def sweep(fn, grid, *, executor=None, out=None, progress=None, full_witness=False):
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
        ``{"fn": {"name", "fingerprint"}, "params": {...}, "result": ...}``, the
        result being ``to_dict()`` when it has one, else the value itself, and
        ``fn`` the function's :func:`identity`. Points already recorded are not
        recomputed, so a killed sweep resumes where it stopped; records written by
        another function (another name or fingerprint) are refused.
    progress : None, bool or callable, optional
        As everywhere in plsym (:mod:`plsym.progress`): None (default) reports to
        an active reporter if any, else nothing; True draws a bar on standard error
        if it is a terminal; a callable receives a
        :class:`plsym.progress.ProgressEvent` per finished point (task ``"sweep"``,
        ``done`` of ``total`` points) and for the steps inside ``fn`` that report
        (estimates, certified bounds) when it runs here, in this process.
    full_witness : bool, default False
        With ``out``: False stores every witness (the ``witness`` and ``shrunk``
        entries of a result's dict) longer than 16 coordinates as
        :func:`summarize_witness` (size, norm, min, max, hash), which keeps
        records of wide networks small; True stores the points in full.

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
        a result is not JSON-serializable (with ``out``), ``out`` holds a line
        that is not a sweep record, or ``out`` holds records of another function
        (the message names both). An exception raised by ``fn`` propagates
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
    if not isinstance(full_witness, bool):
        raise InvalidArgument(f"full_witness={_show(full_witness)} must be True or False")
    fn_id = identity(fn) if out is not None else None
    done = _load(os.fspath(out), fn_id) if out is not None else {}
    results = {k: done[k] for k in keys if k in done}
    pending = [(i, p) for i, (k, p) in enumerate(zip(keys, points)) if k not in results]
    finished = len(results)

    fh = open(out, "a", encoding="utf-8") if out is not None else None
    try:
        with _progress.reporting(progress, label="plsym sweep"):
            def record(i, result):
                nonlocal finished
                params = points[i]
                if fh is not None:
                    result = _jsonable(result, params, full_witness)
                    fh.write(json.dumps({"fn": fn_id, "params": params, "result": result}) + "\n")
                    fh.flush()
                results[keys[i]] = result
                finished += 1
                _progress.tick("sweep", finished, total)

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
