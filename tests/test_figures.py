"""The report's figures draw what their captions say (checked on the figure objects, not pixels)."""

import types

import numpy as np
import pytest


@pytest.fixture
def captured(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = []
    monkeypatch.setattr(plt, "close", lambda fig=None: figs.append(fig))
    return figs


def test_kernel_figure_labels_both_panels_and_draws_mu_and_R(tmp_path, captured):
    from plsym.figures import kernel_against_width

    widths = [64, 256, 1024]
    lam0 = [0.8, 0.9, 0.85]
    series = {"widths": widths, "lambda0": lam0, "lambda_min_ball": [0.6, 0.8, 0.82], "mu": [0.5 * x for x in lam0],
              "kernel_change": np.array([0.2, 0.1, 0.05]), "kernel_change_slope": -0.5, "R": 1.5}
    check = types.SimpleNamespace(id="T20", series=series)
    kernel_against_width(check, tmp_path / "k.png")
    assert (tmp_path / "k.png").stat().st_size > 1000
    (fig,) = captured
    left, right = fig.axes
    assert left.get_ylabel() and right.get_ylabel() == "||K(W_t) - K(W0)||_2 along GD"
    mu_line = [line for line in left.get_lines() if line.get_label().startswith("mu")]
    assert len(mu_line) == 1 and np.allclose(mu_line[0].get_ydata(), series["mu"])
    margin = [line for line in right.get_lines() if line.get_label().startswith("lambda0 - mu")]
    assert len(margin) == 1 and np.allclose(margin[0].get_ydata(), np.subtract(lam0, series["mu"]))
    assert "R = 1.5" in right.get_title()
