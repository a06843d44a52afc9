"""Hostile input: the reproductions of known attacks and edge cases, each a regression test.

``HOSTILE`` is the campaign: every entry is one command line (with the files it
needs) and the exit code and message fragment it must give. ``scripts/reliability.py``
runs all of it, each in a child process under a memory ceiling and a timeout; the
tests below run a fast subset in-process, plus the API-level reproductions.
"""

from __future__ import annotations

import fractions
import math
import os
import pathlib
import re
import stat

import numpy as np
import pytest
import sympy

import plsym
from plsym import InvalidArgument, certify
from plsym import spec as specs
from plsym.ball import MAX_COORDINATE, scaled_norm
from plsym.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]


# -- spec builders ------------------------------------------------------------------------------

def spec(outputs, params=("w1", "w2"), *, targets=None, center=None, radius=0.1, claims=None):
    """The text of a spec file."""
    params = list(params)
    targets = [0.0] * len(outputs) if targets is None else targets
    center = [0.0] * len(params) if center is None else center
    claims = {"lipschitz": 1e6} if claims is None else claims
    q = lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"  # noqa: E731
    text = (f"params = {q(params)}\noutputs = {q(outputs)}\ntargets = {list(map(float, targets))!r}\n"
            f"[ball]\ncenter = {list(map(float, center))!r}\nradius = {radius!r}\n[claims]\n")
    return text + "".join(f"{k} = {v!r}\n" for k, v in claims.items())


def matrix_spec(n, m, radius=0.1):
    rows = ", ".join("[" + ", ".join("1" if i == j else "0" for j in range(m)) + "]" for i in range(n))
    return (f"matrix = [{rows}]\ntargets = {[0.0] * n!r}\n[ball]\ncenter = {[0.0] * m!r}\nradius = {radius!r}\n"
            "[claims]\nlipschitz = 2.0\n")


def nested(fn, depth, inner="0.3*w1 + 0.1"):
    text = inner
    for _ in range(depth):
        text = f"{fn}({text})"
    return text


def dense_quadratic(n, m):
    return [" + ".join(f"w{j}*w{(i + j) % m}" for j in range(m)) for i in range(n)]


# A file in the case's directory: (name, text) or (name, "fifo") / (name, "dir").
def _write(tmp, name, content):
    path = tmp / name
    if content == "fifo":
        os.mkfifo(path)
    elif content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


# -- the campaign ---------------------------------------------------------------------------------
# (id, {file name: content}, argv (file names are replaced by their paths), exit code, regex of the
#  output (stdout + stderr), fast: run in the test suite)

def _case(cid, files, argv, code, pattern, fast=False):
    return (cid, files, argv, code, pattern, fast)


UNDEF = r": undefined; "  # the verdict line of a claim
CERT = ["--level", "certified", "--samples", "128"]
FAST = ["--samples", "128"]

