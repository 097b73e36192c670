"""Student versions (cnnlearn.student): solutions out, stubs in, and every check answers the stub
with its "not written yet" hint instead of a traceback."""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from cnnlearn.classroom.student import (
    BEGIN,
    COLAB_CELL,
    COLAB_TAG,
    END,
    PACKAGE_URL,
    SolutionMarkerError,
    strip_solutions,
    student_notebook,
    with_colab_cell,
    write_student_versions,
)
from helpers import check_student_run, make_venv, run_notebooks, text_of

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


# --- the transformation -----------------------------------------------------------------------------

SOLVED = '''def feeds(i, j):
    """How many outputs x_ij feeds."""
    counts = {0: 1, 1: 2}
    ### BEGIN SOLUTION
    a = 1 if i in (0, 2) else 2
    b = 1 if j in (0, 2) else 2
    return a * b
    ### END SOLUTION
'''


def test_region_inside_a_function_keeps_its_indentation():
    source, n = strip_solutions(SOLVED)
    assert n == 1
    assert source == ('def feeds(i, j):\n    """How many outputs x_ij feeds."""\n    counts = {0: 1, 1: 2}\n'
                      '    # YOUR CODE HERE\n    raise NotImplementedError()\n')
    namespace = {}
    exec(compile(source, "<student>", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace["feeds"](1, 1)


def test_several_regions_and_top_level_regions():
    source = ("x = 1\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\n"
              "def f():\n\tif True:\n\t\t### BEGIN SOLUTION\n\t\treturn 3\n\t\t### END SOLUTION\n")
    out, n = strip_solutions(source)
    assert n == 2
    assert "42" not in out and "return 3" not in out
    assert "\t\t# YOUR CODE HERE\n\t\traise NotImplementedError()" in out
    assert out.startswith("x = 1\n# YOUR CODE HERE\nraise NotImplementedError()\ndef f():")
    ast.parse(out)


def test_source_without_markers_is_unchanged():
    assert strip_solutions("print('BEGIN SOLUTION')\n") == ("print('BEGIN SOLUTION')\n", 0)


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside the region opened on line 1"),
])
def test_unbalanced_markers_are_refused_with_the_line(source, message):
    with pytest.raises(SolutionMarkerError, match=re.escape(message)) as err:
        strip_solutions(source, where="03_x.ipynb: cell 7")
    assert "03_x.ipynb: cell 7, line" in str(err.value)


def _tiny_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                            "version_minor": 0}}
    check = nbformat.v4.new_code_cell(
        "import types\n"
        "from cnnlearn.checks._feedback import AnswerError, call_answer, correct, hint\n"
        "def check_feeds(fn):\n"
        "    try:\n"
        "        got = [[call_answer(fn, i, j, name='feeds') for j in range(3)] for i in range(3)]\n"
        "    except AnswerError as err:\n"
        "        return hint(str(err))\n"
        "    return correct('right') if got == [[1, 2, 1], [2, 4, 2], [1, 2, 1]] else hint('centre feeds 4')\n"
        "checks = types.SimpleNamespace(check_feeds=check_feeds)")
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny\nExplain.\n### BEGIN SOLUTION\nThe answer is 4.\n### END SOLUTION"),
        check,
        nbformat.v4.new_code_cell("print('before the exercise')"),
        nbformat.v4.new_code_cell(SOLVED),
        nbformat.v4.new_code_cell("checks.check_feeds(feeds)", metadata={"tags": ["nbval-ignore-output"]}),
    ]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert "Correct" in json.dumps(nb.cells[4].outputs)
    return nb


def test_student_notebook_clears_outputs_and_keeps_metadata():
    nb = _tiny_notebook()
    student, n = student_notebook(nb, "tiny.ipynb")
    assert n == 2
    nbformat.validate(student)
    assert "widgets" not in student.metadata and "widgets" in nb.metadata  # the original is untouched
    assert nb.cells[3].outputs == [] and nb.cells[4].outputs  # (cell 3 prints nothing) the original keeps outputs
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "The answer is 4" not in student.cells[0].source and "YOUR ANSWER HERE" in student.cells[0].source
    assert student.cells[4].metadata["tags"] == ["nbval-ignore-output"]
    assert [c.id for c in student.cells] == [c.id for c in nb.cells]


