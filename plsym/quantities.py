"""The paper's quantities, once: what each is, its value and gradient on a batch, its certifier and bound.

=================  ======  ====================================  ==========
name               kind    quantity at w                          paper
=================  ======  ====================================  ==========
kernel_min_eig     inf     lambda_min(K(w))                       D3, T4
pl_constant        inf     1/2 ||grad L(w)||^2 / L(w), L > 0      D1
hessian_norm       sup     max_i ||H_{F_i}(w)||_2                 T10
lipschitz          sup     ||DF(w)||_2  (L_F)                     D5
smoothness         sup     ||H_L(w)||_2 (beta)                    D5, C8
residual_norm      sup     ||F(w) - y||                           T14
=================  ======  ====================================  ==========

:data:`QUANTITIES` maps each name to its :class:`Quantity` class; the
estimators (:mod:`plsym.estimate`), the provers (:mod:`plsym.certify`), the
closed-form bounds (:mod:`plsym.bounds`), the counterexample search
(:mod:`plsym.search`), spec files (:mod:`plsym.spec`) and the theorem checks
all read it, so adding a quantity is one class here (and its box bound in
certify). A claim on a quantity over a ball is a :class:`QuantityClaim`:
``lambda_min(K) >= mu`` is ``QuantityClaim("kernel_min_eig", mu)``, a lower
bound on an infimum; ``||H_F|| <= eps`` an upper bound on a supremum.

References
----------
docs/theory.md §1 (symbols), D1, D3, D5, T4, T10, T14, C8.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .ball import scaled_norm
from .errors import InvalidArgument, _show
from .results import Claim, relation_of
from .system import System, eigvalsh

__all__ = ["QUANTITIES", "HessianNorm", "KernelMinEig", "Lipschitz", "PLConstant", "Quantity", "QuantityClaim",
           "ResidualNorm", "Smoothness", "get", "pl_ratio"]

# Step of the central difference of Hessian-vector products along a unit eigenvector (relative
# to the largest |w_j|): truncation O(h^2), rounding O(eps / h), both about 1e-8 relative.
_HVP_STEP = 1e-4


def pl_ratio(system, W, *, where_solved=np.nan):
    """The PL* ratio 1/2 ||grad L(w)||^2 / L(w) at the points W (k, m) (docs/theory.md D1, the 1/2 form).

    ``where_solved`` is the value at points with L(w) = 0, where the ratio says
    nothing: nan (the default) for estimates, +inf for a minimum over points.
    """
    r = system._F(W) - system.y
    # the ratio is ||J^T r||^2 / ||r||^2, the same for r / max|r_i|: scaled, neither ||r||^2 nor ||J^T r||^2
    # overflows or underflows where the ratio itself is a float
    scale = np.max(np.abs(r), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        u = r / np.where(scale > 0, scale, 1.0)
    g_norm, u_norm = scaled_norm(system._vjp(W, u)), scaled_norm(u)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(u_norm > 0, (g_norm / np.where(u_norm > 0, u_norm, 1.0)) ** 2, where_solved)


def _ratio(g, loss, where_solved):
    """1/2 ||g||^2 / loss per point, ``where_solved`` where loss = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(loss > 0, 0.5 * np.sum(g * g, axis=-1) / np.where(loss > 0, loss, 1.0), where_solved)


def _eigh_extreme(K, which):
    if not np.all(np.isfinite(K)):
        return np.full(K.shape[0], np.nan), np.zeros(K.shape[:2])
    vals, vecs = np.linalg.eigh(K)
    j = 0 if which == "min" else -1
    return vals[:, j], vecs[:, :, j]


