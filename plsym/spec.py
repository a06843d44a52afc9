"""Spec files: a system, a ball and claims in TOML, and the check behind ``plsym check``.

A spec file names a system (expressions in declared parameters, or a matrix),
targets, a ball B(center, radius) and claims about the constants of
docs/theory.md on that ball::

    name = "two tanh neurons"
    params = ["u1", "u2", "v1", "v2"]
    outputs = ["v1*tanh(0.5*u1) + v2*tanh(0.5*u2)", "v1*tanh(-1.3*u1) + v2*tanh(-1.3*u2)"]
    targets = [0.1, -0.2]          # or: matrix = [[...], ...] instead of params and outputs

    [ball]
    center = [0.7, -0.4, 1.1, 0.9]
    radius = 0.01

    [claims]                       # each optional; each must hold on the whole ball
    kernel_min_eig = 0.012         # lambda_min(K(w)) >= value            (D3)
    pl_star = 0.012                # 1/2 ||grad L(w)||^2 >= value * L(w)  (D1, 1/2 form)
    hessian_norm = 0.5             # max_i ||H_{F_i}(w)||_2 <= value      (T10)
    lipschitz = 3.0                # ||DF(w)||_2 <= value                 (D5)
    smoothness = 10.0              # ||H_L(w)||_2 <= value                (D5, C8)

Expressions are read by :mod:`plsym.parse`, never evaluated as Python.
"""

from __future__ import annotations

import dataclasses
import math
import os
import stat

import numpy as np
import sympy

from . import domain, estimate
from .ball import Ball
from .errors import InvalidArgument, _show, as_rng, one_of, positive_finite, positive_int
from .parse import parameters, parse
from .system import System
from .systems.linear import linear

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        tomllib = None

__all__ = ["Claim", "Spec", "Constant", "Verdict", "Report", "CLAIMS", "CONSTANTS", "LEVELS", "VERDICTS",
           "claim", "load", "loads", "from_dict", "check", "deep_search", "search_engine"]

TOP_KEYS = ("name", "params", "outputs", "targets", "matrix", "ball", "claims")
BALL_KEYS = ("center", "radius")
LEVELS = ("sampled", "searched", "certified")
VERDICTS = ("certified", "refuted", "not refuted", "undefined on the ball")

# constant -> (kind, what it is at w, the direction a certify.Bound must have to prove a claim)
CONSTANTS = {
    "kernel_min_eig": ("inf", "lambda_min(K)", "lower"),
    "pl_constant": ("inf", "1/2 |grad L|^2 / L", "lower"),
    "hessian_norm": ("sup", "max_i |H_Fi|_2", "upper"),
    "lipschitz": ("sup", "|DF|_2", "upper"),
    "smoothness": ("sup", "|H_L|_2", "upper"),
}
# claim -> (constant it bounds, relation claimed, symbol and paper id)
CLAIMS = {
    "kernel_min_eig": ("kernel_min_eig", ">=", "mu, D3"),
    "pl_star": ("pl_constant", ">=", "mu, D1 (1/2 form)"),
    "hessian_norm": ("hessian_norm", "<=", "T10"),
    "lipschitz": ("lipschitz", "<=", "L_F, D5"),
    "smoothness": ("smoothness", "<=", "beta, D5"),
}
_NEEDS_HESSIANS = ("hessian_norm", "smoothness")

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

# -- claims and specs ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Claim:
    """One claim of a spec: ``constant relation value`` on the whole ball.

    Attributes
    ----------
    name : str
        The claim's name in the spec (``"pl_star"``, ...).
    value : float
        The claimed bound (``mu``, ``L_F``, ``beta``, ...).
    constant : str
        The constant of :mod:`plsym.estimate` it bounds (``pl_star`` -> ``pl_constant``).
    relation : {">=", "<="}
        ``">="`` for the infimum claims, ``"<="`` for the supremum claims.
    """

    name: str
    value: float
    constant: str
    relation: str

    def __str__(self):
        return f"{self.name} {self.relation} {self.value:g}"


