#!/usr/bin/env python
"""plsym speed benchmarks: every figure is a ratio against a reference measured in the same run.

Run from the repository root (not part of the test suite)::

    python benchmarks/run.py                 # full run, about 10 minutes on a 2-core machine
    python benchmarks/run.py --quick         # under about a minute
    python benchmarks/run.py --out benchmarks/results/latest.json --only a c

Parts (benchmarks/README.md says how to read the output):

a. tangent kernel + lambda_min of a two-layer tanh net (n = 32, d = 10) against the
   hand-written structured numpy formula (the floor) and JAX jacrev + jit (the peer), and
   neural-tangents' structured derivatives where they run;
b. symbolic systems (two-layer nets written in sympy, tanh and cubic activations, 4/16/64
   parameters, 8 outputs): derive + compile against plain sympy (jacobian, hessian,
   lambdify), each in a fresh process; batched evaluation (1000 points) against JAX jit;
c. sup ||H_F|| over a ball: two-layer block formula and deep-net Lanczos against a dense
   eigen-solve on the same points (time ratio and relative difference); a deep net's Lanczos at
   the machine's BLAS thread count against one thread;
d. certification (plsym.certify.kernel_min_eig, default budget) against the searched
   estimate (plsym.estimate.kernel_min_eig): value ratio and time ratio, on models of 4, 8
   (five draws) and 16 parameters;
e. wall time of `plsym reproduce [--quick]` and of the test suite, each against the
   start-up cost `python -c "import plsym"` measured in the same run;
f. loss-Hessian products H_L v and ||H_L|| (Lanczos) of a two-layer tanh net (n = 32) against
   torch autograd (forward-over-reverse, one thread), values compared;
g. estimate.kernel_min_eig and estimate.hessian_norm at their default budget (best of three runs) against (evaluations
   made) x (one structured evaluation), with the peak traced memory (also at width 4096, against 1 GB); a deep
   net's estimate.hessian_norm against the same estimate with its samples ranked by full evaluations (values compared).

Timings use time.perf_counter; contenders are timed in interleaved rounds after a
warm-up (so a burst of load from other processes hits all of them alike) and a ratio
is best-over-best; medians are kept too. The number of rounds is recorded per figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
perf_counter = time.perf_counter


# -- results ---------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Figure:
    """One benchmark figure: plsym against a reference measured in the same run.

    ``ratio`` is ``plsym / reference`` for times (``ratio_of="time"``: below 1 means plsym
    is faster) and ``certified / searched`` for certification values (``ratio_of="value"``).
    """

    part: str
    case: str
    measure: str
    reference: str
    plsym: float | None
    reference_value: float | None
    ratio: float | None
    ratio_of: str = "time"
    unit: str = "s"
    ratio_median: float | None = None
    repeats: int | None = None
    target: str | None = None
    met: bool | None = None
    note: str = ""
    extra: dict = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Timing:
    best: float
    median: float
    repeats: int


def race(contenders, *, budget=1.0, min_repeats=3, max_repeats=200, warmup=1):
    """Time each callable of ``contenders`` (name -> f) in interleaved rounds after ``warmup`` calls.

    The number of rounds is ``budget`` seconds divided by the cost of one round (from the
    warm-up), clipped to [min_repeats, max_repeats]. With ``warmup=0`` (when the caller has
    already run each contender once) the first round is timed and counted. Returns name -> Timing.
    """
    t0 = perf_counter()
    for _ in range(max(warmup, 1)):  # without warm-up, this first round is timed too (to size the rest)
        first = {}
        for k, f in contenders.items():
            t = perf_counter()
            f()
            first[k] = perf_counter() - t
    per_round = (perf_counter() - t0) / max(warmup, 1)
    repeats = int(min(max_repeats, max(min_repeats, budget / max(per_round, 1e-9))))
    times = {k: ([] if warmup else [first[k]]) for k in contenders}
    for _ in range(repeats - (0 if warmup else 1)):
        for k, f in contenders.items():
            t = perf_counter()
            f()
            times[k].append(perf_counter() - t)
    return {k: Timing(min(v), statistics.median(v), len(v)) for k, v in times.items()}


def once(f):
    """(seconds, value) of a single call, for references too slow to repeat."""
    t = perf_counter()
    value = f()
    return perf_counter() - t, value


def traced_peak(f):
    """(seconds, value, peak traced bytes) of a single call under tracemalloc (which slows every allocation:
    the seconds are not a timing figure)."""
    import tracemalloc

    tracemalloc.start()
    try:
        seconds, value = once(f)
        return seconds, value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rel_diff(a, b):
    """max |a - b| / max |b|, a scale-free agreement measure."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return float(np.max(np.abs(a - b)) / scale) if scale > 0 else float(np.max(np.abs(a - b)))


def time_figure(part, case, measure, reference, t_plsym: Timing, t_ref: Timing | None, *, target=None,
                limit=None, note="", extra=None):
    """A time figure from two timings; ``limit`` (a float) makes ``met = ratio <= limit``."""
    if t_ref is None:
        return Figure(part, case, measure, reference, t_plsym.best, None, None, repeats=t_plsym.repeats,
                      target=target, note=note, extra=extra or {})
    ratio = t_plsym.best / t_ref.best
    ratio_med = t_plsym.median / t_ref.median
    met = None if limit is None else bool(ratio <= limit)
    return Figure(part, case, measure, reference, t_plsym.best, t_ref.best, ratio, ratio_median=ratio_med,
                  repeats=min(t_plsym.repeats, t_ref.repeats), target=target, met=met, note=note,
                  extra=extra or {})


# -- optional peers ----------------------------------------------------------------------------

_JAX = None


def get_jax():
    """(jax, jax.numpy) with float64 enabled, or None when JAX is not installed."""
    global _JAX
    if _JAX is None:
        try:
            import jax
            import jax.numpy as jnp
        except ImportError:
            _JAX = False
        else:
            jax.config.update("jax_enable_x64", True)
            _JAX = (jax, jnp)
    return _JAX or None


JAX_MISSING = "JAX not installed (pip install jax jaxlib): peer skipped"

_NT = None


def get_neural_tangents():
    """(neural_tangents, None) where its structured-derivatives NTK runs, else (None, why). Its last release
    (0.6.5) needs TensorFlow and JAX internals that later JAX releases removed (``jax.core.Jaxpr``,
    ``jax.interpreters.ad.source_info_util``), so it is a peer only where a tiny NTK computes."""
    global _NT
    if _NT is None:
        jx = get_jax()
        if not jx:
            _NT = (None, "JAX not installed")
            return _NT
        jax, jnp = jx
        try:
            import neural_tangents as nt

            probe = nt.empirical_ntk_fn(lambda p, x: jnp.tanh(x @ p), trace_axes=(), vmap_axes=0,
                                        implementation=nt.NtkImplementation.STRUCTURED_DERIVATIVES)
            probe(jnp.ones((2, 3)), None, jnp.ones(3)).block_until_ready()
        except Exception as exc:  # ImportError, or an AttributeError from a JAX it does not support
            _NT = (None, f"{type(exc).__name__}: {exc}")
        else:
            _NT = (nt, None)
    return _NT