DOMAIN_TRAPS = [
    # sympy rewrites these on construction; the domain of the text as written must survive
    _case("exp(log(w1)) at w1 = 0, certified", {"s.toml": spec(["exp(log(w1))", "w2"])}, ["check", "s.toml", *CERT],
          1, r"lipschitz <= 1e\+06: undefined; the domain condition w1 > 0 \(from log\(w1\)\)", True),
    _case("w2 + 0*log(w1) at w1 = 0", {"s.toml": spec(["w2 + 0*log(w1)", "w1"])}, ["check", "s.toml", *CERT],
          1, r"w1 > 0 \(from log\(w1\)\) fails", True),
    _case("sqrt(w1 - 1)**2 at w1 = 1", {"s.toml": spec(["sqrt(w1 - 1)**2", "w2"], center=[1, 0])},
          ["check", "s.toml", *CERT], 1, r"w1 - 1 >= 0 \(from sqrt\(w1 - 1\)\) fails", True),
    _case("sqrt(w1-1)*sqrt(w1-1) at w1 = 1", {"s.toml": spec(["sqrt(w1-1)*sqrt(w1-1)", "w2"], center=[1, 0])},
          ["check", "s.toml", *CERT], 1, r"w1 - 1 >= 0", True),
    _case("log(w1) - log(w1) at w1 = 0", {"s.toml": spec(["log(w1) - log(w1) + w2", "w1"])},
          ["check", "s.toml", *FAST], 1, UNDEF),
    _case("(w1 - 1)/(w1 - 1) at w1 = 1", {"s.toml": spec(["(w1 - 1)/(w1 - 1) + w2", "w1"], center=[1, 0])},
          ["check", "s.toml", *FAST], 1, r"w1 - 1 != 0"),
    _case("w1**0.5 * w1**-0.5 at w1 = 0", {"s.toml": spec(["w1**0.5 * w1**-0.5 + w2", "w1"])},
          ["check", "s.toml", *FAST], 1, UNDEF),
    _case("acosh(w1) at w1 = 1", {"s.toml": spec(["acosh(w1)", "w2"], center=[1, 0])},
          ["check", "s.toml", *FAST], 1, r"w1 - 1 >= 0 \(from acosh\(w1\)\)"),
    _case("atanh(w1) at w1 = 1", {"s.toml": spec(["atanh(w1)", "w2"], center=[1, 0])},
          ["check", "s.toml", *FAST], 1, r"from atanh\(w1\)"),
    _case("asin(2*w1) at w1 = 0.5", {"s.toml": spec(["asin(2*w1)", "w2"], center=[0.5, 0])},
          ["check", "s.toml", *FAST], 1, r"from asin\(2\*w1\)"),
    _case("acos(w1) at w1 = -1", {"s.toml": spec(["acos(w1)", "w2"], center=[-1, 0])},
          ["check", "s.toml", *FAST], 1, r"from acos\(w1\)"),
    _case("w1**w2 at w1 = 0", {"s.toml": spec(["w1**w2", "w2"], center=[0, 1])},
          ["check", "s.toml", *FAST], 1, UNDEF),
    _case("1/w1 at w1 = 0", {"s.toml": spec(["1/w1", "w2"])}, ["check", "s.toml", *FAST], 1, r"w1 != 0"),
    _case("exp(log(w1)) at w1 = 2, certified", {"s.toml": spec(["exp(log(w1))", "w2"], center=[2, 0],
                                                                claims={"lipschitz": 1.5})},
          ["check", "s.toml", *CERT], 0, r"lipschitz <= 1.5: certified", True),
    _case("sqrt(w1) on [0, 2]: the domain holds but is not provable", {"s.toml": spec(["sqrt(w1)", "w2"], center=[1, 0],
                                                                                      radius=1.0, claims={"lipschitz": 1e6})},
          ["check", "s.toml", *CERT], 0, r"domain of the outputs as written is not proved"),
    _case("sqrt(w1 - 1)**2 in --json", {"s.toml": spec(["sqrt(w1 - 1)**2", "w2"], center=[1, 0])},
          ["check", "s.toml", "--json", *FAST], 1, r'"status": "undefined"'),
    _case("log(w1**2) at w1 = 0, the center", {"s.toml": spec(["log(w1**2)", "w2"])}, ["check", "s.toml", *FAST],
          1, r"w1\*\*2 > 0"),
    _case("sqrt(-w1**2): imaginary off w1 = 0", {"s.toml": spec(["sqrt(-w1**2) + w2", "w1"])}, ["check", "s.toml"], 2,
          r"not finite or not real"),
    _case("1/(w1 - w1): division by zero as written", {"s.toml": spec(["w2/(w1 - w1)", "w1"])}, ["check", "s.toml"],
          2, r"division by zero"),
    _case("log(exp(w1)) is defined everywhere", {"s.toml": spec(["log(exp(w1))", "w2"], claims={"lipschitz": 1.5})},
          ["check", "s.toml", *CERT], 0, r"lipschitz <= 1.5: certified"),
    _case("sqrt(w1**2) is |w1|, defined everywhere", {"s.toml": spec(["sqrt(w1**2)", "w2"], claims={"lipschitz": 1.5})},
          ["check", "s.toml", *FAST], 0, r": holds; "),
    _case("tan(w1) around its pole: never certified", {"s.toml": spec(["tan(w1)"], ["w1"], center=[1.5707963],
                                                                      radius=0.1, claims={"lipschitz": 1e300})},
          ["check", "s.toml", *CERT], 0, r"cos\(w1\) != 0 \(from tan\(w1\)\) could not be proved"),
    _case("log(w1**2) + w2 at w1 = 0, certified", {"s.toml": spec(["log(w1**2) + w2", "w1"])}, ["check", "s.toml", *CERT],
          1, r"w1\*\*2 > 0 \(from log\(w1\*\*2\)\) fails"),
    _case("exp(log(exp(log(w1)))) at w1 = 0", {"s.toml": spec(["exp(log(exp(log(w1))))", "w2"])},
          ["check", "s.toml", *CERT], 1, r"w1 > 0 \(from log\(w1\)\) fails"),
    _case("sqrt(sqrt(w1)**2)**2 at w1 = 0", {"s.toml": spec(["sqrt(sqrt(w1)**2)**2", "w2"])},
          ["check", "s.toml", *CERT], 1, r"w1 >= 0 \(from sqrt\(w1\)\) fails"),
    _case("log(1 + w1) - log(1 + w1) at w1 = -1", {"s.toml": spec(["log(1 + w1) - log(1 + w1) + w2", "w1"],
                                                                  center=[-1, 0])},
          ["check", "s.toml", *CERT], 1, r"from log\(w1 \+ 1\)\) fails"),
    _case("acosh(w1 + 1) at w1 = 0, the edge of its domain", {"s.toml": spec(["acosh(w1 + 1)", "w2"])},
          ["check", "s.toml", *CERT], 1, r"from acosh\(w1 \+ 1\)"),
    _case("asin(w1)**2 + acos(w1) at w1 = -0.99, radius 0.02", {"s.toml": spec(["asin(w1)**2 + acos(w1)", "w2"],
                                                                               center=[-0.99, 0], radius=0.02)},
          ["check", "s.toml", *FAST], 1, r"from (asin|acos)\(w1\)"),
    _case("1/(w1**2 + w2**2) at the center 0", {"s.toml": spec(["1/(w1**2 + w2**2)", "w1"])},
          ["check", "s.toml", *FAST], 1, r"w1\*\*2 \+ w2\*\*2 != 0"),
    _case("sqrt(w1) on radius 1e-300 at 0", {"s.toml": spec(["sqrt(w1) + w2", "w1"], radius=1e-300)},
          ["check", "s.toml", *CERT], 1, r"w1 >= 0 \(from sqrt\(w1\)\) fails"),
    _case("0*log(w1) in plsym search", {"s.toml": spec(["w2 + 0*log(w1)", "w1"])},
          ["search", "s.toml", "--claim", "lipschitz", "--max-examples", "10"], 1, UNDEF),
]