def claim(name, value) -> Claim:
    """A checked :class:`Claim` from its spec name and value.

    Raises
    ------
    InvalidArgument
        When ``name`` is not one of :data:`CLAIMS`, or ``value`` is not a finite
        number, or is <= 0 for a lower claim (mu > 0 in D1, D3) or < 0 for an upper one.
    """
    if name not in CLAIMS:
        raise InvalidArgument(f"claims.{name} is not a claim; allowed claims: {', '.join(CLAIMS)}")
    constant, relation, symbol = CLAIMS[name]
    x = _finite(f"claims.{name}", value)
    if relation == ">=" and not x > 0:
        raise InvalidArgument(f"claims.{name}={_show(value)} must be > 0 ({symbol})")
    if relation == "<=" and x < 0:
        raise InvalidArgument(f"claims.{name}={_show(value)} must be >= 0 (a norm bound, {symbol})")
    return Claim(name=name, value=x, constant=constant, relation=relation)


@dataclasses.dataclass(frozen=True)
class Spec:
    """A loaded spec: the system, the ball and the claims.

    Attributes
    ----------
    name : str
    system : plsym.System
    ball : plsym.Ball
    claims : tuple of Claim
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

    claims_data = data.get("claims", {})
    if not isinstance(claims_data, dict):
        raise InvalidArgument(f"claims={_show(claims_data)} must be a table of claim = value")
    _known_keys("claims.", claims_data, tuple(CLAIMS))
    claims = tuple(claim(k, v) for k, v in claims_data.items())
    needs = [c.name for c in claims if c.constant in _NEEDS_HESSIANS]
    reason = _hessian_trouble(system)
    if needs and reason:
        raise InvalidArgument(f"claims.{needs[0]} cannot be checked: {reason}")
    return Spec(name=name, system=system, ball=Ball(center, radius), claims=claims, source=source)


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


def _known_keys(prefix, table, allowed):
    unknown = [k for k in table if k not in allowed]
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


def _hessian_trouble(system):
    """Why the system has no Hessians (non-smooth outputs), or None."""
    try:
        system.hessians(np.zeros(system.m))
    except InvalidArgument as exc:
        return str(exc)
    return None


# -- the check ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Constant:
    """One constant on the ball, by each method that ran (None where it did not).

    Attributes
    ----------
    name : str
        One of :data:`CONSTANTS`.
    kind : {"inf", "sup"}
    sampled, searched : float or None
        Values attained at points of the ball: for an inf an upper bound of the true
        one, for a sup a lower bound.
    certified : float or None
        A proven bound the other way (lower for an inf, upper for a sup), or None.
    reason : str or None
        Why a value is missing, when one is.
    """

    name: str
    kind: str
    sampled: float | None
    searched: float | None
    certified: float | None
    reason: str | None

    def to_dict(self) -> dict:
        return {"sampled": self.sampled, "searched": self.searched, "certified": self.certified,
                "reason": self.reason}


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The verdict on one claim.

    Attributes
    ----------
    name : str
        The claim's name.
    value : float
        The claimed bound.
    relation : {">=", "<="}
    verdict : str
        ``"certified"``: proved on the whole ball (by :mod:`plsym.certify`);
        ``"refuted"``: the claim fails at ``witness``, a point exactly inside the
        ball (confirmed there in ball arithmetic, see
        :func:`plsym.certify.confirm_violation`); ``"not refuted"``: no counterexample within the
        budget, which proves nothing; ``"undefined on the ball"``: the system is not
        finite at ``witness`` (log or sqrt of a negative number, ...), so the claim
        cannot hold on the whole ball.
    witness : tuple of float or None
        A point of the ball where the claim fails or the system is undefined.
    measured : float or None
        The quantity at the witness (refuted), the worst value found (not refuted),
        or the certified bound (certified).
    method : {"sampled", "searched", "certified"}
    reason : str
        One sentence saying what the verdict rests on.
    """

    name: str
    value: float
    relation: str
    verdict: str
    witness: tuple | None
    measured: float | None
    method: str
    reason: str

    @property
    def failed(self) -> bool:
        """Whether the claim is refuted or undefined on the ball."""
        return self.verdict in ("refuted", "undefined on the ball")

    def to_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "verdict": self.verdict,
                "witness": None if self.witness is None else list(self.witness),
                "measured": self.measured, "method": self.method, "reason": self.reason}

    def to_text(self) -> str:
        """One line (two with a witness) for the text report."""
        text = f"{self.name} {self.relation} {self.value:g}: {self.verdict}; {self.reason}"
        if self.witness is not None:
            text += f"\n    witness w = {list(self.witness)!r}"
        return text


