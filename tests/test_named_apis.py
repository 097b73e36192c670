"""Every API the series names resolves: each ``cnnlearn.<name>`` and ``cnnlearn.<module>.<name>`` (and each
``from cnnlearn... import name``) written in the checks' messages, the notebooks' markdown and code cells,
README.md and docs/*.md imports and exists, so that a student who follows a hint or a page never meets an
AttributeError (issue 18: two hints recommended cnnlearn.dilate, which is not exported).

The checks' messages are built by code, so their names are collected twice: from the string literals of
cnnlearn/checks/*.py here, and from the hints the checks render for the tests' wrong answers, in each
tests/test_checks_*.py (with tests/helpers.py's unresolved()).
"""

import ast
import json
from pathlib import Path

import pytest

from helpers import names_in, resolves

ROOT = Path(__file__).resolve().parents[1]

def string_literals(path):
    """Every string constant of a Python file, f-strings' constant parts included."""
    tree = ast.parse(path.read_text())
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def notebook_text(path):
    return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]
                     if cell["cell_type"] in ("markdown", "code"))


SOURCES = {
    **{f"string literals of {p.relative_to(ROOT)}": (lambda p=p: "\n".join(string_literals(p)))
       for p in sorted((ROOT / "cnnlearn" / "checks").glob("*.py"))},
    **{str(p.relative_to(ROOT)): (lambda p=p: notebook_text(p)) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))},
    "README.md": lambda: (ROOT / "README.md").read_text(),
    **{str(p.relative_to(ROOT)): (lambda p=p: p.read_text()) for p in sorted((ROOT / "docs").glob("*.md"))},
}


def test_the_collector_finds_names_and_refuses_a_missing_one():
    assert names_in("use `cnnlearn.conv.dilate(dy, (s, s))`, cnnlearn.rot180 or cnnlearn.checks.check_<name>.") == {
        "cnnlearn.conv.dilate", "cnnlearn.rot180", "cnnlearn.checks"}
    assert names_in("from cnnlearn import checks, viz as v  # the checks\nfrom IPython import display") == {
        "cnnlearn.checks", "cnnlearn.viz"}
    assert names_in("from cnnlearn.layers import (Linear,\n    ReLU)") == {"cnnlearn.layers", "cnnlearn.layers.Linear",
                                                                      "cnnlearn.layers.ReLU"}
    assert resolves("cnnlearn.conv.dilate") and resolves("cnnlearn.layers") and resolves("cnnlearn.rot180")
    assert not resolves("cnnlearn.dilate") and not resolves("cnnlearn.nonexistent_module.name")


@pytest.mark.parametrize("source", SOURCES)
def test_every_cnnlearn_name_resolves(source):
    names = names_in(SOURCES[source]())
    missing = sorted(n for n in names if not resolves(n))
    assert not missing, f"{source} names what does not exist: {missing}"


def test_the_checks_name_apis_at_all():
    """The collection is not empty where the hints do name APIs (a regex that matched nothing would pass)."""
    literals = names_in("\n".join(SOURCES[s]() for s in SOURCES if s.startswith("string literals")))
    assert {"cnnlearn.rot180", "cnnlearn.conv.dilate", "cnnlearn.cross_entropy_backward"} <= literals