def test_cli_writes_valid_student_notebooks(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(_tiny_notebook(), src / "01_tiny.ipynb")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.student", str(src), str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "01_tiny.ipynb: 2 solution regions removed" in proc.stdout
    student = nbformat.read(out / "01_tiny.ipynb", as_version=4)
    nbformat.validate(student)
    report = run_student_notebook(out / "01_tiny.ipynb", nbformat.read(src / "01_tiny.ipynb", as_version=4))
    assert report == {"exercises": 1, "checks_with_hint": 1, "tests_failed": 0}


def test_cli_refuses_to_overwrite_the_solutions(tmp_path):
    nbformat.write(_tiny_notebook(), tmp_path / "01_tiny.ipynb")
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.student", str(tmp_path), str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "would overwrite the solutions" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.student", str(tmp_path / "missing"), "out"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and "src must be a notebook or a folder" in proc.stderr


def test_a_crashing_check_is_caught(tmp_path):
    """The runner below is a real test: a check that crashes on the stub makes it fail."""
    nb = _tiny_notebook()
    nb.cells[1].source = nb.cells[1].source.replace("call_answer(fn, i, j, name='feeds')", "fn(i, j)")
    nbformat.write(student_notebook(nb)[0], tmp_path / "bad.ipynb")
    with pytest.raises(AssertionError, match="NotImplementedError"):
        run_student_notebook(tmp_path / "bad.ipynb", nb)


# --- running a student notebook ---------------------------------------------------------------------

def run_student_notebook(path, solved):
    """Execute the student notebook ``path`` in a fresh kernel (every cell, going on past errors, as
    nbgrader does) and check what it shows with :func:`check_student_run`; returns its counts."""
    student = nbformat.read(path, as_version=4)
    NotebookClient(student, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    return check_student_run(student, solved, Path(path).name)


def nbgrader_conflicts(nb):
    """Lines that nbgrader's ClearSolutions would read differently from cnnlearn.classroom.student.

    nbgrader (checked against 0.9.6, nbgrader/preprocessors/clearsolutions.py) treats every line that
    *contains* "BEGIN SOLUTION" or "END SOLUTION", in code and markdown cells alike, as a marker;
    cnnlearn.student only whole-line markers in the right order. They agree (and nbgrader's
    ``generate_assignment`` writes the same stubs) exactly when no other line mentions the markers.
    """
    conflicts = []
    for index, cell in enumerate(nb.cells):
        for number, line in enumerate(cell.source.splitlines(), 1):
            if ("BEGIN SOLUTION" in line or "END SOLUTION" in line) and not (
                    cell.cell_type == "code" and (BEGIN.match(line) or END.match(line))):
                conflicts.append(f"cell {index} ({cell.cell_type}) line {number}: {line.strip()[:100]}")
    return conflicts


def test_nbgrader_rule_is_enforced():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SOLVED),
                nbformat.v4.new_markdown_cell("Write it between `### BEGIN SOLUTION` and `### END SOLUTION`.")]
    assert nbgrader_conflicts(nb) == ["cell 1 (markdown) line 1: Write it between `### BEGIN SOLUTION` and "
                                      "`### END SOLUTION`."]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_markers_read_the_same_by_nbgrader(notebook):
    """Teachers can feed the notebooks to nbgrader: no prose or code mentions the marker text."""
    conflicts = nbgrader_conflicts(nbformat.read(notebook, as_version=4))
    assert conflicts == [], (f"{notebook.name}: nbgrader would take these lines for solution markers "
                             f"(and stop with 'no end solution statement found'); reword them: {conflicts}")


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    if NOTEBOOKS:
        write_student_versions(ROOT / "notebooks", out)
    return out


def test_the_series_has_notebooks():
    assert NOTEBOOKS, "no notebooks in notebooks/"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_real_student_notebook(notebook, student_dir):
    """The student version as written: valid, no markers, no outputs. What it shows when it runs is checked on
    nbgrader's autograde of the untouched submission (tests/test_nbgrader.py), one run of the same cells."""
    student = nbformat.read(student_dir / notebook.name, as_version=4)
    nbformat.validate(student)
    assert not any(BEGIN.match(line) or END.match(line) for c in student.cells for line in c.source.splitlines())
    assert all(c.get("outputs", []) == [] for c in student.cells)
    solved = nbformat.read(notebook, as_version=4)
    assert len(student.cells) == len(solved.cells)