@dataclasses.dataclass(frozen=True)
class Report:
    """The outcome of :func:`check`: every constant and a verdict per claim.

    Attributes
    ----------
    name, level : str
    seed, samples : int
    m, n : int
        Parameters and outputs of the system.
    constants : tuple of Constant
        In the order of :data:`CONSTANTS`.
    claims : tuple of Verdict
        In the order of the spec.
    """

    name: str
    level: str
    seed: int
    samples: int
    m: int
    n: int
    constants: tuple
    claims: tuple

    @property
    def exit_code(self) -> int:
        """1 when a claim is refuted or undefined on the ball, else 0."""
        return int(any(v.failed for v in self.claims))

    def to_dict(self) -> dict:
        """The JSON object printed by ``plsym check --json`` (no NaN; None for missing values)."""
        return {"name": self.name, "level": self.level, "seed": self.seed, "samples": self.samples,
                "constants": {c.name: c.to_dict() for c in self.constants},
                "claims": [v.to_dict() for v in self.claims]}

    def to_text(self) -> str:
        """The human-readable report printed by ``plsym check``."""
        lines = [f"{self.name}: m={self.m} parameters, n={self.n} outputs; level {self.level}, seed {self.seed}, "
                 f"{self.samples} samples per constant",
                 "",
                 f"{'constant':<16}{'over the ball':<26}{'sampled':>14}{'searched':>14}{'certified':>14}"]
        for c in self.constants:
            lines.append(f"{c.name:<16}{c.kind + ' ' + CONSTANTS[c.name][1]:<26}"
                         + "".join(f"{_fmt(x):>14}" for x in (c.sampled, c.searched, c.certified)))
            if c.reason:
                lines.append(f"{'':<16}({c.reason})")
        lines.append("(sampled and searched values are attained at points of the ball: upper bounds of an inf, "
                     "lower bounds of a sup; certified values are proven bounds the other way)")
        if self.claims:
            lines += ["", "claims:"] + ["  " + v.to_text() for v in self.claims]
            failed = sum(v.failed for v in self.claims)
            lines.append(f"{len(self.claims)} claim(s): {failed} refuted or undefined, "
                         f"{sum(v.verdict == 'certified' for v in self.claims)} certified, "
                         f"{sum(v.verdict == 'not refuted' for v in self.claims)} not refuted")
        return "\n".join(lines) + "\n"


def _fmt(x):
    return "-" if x is None else f"{x:.6g}"


