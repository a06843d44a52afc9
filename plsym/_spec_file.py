"""Reading spec files: the TOML, its validation, the size limits and the claims (for :mod:`plsym.spec`).

Everything here runs before any numerical work: a spec that loads is a system
of plsym's parsed expressions (or a matrix), a ball and claims on quantities of
:mod:`plsym.quantities`, all within the limits below.
"""

from __future__ import annotations

import dataclasses
import math
import os
import stat
import warnings

import numpy as np
import sympy

from ._options import checked_options
from .ball import Ball
from .errors import InvalidArgument, _show, positive_finite, positive_int
from .parse import parameters, parse
from .quantities import QUANTITIES, QuantityClaim
from .system import System
from .systems.linear import linear

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        tomllib = None

TOP_KEYS = ("name", "params", "outputs", "targets", "matrix", "ball", "claims")
BALL_KEYS = ("center", "radius")
# Old claim keys, still read (with a DeprecationWarning): old key -> the quantity's name.
RENAMED_CLAIMS = {"pl_star": "pl_constant"}

# Size limits of a spec ("absurd sizes"), checked before any work; expressions have their own
# in plsym.parse. A check evaluates F, the dense n x m Jacobian and the dense n x m x m Hessians
# at thousands of points, so the limits are on those sizes.
MAX_SPEC_BYTES = 1_000_000
MAX_PARAMS = 1000
MAX_OUTPUTS = 1000
MAX_MATRIX_ENTRIES = 1_000_000
MAX_JACOBIAN_ENTRIES = 20_000      # n * m
MAX_HESSIAN_ENTRIES = 250_000      # n * m * m (dense per-output Hessians of one point)
MAX_SYMBOLIC_HESSIAN = 20_000      # sum over outputs of k (k + 1) / 2, k the parameters it contains
MAX_FACTORS = 100                  # factors with parameters in one product (derivatives grow as its cube)
MAX_SAMPLES = 100_000              # --samples
MAX_EXAMPLES = 10_000              # --max-examples


def claim(name, value) -> QuantityClaim:
    """The claim of a spec's ``[claims]`` table: ``name = value``, checked.

    Parameters
    ----------
    name : str
        A quantity of :data:`plsym.quantities.QUANTITIES` (``"pl_constant"``,
        ``"hessian_norm"``, ...); the old key ``"pl_star"`` still reads as
        ``"pl_constant"``, with a DeprecationWarning.
    value : float
        The claimed bound: ``mu`` in ``lambda_min(K) >= mu`` (> 0, D1, D3), or a
        norm bound (>= 0) such as ``L_F`` or ``beta``.

    Returns
    -------
    plsym.quantities.QuantityClaim

    Raises
    ------
    InvalidArgument
        When ``name`` is not a quantity, or ``value`` is not a finite number, or
        is <= 0 for a claim on an infimum or < 0 for a claim on a supremum.

    Examples
    --------
    >>> from plsym.spec import claim
    >>> str(claim("lipschitz", 3.0)), claim("kernel_min_eig", 0.5).relation
    ('lipschitz <= 3', 'lower')
    """
    if isinstance(name, str) and name in RENAMED_CLAIMS:
        warnings.warn(f"the spec claim {name} is deprecated; use claims.{RENAMED_CLAIMS[name]} (the name of "
                      f"plsym.estimate.{RENAMED_CLAIMS[name]})", DeprecationWarning, stacklevel=2)
        name = RENAMED_CLAIMS[name]
    if not isinstance(name, str) or name not in QUANTITIES:
        raise InvalidArgument(f"claims.{name} is not a claim; allowed claims: {', '.join(QUANTITIES)}")
    q = QUANTITIES[name]
    x = _finite(f"claims.{name}", value)
    if q.kind == "inf" and not x > 0:
        raise InvalidArgument(f"claims.{name}={_show(value)} must be > 0 (mu in {q.symbol} >= mu, {q.reference})")
    if q.kind == "sup" and x < 0:
        raise InvalidArgument(f"claims.{name}={_show(value)} must be >= 0 (a norm bound: {q.symbol} <= value, "
                              f"{q.reference})")
    return QuantityClaim(name, x)


@dataclasses.dataclass(frozen=True)
class Spec:
    """A loaded spec: the system, the ball and the claims.

    Attributes
    ----------
    name : str
    system : plsym.System
    ball : plsym.Ball
    claims : tuple of plsym.quantities.QuantityClaim
        In the order of the file.
    source : str
        Where the spec came from (a path, or ``"<string>"``).
    """

    name: str
    system: System
    ball: Ball
    claims: tuple
    source: str


