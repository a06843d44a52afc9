"""The ``plsym`` command line: ``plsym reproduce``, ``plsym check`` and ``plsym search``."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import warnings

import numpy as np

from . import __version__, spec as specs
from ._linalg import one_blas_thread
from ._spec_file import RENAMED_CLAIMS
from .errors import InvalidArgument
from .progress import reporting
from .quantities import QUANTITIES

__all__ = ["console", "main"]


class _ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors: ``plsym: error: ...`` on stderr and exit 2, no usage block."""

    def error(self, message):
        self.exit(2, f"plsym: error: {self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="plsym", description="Check the PL* theory of over-parameterized systems. "
                             "Long runs draw a progress bar on standard error when it is a terminal (never with --json).")
    parser.add_argument("--version", action="version", version=f"plsym {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)
    rep = sub.add_parser("reproduce", help="check the paper's results and write a report")
    rep.add_argument("--out", default="plsym-report", help="directory for report.md and report.json (default: plsym-report)")
    rep.add_argument("--quick", action="store_true", help="smaller sample sizes")
    rep.add_argument("--strict", action="store_true",
                     help="exit 1 if a claim is refuted (a script's declared finding, such as T17-sum, excepted)")
    rep.add_argument("--no-mutants", action="store_true", help="skip the mutants (wrong constants) of each theorem")
    rep.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    rep.add_argument("--only", nargs="+", metavar="ID", help="run only these results (e.g. T14 C15)")
    rep.add_argument("--jobs", type=int, default=None,
                     help="scripts run at once, each in its own process (default: one per core, at most 2); "
                          "the report is the same for any value")

    chk = sub.add_parser("check", help="check the claims of a TOML spec file on its ball",
                         description="Estimate the quantities of a spec file's system on its ball and give each "
                                     "claim a verdict: certified, refuted (at a point x of the ball), holds (no "
                                     "counterexample within the budget), or undefined (the system is not finite at "
                                     "a point x of the ball). Exit 0 when no claim is refuted or undefined, 1 when "
                                     "one is, 2 on bad input.")
    chk.add_argument("spec", help="the spec file (TOML)")
    chk.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    chk.add_argument("--level", choices=specs.LEVELS, default="searched",
                     help="sampled; searched (default: sampling then local search); certified (also proves bounds)")
    chk.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    chk.add_argument("--samples", type=int, default=4096,
                     help=f"points sampled per constant (default 4096, at most {specs.MAX_SAMPLES})")

    sea = sub.add_parser("search", help="search hard for a counterexample to one claim of a spec file",
                         description="Deep counterexample search for one claim on a spec file's ball; progress on "
                                     "stderr. Exit 0 when none is found, 1 when the claim is refuted or undefined "
                                     "on the ball, 2 on bad input.")
    sea.add_argument("spec", help="the spec file (TOML)")
    sea.add_argument("--claim", required=True, choices=(*QUANTITIES, *RENAMED_CLAIMS),
                     metavar="{" + ",".join(QUANTITIES) + "}", help="the claim to attack (a quantity's name)")
    sea.add_argument("--value", type=float, default=None,
                     help="the claimed bound (default: the value in the spec's [claims] table)")
    sea.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    sea.add_argument("--max-examples", type=int, default=1000,
                     help=f"budget of examples tried by the search (default 1000, at most {specs.MAX_EXAMPLES})")
    sea.add_argument("--json", action="store_true",
                     help="print one JSON object instead of text (nothing on stderr but warnings), "
                          "byte-identical per seed")
    return parser


def console() -> None:
    """The ``plsym`` command (and ``python -m plsym``): :func:`main` in a process tuned for it."""
    _keep_freed_memory()
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None or "coverage" in sys.modules:
        sys.exit(code)  # a profiler or coverage writes its data after the program: the normal exit
    _exit_without_teardown(code)


def _exit_without_teardown(code):
    """End the command's process with ``code`` once its output is flushed and the atexit handlers
    have run, without the interpreter's teardown: freeing the objects of sympy, scipy and matplotlib
    one by one takes about half a second after ``plsym reproduce``, memory the operating system takes
    back at once. The command's files are closed by then and its worker pools shut down."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``plsym ... | head``) or stream: nothing left to write
            pass
    os._exit(code)


def _keep_freed_memory():
    """On glibc, keep freed memory in the process for the next arrays instead of returning it to the
    system after each one: plsym's evaluators allocate numpy temporaries of a few MB on every call,
    which glibc's defaults otherwise unmap and map again, faulting every page in anew. Set only for
    the command, which owns its process (the library leaves the allocator alone), and not when the
    user has set glibc's MALLOC_* variables."""
    if any(k.startswith("MALLOC_") for k in os.environ):
        return
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    mallopt(m_mmap_threshold, 32 << 20)  # arrays below 32 MB from the heap (glibc's largest threshold)
    mallopt(m_trim_threshold, 256 << 20)  # the heap's top is returned beyond 256 MB free
    mallopt(m_top_pad, 64 << 20)


def main(argv=None) -> int:
    """Entry point of the command line (see :func:`console`); returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command in ("check", "search"):
        # a run writes nothing but its output: Hypothesis' own storage goes to a temporary directory
        # one BLAS thread: float results (sampled and searched values) then do not depend on the
        # machine's thread count, so the same spec and seed give the same JSON
        with tempfile.TemporaryDirectory(prefix="plsym-hypothesis-") as tmp, _hypothesis_home(tmp), \
                one_blas_thread(), np.errstate(all="ignore"), _interruptible(tmp):
            return _run(args)  # float overflow is reported as such (or as undefined), never as a warning
    return _run(args)


@contextlib.contextmanager
def _interruptible(tmp):
    """Ctrl-C ends the run at once with one line and exit 130 (a KeyboardInterrupt can be swallowed
    by callbacks inside Hypothesis or sympy); the run has written nothing but ``tmp``, removed here."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:  # ignored or handled by the caller
        yield
        return

    def stop(signum, frame):
        sys.stdout.flush()
        sys.stderr.write("plsym: interrupted; nothing was written\n")
        sys.stderr.flush()
        shutil.rmtree(tmp, ignore_errors=True)
        os._exit(130)

    signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def _hypothesis_home(path):
    """Point Hypothesis' storage directory (its database and caches) at ``path`` for the duration."""
    try:
        import hypothesis.configuration as conf
    except ModuleNotFoundError:  # pragma: no cover - hypothesis is a dependency
        yield
        return
    previous = getattr(conf, "__hypothesis_home_directory", None)
    conf.set_hypothesis_home_dir(path)
    try:
        yield
    finally:
        conf.set_hypothesis_home_dir(previous)


def _run(args) -> int:
    try:
        if args.command == "reproduce":
            from .reproduce import run
            return run(out=args.out, quick=args.quick, strict=args.strict, rng=args.seed, stream=sys.stdout,
                       only=args.only, mutants=not args.no_mutants, progress=True, jobs=args.jobs)
        if args.command == "check":
            return _check(args)
        if args.command == "search":
            return _search(args)
    except InvalidArgument as exc:
        print(f"plsym: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("plsym: interrupted; nothing was written", file=sys.stderr)
        return 130
    return 2  # pragma: no cover - argparse rejects unknown commands


@contextlib.contextmanager
def _warnings_to_stderr():
    """Deprecation warnings of reading a spec (an old claim key, ...) as ``plsym: warning: ...`` lines on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        yield
    for w in caught:
        print(f"plsym: warning: {w.message}", file=sys.stderr)


def _check(args) -> int:
    with _warnings_to_stderr():
        spec = specs.load(args.spec)
    with reporting(not args.json, label="plsym check"):  # a bar only on a terminal, never with --json
        report = specs.check(spec, level=args.level, rng=args.seed, samples=args.samples)
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), allow_nan=False) + "\n")
    else:
        sys.stdout.write(report.to_text())
    return report.exit_code


def _search(args) -> int:
    with _warnings_to_stderr():
        spec = specs.load(args.spec)
        value = args.value
        if value is None:
            given = {c.quantity: c.value for c in spec.claims}
            name = RENAMED_CLAIMS.get(args.claim, args.claim)
            if name not in given:
                raise InvalidArgument(f"--value is missing and {args.spec} has no claims.{name}; give --value")
            value = given[name]
        claim = specs.claim(args.claim, value)  # bad input fails before any progress is printed
    specs.check_budget("max_examples", args.max_examples, 2, specs.MAX_EXAMPLES)
    engine = specs.search_engine(claim.quantity)

    def started():  # the progress line once the spec is accepted: a refusal stays one line
        if not args.json:
            print(f"plsym search: {claim} on {spec.name!r}, up to {args.max_examples} examples, seed {args.seed}, "
                  f"by {engine}...", file=sys.stderr, flush=True)

    start = time.perf_counter()
    with reporting(not args.json, label="plsym search"):
        verdict = specs.deep_search(spec, claim.quantity, claim.value, rng=args.seed, max_examples=args.max_examples,
                                    started=started)
    if args.json:
        record = {"spec": spec.name, "seed": args.seed, "max_examples": args.max_examples, "engine": engine,
                  **verdict.to_dict()}
        sys.stdout.write(json.dumps(record, allow_nan=False) + "\n")
    else:
        print(f"plsym search: done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        sys.stdout.write(specs.verdict_text(verdict) + "\n")
    return int(verdict.failed)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
