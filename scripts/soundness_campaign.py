"""Soundness campaign for plsym.certify: certified bounds against dense sampling on random systems.

Usage: python scripts/soundness_campaign.py [--cases 1000] [--seed 0] [--samples 2000] [--max-boxes 150]

For each random (system, ball) case (polynomial / tanh / exp systems, m <= 6, n <= 3), every
certified lower bound must be <= the minimum over dense samples, and every certified upper
bound >= the maximum. Prints the number of cases, of certified bounds per quantity, of
violations (must be 0) and the time; exit 1 on any violation.
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


def dense_values(s, ball, samples, seed):
    pts = np.vstack([ball.sample(samples, rng=seed), ball.sample(samples // 4, rng=seed + 1, where="sphere"),
                     ball.center[None, :]])
    eig = np.linalg.eigvalsh(s.kernel(pts))
    L = s.loss(pts)
    g = s.grad(pts)
    pl = 0.5 * np.sum(g * g, 1)[L > 0] / L[L > 0]
    return {
        "kernel_min_eig": eig[:, 0].min(), "pl_constant": pl.min() if pl.size else np.inf,
        "hessian_norm": s.hessian_norm(pts).max(), "lipschitz": np.sqrt(max(eig[:, -1].max(), 0)),
        "smoothness": s.loss_hessian_norm(pts).max(), "residual_norm": np.linalg.norm(s.residual(pts), axis=1).max(),
    }


def run(cases=1000, seed=0, samples=2000, max_boxes=150):
    rng = np.random.default_rng(seed)
    certified = {q: 0 for q in QUANTITIES}
    violations = []
    start = time.perf_counter()
    for c in range(cases):
        s, ball = random_case(rng)
        dense = dense_values(s, ball, samples, seed + c)
        for q, kind in QUANTITIES.items():
            b = getattr(certify, q)(s, ball, max_boxes=max_boxes, max_seconds=10)
            if not b.certified:
                continue
            certified[q] += 1
            # dense[q] is a float64 evaluation: allow its rounding error (1e-11 relative), not more
            slack = 1e-11 * max(abs(dense[q]), 1.0)
            bad = b.value > dense[q] + slack if kind == "lower" else b.value < dense[q] - slack
            if bad:
                violations.append((c, q, b.value, dense[q]))
    return {"cases": cases, "certified": certified, "violations": violations, "seconds": time.perf_counter() - start}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--samples", type=int, default=2000)
    p.add_argument("--max-boxes", type=int, default=150)
    a = p.parse_args(argv)
    r = run(a.cases, a.seed, a.samples, a.max_boxes)
    print(f"{r['cases']} cases, seed {a.seed}, {a.samples} samples each, max_boxes {a.max_boxes}: "
          f"{sum(r['certified'].values())} certified bounds {r['certified']}, "
          f"{len(r['violations'])} violations, {r['seconds']:.0f} s")
    for v in r["violations"]:
        print("VIOLATION", v)
    return 1 if r["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
