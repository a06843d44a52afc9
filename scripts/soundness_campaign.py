"""Soundness campaign for plsym.certify: certified bounds against dense sampling on random systems.

Usage: python scripts/soundness_campaign.py [--cases 1000] [--adversarial 200] [--seed 0] [--samples 2000]
                                            [--max-boxes 150]

For each random (system, ball) case (polynomial / tanh / exp systems, m <= 6, n <= 3), every
certified lower bound must be <= the minimum over dense samples, and every certified upper
bound >= the maximum. Beside the random cases, adversarial families: domain traps (outputs
that sympy rewrites, given with their domain, on balls that cross its edge: nothing may be
certified there), cancellations (expanded (w - a)^k near a), near-singular kernels, tiny and
large radii, and kinks at the center (|w - c|). Prints the number of cases, of certified
bounds per quantity, of violations (must be 0) and the time; exit 1 on any violation.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import sympy

import plsym
from plsym import certify

QUANTITIES = {
    "kernel_min_eig": "lower", "pl_constant": "lower",
    "hessian_norm": "upper", "lipschitz": "upper", "smoothness": "upper", "residual_norm": "upper",
}


def random_case(rng):
    """A random small smooth system and ball (exact rational coefficients)."""
    m = int(rng.integers(1, 7))
    n = int(rng.integers(1, min(3, m) + 1))
    w = sympy.symbols(f"w1:{m + 1}")

    def coef():
        return sympy.Rational(int(rng.integers(-200, 201)), 100)

    outs = []
    for i in range(n):
        terms = [w[i % m]]
        for _ in range(int(rng.integers(1, 4))):
            j, k = int(rng.integers(m)), int(rng.integers(m))
            kind = rng.choice(["lin", "quad", "tanh", "cube", "exp", "sin"])
            c = coef()
            terms.append({
                "lin": c * w[j], "quad": c * w[j] * w[k], "cube": c * w[j] ** 3 / 3,
                "tanh": c * sympy.tanh(coef() * w[j] + coef() * w[k]),
                "exp": c * sympy.exp(coef() * w[j] / 2), "sin": c * sympy.sin(coef() * w[k]),
            }[kind])
        outs.append(sum(terms))
    y = rng.uniform(-1, 1, n)
    ball = plsym.Ball(rng.uniform(-1.5, 1.5, m), float(rng.choice([0.01, 0.05, 0.2, 0.5])))
    return plsym.System(outs, list(w), y), ball


FAMILIES = ("domain trap", "cancellation", "near-singular kernel", "tiny radius", "large radius", "kink at the center")


def adversarial_case(rng, family):
    """(system, ball, whether the ball leaves the outputs' domain) for one adversarial family."""
    w1, w2 = sympy.symbols("w1 w2")
    if family == "domain trap":
        c = float(rng.uniform(-0.05, 0.05))
        trap = int(rng.integers(3))
        outs, dom = [([sympy.exp(sympy.log(w1)), w2], [w1 > 0]),
                     ([w2 + 0 * sympy.log(w1), w1], [w1 > 0]),
                     ([(w1 - 1) + w2 * 0, w2], [w1 - 1 >= 0])][trap]
        center = [c + (1.0 if trap == 2 else 0.0), float(rng.uniform(-1, 1))]
        radius = float(rng.choice([0.01, 0.1]))
        s = plsym.System(outs, [w1, w2], rng.uniform(-1, 1, 2), domain=dom)
        edge = 1.0 if trap == 2 else 0.0
        return s, plsym.Ball(center, radius), center[0] - radius <= edge
    if family == "cancellation":
        a, k = float(rng.choice([1.0, 2.0, -0.5])), int(rng.integers(4, 9))
        poly = sympy.expand((w1 - sympy.nsimplify(a)) ** k) + w2 * w1
        return plsym.System([poly, w2], [w1, w2], [0.0, 0.0]), plsym.Ball([a, 0.5], float(rng.choice([1e-3, 1e-2]))), False
    if family == "near-singular kernel":
        eps = sympy.Rational(1, int(10 ** int(rng.integers(3, 8))))
        outs = [w1 + eps * w2 ** 2, w1 + eps * sympy.tanh(w2)]
        return plsym.System(outs, [w1, w2], rng.uniform(-1, 1, 2)), plsym.Ball(rng.uniform(-1, 1, 2), 0.1), False
    if family == "tiny radius":
        s, _ = random_case(rng)
        return s, plsym.Ball(rng.uniform(-1.5, 1.5, s.m), float(rng.choice([1e-8, 1e-12]))), False
    if family == "large radius":
        outs = [w1 * w2 + w1 ** 2 / 3, sympy.tanh(w1 - w2) + w2]
        return plsym.System(outs, [w1, w2], [0.0, 0.0]), plsym.Ball(rng.uniform(-1, 1, 2), float(rng.choice([10.0, 100.0]))), False
    c = rng.uniform(-1, 1, 2)
    outs = [sympy.Abs(w1 - sympy.nsimplify(float(c[0]))) + w2, w1 * w2]
    return plsym.System(outs, [w1, w2], [0.0, 0.0]), plsym.Ball(c, float(rng.choice([0.01, 0.5]))), False


def dense_values(s, ball, samples, seed):
    pts = np.vstack([ball.sample(samples, rng=seed), ball.sample(samples // 4, rng=seed + 1, where="sphere"),
                     ball.center[None, :]])
    with np.errstate(all="ignore"):
        eig = np.linalg.eigvalsh(s.kernel(pts))
        L = s.loss(pts)
        g = s.grad(pts)
        pl = 0.5 * np.sum(g * g, 1)[L > 0] / L[L > 0]
        smooth = s._non_smooth_reason is None
        return {
            "kernel_min_eig": eig[:, 0].min(), "pl_constant": pl.min() if pl.size else np.inf,
            "hessian_norm": s.hessian_norm(pts).max() if smooth else np.nan,
            "lipschitz": np.sqrt(max(eig[:, -1].max(), 0)),
            "smoothness": s.loss_hessian_norm(pts).max() if smooth else np.nan,
            "residual_norm": np.linalg.norm(s.residual(pts), axis=1).max(),
        }


def run(cases=1000, seed=0, samples=2000, max_boxes=150, adversarial=0, part=(0, 1)):
    """The campaign; ``part=(i, k)`` checks only the cases c with c % k == i (every case is still
    drawn, so that the k parts together are the whole campaign)."""
    i, k = part
    rng = np.random.default_rng(seed)
    certified = {q: 0 for q in QUANTITIES}
    per_family = {f: 0 for f in FAMILIES}
    violations = []
    start = time.perf_counter()
    checked = 0
    for c in range(cases + adversarial):
        if c < cases:
            s, ball = random_case(rng)
            family, off_domain = "random", False
        else:
            family = FAMILIES[(c - cases) % len(FAMILIES)]
            s, ball, off_domain = adversarial_case(rng, family)
        if c % k != i:
            continue
        checked += 1
        dense = dense_values(s, ball, samples, seed + c)
        for q, kind in QUANTITIES.items():
            b = getattr(certify, q)(s, ball, max_boxes=max_boxes, max_seconds=10)
            if not b.certified:
                continue
            certified[q] += 1
            if family != "random":
                per_family[family] += 1
            if off_domain:  # the outputs as written are undefined somewhere on this ball
                violations.append((c, family, q, b.value, "certified off the domain"))
                continue
            if not np.isfinite(dense[q]):
                continue
            # dense[q] is a float64 evaluation: allow its rounding error (1e-11 relative), not more
            slack = 1e-11 * max(abs(dense[q]), 1.0)
            bad = b.value > dense[q] + slack if kind == "lower" else b.value < dense[q] - slack
            if bad:
                violations.append((c, family, q, b.value, dense[q]))
    return {"cases": checked, "certified": certified, "per_family": per_family, "violations": violations,
            "seconds": time.perf_counter() - start}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--samples", type=int, default=2000)
    p.add_argument("--max-boxes", type=int, default=150)
    p.add_argument("--adversarial", type=int, default=len(FAMILIES) * 20)
    a = p.parse_args(argv)
    r = run(a.cases, a.seed, a.samples, a.max_boxes, a.adversarial)
    print(f"{r['cases']} cases ({a.adversarial} adversarial), seed {a.seed}, {a.samples} samples each, "
          f"max_boxes {a.max_boxes}: {sum(r['certified'].values())} certified bounds {r['certified']}, "
          f"of them in the adversarial families {r['per_family']}, "
          f"{len(r['violations'])} violations, {r['seconds']:.0f} s")
    for v in r["violations"]:
        print("VIOLATION", v)
    return 1 if r["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