BIG = [
    _case("300 x 300 quadratic", {"s.toml": spec([f"w{i}*w{(i + 1) % 300}" for i in range(300)],
                                                 [f"w{i}" for i in range(300)])},
          ["check", "s.toml"], 2, r"n\*m = 90000 Jacobian entries is above the limit 20000"),
    _case("matrix 400 x 400", {"s.toml": matrix_spec(400, 400)}, ["check", "s.toml"], 2,
          r"n\*m = 160000 Jacobian entries is above the limit", True),
    _case("1000 params x 1000 outputs", {"s.toml": spec([f"w{i}" for i in range(1000)], [f"w{i}" for i in range(1000)])},
          ["check", "s.toml"], 2, r"n\*m = 1000000 Jacobian entries"),
    _case("matrix 60 x 70: n m^2 above the limit", {"s.toml": matrix_spec(60, 70)}, ["check", "s.toml"], 2,
          r"n\*m\*m = 294000 Hessian entries per point is above the limit 250000", True),
    _case("30 dense outputs in 40 parameters", {"s.toml": spec(dense_quadratic(30, 40), [f"w{i}" for i in range(40)])},
          ["check", "s.toml"], 2, r"24600 distinct second partial derivatives; at most 20000"),
    _case("a product of 1000 factors", {"s.toml": spec(["*".join(f"(w1+{i})" for i in range(1, 1001)), "w2"])},
          ["check", "s.toml"], 2, r"a product of 1000 factors with parameters; at most 100", True),
    _case("a product of 101 factors", {"s.toml": spec(["*".join(f"(w1+{i})" for i in range(1, 102)), "w2"])},
          ["check", "s.toml"], 2, r"a product of 101 factors"),
    _case("tanh nested 99 deep", {"s.toml": spec([nested("tanh", 99), "w2"])}, ["check", "s.toml", *FAST], 0,
          r"1 claim\(s\): 0 refuted"),
    _case("log/tanh nested 40 deep", {"s.toml": spec([nested("tanh", 20, nested("log", 0)), "w2"], center=[1, 0])},
          ["check", "s.toml", *FAST], 0, r": holds; "),
    _case("sigmoid nested 99 deep", {"s.toml": spec([nested("sigmoid", 99), "w2"])}, ["check", "s.toml"], 2,
          r"too deeply nested for sympy"),
    _case("parentheses 101 deep", {"s.toml": spec(["(" * 101 + "w1" + ")" * 101, "w2"])}, ["check", "s.toml"], 2,
          r"nested deeper than 100", True),
    _case("expression of 10004 characters", {"s.toml": spec(["w1+" * 3333 + "w1+w1", "w2"])}, ["check", "s.toml"], 2,
          r"has 10004 characters; at most 10000"),
    _case("spec file of 2 MB", {"s.toml": "# " + "x" * 2_000_000 + "\n"}, ["check", "s.toml"], 2,
          r"is larger than 1000000 bytes", True),
    _case("1001 parameters", {"s.toml": spec(["w1"], [f"w{i}" for i in range(1001)])}, ["check", "s.toml"], 2,
          r"(params has 1001 entries|ball.center has 1001 entries); at most 1000"),
    _case("exponent 1001", {"s.toml": spec(["w1**1001", "w2"])}, ["check", "s.toml"], 2, r"exponent 1001 is too large"),
    _case("2**2**2**2**2", {"s.toml": spec(["2**2**2**2**2*w1", "w2"])}, ["check", "s.toml"], 2,
          r"the exponent 65536 is too large"),
]

SPECIAL_FILES = [
    _case("a FIFO as the spec", {"f.toml": "fifo"}, ["check", "f.toml"], 2, r"is not a regular file", True),
    _case("a FIFO for plsym search", {"f.toml": "fifo"}, ["search", "f.toml", "--claim", "lipschitz", "--value", "1"],
          2, r"is not a regular file", True),
    _case("/dev/zero as the spec", {}, ["check", "/dev/zero"], 2, r"is not a regular file", True),
    _case("/dev/null as the spec", {}, ["check", "/dev/null"], 2, r"is not a regular file"),
    _case("a directory", {"d": "dir"}, ["check", "d"], 2, r"is a directory", True),
    _case("a missing file", {}, ["check", "nope.toml"], 2, r"does not exist", True),
    _case("an empty file", {"e.toml": ""}, ["check", "e.toml"], 2, r"the key 'targets' is missing", True),
    _case("binary data", {"b.toml": bytes(range(256))}, ["check", "b.toml"], 2, r"not UTF-8|not valid TOML"),
    _case("a symlink to a FIFO", {"f.toml": "fifo", "l.toml": ("symlink", "f.toml")}, ["check", "l.toml"], 2,
          r"is not a regular file"),
    _case("/proc/self/status as the spec", {}, ["check", "/proc/self/status"], 2, r"not valid TOML"),
    _case("/ as the spec", {}, ["check", "/"], 2, r"is a directory"),
    _case("a FIFO at the certified level", {"f.toml": "fifo"}, ["check", "f.toml", "--level", "certified"], 2,
          r"is not a regular file"),
    _case("a spec with a NUL byte", {"n.toml": 'name = "a\x00b"\n'}, ["check", "n.toml"], 2, r"not valid TOML"),
]

