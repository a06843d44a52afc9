"""The safe expression parser of spec files.

Oracles: sympy expressions built by hand for the same text, Python's own
precedence rules written out as numbers, and a Hypothesis property building the
text and its expected value side by side from one random tree.
"""

import math
import re

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from plsym import InvalidArgument
from plsym.parse import CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_LENGTH, parameters, parse

u, v = sympy.symbols("u v", real=True)  # plsym.parse.parameters makes real parameters
P = parameters(["u", "v"])


GOOD = [
    # (text, expected sympy expression)
    ("u", u),
    ("  u\t*\nv ", u * v),
    ("v*tanh(0.5*u) + v*tanh(-1.3*u)", v * sympy.tanh(sympy.Rational(1, 2) * u) + v * sympy.tanh(sympy.Rational(-13, 10) * u)),  # exact decimals
    ("u**2 - 3*u*v + 1", u**2 - 3 * u * v + 1),
    ("u/v/2", u / v / 2),
    ("-u**2", -(u**2)),
    ("(-u)**2", u**2),
    ("u**-1", 1 / u),
    ("+u - -v", u + v),
    ("sigmoid(u)", 1 / (1 + sympy.exp(-u))),
    ("softplus(v)", sympy.log(1 + sympy.exp(v))),
    ("sqrt(u) + abs(v) + erf(u)", sympy.sqrt(u) + sympy.Abs(v) + sympy.erf(u)),
    ("exp(log(v) + sin(cos(tan(u))))", sympy.exp(sympy.log(v) + sympy.sin(sympy.cos(sympy.tan(u))))),
    ("atan(u) + asinh(v) + sinh(u) + cosh(v)", sympy.atan(u) + sympy.asinh(v) + sympy.sinh(u) + sympy.cosh(v)),
    ("pi*u", sympy.pi * u),
    ("1e8*u + 1e-8*v", sympy.Integer(10**8) * u + sympy.Rational(1, 10**8) * v),
    (".5*u + 2.*v + 3E2", sympy.Rational(1, 2) * u + 2 * v + 300),
    ("1/3", sympy.Rational(1, 3)),
    ("u**1000", u**1000),
]


@pytest.mark.parametrize("text,expected", GOOD, ids=[t for t, _ in GOOD])
def test_parses_to_the_expected_sympy_expression(text, expected):
    # function nodes are kept as written (tanh(-x) stays tanh(-x)); doit() applies sympy's rewriting
    assert parse(text, P).doit() == expected


# Python's precedence and associativity, as numbers (exact: integers and rationals).
PRECEDENCE = [
    ("-2**2", -4), ("(-2)**2", 4), ("2**3**2", 512), ("2**-1", sympy.Rational(1, 2)), ("-2**-2", sympy.Rational(-1, 4)),
    ("1-2-3", -4), ("8/4/2", 1), ("2*3+4", 10), ("2+3*4", 14), ("2*3**2", 18), ("-3*-2", 6), ("--2", 2),
    ("2**2**-1", sympy.sqrt(2)), ("(1+2)*(3-4)/(5)", sympy.Rational(-3, 5)),
]


@pytest.mark.parametrize("text,value", PRECEDENCE, ids=[t for t, _ in PRECEDENCE])
def test_precedence_and_associativity_follow_python(text, value):
    assert parse(text, P) == value