def check(spec, *, level="searched", seed=0, samples=4096) -> Report:
    """Estimate the constants of ``spec`` on its ball and give a verdict on each claim.

    Parameters
    ----------
    spec : Spec
    level : {"sampled", "searched", "certified"}, default "searched"
        Cumulative: ``searched`` samples then runs local searches; ``certified``
        also asks :mod:`plsym.certify` for proven bounds.
    seed : int, default 0
        Seed of every random choice; the same spec and seed give the same report.
    samples : int, default 4096
        Points sampled per constant (and for the scan for undefined points).

    Returns
    -------
    Report

    Notes
    -----
    Before any constant, the system is evaluated (F, DF and, when they exist, the
    Hessians) at ``samples`` points of the ball; a non-finite value there makes every
    claim "undefined on the ball", so a NaN never makes a claim look held or
    refuted. A claim is refuted only when :func:`plsym.certify.confirm_violation`
    proves the violation at the estimate's witness: the witness exactly inside the
    closed ball and the quantity's ball-arithmetic enclosure there beyond the claim.
    """
    if not isinstance(spec, Spec):
        raise InvalidArgument(f"spec={_show(spec)} must be a plsym.spec.Spec (see plsym.spec.load)")
    level = one_of("level", level, LEVELS)
    samples = check_budget("samples", samples, 2, MAX_SAMPLES)
    as_rng(seed)
    if level == "certified":
        _certify_module()  # fail before the estimates, not after
    system, ball = spec.system, spec.ball
    smooth = _hessian_trouble(system) is None
    undefined = _find_undefined(system, ball, samples=samples, seed=seed, hessians=smooth)
    results = {}
    bounds = {}
    if undefined is None:
        for name in CONSTANTS:
            results[name] = _estimate(name, system, ball, level=level, seed=seed, samples=samples, smooth=smooth)
        if level == "certified":
            bounds = _certify(system, ball, smooth=smooth)
    constants = tuple(_constant(name, results.get(name), bounds.get(name), undefined) for name in CONSTANTS)
    verdicts = tuple(_verdict(c, system, ball, results.get(c.constant), bounds.get(c.constant), undefined, level)
                     for c in spec.claims)
    return Report(name=spec.name, level=level, seed=int(seed), samples=samples, m=system.m, n=system.n,
                  constants=constants, claims=verdicts)


@dataclasses.dataclass(frozen=True)
class _Undefined:
    point: tuple
    what: str