EXTREME = [
    _case("radius 1e200", {"s.toml": spec(["w1**2", "w2"], radius=1e200, claims={"lipschitz": 2.0})},
          ["check", "s.toml", *FAST], 2, r"radius=1e\+200 is too large: \|center_j\| \+ radius must be at most 1e\+150",
          True),
    _case("radius 1e308", {"s.toml": spec(["w1**2", "w2"], radius=1e308)}, ["check", "s.toml", *FAST], 2,
          r"radius=1e\+308 is too large", True),
    _case("center 1e151", {"s.toml": spec(["w1", "w2"], center=[1e151, 0])}, ["check", "s.toml", *FAST], 2,
          r"center\[0\]=1e\+151 with radius=0.1 is too large"),
    _case("radius 1e150 exactly at the limit", {"s.toml": spec(["w1", "w2"], radius=1e150, claims={"lipschitz": 1.5})},
          ["check", "s.toml", *FAST], 0, r"lipschitz <= 1.5: holds"),
    _case("radius 1e-300", {"s.toml": spec(["w1*w2", "w2"], center=[1, 2], radius=1e-300,
                                           claims={"kernel_min_eig": 0.5})}, ["check", "s.toml", *FAST], 0,
          r": holds; "),
    _case("subnormal radius 5e-324", {"s.toml": spec(["w1*w2", "w2"], center=[1, 2], radius=5e-324,
                                                     claims={"kernel_min_eig": 0.5})}, ["check", "s.toml", *FAST], 0,
          r": holds; "),
    _case("radius below the center's ulp", {"s.toml": spec(["w1*w2", "w2"], center=[1e10, 2], radius=1e-10,
                                                           claims={"lipschitz": 1e11})}, ["check", "s.toml", *FAST], 0,
          r": holds; "),
    _case("values overflow float64 where defined", {"s.toml": spec(["1e200*w1**2", "w1 + w2"], center=[1e60, 0])},
          ["check", "s.toml", *FAST], 2, r"F overflows float64 at the point"),
    _case("radius nan", {"s.toml": spec(["w1", "w2"]).replace("radius = 0.1", "radius = nan")}, ["check", "s.toml"], 2,
          r"ball.radius=nan must be a positive finite number"),
    _case("center nan", {"s.toml": spec(["w1", "w2"]).replace("center = [0.0, 0.0]", "center = [nan, 0.0]")},
          ["check", "s.toml"], 2, r"ball.center\[0\]=nan must be a finite number"),
    _case("center 1.7e308", {"s.toml": spec(["w1", "w2"], center=[1.7e308, 0])}, ["check", "s.toml"], 2,
          r"center\[0\]=1.7e\+308 with radius=0.1 is too large"),
    _case("zoo in an expression", {"s.toml": spec(["zoo + w1", "w2"])}, ["check", "s.toml"], 2,
          r"name 'zoo' is not a declared parameter"),
    _case("number 1e999", {"s.toml": spec(["1e999*w1", "w2"])}, ["check", "s.toml"], 2, r"the number 1e999 is too large"),
    _case("number 1e-400", {"s.toml": spec(["1e-400*w1", "w2"])}, ["check", "s.toml"], 2, r"too small"),
    _case("target 1e309", {"s.toml": spec(["w1", "w2"], targets=[1e308, 0]).replace("1e+308", "1e309")},
          ["check", "s.toml"], 2, r"targets\[0\]=inf must be a finite number"),
    _case("claim 1e400", {"s.toml": spec(["w1", "w2"]).replace("lipschitz = 1000000.0", "lipschitz = 1e400")},
          ["check", "s.toml"], 2, r"claims.lipschitz=inf must be a finite number"),
    # values whose squares overflow float64 (the kernel, the loss) on a ball within the limits: refused, never
    # "undefined" (the system is defined there)
    _case("w1**2 on radius 1e150: F - y reaches 1e300", {"s.toml": spec(["w1**2", "w2"], radius=1e150,
                                                                         claims={"lipschitz": 2.0})},
          ["check", "s.toml", *FAST], 2, r"F - y reaches \S+e\+299 at the point .* above 1e\+150", True),
    _case("w1**2 on radius 1e150 in plsym search", {"s.toml": spec(["w1**2", "w2"], radius=1e150,
                                                                    claims={"lipschitz": 2.0})},
          ["search", "s.toml", "--claim", "lipschitz", "--max-examples", "20"], 2, r"F - y reaches .* above 1e\+150"),
    _case("w1*w2 on radius 1e100", {"s.toml": spec(["w1*w2", "w1"], radius=1e100, claims={"kernel_min_eig": 1.0})},
          ["check", "s.toml", *FAST], 2, r"F - y reaches .* above 1e\+150"),
    _case("exp(w1) at w1 = 400", {"s.toml": spec(["exp(w1)", "w2"], center=[400, 0], radius=1.0,
                                                 claims={"lipschitz": 1e300})},
          ["check", "s.toml", *FAST], 2, r"F - y reaches .* above 1e\+150"),
    _case("w1**10 on radius 1e30", {"s.toml": spec(["w1**10", "w2"], radius=1e30, claims={"hessian_norm": 1.0})},
          ["check", "s.toml", *FAST], 2, r"F - y reaches .* above 1e\+150"),
    _case("w1**10 on radius 1e14: a Hessian of 9e113 refuted", {"s.toml": spec(["w1**10", "w2"], radius=1e14,
                                                                               claims={"hessian_norm": 1.0})},
          ["check", "s.toml", *FAST], 1, r"hessian_norm <= 1: refuted; .*ball arithmetic"),
    _case("1e-200 w: L underflows, the PL ratio does not", {"s.toml": spec(["1e-200*w1", "1e-200*w2"],
                                                                          claims={"pl_constant": 1.0})},
          ["check", "s.toml", *FAST], 1, r"pl_constant >= 1: refuted", True),
    _case("w1 on radius 1e150: residual 1e150 holds", {"s.toml": spec(["w1", "w2"], radius=1e150,
                                                                     claims={"residual_norm": 1.5e150})},
          ["check", "s.toml", *FAST], 0, r"residual_norm <= 1.5e\+150: holds; worst \|\|F\(w\) - y\|\| found 1e\+150"),
    # false refutations: float64 cancellation, and a witness one ulp outside the ball
    # floats (catastrophic cancellation) violate the true claim at x = 0.999; the enclosure there straddles
    # it: round-off cannot decide, so the verdict is inconclusive (never refuted)
    _case("cancelling sextic, hessian_norm = 3.0003e-11 (true sup 3e-11)",
          {"s.toml": spec(["w**6 - 6*w**5 + 15*w**4 - 20*w**3 + 15*w**2 - 6*w + 1"], ["w"], center=[1.0], radius=1e-3,
                          claims={"hessian_norm": 3.0003e-11})},
          ["search", "s.toml", "--claim", "hessian_norm", "--max-examples", "30"], 0, r": inconclusive; .*does not confirm", True),
    _case("exp(1e9 sin(w1 - 10)), lipschitz at the true sup",
          {"s.toml": spec(["exp(1000000000*sin(w1 - 10))"], ["w1"], center=[10.0], radius=1e-8,
                          claims={"lipschitz": 22026467997453.3})},
          ["search", "s.toml", "--claim", "lipschitz", "--max-examples", "30"], 0, r": holds; ", True),
    _case("exp(1e9 sin(w1 - 10)), lipschitz 2.2e13 is false",
          {"s.toml": spec(["exp(1000000000*sin(w1 - 10))"], ["w1"], center=[10.0], radius=1e-8,
                          claims={"lipschitz": 2.2e13})},
          ["search", "s.toml", "--claim", "lipschitz", "--max-examples", "30"], 1, r"refuted; .*ball arithmetic"),
]

