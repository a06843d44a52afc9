"""plsym: check the optimization theory of over-parameterized systems (Liu, Zhu & Belkin)."""

from .ball import Ball
from .errors import InvalidArgument
from .system import System
from . import (adapters, bounds, certify, dynamics, estimate, pep, progress, quantities, results, search, systems,
               theorems)
from .sweep import sweep

__all__ = [
    "Ball", "InvalidArgument", "System", "adapters", "bounds", "certify", "dynamics", "estimate", "pep", "progress",
    "quantities", "results", "search", "strategies", "sweep", "systems", "theorems",
]
__version__ = "0.1.0"


def __getattr__(name):
    """``plsym.strategies`` is imported on first use: it imports Hypothesis, which plsym's other modules
    import only when a search runs."""
    if name == "strategies":
        import importlib

        return importlib.import_module(".strategies", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
