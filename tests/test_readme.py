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
