"""How much memory the machine has, and refusing work that cannot fit before allocating it."""

from __future__ import annotations

import os

from .errors import InvalidArgument

_FLOAT = 8  # bytes per float64


def physical_bytes() -> int | None:
    """The machine's physical memory in bytes, or None where the OS does not say."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def require_fits(argument: str, value, floats: float, what: str) -> None:
    """InvalidArgument naming ``argument`` when ``floats`` float64 numbers (``what`` needs them)
    exceed the machine's physical memory; silent when it fits or the size is unknown."""
    total = physical_bytes()
    need = float(floats) * _FLOAT
    if total is not None and need > total:
        raise InvalidArgument(
            f"{argument}={value} needs {what}: about {need / 2**30:.3g} GiB of float64, more than this machine's "
            f"{total / 2**30:.3g} GiB of memory; use a smaller size"
        )
