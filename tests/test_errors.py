"""Every bad input raises InvalidArgument naming the argument."""

import numpy as np
import pytest
import sympy

import plsym
from plsym.systems import from_callable, linear, product, sphere

a, b = sympy.symbols("a b")
c = sympy.Symbol("c")
g = sympy.Function("g")


def good():
    return plsym.System([a * b], [a, b], [1.0])


BAD = [
    # (description, callable, pattern the message must contain)
    ("non-finite y", lambda: plsym.System([a * b], [a, b], [np.nan]), r"y contains nan"),
    ("infinite y", lambda: plsym.System([a * b], [a, b], [np.inf]), r"y contains inf"),
    ("y of wrong length", lambda: plsym.System([a * b], [a, b], [1.0, 2.0]), r"y has shape \(2,\).*\(1,\)"),
    ("scalar y for n=2", lambda: plsym.System([a, b], [a, b], 1.0), r"y=1.0 is a scalar"),
    ("string y", lambda: plsym.System([a], [a], "1"), r"y='1'"),
    ("non-finite center", lambda: plsym.Ball([0.0, np.inf], 1.0), r"center contains inf"),
    ("2-d center", lambda: plsym.Ball([[0.0]], 1.0), r"center has shape \(1, 1\)"),
    ("empty center", lambda: plsym.Ball([], 1.0), r"center=\[\] is empty"),
    ("negative radius", lambda: plsym.Ball([0.0], -1.0), r"radius=-1.0 must be a positive finite number"),
    ("zero radius", lambda: plsym.Ball([0.0], 0), r"radius=0.0 must be a positive"),
    ("nan radius", lambda: plsym.Ball([0.0], np.nan), r"radius=nan"),
    ("inf radius", lambda: plsym.Ball([0.0], np.inf), r"radius=inf"),
    ("string radius", lambda: plsym.Ball([0.0], "1"), r"radius='1'"),
    ("undeclared symbol", lambda: plsym.System([a * c], [a, b], [1.0]), r"outputs\[0\].*symbol\(s\) c .*not parameters"),
    ("duplicate parameters", lambda: plsym.System([a], [a, a], [1.0]), r"params has the parameter a twice"),
    ("parameter not a symbol", lambda: plsym.System([a], [a, a + 1], [1.0]), r"params\[1\]=a \+ 1 must be a sympy Symbol"),
    ("string output", lambda: plsym.System(["a*b"], [a, b], [1.0]), r"outputs\[0\]='a\*b' is a string"),
    ("list output", lambda: plsym.System([[a]], [a], [1.0]), r"outputs\[0\]=\[a\] must be a sympy expression"),
    ("bool output", lambda: plsym.System([True], [a], [1.0]), r"outputs\[0\]=True"),
    ("relational output", lambda: plsym.System([a > 1], [a], [1.0]), r"outputs\[0\]=a > 1 must be a sympy expression"),
    ("complex output", lambda: plsym.System([sympy.I * a], [a], [1.0]), r"outputs\[0\].*finite real"),
    ("undefined function", lambda: plsym.System([g(a)], [a], [1.0]), r"undefined function\(s\) g"),
    ("empty outputs", lambda: plsym.System([], [a], []), r"outputs=\[\] is empty"),
    ("empty params", lambda: plsym.System([sympy.Integer(1)], [], [1.0]), r"params=\[\] is empty"),
    ("outputs not a sequence", lambda: plsym.System(a * b, [a, b], [1.0]), r"outputs=a\*b must be a sequence"),
    ("point of wrong length", lambda: good().kernel([1.0, 2.0, 3.0]), r"w has shape \(3,\).*m=2"),
    ("point of wrong rank", lambda: good().F(np.zeros((2, 2, 2))), r"w has shape \(2, 2, 2\)"),
    ("nan point", lambda: good().loss([np.nan, 1.0]), r"w contains nan"),
    ("hvp direction of wrong shape", lambda: good().hvp([1.0, 2.0], [1.0]), r"v has shape \(1,\)"),
    ("Hessian through Abs", lambda: plsym.System([sympy.Abs(a)], [a], [0.0]).hessians([1.0]), r"Hessians .* Abs"),
    ("linear A not 2-d", lambda: linear([1.0, 2.0], [1.0]), r"A has shape \(2,\)"),
    ("linear y mismatch", lambda: linear(np.eye(2), [1.0]), r"y has shape \(1,\).*\(2,\)"),
    ("sphere m=0", lambda: sphere(0), r"m=0 must be an integer >= 1"),
    ("product nan y", lambda: product(np.nan), r"y contains nan"),
    ("product w0 of wrong shape", lambda: product(1.0, w0=[1.0]), r"w0 has shape \(1,\).*\(2\)"),
    ("callable F not callable", lambda: from_callable(3, m=1, n=1, y=[0.0]), r"F=3 must be callable"),
    ("callable wrong output shape", lambda: from_callable(lambda w: np.zeros(3), m=2, n=1, y=[0.0]).F([1.0, 2.0]), r"F returned shape \(3,\)"),
    ("name not a string", lambda: plsym.System([a], [a], [0.0], name=3), r"name=3 must be a string"),
]


@pytest.mark.parametrize("description,make,pattern", BAD, ids=[d for d, _, _ in BAD])
def test_bad_input_raises_invalid_argument(description, make, pattern):
    with pytest.raises(plsym.InvalidArgument, match=pattern):
        make()


def test_invalid_argument_is_a_value_error():
    assert issubclass(plsym.InvalidArgument, ValueError)