BAD_CLI = [
    _case("--samples 10**9", {"s.toml": spec(["w1", "w2"])}, ["check", "s.toml", "--samples", "1000000000"], 2,
          r"samples=1000000000 is above the limit 100000", True),
    _case("--samples 1e9", {"s.toml": spec(["w1", "w2"])}, ["check", "s.toml", "--samples", "1e9"], 2,
          r"invalid int value: '1e9'", True),
    _case("--samples -5", {"s.toml": spec(["w1", "w2"])}, ["check", "s.toml", "--samples", "-5"], 2,
          r"samples=-5 must be an integer >= 2"),
    _case("--max-examples 10**9", {"s.toml": spec(["w1", "w2"])},
          ["search", "s.toml", "--claim", "lipschitz", "--max-examples", "1000000000"], 2,
          r"max_examples=1000000000 is above the limit 10000", True),
    _case("--max-examples 1e9", {"s.toml": spec(["w1", "w2"])},
          ["search", "s.toml", "--claim", "lipschitz", "--max-examples", "1e9"], 2, r"invalid int value: '1e9'", True),
    _case("--level proved", {"s.toml": spec(["w1", "w2"])}, ["check", "s.toml", "--level", "proved"], 2,
          r"invalid choice: 'proved'", True),
    _case("unknown option", {"s.toml": spec(["w1", "w2"])}, ["check", "s.toml", "--fast"], 2,
          r"unrecognized arguments: --fast", True),
    _case("no spec argument", {}, ["check"], 2, r"the following arguments are required: spec", True),
    _case("no command", {}, [], 2, r"the following arguments are required: command", True),
    _case("unknown command", {}, ["prove"], 2, r"invalid choice: 'prove'", True),
    _case("--seed -1", {"s.toml": spec(["w1", "w2"])}, ["check", "s.toml", "--seed", "-1"], 2,
          r"rng=-1 must be a non-negative int seed"),
    _case("--value inf", {"s.toml": spec(["w1", "w2"])}, ["search", "s.toml", "--claim", "lipschitz", "--value", "inf"],
          2, r"claims.lipschitz=inf must be a finite number"),
    _case("--value nan", {"s.toml": spec(["w1", "w2"])}, ["search", "s.toml", "--claim", "lipschitz", "--value", "nan"],
          2, r"must be a finite number"),
    _case("--claim missing", {"s.toml": spec(["w1", "w2"])}, ["search", "s.toml"], 2,
          r"the following arguments are required: --claim"),
    _case("--claim unknown", {"s.toml": spec(["w1", "w2"])}, ["search", "s.toml", "--claim", "mu"], 2,
          r"invalid choice: 'mu'"),
]

# Every injection payload of the parser's own campaign, through plsym check: refused at a position.
_PAYLOADS = [
    "__import__('os').system('touch PWNED')", "(lambda: open('PWNED', 'w'))()", "().__class__.__bases__[0]",
    "exec(\"open('PWNED', 'w')\")", "eval('1')", "compile('1', 'x', 'exec')", "open('PWNED', 'w')",
    "w1.__class__", "getattr(w1, 'real')", "globals()", "w1; import os", "w1 if w2 else 1", "lambda w1: w1",
    "breakpoint()", "w1 @ w2", "w1 := 1", "Symbol('x')", "sympify('1')", "w1[0]", "{w1}", "w1 % 2", "~w1",
    "w1 // 2", "w1 < w2", "`w1`",
]
INJECTION = [
    _case(f"injection {p[:24]}", {"s.toml": spec([p.replace('"', "'"), "w2"]).replace("\\", "\\\\")},
          ["check", "s.toml"], 2, r"at position \d+", i % 5 == 0)
    for i, p in enumerate(_PAYLOADS)
]

