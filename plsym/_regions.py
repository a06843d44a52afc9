"""Rigorous enclosures over one region of a ball: the per-region proofs behind plsym.certify.

A region is a box [lo, hi], or that box cut by the ball being certified (set with
:func:`within`); its center z is a float point of the box and ``rho`` a proved upper
bound of ||w - z|| over the region (the box's half-diagonal, or ||z - c|| + R when the
ball is known, whichever is smaller: the whole ball is then one region of radius R,
not a box of radius R sqrt(m)).

The forms used, all exact statements about real numbers (every number is an ``arb``
enclosure or a float rounded outward). The bounds of a region hold at every point x of
the box with ||x - z|| <= rho, a set that holds the segment from z to any point of the
region, where the mean-value and Taylor points lie.

* mean-value form of a scalar f: f(w) = f(z) + grad f(xi) . (w - z) with xi on the
  segment [z, w], inside the box; with G an enclosure of grad f over the box,
  |f(w) - f(z)| <= min(sum_k |G_k| h_k, || |G| || rho) (:func:`drop`);
* second-order Taylor form: f(w) = f(z) + grad f(z) . d + 1/2 d^T S d with S the Hessian
  at a point of the segment, enclosed over the box (third derivatives of F); the
  quadratic term over ||d|| <= rho by the eigenvalue bounds of S and by the trust-region
  dual bound :func:`trs_lower` (:func:`quadratic_range`);
* the extreme eigenvalue of a symmetric K(w) (the Gram matrix J J^T or J^T J, a Hessian,
  the loss Hessian) in a float eigenbasis Q of K(z): B(w) = Q^T K(w) Q = [[a, b^T], [b, C]]
  with a(w) = q^T K(w) q. For a unit x = (x1, x2),
  x^T B x >= a x1^2 - 2 ||b|| |x1| ||x2|| + lambda_min(C) ||x2||^2, so
  lambda_min(B) >= lambda_min([[a_lo, -beta], [-beta, gamma]]) for a_lo <= a,
  beta >= ||b||, gamma <= lambda_min(C) on the region (the 2 x 2 value is increasing in
  a_lo and gamma and decreasing in beta), and alike for lambda_max. Each entry of B is
  bounded by its forms above (first order exact: the drop of a is |grad a(z)| rho, not
  the Weyl ||K(w) - K(z)||); for the Gram matrix, lambda_min(B) >= a - ||b||^2 / (gamma - a)
  is also bounded as one function of w (:func:`_coupled`). Ostrowski's theorem undoes the
  non-orthogonality of the float Q: lambda_k(Q^T K Q) = theta_k lambda_k(K) with
  |theta_k - 1| <= ||Q^T Q - I||_2.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import itertools
import math

import numpy as np
from flint import arb, arb_mat

from . import interval

_EPS = interval._EPS
_BALL = contextvars.ContextVar("plsym_regions_ball", default=None)


@contextlib.contextmanager
def within(ball):
    """Regions built inside this block are cut by ``ball`` (their radius uses ||z - c|| + R)."""
    token = _BALL.set(ball)
    try:
        yield
    finally:
        _BALL.reset(token)


_MEMO_SIZE = 200_000  # region bounds remembered per system (a float and a point each)


def remembered(P, name: str, lo, hi, compute):
    """``compute()``, the bound ``name`` of the region [lo, hi] (cut by the current ball), computed once
    per system: certifying pl_constant after kernel_min_eig on the same ball proves nothing twice."""
    ball = _BALL.get()
    key = (name, np.asarray(lo, dtype=float).tobytes(), np.asarray(hi, dtype=float).tobytes(),
           None if ball is None else (np.asarray(ball.center, dtype=float).tobytes(), float(ball.radius)))
    memo = P.__dict__.setdefault("_region_memo", {})
    got = memo.get(key)
    if got is None:
        got = compute()
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[key] = got
    return got


def hypot_upper(values) -> float:
    """A float >= sqrt(sum of squares) of the floats ``values``, with a proven rounding bound.

    Each square and each addition of k nonnegative terms rounds with relative error
    <= eps/2, so the float sum is within a factor 1 + (k + 1) eps/2 of the exact one
    (first order); the factor (1 + (k + 2) eps) and an absolute 1e-300 per term
    (underflow) cover it, and the square root is nudged up once more.
    """
    v = np.abs(np.asarray(values, dtype=float)).ravel()
    if not np.all(np.isfinite(v)):
        return math.inf
    k = v.size
    s = float(np.sum(v * v))
    if not math.isfinite(s):
        return math.inf
    return interval.up(math.sqrt(s * (1 + (k + 2) * _EPS) + k * 1e-300))


def radius_from(z, lo, hi) -> float:
    """sup over the box of ||w - z||, rounded up (the half-widths are exact float differences rounded up)."""
    return hypot_upper(half_widths(z, lo, hi))


def half_widths(z, lo, hi) -> np.ndarray:
    """Floats >= max(hi_k - z_k, z_k - lo_k) (a float difference is within eps/2 of the exact one)."""
    return np.array([interval.up(max(b - c, c - a)) for a, b, c in zip(lo, hi, z)])


@dataclasses.dataclass(frozen=True)
class Region:
    """A box [lo, hi] (cut by the ball when one is set), its center z, half-widths h and radius rho."""

    lo: np.ndarray
    hi: np.ndarray
    z: np.ndarray
    h: np.ndarray
    rho: float
    box: list
    point: list


def region(lo, hi) -> Region:
    """The region of the box [lo, hi] (cut by the ball set with :func:`within`, if any).

    Its center is the box's center, or, when a ball is set, the point of the box nearest the
    ball's center when that gives the smaller radius (a box holding half the ball is then a
    region of radius R about the ball's center, not of the box's half-diagonal).
    """
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    ball = _BALL.get()
    centers = [np.minimum(np.maximum(0.5 * (lo + hi), lo), hi)]
    if ball is not None:
        centers.append(np.minimum(np.maximum(np.asarray(ball.center, dtype=float), lo), hi))
    best = None
    for z in centers:
        h = half_widths(z, lo, hi)
        rho = hypot_upper(h)
        if ball is not None:  # every w of the region is in the ball: ||w - z|| <= ||z - c|| + R
            dc = [interval.up(abs(a - b)) for a, b in zip(z, ball.center)]
            rho = min(rho, interval.up(hypot_upper(dc) + float(ball.radius)))
        if best is None or rho < best[2]:
            best = (z, h, rho)
    z, h, rho = best
    return Region(lo, hi, z, h, rho, interval.box_args(lo, hi), interval.point_args(z))


# -- small rigorous pieces -------------------------------------------------------------------

def _abs_upper(x: arb) -> float:
    return interval.upper(abs(x))


def norm_upper_vec(xs) -> float:
    """A float >= ||x|| for every x in the enclosure (a list of arb)."""
    total = arb(0)
    for x in xs:
        total += x * x
    return interval.up(math.sqrt(max(interval.upper(total.nonnegative_part()), 0.0)))


def drop(G, reg: Region) -> float:
    """A float >= |g . (w - z)| for every g in the enclosure G (list of arb) and w in the region."""
    a = [_abs_upper(g) for g in G]
    if not all(math.isfinite(v) for v in a):
        return math.inf
    by_box = arb(0)
    for v, h in zip(a, reg.h):
        by_box += arb(v) * arb(float(h))
    return min(interval.upper(by_box), interval.up(hypot_upper(a) * reg.rho))


def _col(M: arb_mat, k: int) -> list:
    return [M[i, k] for i in range(M.nrows())]


def _qmat(Q: np.ndarray) -> arb_mat:
    return arb_mat(Q.tolist())


def _orth_defect(Q: np.ndarray) -> float:
    """A float >= ||Q^T Q - I||_2 (Frobenius, in ball arithmetic, for the exact float Q)."""
    Qa = _qmat(Q)
    E = Qa.transpose() * Qa
    total = arb(0)
    for i in range(Q.shape[1]):
        for j in range(Q.shape[1]):
            d = E[i, j] - (1 if i == j else 0)
            total += d * d
    return interval.upper(total.nonnegative_part().sqrt())


def _two_by_two(a: float, beta: float, gamma: float, top: bool) -> float:
    """A rigorous float bound of lambda_min([[a, -beta], [-beta, gamma]]) (lower) or of
    lambda_max([[a, beta], [beta, gamma]]) (upper, ``top``)."""
    A, B, C = arb(a), arb(beta), arb(gamma)
    s, d = (A + C) / 2, (C - A) / 2
    r = (d * d + B * B).sqrt()
    if top:
        return interval.upper(s + r)
    best = interval.lower(s - r)
    if interval.lower(s + r) > 0:  # the same number as det / lambda_max, without the cancellation
        best = max(best, interval.lower((A * C - B * B) / (s + r)))
    return best


# -- the Jacobian pieces of one region ---------------------------------------------------------

class Parts:
    """DF at the center, DF and the Hessians over the box, and the perturbation sup ||DF(w) - DF(z)||."""

    def __init__(self, P, reg: Region, *, hessians: bool = True):
        self.P, self.reg = P, reg
        self.Jz = P.jacobian(reg.point)
        self.Jb = P.jacobian(reg.box)
        self.Hb = P.hessians(reg.box) if hessians and P.smooth_reason is None else None
        self._delta = None
        self._second = None

    @property
    def second(self):
        """(Hessians at z, [(i, permutations of (j, k, l), d^3 F_i enclosure over the box)]), or None
        when the third derivatives are not available (the second-order forms are then skipped)."""
        if self._second is None:
            self._second = False
            T = self.P.T if self.Hb is not None else None
            if T is not None:
                where, prog = T
                perms = _perms(self.P, where)
                values = prog(self.reg.box)
                if all(v.is_finite() for v in values):
                    self._second = (self.P.hessians(self.reg.point),
                                    [(w[0], ps, v) for w, ps, v in zip(where, perms, values)])
        return self._second or None

    @property
    def delta(self) -> float:
        """A float >= sup over the region of ||DF(w) - DF(z)||_2: the mean-value form
        rho sqrt(sum_i sup ||H_{F_i}||^2), or the enclosure of DF(box) - DF(z), the smaller."""
        if self._delta is None:
            best = interval.norm_upper(self.Jb - self.Jz)
            if self.Hb is not None:
                hs = [interval.sym_norm_upper(H) for H in self.Hb]
                best = min(best, interval.up(self.reg.rho * hypot_upper(hs)))
            self._delta = best
        return self._delta


def _grad_bilinear(parts: Parts, u: arb_mat, v: arb_mat, gu: arb_mat, gv: arb_mat, rows: bool) -> list:
    """An enclosure over the box of grad (u^T G(w) v), given gu, gv the enclosures of J^T u, J^T v
    (``rows``: G = J J^T) or of J u, J v (G = J^T J).

    rows: u^T J J^T v = gu . gv with grad (J^T u) = sum_i u_i H_i, so the gradient is
    (sum_i u_i H_i) gv + (sum_i v_i H_i) gu; columns: (J u) . (J v) with grad (J u)_i = H_i u,
    so sum_i (gv_i H_i u + gu_i H_i v).
    """
    Hb, n = parts.Hb, parts.P.n
    if rows:
        Mu, Mv = Hb[0] * u[0, 0], Hb[0] * v[0, 0]
        for i in range(1, n):
            Mu, Mv = Mu + Hb[i] * u[i, 0], Mv + Hb[i] * v[i, 0]
        grad = Mu * gv + Mv * gu
    else:
        grad = Hb[0] * (u * gv[0, 0] + v * gu[0, 0])
        for i in range(1, n):
            grad = grad + Hb[i] * (u * gv[i, 0] + v * gu[i, 0])
    return _col(grad, 0)


def _perms(P, where):
    """The distinct permutations of each (j, k, l) of the third-derivative index (cached on P)."""
    got = getattr(P, "_T_perms", None)
    if got is None:
        got = [sorted(set(itertools.permutations(w[1:]))) for w in where]
        P._T_perms = got
    return got


def _combine(Hs, u: arb_mat) -> arb_mat:
    M = Hs[0] * u[0, 0]
    for i in range(1, len(Hs)):
        M = M + Hs[i] * u[i, 0]
    return M


def _taylor2(parts: Parts, u: arb_mat, v: arb_mat, gbu: arb_mat, gbv: arb_mat):
    """(grad B(z), S) for B = u^T DF DF^T v: the gradient at the center (a list of arb) and an
    enclosure S (arb_mat) of the Hessian of B over the box; None without third derivatives.

    Taylor's theorem to second order: B(w) - B(z) = grad B(z) . d + 1/2 d^T S' d, d = w - z,
    S' the Hessian of B at a point of the segment [z, w] (in the box). With g_u = DF^T u and
    M_u = sum_i u_i H_{F_i}: grad B = M_u g_v + M_v g_u and
    S_bc = (M_u M_v + M_v M_u)_bc + sum_{i,a} (u_i g_v,a + v_i g_u,a) d^3 F_i / dw_a dw_b dw_c.
    """
    second = parts.second
    if second is None:
        return None
    Hz, third = second
    P = parts.P
    m = P.m
    gzu, gzv = parts.Jz.transpose() * u, parts.Jz.transpose() * v
    grad = _combine(Hz, u) * gzv + _combine(Hz, v) * gzu
    X = _combine(parts.Hb, u) * _combine(parts.Hb, v)
    coef = [[u[i, 0] * gbv[a, 0] + v[i, 0] * gbu[a, 0] for a in range(m)] for i in range(P.n)]
    acc = [[arb(0)] * m for _ in range(m)]
    for i, perms, t in third:
        ci = coef[i]
        for a, b, c in perms:
            acc[b][c] += t * ci[a]
    return _col(grad, 0), X + X.transpose() + arb_mat(acc)


def quadratic_range(grad, S: arb_mat, reg: Region):
    """Floats (lo, hi) bounding g . d + 1/2 d^T S' d over ||d|| <= rho (and the box) for every g in
    the enclosure ``grad`` and symmetric S' in the enclosure S; None when not finite.

    With S' = mid + E, |E| <= rad entrywise: the eigenvalue bounds of the midpoint, proved
    (interval._exact_eig_bounds) and widened by ||rad||_2 (Weyl), give lambda_min rho^2 / 2;
    the trust-region dual bound of :func:`trs_lower` on the midpoints is sharper, with the
    radii entering as ||rad g|| rho + ||rad S|| rho^2 / 2.
    """
    g_mid, g_rad = interval.split(arb_mat([[x] for x in grad]))
    S_mid, S_rad = interval.split(S)
    if not (np.all(np.isfinite(S_mid)) and np.all(np.isfinite(S_rad))
            and np.all(np.isfinite(g_mid)) and np.all(np.isfinite(g_rad))):
        return None
    sym = 0.5 * (S_mid + S_mid.T)  # the asymmetry goes into the radius, as in interval.eig_bounds
    S_rad = np.vectorize(interval.up)(S_rad + np.abs(S_mid - sym))
    r = interval._radius_norm(S_rad)
    e_lo, e_hi = interval._exact_eig_bounds(sym)
    try:
        s, V = np.linalg.eigh(sym)
    except np.linalg.LinAlgError:
        return None
    lin = drop(grad, reg)
    if not (math.isfinite(lin) and math.isfinite(r) and math.isfinite(e_lo) and math.isfinite(e_hi)):
        return None
    lam_lo, lam_hi = interval.down(e_lo - r), interval.up(e_hi + r)
    r2 = interval.up(reg.rho * reg.rho)
    lo = interval.down(-lin - interval.up(0.5 * max(-lam_lo, 0.0) * r2))
    hi = interval.up(lin + interval.up(0.5 * max(lam_hi, 0.0) * r2))
    extra = interval.up(interval.up(0.5 * interval.up(r * r2)) + interval.up(hypot_upper(g_rad) * reg.rho))
    g0 = g_mid[:, 0]
    lo = max(lo, interval.down(trs_lower(g0, sym, reg.rho, e_lo, (s, V)) - extra))
    hi = min(hi, interval.up(-trs_lower(-g0, -sym, reg.rho, -e_hi, (-s[::-1], V[:, ::-1])) + extra))
    return lo, hi


def trs_lower(g: np.ndarray, S: np.ndarray, rho: float, s_lo: float | None = None, eig=None) -> float:
    """A float <= min over ||d|| <= rho of g . d + 1/2 d^T S d (g, S exact floats, S symmetric;
    ``s_lo`` a proved lower bound of lambda_min(S), computed when not given; ``eig`` the float
    ``numpy.linalg.eigh(S)`` when known).

    Weak duality: for mu >= 0 with A = S + mu I positive definite, the minimum is
    >= min_d g . d + 1/2 d^T A d - 1/2 mu rho^2 = -1/2 g^T A^{-1} g - 1/2 mu rho^2.
    mu is the float root of the secular equation ||A^{-1} g|| = rho, by Newton's method
    from the left (any mu is sound); A's definiteness (s_lo + mu > 0) and the solve are
    proved in ball arithmetic.
    """
    m = g.size
    if s_lo is None:
        s_lo, _ = interval._exact_eig_bounds(S)
    try:
        s, V = eig if eig is not None else np.linalg.eigh(S)
    except np.linalg.LinAlgError:
        return -math.inf
    if not (math.isfinite(s_lo) and np.all(np.isfinite(s)) and np.all(np.isfinite(g))):
        return -math.inf
    c2 = (V.T @ g) ** 2
    scale = max(float(np.max(np.abs(s))), 1e-300)
    mu = max(0.0, -float(s[0]), -s_lo) + max(1e-12 * math.sqrt(float(np.sum(c2))) / rho, 1e-10 * scale, 1e-300)
    with np.errstate(all="ignore"):
        for _ in range(30):
            x = c2 / (s + mu) ** 2
            n = math.sqrt(float(np.sum(x)))
            if not (math.isfinite(n) and n > rho * (1 + 1e-10)):
                break  # at (or past) the root, or an interior minimum
            step = (n / rho - 1) * n * n / float(np.sum(x / (s + mu)))
            if not (math.isfinite(step) and step > 0):
                break
            mu += step
    if not interval.lower(arb(s_lo) + arb(mu)) > 0:
        return -math.inf
    A = arb_mat(S.tolist()) + arb_mat(m, m, [arb(mu) if i == j else arb(0) for i in range(m) for j in range(m)])
    ga = arb_mat([[float(x)] for x in g])
    try:
        x = A.solve(ga)
    except (ZeroDivisionError, ValueError):
        return -math.inf
    value = -(ga.transpose() * x)[0, 0] / 2 - arb(mu) * arb(float(rho)) * arb(float(rho)) / 2
    return interval.lower(value)


def hessians_centered(parts: Parts):
    """Per output, (E, H_i(z), [d H_i / dw_k over the box]): E an enclosure of H_{F_i}(w) on the region
    by the mean-value form of each entry, H_i(z)_jl +- drop(d^3 F_i / dw_j dw_l dw_. over the box);
    None without third derivatives."""
    second = parts.second
    if second is None:
        return None
    Hz, third = second
    m = parts.P.m
    slices = [[arb_mat(m, m) for _ in range(m)] for _ in Hz]  # output -> k -> d H_i / dw_k
    for i, perms, t in third:
        for a, b, c in perms:
            slices[i][c][a, b] = t
    out = []
    for H, G in zip(Hz, slices):
        D = _drops(np.stack([_abs_upper_matrix(Gk) for Gk in G]), parts.reg)
        if D is None:
            return None
        E = arb_mat([[H[j, k] + _between(-float(D[j, k]), float(D[j, k])) for k in range(m)] for j in range(m)])
        out.append((E, H, G))
    return out


def _drops(A: np.ndarray, reg: Region):
    """Floats >= |sum_k g_k d_k| per entry, for |g_k| <= A[k] entrywise and d = w - z on the region:
    min(sum_k A_k h_k, sqrt(sum_k A_k^2) rho); None when not finite.

    Float sums of m nonnegative terms round with relative error <= (m + 2) eps; 1e-300 per
    term covers underflow."""
    if not np.all(np.isfinite(A)):
        return None
    m = A.shape[0]
    grow = 1 + (m + 3) * _EPS
    h = np.asarray(reg.h, dtype=float)
    by_box = np.einsum("k...,k->...", A, h) * grow + m * 1e-300
    by_ball = np.sqrt(np.einsum("k...,k...->...", A, A) * grow + m * 1e-300) * (1 + 2 * _EPS) * reg.rho * (1 + 2 * _EPS)
    D = np.vectorize(interval.up, otypes=[float])(np.minimum(by_box, by_ball))
    return D if np.all(np.isfinite(D)) else None


def sym_norm_centered(Mz: arb_mat, G: list, reg: Region) -> float:
    """A float >= sup over the region of ||M(w)||_2 for a symmetric M with M(z) in the enclosure Mz and
    d M / dw_k in the enclosure G[k] over the box (math.inf when nothing is proved).

    In a float eigenbasis Q of M(z), each entry of B(w) = Q^T M(w) Q is within a mean-value drop
    of B(z) (the gradient of B_ij is (Q^T G_k Q)_ij); the 2 x 2 reduction of the module docstring
    bounds lambda_max(B) and lambda_min(B) with the top and the bottom eigenvector first, and
    Ostrowski (lambda_k(Q^T M Q) = theta_k lambda_k(M), |theta_k - 1| <= e) brings them back to M.
    """
    mid, _ = interval.split(Mz)
    if not np.all(np.isfinite(mid)):
        return math.inf
    _, vecs = np.linalg.eigh(0.5 * (mid + mid.T))
    e = _orth_defect(vecs)
    if not e < 0.5:
        return math.inf
    Qa = _qmat(vecs)
    Qt = Qa.transpose()
    Bz = Qt * Mz * Qa
    D = _drops(np.stack([_abs_upper_matrix(Qt * Gk * Qa) for Gk in G]), reg)
    if D is None:
        return math.inf
    p = vecs.shape[1]
    ends = []
    for k, top in ((p - 1, True), (0, False)):
        order = [k] + [j for j in range(p) if j != k]
        x = Bz[k, k]
        a = interval.up(interval.upper(x) + D[k, k]) if top else interval.down(interval.lower(x) - D[k, k])
        if p == 1:
            ends.append(a)
            continue
        beta = hypot_upper([interval.up(_abs_upper(Bz[i, k]) + D[i, k]) for i in order[1:]])
        C = arb_mat([[Bz[i, j] + _between(-float(D[i, j]), float(D[i, j])) for j in order[1:]] for i in order[1:]])
        c_lo, c_hi = interval.eig_bounds(C)
        gamma = c_hi if top else c_lo
        if not (math.isfinite(a) and math.isfinite(beta) and math.isfinite(gamma)):
            return math.inf
        ends.append(_two_by_two(a, beta, gamma, top))
    lam_hi, lam_lo = ends
    return interval.up(max(lam_hi, -lam_lo, 0.0) / interval.down(1 - e))


def _abs_upper_matrix(M: arb_mat) -> np.ndarray:
    """Floats >= |M'| entrywise for every M' in the enclosure."""
    mid, rad = interval.split(M)
    return np.vectorize(interval.up)(np.abs(mid) + rad)


def loss_hessian_centered(parts: Parts):
    """(E, H_L(z), [d H_L / dw_k over the box]): E an enclosure of H_L(w) = DF^T DF + sum_i r_i H_{F_i}
    on the region by the mean-value form of each entry, H_L(z)_jl +- drop(grad H_L,jl over the box);
    None without third derivatives.

    d_k H_L = sum_i (H_i[:, k] J_i^T + J_i^T H_i[k, :] + J_ik H_i + r_i d_k H_i), J_i the i-th row of DF.
    """
    second = parts.second
    if second is None:
        return None
    Hz, third = second
    P, reg = parts.P, parts.reg
    n, m = P.n, P.m
    Jb, Hb = parts.Jb, parts.Hb
    rb, rz = P.residual(reg.box), P.residual(reg.point)
    HLz = parts.Jz.transpose() * parts.Jz
    for r, H in zip(rz, Hz):
        HLz = HLz + H * r
    slices = [[dict() for _ in range(n)] for _ in range(m)]  # k -> i -> (a, b) -> d^3 F_i / dw_a dw_b dw_k
    for i, perms, t in third:
        for a, b, c in perms:
            slices[c][i][a, b] = t
    A = np.empty((m, m, m))
    Gs = []
    Jt = Jb.transpose()
    for k in range(m):
        Hk = arb_mat(m, n)
        for i in range(n):
            for j in range(m):
                Hk[j, i] = Hb[i][j, k]
        G = Hk * Jb + Jt * Hk.transpose()
        for i in range(n):
            G = G + Hb[i] * Jb[i, k]
        for i in range(n):
            for (a, b), t in slices[k][i].items():
                G[a, b] += rb[i] * t
        A[k] = _abs_upper_matrix(G)
        Gs.append(G)
    D = _drops(A, reg)
    if D is None:
        return None
    E = arb_mat(m, m)
    for j in range(m):
        for k in range(m):
            E[j, k] = HLz[j, k] + _between(-float(D[j, k]), float(D[j, k]))
    return E, HLz, Gs


def _gram(J: arb_mat, rows: bool) -> arb_mat:
    return J * J.transpose() if rows else J.transpose() * J


_FULL = 8  # eigenbasis size up to which every entry of Q^T G Q gets its own mean-value form


def _between(lo: float, hi: float) -> arb:
    """An arb enclosing [lo, hi] (lo <= hi finite floats)."""
    return arb(lo).union(arb(hi))


def gram_extreme(parts: Parts, top: bool) -> float:
    """A float <= inf lambda_min(G(w)) (``top`` False) or >= sup lambda_max(G(w)) (``top`` True)
    over the region, G = DF DF^T when n <= m and DF^T DF otherwise (the same nonzero spectrum).

    The eigenbasis reduction of the module docstring. Each entry of B(w) = Q^T G(w) Q is
    enclosed by the better of its interval over the box and its mean-value form
    B_jk(z) +- drop (grad B_jk = the bilinear gradient of :func:`_grad_bilinear`), and
    Weyl's ||G(w) - G(z)|| <= delta (2 ||DF(z)|| + delta) backs up b and C. -inf / inf
    when nothing is proved.
    """
    P, reg = parts.P, parts.reg
    fail = math.inf if top else -math.inf
    rows = P.n <= P.m
    Gz = _gram(parts.Jz, rows)
    mid, _ = interval.split(Gz)
    if not np.all(np.isfinite(mid)):
        return fail
    _, vecs = np.linalg.eigh(0.5 * (mid + mid.T))
    p = vecs.shape[1]
    k = p - 1 if top else 0
    Q = np.column_stack([vecs[:, k]] + [vecs[:, j] for j in range(p) if j != k])
    e = _orth_defect(Q)
    if not e < 0.5:
        return fail
    Qa = _qmat(Q)
    Jz, Jb = parts.Jz, parts.Jb
    Bz = Qa.transpose() * Gz * Qa
    gb = (Jb.transpose() * Qa) if rows else (Jb * Qa)  # column j: J^T Q_j (rows) or J Q_j
    Bb = gb.transpose() * gb
    full = p <= _FULL
    lo = np.full((p, p), -math.inf)
    hi = np.full((p, p), math.inf)
    grads, taylor = {}, {}  # (i, j) -> gradient enclosure over the box; (grad at z, Hessian enclosure)
    for j in range(p):
        for i in range(j, p) if (full or j == 0) else (j,):
            if i == j:  # a square: >= 0 over the box
                sq = arb(0)
                for x in _col(gb, j):
                    sq += (x * x).nonnegative_part()
                lo[i, j], hi[i, j] = interval.lower(sq), interval.upper(sq)
            else:
                lo[i, j], hi[i, j] = interval.lower(Bb[i, j]), interval.upper(Bb[i, j])
            if parts.Hb is not None:
                grad = _grad_bilinear(parts, _qmat(Q[:, i:i + 1]), _qmat(Q[:, j:j + 1]),
                                      _mat_col(gb, i), _mat_col(gb, j), rows)
                d = drop(grad, reg)
                lo[i, j] = max(lo[i, j], interval.down(interval.lower(Bz[i, j]) - d))
                hi[i, j] = min(hi[i, j], interval.up(interval.upper(Bz[i, j]) + d))
                grads[i, j] = grad
                t2 = _taylor2(parts, _qmat(Q[:, i:i + 1]), _qmat(Q[:, j:j + 1]), _mat_col(gb, i), _mat_col(gb, j)) \
                    if rows else None
                if t2 is not None:
                    taylor[i, j] = t2
                    r = quadratic_range(*t2, reg)
                    if r is not None:
                        lo[i, j] = max(lo[i, j], interval.down(interval.lower(Bz[i, j]) + r[0]))
                        hi[i, j] = min(hi[i, j], interval.up(interval.upper(Bz[i, j]) + r[1]))
            lo[j, i], hi[j, i] = lo[i, j], hi[i, j]
    if not (np.all(lo[:, 0] <= hi[:, 0]) and np.all(np.isfinite(lo[:, 0])) and np.all(np.isfinite(hi[:, 0]))):
        return fail
    a = hi[0, 0] if top else lo[0, 0]
    if p == 1:
        value = a
    else:
        dG = math.inf  # sup ||G(w) - G(z)|| <= delta (||J(w)|| + ||J(z)||) <= delta (2 ||J(z)|| + delta)
        delta = parts.delta
        if math.isfinite(delta):
            dG = interval.up(delta * interval.up(2 * interval.norm_upper(Jz) + delta))
        weyl = interval.up((1 + e) * dG)  # ||Q2^T X q|| and ||Q2^T X Q2|| <= (1 + e) ||X||
        bz = [Bz[i, 0] for i in range(1, p)]
        beta = min(hypot_upper([max(abs(lo[i, 0]), abs(hi[i, 0])) for i in range(1, p)]),
                   interval.up(norm_upper_vec(bz) + weyl))
        Cz = arb_mat([[Bz[i, j] for j in range(1, p)] for i in range(1, p)])
        z_lo, z_hi = interval.eig_bounds(Cz)
        gammas = [interval.up(z_hi + weyl) if top else interval.down(z_lo - weyl)]
        if full and np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(lo <= hi):
            c_lo, c_hi = interval.eig_bounds(arb_mat([[_between(lo[i, j], hi[i, j]) for j in range(1, p)]
                                                      for i in range(1, p)]))
            gammas.append(c_hi if top else c_lo)
            # Q's other columns are in ascending eigenvalue order: peel C from its own extreme end
            gammas.append(_peeled(lo, hi, list(range(p - 1, 0, -1)) if top else list(range(1, p)), top))
        gamma = min(gammas) if top else max(gammas)
        if not (math.isfinite(beta) and math.isfinite(gamma)):
            return fail
        value = _two_by_two(a, beta, gamma, top)
        if not top and all((j, 0) in taylor for j in range(p)) and gamma > hi[0, 0]:
            value = max(value, _coupled(Bz, lo, hi, grads, taylor, gamma, reg))
    # Ostrowski: lambda(G) = lambda(Q^T G Q) / theta with theta in [1 - e, 1 + e]; G is PSD
    if top:
        return interval.up(max(value, 0.0) / interval.down(1 - e)) if math.isfinite(value) else fail
    if not value > 0:
        return fail
    return interval.down(value / interval.up(1 + e))


def _peeled(lo: np.ndarray, hi: np.ndarray, idx: list, top: bool) -> float:
    """A float <= lambda_min (``top``: >= lambda_max) of every symmetric M with lo <= M <= hi entrywise,
    restricted to the indices ``idx``, by the 2 x 2 reduction applied recursively: the first index
    against the rest, whose own extreme eigenvalue is bounded the same way (second order in the
    off-diagonal entries, where Weyl on the radii is first order)."""
    first, rest = idx[0], idx[1:]
    a = hi[first, first] if top else lo[first, first]
    if not rest:
        return float(a)
    beta = hypot_upper([max(abs(lo[i, first]), abs(hi[i, first])) for i in rest])
    gamma = _peeled(lo, hi, rest, top)
    if not (math.isfinite(a) and math.isfinite(beta) and math.isfinite(gamma)):
        return math.inf if top else -math.inf
    return _two_by_two(float(a), beta, gamma, top)


def _coupled(Bz, lo, hi, grads, taylor, gamma, reg) -> float:
    """A float <= lambda_min(B(w)) on the region by psi(w) = a(w) - kappa ||b(w)||^2, kappa = 1 / (gamma - sup a).

    For gamma > a(w): lambda_min([[a, -beta], [-beta, gamma]]) >= a - beta^2 / (gamma - a), so
    lambda_min(B(w)) >= psi(w), and psi is bounded by Taylor's theorem to second order with
    grad psi(z) = grad a(z) - 2 kappa sum_j b_j(z) grad b_j(z) and the Hessian enclosure
    S_a - 2 kappa sum_j (G_j G_j^T + [b_j] S_j) (G_j the gradient enclosure of b_j over the box):
    a and b are then bounded at the same w, not each at its worst.
    """
    p = Bz.nrows()
    kappa = 1 / (arb(gamma) - arb(float(hi[0, 0])))
    if not interval.lower(kappa) > 0:
        return -math.inf
    ga, Sa = taylor[0, 0]
    psi = Bz[0, 0]
    grad = arb_mat([[x] for x in ga])
    S = Sa
    for j in range(1, p):
        gj, Sj = taylor[j, 0]
        bj = Bz[j, 0]
        psi = psi - kappa * bj * bj
        grad = grad - arb_mat([[x] for x in gj]) * (2 * kappa * bj)
        Gj = arb_mat([[x] for x in grads[j, 0]])
        S = S - (Gj * Gj.transpose() + Sj * _between(float(lo[j, 0]), float(hi[j, 0]))) * (2 * kappa)
    r = quadratic_range(_col(grad, 0), S, reg)
    if r is None:
        return -math.inf
    return interval.down(interval.lower(psi) + r[0])


def _mat_col(M: arb_mat, j: int) -> arb_mat:
    return arb_mat([[M[i, j]] for i in range(M.nrows())])


def descent_point(parts: Parts, top: bool):
    """A float point of the box where the Gram's extreme eigenvalue is probably most extreme (an estimate only)."""
    P, reg = parts.P, parts.reg
    if parts.Hb is None:
        return None
    try:
        J = np.array([[float(parts.Jz[i, j].mid()) for j in range(P.m)] for i in range(P.n)])
        H = [np.array([[float(Hi[j, k].mid()) for k in range(P.m)] for j in range(P.m)]) for Hi in parts.Hb]
        G = J @ J.T if P.n <= P.m else J.T @ J
        _, vecs = np.linalg.eigh(G)
        q = vecs[:, -1 if top else 0]
        grad = 2 * sum(qi * Hi for qi, Hi in zip(q, H)) @ (J.T @ q) if P.n <= P.m \
            else 2 * sum(gi * (Hi @ q) for gi, Hi in zip(J @ q, H))
    except (ValueError, OverflowError, np.linalg.LinAlgError):
        return None
    norm = float(np.linalg.norm(grad))
    if not (np.isfinite(norm) and norm > 0):
        return None
    step = (1.0 if top else -1.0) * reg.rho * grad / norm
    return np.minimum(np.maximum(reg.z + step, reg.lo), reg.hi)
