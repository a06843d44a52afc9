"""Systems given by the user's own numeric code, with finite differences where derivatives are missing."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument, _show, positive_int
from ..system import System

__all__ = ["CallableSystem", "from_callable"]

_EPS = np.finfo(np.float64).eps


class CallableSystem(System):
    """A system whose F (and optionally DF, H_F) are Python callables.

    Missing derivatives come from central differences; ``derivatives`` records
    ``"finite-difference"`` for them, and every result computed from them says so.
    """

    def __init__(self, F, *, m, n, y, jacobian=None, hessians=None, batched=False, name=None, w0=None):
        for label, fn in (("F", F), ("jacobian", jacobian), ("hessians", hessians)):
            if fn is not None and not callable(fn):
                raise InvalidArgument(f"{label}={_show(fn)} must be callable or None")
        if F is None:
            raise InvalidArgument("F=None must be a callable w -> F(w)")
        m = positive_int("m", m)
        n = positive_int("n", n)
        self._setup(m=m, n=n, y=y, w0=w0, name=name or getattr(F, "__name__", "callable"))
        self._user = {"F": F, "jacobian": jacobian, "hessians": hessians}
        self.batched = bool(batched)
        self.derivatives = {
            "jacobian": "exact" if jacobian is not None else "finite-difference",
            "hessians": "exact" if hessians is not None else "finite-difference",
        }

    @property
    def params(self):
        raise InvalidArgument(f"system {self.name!r} was built from a callable; it has no symbolic parameters")

    @property
    def outputs(self):
        raise InvalidArgument(f"system {self.name!r} was built from a callable; it has no symbolic outputs")

    def _call_user(self, key, W, shape):
        """Apply a user callable to a batch, checking the shape of what it returns."""
        fn = self._user[key]
        if self.batched:
            out = np.asarray(fn(W), dtype=np.float64)
        else:
            # The user's code takes one point: a loop over points is unavoidable here.
            out = np.asarray([np.asarray(fn(w), dtype=np.float64) for w in W])
        want = (W.shape[0],) + shape
        if out.shape != want:
            if out.size == np.prod(want):
                out = out.reshape(want)
            else:
                per = "a batch" if self.batched else "one point"
                raise InvalidArgument(
                    f"{key} returned shape {out.shape[1:] if not self.batched else out.shape} for {per}; "
                    f"expected {shape if not self.batched else want}"
                )
        return out

    def _F(self, W):
        return self._call_user("F", W, (self.n,))

    def _jacobian(self, W):
        if self._user["jacobian"] is not None:
            return self._call_user("jacobian", W, (self.n, self.m))
        return _central_difference(self._F, W)

    def _hessians(self, W):
        if self._user["hessians"] is not None:
            return self._call_user("hessians", W, (self.n, self.m, self.m))
        if self._user["jacobian"] is not None:
            # d/dw_k of the exact Jacobian, symmetrized: (k, m_k, n, m_j) -> (k, n, m, m)
            H = _central_difference(self._jacobian, W)
            return 0.5 * (H + np.swapaxes(H, -1, -2))
        return _second_difference(self._F, W)


def _steps(W, power):
    return _EPS**power * np.maximum(1.0, np.abs(W))


def _central_difference(fn, W):
    """d fn / d w by central differences, batched over points and directions: (k, ..., m)."""
    k, m = W.shape
    h = _steps(W, 1.0 / 3.0)
    E = np.eye(m)
    plus = (W[:, None, :] + h[:, :, None] * E).reshape(k * m, m)
    minus = (W[:, None, :] - h[:, :, None] * E).reshape(k * m, m)
    diff = (fn(plus) - fn(minus)).reshape((k, m) + fn(W[:1]).shape[1:])
    diff = diff / (2.0 * h).reshape((k, m) + (1,) * (diff.ndim - 2))
    return np.moveaxis(diff, 1, -1)


def _second_difference(fn, W):
    """Per-output Hessians by the four-point second difference of F: (k, n, m, m)."""
    k, m = W.shape
    h = _steps(W, 0.25)
    E = np.eye(m)
    dj = h[:, :, None] * E  # (k, m, m): row j is h_j e_j
    a = dj[:, :, None, :]
    b = dj[:, None, :, :]
    base = W[:, None, None, :]
    pts = np.stack([base + a + b, base + a - b, base - a + b, base - a - b], axis=0)
    vals = fn(pts.reshape(-1, m)).reshape(4, k, m, m, -1)
    H = (vals[0] - vals[1] - vals[2] + vals[3]) / (4.0 * h[:, :, None, None] * h[:, None, :, None])
    return np.moveaxis(H, -1, 1)


def from_callable(F, *, m, n, y, jacobian=None, hessians=None, batched=False, name=None, w0=None):
    """A system from the user's own numeric functions.

    Parameters
    ----------
    F : callable
        ``F(w)`` with w of shape (m,) returning shape (n,); with ``batched=True``
        it takes (k, m) and returns (k, n) (faster: no loop over points).
    m, n : int
        Number of parameters and outputs.
    y : array_like, shape (n,)
    jacobian, hessians : callable, optional
        Exact DF (n, m) and per-output Hessians (n, m, m), same batching as F.
        When missing they come from central differences, and ``derivatives``
        says ``"finite-difference"``.
    batched : bool
    name : str, optional
    w0 : array_like, shape (m,), optional

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.systems import from_callable
    >>> s = from_callable(lambda w: np.array([w[0] * w[1]]), m=2, n=1, y=[1.0])
    >>> s.derivatives["jacobian"]
    'finite-difference'
    >>> np.round(s.jacobian([3.0, 1.0]), 6)
    array([[1., 3.]])
    """
    return CallableSystem(F, m=m, n=n, y=y, jacobian=jacobian, hessians=hessians, batched=batched, name=name, w0=w0)
