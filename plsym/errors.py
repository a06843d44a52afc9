"""The one exception plsym raises on bad input, and the checks that raise it.

Every message names the argument, the value it was given and what is allowed,
in the style ``"radius=-1.0 must be a positive finite number"``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["InvalidArgument", "as_real_array", "as_rng", "one_of", "positive_finite", "positive_int", "seed_of"]


class InvalidArgument(ValueError):
    """An argument to a plsym function has a value that is not allowed."""


def _show(value, limit: int = 60) -> str:
    """A short repr of ``value`` for an error message."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def as_real_array(name: str, value, *, ndim=None, shape=None, finite: bool = True) -> np.ndarray:
    """``value`` as a float64 array, or InvalidArgument naming ``name``.

    ``ndim`` may be an int or a tuple of allowed ranks; ``shape`` a tuple whose
    ``None`` entries are free.
    """
    if isinstance(value, (str, bytes)):
        raise InvalidArgument(f"{name}={_show(value)} must be an array of real numbers, not a string")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"{name}={_show(value)} must be an array of real numbers ({exc})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise InvalidArgument(
                f"{name} has shape {arr.shape}; it must have {' or '.join(map(str, allowed))} dimension(s)"
            )
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("k" if s is None else str(s) for s in shape) + ")"
            raise InvalidArgument(f"{name} has shape {arr.shape}; the shape allowed is {want}")
    if finite and not np.isfinite(arr).all():
        bad = arr[~np.isfinite(arr)].ravel()[0]
        raise InvalidArgument(f"{name} contains {bad}; all entries must be finite real numbers")
    return arr


def positive_finite(name: str, value) -> float:
    """``value`` as a positive finite float, or InvalidArgument."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidArgument(f"{name}={_show(value)} must be a positive finite number")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise InvalidArgument(f"{name}={value!r} must be a positive finite number")
    return value


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``, or InvalidArgument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidArgument(f"{name}={_show(value)} must be an integer >= {minimum}")
    if value < minimum:
        raise InvalidArgument(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)


def one_of(name: str, value, allowed) -> str:
    """``value`` if it is one of ``allowed``, else InvalidArgument listing them."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidArgument(f"{name}={_show(value)} is not allowed; choose one of {', '.join(map(repr, allowed))}")
    return value


def as_rng(rng) -> tuple[np.random.Generator, object]:
    """A numpy Generator from ``rng`` (an int seed or a Generator), and the seed to record.

    The recorded seed is the int when one was given, else ``None`` (a Generator's
    state is the caller's to record).
    """
    if isinstance(rng, np.random.Generator):
        return rng, None
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng)), int(rng)
    raise InvalidArgument(f"rng={_show(rng)} must be a non-negative int seed or a numpy.random.Generator")


def seed_of(rng) -> int:
    """The int seed of ``rng``: the int itself, or one drawn from a Generator (so that it can be recorded)."""
    gen, seed = as_rng(rng)
    return int(gen.integers(2**32)) if seed is None else seed