HOSTILE = DOMAIN_TRAPS + BIG + SPECIAL_FILES + EXTREME + BAD_CLI + INJECTION


def materialize(files, argv, tmp):
    """Write the case's files into ``tmp`` and return argv with file names replaced by paths."""
    for name, content in files.items():
        if isinstance(content, tuple) and content[0] == "symlink":
            os.symlink(tmp / content[1], tmp / name)
        elif not (tmp / name).exists():
            _write(tmp, name, content)
    return [str(tmp / a) if a in files else a for a in argv]


FAST_CASES = [c for c in HOSTILE if c[5]]


@pytest.mark.parametrize("files,argv,code,pattern", [c[1:5] for c in FAST_CASES], ids=[c[0] for c in FAST_CASES])
def test_hostile_input_gives_its_verdict_or_one_line_error(files, argv, code, pattern, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir(tmp_path))
    args = materialize(files, argv, tmp_path)
    made = set(os.listdir(tmp_path))
    try:
        got = main(args)
    except SystemExit as exc:
        got = exc.code
    out, err = capsys.readouterr()
    assert got == code, out + err
    assert re.search(pattern, out + err), out + err
    assert "Traceback" not in err and "Warning" not in err
    if code == 2:
        assert out == "" and err.count("\n") == 1 and err.startswith("plsym: error: "), err
    assert set(os.listdir(tmp_path)) == made | before  # no file created (no .hypothesis/ either)


def test_campaign_has_at_least_100_inputs_with_distinct_ids():
    assert len(HOSTILE) >= 100 and len({c[0] for c in HOSTILE}) == len(HOSTILE)


# -- API-level reproductions -----------------------------------------------------------------------

def test_domain_given_to_the_python_api_decides_undefined_and_certified():
    w1, w2 = sympy.symbols("w1 w2")
    out = [sympy.exp(sympy.log(w1)), w2]  # sympy has already rewritten this to [w1, w2]
    assert out[0] == w1
    s = plsym.System(out, [w1, w2], [0.0, 0.0], domain=[w1 > 0])
    assert [str(c) for c in s.domain] == ["w1 > 0 (from domain[0])"]
    b = certify.lipschitz(s, plsym.Ball([0.0, 0.0], 0.1), max_boxes=20)
    assert not b.certified and "domain" in b.detail
    b = certify.lipschitz(s, plsym.Ball([2.0, 0.0], 0.5), max_boxes=50)
    assert b.certified and 1.0 <= b.value <= 1.001
    with pytest.raises(InvalidArgument, match=r"domain\[0\]=.* must be a sympy relational"):
        plsym.System(out, [w1, w2], [0.0, 0.0], domain=["w1 > 0"])
    with pytest.raises(InvalidArgument, match="not parameters"):
        plsym.System(out, [w1, w2], [0.0, 0.0], domain=[sympy.Symbol("z") > 0])


def test_domain_of_received_expressions_is_recorded():
    w1, w2 = sympy.symbols("w1 w2")
    s = plsym.System([sympy.log(w1) / (w2 - 1) + sympy.sqrt(w2)], [w1, w2], [0.0])
    assert {(str(c.expr), c.kind) for c in s.domain} == {("w1", ">"), ("w2 - 1", "!="), ("w2", ">=")}


CRAFTED = "k)+__import__('os').system('touch {}')+(k"


def test_generated_source_never_holds_a_crafted_name(tmp_path):
    target = tmp_path / "PWNED"
    w1 = sympy.Symbol("w1")
    k = sympy.Symbol(CRAFTED.format(target))
    s = plsym.System([sympy.Subs(w1 * sympy.sin(k), k, w1)], [w1], [0.0])
    assert s.outputs == (w1 * sympy.sin(w1),) and s.F([1.0])[0] == pytest.approx(math.sin(1.0))
    s = plsym.System([sympy.Sum(w1 * k, (k, 1, 3))], [w1], [0.0])
    assert s.outputs == (6 * w1,) and s.F([1.0])[0] == 6.0
    s.jacobian([1.0])
    assert "import" not in s._values_fn.source and not target.exists()
    with pytest.raises(InvalidArgument, match=r"outputs\[0\]=.* uses the symbol"):
        plsym.System([sympy.Piecewise((w1, k > 0), (0, True))], [w1], [0.0])
    with pytest.raises(InvalidArgument, match=r"Sum .* has 100001 terms; at most 1000"):
        plsym.System([sympy.Sum(sympy.sin(w1 * k), (k, 1, 100001))], [w1], [0.0])
    with pytest.raises(InvalidArgument, match="integer bounds"):
        plsym.System([sympy.Sum(w1 * k, (k, 1, w1))], [w1], [0.0])
    assert not target.exists()


def test_unknown_node_types_are_refused_before_compilation():
    w1 = sympy.Symbol("w1")
    with pytest.raises(InvalidArgument, match=r"outputs\[0\] contains .*which plsym cannot evaluate"):
        plsym.System([sympy.Order(w1) + w1], [w1], [0.0])
    evil = type("evil", (sympy.Function,), {"nargs": 1})  # a sympy.Function subclass that is not sympy's own
    with pytest.raises(InvalidArgument, match=r"contains evil"):
        plsym.System([evil(w1)], [w1], [0.0])


# -- Ball: exact membership, exact projection, no overflow ---------------------------------------------