# -- environment -------------------------------------------------------------------------------

def environment():
    """Versions, BLAS configuration, the OpenBLAS variables and the machine load."""
    import scipy
    import sympy

    import plsym

    env = {k: os.environ.get(k) for k in (
        "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
    )}
    try:
        import threadpoolctl
        pools = threadpoolctl.threadpool_info()
    except ImportError:
        pools = "threadpoolctl not installed"
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]
    except Exception as exc:  # numpy < 1.25 has no mode="dicts"
        blas = f"unavailable: {exc}"
    jx = get_jax()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT).stdout)
    except OSError:
        commit, dirty = None, None
    return {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "git_commit": commit, "git_dirty": dirty,
        "python": sys.version.split()[0], "platform": platform.platform(), "machine": platform.machine(),
        "cpu_count": os.cpu_count(), "numpy": np.__version__, "scipy": scipy.__version__,
        "sympy": sympy.__version__, "plsym": getattr(plsym, "__version__", None),
        "jax": jx[0].__version__ if jx else None, "env": env, "threadpools": pools, "numpy_build": blas,
        "loadavg_start": list(os.getloadavg()),
    }


# -- shared model builders ----------------------------------------------------------------------

ACTIVATIONS = ("tanh", "cubic")


def sympy_activation(name):
    import sympy
    return {"tanh": sympy.tanh, "cubic": lambda z: z + z ** 3 / 3}[name]


def data(n, d, seed):
    """Inputs rounded to two decimals, so that the sympy systems have exact rational data."""
    return np.round(np.random.default_rng(seed).standard_normal((n, d)), 2)


def sympy_two_layer(width, activation, *, n=8, d=3, seed=1):
    """f(x_i) = sum_r v_r sigma(u_r . x_i / sqrt d) / sqrt width, written in sympy: (outputs, params).

    Parameters are u_{r,j} row-major, then v_r: 4 * width of them when d = 3.
    """
    import sympy

    sigma = sympy_activation(activation)
    X = data(n, d, seed)
    U = [[sympy.Symbol(f"u{r}_{j}") for j in range(d)] for r in range(width)]
    v = [sympy.Symbol(f"v{r}") for r in range(width)]
    inv_d, inv_w = 1 / sympy.sqrt(d), 1 / sympy.sqrt(width)
    outputs = []
    for x in X:
        xs = [sympy.Rational(str(t)) for t in x]
        outputs.append(inv_w * sympy.Add(*[v[r] * sigma(inv_d * sympy.Add(*[U[r][j] * xs[j] for j in range(d)]))
                                           for r in range(width)]))
    return outputs, [p for row in U for p in row] + v


def jax_two_layer(width, activation, *, n=8, d=3, seed=1):
    """The same function as :func:`sympy_two_layer`, in jax.numpy: w (m,) -> (n,)."""
    jax, jnp = get_jax()
    X = jnp.asarray(data(n, d, seed))
    sigma = {"tanh": jnp.tanh, "cubic": lambda z: z + z ** 3 / 3}[activation]

    def F(w):
        U, v = w[: width * d].reshape(width, d), w[width * d:]
        return sigma(X @ U.T / np.sqrt(d)) @ v / np.sqrt(width)
    return F


# -- a. tangent kernel of a two-layer tanh net ---------------------------------------------------

def floor_kernel(X, gram, U, v):
    """K = (1/m)[(S' diag(v^2) S'^T) * (X X^T / d) + S S^T], S = tanh(X U^T / sqrt d): the floor."""
    m, d = U.shape
    S = np.tanh(X @ U.T / np.sqrt(d))
    A = (1.0 - S * S) * v
    return ((A @ A.T) * gram + S @ S.T) / m


def _nt_lambda_min(nt, jax, jnp, X, m):
    """lambda_min of the empirical NTK of the same two-layer tanh net by neural-tangents' structured
    derivatives, jitted: (U, v) -> lambda_min."""
    d = X.shape[1]
    Xj = jnp.asarray(X)

    def f(params, x):
        U, v = params
        return jnp.tanh(x @ U.T / np.sqrt(d)) @ v / np.sqrt(m)

    ntk = nt.empirical_ntk_fn(f, trace_axes=(), vmap_axes=0,
                              implementation=nt.NtkImplementation.STRUCTURED_DERIVATIVES)
    return jax.jit(lambda U, v: jnp.linalg.eigvalsh(ntk(Xj, None, (U, v)))[0])


def _has_threadpoolctl():
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return False
    return True


class blas_limit:
    """Limit BLAS to ``threads`` threads inside the block (None, or no threadpoolctl: no change)."""

    def __init__(self, threads):
        self.threads = threads if _has_threadpoolctl() else None

    def __enter__(self):
        if self.threads is not None:
            import threadpoolctl
            self._ctx = threadpoolctl.threadpool_limits(self.threads)
        return self

    def __exit__(self, *exc):
        if self.threads is not None:
            self._ctx.restore_original_limits()
        return False


def _blas_settings():
    """(label, thread limit) pairs: the machine's BLAS threading as it is, and one thread
    when threadpoolctl can impose it (a loaded 2-core machine makes threaded OpenBLAS
    stall on small products, which swamps the figures)."""
    if not _has_threadpoolctl():
        return [("BLAS default threads", None)]
    return [("BLAS default threads", None), ("BLAS 1 thread", 1)]


def bench_kernel(quick):
    n, d = 32, 10
    X = np.random.default_rng(0).standard_normal((n, d))
    gram = X @ X.T / d
    jx = get_jax()
    figures = []
    for label, limit in _blas_settings():
        with blas_limit(limit):
            figures += _bench_kernel_widths(quick, X, gram, label, limit, jx)
    return figures