def load(path) -> Spec:
    """The :class:`Spec` in the TOML file ``path``.

    Raises
    ------
    InvalidArgument
        When the file is missing, unreadable, larger than :data:`MAX_SPEC_BYTES`,
        not UTF-8 TOML, or not a valid spec; the message starts with the path.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InvalidArgument(f"spec file {path!r} does not exist")
    if os.path.isdir(path):
        raise InvalidArgument(f"spec file {path!r} is a directory, not a TOML file")
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InvalidArgument(f"spec file {path!r} cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end in open/read
        raise InvalidArgument(f"spec file {path!r} is not a regular file (a FIFO, socket or device)")
    if info.st_size > MAX_SPEC_BYTES:
        raise InvalidArgument(f"spec file {path!r} is larger than {MAX_SPEC_BYTES} bytes")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise InvalidArgument(f"spec file {path!r} cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise InvalidArgument(f"spec file {path!r} is larger than {MAX_SPEC_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArgument(f"spec file {path!r} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return loads(text, source=path)


@checked_options
def loads(text, *, source="<string>") -> Spec:
    """The :class:`Spec` in the TOML text ``text``; see :func:`load`."""
    if tomllib is None:  # pragma: no cover - Python 3.10 without tomli
        raise InvalidArgument("reading spec files on Python 3.10 needs the tomli package (pip install tomli)")
    if not isinstance(text, str):
        raise InvalidArgument(f"text={_show(text)} must be a string of TOML")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgument(f"{source}: not valid TOML: {exc}") from None
    return from_dict(data, source=source)


@checked_options
def from_dict(data, *, source="<spec>") -> Spec:
    """The :class:`Spec` described by a dict with the keys of a spec file (see the module docstring).

    Raises
    ------
    InvalidArgument
        Naming the key at fault and what is allowed, prefixed with ``source``.
    """
    try:
        return _from_dict(data, source)
    except InvalidArgument as exc:
        raise InvalidArgument(f"{source}: {exc}") from None


def _from_dict(data, source):
    if not isinstance(data, dict):
        raise InvalidArgument(f"the spec must be a table of keys, got {type(data).__name__}")
    _known_keys("", data, TOP_KEYS)
    name = data.get("name", os.path.splitext(os.path.basename(source))[0] or "spec")
    if not isinstance(name, str):
        raise InvalidArgument(f"name={_show(name)} must be a string")
    for key in ("targets", "ball"):
        if key not in data:
            raise InvalidArgument(f"the key {key!r} is missing; a spec needs targets, ball and either "
                                  "params and outputs, or matrix")
    ball_data = data["ball"]
    if not isinstance(ball_data, dict):
        raise InvalidArgument(f"ball={_show(ball_data)} must be a table with keys center and radius")
    _known_keys("ball.", ball_data, BALL_KEYS)
    for key in BALL_KEYS:
        if key not in ball_data:
            raise InvalidArgument(f"the key 'ball.{key}' is missing; the ball needs center and radius")
    targets = _finite_list("targets", data["targets"], limit=MAX_OUTPUTS)
    center = _finite_list("ball.center", ball_data["center"], limit=MAX_PARAMS)
    radius = positive_finite("ball.radius", _number("ball.radius", ball_data["radius"]))

    if "matrix" in data:
        extra = [k for k in ("params", "outputs") if k in data]
        if extra:
            raise InvalidArgument(f"matrix and {' and '.join(extra)} are both given; give matrix for a linear "
                                  "system F(w) = A w, or params and outputs, not both")
        A = _matrix(data["matrix"])
        n, m = len(A), len(A[0])
        _one_per("targets", targets, n, "row of matrix")
        _one_per("ball.center", center, m, "column of matrix")
        _check_sizes(n, m)
        system = linear(A, targets, w0=center, name=name)
    else:
        missing = [k for k in ("params", "outputs") if k not in data]
        if missing:
            raise InvalidArgument(f"the key {missing[0]!r} is missing; give params and outputs, or matrix for "
                                  "a linear system")
        names = data["params"]
        if isinstance(names, list) and len(names) > MAX_PARAMS:
            raise InvalidArgument(f"params has {len(names)} entries; at most {MAX_PARAMS} are allowed")
        params = parameters(names, where="params")
        texts = data["outputs"]
        if not isinstance(texts, list):
            raise InvalidArgument(f"outputs={_show(texts)} must be a list of expressions (strings)")
        if not texts:
            raise InvalidArgument("outputs=[] is empty; a system needs at least one output")
        if len(texts) > MAX_OUTPUTS:
            raise InvalidArgument(f"outputs has {len(texts)} entries; at most {MAX_OUTPUTS} are allowed")
        _check_sizes(len(texts), len(params))
        domain = []  # the domain of the text as written, before sympy rewrites it
        outputs = [parse(t, params, where=f"outputs[{i}]", domain=domain) for i, t in enumerate(texts)]
        _one_per("targets", targets, len(outputs), "output")
        _one_per("ball.center", center, len(params), "parameter")
        _check_work(outputs)
        system = System(outputs, params, targets, name=name, w0=center, domain=domain)

    claims = _claims(data.get("claims", {}))
    needs = [c.quantity for c in claims if QUANTITIES[c.quantity].derivatives == "hessians"]
    reason = hessian_trouble(system)
    if needs and reason:
        raise InvalidArgument(f"claims.{needs[0]} cannot be checked: {reason}")
    return Spec(name=name, system=system, ball=Ball(center, radius), claims=claims, source=source)


def _claims(table):
    """The claims of a ``[claims]`` table, one per quantity."""
    if not isinstance(table, dict):
        raise InvalidArgument(f"claims={_show(table)} must be a table of claim = value")
    _known_keys("claims.", table, tuple(QUANTITIES), also=tuple(RENAMED_CLAIMS))
    claims = tuple(claim(k, v) for k, v in table.items())
    for old, new in RENAMED_CLAIMS.items():
        if old in table and new in table:
            raise InvalidArgument(f"claims.{old} and claims.{new} are the same claim; keep claims.{new}")
    return claims


def check_budget(name, value, minimum, maximum) -> int:
    """``value`` as an int in [minimum, maximum], or InvalidArgument naming the limit."""
    value = positive_int(name, value, minimum=minimum)
    if value > maximum:
        raise InvalidArgument(f"{name}={value} is above the limit {maximum}")
    return value


def _check_sizes(n, m):
    """InvalidArgument when the dense Jacobian or Hessians of one point exceed the limits."""
    if n * m > MAX_JACOBIAN_ENTRIES:
        raise InvalidArgument(f"the system has n={n} outputs and m={m} parameters: n*m = {n * m} Jacobian entries "
                              f"is above the limit {MAX_JACOBIAN_ENTRIES}")
    if n * m * m > MAX_HESSIAN_ENTRIES:
        raise InvalidArgument(f"the system has n={n} outputs and m={m} parameters: n*m*m = {n * m * m} Hessian "
                              f"entries per point is above the limit {MAX_HESSIAN_ENTRIES}")


def _check_work(outputs):
    """InvalidArgument when differentiating the outputs twice would be too much symbolic work."""
    total = 0
    for i, f in enumerate(outputs):
        k = len(f.free_symbols)
        total += k * (k + 1) // 2
        for e in sympy.preorder_traversal(f):
            if e.is_Mul:
                factors = sum(1 for a in e.args if a.free_symbols)
                if factors > MAX_FACTORS:
                    raise InvalidArgument(f"outputs[{i}] has a product of {factors} factors with parameters; at "
                                          f"most {MAX_FACTORS} are allowed (its derivatives grow as the cube)")
    if total > MAX_SYMBOLIC_HESSIAN:
        raise InvalidArgument(f"the outputs have {total} distinct second partial derivatives; at most "
                              f"{MAX_SYMBOLIC_HESSIAN} are allowed")


def _known_keys(prefix, table, allowed, *, also=()):
    unknown = [k for k in table if k not in allowed and k not in also]
    if unknown:
        what = "claim" if prefix == "claims." else "key"
        raise InvalidArgument(f"unknown {what}{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(prefix + k for k in unknown)}; allowed: {', '.join(prefix + k for k in allowed)}")


def _number(where, x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        kind = "a string" if isinstance(x, str) else type(x).__name__
        raise InvalidArgument(f"{where}={_show(x)} must be a finite number, not {kind}")
    return x


def _finite(where, x):
    x = _number(where, x)
    try:
        value = float(x)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise InvalidArgument(f"{where}={_show(x)} must be a finite number")
    return value


def _finite_list(where, xs, *, limit):
    if not isinstance(xs, list):
        raise InvalidArgument(f"{where}={_show(xs)} must be a list of finite numbers")
    if not xs:
        raise InvalidArgument(f"{where}=[] is empty")
    if len(xs) > limit:
        raise InvalidArgument(f"{where} has {len(xs)} entries; at most {limit} are allowed")
    return [_finite(f"{where}[{i}]", x) for i, x in enumerate(xs)]


def _matrix(rows):
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise InvalidArgument(f"matrix={_show(rows)} must be a non-empty list of rows (lists of numbers)")
    if len(rows) * max(len(r) for r in rows) > MAX_MATRIX_ENTRIES:
        raise InvalidArgument(f"matrix has more than {MAX_MATRIX_ENTRIES} entries")
    for i, r in enumerate(rows):
        if len(r) != len(rows[0]):
            raise InvalidArgument(f"matrix[{i}] has {len(r)} entries but matrix[0] has {len(rows[0])}; "
                                  "all rows need the same length")
    return [[_finite(f"matrix[{i}][{j}]", x) for j, x in enumerate(r)] for i, r in enumerate(rows)]


def _one_per(where, xs, count, what):
    if len(xs) != count:
        raise InvalidArgument(f"{where} has {len(xs)} entries; it needs one per {what} ({count})")


def hessian_trouble(system):
    """Why the system has no Hessians (non-smooth outputs), or None."""
    try:
        system.hessians(np.zeros(system.m))
    except InvalidArgument as exc:
        return str(exc)
    return None
