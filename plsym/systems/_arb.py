"""Ball arithmetic at one point of a fully connected network, by its layers (never its sympy form).

A rigorous step of plsym (the ball-arithmetic confirmation of a gradient-descent
step, the residual bound at a centre) needs F and DF at a point in python-flint
``arb``. For a network of width 256 the sympy form has thousands of terms per
output and takes seconds to build and differentiate; the layers give the same
enclosures with matrix products: a forward pass ``z_j = W_j a_{j-1} / sqrt(d_j)``,
``a_j = sigma_j(z_j)``, and backpropagation for DF. Only the activation is
compiled from sympy, as a one-variable template (its value and derivative).
Every operation is in ``arb`` (weights and data are read exactly as floats,
``1/sqrt(d)`` is enclosed), so the results enclose the real F and DF.
"""

from __future__ import annotations

import functools

import sympy
from flint import arb, arb_mat

from .. import interval

__all__: list = []


@functools.lru_cache(maxsize=None)
def _activation_program(act):
    """The ArbProgram of (sigma(z), sigma'(z)) for an activation, from its one-variable sympy template."""
    z = sympy.Symbol("z")
    s = act.symbolic(z)
    return interval.ArbProgram([z], [s, sympy.diff(s, z)])


class NetworkPointProgram:
    """F - y and DF of a :class:`~plsym.systems.NetworkSystem` at ``arb`` points (the interface of certify's programs)."""

    def __init__(self, net):
        self.n, self.m = net.n, net.m
        self._shapes = net._mat_shapes
        self._offsets = net._offsets
        self._inv = [1 / arb(int(d)).sqrt() for d in net._dims[:-1]]
        self._acts = [_activation_program(a) for a in net._acts]  # raises interval.Unsupported without a rule
        self._X = [[arb(float(t)) for t in row] for row in net.X]
        self._y = [arb(float(t)) for t in net.y]

    def _layers(self, args):
        return [arb_mat([[args[o + r * b + c] for c in range(b)] for r in range(a)])
                for o, (a, b) in zip(self._offsets, self._shapes)]

    def _forward(self, layers, x):
        """Per layer: (sigma'(z_j) as a list, a_j as a column), from the input column a_0 = x."""
        a = arb_mat([[t] for t in x])
        tape = [(None, a)]
        for W, inv, act in zip(layers, self._inv, self._acts):
            z = (W * a) * inv
            pairs = [act([z[r, 0]]) for r in range(z.nrows())]
            a = arb_mat([[s] for s, _ in pairs])
            tape.append(([d for _, d in pairs], a))
        return tape

    def residual(self, args):
        """The enclosures of F_i(w) - y_i, i = 1..n."""
        layers = self._layers(args)
        return [self._forward(layers, x)[-1][1][0, 0] - yi for x, yi in zip(self._X, self._y)]

    def jacobian(self, args):
        """The enclosure of DF(w), an n x m ``arb_mat`` (backpropagation through the layers)."""
        layers = self._layers(args)
        rows = []
        for x in self._X:
            tape = self._forward(layers, x)
            row = [None] * self.m
            delta = arb_mat([[d] for d in tape[-1][0]])  # dF/dz_L (one output row)
            for j in range(len(layers) - 1, -1, -1):
                a_prev = tape[j][1]
                grad = (delta * a_prev.transpose()) * self._inv[j]  # dF/dW_j = delta a_{j-1}^T / sqrt(d_j)
                o, (a, b) = self._offsets[j], self._shapes[j]
                for r in range(a):
                    for c in range(b):
                        row[o + r * b + c] = grad[r, c]
                if j:
                    back = (layers[j].transpose() * delta) * self._inv[j]
                    delta = arb_mat([[tape[j][0][c] * back[c, 0]] for c in range(back.nrows())])
            rows.append(row)
        return arb_mat(rows)
