"""plsym: check the optimization theory of over-parameterized systems (Liu, Zhu & Belkin)."""

from .ball import Ball
from .errors import InvalidArgument
from .system import System
from . import (adapters, bounds, certify, dynamics, estimate, pep, progress, quantities, results, search, strategies,
               systems, theorems)
from .sweep import sweep

__all__ = [
    "Ball", "InvalidArgument", "System", "adapters", "bounds", "certify", "dynamics", "estimate", "pep", "progress",
    "quantities", "results", "search", "strategies", "sweep", "systems", "theorems",
]
__version__ = "0.1.0"
