"""The README's quickstart runs and prints what it says; its two commands are the CI's."""

import doctest
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_readme_quickstart_doctest():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'pip install ".[test,frameworks]" && python -m pytest'
    assert command in readme and command in ci
    assert ci.strip().splitlines()[-1] == command  # the last line of .ci/run is that command, nothing else
    assert "pip install . && plsym reproduce" in readme


def test_extras_light_test_heavy_frameworks():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    names = lambda reqs: {r.split("[")[0].split(">")[0].split("=")[0].strip().lower() for r in reqs}  # noqa: E731
    assert "plsym[docs]" in extras["test"] and not names(extras["test"]) & {"jax", "torch", "pepit", "dask"}
    assert {"jax", "torch", "pepit", "dask"} <= names(extras["frameworks"])
    assert "torch==2.13.0" in extras["frameworks"]  # the CPU build CI machines carry, not a CUDA download
    assert {"sphinx", "myst-nb"} <= names(extras["docs"])
    # the suite runs in one worker process per core, which the test extra must install
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    assert "pytest-xdist" in names(extras["test"]) and "--numprocesses=auto" in addopts