def _exactly_inside(ball, w):
    F = fractions.Fraction
    return sum((F(float(a)) - F(float(c))) ** 2 for a, c in zip(w, ball.center)) <= F(ball.radius) ** 2


@pytest.mark.parametrize("center,radius", [([10.0], 1e-8), ([1e10, -3.0, 7.0], 1e-9), ([0.1, 0.2], 0.3),
                                           ([1e140, 1.0], 1e140), ([3.0] * 50, 1e-13), ([1.0, 2.0], 5e-324)])
def test_projected_and_sampled_points_are_exactly_inside(center, radius):
    b = plsym.Ball(center, radius)
    rng = np.random.default_rng(0)
    pts = np.vstack([b.sample(200, rng=1, where="sphere"), b.sample(200, rng=2),
                     b.project(b.center + radius * 3 * rng.standard_normal((50, b.m)))])
    assert all(_exactly_inside(b, p) for p in pts)
    assert b.exactly_contains(pts).all()


def test_contains_rejects_a_witness_one_ulp_outside():
    b = plsym.Ball([10.0], 1e-8)
    w = np.array([10.00000001])  # the double nearest 10 + 1e-8 is 8.3e-16 outside the ball
    assert not _exactly_inside(b, w)
    assert not b.contains(w) and not b.exactly_contains(w)
    p = b.project(w)
    assert _exactly_inside(b, p) and p[0] < w[0]


def test_norms_do_not_overflow_and_extreme_balls_are_refused():
    D = np.array([[3e200, 4e200], [3e-200, 4e-200]])
    np.testing.assert_allclose(scaled_norm(D), [5e200, 5e-200], rtol=1e-15)
    with pytest.raises(InvalidArgument, match=r"radius=1e\+200 is too large"):
        plsym.Ball([0.0, 0.0], 1e200)
    with pytest.raises(InvalidArgument, match=r"center\[1\]=.* is too large"):
        plsym.Ball([0.0, -MAX_COORDINATE], 1e140)
    b = plsym.Ball([0.0, 0.0], 1e140)
    pts = b.sample(100, rng=0)
    r = scaled_norm(pts) / 1e140
    assert r.max() <= 1.0 and r.min() > 0.01  # the samples do not collapse onto the center


# -- confirm_violation ----------------------------------------------------------------------------

def test_cancelling_sextic_is_not_refuted_where_floats_say_so():
    s = specs.loads(spec(["w**6 - 6*w**5 + 15*w**4 - 20*w**3 + 15*w**2 - 6*w + 1"], ["w"], center=[1.0],
                         radius=1e-3, claims={"hessian_norm": 3.0003e-11}))
    w = [1.001]  # on the sphere; the true value there is 30 (1e-3)^4 = 3e-11
    assert s.system.hessian_norm(w) > 3.0003e-11  # float64 cancellation over-estimates it
    v = certify.confirm_violation(s.system, s.ball, "hessian_norm", w, 3.0003e-11, "upper")
    assert v.status == "inconclusive" and v.lower <= 3e-11 <= v.upper and "near miss" in v.detail
    assert certify.confirm_violation(s.system, s.ball, "hessian_norm", w, 2.9e-11, "upper").status == "refuted"


def test_a_point_outside_the_ball_is_projected_before_confirmation():
    s = specs.loads(spec(["exp(1000000000*sin(w1 - 10))"], ["w1"], center=[10.0], radius=1e-8,
                         claims={"lipschitz": 22026467997453.3}))
    v = certify.confirm_violation(s.system, s.ball, "lipschitz", [10.00000001], 22026467997453.3, "upper")
    assert v.projected and _exactly_inside(s.ball, v.x) and v.status == "inconclusive"
    assert v.upper < 22026467997453.3  # the exact sup is 2.2026465794806e13
    v = certify.confirm_violation(s.system, s.ball, "lipschitz", [10.00000001], 2.2e13, "upper")
    assert v.status == "refuted" and v.lower > 2.2e13


@pytest.mark.parametrize("quantity,relation,claimed,status", [
    ("kernel_min_eig", "lower", 10.0, "refuted"), ("kernel_min_eig", "lower", 8.0, "inconclusive"),
    ("pl_constant", "lower", 10.0, "refuted"), ("residual_norm", "upper", 2.0, "refuted"),
    ("smoothness", "upper", 1.0, "refuted"), ("hessian_norm", "upper", 2.0, "inconclusive"),
])
def test_confirm_violation_on_closed_forms(quantity, relation, claimed, status):
    # F(w) = w^2 at w = 1.5 (y = 0): K = 4 w^2 = 9, PL ratio 4 w^2 = 9, |F| = 2.25, H_F = 2, H_L = 6 w^2 + ... = 13.5
    w = sympy.Symbol("w")
    s = plsym.System([w**2], [w], [0.0])
    v = certify.confirm_violation(s, plsym.Ball([1.0], 0.5), quantity, [1.5], claimed, relation)
    assert v.status == status
    exact = {"kernel_min_eig": 9.0, "pl_constant": 9.0, "residual_norm": 2.25, "smoothness": 13.5, "hessian_norm": 2.0}
    assert v.lower <= exact[quantity] <= v.upper


def test_hypot_upper_is_an_upper_bound_in_exact_arithmetic():
    from plsym.certify import _hypot_upper

    rng = np.random.default_rng(3)
    for k in (1, 10, 1000, 100_000):
        v = 1 + rng.random(k) * 2.0**-40  # sums whose rounding errors add up
        bound = _hypot_upper(v)
        exact = sum(fractions.Fraction(float(x)) ** 2 for x in v[:2000]) if k <= 2000 else None
        if exact is not None:
            assert fractions.Fraction(bound) ** 2 >= exact
        assert bound >= math.sqrt(math.fsum(x * x for x in v))