class Quantity:
    """A quantity of the paper at the points of a batch, with its exact gradient where it has one.

    ``Quantity(system)`` evaluates it on that system. Class attributes say what it
    is: ``name`` (as in plsym's API and spec files), ``symbol`` (as in the paper),
    ``kind`` ("inf" or "sup": which extremum over a ball the theory needs),
    ``reference`` (ids in docs/theory.md), ``derivatives`` (what it needs of
    the system: "jacobian" or "hessians").
    """

    name = ""
    symbol = ""
    kind = "inf"
    reference = ""
    derivatives = "jacobian"

    def __init__(self, system: System):
        self.system = system

    def values(self, W):
        raise NotImplementedError

    def value_and_grad(self, W):
        """(values, gradients) or None when only values are available."""
        return None

    def screen(self, W):
        """Cheaper values that rank many points, or None (rank by :meth:`values`).

        Never reported: the caller keeps the best-ranked points and evaluates them with
        :meth:`values`. An iterative quantity gives what fewer iterations give, on the side
        its values err: a Lanczos norm, a lower bound.
        """
        return None

    def has_gradient(self):
        """Whether :meth:`value_and_grad` gives gradients (second derivatives exact and defined)."""
        s = self.system
        return (type(self).value_and_grad is not Quantity.value_and_grad and s._non_smooth_reason is None
                and s.derivatives.get("hessians") == "exact")


class KernelMinEig(Quantity):
    name, symbol, kind, reference = "kernel_min_eig", "lambda_min(K(w))", "inf", "D3, T4"
    which = "min"

    def values(self, W):
        K = self.system._kernel(W)
        return eigvalsh(K)[:, 0 if self.which == "min" else -1]

    def value_and_grad(self, W):
        s = self.system
        if s._non_smooth_reason is not None or s.derivatives.get("hessians") != "exact":
            return None
        lam, v = _eigh_extreme(s._kernel(W), self.which)
        # d lambda / dw = v^T dK v, the gradient of the quadratic form at the fixed eigenvector v
        return lam, s._kernel_form_grad(W, v)


class Lipschitz(KernelMinEig):
    name, symbol, kind, reference = "lipschitz", "||DF(w)||_2 (L_F)", "sup", "D5"
    which = "max"

    def values(self, W):
        return np.sqrt(np.maximum(super().values(W), 0.0))

    def value_and_grad(self, W):
        got = super().value_and_grad(W)
        if got is None:
            return None
        lam, grad = got
        root = np.sqrt(np.maximum(lam, 0.0))
        return root, grad / (2.0 * np.maximum(root, np.finfo(float).tiny))[:, None]


