"""``plsym reproduce``: the paper's checks, run on its toy systems and a random network.

Until the theorem layer lands this checks C1 (the gradient identity) and T4
(uniform conditioning => PL*) by sampling, and says so in every row.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time

import numpy as np

from .ball import Ball

# Relative tolerance for the float identity C1 and the pointwise inequality C2
# (../shared/paper.md §6 asks for about 1e-9 on identities).
RTOL = 1e-9


@dataclasses.dataclass(frozen=True)
class Row:
    """One checked statement: what was claimed, what was measured, and how."""

    id: str
    statement: str
    system: str
    claimed: str
    measured: str
    method: str
    verdict: str
    seed: int

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def cases(seed: int):
    """The (system, ball) pairs checked: X1/X3 product, X2 sphere, a two-layer tanh net."""
    from .systems import network, product, sphere

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((6, 4))
    y = rng.standard_normal(6)
    net = network(X, y, [64], activation="tanh", seed=seed)
    return [
        (product(2.9), Ball([3.0, 1.0], 0.5)),
        (sphere(3, 1.0), Ball([0.6, 0.5, 0.4], 0.3)),
        (net, Ball(net.w0, 1.0)),
    ]


def check_c1(system, points, seed) -> Row:
    """C1: ||grad L||^2 = r^T K r at every sampled point."""
    g = system.grad(points)
    r = system.residual(points)
    K = system.kernel(points)
    lhs = np.sum(g * g, axis=1)
    rhs = np.einsum("kn,knm,km->k", r, K, r)
    err = np.max(np.abs(lhs - rhs) / np.maximum(np.abs(rhs), np.finfo(float).tiny))
    return Row("C1", "||grad L||^2 = r^T K r (gradient identity)", system.name, "0 (identity)",
               f"max rel. error {err:.1e}", f"sampled, {len(points)} pts",
               "holds" if err <= RTOL else "refuted", seed)


def check_t4(system, points, seed) -> Row:
    """T4: with mu = min lambda_min(K) over the sample, 1/2 ||grad L||^2 >= mu L there."""
    lam = np.linalg.eigvalsh(system.kernel(points))[:, 0]
    loss = system.loss(points)
    g = system.grad(points)
    half_sq = 0.5 * np.sum(g * g, axis=1)
    keep = loss > 0
    ratio = half_sq[keep] / loss[keep]
    mu = lam.min()
    pointwise = np.all(half_sq >= lam * loss * (1 - RTOL) - 1e-300)
    uniform = ratio.min() >= mu * (1 - RTOL)
    verdict = "holds" if (pointwise and uniform) else "refuted"
    return Row("T4", "lambda_min(K) >= mu on S  =>  1/2||grad L||^2 >= mu L on S", system.name,
               f"mu = {mu:.6g} (lower)", f"min 1/2||grad L||^2/L = {ratio.min():.6g}",
               f"sampled, {len(points)} pts", verdict, seed)


def run(*, out="plsym-report", quick=False, strict=False, seed=0, stream=None) -> int:
    """Run every check, print a table to ``stream``, write ``out``/report.{md,json}; return the exit code."""
    k = 256 if quick else 4096
    rows = []
    start = time.perf_counter()
    for system, ball in cases(seed):
        pts = np.vstack([ball.sample(k, rng=seed, where="interior"), ball.sample(k // 4, rng=seed + 1, where="sphere")])
        for check in (check_c1, check_t4):
            row = check(system, pts, seed)
            rows.append(row)
            if stream is not None:
                print(f"{row.id:4} {row.system:14} {row.verdict:8} {row.measured}  [{row.method}]", file=stream, flush=True)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report.json"), "w") as fh:
        json.dump([r.to_dict() for r in rows], fh, indent=2)
    with open(os.path.join(out, "report.md"), "w") as fh:
        fh.write("| id | statement | system | claimed | measured | method | verdict |\n|---|---|---|---|---|---|---|\n")
        for r in rows:
            fh.write(f"| {r.id} | {r.statement} | {r.system} | {r.claimed} | {r.measured} | {r.method} | {r.verdict} |\n")
    refuted = [r for r in rows if r.verdict == "refuted"]
    if stream is not None:
        print(f"{len(rows)} checks, {len(refuted)} refuted, {time.perf_counter() - start:.1f} s; "
              f"report in {os.path.join(out, 'report.md')} (sampled checks hold at the points tried; nothing here is certified)",
              file=stream)
    return 1 if (strict and refuted) else 0
