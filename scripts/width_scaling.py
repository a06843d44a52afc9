"""Print lambda_min(K(w0)) and ||H_F(w0)|| of conv and resnet families against width (T22 measurements).

For each family (a template redrawn by ``plsym.systems.width_family`` at each
width, the same seed) it prints one row per width and the least-squares slope
of log ||H_F(w0)|| against log width. ``||H_F||`` is max_i ||H_{F_i}(w0)||_2 by
Lanczos on the matrix-free Hessian-vector product (a Ritz value: a lower bound
of the true norm up to tol 1e-10); lambda_min(K(w0)) is exact (eigvalsh of the
structured kernel). Both are at the initialization only: they are not the inf
and sup over a ball that docs/theory.md T22 speaks of::

    python scripts/width_scaling.py [--quick]
"""

from __future__ import annotations

import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from plsym.systems import conv, network_data, resnet, width_family  # noqa: E402
from plsym.theorems.wide import _loglog_slope  # noqa: E402 - one slope fit for every width study

SEED = 0


def templates(n=8):
    """The families measured: 1-D and 2-D CNNs (2 hidden convolutions) and a depth-2 ResNet, linear output."""
    rng = np.random.default_rng(SEED)
    signals = rng.standard_normal((n, 2, 8))   # 8 signals, 2 channels, length 8
    images = rng.standard_normal((n, 1, 4, 4))  # 8 images 4 x 4, one channel
    X, y = network_data(n, 8, rng=SEED)
    return {
        "conv1d k=3 pool": conv(signals, y, [1, 1], kernel_size=3),
        "conv2d k=3 pool": conv(images, y, [1, 1], kernel_size=3, dim=2),
        "conv1d k=3 flatten": conv(signals, y, [1, 1], kernel_size=3, readout="flatten"),
        "resnet depth 2": resnet(X, y, 1, 2),
    }


def main(argv):
    widths = [16, 64, 256] if "--quick" in argv else [16, 64, 256, 1024]
    print(f"seed {SEED}, n = 8 points, activation tanh, linear output; widths {widths}")
    for label, template in templates().items():
        ws = widths if template.__class__.__name__ == "ResNetSystem" else widths[:3]
        norms, lams = [], []
        for w, net in zip(ws, width_family(template, ws, rng=SEED)):
            start = time.perf_counter()
            lam = float(np.linalg.eigvalsh(net.kernel(net.w0))[0])
            norm = float(net.hessian_norm(net.w0))
            norms.append(norm)
            lams.append(lam)
            print(f"  {label:20s} width {w:5d}  m {net.m:8d}  lambda_min(K(w0)) {lam:9.4f}  "
                  f"||H_F(w0)|| {norm:.4e}  sqrt(width)*||H_F|| {np.sqrt(w) * norm:.3f}  "
                  f"({time.perf_counter() - start:.1f} s)")
        print(f"  {label:20s} log-log slope of ||H_F(w0)|| against width: {_loglog_slope(ws, norms):+.3f} "
              f"(widths {ws})")


if __name__ == "__main__":
    main(sys.argv[1:])