def _bench_kernel_widths(quick, X, gram, label, limit, jx):
    from plsym.systems.network import network

    n, d = X.shape
    figures = []
    for m in (64, 256, 1024, 4096):
        net = network(X, np.zeros(n), [m], rng=0)
        w = net.w0
        U, v = w[: m * d].reshape(m, d), w[m * d:]

        def plsym_fn(net=net, w=w):
            return np.linalg.eigvalsh(net.kernel(w))[0]

        def floor_fn(U=U, v=v):
            return np.linalg.eigvalsh(floor_kernel(X, gram, U, v))[0]

        contenders = {"plsym": plsym_fn, "floor": floor_fn}
        extra = {"n": n, "d": d, "width": m, "params": net.m, "blas": label, "lambda_min": float(plsym_fn()),
                 "kernel_rel_diff_vs_floor": rel_diff(net.kernel(w), floor_kernel(X, gram, U, v))}
        peer = bool(jx) and limit is None  # JAX does not use OpenBLAS: timed once, with the default setting
        if peer:
            jax, jnp = jx
            Xj = jnp.asarray(X)

            def F(w, m=m):
                Uj, vj = w[: m * d].reshape(m, d), w[m * d:]
                return jnp.tanh(Xj @ Uj.T / np.sqrt(d)) @ vj / np.sqrt(m)

            @jax.jit
            def lam(w, F=F):
                J = jax.jacrev(F)(w)
                return jnp.linalg.eigvalsh(J @ J.T)[0]

            wj = jnp.asarray(w)
            t_compile, lam_jax = once(lambda: float(lam(wj).block_until_ready()))
            extra["jax_compile_s"] = t_compile
            extra["lambda_min_rel_diff_vs_jax"] = abs(extra["lambda_min"] - lam_jax) / abs(lam_jax)
            nt, nt_why = get_neural_tangents()
            if nt is not None:
                lam_nt = _nt_lambda_min(nt, jax, jnp, X, m)
                Uj, vj = jnp.asarray(U), jnp.asarray(v)
                t_nt_compile, lam_nt_value = once(lambda: float(lam_nt(Uj, vj).block_until_ready()))
                extra["neural_tangents_compile_s"] = t_nt_compile
                extra["lambda_min_rel_diff_vs_neural_tangents"] = (abs(extra["lambda_min"] - lam_nt_value)
                                                                   / abs(lam_nt_value))
        rounds = {"budget": 0.4 if quick else 1.5, "min_repeats": 10, "max_repeats": 100 if quick else 400}
        t = race(contenders, **rounds)
        if peer:
            # JAX in a race of its own: XLA's threads keep a core busy for a while after each call, which
            # slows whichever two-thread OpenBLAS call comes next (plsym 1.16-1.34 x the floor right after
            # JAX, 0.90 x without it), so the floor comparison runs without JAX
            t_peer = race({"plsym": plsym_fn, "jax": lambda lam=lam, wj=wj: lam(wj).block_until_ready()},
                          **rounds)
        case = f"m={m}, {label}"
        big = m >= 1024
        figures.append(time_figure("a", case, "kernel(w) + eigvalsh", "numpy structured formula (floor)",
                                   t["plsym"], t["floor"], target="<= 1.2 x floor" if big else None,
                                   limit=1.2 if big else None, extra=extra))
        if peer:
            figures.append(time_figure("a", case, "kernel(w) + eigvalsh", "JAX jacrev + jit (peer)",
                                       t_peer["plsym"], t_peer["jax"], extra={"jax_compile_s": extra["jax_compile_s"]}))
            reference = "neural-tangents structured derivatives + jit (peer)"
            if nt is None:
                figures.append(time_figure("a", case, "kernel(w) + eigvalsh", reference, t_peer["plsym"], None,
                                           note=f"neural-tangents does not run here ({nt_why})"[:300]))
            else:  # a race of its own, as JAX's
                t_nt = race({"plsym": plsym_fn, "neural-tangents": lambda: lam_nt(Uj, vj).block_until_ready()},
                            **rounds)
                figures.append(time_figure(
                    "a", case, "kernel(w) + eigvalsh", reference, t_nt["plsym"], t_nt["neural-tangents"],
                    extra={"neural_tangents_compile_s": t_nt_compile, "neural_tangents_version": nt.__version__,
                           "lambda_min_rel_diff": extra["lambda_min_rel_diff_vs_neural_tangents"]}))
        elif limit is None:
            figures.append(time_figure("a", case, "kernel(w) + eigvalsh", "JAX jacrev + jit (peer)",
                                       t["plsym"], None, note=JAX_MISSING))
    return figures


# -- b. symbolic systems ---------------------------------------------------------------------------

def _probe(m):
    return np.linspace(-0.9, 1.1, m)


def worker_derive(tool, activation, width):
    """In a fresh process: derive and compile F, DF and the Hessians; print seconds and values at a probe."""
    import sympy

    import plsym

    outputs, params = sympy_two_layer(width, activation)
    w = _probe(len(params))
    t0 = perf_counter()
    if tool == "plsym":
        s = plsym.System(outputs, params, np.zeros(len(outputs)))
        s._values_fn, s._jacobian_fn, s._hessians_fn  # noqa: B018 - derive and compile all three
        seconds = perf_counter() - t0
        J, H = s.jacobian(w), s.hessians(w)
    else:  # plain sympy: Matrix.jacobian, sympy.hessian, lambdify
        Fm = sympy.Matrix(outputs)
        Jm = Fm.jacobian(params)
        Hs = [sympy.hessian(f, params) for f in outputs]
        fF = sympy.lambdify(params, Fm, "numpy")
        fJ = sympy.lambdify(params, Jm, "numpy")
        fH = sympy.lambdify(params, Hs, "numpy")
        seconds = perf_counter() - t0
        fF(*w)
        J, H = np.asarray(fJ(*w), dtype=float), np.asarray(fH(*w), dtype=float)
    print(json.dumps({"seconds": seconds, "J": J.tolist(), "H": H.tolist()}))


