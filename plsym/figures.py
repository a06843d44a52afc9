"""The report's figures, drawn from the series that theorem checks carry."""

from __future__ import annotations

import numpy as np

__all__ = ["FIGURES", "gd_against_bound", "hessian_against_width", "kernel_against_width"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _margins(fig, *, left=0.14, top=0.9, wspace=0.2):
    """Fixed margins that fit the labels of these figures (automatic layout measures every text
    extent, about a second per figure)."""
    fig.subplots_adjust(left=left, right=0.97, bottom=0.14, top=top, wspace=wspace)


def gd_against_bound(check, path):
    """GD loss L(w_t) against the T14 bound (1 - eta mu)^t L(w0), log scale."""
    plt = _plt()
    s = check.series
    t = np.arange(len(s["losses"]))
    fig, ax = plt.subplots(figsize=(5, 3.5))
    pos = s["losses"] > 0
    ax.semilogy(t[pos], s["losses"][pos], "o-", label="GD loss L(w_t)")
    ax.semilogy(t, s["bound"], "--", label=f"T14 bound (1 - eta mu)^t L(w0), rate {s['rate']:.3f}")
    ax.set_xlabel("step t")
    ax.set_ylabel("loss")
    ax.set_title(f"{check.id} on {check.system}")
    ax.legend(fontsize=8)
    _margins(fig)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def hessian_against_width(check, path):
    """sup ||H_F|| on the ball against width, log-log, with the fitted slope and the paper's -1/2."""
    plt = _plt()
    s = check.series
    w = np.asarray(s["widths"], float)
    h = np.asarray(s["hessian_sup"], float)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.loglog(w, h, "o-", label=f"sup_B ||H_F||, fitted slope {s['slope']:.3f}")
    ax.loglog(w, h[0] * (w / w[0]) ** -0.5, "--", label="slope -1/2 (T19)")
    if "hessian_at_w0" in s:
        ax.loglog(w, s["hessian_at_w0"], "s:", label="||H_F(W0)||")
    ax.set_xlabel("width m")
    ax.set_ylabel("Hessian spectral norm")
    ax.set_title(f"{check.id}: transition to linearity (R = {s.get('R', '?')})")
    ax.legend(fontsize=8)
    _margins(fig)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def kernel_against_width(check, path):
    """Left: lambda_min(K(W0)), inf_B lambda_min(K) and mu against width. Right: sup_t ||K(W_t) - K(W0)||
    along GD against width, with the margin lambda0 - mu that a kernel change may use up before
    lambda_min(K) can fall below mu (Weyl), and the ball radius R."""
    plt = _plt()
    s = check.series
    w = np.asarray(s["widths"], float)
    lam0, mu = np.asarray(s["lambda0"], float), np.asarray(s["mu"], float)
    radius = f"R = {s['R']:g}" if "R" in s else "R = ?"
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.semilogx(w, lam0, "o-", label="lambda_min(K(W0))")
    a.semilogx(w, s["lambda_min_ball"], "s-", label=f"inf over B(W0, R) of lambda_min(K), {radius}")
    a.semilogx(w, mu, "k--", label="mu (T20: mu-PL* when inf_B lambda_min >= mu)")
    a.set_xlabel("width m")
    a.set_ylabel("lambda_min")
    a.legend(fontsize=7)
    b.loglog(w, s["kernel_change"], "o-", label=f"sup_t ||K(W_t) - K(W0)||, slope {s['kernel_change_slope']:.3f}")
    b.loglog(w, s["kernel_change"][0] * (w / w[0]) ** -0.5, "--", label="slope -1/2 (C24)")
    margin = lam0 - mu
    keep = margin > 0
    b.loglog(w[keep], margin[keep], "k:", label="lambda0 - mu: change allowed before lambda_min < mu")
    b.set_xlabel("width m")
    b.set_ylabel("||K(W_t) - K(W0)||_2 along GD")
    b.set_title(f"along GD from W0 (ball of the left panel: {radius})", fontsize=9)
    b.legend(fontsize=7)
    fig.suptitle(f"{check.id}: wide networks stay well conditioned ({radius})")
    _margins(fig, left=0.08, top=0.84, wspace=0.3)
    fig.savefig(path, dpi=110)
    plt.close(fig)


FIGURES = {"T14": ("gd_loss_vs_T14_bound.png", gd_against_bound),
           "T19": ("hessian_norm_vs_width.png", hessian_against_width),
           "T20": ("kernel_vs_width.png", kernel_against_width)}
