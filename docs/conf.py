"""Sphinx configuration of the plsym documentation (``sphinx-build -W docs <out>``)."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document this checkout's plsym, not an installed copy

import plsym  # noqa: E402

project = "plsym"
author = "plsym developers"
copyright = "plsym developers"
release = version = plsym.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "myst_nb",
]

# Markdown (MyST) for the pages and the theory catalog; every heading down to level 4 gets an
# anchor, so that docs/theory.md's ids are addressable as theory.html#t14.
myst_heading_anchors = 4
myst_enable_extensions = ["dollarmath"]

# The notebooks are rendered as stored (without outputs); the test suite executes them separately.
nb_execution_mode = "off"

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "notebooks/.ipynb_checkpoints", "**/.ipynb_checkpoints"]

# numpydoc-style docstrings, read by napoleon
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_mock_imports = []

html_theme = "alabaster"


# plsym's docstrings are plain numpydoc text in which |x| is an absolute value and min_/max_ name
# keyword prefixes; reStructuredText would read them as substitutions and link targets. Escape
# both outside ``literals``, doctest lines and literal blocks, so the text renders as written.
_LITERAL = re.compile(r"(``.*?``|`[^`]*`_?)")
_RULE = re.compile(r"^\s*=+(\s+=+)+\s*$")
_TARGET = re.compile(r"(?<=\w)_(?=[\s.,;:)]|$)")


def _escape_text(text):
    parts = _LITERAL.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside literals and roles
        parts[i] = _TARGET.sub(r"\\_", parts[i].replace("|", r"\|"))
    return "".join(parts)


def _escape_docstring(app, what, name, obj, options, lines):
    block_indent = None  # indentation of the paragraph that opened a literal block (::)
    rules = 0  # rule lines (=== ===) seen in the current simple table: columns must keep aligned
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if _RULE.match(line):
            rules = (rules + 1) % 3
            continue
        if rules:
            continue
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if stripped.startswith((">>>", "... ")) or stripped == "..." or stripped.startswith(".. "):
            continue
        lines[i] = _escape_text(line)
        if stripped.endswith("::"):
            block_indent = indent


def setup(app):
    app.connect("autodoc-process-docstring", _escape_docstring, priority=400)
html_title = f"plsym {release}"
