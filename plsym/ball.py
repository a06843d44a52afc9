"""The closed Euclidean ball B(w0, R) = {w : ||w - w0|| <= R} of the paper's theorems."""

from __future__ import annotations

import numpy as np

from .errors import InvalidArgument, as_real_array, as_rng, one_of, positive_finite, positive_int

__all__ = ["Ball"]

# Points computed as center + offset carry rounding of order eps * (|center| + R);
# membership allows that much so that a sampled boundary point counts as inside.
_RTOL = 1e-12


class Ball:
    """The closed ball B(center, radius) in R^m.

    Parameters
    ----------
    center : array_like, shape (m,)
        The center ``w0``; finite.
    radius : float
        The radius ``R`` > 0, finite.

    Examples
    --------
    >>> import plsym
    >>> b = plsym.Ball([3.0, 1.0], 0.5)
    >>> bool(b.contains([3.2, 1.1]))
    True
    >>> b.sample(4, rng=0).shape
    (4, 2)
    """

    def __init__(self, center, radius):
        center = as_real_array("center", center, ndim=1)
        if center.size == 0:
            raise InvalidArgument("center=[] is empty; a ball needs a center with at least one coordinate")
        center.setflags(write=False)
        self.center = center
        self.radius = positive_finite("radius", radius)

    @property
    def m(self) -> int:
        """The dimension of the space."""
        return self.center.shape[0]

    def __repr__(self):
        return f"Ball(center={self.center.tolist()!r}, radius={self.radius!r})"

    def __eq__(self, other):
        return isinstance(other, Ball) and self.radius == other.radius and np.array_equal(self.center, other.center)

    def __hash__(self):
        return hash((self.center.tobytes(), self.radius))

    def contains(self, w):
        """Whether ``||w - center|| <= radius`` (up to rounding), for one point or a batch (k, m)."""
        W = as_real_array("w", w, ndim=(1, 2))
        if W.shape[-1] != self.m:
            raise InvalidArgument(f"w has shape {W.shape}; it must be (m,) or (k, m) with m={self.m}")
        slack = _RTOL * (self.radius + np.linalg.norm(self.center))
        return np.linalg.norm(W - self.center, axis=-1) <= self.radius + slack

    def sample(self, k, *, rng, where="interior"):
        """k points uniform in the ball (``where="interior"``) or on its sphere (``"sphere"``).

        Parameters
        ----------
        k : int
            Number of points.
        rng : int or numpy.random.Generator
            Seed or generator; the same seed gives the same points.
        where : {"interior", "sphere"}

        Returns
        -------
        ndarray, shape (k, m)
        """
        k = positive_int("k", k)
        return np.concatenate(list(self.sample_chunks(k, rng=rng, where=where, rows=k)))

    def sample_chunks(self, k, *, rng, where="interior", rows):
        """The k points of :meth:`sample` in chunks of at most ``rows`` points, so that a large
        sample is never held at once.

        With ``rows >= k`` the single chunk is exactly ``sample(k, rng=rng, where=where)``; with
        fewer rows the points are drawn chunk after chunk from the same generator (the same
        distribution, other draws).

        Yields
        ------
        ndarray, shape (rows or fewer, m)
        """
        k = positive_int("k", k)
        rows = positive_int("rows", rows)
        where = one_of("where", where, ("interior", "sphere"))
        gen, _ = as_rng(rng)
        for start in range(0, k, rows):
            b = min(rows, k - start)
            u = gen.standard_normal((b, self.m))
            u /= np.linalg.norm(u, axis=1, keepdims=True)
            if where == "interior":
                u *= gen.random((b, 1)) ** (1.0 / self.m)
            yield self.project(self.center + self.radius * u)  # exactly inside, despite rounding

    def project(self, w):
        """The nearest point of the ball to each point of ``w`` (shape (m,) or (k, m))."""
        W = as_real_array("w", w, ndim=(1, 2))
        d = W - self.center
        norm = np.linalg.norm(d, axis=-1, keepdims=True)
        scale = np.minimum(1.0, self.radius / np.maximum(norm, np.finfo(float).tiny))
        P = self.center + d * scale
        # rounding can leave a projected point a hair outside: pull those in until exactly inside
        for _ in range(60):
            out = np.linalg.norm(P - self.center, axis=-1, keepdims=True) > self.radius
            if not out.any():
                break
            scale = np.where(out, scale * (1 - 2 * np.finfo(float).eps) - np.finfo(float).tiny, scale)
            P = self.center + d * scale
        return P

    def strictly_contains(self, w):
        """Whether ``||w - center|| <= radius`` exactly as computed in floats (no slack)."""
        W = as_real_array("w", w, ndim=(1, 2))
        return np.linalg.norm(W - self.center, axis=-1) <= self.radius