# --- Colab: the set-up cell, and the series under Colab's ipywidgets 7 --------------------------------

def test_colab_cell_is_first_once_and_installs_cnnlearn_with_its_dependencies(tmp_path):
    nb = with_colab_cell(with_colab_cell(_tiny_notebook()))
    tagged = [c for c in nb.cells if COLAB_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells[0] is tagged[0]
    assert f'%pip install --quiet "cnnlearn @ {PACKAGE_URL}"' in COLAB_CELL
    assert "--no-deps" not in COLAB_CELL  # its dependencies are the four Colab has or needs (anywidget)


def test_colab_cell_installs_only_when_cnnlearn_is_missing():
    """Run the cell in a kernel twice: with cnnlearn importable (no pip), and with it hidden (pip called)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    record = ("calls = []\n"
              "get_ipython().register_magic_function(lambda line: calls.append(line), 'line', 'pip')")
    hide = ("import sys\nsaved = sys.modules.pop('cnnlearn', None)\n"
            "class Hide:\n    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'cnnlearn' and not calls:\n            raise ImportError('hidden')\n"
            "sys.meta_path.insert(0, Hide())")
    nb.cells = [nbformat.v4.new_code_cell(record), nbformat.v4.new_code_cell(COLAB_CELL),
                nbformat.v4.new_code_cell("print('CALLS', calls)"), nbformat.v4.new_code_cell(hide),
                nbformat.v4.new_code_cell(COLAB_CELL), nbformat.v4.new_code_cell("print('CALLS', calls)")]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert text_of(nb.cells[2].outputs).strip() == "CALLS []"
    assert text_of(nb.cells[5].outputs).strip() == f"CALLS ['install --quiet \"cnnlearn @ {PACKAGE_URL}\"']"


# Colab's classic notebook server as well: ipywidgets 7's widgetsnbextension requires some notebook, and left to pip
# it takes Notebook 7, which brings JupyterLab along before cnnlearn is even installed
COLAB_LIKE = ["ipywidgets==7.7.1", "numpy==2.0.2", "matplotlib==3.10.0", "ipykernel==6.17.1", "notebook==6.5.7",
              "nbclient", "nbformat"]


@pytest.mark.integration
def test_series_runs_under_colab_like_ipywidgets_7(tmp_path):
    """What a Colab user gets: Colab's versions of ipywidgets (7.7.1), numpy and matplotlib, no cnnlearn;
    the notebooks written by ``--colab`` install it in their first cell and then run top to bottom."""
    assert NOTEBOOKS, "no notebooks in notebooks/"
    venv, env = make_venv(tmp_path, COLAB_LIKE)
    python = str(venv / "bin" / "python")
    assert subprocess.run([python, "-c", "import cnnlearn"], env=env, capture_output=True,
                          cwd=tmp_path).returncode != 0, "cnnlearn must not be importable before the set-up cell"
    assert subprocess.run([python, "-c", "import jupyterlab"], env=env, capture_output=True,
                          cwd=tmp_path).returncode != 0, "the Colab-like runtime has JupyterLab before cnnlearn came"
    out = tmp_path / "colab"
    # install from a copy, so that building the wheel leaves nothing behind in the checkout
    src = tmp_path / "src"
    shutil.copytree(ROOT / "cnnlearn", src / "cnnlearn", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    write_student_versions(ROOT / "notebooks", out, colab=True, keep_solutions=True, package_url=src.as_uri())
    probe = ("import cnnlearn, ipywidgets, sys, importlib.util as u; print(ipywidgets.__version__, sys.prefix, "
             "cnnlearn.__file__, u.find_spec('jupyterlab') is None)")
    ran, _ = run_notebooks(venv, env, [out / p.name for p in NOTEBOOKS], tmp_path, probe)
    for name, first in ran:
        version, prefix, module, no_lab = first.split()
        assert version == "7.7.1" and Path(prefix) == venv, first
        assert Path(module).is_relative_to(venv), f"{name}: cnnlearn came from {module}, not the installed copy"
        assert no_lab == "True", f"{name}: installing cnnlearn brought JupyterLab into the runtime"
