"""The public surface: every public module's ``__all__`` is exactly its public names.

A public name is one a module defines at top level (def, class, assignment) without a
leading underscore; a module may also re-export names from plsym's private modules
(``plsym._x``) and a package from its submodules. Names read from the source (AST), so
that an imported helper (``np``, ``dataclasses``) never counts as the module's own.
"""

import ast
import importlib
import pkgutil
import warnings

import pytest

import plsym

_DUNDER_OK = {"__getattr__", "__all__", "__version__"}


def _public_modules():
    names = ["plsym"]
    for info in pkgutil.walk_packages(plsym.__path__, prefix="plsym."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        names.append(info.name)
    return sorted(names)


def _defined(module):
    """Top-level names the module's source binds itself (not by import)."""
    tree = ast.parse(open(module.__file__).read())
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        out.add(n.id)
    return {n for n in out if not n.startswith("_")}


def _imported_from(module):
    """name -> the module it is imported from, by the module's own ``from X import name`` lines."""
    tree = ast.parse(open(module.__file__).read())
    package = module.__name__ if module.__file__.endswith("__init__.py") else module.__name__.rpartition(".")[0]
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(0, node.level - 1)):
                base = base.rpartition(".")[0]
            source = (base + "." + node.module if node.module else base) if node.level else node.module
            for alias in node.names:
                out[alias.asname or alias.name] = source
    return out


MODULES = _public_modules()


def test_the_walk_finds_the_public_modules():
    assert {"plsym", "plsym.estimate", "plsym.results", "plsym.quantities", "plsym.theorems"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_exactly_the_public_names(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    declared = list(module.__all__)
    assert len(declared) == len(set(declared)), f"{name}.__all__ repeats a name"
    for n in declared:
        assert hasattr(module, n), f"{name}.__all__ lists {n}, which {name} does not have"
    own = _defined(module)
    missing = own - set(declared)
    assert not missing, f"{name} defines public names missing from __all__: {sorted(missing)}"
    is_package = module.__file__.endswith("__init__.py")
    imported = _imported_from(module)
    for n in set(declared) - own:
        obj = getattr(module, n)
        origin = imported.get(n) or getattr(obj, "__module__", None) or getattr(obj, "__name__", "")
        if origin == name:  # made at import time (a generated function), but this module's own
            continue
        if is_package:
            assert origin.startswith(name + ".") or origin.startswith("plsym."), (
                f"{name}.__all__ re-exports {n} from outside plsym ({origin})")
        else:
            private = any(p.startswith("_") for p in origin.split(".")[1:])
            assert origin.startswith("plsym.") and private, (
                f"{name}.__all__ lists {n}, defined in {origin}: a module lists only its own names "
                f"(or re-exports from plsym's private modules)")


def test_hypothesis_is_imported_only_where_a_search_runs():
    """import plsym leaves Hypothesis out (it costs about 0.1 s of every start); plsym.strategies and
    `from plsym import strategies` still work, and bring it in."""
    import os
    import pathlib
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parents[1]
    prog = ("import sys, plsym; assert 'hypothesis' not in sys.modules, 'hypothesis imported by plsym'; "
            "from plsym import strategies; assert 'hypothesis' in sys.modules; "
            "assert plsym.strategies is strategies and callable(strategies.points_in); print('ok')")
    done = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, cwd=root, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
