"""Planted false claims: constants 1-2% beyond the true ones on random small systems; print the find rate.

Usage: python scripts/planted_claims.py [--count 120] [--seed 0] [--max-examples 50] [--samples 128]

Each case is a random small system and ball (linear, polynomial, product and sphere
families, in turn) with one false claim planted: an infimum claimed 1-2% too high
(pl_star, kernel_min_eig) or a supremum claimed 1-2% too low (lipschitz,
hessian_norm, smoothness), or for linear systems a GD rate 1-2% too fast. The true
constant comes from a closed form (linear: A A^T; product: K = |w|^2; sphere:
K = 4 |w|^2, H_L = 4 w w^T + 2 (|w|^2 - y) I) or, for the polynomial systems and the
product's smoothness, from a thorough plsym.estimate search (4096 samples, 8
starts) whose witness makes the planted claim false for certain. Prints the find
rate of plsym.search.counterexample within the stated budget and the median time
per claim; exit 1 if any planted claim was missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

import numpy as np
import sympy

import plsym
from plsym import estimate, search
from plsym.systems import linear, product, sphere

FAMILIES = ("linear", "polynomial", "product", "sphere")


@dataclasses.dataclass(frozen=True)
class Case:
    """One planted claim: the system, the ball, the false claim and the true constant it exceeds."""

    label: str
    system: plsym.System
    ball: plsym.Ball
    claim: search.Claim
    true_value: float
    source: str  # "closed form" or "estimate"


def _unit(rng, m):
    u = rng.standard_normal(m)
    return u / np.linalg.norm(u)


def _plant(kind, true_value, factor):
    """The claim of ``kind`` with its constant moved a factor 1.01-1.02 to the false side."""
    if kind in ("pl_star", "kernel_min_eig"):  # infima: claim more
        return getattr(search, kind)(true_value * factor)
    return getattr(search, kind)(true_value / factor)  # suprema: claim less


def linear_case(rng, factor):
    n = int(rng.integers(1, 4))
    m = int(rng.integers(n, n + 4))
    A = rng.standard_normal((n, m))
    center = rng.standard_normal(m)
    R = float(rng.uniform(0.5, 2.0))
    w_star = center + 0.5 * R * _unit(rng, m)  # a solution inside the ball: r takes every direction
    s = linear(A, A @ w_star)
    eig = np.linalg.eigvalsh(A @ A.T)
    kind = str(rng.choice(["pl_star", "kernel_min_eig", "lipschitz", "smoothness", "linear_rate"]))
    if kind == "linear_rate":
        # T9: r_1 = (I - eta K) r_0, so the worst one-step ratio is max_i (1 - eta lambda_i)^2; a step
        # below 1/lambda_max keeps it positive even when n = 1 (where eta = 1/lambda_max solves in one step).
        eta = float(rng.uniform(0.5, 0.95)) / eig[-1]
        q = float(np.max((1 - eta * eig) ** 2))
        return Case(f"linear {n}x{m} {kind}", s, plsym.Ball(center, R), search.linear_rate(eta, q / factor, 1),
                    q, "closed form")
    true = {"pl_star": eig[0], "kernel_min_eig": eig[0], "lipschitz": np.sqrt(eig[-1]), "smoothness": eig[-1]}[kind]
    return Case(f"linear {n}x{m} {kind}", s, plsym.Ball(center, R), _plant(kind, float(true), factor),
                float(true), "closed form")


def _random_polynomial(rng):
    n = int(rng.integers(1, 3))
    m = int(rng.integers(max(2, n), 4))
    ws = sympy.symbols(f"w1:{m + 1}", real=True)
    outputs = []
    for i in range(n):
        terms = [ws[i % m]]  # a linear term keeps the Jacobian from vanishing identically
        for _ in range(int(rng.integers(1, 4))):
            idx = rng.integers(0, m, size=int(rng.integers(1, 4)))
            coef = int(rng.integers(1, 4)) * (1 if rng.random() < 0.5 else -1)
            terms.append(coef * sympy.Mul(*[ws[j] for j in idx]))
        outputs.append(sympy.Add(*terms))
    return plsym.System(outputs, ws, rng.uniform(-2, 2, n), name=f"polynomial(n={n}, m={m})")


def polynomial_case(rng, factor):
    while True:
        s = _random_polynomial(rng)
        ball = plsym.Ball(rng.uniform(-1.5, 1.5, s.m), float(rng.uniform(0.2, 0.8)))
        kinds = ["pl_star", "kernel_min_eig", "lipschitz", "hessian_norm", "smoothness"]
        while kinds:
            kind = str(rng.choice(kinds))
            quantity = "pl_constant" if kind == "pl_star" else kind
            e = getattr(estimate, quantity)(s, ball, samples=4096, starts=8, rng=0)
            # A constant 1-2% off a (near) zero one is a needle, not a claim about a
            # constant (and a zero Hessian cannot be undercut): draw another kind.
            if e.value > 1e-3 * max(1.0, abs(e.sampled_value)):
                return Case(f"{s.name} {kind}", s, ball, _plant(kind, e.value, factor), e.value, "estimate")
            kinds.remove(kind)


def product_case(rng, factor):
    y = float(rng.uniform(0.5, 3.0))
    center = float(rng.uniform(1.5, 4.0)) * _unit(rng, 2)
    R = float(rng.uniform(0.1, 0.6)) * np.linalg.norm(center)
    s, ball = product(y), plsym.Ball(center, R)
    c = float(np.linalg.norm(center))
    kind = str(rng.choice(["pl_star", "kernel_min_eig", "lipschitz", "hessian_norm", "smoothness"]))
    if kind == "smoothness":
        true, source = estimate.smoothness(s, ball, samples=4096, starts=8, rng=0).value, "estimate"
    else:  # K = |w|^2 (and the PL* ratio equals K: n = 1); ||H_F|| = 1
        true = {"pl_star": (c - R) ** 2, "kernel_min_eig": (c - R) ** 2, "lipschitz": c + R, "hessian_norm": 1.0}[kind]
        source = "closed form"
    return Case(f"product {kind}", s, ball, _plant(kind, true, factor), float(true), source)


def sphere_case(rng, factor):
    m = int(rng.integers(2, 5))
    y = float(rng.uniform(0.5, 2.0))
    center = float(rng.uniform(1.0, 3.0)) * _unit(rng, m)
    R = float(rng.uniform(0.1, 0.6)) * np.linalg.norm(center)
    s, ball = sphere(m, y), plsym.Ball(center, R)
    c = float(np.linalg.norm(center))
    lo, hi = (c - R) ** 2, (c + R) ** 2  # the range of |w|^2 on the ball
    # H_L = 4 w w^T + 2 (|w|^2 - y) I: eigenvalues 6 s - 2 y and 2 (s - y), s = |w|^2; convex in s
    smooth = max(max(abs(6 * t - 2 * y), abs(2 * t - 2 * y)) for t in (lo, hi))
    kind = str(rng.choice(["pl_star", "kernel_min_eig", "lipschitz", "hessian_norm", "smoothness"]))
    true = {"pl_star": 4 * lo, "kernel_min_eig": 4 * lo, "lipschitz": 2 * (c + R), "hessian_norm": 2.0,
            "smoothness": smooth}[kind]
    return Case(f"sphere(m={m}) {kind}", s, ball, _plant(kind, true, factor), float(true), "closed form")


BUILDERS = {"linear": linear_case, "polynomial": polynomial_case, "product": product_case, "sphere": sphere_case}


def cases(count=120, *, seed=0):
    """``count`` planted cases, the families in turn, each claim 1-2% beyond the true constant."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        factor = float(rng.uniform(1.01, 1.02))
        out.append(BUILDERS[FAMILIES[i % len(FAMILIES)]](rng, factor))
    return out


