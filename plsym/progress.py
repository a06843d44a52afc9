"""Progress of long computations: silent by default, a bar on a terminal, or your own callback.

Estimates on wide networks, certified bounds and theorem checks can run for tens of seconds.
Their inner loops report how far they are to the *active reporter*, if there is one; there is
none unless asked for, so library calls stay silent. Ask for one with

- the ``progress=`` option of the functions of :mod:`plsym.estimate` and :mod:`plsym.certify`;
- :func:`reporting`, a context manager, around any code (a theorem check, a spec check, a loop
  of your own): ``with plsym.progress.reporting(True): T14.check(system, ball)``;
- :func:`call`, the same for one call: ``call(T14.check, system, ball, progress=True)``.

The values of ``progress``:

``None``
    no change: inside an active reporter the computation reports to it, otherwise it is silent.
``False``
    silent, even inside an active reporter.
``True``
    a one-line progress bar on standard error, redrawn in place, with the elapsed time, *only if
    standard error is a terminal*; elsewhere (a file, a pipe, a notebook, CI) nothing is written.
a callable
    called as ``progress(event)`` with a :class:`ProgressEvent` at every step.

Reporting never changes a result: the same call with any ``progress`` returns the same value.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import inspect
import shutil
import sys
import threading
import time

from .errors import InvalidArgument, _show

__all__ = ["ProgressEvent", "call", "reporting", "tick", "with_progress"]

_ACTIVE: contextvars.ContextVar = contextvars.ContextVar("plsym_progress", default=None)


@dataclasses.dataclass(frozen=True)
class ProgressEvent:
    """One step of a long computation, as passed to a progress callback.

    Attributes
    ----------
    task : str
        What is running, e.g. ``"estimate kernel_min_eig"`` or ``"certify lower bound"``.
    done : int
        Units done so far in this task (points evaluated, boxes bounded, ...).
    total : int or None
        The budget in the same units when known (it may stop earlier), else None.
    elapsed : float
        Seconds since the reporter started.
    """

    task: str
    done: int
    total: int | None
    elapsed: float


class _Reporter:
    """Receives ticks; forwards them to a callback or draws a bar on a terminal stream."""

    def __init__(self, callback=None, stream=None, label="plsym", interval=0.1):
        self.callback, self.stream, self.label, self.interval = callback, stream, label, interval
        self.start = time.perf_counter()
        self.last = ("running", 0, None)
        self._drawn = 0.0
        self._width = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        if stream is not None:  # keep the elapsed time moving while a step runs long
            self._thread = threading.Thread(target=self._heartbeat, name="plsym-progress", daemon=True)
            self._thread.start()

    def tick(self, task, done, total=None):
        elapsed = time.perf_counter() - self.start
        self.last = (task, done, total)
        if self.callback is not None:
            self.callback(ProgressEvent(task, int(done), None if total is None else int(total), elapsed))
        elif self.stream is not None and elapsed - self._drawn >= self.interval:
            self._draw(elapsed)

    def _heartbeat(self):
        while not self._stop.wait(0.5):
            self._draw(time.perf_counter() - self.start)

    def _draw(self, elapsed):
        with self._lock:
            if self._stop.is_set() and self._thread is not None and threading.current_thread() is self._thread:
                return
            self._drawn = elapsed
            task, done, total = self.last
            columns = shutil.get_terminal_size((80, 24)).columns - 1
            if total:
                frac = min(1.0, done / total)
                bar = "[" + "#" * int(20 * frac) + "." * (20 - int(20 * frac)) + f"] {done}/{total}"
            else:
                bar = f"{done}" if done else ""
            text = f"{self.label}: {task} {bar} {elapsed:.1f} s"[:columns]
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
            self._width = len(text)

    def close(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.stream is not None and self._width:
            with self._lock:  # clear the line, so that what follows starts clean
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()


def _is_tty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def reporting(progress=True, *, label="plsym", stream=None):
    """Make ``progress`` the active reporter for the code in the ``with`` block.

    Parameters
    ----------
    progress : None, bool or callable, default True
        See the module docstring: None keeps the current reporter, False silences,
        True draws a bar on ``stream`` if it is a terminal, a callable receives
        :class:`ProgressEvent` objects.
    label : str, default "plsym"
        Shown at the start of the bar.
    stream : file-like, optional
        Where the bar goes; default ``sys.stderr``. Nothing is drawn unless
        ``stream.isatty()`` is true.

    Yields
    ------
    None

    Raises
    ------
    InvalidArgument
        If ``progress`` is none of these.

    Examples
    --------
    >>> import plsym
    >>> from plsym.systems import product
    >>> events = []
    >>> with reporting(events.append):
    ...     e = plsym.estimate.lipschitz(product(2.9), plsym.Ball([3.0, 1.0], 0.5), samples=64)
    >>> events[0].task, events[-1].done >= 64
    ('estimate lipschitz', True)
    """
    if progress is None:
        yield
        return
    if progress is False:
        token = _ACTIVE.set(None)
        try:
            yield
        finally:
            _ACTIVE.reset(token)
        return
    if progress is True:
        if _ACTIVE.get() is not None:  # already reporting: one bar, not two
            yield
            return
        stream = sys.stderr if stream is None else stream
        reporter = _Reporter(stream=stream, label=label) if _is_tty(stream) else None
    elif callable(progress):
        reporter = _Reporter(callback=progress, label=label)
    else:
        raise InvalidArgument(f"progress={_show(progress)} must be None, True, False or a callable taking a ProgressEvent")
    token = _ACTIVE.set(reporter)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
        if reporter is not None:
            reporter.close()


def tick(task, done, total=None):
    """Report a step to the active reporter; does nothing (cheaply) when there is none.

    Parameters
    ----------
    task : str
        What is running.
    done : int
        Units done so far.
    total : int, optional
        The budget, when known.
    """
    reporter = _ACTIVE.get()
    if reporter is not None:
        reporter.tick(task, done, total)


def call(fn, /, *args, progress=True, label="plsym", **kwargs):
    """``fn(*args, **kwargs)`` with ``progress`` as the active reporter (see :func:`reporting`).

    Parameters
    ----------
    fn : callable
        Any computation, e.g. ``T14.check``.
    *args, **kwargs
        Passed to ``fn``.
    progress : None, bool or callable, default True
        As for :func:`reporting`.
    label : str, default "plsym"
        Shown at the start of the bar.

    Returns
    -------
    object
        What ``fn`` returns.
    """
    with reporting(progress, label=label):
        return fn(*args, **kwargs)


_PROGRESS_DOC = """
    progress : None, bool or callable, default None
        Report progress (see :mod:`plsym.progress`): None reports to an active
        reporter if any, else nothing; True draws a bar with the elapsed time on
        standard error if it is a terminal; a callable receives
        :class:`plsym.progress.ProgressEvent` objects. The result does not depend on it.
"""


def with_progress(fn):
    """``fn`` with one more keyword-only option, ``progress`` (see :func:`reporting`).

    The wrapper runs ``fn`` inside ``reporting(progress)``; the signature and the
    numpydoc ``Parameters`` section of ``fn`` gain the option.

    Parameters
    ----------
    fn : callable
        A public computation whose inner loops call :func:`tick`.

    Returns
    -------
    callable
    """
    @functools.wraps(fn)
    def wrapper(*args, progress=None, **kwargs):
        with reporting(progress):
            return fn(*args, **kwargs)

    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    at = len(params) - (1 if params and params[-1].kind is inspect.Parameter.VAR_KEYWORD else 0)
    params.insert(at, inspect.Parameter("progress", inspect.Parameter.KEYWORD_ONLY, default=None))
    wrapper.__signature__ = sig.replace(parameters=params)
    doc = fn.__doc__ or ""
    marker = "\n    Returns\n    -------"
    if marker in doc:  # the option goes last in Parameters
        head, tail = doc.split(marker, 1)
        doc = head.rstrip("\n") + "\n" + _PROGRESS_DOC.strip("\n") + "\n" + marker + tail
    wrapper.__doc__ = doc
    return wrapper