def _find_undefined(system, ball, *, samples, seed, hessians):
    """The first point of a scan of the ball where F, DF or the Hessians are not finite, or None."""
    gen = np.random.default_rng((int(seed), 0x5CA9))
    points = np.vstack([ball.center[None, :], ball.sample(samples, rng=gen),
                        ball.sample(max(1, samples // 4), rng=gen, where="sphere")])
    found = domain.find_violation(system, points)
    if found is not None:
        point, condition = found
        return _Undefined(point, f"the domain condition {condition} fails (checked in ball arithmetic)")
    per_point = system.n * system.m * (system.m if hessians else 1)
    batch = max(1, 2**22 // max(1, per_point))
    for start in range(0, len(points), batch):
        W = points[start:start + batch]
        checks = [("F", system.F), ("DF", system.jacobian)] + ([("a Hessian H_Fi", system.hessians)] if hessians else [])
        for what, fn in checks:
            values = fn(W).reshape(len(W), -1)
            bad = ~np.all(np.isfinite(values), axis=1)
            if bad.any():
                point = tuple(float(x) for x in W[np.argmax(bad)])
                _refuse_overflow(system, point, what)
                return _Undefined(point, f"{what} is not finite")
    return None


def _refuse_overflow(system, point, what):
    """InvalidArgument when F, DF or a Hessian is finite at ``point`` in ball arithmetic but not in
    float64: the system overflows there, which is a limit of float64, not a point where it is undefined."""
    from . import interval
    from .certify import _programs

    try:
        P = _programs(system)
        args = interval.point_args(point)
        values = {"F": lambda: P.F(args), "DF": lambda: P.J(args), "a Hessian H_Fi": lambda: P.H(args)}[what]()
    except (interval.Unsupported, InvalidArgument):
        return
    if all(v.is_finite() for v in values):
        raise InvalidArgument(f"{what} overflows float64 at the point {list(point)!r} of the ball, where it is "
                              "defined: the system's values there are beyond what float64 can represent; "
                              "rescale the system or shrink the ball")


@dataclasses.dataclass(frozen=True)
class _Result:
    estimate: object          # a plsym.estimate.Estimate, or None
    note: str | None = None   # why there is none, or why it is only sampled


def _estimate(name, system, ball, *, level, seed, samples, smooth):
    """The Estimate of one constant (as a _Result), or why there is none."""
    if name in _NEEDS_HESSIANS and not smooth:
        return _Result(None, "not defined: " + _hessian_trouble(system))
    fn = getattr(estimate, name)
    search = level != "sampled"
    try:
        return _Result(fn(system, ball, samples=samples, search=search, rng=seed))
    except InvalidArgument:
        if name != "pl_constant":
            raise
        # F is finite on the scan, so the ratio is undefined only where L = 0.
        return _Result(None, "L(w) = 0 at every sampled point, where the PL* inequality holds trivially")
    except np.linalg.LinAlgError:
        # eigvalsh fails on matrices with NaN entries: the search met a point where the system is
        # not finite (SLSQP steps may leave the ball). Keep the sampled stage, whose points are in the ball.
        note = ("local search stopped: eigenvalues did not converge at a point where the system is not finite, "
                "near or just outside the ball; sampled value only")
        if search:
            try:
                return _Result(fn(system, ball, samples=samples, search=False, rng=seed), note)
            except np.linalg.LinAlgError:
                pass
        raise InvalidArgument(f"the estimate of {name} failed: eigenvalues did not converge at a sampled point, "
                              "which happens where the system is not finite; are the outputs defined on the "
                              "whole ball?") from None


def _certify(system, ball, *, smooth):
    """certify.Bound per constant, or a string saying why there is none."""
    certify = _certify_module()
    bounds = {}
    for name in CONSTANTS:
        if name in _NEEDS_HESSIANS and not smooth:
            continue
        try:
            # the box budget, not the clock, ends the proof: the same spec gives the same JSON anywhere
            bounds[name] = getattr(certify, name)(system, ball, max_boxes=2000, max_seconds=3600.0)
        except (InvalidArgument, NotImplementedError) as exc:
            bounds[name] = f"certify: {exc}"
    return bounds


def _certify_module():
    """plsym.certify, imported only at the certified level; InvalidArgument when it is absent."""
    try:
        from . import certify
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.certify":
            raise
        raise InvalidArgument("level='certified' needs plsym.certify, which this installation of plsym does "
                              "not have; use level='searched'") from None
    return certify


def _proven(bound, name):
    """The certified value of a certify.Bound, if it proves a bound in the right direction."""
    if bound is None or isinstance(bound, str):
        return None
    if bound.certified and bound.value is not None and bound.bound == CONSTANTS[name][2] and math.isfinite(bound.value):
        return float(bound.value)
    return None


def _constant(name, result, bound, undefined):
    kind = CONSTANTS[name][0]
    if undefined is not None:
        return Constant(name, kind, None, None, None, f"undefined on the ball: {undefined.what}")
    est = result.estimate
    if est is None:
        return Constant(name, kind, None, None, None, result.note)
    searched = est.value if est.method == "searched" else None
    notes = [result.note] if result.note else []
    if bound is not None and _proven(bound, name) is None:
        notes.append(bound if isinstance(bound, str) else f"not certified: {bound.reason}")
    return Constant(name, kind, est.sampled_value, searched, _proven(bound, name), "; ".join(notes) or None)


def _verdict(claim, system, ball, result, bound, undefined, level):
    """The verdict on one claim, from the scan, the estimate and the certified bound."""
    def verdict(v, *, witness=None, measured=None, method=level, reason):
        return Verdict(claim.name, claim.value, claim.relation, v, witness, measured, method, reason)

    if undefined is not None:
        return verdict("undefined on the ball", witness=undefined.point, method="sampled",
                       reason=f"{undefined.what} at the witness, a point of the ball")
    if result.estimate is None:
        return verdict("not refuted", method="sampled", reason=result.note)
    note, result = result.note, result.estimate
    outcome = _confirm(claim, system, ball, result.witness)
    proven = _proven(bound, claim.constant)
    if proven is not None and not (proven >= claim.value if claim.relation == ">=" else proven <= claim.value):
        proven = None  # a true bound, but too weak to prove this claim
    what = CONSTANTS[claim.constant][1]
    if outcome.verdict == "undefined on the ball":
        return verdict(outcome.verdict, witness=outcome.witness, method=result.method,
                       reason=f"{what} is not finite at the witness, a point of the ball")
    if outcome.verdict == "refuted":
        reason = (f"{what} = {outcome.measured:.6g} {'<' if claim.relation == '>=' else '>'} {claim.value:g} at the "
                  f"witness, {result.method}, confirmed there by {outcome.detail}")
        if proven is not None:
            reason += f"; this contradicts certify's bound {proven:.6g}, a bug in one of them: please report it"
        return verdict("refuted", witness=outcome.witness, measured=outcome.measured, method=result.method,
                       reason=reason)
    if proven is not None:
        return verdict("certified", measured=proven, method="certified",
                       reason=f"certified {CONSTANTS[claim.constant][2]} bound {proven:.6g} {claim.relation} "
                              f"{claim.value:g} on the whole ball")
    budget = f"{result.samples} samples" + (" then local search" if result.method == "searched" else "")
    reason = f"worst {what} found {result.value:.6g}, {result.method} from {budget}"
    if outcome.near:
        reason += (f"; its witness violates the claim in floats, but not in ball arithmetic "
                   f"({outcome.detail})")
    if note:
        reason += f" ({note})"
    return verdict("not refuted", measured=result.value, method=result.method, reason=reason)


@dataclasses.dataclass(frozen=True)
class _Outcome:
    verdict: str | None       # "refuted", "undefined on the ball" or None
    measured: float | None
    near: bool = False        # violated in floats, but not confirmed in ball arithmetic
    witness: tuple | None = None  # the point checked (the witness, or its exact projection onto the ball)
    detail: str = ""          # what the confirmation rests on


def _confirm(claim, system, ball, witness):
    """Whether the claim provably fails at ``witness``: :func:`plsym.certify.confirm_violation`.

    The float re-evaluation at the point gives the value reported; the verdict rests
    only on the ball-arithmetic enclosure (and the witness exactly inside the ball).
    """
    from .certify import confirm_violation

    v = confirm_violation(system, ball, claim.constant, witness, claim.value, claim.relation)
    w = np.asarray(v.witness, dtype=float)
    measured = _measure(claim.constant, system, w)
    if measured is not None and not math.isfinite(measured):
        measured = v.measured
    if v.status == "refuted":
        return _Outcome("refuted", measured if measured is not None else v.measured, witness=v.witness,
                        detail=f"enclosure [{v.lower:.10g}, {v.upper:.10g}] in ball arithmetic"
                               + (", at the witness projected exactly onto the ball" if v.projected else ""))
    if v.status == "undefined":
        return _Outcome("undefined on the ball", None, witness=v.witness, detail=v.reason)
    near = measured is not None and (measured < claim.value if claim.relation == ">=" else measured > claim.value)
    return _Outcome(None, measured, near=near, witness=v.witness, detail=v.reason)


def _measure(name, system, w):
    """The quantity ``name`` at one point in floats: the value reported beside a verdict (never its basis).

    nan where the system is not finite, None for the PL ratio where L = 0.
    """
    with np.errstate(all="ignore"):
        if name in ("kernel_min_eig", "pl_constant", "lipschitz"):
            J = system.jacobian(w)
            if not np.all(np.isfinite(J)):
                return math.nan
            if name == "lipschitz":
                return float(np.linalg.norm(J, 2))
            if name == "kernel_min_eig":
                return float(np.linalg.eigvalsh(J @ J.T)[0])
            r = system.residual(w)
            rr = float(r @ r)
            if not math.isfinite(rr):
                return math.nan
            if rr == 0.0:
                return None
            g = J.T @ r
            return float(g @ g) / rr
        H = system.hessians(w)
        if not np.all(np.isfinite(H)):
            return math.nan
        if name == "hessian_norm":
            return float(np.abs(np.linalg.eigvalsh(H)).max())
        J = system.jacobian(w)
        r = system.residual(w)
        HL = J.T @ J + np.einsum("n,nij->ij", r, H)
        return float(np.abs(np.linalg.eigvalsh(HL)).max()) if np.all(np.isfinite(HL)) else math.nan


# -- the deep search of ``plsym search`` ----------------------------------------------------

def deep_search(spec, name, value, *, seed=0, max_examples=1000) -> Verdict:
    """Search hard for a counterexample to one claim on the spec's ball.

    Parameters
    ----------
    spec : Spec
    name : str
        A claim name of :data:`CLAIMS`.
    value : float
        The claimed bound.
    seed : int, default 0
    max_examples : int, default 1000
        Budget: Hypothesis examples of :func:`plsym.search.counterexample`, or
        samples of the estimate when that module is absent.

    Returns
    -------
    Verdict
        ``"refuted"`` only when :func:`plsym.certify.confirm_violation` proves
        the violation at the witness; else ``"not refuted"`` (or ``"undefined on the ball"``).
    """
    if not isinstance(spec, Spec):
        raise InvalidArgument(f"spec={_show(spec)} must be a plsym.spec.Spec (see plsym.spec.load)")
    c = claim(name, value)
    max_examples = check_budget("max_examples", max_examples, 2, MAX_EXAMPLES)
    as_rng(seed)
    system, ball = spec.system, spec.ball
    smooth = _hessian_trouble(system) is None
    if c.constant in _NEEDS_HESSIANS and not smooth:
        raise InvalidArgument(f"claims.{name} cannot be checked: {_hessian_trouble(system)}")
    undefined = _find_undefined(system, ball, samples=min(max_examples, 4096), seed=seed, hessians=smooth)
    if undefined is not None:
        return _verdict(c, system, ball, None, None, undefined, "searched")
    module = _search_module()
    if module is None:  # fall back on the estimate with the whole budget as samples
        result = _estimate(c.constant, system, ball, level="searched", seed=seed, samples=max_examples, smooth=smooth)
        return _verdict(c, system, ball, result, None, None, "searched")
    found = module.counterexample(system, ball, getattr(module, name)(c.value), max_examples=max_examples, rng=seed)
    what = CONSTANTS[c.constant][1]
    budget = f"{found.examples_tried} examples of plsym.search"
    if found.found:
        outcome = _confirm(c, system, ball, found.witness)
        witness = outcome.witness
        if outcome.verdict == "refuted":
            return Verdict(c.name, c.value, c.relation, "refuted", witness, outcome.measured, "searched",
                           f"{what} = {outcome.measured:.6g} {'<' if c.relation == '>=' else '>'} {c.value:g} at the "
                           f"witness, found in {budget}, confirmed there by {outcome.detail}")
        if outcome.verdict is not None:
            return Verdict(c.name, c.value, c.relation, outcome.verdict, witness, None, "searched",
                           f"{what} is not finite at the witness, a point of the ball")
        return Verdict(c.name, c.value, c.relation, "not refuted", None, outcome.measured, "searched",
                       f"plsym.search reported a violation that ball arithmetic at its witness does not confirm "
                       f"({outcome.detail}), in {budget}")
    return Verdict(c.name, c.value, c.relation, "not refuted", None, None, "searched", f"no counterexample in {budget}")


def search_engine() -> str:
    """Which engine :func:`deep_search` uses: ``"plsym.search"``, or the estimate fallback."""
    return "plsym.search" if _search_module() is not None else "plsym.estimate (plsym.search is absent)"


def _search_module():
    """plsym.search if it exists, else None (a broken import inside it still raises)."""
    try:
        from . import search
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.search":
            raise
        return None
    return search