def run(planted, *, max_examples=50, samples=128):
    """Search every case; return (Counterexample, seconds) pairs."""
    results = []
    for i, case in enumerate(planted):
        start = time.perf_counter()
        ce = search.counterexample(case.system, case.ball, case.claim, max_examples=max_examples,
                                   samples=samples, rng=i)
        results.append((ce, time.perf_counter() - start))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--samples", type=int, default=128)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    planted = cases(args.count, seed=args.seed)
    built = time.perf_counter() - start
    results = run(planted, max_examples=args.max_examples, samples=args.samples)
    found = [ce.found for ce, _ in results]
    times = np.array([t for _, t in results])

    by_kind = {}
    for case, (ce, t) in zip(planted, results):
        key = (case.label.split()[0].split("(")[0], case.claim.kind)
        by_kind.setdefault(key, []).append(ce.found)
    for (family, kind), hits in sorted(by_kind.items()):
        print(f"{family:10s} {kind:15s} {sum(hits):3d}/{len(hits):3d} found")
    for case, (ce, _) in zip(planted, results):
        if not ce.found:
            print(f"MISSED {case.label}: true {case.true_value:.6g} ({case.source}); {ce.message}")
    print(f"planted claims: {len(planted)} (1-2% beyond the true constant), built in {built:.1f} s")
    print(f"find rate: {sum(found)}/{len(found)} = {100 * np.mean(found):.1f}% "
          f"(max_examples={args.max_examples}, samples={args.samples})")
    print(f"time per claim: median {1000 * np.median(times):.0f} ms, max {1000 * times.max():.0f} ms, "
          f"total {times.sum():.1f} s; Hypothesis examples per claim: median "
          f"{np.median([ce.examples_tried for ce, _ in results]):.0f}")
    return 0 if all(found) else 1


if __name__ == "__main__":
    sys.exit(main())
