"""plsym: check the optimization theory of over-parameterized systems (Liu, Zhu & Belkin)."""

from .ball import Ball
from .errors import InvalidArgument
from .system import System
from . import certify, dynamics, estimate, search, strategies, systems, theorems

__all__ = [
    "Ball", "InvalidArgument", "System", "certify", "dynamics", "estimate", "search", "strategies", "systems", "theorems",
]
__version__ = "0.1.0"