class PLConstant(Quantity):
    name, symbol, kind, reference = "pl_constant", "1/2 ||grad L(w)||^2 / L(w)", "inf", "D1"

    def values(self, W):
        return pl_ratio(self.system, W)

    def value_and_grad(self, W):
        s = self.system
        if s._non_smooth_reason is not None or s.derivatives.get("hessians") != "exact":
            return None
        r = s._F(W) - s.y
        g = s._vjp(W, r)
        loss = 0.5 * np.sum(r * r, axis=1)
        Hg = s._loss_hvp(W, g)
        ratio = _ratio(g, loss, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            # d/dw (1/2 |g|^2 / L) = (H_L g - ratio * g) / L
            grad = (Hg - ratio[:, None] * g) / loss[:, None]
        return ratio, grad


class ResidualNorm(Quantity):
    name, symbol, kind, reference = "residual_norm", "||F(w) - y||", "sup", "T14"

    def values(self, W):
        return scaled_norm(self.system._F(W) - self.system.y, axis=1)

    def value_and_grad(self, W):
        s = self.system
        r = s._F(W) - s.y
        norm = scaled_norm(r, axis=1)
        grad = s._vjp(W, r) / np.maximum(norm, np.finfo(float).tiny)[:, None]
        return norm, grad


class HessianNorm(Quantity):
    name, symbol, kind, reference = "hessian_norm", "max_i ||H_{F_i}(w)||_2", "sup", "T10"
    derivatives = "hessians"

    def values(self, W):
        return self.system._hessian_norm(W)

    def screen(self, W):
        """Lanczos stopped after a few steps where the system runs Lanczos (lower bounds), else None."""
        return self.system._hessian_norm_screen(W)

    def value_and_grad(self, W):
        """||H_F|| = |lam| with H_{F_i} q = lam q (the output and eigenvector attaining it), and
        its gradient sign(lam) d/dw (q^T H_{F_i}(w) q) = sign(lam) d/ds H_{F_i}(w + s q) q at s = 0
        (the third derivative contracted twice with q, by symmetry), by a central difference of
        two Hessian-vector products, each one weighted R-operator pass."""
        s = self.system
        if s._non_smooth_reason is not None or s.derivatives.get("hessians") != "exact":
            return None
        with np.errstate(all="ignore"):
            closed = getattr(s, "_hessian_norm_value_and_grad", None)  # a family's closed form, if any
            got = closed(W) if closed is not None else None
            if got is not None:
                return got if np.all(np.isfinite(got[0])) and np.all(np.isfinite(got[1])) else None
            try:
                norm, i, q, lam = s._hessian_norm_top(W)
            except (np.linalg.LinAlgError, ValueError):
                return None
            if not (np.all(np.isfinite(norm)) and np.all(np.isfinite(q))):
                return None
            e = np.zeros((W.shape[0], s.n))
            e[np.arange(W.shape[0]), i] = 1.0
            h = _HVP_STEP * np.maximum(1.0, np.max(np.abs(W), axis=1, keepdims=True))
            d = (s._whvp(W + h * q, e, q) - s._whvp(W - h * q, e, q)) / (2.0 * h)
        return norm, np.sign(lam)[:, None] * d


class Smoothness(Quantity):
    name, symbol, kind, reference = "smoothness", "||H_L(w)||_2 (beta)", "sup", "D5, C8"
    derivatives = "hessians"

    def values(self, W):
        return self.system._loss_hessian_norm(W)


QUANTITIES = {q.name: q for q in (KernelMinEig, PLConstant, HessianNorm, Lipschitz, Smoothness, ResidualNorm)}


def get(name) -> type:
    """The :class:`Quantity` class called ``name``; InvalidArgument listing the names otherwise."""
    if not isinstance(name, str) or name not in QUANTITIES:
        raise InvalidArgument(f"quantity={_show(name)} is not a quantity; allowed: {', '.join(QUANTITIES)}")
    return QUANTITIES[name]


@dataclasses.dataclass(frozen=True)
class QuantityClaim(Claim):
    """The claim that a quantity is bounded over the whole ball: ``inf >= value`` or ``sup <= value``.

    Attributes
    ----------
    quantity : str
        A name of :data:`QUANTITIES`.
    value : float
        The claimed bound: a lower bound of an infimum (``mu`` in
        ``lambda_min(K) >= mu``), an upper bound of a supremum (``L_F``, ``beta``).
    """

    quantity: str = dataclasses.field(metadata={"doc": "the quantity bounded (a name of plsym.quantities.QUANTITIES)"})
    value: float = dataclasses.field(metadata={"doc": "the claimed bound over the ball"})

    def __post_init__(self):
        get(self.quantity)
        v = float(self.value)
        if not np.isfinite(v):
            raise InvalidArgument(f"value={_show(self.value)} must be a finite number")
        object.__setattr__(self, "value", v)

    @property
    def kind(self) -> str:
        """"inf" or "sup": the extremum the claim bounds."""
        return get(self.quantity).kind

    @property
    def relation(self) -> str:
        """"lower" for a claim on an infimum, "upper" on a supremum (plsym.results)."""
        return relation_of(self.kind)

    def __str__(self):
        return f"{self.quantity} {'>=' if self.kind == 'inf' else '<='} {self.value:g}"

    def margin(self, values):
        """The violation at each value of the quantity, relative to the claim: > 0 where the claim fails.

        ``1 - v / value`` for an infimum claim, ``v / value - 1`` for a supremum
        claim (``value`` > 0); with ``value`` <= 0 the absolute difference.
        """
        v = np.asarray(values, dtype=float)
        scale = abs(self.value) if self.value != 0 else 1.0
        diff = (self.value - v) if self.kind == "inf" else (v - self.value)
        return diff / scale
