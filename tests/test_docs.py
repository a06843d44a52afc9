"""The documentation builds without a single warning, and every citation of the theory catalog
(docs/theory.md ID or §N) in the shipped code, proof scripts and notebooks names an entry that
exists there."""

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
THEORY = DOCS / "theory.md"


def build(source, out):
    """sphinx-build with warnings as errors (all of them reported); the completed process."""
    cmd = [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html", str(source), str(out)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)


def test_docs_build_without_warnings(tmp_path):
    done = build(DOCS, tmp_path / "html")
    assert done.returncode == 0, done.stderr[-4000:]
    html = (tmp_path / "html" / "theory.html").read_text(encoding="utf-8")
    for anchor in ("d1", "t14", "c15", "x3", "r1"):  # the catalog's ids are addressable
        assert f'id="{anchor}"' in html
    for page in ("getting-started", "notebooks/01_landscape", "api/plsym.estimate", "api/plsym.theorems"):
        assert (tmp_path / "html" / f"{page}.html").exists()
    assert "kernel_min_eig" in (tmp_path / "html" / "api" / "plsym.estimate.html").read_text(encoding="utf-8")


def test_getting_started_examples_run():
    import doctest

    result = doctest.testfile(str(DOCS / "getting-started.md"), module_relative=False)
    assert result.attempted >= 2 and result.failed == 0


def test_docs_build_fails_on_a_warning(tmp_path):
    # the same build command on a two-line project with a broken reference must fail
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = []\n")
    (src / "index.rst").write_text("Title\n=====\n\nSee :ref:`no-such-label`.\n")
    done = build(src, tmp_path / "html")
    assert done.returncode != 0
    assert "no-such-label" in done.stderr


# --- citations of the catalog --------------------------------------------------------------------

_TOKEN = re.compile(r"(?:[\s,;:]|and\b)*(§\d+(?:\.\d+)*|[CDRTX]\d{1,2}\b)")


def cited():
    """{(file, id or §N)} for every 'docs/theory.md ...' citation in plsym/, proofs/, notebooks/."""
    found = set()
    files = [p for d in ("plsym", "proofs", "notebooks") for p in (ROOT / d).rglob("*") if p.suffix in (".py", ".ipynb")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"docs/theory\.md", text):
            rest = text[match.end():match.end() + 200]
            while (token := _TOKEN.match(rest)) is not None:
                found.add((str(path.relative_to(ROOT)), token.group(1)))
                rest = rest[token.end():]
    return found


def anchors():
    """The catalog's ids (headings '### ID') and section numbers (headings '## N.' / '### N.M')."""
    ids, sections = set(), set()
    for line in THEORY.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^#{2,4} ([CDRTX]\d{1,2})$", line):
            ids.add(m.group(1))
        elif m := re.match(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", line):
            sections.add("§" + m.group(1))
    return ids, sections


def test_catalog_has_every_id_once():
    ids, sections = anchors()
    expected = {f"D{i}" for i in range(1, 9)} | {f"T{i}" for i in range(1, 24)} | {f"X{i}" for i in range(1, 5)}
    expected |= {f"C{i}" for i in range(1, 26)} | {f"R{i}" for i in range(1, 5)}
    assert ids == expected
    headings = re.findall(r"^#{2,4} ([CDRTX]\d{1,2})$", THEORY.read_text(encoding="utf-8"), flags=re.M)
    assert len(headings) == len(set(headings))  # one heading, one anchor per id
    assert {"§1", "§2", "§3", "§4", "§5", "§6", "§7"} | {f"§3.{i}" for i in range(1, 11)} <= sections


def test_every_citation_points_into_the_catalog():
    ids, sections = anchors()
    citations = cited()
    assert len(citations) > 50  # the shipped code does cite the catalog (and the parser finds it)
    missing = sorted((f, ref) for f, ref in citations if ref not in ids and ref not in sections)
    assert not missing


def test_every_theorem_check_has_an_entry():
    from plsym.theorems import THEOREMS

    ids, _ = anchors()
    assert set(THEOREMS) <= ids


@pytest.mark.parametrize("directory", ["plsym", "proofs", "notebooks", "docs", "scripts", "benchmarks", "tests", "README.md"])
def test_shipped_text_is_self_contained(directory):
    # nothing shipped refers to files outside the repository or to how it was developed
    words = re.compile("|".join([r"\.\./" + "shared", "paper" + r"\.md", "S" + "TYLE", r"\bissue " + r"\d", r"(paper[- ]|the |\()di" + r"gest\b", "di" + "gest's"]))
    offenders = []
    paths = [ROOT / directory] if (ROOT / directory).is_file() else (ROOT / directory).rglob("*")
    for path in paths:
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".toml", ".json"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if words.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders
