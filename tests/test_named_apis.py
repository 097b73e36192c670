"""Every API the series names resolves: each ``cnnlearn.<name>`` and ``cnnlearn.<module>.<name>`` (and each
``from cnnlearn... import name``) written in the checks' messages, the notebooks' markdown and code cells,
README.md and docs/*.md imports and exists, so that a student who follows a hint or a page never meets an
AttributeError (issue 18: two hints recommended cnnlearn.dilate, which is not exported).

The checks' messages are built by code, so their names are collected twice: from the string literals of
cnnlearn/checks/*.py, and from the hints the checks render for the tests' wrong answers.
"""

import ast
import importlib
import json
import re
from pathlib import Path

import pytest
import test_checks_adversarial
import test_checks_basics
import test_checks_gradients
import test_checks_training

from cnnlearn import checks

ROOT = Path(__file__).resolve().parents[1]

DOTTED = re.compile(r"(?<![\w.])cnnlearn(?:\.[A-Za-z_]\w*)+(?![\w<{])")  # not a placeholder like check_<name>
FROM_IMPORT = re.compile(r"\bfrom\s+(cnnlearn(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n#;]+)")


def names_in(text):
    """The dotted cnnlearn names a text writes, and the ones it imports with ``from cnnlearn... import``."""
    found = set(DOTTED.findall(text))
    for module, imported in FROM_IMPORT.findall(text):
        for item in imported.strip("() \n").split(","):
            name = item.split()[0] if item.split() else ""  # "a as b" imports a
            if name.isidentifier():
                found.add(f"{module}.{name}")
    return found


def resolves(dotted):
    """Import the longest module prefix of ``dotted``, then look the rest up as attributes."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        try:
            for part in parts[k:]:
                obj = getattr(obj, part)
        except AttributeError:
            return False
        return True
    return False


def string_literals(path):
    """Every string constant of a Python file, f-strings' constant parts included."""
    tree = ast.parse(path.read_text())
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def notebook_text(path):
    return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]
                     if cell["cell_type"] in ("markdown", "code"))


def rendered_hints():
    """The hints the checks give the wrong answers of the tests' tables."""
    for check, table in test_checks_gradients.ALL_TABLES:
        for fn, *_ in table.values():
            yield check(fn).message
    for check_name, _, fn, _ in test_checks_basics.SLIPS:
        yield getattr(checks, f"check_{check_name}")(fn).message
    for fn, *_ in test_checks_training.SLIPS.values():
        yield checks.check_max_pool_backward(fn).message
    for fn, _ in test_checks_training.LINEAR_SLIPS.values():
        yield checks.check_linear_backward(fn).message
    for fn, _ in test_checks_training.RELU_SLIPS.values():
        yield checks.check_relu_backward(fn).message
    for fn, _ in test_checks_adversarial.WRONG.values():
        yield checks.check_fgsm(fn).message


SOURCES = {
    **{f"string literals of {p.relative_to(ROOT)}": (lambda p=p: "\n".join(string_literals(p)))
       for p in sorted((ROOT / "cnnlearn" / "checks").glob("*.py"))},
    "the hints rendered for the tests' wrong answers": lambda: "\n".join(rendered_hints()),
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
    assert "cnnlearn.rot180" in names_in(SOURCES["the hints rendered for the tests' wrong answers"]())
