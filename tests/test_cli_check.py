"""``plsym check`` and ``plsym search`` on spec files: the reliability campaign.

The tables here (BAD_SPECS, BAD_COMMANDS, INJECTIONS, EDGE_CASES) are the
campaign; ``scripts/reliability.py`` runs the same tables and prints the figures.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

from plsym import InvalidArgument, spec as specs
from plsym.cli import main
from plsym.parse import MAX_LENGTH
from plsym.quantities import QUANTITIES

ROOT = pathlib.Path(__file__).resolve().parents[1]
TWO_TANH = ROOT / "tests" / "data" / "two_tanh.toml"
FAST = ["--samples", "128"]

# A valid spec in parts; a case replaces parts (None drops one). Top-level keys come before tables.
BASE = {
    "name": 'name = "product and sum"',
    "params": 'params = ["u", "v"]',
    "outputs": 'outputs = ["u*v", "u + v**2"]',
    "targets": "targets = [1.0, 2.0]",
    "extra": None,
    "ball": "[ball]\ncenter = [1.0, 2.0]\nradius = 0.1",
    "claims": "[claims]\nkernel_min_eig = 0.1",
}


def spec_text(**parts):
    unknown = set(parts) - set(BASE)
    if unknown:
        raise KeyError(unknown)
    merged = {**BASE, **parts}
    return "\n".join(v for v in merged.values() if v is not None) + "\n"


def outputs(*texts):
    return "outputs = [" + ", ".join(f"'''{t}'''" for t in texts) + "]"


BAD_SPECS = [
    # (id, spec text, fragment of the message, the same through the API and the CLI)
    ("not TOML", "name = \n", r"not valid TOML"),
    ("duplicate key", spec_text(extra='name = "again"'), r"not valid TOML"),
    ("unknown top-level key", spec_text(extra='nmae = "x"'), r"unknown key nmae; allowed: name, params, outputs"),
    ("unknown ball key", spec_text(ball="[ball]\ncentre = [1.0, 2.0]\nradius = 0.1"),
     r"unknown key ball.centre; allowed: ball.center, ball.radius"),
    ("symbol used as claim", spec_text(claims="[claims]\nmu = 0.1"),
     r"unknown claim claims.mu; allowed: claims.kernel_min_eig, claims.pl_constant, claims.hessian_norm, "
     r"claims.lipschitz, claims.smoothness, claims.residual_norm$"),
    ("two unknown claims", spec_text(claims="[claims]\nmu = 1\nbeta = 2"), r"unknown claims claims.mu, claims.beta"),
    ("missing targets", spec_text(targets=None), r"the key 'targets' is missing"),
    ("missing ball", spec_text(ball=None, claims=None), r"the key 'ball' is missing"),
    ("missing outputs", spec_text(outputs=None), r"the key 'outputs' is missing"),
    ("missing radius", spec_text(ball="[ball]\ncenter = [1.0, 2.0]"), r"the key 'ball.radius' is missing"),
    ("ball not a table", spec_text(extra="ball = 3", ball=None, claims=None), r"ball=3 must be a table"),
    ("claims not a table", spec_text(extra="claims = 3", claims=None), r"claims=3 must be a table"),
    ("matrix and params", spec_text(extra="matrix = [[1.0, 0.0]]"), r"matrix and params and outputs are both given"),
    ("name not a string", spec_text(name="name = 3"), r"name=3 must be a string"),
    ("params not a list", spec_text(params='params = "u"'), r"params='u' must be a list of parameter names"),
    ("params empty", spec_text(params="params = []"), r"params=\[\] is empty"),
    ("param not an identifier", spec_text(params='params = ["1u", "v"]'), r"params\[0\]='1u' is not a valid parameter"),
    ("param a keyword", spec_text(params='params = ["u", "lambda"]'), r"params\[1\]='lambda' is a Python keyword"),
    ("param a function name", spec_text(params='params = ["exp", "v"]'), r"params\[0\]='exp' is the name of a function"),
    ("param dunder", spec_text(params='params = ["__class__", "v"]'), r"starts with '__'"),
    ("duplicate params", spec_text(params='params = ["u", "u"]'), r"the parameter 'u' twice"),
    ("outputs not a list", spec_text(outputs='outputs = "u*v"'), r"outputs='u\*v' must be a list of expressions"),
    ("outputs empty", spec_text(outputs="outputs = []"), r"outputs=\[\] is empty"),
    ("output not a string", spec_text(outputs="outputs = [3, 'u']"), r"outputs\[0\]=3 must be a string"),
    ("undeclared name", spec_text(outputs=outputs("u*w", "v")),
     r"outputs\[0\]='u\*w': name 'w' is not a declared parameter; declared parameters: u, v \(at position 2\)"),
    ("unknown function", spec_text(outputs=outputs("relu(u)", "v")), r"unknown function 'relu'; allowed functions"),
    ("wrong arity", spec_text(outputs=outputs("exp(u, v)", "v")), r"function 'exp' takes exactly 1 argument, got 2"),
    ("attribute access", spec_text(outputs=outputs("u.real", "v")), r"attribute access \('.'\) is not allowed"),
    ("subscript", spec_text(outputs=outputs("u[0]", "v")), r"no subscripts"),
    ("string in an expression", spec_text(outputs=outputs('u * "2"', "v")), r"no strings"),
    ("comma outside a call", spec_text(outputs=outputs("u, v", "v")), r"',' is only allowed between the arguments"),
    ("keyword in an expression", spec_text(outputs=outputs("u if v else 1", "v")), r"keyword 'if' is not allowed"),
    ("caret for power", spec_text(outputs=outputs("u^2", "v")), r"write \*\* for powers"),
    ("implicit product", spec_text(outputs=outputs("2u", "v")), r"malformed number '2u'"),
    ("expression too long", spec_text(outputs=outputs("u+" * (MAX_LENGTH // 2) + "u", "v")),
     rf"outputs\[0\] has {MAX_LENGTH + 1} characters; at most {MAX_LENGTH}"),
    ("nesting too deep", spec_text(outputs=outputs("(" * 101 + "u" + ")" * 101, "v")), r"nested deeper than 100"),
    ("exponent too large", spec_text(outputs=outputs("u**5000", "v")), r"the exponent 5000 is too large"),
    ("number too large", spec_text(outputs=outputs("1e999*u", "v")), r"the number 1e999 is too large"),
    ("constant overflow", spec_text(outputs=outputs("exp(1000)*u", "v")), r"out of floating-point range"),
    ("division by zero", spec_text(outputs=outputs("u/0", "v")), r"division by zero"),
    ("log of zero", spec_text(outputs=outputs("log(0)*u", "v")), r"not finite or not real"),
    ("targets wrong length", spec_text(targets="targets = [1.0, 2.0, 3.0]"),
     r"targets has 3 entries; it needs one per output \(2\)"),
    ("target nan", spec_text(targets="targets = [nan, 2.0]"), r"targets\[0\]=nan must be a finite number"),
    ("target inf", spec_text(targets="targets = [1.0, -inf]"), r"targets\[1\]=-inf must be a finite number"),
    ("target a string", spec_text(targets='targets = ["1.0", 2.0]'), r"targets\[0\]='1.0' must be a finite number, not a string"),
    ("target a bool", spec_text(targets="targets = [true, 2.0]"), r"targets\[0\]=True must be a finite number, not bool"),
    ("targets empty", spec_text(targets="targets = []"), r"targets=\[\] is empty"),
    ("center wrong length", spec_text(ball="[ball]\ncenter = [1.0, 2.0, 3.0]\nradius = 0.1"),
     r"ball.center has 3 entries; it needs one per parameter \(2\)"),
    ("center nan", spec_text(ball="[ball]\ncenter = [nan, 2.0]\nradius = 0.1"), r"ball.center\[0\]=nan must be a finite"),
    ("radius negative", spec_text(ball="[ball]\ncenter = [1.0, 2.0]\nradius = -1.0"),
     r"ball.radius=-1.0 must be a positive finite number"),
    ("radius zero", spec_text(ball="[ball]\ncenter = [1.0, 2.0]\nradius = 0"), r"ball.radius=0.0 must be a positive"),
    ("radius inf", spec_text(ball="[ball]\ncenter = [1.0, 2.0]\nradius = inf"), r"ball.radius=inf must be a positive"),
    ("radius a string", spec_text(ball="[ball]\ncenter = [1.0, 2.0]\nradius = '0.1'"), r"ball.radius='0.1' must be a finite number"),
    ("matrix ragged", "matrix = [[1.0, 0.0], [1.0]]\ntargets = [1.0, 2.0]\n[ball]\ncenter = [0.0, 0.0]\nradius = 1.0\n",
     r"matrix\[1\] has 1 entries but matrix\[0\] has 2"),
    ("matrix inf entry", "matrix = [[1.0, inf]]\ntargets = [1.0]\n[ball]\ncenter = [0.0, 0.0]\nradius = 1.0\n",
     r"matrix\[0\]\[1\]=inf must be a finite number"),
    ("matrix not rows", "matrix = [1.0, 2.0]\ntargets = [1.0]\n[ball]\ncenter = [0.0, 0.0]\nradius = 1.0\n",
     r"matrix=\[1.0, 2.0\] must be a non-empty list of rows"),
    ("matrix column count", "matrix = [[1.0, 2.0]]\ntargets = [1.0]\n[ball]\ncenter = [0.0]\nradius = 1.0\n",
     r"ball.center has 1 entries; it needs one per column of matrix \(2\)"),
    ("claim not positive", spec_text(claims="[claims]\npl_constant = -1.0"), r"claims.pl_constant=-1.0 must be > 0"),
    ("claim a string", spec_text(claims="[claims]\nlipschitz = '3'"), r"claims.lipschitz='3' must be a finite number"),
    ("claim nan", spec_text(claims="[claims]\nsmoothness = nan"), r"claims.smoothness=nan must be a finite number"),
    ("Hessian claim on abs", spec_text(outputs=outputs("abs(u)*v", "v"), claims="[claims]\nhessian_norm = 1.0"),
     r"claims.hessian_norm cannot be checked: Hessians .* Abs"),
]


@pytest.mark.parametrize("text,pattern", [c[1:] for c in BAD_SPECS], ids=[c[0] for c in BAD_SPECS])
def test_bad_spec_through_the_api(text, pattern):
    with pytest.raises(InvalidArgument, match=pattern):
        specs.loads(text)


def run_cli(argv, capsys):
    """(exit code, stdout, stderr) of ``plsym.cli.main(argv)``, argparse's exits included."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("text,pattern", [c[1:] for c in BAD_SPECS], ids=[c[0] for c in BAD_SPECS])
