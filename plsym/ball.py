"""The closed Euclidean ball B(w0, R) = {w : ||w - w0|| <= R} of the paper's theorems."""

from __future__ import annotations

import itertools
import math

import numpy as np

from .errors import InvalidArgument, as_real_array, as_rng, one_of, positive_finite, positive_int

__all__ = ["Ball", "MAX_COORDINATE", "scaled_norm"]

# |center_j| + radius must stay below this: squared distances, outputs and their
# derivatives at points of the ball then stay far from float64 overflow (1.8e308)
# for the polynomial-size systems plsym handles; beyond it no float computation on
# the ball can be trusted, so such balls are refused.
MAX_COORDINATE = 1e150

_EPS = np.finfo(float).eps
_TINY = 1e-300  # absolute slack for underflow in the scaled sums of squares below
# Passes over the rows of a large (k, m) array take blocks of about this many floats, so that the
# successive passes over a row (drawing, norm, scaling, projection) find it in cache.
_BLOCK_FLOATS = 2**17
# How far along its segment project() moves a point that a margin of 3 (m + 4) eps R does not prove
# inside (a coarse center): these fractions of the way from the center, in turn, down to the center.
_FRACTIONS = tuple(1 - 2.0**-k for k in range(44, 0, -4)) + (0.25, 0.0)


