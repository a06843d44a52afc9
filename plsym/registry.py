"""The proof scripts: one per result of the paper, found on disk so that a new script needs no other edit.

Where they are: ``$PLSYM_PROOFS`` if set; else ``proofs/`` beside the ``plsym`` package
in a source checkout; else the installed copy (the wheel maps ``proofs/`` to the package
``plsym_proofs``). Each script defines ``ID``, ``THEOREM`` (the :class:`plsym.theorems.Theorem`
it checks) and ``check(*, quick=False, rng=0, claim=None)`` returning a
:class:`plsym.theorems.TheoremCheck` (``rng``: the int seed of every random choice; a script
written with ``seed=`` still runs, with a DeprecationWarning); optionally ``CLAIM`` (the claim it checks, default
``THEOREM.claim``) and ``EXPECT = "refuted"`` for a script written to refute a recalled
claim (a finding). Files starting with ``_`` are skipped.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import os
import pathlib
import re
from typing import Callable

from ._deprecated import warn
from .errors import InvalidArgument

__all__ = ["Proof", "proofs_directory", "load"]


@dataclasses.dataclass(frozen=True)
class Proof:
    """One proof script: its result id, file, one-line description, check function, theorem and claim.

    ``check(*, quick=False, rng=0, claim=None)`` runs the script (``seed=`` is the
    old name of ``rng`` and warns); an unknown option raises InvalidArgument.
    """

    id: str
    path: pathlib.Path
    title: str
    check: Callable = dataclasses.field(repr=False)
    theorem: object = dataclasses.field(default=None, repr=False)
    claim: object = dataclasses.field(default=None, repr=False)
    expect: str | None = None

    def mutants(self):
        """(label, claim) of the theorem's mutants that differ from this script's claim.

        None for a script that expects its own claim refuted (a finding): a mutant of a
        refuted claim tells nothing about the check.
        """
        if self.theorem is None or self.claim is None or self.expect == "refuted":
            return []
        out = []
        for mu in self.theorem.mutants:
            variant = mu.apply(self.claim)
            if variant != self.claim:
                out.append((mu.label, variant))
        return out


def _checker(path, fn):
    """The script's check behind the registry's signature (rng=, seed= warning; a seed= script warns at load)."""
    params = inspect.signature(fn).parameters
    takes_rng = "rng" in params
    if not takes_rng and "seed" in params:
        warn(f"the proof script {path.name}: check(seed=...)", "check(*, quick=False, rng=0, claim=None)",
             stacklevel=4)

    def check(*, quick=False, rng=None, claim=None, seed=None, **options):
        if options:
            raise InvalidArgument(f"check got unknown option(s) {', '.join(sorted(options))}; its options are "
                                  "quick, rng, claim")
        if seed is not None:
            warn("Proof.check(seed=...)", "Proof.check(rng=...)")
            rng = seed if rng is None else rng
        kwargs = {"quick": quick, ("rng" if takes_rng else "seed"): 0 if rng is None else rng}
        if claim is not None or "claim" in params:
            kwargs["claim"] = claim
        return fn(**kwargs)

    check.__doc__ = fn.__doc__
    return check


def proofs_directory() -> pathlib.Path:
    """Where the proof scripts are (see the module docstring)."""
    env = os.environ.get("PLSYM_PROOFS")
    if env:
        return pathlib.Path(env)
    here = pathlib.Path(__file__).resolve().parent
    checkout = here.parent / "proofs"
    if (checkout / "_template.py").is_file():
        return checkout
    spec = importlib.util.find_spec("plsym_proofs")
    if spec is not None and spec.submodule_search_locations:
        return pathlib.Path(list(spec.submodule_search_locations)[0])
    raise InvalidArgument("no proof scripts found: set PLSYM_PROOFS to the proofs/ directory of a plsym checkout")


def _order(proof_id: str):
    """T before C before R, then by number: T3, T4, ..., T23, C15, R1, R2 (a suffix such as -sum after its number)."""
    m = re.fullmatch(r"([A-Z]+)(\d+)(.*)", proof_id)
    if not m:
        return (9, 0, proof_id)
    return ({"T": 0, "C": 1, "R": 2}.get(m.group(1), 3), int(m.group(2)), m.group(3))


def load(directory=None, *, only=None) -> list[Proof]:
    """The proof scripts in ``directory`` (default :func:`proofs_directory`), ordered by id.

    ``only`` restricts to a collection of ids.
    """
    directory = pathlib.Path(directory) if directory is not None else proofs_directory()
    if not directory.is_dir():
        raise InvalidArgument(f"directory={str(directory)!r} is not a directory of proof scripts")
    proofs = []
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"plsym_proofs.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # the project's own scripts, never user text
        pid = getattr(module, "ID", None)
        check = getattr(module, "check", None)
        if not isinstance(pid, str) or not callable(check):
            raise InvalidArgument(f"{path} must define ID (a str) and check(*, quick=False, rng=0, claim=None)")
        title = (module.__doc__ or pid).strip().splitlines()[0]
        theorem = getattr(module, "THEOREM", None)
        claim = getattr(module, "CLAIM", getattr(theorem, "claim", None))
        expect = getattr(module, "EXPECT", None)
        if expect not in (None, "refuted"):
            raise InvalidArgument(f"{path}: EXPECT={expect!r} must be None or 'refuted'")
        proofs.append(Proof(pid, path, title, _checker(path, check), theorem, claim, expect))
    ids = [p.id for p in proofs]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise InvalidArgument(f"proof ids {sorted(dup)} appear in more than one script")
    if only is not None:
        wanted = set(only)
        unknown = wanted - set(ids)
        if unknown:
            raise InvalidArgument(f"only={sorted(unknown)} names no proof script; available: {', '.join(sorted(ids, key=_order))}")
        proofs = [p for p in proofs if p.id in wanted]
    return sorted(proofs, key=lambda p: _order(p.id))
