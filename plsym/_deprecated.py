"""Old names kept for one release: each use warns and forwards to the new name."""

from __future__ import annotations

import warnings


def warn(old: str, new: str, *, stacklevel=3):
    """A DeprecationWarning saying that ``old`` is now ``new``."""
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=stacklevel)


def renamed_attribute(old: str, new: str):
    """A read-only property ``old`` that warns and returns attribute ``new``."""

    def get(self):
        warn(f"{type(self).__name__}.{old}", f"{type(self).__name__}.{new}")
        return getattr(self, new)

    return property(get, doc=f"Deprecated: use ``{new}``.")


def module_getattr(module_name: str, renamed: dict):
    """A module ``__getattr__`` for names that moved: ``renamed`` maps an old name to (new name, getter)."""

    def __getattr__(name):
        if name in renamed:
            new, get = renamed[name]
            warn(f"{module_name}.{name}", new)
            return get()
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__