def test_bad_spec_through_the_cli_exits_2_with_one_line(text, pattern, tmp_path, capsys):
    path = tmp_path / "spec.toml"
    path.write_text(text)
    code, out, err = run_cli(["check", path, *FAST], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"plsym: error: {path}: ") and re.search(pattern, err), err
    assert "Traceback" not in err and err.count("\n") == 1


def _not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    return path


def _too_large(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * 1_000_001 + "\n")
    return path


BAD_COMMANDS = [
    # (id, argv builder taking tmp_path, fragment of stderr)
    ("missing file", lambda t: ["check", t / "nope.toml"], r"spec file '.*nope.toml' does not exist"),
    ("directory", lambda t: ["check", t], r"is a directory, not a TOML file"),
    ("not UTF-8", lambda t: ["check", _not_utf8(t)], r"is not UTF-8 text"),
    ("file too large", lambda t: ["check", _too_large(t)], r"is larger than 1000000 bytes"),
    ("samples 1", lambda t: ["check", TWO_TANH, "--samples", "1"], r"samples=1 must be an integer >= 2"),
    ("negative seed", lambda t: ["check", TWO_TANH, "--seed", "-1"], r"rng=-1 must be a non-negative int seed"),
    ("unknown level", lambda t: ["check", TWO_TANH, "--level", "proved"], r"invalid choice: 'proved'"),
    ("seed not an int", lambda t: ["check", TWO_TANH, "--seed", "x"], r"invalid int value: 'x'"),
    ("search unknown claim", lambda t: ["search", TWO_TANH, "--claim", "mu", "--value", "1"], r"invalid choice: 'mu'"),
    ("search value nan", lambda t: ["search", TWO_TANH, "--claim", "pl_constant", "--value", "nan"],
     r"claims.pl_constant=nan must be a finite number"),
    ("search value negative", lambda t: ["search", TWO_TANH, "--claim", "lipschitz", "--value", "-1"],
     r"claims.lipschitz=-1.0 must be >= 0"),
    ("search no value", lambda t: ["search", t / "s.toml", "--claim", "pl_constant"],
     r"--value is missing and .*s.toml has no claims.pl_constant"),
    ("search max-examples 0", lambda t: ["search", TWO_TANH, "--claim", "pl_constant", "--max-examples", "0"],
     r"max_examples=0 must be an integer >= 2"),
]