def _fixed(x: float) -> int:
    """The float ``x`` as an exact integer multiple of 2^-1074 (every finite double is one)."""
    n, d = x.as_integer_ratio()
    return n * ((1 << 1074) // d)


def scaled_norm(D, axis=-1, keepdims=False):
    """Euclidean norms along ``axis`` without overflow or underflow (scaled by the largest entry)."""
    D = np.asarray(D, dtype=float)
    with np.errstate(over="ignore", under="ignore"):
        n = np.linalg.norm(D, axis=axis, keepdims=True)
    if np.all((n < 1e150) & ((n > 1e-150) | (n == 0))):  # no overflow or underflow could have occurred
        if n.size and np.all(n > 0) or not np.any(D):
            return n if keepdims else np.squeeze(n, axis=axis)
    s = np.max(np.abs(D), axis=axis, keepdims=True)
    safe = np.where((s > 0) & np.isfinite(s), s, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        n = s * np.sqrt(np.sum((D / safe) ** 2, axis=axis, keepdims=True))
    n = np.where(np.isfinite(s), n, np.inf)
    return n if keepdims else np.squeeze(n, axis=axis)


def _offset_norms(W, center=None):
    """``scaled_norm(W - center, axis=1)`` (of W when center is None) for W (k, m), the same numbers
    (np.linalg.norm's sum of squares, in a scratch block of rows: no (k, m) temporaries, whose fresh
    pages cost more than the sums), and the whole array when scaling is needed."""
    k, m = W.shape
    n = np.empty(k)
    block = max(1, _BLOCK_FLOATS // max(1, m))
    scratch = np.empty((min(block, k), m))
    with np.errstate(over="ignore", under="ignore"):
        for i in range(0, k, block):
            rows = W[i:i + block]
            part = scratch[:len(rows)]
            if center is None:
                np.multiply(rows, rows, out=part)
            else:
                np.subtract(rows, center, out=part)
                part *= part
            np.add.reduce(part, axis=1, out=n[i:i + block])
        np.sqrt(n, out=n)
    if k and np.all((n < 1e150) & (n > 1e-150)):  # as scaled_norm's plain case
        return n
    return scaled_norm(W if center is None else W - center, axis=1)


class Ball:
    """The closed ball B(center, radius) in R^m.

    Parameters
    ----------
    center : array_like, shape (m,)
        The center ``w0``; finite.
    radius : float
        The radius ``R`` > 0, finite, with ``|center_j| + R <= MAX_COORDINATE``
        (1e150) for every j.

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
        radius = positive_finite("radius", radius)
        if radius > MAX_COORDINATE:
            raise InvalidArgument(f"radius={radius!r} is too large: |center_j| + radius must be at most "
                                  f"{MAX_COORDINATE:g}, beyond which float64 computations on the ball overflow")
        far = np.abs(center) + radius
        if not np.all(far <= MAX_COORDINATE):
            j = int(np.argmax(far))
            raise InvalidArgument(f"center[{j}]={float(center[j])!r} with radius={radius!r} is too large: |center_j| + "
                                  f"radius must be at most {MAX_COORDINATE:g}, beyond which float64 computations "
                                  "on the ball overflow")
        self.center = center
        self.radius = radius
        # work in units of 2**_shift ~ R, an exact scaling, so R^2 neither overflows nor underflows
        self._shift = math.frexp(radius)[1]
        self._r2 = math.ldexp(radius, -self._shift) ** 2  # in [1/4, 1), rounded

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

    def _points(self, w):
        W = as_real_array("w", w, ndim=(1, 2))
        if W.shape[-1] != self.m:
            raise InvalidArgument(f"w has shape {W.shape}; it must be (m,) or (k, m) with m={self.m}")
        return W

    def _sorted(self, W):
        """Per point: +1 surely outside, -1 surely inside, 0 undecided by the float test.

        The test computes sum_j ((w_j - c_j) / 2^shift)^2 in floats; every operation
        rounds with relative error <= eps/2 (scaling by a power of 2 is exact, a
        difference that underflows is exact), so the exact sum lies within a factor
        (1 +- gamma) of the float one, up to _TINY per term for underflow.
        """
        return self._side(self._scaled_offsets(W)[1])

    def _scaled_offsets(self, W):
        """(D, s): the offsets D = (W - center) / 2^shift (exactly scaled) and their squared norms s."""
        with np.errstate(over="ignore", invalid="ignore"):
            D = W - self.center
            if abs(self._shift) < 1000:
                D *= math.ldexp(1.0, -self._shift)  # a power of 2: exact, as ldexp
            else:
                np.ldexp(D, -self._shift, out=D)
            return D, np.einsum("...j,...j->...", D, D)

    def _side(self, s):
        """The float test of :meth:`_sorted` on the squared scaled norms s."""
        gamma = (self.m + 4) * _EPS
        out = np.zeros(s.shape, dtype=int)
        out[self._proven_inside(s)] = -1
        out[(s * (1 - gamma) - self.m * _TINY > self._r2 * (1 + gamma)) | ~np.isfinite(s)] = 1
        return out

    def _proven_inside(self, s):
        """Where the float test of :meth:`_sorted` proves points inside (its -1), from squared scaled norms s."""
        gamma = (self.m + 4) * _EPS  # twice the first-order bound (m + 3) eps / 2
        return s * (1 + gamma) + self.m * _TINY < self._r2 * (1 - gamma)

    def _exact_inside(self, w) -> bool:
        """||w - c|| <= R in exact arithmetic of the float coordinates (integers in units of 2^-1074)."""
        total = 0
        for a, b in zip(w, self.center):
            diff = _fixed(float(a)) - _fixed(float(b))
            total += diff * diff
        r = _fixed(self.radius)
        return total <= r * r

    def exactly_contains(self, w):
        """Whether ``||w - center|| <= radius`` holds exactly for the float coordinates of ``w``.

        Decided in floats with a proven rounding margin, and in exact rational
        arithmetic (``fractions.Fraction``) when the margin cannot decide; for one
        point (m,) a bool, for a batch (k, m) a bool array.
        """
        W = self._points(w)
        single = W.ndim == 1
        W2 = W[None, :] if single else W
        side = self._sorted(W2)
        result = side < 0
        for i in np.flatnonzero(side == 0):
            result[i] = self._exact_inside(W2[i])
        return bool(result[0]) if single else result

    def contains(self, w):
        """Whether ``||w - center|| <= radius`` up to the rounding of this check, for one point or a batch (k, m).

        The only slack is the rounding of computing the norm, (m + 4) eps R in
        relative terms; :meth:`exactly_contains` has none.
        """
        W = self._points(w)
        d = scaled_norm(W - self.center)
        return d <= self.radius * (1 + (self.m + 4) * _EPS)

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
            Every point exactly inside the closed ball (see :meth:`project`).
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
        block = max(1, _BLOCK_FLOATS // self.m)
        for start in range(0, k, rows):
            b = min(rows, k - start)
            u = np.empty((b, self.m))
            for i in range(0, b, block):  # the normals of one (b, m) draw, a block of rows at a time
                gen.standard_normal(out=u[i:i + block])
            f = self.radius / _offset_norms(u)[:, None]
            if where == "interior":
                f *= gen.random((b, 1)) ** (1.0 / self.m)
            else:  # on the sphere up to the margin that project() would take off to prove it inside
                f *= 1.0 - 3.0 * (self.m + 4) * _EPS
            for i in range(0, b, block):
                part = u[i:i + block]
                part *= f[i:i + block]
                part += self.center
                self._project(part, fresh=True)  # in place: exactly inside, despite rounding
            yield u

    def design(self, samples, *, rng, rows=None):
        """The sampling design of every sampled check: the center, uniform points, a quarter on the sphere.

        ``samples`` points besides the center: ``samples // 4`` (at least one) on
        the sphere, where the extremes of most quantities lie, and the rest uniform
        in the ball; the center comes first. With ``rows`` the points come in
        chunks of at most ``rows`` (an iterator, so that a large design is never
        held at once); without, as one array of shape (samples + 1, m).

        Parameters
        ----------
        samples : int
            Points besides the center (>= 2).
        rng : int or numpy.random.Generator
            Seed or generator; the same seed gives the same points.
        rows : int, optional

        Returns
        -------
        ndarray, shape (samples + 1, m), or an iterator of chunks when ``rows`` is given
            Every point exactly inside the closed ball.
        """
        samples = positive_int("samples", samples, minimum=2)
        gen, _ = as_rng(rng)
        n_sphere = max(1, samples // 4)
        if rows is None:
            return np.vstack([self.center[None, :], self.sample(samples - n_sphere, rng=gen),
                              self.sample(n_sphere, rng=gen, where="sphere")])
        rows = positive_int("rows", rows)
        if samples + 1 <= rows:  # one chunk: exactly the points of the array form
            return iter([self.design(samples, rng=gen)])
        return itertools.chain([self.center[None, :]], self.sample_chunks(samples - n_sphere, rng=gen, rows=rows),
                               self.sample_chunks(n_sphere, rng=gen, where="sphere", rows=rows))

    def project(self, w):
        """The nearest point of the ball to each point of ``w`` (shape (m,) or (k, m)).

        Every returned point lies exactly inside the closed ball (checked as in
        :meth:`exactly_contains`). Points the float test proves inside are returned
        as they are; the others (outside, or on the sphere up to rounding) go to the
        sphere and then a relative 3 (m + 4) eps R towards the center, where the test
        proves them inside, or, when the center's own rounding is coarser than that,
        further along their segment, down to the center itself.
        """
        return self._project(self._points(w))

    def _project(self, W, *, fresh=False):
        """:meth:`project` of a float array (m,) or (k, m), unchecked; with ``fresh`` (W is the
        caller's to give away), W itself, projected in place. Rows go in blocks of about
        ``_BLOCK_FLOATS`` floats, so that the passes over a block (offsets, norms, the moves and
        their tests) find it in cache, and no temporary is as large as W."""
        single = W.ndim == 1
        W2 = W[None, :] if single else W
        P = W2 if fresh else W2.copy()
        block = max(1, _BLOCK_FLOATS // max(1, self.m))
        for lo in range(0, len(P), block):
            self._project_rows(P[lo:lo + block])
        return P[0] if single else P

    def _project_rows(self, B):
        """:meth:`_project` of the rows of the float array B (b, m), in place."""
        D, s = self._scaled_offsets(B)  # in units of 2^shift, where the radius is sqrt(_r2)
        todo = np.flatnonzero(~self._proven_inside(s))
        if not todo.size:
            return
        d = D if len(todo) == len(D) else D[todo]
        with np.errstate(over="ignore", invalid="ignore"):
            norm = np.sqrt(s[todo])
        odd = ~((norm > 1e-150) & (norm < 1e150))  # squares that under- or overflowed: rescaled norms
        if odd.any():
            norm[odd] = scaled_norm(d[odd])
        r = math.sqrt(self._r2)  # the radius in these units, up to rounding that the test below absorbs
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scale = np.where(norm > r, r / np.where(norm > 0, norm, 1.0), 1.0)
        if abs(self._shift) < 1000:
            scale *= math.ldexp(1.0, self._shift)  # back to the original units, exactly (a power of 2)
        else:  # radii beyond 2^+-1000, where 2^shift is no float: the offsets are scaled back instead
            d = np.ldexp(d, self._shift)
        # move in until the float test proves the point inside: first by a relative margin above the
        # test's, then, when the center's ulp is coarse against R, by growing fractions (the center
        # itself, t = 0, is exactly inside)
        gamma = (self.m + 4) * _EPS
        rest = np.arange(len(todo))
        for f in (1 - 3 * gamma, *_FRACTIONS):
            Q = d[rest] if len(rest) < len(todo) else d
            Q = Q * (scale[rest] * f)[:, None]
            Q += self.center
            fine = self._proven_inside(self._scaled_offsets(Q)[1])
            B[todo[rest[fine]]] = Q[fine]
            rest = rest[~fine]
            if not rest.size:
                break

    def strictly_contains(self, w):
        """Whether ``||w - center|| <= radius`` as computed in floats (no slack)."""
        return self._strictly_contains(self._points(w))

    def _strictly_contains(self, W):
        """:meth:`strictly_contains` of a float array (m,) or (k, m), unchecked."""
        if W.ndim == 2 and W.flags.c_contiguous:  # rows summed as np.linalg.norm sums them
            return _offset_norms(W, self.center) <= self.radius
        return scaled_norm(W - self.center) <= self.radius
