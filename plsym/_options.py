"""Keyword options checked by name: an unknown option is bad input, an old name warns and forwards."""

from __future__ import annotations

import functools
import inspect

from ._deprecated import warn
from .errors import InvalidArgument, _show


def checked_options(fn=None, *, renamed=None, name=None):
    """``fn`` raising InvalidArgument on an unknown keyword option; ``renamed`` maps old option names to new ones.

    The signature and docstring of ``fn`` are kept. An old name warns
    (DeprecationWarning) and is passed on as the new one. ``name`` is the name
    messages use (default ``fn.__name__``; a class for its ``__init__``).
    """
    if fn is None:
        return functools.partial(checked_options, renamed=renamed, name=name)
    renamed = dict(renamed or {})
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn
    keywords = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    allowed = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    what = "options"
    if not allowed:
        allowed, what = [n for n, p in params.items() if p.kind in keywords], "arguments"
    name = name or getattr(fn, "__name__", "the function")

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for old, new in renamed.items():
            if old in kwargs:
                if new in kwargs:
                    raise InvalidArgument(f"{old}={_show(kwargs[old])} and {new}={_show(kwargs[new])} are both "
                                          f"given; {old} is the old name of {new}: give {new} only")
                warn(f"{name}({old}=...)", f"{name}({new}=...)")
                kwargs[new] = kwargs.pop(old)
        unknown = [k for k in kwargs if k not in params]
        if unknown:
            k = unknown[0]
            raise InvalidArgument(f"{k}={_show(kwargs[k])} is not an option of {name}; its {what} are "
                                  f"{', '.join(allowed)}")
        return fn(*args, **kwargs)

    return wrapper