@pytest.mark.parametrize("argv,pattern", [c[1:] for c in BAD_COMMANDS], ids=[c[0] for c in BAD_COMMANDS])
def test_bad_command_lines_exit_2(argv, pattern, tmp_path, capsys):
    (tmp_path / "s.toml").write_text(spec_text(claims=None))
    code, out, err = run_cli(argv(tmp_path), capsys)
    assert code == 2 and out == "" and re.search(pattern, err), err
    assert "Traceback" not in err and ("plsym: error" in err or "usage:" in err)


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(spec_text(outputs=outputs("u.__class__", "v")))
    done = subprocess.run([sys.executable, "-m", "plsym", "check", str(path)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert "attribute access" in done.stderr and "Traceback" not in done.stderr


# -- injection ----------------------------------------------------------------------------------

INJECTIONS = [
    "__import__('os').system('touch FILE')",
    "(lambda: open('FILE', 'w'))()",
    "().__class__.__bases__[0].__subclasses__()",
    "exec(\"open('FILE', 'w')\")",
    "eval(\"open('FILE', 'w')\")",
    "compile(\"open('FILE', 'w')\", 'x', 'exec')",
    "f\"{open('FILE', 'w')}\"",
    "__builtins__",
    "__import__",
    "open('FILE', 'w')",
    "u.__class__.__init__.__globals__['os'].system('touch FILE')",
    "getattr(u, '__class__')",
    "globals()['__builtins__']",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "sympify(\"open('FILE', 'w')\")",
    "Symbol('x')",
    "u; import os; os.system('touch FILE')",
    "u\nimport os\nos.system('touch FILE')",
    "1 if open('FILE', 'w') else 0",
    "lambda u: open('FILE', 'w')",
    "breakpoint()",
    "\\x5f\\x5fimport\\x5f\\x5f('os')",
    "ｅｘｅｃ(\"open('FILE', 'w')\")",  # fullwidth letters, which Python's NFKC folds to exec
    "u @ v",
    "u := 1",
]


@pytest.mark.parametrize("payload", INJECTIONS, ids=[p[:30] for p in INJECTIONS])
def test_injection_is_rejected_and_runs_nothing(payload, tmp_path, capsys):
    target = tmp_path / "PWNED"
    text = payload.replace("FILE", str(target))
    with pytest.raises(InvalidArgument, match=r"at position \d+"):
        specs.loads(spec_text(outputs=outputs(text, "v")))
    path = tmp_path / "spec.toml"
    path.write_text(spec_text(outputs=outputs(text, "v")))
    code, out, err = run_cli(["check", path, *FAST], capsys)
    assert code == 2 and "at position" in err and "Traceback" not in err
    assert not target.exists()


def test_injection_in_names_and_keys_is_inert(tmp_path, capsys):
    target = tmp_path / "PWNED"
    payload = f"__import__('os').system('touch {target}')"
    with pytest.raises(InvalidArgument, match=r"params\[0\]=.* is not a valid parameter name"):
        specs.loads(spec_text(params=f"params = [\"{payload}\", \"v\"]"))
    with pytest.raises(InvalidArgument, match=r"unknown claim"):
        specs.loads(spec_text(claims=f"[claims]\n\"{payload}\" = 1.0"))
    path = tmp_path / "spec.toml"
    path.write_text(spec_text(name=f"name = \"{payload}\""))  # a name is a label, never read as code
    code, out, _ = run_cli(["check", path, *FAST], capsys)
    assert code == 0 and payload in out
    assert not target.exists()


# -- the example, the verdicts and the JSON ------------------------------------------------------

def test_readme_example_through_plsym_check(capsys):
    code, out, err = run_cli(["check", TWO_TANH], capsys)
    assert code == 0 and err == ""
    assert out.startswith("two tanh neurons: m=4 parameters, n=2 outputs; level searched, seed 0, 4096 samples")
    for claim in ("kernel_min_eig >= 0.012", "pl_constant >= 0.012", "hessian_norm <= 2", "lipschitz <= 3",
                  "smoothness <= 10"):
        assert f"  {claim}: holds; worst" in out
    assert "5 claim(s): 0 refuted or undefined, 0 certified, 5 hold" in out


def test_refuted_claims_exit_1_with_the_point_and_violated_value(tmp_path, capsys):
    path = tmp_path / "refuted.toml"
    path.write_text(TWO_TANH.read_text().replace("hessian_norm = 2.0", "hessian_norm = 0.5"))
    code, out, _ = run_cli(["check", path, "--json", *FAST], capsys)
    assert code == 1
    d = json.loads(out)
    (v,) = [c for c in d["claims"] if c["name"] == "hessian_norm"]
    assert v["status"] == "refuted" and v["measured"] > 0.5 and len(v["x"]) == 4
    assert (v["claimed"], v["relation"], v["method"]) == (0.5, "upper", "searched") and "ball arithmetic" in v["detail"]
    spec = specs.load(path)
    assert spec.ball.contains(v["x"]) and spec.system.hessian_norm(v["x"]) == pytest.approx(v["measured"], rel=1e-12)
    code, out, _ = run_cli(["check", path, *FAST], capsys)
    assert code == 1 and "hessian_norm <= 0.5: refuted; max_i ||H_{F_i}(w)||_2 = 1.72" in out
    assert re.search(r"\n    x = \[-?\d.*, -?\d.*, -?\d.*, -?\d.*\]\n", out)  # all 4 coordinates (summarized when long)


def test_json_shape(capsys):
    code, out, _ = run_cli(["check", TWO_TANH, "--json", "--level", "sampled", "--seed", "5", *FAST], capsys)
    d = json.loads(out)
    assert code == 0 and out.count("\n") == 1
    assert (d["seed"], d["level"], d["samples"]) == (5, "sampled", 128)
    assert list(d["constants"]) == list(QUANTITIES)
    assert all(row["searched"] is None and row["certified"] is None and row["sampled"] > 0
               for row in d["constants"].values())
    assert [c["name"] for c in d["claims"]] == ["kernel_min_eig", "pl_constant", "hessian_norm", "lipschitz", "smoothness"]
    assert all(c["status"] == "holds" and c["x"] is None for c in d["claims"])


def test_certified_level_on_a_linear_spec(tmp_path, capsys):
    pytest.importorskip("plsym.certify")
    path = tmp_path / "linear.toml"
    path.write_text("matrix = [[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]]\ntargets = [1.0, 2.0]\n"
                    "[ball]\ncenter = [0.0, 0.0, 0.0]\nradius = 1.0\n[claims]\nkernel_min_eig = 0.5\n")
    code, out, _ = run_cli(["check", path, "--level", "certified", "--json", *FAST], capsys)
    d = json.loads(out)
    assert code == 0 and d["claims"][0]["status"] == "certified" and d["claims"][0]["method"] == "certified"
    assert d["constants"]["kernel_min_eig"]["certified"] <= d["constants"]["kernel_min_eig"]["searched"]


# -- determinism ----------------------------------------------------------------------------------

DETERMINISM_ARGV = ["check", TWO_TANH, "--json", "--seed", "7", *FAST]


def test_same_spec_and_seed_give_byte_identical_json(capsys):
    first = run_cli(DETERMINISM_ARGV, capsys)[1]
    second = run_cli(DETERMINISM_ARGV, capsys)[1]
    assert first == second and first.endswith("}\n")


def test_byte_identical_across_processes_and_hash_seeds(capsys):
    in_process = run_cli(DETERMINISM_ARGV, capsys)[1]
    outs = []
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-m", "plsym", *map(str, DETERMINISM_ARGV)], capture_output=True,
                              cwd=ROOT, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        outs.append(done.stdout.decode())
    assert outs[0] == outs[1] == in_process


# -- numerical edge cases at the command line ----------------------------------------------------

EDGE_CASES = [
    # (id, spec text, {claim: expected verdict})
    ("near-singular kernel, claim at lambda_min = 1e-14",
     "matrix = [[1.0, 0.0], [0.0, 1e-7]]\ntargets = [1.0, 1.0]\n[ball]\ncenter = [0.0, 0.0]\nradius = 1.0\n"
     "[claims]\nkernel_min_eig = 1e-14\n", {"kernel_min_eig": "holds"}),
    ("near-singular kernel, claim 1e-6",
     "matrix = [[1.0, 0.0], [0.0, 1e-7]]\ntargets = [1.0, 1.0]\n[ball]\ncenter = [0.0, 0.0]\nradius = 1.0\n"
     "[claims]\nkernel_min_eig = 1e-6\n", {"kernel_min_eig": "refuted"}),
    ("scale 1e8, true claims", spec_text(outputs=outputs("1e8*u*v", "1e8*(u + v**2)"),
                                         claims="[claims]\nkernel_min_eig = 1e15\nhessian_norm = 2.1e8"),
     {"kernel_min_eig": "holds", "hessian_norm": "holds"}),
    ("scale 1e8, false claims", spec_text(outputs=outputs("1e8*u*v", "1e8*(u + v**2)"),
                                          claims="[claims]\nkernel_min_eig = 1e17\nhessian_norm = 1.9e8"),
     {"kernel_min_eig": "refuted", "hessian_norm": "refuted"}),
    ("scale 1e-8, true claims", spec_text(outputs=outputs("1e-8*u*v", "1e-8*(u + v**2)"),
                                          claims="[claims]\nkernel_min_eig = 1e-17\nhessian_norm = 2.1e-8"),
     {"kernel_min_eig": "holds", "hessian_norm": "holds"}),
    ("scale 1e-8, false claims", spec_text(outputs=outputs("1e-8*u*v", "1e-8*(u + v**2)"),
                                           claims="[claims]\nkernel_min_eig = 1e-15\nhessian_norm = 1.9e-8"),
     {"kernel_min_eig": "refuted", "hessian_norm": "refuted"}),
    ("log of a negative number on the ball",
     spec_text(outputs=outputs("log(u)*v", "v"), ball="[ball]\ncenter = [0.05, 1.0]\nradius = 0.1",
               claims="[claims]\nkernel_min_eig = 1e-9\nlipschitz = 1e9"),
     {"kernel_min_eig": "undefined", "lipschitz": "undefined"}),
    ("sqrt of a negative number on the ball",
     spec_text(outputs=outputs("sqrt(u)*v", "u + v"), ball="[ball]\ncenter = [0.0, 1.0]\nradius = 0.5",
               claims="[claims]\npl_constant = 1e9\nsmoothness = 1e-9"),
     {"pl_constant": "undefined", "smoothness": "undefined"}),
    ("sqrt on the edge of the ball, where local search steps outside",  # eigvalsh fails on NaN Hessians there
     'params = ["u", "v", "w"]\noutputs = ["u**2 + sqrt(v) + w**2"]\ntargets = [0.0]\n'
     "[ball]\ncenter = [0.0, 0.5, 0.0]\nradius = 0.5\n[claims]\nhessian_norm = 10.0\nkernel_min_eig = 0.2\n",
     {"hessian_norm": "refuted", "kernel_min_eig": "holds"}),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_numerical_edge_cases(text, expected, tmp_path, capsys):
    path = tmp_path / "edge.toml"
    path.write_text(text)
    code, out, _ = run_cli(["check", path, "--json", *FAST], capsys)
    d = json.loads(out)
    assert {c["name"]: c["status"] for c in d["claims"]} == expected
    assert code == int(any(v != "holds" for v in expected.values()))


# -- plsym search ---------------------------------------------------------------------------------

def test_search_refutes_with_progress_on_stderr(capsys):
    code, out, err = run_cli(["search", TWO_TANH, "--claim", "hessian_norm", "--value", "0.5",
                              "--max-examples", "20"], capsys)
    assert code == 1 and out.startswith("hessian_norm <= 0.5: refuted;") and "\n    x = [" in out
    assert err.startswith("plsym search: hessian_norm <= 0.5 on 'two tanh neurons', up to 20 examples, seed 0, "
                          "by plsym.search...") and "plsym search: done in" in err


def test_search_takes_the_value_from_the_spec(capsys):
    code, out, _ = run_cli(["search", TWO_TANH, "--claim", "lipschitz", "--max-examples", "20"], capsys)
    assert code == 0 and out.startswith("lipschitz <= 3: holds; no counterexample in")


def test_old_claim_key_warns_on_stderr_and_still_works(tmp_path, capsys):
    path = tmp_path / "old.toml"
    path.write_text(TWO_TANH.read_text().replace("pl_constant = 0.012", "pl_star = 0.012"))
    code, out, err = run_cli(["check", path, "--json", *FAST], capsys)
    assert code == 0 and err == "plsym: warning: the spec claim pl_star is deprecated; use claims.pl_constant " \
                                "(the name of plsym.estimate.pl_constant)\n"
    assert [c["name"] for c in json.loads(out)["claims"]][1] == "pl_constant"
    code, out, err = run_cli(["search", path, "--claim", "pl_star", "--max-examples", "20"], capsys)
    assert code == 0 and "use claims.pl_constant" in err and out.startswith("pl_constant >= 0.012: holds")


def test_the_command_keeps_freed_memory_unless_the_user_tuned_malloc(monkeypatch):
    import ctypes

    from plsym import cli

    calls = []

    class Libc:
        def mallopt(self, option, value):
            calls.append((option, value))
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Libc())
    for key in [k for k in os.environ if k.startswith("MALLOC_")]:
        monkeypatch.delenv(key)
    cli._keep_freed_memory()
    assert dict(calls) == {-3: 32 << 20, -1: 256 << 20, -2: 64 << 20}  # mmap threshold, trim, top pad
    calls.clear()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")
    cli._keep_freed_memory()
    assert calls == []


def test_the_command_flushes_runs_atexit_and_keeps_its_exit_code_when_it_skips_teardown(tmp_path):
    """console() ends the process without the interpreter's teardown: its output (block-buffered in a
    pipe) is complete, atexit handlers have run, and the exit code is main's, 0 or 2."""
    bad = tmp_path / "bad.toml"
    bad.write_text(spec_text(outputs=outputs("u.__class__", "v")))
    prog = ("import atexit, sys; from plsym import cli; "
            "atexit.register(lambda: sys.stderr.write('atexit ran\\n')); "
            "sys.argv = ['plsym', *sys.argv[1:]]; cli.console()")
    # block-buffered output, as in a pipe by default
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(ROOT)}
    good = subprocess.run([sys.executable, "-c", prog, *map(str, DETERMINISM_ARGV)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["claims"] and good.stdout.endswith("}\n")
    assert good.stderr.endswith("atexit ran\n")
    failed = subprocess.run([sys.executable, "-c", prog, "check", str(bad)], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=300)
    assert failed.returncode == 2 and failed.stdout == "" and failed.stderr.endswith("atexit ran\n")
