"""A safe parser from expression text to sympy, for the outputs of spec files.

The text is read by plsym's own tokenizer and recursive-descent parser over a
whitelisted grammar, and the sympy expression is built node by node from it.
Nothing here hands text to ``eval``, ``exec``, ``compile``, ``sympify``,
``parse_expr`` or the ``ast`` module, so a spec file cannot run code::

    expr    := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("+" | "-") unary | power
    power   := atom ("**" unary)?            # right-associative, as in Python
    atom    := NUMBER | PARAM | "pi" | FUNCTION "(" expr ")" | "(" expr ")"

so ``-x**2`` is ``-(x**2)`` and ``2**-1`` is ``1/2``, as in Python. NUMBER is
decimal (``3``, ``0.5``, ``.5``, ``1e-3``); PARAM is a declared parameter name.
"""

from __future__ import annotations

import keyword
import fractions
import math
import re

import sympy

from .domain import node_conditions
from .errors import InvalidArgument, _show

__all__ = ["FUNCTIONS", "CONSTANTS", "parse", "parameters", "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "MAX_NUMBER"]

# Limits on what a spec may ask the parser to build ("absurd sizes").
MAX_LENGTH = 10_000        # characters in one expression
MAX_DEPTH = 100            # nesting of parentheses, calls, unary signs and powers
MAX_EXPONENT = 1000        # |exponent| of a power whose exponent is a number
MAX_NUMBER = 1e300         # |value| of any numeric literal or constant subexpression
_MAX_NUMBER_CHARS = 100    # characters in one numeric literal
_MAX_NAME_CHARS = 100      # characters in one parameter name


def _sigmoid(x):
    return 1 / (1 + sympy.exp(-x, evaluate=False))


def _softplus(x):
    return sympy.log(1 + sympy.exp(x, evaluate=False), evaluate=False)


def _unevaluated(cls):
    """A builder of ``cls(x)`` left as written: sympy's automatic rewriting of nested
    functions queries assumptions in time exponential in the nesting depth."""
    return lambda x: cls(x, evaluate=False)


# name -> sympy builder of one argument. Every function takes exactly one argument.
FUNCTIONS = {
    "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "abs": sympy.Abs,
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "asinh": sympy.asinh, "acosh": sympy.acosh, "atanh": sympy.atanh,
    "erf": sympy.erf, "sigmoid": _sigmoid, "softplus": _softplus,
}
_BUILD = {name: (_unevaluated(f) if isinstance(f, type) else f) for name, f in FUNCTIONS.items()}
CONSTANTS = {"pi": sympy.pi}

_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SPACE = " \t\r\n"
# Characters refused on sight, with why.
_REFUSED = {
    "'": "no strings", '"': "no strings", "[": "no subscripts", "]": "no subscripts",
    "{": "no braces", "}": "no braces", "^": "write ** for powers",
    "=": "no assignments or comparisons", "<": "no comparisons", ">": "no comparisons",
    ":": "no lambdas, slices or annotations", ";": "one expression only", "#": "no comments",
    "!": "not an operator here", "@": "not an operator here", "%": "not an operator here",
    "&": "not an operator here", "|": "not an operator here", "~": "not an operator here",
    "\\": "no escapes", "`": "no backquotes", "$": "not an operator here", "?": "not an operator here",
}


def parameters(names, *, where="params"):
    """sympy Symbols for parameter names, checked to be usable in expressions.

    Parameters
    ----------
    names : sequence of str
        Each a plain ASCII identifier, not a Python keyword, not a function or
        constant name of :data:`FUNCTIONS` / :data:`CONSTANTS`, not starting with
        ``__``, and all distinct.
    where : str
        How the sequence is named in error messages.

    Returns
    -------
    tuple of sympy.Symbol

    Raises
    ------
    InvalidArgument
        Naming the first bad entry and what is allowed.
    """
    if isinstance(names, (str, bytes)) or not isinstance(names, (list, tuple)):
        raise InvalidArgument(f"{where}={_show(names)} must be a list of parameter names (strings)")
    if not names:
        raise InvalidArgument(f"{where}=[] is empty; a system needs at least one parameter")
    seen = set()
    for j, name in enumerate(names):
        label = f"{where}[{j}]={_show(name)}"
        if not isinstance(name, str):
            raise InvalidArgument(f"{label} must be a string")
        if not _IDENTIFIER.match(name) or len(name) > _MAX_NAME_CHARS:
            raise InvalidArgument(
                f"{label} is not a valid parameter name: use letters, digits and _ "
                f"(not starting with a digit, at most {_MAX_NAME_CHARS} characters)"
            )
        if keyword.iskeyword(name):
            raise InvalidArgument(f"{label} is a Python keyword; choose another parameter name")
        if name.startswith("__"):
            raise InvalidArgument(f"{label} starts with '__'; such names are reserved")
        if name in FUNCTIONS or name in CONSTANTS:
            raise InvalidArgument(
                f"{label} is the name of a function or constant; reserved names: "
                f"{', '.join(sorted(FUNCTIONS) + sorted(CONSTANTS))}"
            )
        if name in seen:
            raise InvalidArgument(f"{where} has the parameter {name!r} twice; parameters must be distinct")
        seen.add(name)
    return tuple(sympy.Symbol(name, real=True) for name in names)


def parse(text, params, *, where="expression", domain=None):
    """The sympy expression that ``text`` denotes, over the declared ``params``.

    Parameters
    ----------
    text : str
        An expression of the grammar in the module docstring, at most
        :data:`MAX_LENGTH` characters.
    params : sequence of sympy.Symbol
        The declared parameters (from :func:`parameters`); no other name may occur
        except the functions of :data:`FUNCTIONS` and the constant ``pi``.
    where : str
        How the expression is named in error messages (``"outputs[0]"``).
    domain : list, optional
        When given, the domain conditions of the expression as written
        (:class:`plsym.domain.Condition`: log and sqrt arguments, divisors,
        acosh/atanh/asin/acos ranges, fractional powers) are appended to it,
        recorded node by node before sympy rewrites anything.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    InvalidArgument
        On anything outside the grammar, naming the offending token and its
        0-based position: undeclared names, unknown functions, attribute access,
        subscripts, strings, keywords, commas outside calls, wrong arity, nesting
        deeper than :data:`MAX_DEPTH`, numeric exponents above :data:`MAX_EXPONENT`,
        numbers beyond :data:`MAX_NUMBER`, constant subexpressions that are not
        finite real numbers (``1/0``, ``log(-1)``).

    Examples
    --------
    >>> import sympy
    >>> from plsym.parse import parameters, parse
    >>> u, v = parameters(["u", "v"])
    >>> parse("v*tanh(0.5*u) - u**2", [u, v])
    -u**2 + v*tanh(u/2)
    """
    if not isinstance(text, str):
        raise InvalidArgument(f"{where}={_show(text)} must be a string")
    if len(text) > MAX_LENGTH:
        raise InvalidArgument(f"{where} has {len(text)} characters; at most {MAX_LENGTH} are allowed")
    parser = _Parser(text, params, where)
    try:
        expr = parser.parse()
    except RecursionError:
        raise InvalidArgument(f"{where}={_show(text)}: the expression is too deeply nested for sympy "
                              f"(at most {MAX_DEPTH} levels, fewer for some functions)") from None
    if domain is not None:
        domain.extend(dict.fromkeys(parser.domain))
    return expr


class _Token:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos  # kind: "num", "name", "op", "end"


class _Parser:
    """Recursive descent over tokens read lazily, so errors come in reading order."""

    def __init__(self, text, params, where):
        self.text = text
        self.where = where
        self.params = {p.name: p for p in params}
        self.pos = 0          # next character to tokenize
        self.tok = None       # current token
        self.prev = None      # the token before it
        self.depth = 0
        self.domain = []      # conditions of the nodes as written (plsym.domain.Condition)
        self._advance()

    # -- errors ------------------------------------------------------------------
    def fail(self, message, pos):
        raise InvalidArgument(f"{self.where}={_show(self.text)}: {message} (at position {pos})")

    def _describe(self, tok):
        return "the end of the expression" if tok.kind == "end" else repr(tok.text)

    # -- tokenizer ---------------------------------------------------------------
    def _advance(self):
        self.prev = self.tok
        self.tok = self._next_token()

    def _next_token(self):
        text, i = self.text, self.pos
        while i < len(text) and text[i] in _SPACE:
            i += 1
        if i == len(text):
            self.pos = i
            return _Token("end", "", i)
        c = text[i]
        if c.isdigit() or (c == "." and i + 1 < len(text) and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            if m is None:  # a non-ASCII digit
                self.fail(f"unexpected character {c!r}", i)
            end = m.end()
            if end < len(text) and (text[end].isalnum() or text[end] in "._"):
                j = end
                while j < len(text) and (text[j].isalnum() or text[j] in "._"):
                    j += 1
                self.fail(f"malformed number {text[i:j]!r} (numbers are decimal, like 3, 0.5 or 1e-3; "
                          "write 2*u for a product)", i)
            self.pos = end
            return _Token("num", m.group(), i)
        if c.isalpha() or c == "_":
            m = _NAME.match(text, i)
            if m is None:  # a non-ASCII letter
                self.fail(f"unexpected character {c!r}; names are ASCII letters, digits and _", i)
            self.pos = m.end()
            return _Token("name", m.group(), i)
        if c == ".":
            if self.tok is not None and (self.tok.kind == "name" or self.tok.text == ")"):
                self.fail("attribute access ('.') is not allowed", i)
            self.fail("unexpected '.'", i)
        if text.startswith("**", i):
            self.pos = i + 2
            return _Token("op", "**", i)
        if text.startswith("//", i):
            self.fail("floor division '//' is not allowed", i)
        if c in "+-*/(),":
            self.pos = i + 1
            return _Token("op", c, i)
        if c in _REFUSED:
            self.fail(f"{c!r} is not allowed ({_REFUSED[c]})", i)
        self.fail(f"unexpected character {c!r}", i)

    # -- grammar -----------------------------------------------------------------
    def parse(self):
        expr = self.expr()
        if self.tok.kind != "end":
            self._unexpected(self.tok)
        return expr

    def _unexpected(self, tok):
        if tok.text == ",":
            self.fail("',' is only allowed between the arguments of a function call", tok.pos)
        if tok.kind == "name" and keyword.iskeyword(tok.text):
            self.fail(f"keyword {tok.text!r} is not allowed", tok.pos)
        if tok.text == "(" and self.prev is not None and (self.prev.kind in ("num", "name") or self.prev.text == ")"):
            self.fail("'(' after a value: calls are allowed only on the functions "
                      f"{', '.join(sorted(FUNCTIONS))}; write * for a product", tok.pos)
        if tok.kind in ("num", "name") or tok.text == "(":
            self.fail(f"expected an operator before {tok.text!r}; write * for a product", tok.pos)
        self.fail(f"unexpected {self._describe(tok)}", tok.pos)

    def _enter(self, pos):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"the expression is nested deeper than {MAX_DEPTH} levels", pos)

    def expr(self):
        """Sum of products; the terms are collected and summed once."""
        start = self.tok.pos
        terms = [self.product()]
        while self.tok.text in ("+", "-"):
            op = self.tok
            self._advance()
            term = self.product()
            terms.append(term if op.text == "+" else self._neg(term, op.pos))
        return terms[0] if len(terms) == 1 else self._number_ok(sympy.Add(*terms), start)

    def product(self):
        """Product of factors; a division is a factor to the power -1."""
        start = self.tok.pos
        factors = [self.unary()]
        while self.tok.text in ("*", "/"):
            op = self.tok
            self._advance()
            factor = self.unary()
            if op.text == "/":
                if factor.is_zero:
                    self.fail("division by zero", op.pos)
                self.domain += node_conditions(sympy.Pow(factor, -1, evaluate=False))
                factor = self._pow(factor, sympy.Integer(-1), op.pos)
            factors.append(factor)
        return factors[0] if len(factors) == 1 else self._number_ok(sympy.Mul(*factors), start)

    def unary(self):
        tok = self.tok
        if tok.text in ("+", "-"):
            self._enter(tok.pos)
            self._advance()
            operand = self.unary()
            self.depth -= 1
            return operand if tok.text == "+" else self._neg(operand, tok.pos)
        return self.power()

    def power(self):
        base = self.atom()
        if self.tok.text != "**":
            return base
        op = self.tok
        self._enter(op.pos)
        self._advance()
        exponent = self.unary()
        self.depth -= 1
        return self._pow(base, exponent, op.pos)

    def atom(self):
        tok = self.tok
        if tok.kind == "num":
            self._advance()
            return self._number(tok)
        if tok.kind == "name":
            if keyword.iskeyword(tok.text):  # before reading on: `lambda:` fails on the keyword
                self.fail(f"keyword {tok.text!r} is not allowed", tok.pos)
            self._advance()
            if self.tok.text == "(":
                return self._call(tok)
            if tok.text in self.params:
                return self.params[tok.text]
            if tok.text in CONSTANTS:
                return CONSTANTS[tok.text]
            if tok.text in FUNCTIONS:
                self.fail(f"function {tok.text!r} must be called, as {tok.text}(...)", tok.pos)
            declared = ", ".join(self.params) or "(none)"
            self.fail(f"name {tok.text!r} is not a declared parameter; declared parameters: {declared}", tok.pos)
        if tok.text == "(":
            self._enter(tok.pos)
            self._advance()
            inner = self.expr()
            self._expect(")", tok)
            self.depth -= 1
            return inner
        if tok.kind == "end":
            self.fail("expected a number, a parameter, a function call or '(' but the expression ended", tok.pos)
        if tok.text == ")" and self.prev is not None and self.prev.text == "(":
            self.fail("empty parentheses '()' are not allowed", self.prev.pos)
        self.fail(f"expected a number, a parameter, a function call or '(' but found {self._describe(tok)}", tok.pos)

    def _call(self, name):
        if name.text not in FUNCTIONS:
            if name.text in self.params:
                self.fail(f"{name.text!r} is a parameter, not a function; write {name.text}*(...) for a product",
                          name.pos)
            self.fail(f"unknown function {name.text!r}; allowed functions: {', '.join(sorted(FUNCTIONS))}", name.pos)
        open_ = self.tok
        self._enter(open_.pos)
        self._advance()
        args = []
        if self.tok.text != ")":
            args.append(self.expr())
            while self.tok.text == ",":
                self._advance()
                args.append(self.expr())
        self._expect(")", open_)
        self.depth -= 1
        if len(args) != 1:
            self.fail(f"function {name.text!r} takes exactly 1 argument, got {len(args)}", name.pos)
        if name.text in FUNCTIONS and isinstance(FUNCTIONS[name.text], type) or name.text == "sqrt":
            written = FUNCTIONS[name.text](args[0], evaluate=False)
            self.domain += node_conditions(written)
        return self._number_ok(_BUILD[name.text](args[0]), name.pos)

    def _expect(self, text, opener):
        if self.tok.text == text:
            self._advance()
            return
        if self.tok.kind == "end":
            self.fail(f"{opener.text!r} is never closed", opener.pos)
        self._unexpected(self.tok)

    # -- building sympy, with the numeric guards ---------------------------------
    def _number(self, tok):
        if len(tok.text) > _MAX_NUMBER_CHARS:
            self.fail(f"the number {tok.text[:20]}... has more than {_MAX_NUMBER_CHARS} characters", tok.pos)
        if re.fullmatch(r"[0-9]+", tok.text):
            value = sympy.Integer(int(tok.text))
            if abs(value) > MAX_NUMBER:
                self.fail(f"the number {tok.text[:20]} is too large (|x| <= {MAX_NUMBER:g})", tok.pos)
            return value
        x = float(tok.text)  # safe: the text matched the decimal grammar above
        if not math.isfinite(x) or abs(x) > MAX_NUMBER:
            self.fail(f"the number {tok.text} is too large (|x| <= {MAX_NUMBER:g})", tok.pos)
        if x == 0.0 and re.search(r"[1-9]", tok.text.split("e")[0].split("E")[0]):
            self.fail(f"the number {tok.text} is too small: it rounds to 0 in floating point", tok.pos)
        # the exact decimal the user wrote (1.3 is 13/10, not the nearest double), so that
        # certified bounds are about the system in the file; numeric code rounds it once
        frac = fractions.Fraction(tok.text)  # safe: the text matched the decimal grammar above
        return sympy.Rational(frac.numerator, frac.denominator)

    def _neg(self, e, pos):
        return self._number_ok(-e, pos)

    def _pow(self, base, exponent, pos):
        if exponent.is_Number:
            if abs(exponent) > MAX_EXPONENT:
                self.fail(f"the exponent {exponent} is too large (|exponent| <= {MAX_EXPONENT})", pos)
            if base.is_Number and base != 0 and abs(base) != 1:
                # Refuse before sympy works out a huge exact power.
                if float(abs(exponent)) * abs(math.log10(abs(float(base)))) > 300:
                    self.fail(f"the power {base}**{exponent} is out of floating-point range", pos)
        if base.is_zero and exponent.is_number and exponent.is_negative:
            self.fail("division by zero (0 to a negative power)", pos)
        self.domain += node_conditions(sympy.Pow(base, exponent, evaluate=False))
        result = self._number_ok(sympy.Pow(base, exponent), pos)
        if result.is_Pow and result.exp.is_Number and abs(result.exp) > MAX_EXPONENT:
            self.fail(f"the exponent {result.exp} is too large (|exponent| <= {MAX_EXPONENT})", pos)
        return result

    def _number_ok(self, e, pos):
        """``e``, after checking that it is a finite real number if it has no parameters."""
        if e.has(sympy.zoo, sympy.nan, sympy.oo, sympy.I):
            self.fail("the expression is not finite or not real here (division by zero, log(0), sqrt(-1)...)", pos)
        if e.free_symbols:
            return e
        try:
            x = float(e)
        except (TypeError, ValueError, OverflowError):
            self.fail(f"the constant {_show(e, 40)} is not a real number", pos)
        if not math.isfinite(x) and e.doit().has(sympy.zoo, sympy.nan, sympy.oo, sympy.I):
            self.fail("the expression is not finite or not real here (division by zero, log(0), sqrt(-1)...)", pos)
        if not math.isfinite(x) or abs(x) > MAX_NUMBER:
            self.fail(f"the constant {_show(e, 40)} is out of floating-point range (|x| <= {MAX_NUMBER:g})", pos)
        return e
