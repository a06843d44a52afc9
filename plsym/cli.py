"""The ``plsym`` command line: ``plsym reproduce``."""

from __future__ import annotations

import argparse
import sys

from .errors import InvalidArgument


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plsym", description="Check the PL* theory of over-parameterized systems.")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="check the paper's results and write a report")
    rep.add_argument("--out", default="plsym-report", help="directory for report.md and report.json (default: plsym-report)")
    rep.add_argument("--quick", action="store_true", help="smaller sample sizes")
    rep.add_argument("--strict", action="store_true", help="exit 1 if any claim is refuted")
    rep.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    return parser


def main(argv=None) -> int:
    """Entry point of the ``plsym`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "reproduce":
            from .reproduce import run
            return run(out=args.out, quick=args.quick, strict=args.strict, seed=args.seed, stream=sys.stdout)
    except InvalidArgument as exc:
        print(f"plsym: error: {exc}", file=sys.stderr)
        return 2
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