BAD = [
    # (text, fragment of the message)
    ("w", r"name 'w' is not a declared parameter; declared parameters: u, v \(at position 0\)"),
    ("u + __builtins__", r"name '__builtins__' is not a declared parameter"),
    ("relu(u)", r"unknown function 'relu'; allowed functions: abs, acos"),
    ("exp(u, v)", r"function 'exp' takes exactly 1 argument, got 2"),
    ("exp()", r"function 'exp' takes exactly 1 argument, got 0"),
    ("exp", r"function 'exp' must be called"),
    ("u(v)", r"'u' is a parameter, not a function"),
    ("u.real", r"attribute access \('.'\) is not allowed \(at position 1\)"),
    ("(u).real", r"attribute access"),
    ("u[0]", r"'\[' is not allowed \(no subscripts\) \(at position 1\)"),
    ("'u'", r"\"'\" is not allowed \(no strings\) \(at position 0\)"),
    ('"u"', r"no strings"),
    ("lambda: u", r"keyword 'lambda' is not allowed \(at position 0\)"),
    ("u if v else 1", r"keyword 'if' is not allowed \(at position 2\)"),
    ("None", r"keyword 'None'"),
    ("u, v", r"',' is only allowed between the arguments of a function call \(at position 1\)"),
    ("(u, v)", r"',' is only allowed"),
    ("u^2", r"write \*\* for powers"),
    ("u // 2", r"floor division"),
    ("u == v", r"no assignments or comparisons"),
    ("u; v", r"one expression only"),
    ("u # comment", r"no comments"),
    ("2u", r"malformed number '2u'"),
    ("0x1f", r"malformed number '0x1f'"),
    ("1.2.3", r"malformed number"),
    ("u v", r"expected an operator before 'v'"),
    ("2(u)", r"'\(' after a value"),
    ("", r"the expression ended"),
    ("u +", r"the expression ended \(at position 3\)"),
    ("(u", r"'\(' is never closed \(at position 0\)"),
    ("u)", r"unexpected '\)'"),
    ("()", r"empty parentheses"),
    ("u**1001", r"the exponent 1001 is too large \(\|exponent\| <= 1000\)"),
    ("u**-5000", r"the exponent -5000 is too large"),
    ("(u**1000)**2", r"the exponent 2000 is too large"),
    ("1e301", r"the number 1e301 is too large"),
    ("1e-400", r"too small: it rounds to 0"),
    ("9" * 101, r"more than 100 characters"),
    ("10**400", r"out of floating-point range"),
    ("exp(800)", r"out of floating-point range"),
    ("1/0", r"division by zero \(at position 1\)"),
    ("u/(v-v)", r"division by zero"),
    ("0**-1", r"division by zero"),
    ("log(0)", r"not finite or not real"),
    ("sqrt(-1)", r"not finite or not real"),
    ("(-8)**(1/3)", r"is not a real number"),
    ("é", r"unexpected character 'é'"),
    ("u\x00", r"unexpected character"),
    ("(" * (MAX_DEPTH + 1) + "u" + ")" * (MAX_DEPTH + 1), rf"nested deeper than {MAX_DEPTH} levels"),
    ("-" * (MAX_DEPTH + 1) + "u", r"nested deeper"),
    ("u" + "**u" * (MAX_DEPTH + 1), r"nested deeper"),
    ("u+" * (MAX_LENGTH // 2) + "u", rf"at most {MAX_LENGTH} are allowed"),
]


@pytest.mark.parametrize("text,pattern", BAD, ids=[t[:30] for t, _ in BAD])
def test_bad_expressions_raise_invalid_argument_naming_the_token(text, pattern):
    with pytest.raises(InvalidArgument, match=pattern):
        parse(text, P, where="outputs[0]")


def test_messages_name_where_the_expression_came_from():
    with pytest.raises(InvalidArgument, match=r"^outputs\[3\]='w': name 'w'"):
        parse("w", P, where="outputs[3]")


def test_long_flat_sums_and_products_stay_fast_and_exact():
    n = 3000
    assert parse("+".join(["u"] * n), P) == n * u
    assert parse("*".join(["u"] * 999), P) == u**999


def test_depth_just_below_the_limit_is_accepted():
    depth = MAX_DEPTH - 1
    assert parse("(" * depth + "u" + ")" * depth, P) == u


def test_not_a_string():
    with pytest.raises(InvalidArgument, match=r"expression=3 must be a string"):
        parse(3, P)


PARAM_BAD = [
    ("u", r"params='u' must be a list of parameter names"),
    ([], r"params=\[\] is empty"),
    (["u", 3], r"params\[1\]=3 must be a string"),
    (["1u"], r"params\[0\]='1u' is not a valid parameter name"),
    (["u-v"], r"not a valid parameter name"),
    (["é"], r"not a valid parameter name"),
    (["x" * 101], r"at most 100 characters"),
    (["lambda"], r"params\[0\]='lambda' is a Python keyword"),
    (["exp"], r"params\[0\]='exp' is the name of a function or constant"),
    (["pi"], r"reserved names: abs"),
    (["__class__"], r"starts with '__'"),
    (["u", "u"], r"the parameter 'u' twice"),
]


@pytest.mark.parametrize("names,pattern", PARAM_BAD, ids=[repr(n)[:30] for n, _ in PARAM_BAD])
def test_bad_parameter_names(names, pattern):
    with pytest.raises(InvalidArgument, match=pattern):
        parameters(names)


def test_every_function_and_constant_is_reserved_and_callable():
    for name in FUNCTIONS:
        e = parse(f"{name}(u)", P)
        assert e.free_symbols == {u}
    for name in CONSTANTS:
        assert parse(name, P).free_symbols == set()


# -- properties: text and value built side by side ------------------------------------------

_LEAVES = st.sampled_from([("u", u), ("v", v), ("2", sympy.Integer(2)), ("0.5", sympy.Rational(1, 2)), ("3", sympy.Integer(3))])
_UNARY = ["exp", "tanh", "sin", "sigmoid", "atan"]


def _extend(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(_binary)
    unary = st.tuples(st.sampled_from(_UNARY), children).map(lambda t: (f"{t[0]}({t[1][0]})", FUNCTIONS[t[0]](t[1][1])))
    neg = children.map(lambda c: (f"-({c[0]})", -c[1]))
    square = children.map(lambda c: (f"({c[0]})**2", c[1] ** 2))
    return binary | unary | neg | square


def _binary(t):
    (a, ea), op, (b, eb) = t
    value = {"+": ea + eb, "-": ea - eb, "*": ea * eb, "/": ea / eb}[op]
    return f"({a}) {op} ({b})", value


TREES = st.recursive(_LEAVES, _extend, max_leaves=12)


def _at(e, point):
    with sympy.evaluate(True):
        return complex(e.xreplace({u: sympy.Float(point[0]), v: sympy.Float(point[1])}).evalf())


@given(TREES, st.tuples(st.floats(0.1, 2.0), st.floats(0.1, 2.0)))
def test_parse_agrees_with_the_tree_it_was_printed_from(tree, point):
    text, expected = tree
    try:
        got = parse(text, P)
    except InvalidArgument as exc:  # only the numeric guards may refuse a well-formed tree
        assert re.search(r"division by zero|not finite|not a real number|out of floating-point range|too large", str(exc))
        return
    a, b = _at(got, point), _at(expected, point)
    if all(math.isfinite(x) for x in (a.real, a.imag, b.real, b.imag)):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


_ALPHABET = "uv0123456789.+-*/()[]{},;:'\"_ eE^#=<>!@%&|~`\\abcdfghjklmnopqrstwxyzlambdaexec"


@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_arbitrary_text_either_parses_or_raises_invalid_argument(text):
    try:
        e = parse(text, P)
    except InvalidArgument as exc:
        assert "at position" in str(exc) or "characters" in str(exc)
        return
    assert isinstance(e, sympy.Expr)
    assert e.free_symbols <= {u, v}

