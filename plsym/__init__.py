"""plsym: check the optimization theory of over-parameterized systems (Liu, Zhu & Belkin)."""

from .ball import Ball
from .errors import InvalidArgument
from .system import System
from . import dynamics, estimate, systems

__all__ = ["Ball", "InvalidArgument", "System", "dynamics", "estimate", "systems"]
__version__ = "0.1.0"