def derive_in_subprocess(tool, activation, width, timeout):
    """(seconds or None on timeout, payload) of :func:`worker_derive` in a fresh interpreter."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", tool, activation, str(width)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=True)
    except subprocess.TimeoutExpired:
        return None, None
    payload = json.loads(out.stdout.strip().splitlines()[-1])
    return payload["seconds"], payload


# the targets of part b's evaluation rows: (label, limit on plsym / JAX)
EVAL_TARGETS = {"F": ("<= 1 x JAX", 1.0), "jacobian": ("<= 1 x JAX", 1.0), "hessians": (None, None),
                "all": ("<= 0.1 x JAX", 0.1)}


def bench_symbolic(quick, *, sympy_timeout):
    import plsym

    jx = get_jax()
    figures = []
    acts = ("tanh",) if quick else ACTIVATIONS
    for activation in acts:
        for width in (1, 4, 16):
            m = 4 * width
            case = f"{activation}, m={m}, n=8"
            # derive + compile, each tool in its own fresh process (no shared sympy cache)
            t_p, got_p = derive_in_subprocess("plsym", activation, width, timeout=300)
            run_ref = not (quick and m == 64)
            t_s, got_s = derive_in_subprocess("sympy", activation, width, sympy_timeout) if run_ref else (None, None)
            extra = {"params": m, "outputs": 8}
            note = ""
            limit = 1.5 if m == 64 else None
            target = "plsym < 1.5 s" if m == 64 else None
            met = None if limit is None else bool(t_p < limit)
            if got_s is not None:
                extra["jacobian_rel_diff"] = rel_diff(got_p["J"], got_s["J"])
                extra["hessians_rel_diff"] = rel_diff(got_p["H"], got_s["H"])
                ratio = t_p / t_s
            elif run_ref:
                ratio = None
                extra["ratio_upper_bound"] = t_p / sympy_timeout
                note = (f"plain sympy did not finish within {sympy_timeout:.0f} s (with interpreter start-up): "
                        f"ratio < ~{t_p / sympy_timeout:.3g}")
            else:
                ratio = None
                note = "plain sympy reference skipped in --quick mode"
            figures.append(Figure("b", case, "derive + compile F, DF, H_F", "plain sympy (jacobian, hessian, lambdify)",
                                  t_p, t_s, ratio, repeats=1, target=target, met=met, note=note, extra=extra))
            # batched evaluation on 1000 points against JAX jit
            outputs, params = sympy_two_layer(width, activation)
            s = plsym.System(outputs, params, np.zeros(8))
            W = 0.5 * np.random.default_rng(2).standard_normal((1000, m))
            if not jx:
                for what in ("F", "jacobian", "hessians"):
                    t = race({"plsym": lambda what=what: getattr(s, what)(W)}, budget=0.5, max_repeats=20)
                    figures.append(time_figure("b", case, f"{what} on 1000 points", "JAX jit (vmap)", t["plsym"], None,
                                               target=EVAL_TARGETS[what][0], note=JAX_MISSING))
                continue
            jax, jnp = jx
            F = jax_two_layer(width, activation)
            jfns = {"F": jax.jit(jax.vmap(F)), "jacobian": jax.jit(jax.vmap(jax.jacrev(F))),
                    "hessians": jax.jit(jax.vmap(jax.hessian(F)))}
            Wj = jnp.asarray(W)
            # up to 400 rounds within the budget: calls of tens of microseconds need hundreds of rounds for a
            # stable best (best-of-50 ratios of F at 64 parameters spread over 0.98-1.54, best-of-500 over 1.18-1.38)
            rounds = {"budget": 0.3 if quick else 1.0, "min_repeats": 2 if quick else 3, "max_repeats": 400}
            total_p, total_j = [], []
            for what in ("F", "jacobian", "hessians"):
                pf = lambda what=what: getattr(s, what)(W)
                jf = lambda f=jfns[what]: f(Wj).block_until_ready()
                # the first calls are the warm-up: JAX compiles, and both values are compared
                compile_s, j_val = once(jf)
                agree = rel_diff(pf(), np.asarray(j_val))
                del j_val
                t = race({"plsym": pf, "jax": jf}, warmup=0, **rounds)
                total_p.append(t["plsym"])
                total_j.append(t["jax"])
                figures.append(time_figure("b", case, f"{what} on 1000 points", "JAX jit (vmap)", t["plsym"], t["jax"],
                                           target=EVAL_TARGETS[what][0], limit=EVAL_TARGETS[what][1],
                                           extra={"jax_compile_s": compile_s, "rel_diff_vs_jax": agree}))
            sum_t = lambda ts: Timing(sum(x.best for x in ts), sum(x.median for x in ts), min(x.repeats for x in ts))
            # JAX's F as a share of its three calls: no F as fast as JAX's makes the sum's ratio smaller than this
            share = total_j[0].best / sum(x.best for x in total_j)
            figures.append(time_figure("b", case, "F+jacobian+hessians on 1000 points", "JAX jit (vmap)",
                                       sum_t(total_p), sum_t(total_j), target=EVAL_TARGETS["all"][0],
                                       limit=EVAL_TARGETS["all"][1], extra={"jax_F_share": share},
                                       note=f"JAX's F alone is {share:.2f} x JAX's three calls (a floor of this "
                                            f"ratio for an F as fast as JAX's)"))
            if activation == "tanh":
                figures.append(tanh_floor_figure(case, width, W, jfns["F"], Wj, rounds))
    return figures


def tanh_floor_figure(case, width, W, jax_F, Wj, rounds, *, n=8, d=3, seed=1):
    """numpy's tanh of the n x width x k pre-activations that F on k points evaluates, against JAX's whole F
    on the same points (raced with ``rounds``, as F's race): a floor of the ratio of F for any numpy evaluator."""
    k = W.shape[0]
    Z = np.einsum("id,krd->irk", data(n, d, seed), W[:, : width * d].reshape(k, width, d)) / np.sqrt(d)
    out = np.empty_like(Z)
    t = race({"numpy tanh": lambda: np.tanh(Z, out=out), "jax": lambda: jax_F(Wj).block_until_ready()}, **rounds)
    return time_figure("b", case, f"numpy tanh of F's {Z.size} pre-activations", "JAX jit (vmap) F, whole",
                       t["numpy tanh"], t["jax"], note="numpy's tanh alone, a floor of F's ratio in numpy",
                       extra={"floor_of": "F on 1000 points"})


# -- c. sup ||H_F|| over a ball -------------------------------------------------------------------------

def dense_hessian_norm(net, P):
    """max over the points of max_i ||H_{F_i}||_2 from dense Hessians and numpy's eigvalsh."""
    best = 0.0
    for w in P:  # one point at a time: k * n * m^2 floats would not fit for long
        best = max(best, float(np.abs(np.linalg.eigvalsh(net.hessians(w))).max()))
    return best


def bench_hessian_norm(quick):
    import plsym
    from plsym.systems.network import network

    n, d, radius = 4, 10, 1.0
    X = np.random.default_rng(3).standard_normal((n, d))
    k = 4 if quick else 8
    jx = get_jax()
    cases = [([w], "block formula (two-layer)") for w in ((64, 4096) if quick else (16, 64, 256, 1024, 4096))]
    cases += [([16, 16, 16], "Lanczos (depth 3)")]
    if not quick:
        cases += [([48, 48, 48], "Lanczos (depth 3)")]
    figures = []
    for widths, method in cases:
        net = network(X, np.zeros(n), widths, rng=0)
        ball = plsym.Ball(net.w0, radius)
        P = np.vstack([net.w0[None], ball.sample(k - 1, rng=0)])
        t = race({"plsym": lambda net=net, P=P: net.hessian_norm(P).max()}, budget=0.5 if quick else 1.5,
                 min_repeats=1 if net.depth > 1 else 3, max_repeats=50)["plsym"]
        sup = float(net.hessian_norm(P).max())
        case = f"widths={widths}, m={net.m}, {k} points"
        extra = {"n": n, "d": d, "radius": radius, "points": k, "params": net.m, "sup_plsym": sup, "method": method}
        if net.m <= 1000:  # the dense eigen-solve fits: O(n m^3) per point
            t_dense, sup_dense = once(lambda net=net, P=P: dense_hessian_norm(net, P))
            extra["sup_dense"] = sup_dense
            extra["rel_diff"] = abs(sup - sup_dense) / sup_dense
            if jx and not quick:  # an independent dense Hessian at the center: R-operator against jax.hessian
                extra["dense_hessian_rel_diff_vs_jax"] = rel_diff(net.hessians(net.w0), _jax_net_hessians(net))
            fig = time_figure("c", case, f"sup ||H_F|| ({method})", "dense Hessians + eigvalsh", t,
                              Timing(t_dense, t_dense, 1), extra=extra)
            figures.append(dataclasses.replace(fig, target="rel diff <= 1e-8", met=bool(extra["rel_diff"] <= 1e-8),
                                               note=f"rel diff {extra['rel_diff']:.1e}"))
        else:
            figures.append(time_figure("c", case, f"sup ||H_F|| ({method})", "dense Hessians + eigvalsh", t, None,
                                       note=f"dense does not fit (m={net.m} > 1000)", extra=extra))
    return figures + bench_blas_threads(quick)


def machine_blas_threads():
    """The largest thread count among the BLAS libraries as loaded (None without threadpoolctl)."""
    if not _has_threadpoolctl():
        return None
    import threadpoolctl
    return max((p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"), default=None)


MACHINE_BLAS_THREADS = machine_blas_threads()  # read at import, before any part limits the threads


def bench_blas_threads(quick):
    """sup ||H_F|| of a deep net by Lanczos (m about 18k) with BLAS at the machine's thread count
    against the same call at one thread: what a user's session pays for threads plsym does not use
    (numpy and scipy each ship an OpenBLAS; a loop that alternates them waits on spinning threads)."""
    import threadpoolctl
    import plsym
    from plsym.systems.network import network

    threads = MACHINE_BLAS_THREADS
    n, d = 4, 10
    X = np.random.default_rng(3).standard_normal((n, d))
    widths = [96, 96] if quick else [128, 128]
    net = network(X, np.zeros(n), widths, rng=0)
    P = np.vstack([net.w0[None], plsym.Ball(net.w0, 1.0).sample(3, rng=0)])
    case = f"widths={widths}, m={net.m}, 4 points"
    measure = f"sup ||H_F|| (Lanczos) at the machine's {threads} BLAS threads"
    if not threads or threads < 2:
        return [Figure("c", case, measure, "the same at 1 BLAS thread", None, None, None,
                       note=f"BLAS runs {threads} thread(s) here: nothing to compare")]

    def at(limit):
        with threadpoolctl.threadpool_limits(limits=limit, user_api="blas"):
            return float(net.hessian_norm(P).max())

    values = {limit: at(limit) for limit in (threads, 1)}
    t = race({"machine": lambda: at(threads), "one": lambda: at(1)}, budget=1.0 if quick else 3.0,
             min_repeats=3, max_repeats=30)
    return [time_figure("c", case, measure, "the same at 1 BLAS thread", t["machine"], t["one"], target="<= 1.2",
                        limit=1.2, note=f"values equal: {values[threads] == values[1]}",
                        extra={"threads": threads, "values": values, "params": net.m})]


def _jax_net_hessians(net):
    """Per-output Hessians of a NetworkSystem at w0 by jax.hessian (tanh hidden, linear output)."""
    jax, jnp = get_jax()
    X = jnp.asarray(net.X)

    def F(w):
        alpha, pos = X, 0
        for j, (a, b) in enumerate(net.layer_shapes):
            Wj = w[pos:pos + a * b].reshape(a, b)
            pos += a * b
            h = alpha @ Wj.T / np.sqrt(b)
            alpha = jnp.tanh(h) if j < len(net.layer_shapes) - 1 else h
        return alpha[:, 0]
    return np.asarray(jax.hessian(F)(jnp.asarray(net.w0)))


# -- f. loss-Hessian products and estimators on a wide two-layer net ---------------------------------

def get_torch():
    """torch, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)  # one thread, as BLAS in parts b-d: a loaded 2-core machine stalls threaded pools
    return torch


TORCH_MISSING = "torch not installed (pip install torch): peer skipped"


def _torch_loss(net, torch):
    """The square loss of a two-layer tanh NetworkSystem, in torch (float64)."""
    X = torch.tensor(net.X, dtype=torch.float64)
    y = torch.tensor(net.y, dtype=torch.float64)
    (m, d), _ = net.layer_shapes

    def loss(w):
        U, v = w[: m * d].reshape(m, d), w[m * d:]
        f = torch.tanh(X @ U.T / np.sqrt(d)) @ v / np.sqrt(m)
        return 0.5 * torch.sum((f - y) ** 2)
    return loss


def _lanczos_norm(matvec, m):
    import scipy.sparse.linalg as sla
    op = sla.LinearOperator((m, m), matvec=lambda x: matvec(np.ravel(x)), dtype=np.float64)
    v0 = np.random.default_rng(0).standard_normal(m)
    return float(abs(sla.eigsh(op, k=1, which="LM", tol=1e-10, v0=v0, return_eigenvectors=False)[0]))


def bench_loss_hessian(quick):
    """H_L v and ||H_L|| (Lanczos) of a two-layer tanh net (n = 32, d = 10) against torch autograd
    (forward-over-reverse torch.func.jvp of torch.func.grad); values compared to 1e-12."""
    from plsym.systems.network import network, network_data

    torch = get_torch()
    X, y = network_data(32, 10, rng=0)
    figures = []
    for width in ((256, 1024) if quick else (256, 1024, 4096)):
        net = network(X, y, [width], rng=0)
        w = net.w0 + 0.1 * np.random.default_rng(1).standard_normal(net.m)
        v = np.random.default_rng(2).standard_normal(net.m)
        case = f"two-layer tanh, width={width}, m={net.m}, n=32"
        if torch is None:
            t = race({"plsym": lambda: net.loss_hvp(w, v)}, budget=0.5)
            figures.append(time_figure("f", case, "H_L v", "torch autograd (peer)", t["plsym"], None,
                                       note=TORCH_MISSING))
            continue
        loss = _torch_loss(net, torch)
        wt, vt = torch.tensor(w), torch.tensor(v)
        grad = torch.func.grad(loss)

        def torch_hvp(x, wt=wt, grad=grad):
            return torch.func.jvp(grad, (wt,), (torch.as_tensor(x),))[1].numpy()

        agree = rel_diff(net.loss_hvp(w, v), torch_hvp(vt))
        t = race({"plsym": lambda: net.loss_hvp(w, v), "torch": lambda: torch_hvp(vt)},
                 budget=0.3 if quick else 1.0, min_repeats=5, max_repeats=200)
        figures.append(time_figure("f", case, "H_L v", "torch autograd (peer)", t["plsym"], t["torch"],
                                   target="<= 1.0 x torch", limit=1.0, extra={"rel_diff_vs_torch": agree}))
        n_p = _lanczos_norm(lambda x: net.loss_hvp(w, x), net.m)
        n_t = _lanczos_norm(torch_hvp, net.m)
        t = race({"plsym": lambda: net.loss_hessian_norm(w), "torch": lambda: _lanczos_norm(torch_hvp, net.m)},
                 budget=0.5 if quick else 2.0, min_repeats=2, max_repeats=20)
        figures.append(time_figure("f", case, "||H_L|| (Lanczos)", "torch autograd products, same Lanczos (peer)",
                                   t["plsym"], t["torch"], target="<= 1.0 x torch", limit=1.0,
                                   extra={"norm_plsym": n_p, "norm_torch": n_t, "rel_diff": abs(n_p - n_t) / n_t}))
    return figures


def estimator_net(width):
    """(net, ball, case) of part g's estimator rows: the two-layer tanh net of ``width`` on n = 32 data rows
    (d = 10), and the unit ball around its w0."""
    import plsym
    from plsym.systems.network import network, network_data

    X, y = network_data(32, 10, rng=0)
    net = network(X, y, [width], rng=0)
    return net, plsym.Ball(net.w0, 1.0), f"two-layer tanh, width={width}, m={net.m}, n=32"


def bench_estimators(quick):
    """estimate.kernel_min_eig and estimate.hessian_norm at their default budget on a two-layer tanh
    net (n = 32, d = 10), against (evaluations made) x (one structured evaluation in a batch of 64
    points), and the peak traced memory."""
    import plsym

    figures = []
    for width in ((256,) if quick else (1024,)):
        net, ball, case = estimator_net(width)
        B = ball.sample(64, rng=1)
        for name, one in (("kernel_min_eig", lambda P: np.linalg.eigvalsh(net.kernel(P))[:, 0]),
                          ("hessian_norm", lambda P: net.hessian_norm(P))):
            # best of three runs (the same work each time: the same seed), as every other figure is best-over-best
            runs = [once(lambda name=name: getattr(plsym.estimate, name)(net, ball)) for _ in range(3)]
            t_all = sorted(t for t, _ in runs)
            t_est, e = t_all[0], runs[0][1]
            # the peak memory from a second, traced run: tracing slows every allocation, so it is not timed
            _, _, peak = traced_peak(lambda name=name: getattr(plsym.estimate, name)(net, ball))
            per_point = race({"one": lambda one=one: one(B)}, budget=0.5, min_repeats=3)["one"]
            # hessian_norm's single-neuron moves (16 angles x n data rows per neuron) cost O(n d) each on
            # a two-layer net, not a whole evaluation: the floor counts only the full evaluations
            moves = 16 * net.n * width if name == "hessian_norm" else 0
            full = e.nfev - moves
            floor = Timing(per_point.best / 64 * full, per_point.median / 64 * full, per_point.repeats)
            figures.append(Figure(
                "g", case, f"estimate.{name} (default budget)", "3 s (the target's budget)", t_est, 3.0, t_est / 3.0,
                repeats=len(t_all), target="<= 3 s at width 1024", met=bool(t_est <= 3.0) if width == 1024 else None,
                note=f"{e.nfev} evaluations"))
            figures.append(time_figure(
                "g", case, f"estimate.{name} (default budget)", "evaluations made x one structured evaluation (floor)",
                Timing(t_est, t_all[1], len(t_all)), floor,
                target="<= 1.5 x floor at width 1024", limit=1.5 if width == 1024 else None,
                note=f"{full} evaluations" + (f" + {moves} neuron moves" if moves else "") + f", peak {peak / 1e6:.0f} MB",
                extra={"nfev": e.nfev, "full_evaluations": full, "neuron_moves": moves, "runs_s": t_all,
                       "runs_agree": all(r.value == e.value and r.nfev == e.nfev for _, r in runs),
                       "value": e.value, "peak_traced_bytes": peak}))
    return figures + ([] if quick else bench_estimator_memory() + [bench_screened_estimate()])


def bench_estimator_memory(width=4096, limit_bytes=1e9):
    """The peak traced memory of estimate.kernel_min_eig and estimate.hessian_norm at their default budget on
    the two-layer tanh net of width 4096 (m = 45056, n = 32), one traced run each, against 1 GB."""
    import plsym

    net, ball, case = estimator_net(width)
    figures = []
    for name in ("kernel_min_eig", "hessian_norm"):
        seconds, e, peak = traced_peak(lambda name=name: getattr(plsym.estimate, name)(net, ball))
        figures.append(Figure(
            "g", case, f"estimate.{name} peak traced memory (MB)", "1 GB", peak / 1e6, limit_bytes / 1e6,
            peak / limit_bytes, ratio_of="value", unit="MB", repeats=1,
            target=f"< 1 GB at width {width}", met=bool(peak < limit_bytes),
            note=f"{e.nfev} evaluations, {seconds:.1f} s traced (tracing slows every allocation)",
            extra={"peak_traced_bytes": peak, "traced_s": seconds, "nfev": e.nfev, "value": e.value}))
    return figures


def bench_screened_estimate():
    """estimate.hessian_norm at its default budget on a net with two hidden layers (Lanczos per point),
    against the same estimate with the samples and single-neuron moves ranked by full evaluations
    instead of 16-step Lanczos lower bounds (one run each: a minute together)."""
    import plsym
    from plsym.quantities import HessianNorm
    from plsym.systems.network import network, network_data

    X, y = network_data(12, 4, rng=5)
    net = network(X, y, [32, 32], rng=5)
    ball = plsym.Ball(net.w0, 0.5)
    t_screen, e = once(lambda: plsym.estimate.hessian_norm(net, ball))
    screen, move_norms = HessianNorm.screen, type(net)._neuron_move_norms
    HessianNorm.screen = lambda self, W: None
    type(net)._neuron_move_norms = lambda self, w, neurons, moves, screen=False: move_norms(self, w, neurons, moves)
    try:
        t_full, e_full = once(lambda: plsym.estimate.hessian_norm(net, ball))
    finally:
        HessianNorm.screen, type(net)._neuron_move_norms = screen, move_norms
    fig = time_figure("g", f"widths=[32, 32], m={net.m}, n=12", "estimate.hessian_norm (default budget)",
                      "the same, samples and moves ranked by full evaluations", Timing(t_screen, t_screen, 1),
                      Timing(t_full, t_full, 1), target="same value", note=f"values {e.value:.14g} and "
                      f"{e_full.value:.14g}; nfev {e.nfev} and {e_full.nfev}",
                      extra={"value": e.value, "value_full_ranking": e_full.value, "nfev": e.nfev,
                             "nfev_full_ranking": e_full.nfev, "same_value": e.value == e_full.value})
    return dataclasses.replace(fig, met=bool(e.value == e_full.value))


# -- d. certification --------------------------------------------------------------------------------

# The certification targets, as (parameters, radius) -> (least certified / searched, most certify seconds
# or None): the searched value is an upper bound of the true infimum, so the ratio bounds certified / true below.
CERTIFY_TARGETS = {(4, 1e-2): (0.95, 1.0), (8, 1e-2): (0.95, None), (8, 1e-1): (0.5, None)}
# The 8-parameter models: two-layer tanh nets with 2 neurons on d = 3 inputs and 2 outputs, the first draws of
# the data and centre (the target holds for a model class, not for one hand-picked model).
CERTIFY_DRAWS_8 = (1, 2, 3, 4, 5)


def certify_models(quick):
    """(system, centre, radii) of part d: the 4-parameter two-tanh model, 8-parameter two-layer nets (one draw at
    R = 1e-2 with --quick) and a 16-parameter one (not with --quick)."""
    import sympy

    import plsym

    u1, u2, v1, v2 = sympy.symbols("u1 u2 v1 v2")
    c = sympy.Rational(-13, 10)
    four = plsym.System([v1 * sympy.tanh(u1 / 2) + v2 * sympy.tanh(u2 / 2), v1 * sympy.tanh(c * u1) + v2 * sympy.tanh(c * u2)],
                        [u1, u2, v1, v2], [0.1, -0.2], name="two tanh neurons (4 params)")
    models = [(four, np.array([0.7, -0.4, 1.1, 0.9]), (1e-3, 1e-2, 3e-2))]
    for seed in CERTIFY_DRAWS_8[:1] if quick else CERTIFY_DRAWS_8:
        outputs, params = sympy_two_layer(2, "tanh", n=2, d=3, seed=seed)
        eight = plsym.System(outputs, params, [0.3, -0.5], name=f"2-neuron two-layer tanh, d=3, draw {seed} (8 params)")
        centre = np.round(np.random.default_rng(seed).standard_normal(8), 2)
        models.append((eight, centre, (1e-2,) if quick else (1e-2, 1e-1)))
    if not quick:
        outputs, params = sympy_two_layer(4, "tanh", n=2, d=3, seed=4)
        sixteen = plsym.System(outputs, params, [0.3, -0.5], name="4-neuron two-layer tanh, d=3 (16 params)")
        models.append((sixteen, np.round(np.random.default_rng(0).standard_normal(16), 2), (1e-3, 1e-2, 3e-2)))
    return models


def certify_target(m, radius, ratio, seconds):
    """(target text, met) of a part-d row: (None, None) where no target is set (see CERTIFY_TARGETS)."""
    if (m, radius) not in CERTIFY_TARGETS:
        return None, None
    least, most_s = CERTIFY_TARGETS[(m, radius)]
    text = f"certified / searched >= {least:g}" + (f" in <= {most_s:g} s" if most_s is not None else "")
    return text, bool(ratio is not None and ratio >= least and (most_s is None or seconds <= most_s))


def bench_certify(quick):
    import plsym

    figures = []
    for system, center, radii in certify_models(quick):
        for radius in radii:
            ball = plsym.Ball(center, radius)
            t_est, est = once(lambda: plsym.estimate.kernel_min_eig(system, ball))
            t_cert, cert = once(lambda: plsym.certify.kernel_min_eig(system, ball))
            case = f"{system.name}, R={radius:g}"
            extra = {"certified": cert.certified, "certified_value": cert.value, "searched_value": est.value,
                     "boxes": cert.boxes, "certify_s": cert.seconds, "estimate_s": t_est, "detail": cert.detail,
                     "best_seen": cert.best_seen, "time_ratio_certify_over_estimate": t_cert / t_est,
                     "center": center.tolist()}
            ratio = cert.value / est.value if cert.certified else None
            target, met = certify_target(system.m, radius, ratio, t_cert)
            figures.append(Figure("d", case, "certified lambda_min(K) lower bound", "searched estimate (upper bound)",
                                  cert.value, est.value, ratio, ratio_of="value", unit="", repeats=1,
                                  target=target, met=met,
                                  note=f"{cert.boxes} boxes, {t_cert:.1f} s (estimate {t_est:.2f} s); {cert.detail}",
                                  extra=extra))
    return figures


# -- e. commands --------------------------------------------------------------------------------------

def _wall(cmd, *, timeout=900):
    t0 = perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    seconds = perf_counter() - t0
    # the command's own closing line: stdout's last, else stderr's (warnings on stderr come after stdout)
    tail = [line for line in out.stdout.splitlines() if line.strip()] or \
        [line for line in out.stderr.splitlines() if line.strip()]
    return seconds, out.returncode, (tail[-1] if tail else "")


def bench_commands(quick):
    startup = min(_wall([sys.executable, "-c", "import plsym"])[0] for _ in range(2 if quick else 3))
    ref = Timing(startup, startup, 2 if quick else 3)
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("plsym reproduce --quick", [sys.executable, "-m", "plsym", "reproduce", "--quick", "--out",
                                             os.path.join(tmp, "quick")])]
        if not quick:
            runs += [("plsym reproduce", [sys.executable, "-m", "plsym", "reproduce", "--out", os.path.join(tmp, "full")]),
                     ("python -m pytest -q -x", [sys.executable, "-m", "pytest", "-q", "-x"])]
        # the targets: reproduce within 8 s and the suite within 5 minutes, wall clock on 2 cores; the
        # full reproduce runs three times (its wall time varies by 10-20 % on a shared machine) and is
        # judged on the median
        limits = {"plsym reproduce": 8.0, "python -m pytest -q -x": 300.0}
        for name, cmd in runs:
            walls = [_wall(cmd) for _ in range(3 if name == "plsym reproduce" else 1)]
            seconds = sorted(w[0] for w in walls)
            median = seconds[len(seconds) // 2]
            code = max(w[1] for w in walls)
            last = walls[-1][2]
            # a command run three times shows (and is judged on) its median; the note lists every run
            fig = time_figure("e", name, "wall time", 'python -c "import plsym" (start-up)',
                              Timing(median, median, len(walls)), ref,
                              note=(f"runs {', '.join(f'{x:.1f}' for x in seconds)} s; " if len(walls) > 1 else "")
                              + f"exit {code}: {last[:100]}",
                              extra={"exit_code": code, "last_line": last, "walls": seconds})
            if name in limits:
                fig = dataclasses.replace(fig, target=f"<= {limits[name]:g} s wall" + (" (median)" if len(walls) > 1 else ""),
                                          met=bool(median <= limits[name] and code == 0))
            figures.append(fig)
    if quick:
        for name in ("plsym reproduce", "python -m pytest -q -x"):
            figures.append(Figure("e", name, "wall time", 'python -c "import plsym" (start-up)', None, startup, None,
                                  note="skipped in --quick mode"))
    return figures


# -- report ----------------------------------------------------------------------------------------------

PARTS = {"a": bench_kernel, "b": bench_symbolic, "c": bench_hessian_norm, "d": bench_certify, "e": bench_commands,
         "f": bench_loss_hessian, "g": bench_estimators}


def _fmt(x, unit="s"):
    if x is None:
        return "-"
    if unit == "s":
        return f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s"
    return f"{x:.4g}"


def table(figures):
    rows = [("part", "case", "measure", "reference", "plsym", "reference", "ratio", "target", "met", "note")]
    for f in figures:
        if f.ratio is not None:
            ratio = f"{f.ratio:.3g}" + ("" if f.ratio_of == "time" else " (value)")
        elif "ratio_upper_bound" in f.extra:
            ratio = f"< {f.extra['ratio_upper_bound']:.3g}"
        else:
            ratio = "-"
        met = {True: "yes", False: "NO", None: ""}[f.met]
        rows.append((f.part, f.case, f.measure, f.reference, _fmt(f.plsym, f.unit), _fmt(f.reference_value, f.unit),
                     ratio, f.target or "", met, f.note[:70]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


README_START = "<!-- performance table: generated by `python benchmarks/run.py --readme` -->"
README_END = "<!-- end of the performance table -->"


def readme_table(result):
    """The README's performance table (markdown) from a run's JSON: every figure with a target, the
    floors set beside them (``extra["floor_of"]``), the peers of part a and the wall times of part e."""
    env = result["environment"]
    lines = [f"Run of {env.get('date_utc', '?')} at commit {str(env.get('git_commit'))[:7]}"
             f"{' (uncommitted changes)' if env.get('git_dirty') else ''}, {result['mode']} mode, "
             f"{result['seconds']:.0f} s, load average {env.get('loadavg_start', [float('nan')])[0]:.1f} -> "
             f"{env.get('loadavg_end', [float('nan')])[0]:.1f} on {env.get('cpu_count')} cores.", "",
             "| part | case | measure | plsym | reference | ratio | target | met |", "|---|---|---|---|---|---|---|---|"]
    for f in result["figures"]:
        if f["target"] is None and f["part"] not in ("a", "d", "e") and "floor_of" not in f.get("extra", {}):
            continue
        unit = f.get("unit", "s")
        ratio = "-" if f["ratio"] is None else f"{f['ratio']:.3g}"
        met = {True: "yes", False: "**no**", None: ""}[f["met"]]
        cells = [f["part"], f["case"], f["measure"], _fmt(f["plsym"], unit),
                 f"{f['reference']}: {_fmt(f['reference_value'], unit)}", ratio, f["target"] or "", met]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def write_readme(result, path=os.path.join(ROOT, "README.md")):
    """Replace the table between README_START and README_END in ``path`` by :func:`readme_table`."""
    with open(path) as fh:
        text = fh.read()
    if README_START not in text or README_END not in text:
        raise SystemExit(f"{path} has no performance table markers ({README_START!r} ... {README_END!r})")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    with open(path, "w") as fh:
        fh.write(head + README_START + "\n" + readme_table(result) + "\n" + README_END + tail)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases, no test suite (about a minute)")
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "latest.json"),
                        help="where to write the JSON results (default: benchmarks/results/latest.json)")
    parser.add_argument("--only", nargs="+", choices=sorted(PARTS), help="run only these parts")
    parser.add_argument("--sympy-timeout", type=float, default=None,
                        help="seconds allowed to the plain-sympy reference of part b per system "
                             "(default 45; 20 with --quick)")
    parser.add_argument("--blas-threads", choices=("1", "default"), default="1",
                        help="BLAS threads for parts b-d: 1 (default; needs threadpoolctl) or the machine's "
                             "default. Part a measures both; part e's commands always run as the machine is set up.")
    parser.add_argument("--readme", nargs="?", const="", metavar="JSON",
                        help="rewrite README.md's performance table: from this run, or, given a JSON file of an "
                             "earlier run, from it without running anything")
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "ACTIVATION", "WIDTH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.readme:
        with open(args.readme) as fh:
            write_readme(json.load(fh))
        print(f"README.md's performance table rewritten from {args.readme}")
        return 0
    if args.worker:
        tool, activation, width = args.worker
        worker_derive(tool, activation, int(width))
        return 0

    sympy_timeout = args.sympy_timeout or (20.0 if args.quick else 45.0)
    start = perf_counter()
    env = environment()
    figures, seconds = [], {}
    for part in (args.only or sorted(PARTS)):
        t0 = perf_counter()
        print(f"[{part}] ...", file=sys.stderr, flush=True)
        fn = PARTS[part]
        with blas_limit(None if part in ("a", "e") or args.blas_threads == "default" else 1):
            got = fn(args.quick, sympy_timeout=sympy_timeout) if part == "b" else fn(args.quick)
        seconds[part] = perf_counter() - t0
        figures += got
        print(f"[{part}] {seconds[part]:.1f} s", file=sys.stderr, flush=True)
    env["loadavg_end"] = list(os.getloadavg())
    env["blas_threads_parts_b_to_d"] = args.blas_threads if _has_threadpoolctl() else "default (no threadpoolctl)"
    total = perf_counter() - start
    text = table(figures)
    print(text)
    print(f"\n{'quick' if args.quick else 'full'} run, {total:.1f} s (" +
          ", ".join(f"{p}: {s:.1f} s" for p, s in seconds.items()) + f"); load average {env['loadavg_start'][0]:.2f}"
          f" -> {env['loadavg_end'][0]:.2f} on {env['cpu_count']} cores")
    result = {"mode": "quick" if args.quick else "full", "seconds": total, "part_seconds": seconds,
              "sympy_timeout": sympy_timeout, "environment": env, "figures": [f.to_dict() for f in figures]}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1, default=_json_default)
    print(f"results written to {args.out}")
    if args.readme == "":
        write_readme(json.loads(json.dumps(result, default=_json_default)))
        print("README.md's performance table rewritten")
    return 0


def _json_default(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer, np.bool_)):
        return x.item()
    return str(x)


if __name__ == "__main__":
    sys.exit(main())