def test_no_special_file_is_opened(tmp_path):
    fifo = tmp_path / "f.toml"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    with pytest.raises(InvalidArgument, match="not a regular file"):
        specs.load(fifo)  # returns at once instead of blocking in open()


# -- values whose squares overflow or underflow float64 ------------------------------------------------

def test_an_overflowing_enclosure_where_the_system_is_finite_is_never_undefined():
    w1, w2 = sympy.symbols("w1 w2")
    s = plsym.System([w1**10, w2], [w1, w2], [0.0, 0.0])
    b = plsym.Ball([0.0, 0.0], 1e31)
    # F = 1e310, DF = 1e281: finite in ball arithmetic, beyond float64 in the kernel's enclosure
    v = certify.confirm_violation(s, b, "lipschitz", [1e31, 0.0], 2.0, "upper")
    assert v.status != "undefined" and "beyond float64" in v.detail
    s = plsym.System([sympy.log(w1), w2], [w1, w2], [0.0, 0.0])
    assert certify.confirm_violation(s, plsym.Ball([1.0, 0.0], 1.0), "lipschitz", [0.0, 0.0], 2.0,
                                     "upper").status == "undefined"


def test_pl_ratio_and_residual_norm_are_scaled():
    from plsym.quantities import QUANTITIES, pl_ratio

    w1, w2 = sympy.symbols("w1 w2")
    s = plsym.System([w1, 2 * w2], [w1, w2], [0.0, 0.0])
    # L = (1e-170)^2 / 2 underflows to 0; the ratio ||J^T r||^2 / ||r||^2 is 1
    assert pl_ratio(s, np.array([[1e-170, 0.0]]))[0] == pytest.approx(1.0)
    s = plsym.System([1e100 * w1, 1e100 * w2], [w1, w2], [0.0, 0.0])
    assert pl_ratio(s, np.array([[1.0, 1.0]]))[0] == pytest.approx(1e200)  # ||J^T r||^2 = 4e400 overflows
    s = plsym.System([1e140 * w1, 1e140 * w2], [w1, w2], [0.0, 0.0])
    r = QUANTITIES["residual_norm"](s).values(np.array([[3e10, 4e10]]))
    assert r[0] == pytest.approx(5e150)
    assert np.isnan(pl_ratio(s, np.zeros((1, 2)))[0])  # L = 0: the ratio says nothing


def test_plsym_search_refuses_in_one_line_after_its_scan(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(spec(["w1**2", "w2"], radius=1e150, claims={"lipschitz": 2.0}))
    assert main(["search", "s.toml", "--claim", "lipschitz", "--max-examples", "20"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("plsym: error: F - y reaches"), err
    calls = []
    s = specs.loads(spec(["w1*w2", "w2"], claims={"lipschitz": 10.0}))
    v = specs.deep_search(s, "lipschitz", 10.0, max_examples=5, started=lambda: calls.append(1))
    assert calls == [1] and v.status == "holds"
    with pytest.raises(InvalidArgument, match=r"started=3 must be a callable"):
        specs.deep_search(s, "lipschitz", 10.0, started=3)


def test_crafted_names_in_product_lambda_and_parameters_never_reach_generated_source(tmp_path):
    target = tmp_path / "PWNED"
    w1 = sympy.Symbol("w1")
    k = sympy.Symbol(CRAFTED.format(target))
    s = plsym.System([sympy.Product(w1 + k, (k, 1, 3))], [w1], [0.0])  # expanded: (w1 + 1)(w1 + 2)(w1 + 3)
    assert s.F([0.0])[0] == 6.0 and s.hessians([0.0]).shape == (1, 1, 1)
    s = plsym.System([sympy.Lambda(k, 2 * k)(w1) + w1], [w1], [0.0])
    assert s.F([1.0])[0] == 3.0
    s = plsym.System([k * w1, k + w1], [k, w1], [0.0, 0.0])  # a parameter with a crafted name
    s.F([1.0, 2.0]), s.jacobian([1.0, 2.0]), s.hessians([1.0, 2.0])
    assert "import" not in s._values_fn.source and not target.exists()


def test_dense_hessian_norms_are_computed_in_memory_bounded_chunks(monkeypatch):
    from plsym._linalg import CHUNK_FLOATS
    from plsym.system import System

    m, n = 20, 30
    w = sympy.symbols(f"w1:{m + 1}")
    s = plsym.System([sympy.tanh(w[i % m] + w[(i * 7 + 1) % m]) * w[(i * 3 + 2) % m] for i in range(n)], list(w),
                     [0.0] * n)
    seen = []
    real = System._hessians
    monkeypatch.setattr(System, "_hessians", lambda self, W: seen.append(W.shape[0]) or real(self, W))
    W = plsym.Ball([0.1] * m, 0.1).sample(2000, rng=0)
    expected = np.array([np.abs(np.linalg.eigvalsh(real(s, W[i:i + 1]))).max() for i in (0, 1999)])
    got = s._hessian_norm(W)
    assert max(seen[2:]) * n * m * m <= CHUNK_FLOATS and got.shape == (2000,)  # 2000 points would be 192 MB
    np.testing.assert_allclose(got[[0, 1999]], expected, rtol=1e-12)
    seen.clear()
    s._loss_hessian_norm(W)
    assert max(seen) * n * m * m <= CHUNK_FLOATS
