"""Helpers shared by several test files (each is used by more than one)."""

import importlib
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from cnnlearn.classroom.grading import TEST_TAG

CHECK_CALL = re.compile(r"\bchecks\.check_\w+\s*\(")
NOT_WRITTEN = "not written yet"


def text_of(outputs):
    """The text a reader sees in a cell's outputs (streams, text data, errors as name: value)."""
    parts = []
    for out in outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.extend(str(v) for k, v in out.data.items() if k.startswith("text/"))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


def check_student_run(student, solved, name):
    """Assert that the executed student version ``student`` of the notebook ``solved`` shows that

    - every cell before the first exercise ran without an error;
    - every exercise cell (one that held a solution in ``solved``) ran: it only defines the stub;
    - the cell after each exercise is its check, and on the unsolved stub it shows the check's
      "not written yet" hint, with no error;
    - an autograder-test cell (nbgrader ``grade``, added by cnnlearn.grading) fails with an AssertionError
      whose message is that hint, and is tagged so that Run All goes on past it;
    - any later cell that fails does so only because it called a stub (NotImplementedError).
    Returns counts for the caller to compare. ``student`` may come from nbgrader's autograde of an untouched
    submission (tests/test_nbgrader.py), which executes the same cells in the same way.
    """
    assert len(student.cells) == len(solved.cells)
    exercise_cells = {i for i, c in enumerate(solved.cells)
                      if c.cell_type == "code" and "### BEGIN SOLUTION" in c.source}
    seen_exercise, checks_with_hint, tests_failed = False, 0, 0
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        where = f"{name} cell {index}"
        if index in exercise_cells:
            seen_exercise = True
            assert "raise NotImplementedError()" in cell.source, where
            assert not errors, f"{where}: the exercise stub itself fails: {text_of(errors)}"
            following = student.cells[index + 1] if index + 1 < len(student.cells) else None
            assert following is not None and CHECK_CALL.search(following.source), (
                f"{where}: an exercise must be followed by its check cell")
        elif cell.metadata.get("nbgrader", {}).get("grade"):
            # the autograder test (cnnlearn.grading) fails on the stub, with the check's hint as message
            assert [e.ename for e in errors] == ["AssertionError"], (
                f"{where}: the autograder test must fail with the check's hint, got: {text_of(errors) or 'no error'}")
            assert NOT_WRITTEN in errors[0].evalue.lower(), f"{where}: the test's message is not the hint"
            assert TEST_TAG in cell.metadata.get("tags", []), f"{where}: Run All would stop here"
            tests_failed += 1
        elif index - 1 in exercise_cells or CHECK_CALL.search(cell.source) and seen_exercise:
            shown = text_of(cell.outputs)
            assert not errors, f"{where}: the check crashed on the unsolved stub: {shown}"
            assert NOT_WRITTEN in shown.lower(), f"{where}: no 'not written yet' hint, got: {shown[:500]}"
            checks_with_hint += 1
        elif not seen_exercise:
            assert not errors, f"{where} fails before the first exercise: {text_of(errors)}"
        else:
            assert all(e.ename == "NotImplementedError" for e in errors), (
                f"{where} fails for a reason other than an unsolved stub: {text_of(errors)}")
        assert cell.source.strip() == "" or cell.execution_count, f"{where} did not run"
    return {"exercises": len(exercise_cells), "checks_with_hint": checks_with_hint, "tests_failed": tests_failed}


# --- wrong answers in the checks' tests ---------------------------------------------------------------

def outcome(fn, *args):
    """The answer as an array (a tuple of arrays for a function that returns several), or None when it raises or
    is not numbers."""
    try:
        got = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        if isinstance(got, (tuple, list)):
            return tuple(np.asarray(g, dtype=float) for g in got)
        return np.asarray(got, dtype=float)
    except Exception:
        return None


def _differs(got, right, rtol):
    if isinstance(right, tuple):
        return (not isinstance(got, tuple) or len(got) != len(right)
                or any(_differs(g, r, rtol) for g, r in zip(got, right)))
    return (isinstance(got, tuple) or got.shape != np.shape(right)
            or not np.allclose(got, right, rtol=rtol, atol=rtol * 1e-3))


def assert_really_wrong(fn, runs, rtol=1e-6):
    """``runs``: (args, right) per case, ``right`` an array or a tuple of arrays. The wrong answer must differ from
    the right one on at least one case (beyond the check's tolerance, relative error 1e-6 unless told)."""
    for args, right in runs:
        got = outcome(fn, *args)
        if got is None or _differs(got, right, rtol):
            return
    raise AssertionError("this 'wrong' answer is right on every case of the check")


def assert_slip_named(check, wrong, slip, runs):
    """``wrong`` maps each slip to (its wrong answer, fragments of its hint). The answer of ``slip`` must be
    really wrong on ``runs`` (:func:`assert_really_wrong`), and its hint must hold every one of its fragments and
    none of the other slips'."""
    fn, fragments = wrong[slip]
    assert_really_wrong(fn, runs)
    fb = check(fn)
    assert not fb.ok
    for f in fragments:
        assert f in fb.message, f"{f!r} not in {fb.message!r}"
    others = [frag for other, (_, frs) in wrong.items() if other != slip for frag in frs]
    assert not any(f in fb.message for f in others), fb.message


# --- the cnnlearn names a text writes (hints, notebooks, docs) ---------------------------------------------

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


def unresolved(text):
    """The cnnlearn names ``text`` writes that do not exist (sorted), [] when all resolve."""
    return sorted(n for n in names_in(text) if not resolves(n))


# --- fresh virtual environments (Binder's, Colab's, JupyterLab 3's, the wheel's) ----------------------

RUNNER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient

    first_cell = sys.argv[1]
    for path in sys.argv[2:]:
        nb = nbformat.read(path, as_version=4)
        # first, or right after the Colab set-up cell where a notebook has one
        at = 1 if nb.cells and "cnnlearn-colab-setup" in nb.cells[0].metadata.get("tags", []) else 0
        nb.cells.insert(at, nbformat.v4.new_code_cell(first_cell))
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(Path(path).parent)}}).execute()
        first = " ".join(o.get("text", "") for o in nb.cells[at].outputs).replace("\\n", " ").strip()
        print(f"RAN {path} {time.perf_counter() - t0:.1f}s FIRST {first}", flush=True)
""")


def make_venv(base, requirements):
    """A fresh virtual environment in ``base``/venv with ``requirements`` (pip arguments) installed.

    Returns (venv path, environment for subprocesses). Jupyter, IPython and matplotlib state stay inside
    ``base``; pip's wheel cache is shared, so the packages the test command itself just installed are not
    downloaded again (the same files: the environment is as fresh as without the cache).
    """
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    cache = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], capture_output=True,
                           text=True).stdout.strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(venv),
               PIP_DISABLE_PIP_VERSION_CHECK="1", **({"PIP_CACHE_DIR": cache} if cache else {}),
               # keep Jupyter, IPython and matplotlib state inside the temporary folder
               JUPYTER_CONFIG_DIR=str(base / "jconfig"), JUPYTER_DATA_DIR=str(base / "jdata"),
               JUPYTER_RUNTIME_DIR=str(base / "jruntime"), IPYTHONDIR=str(base / "ipython"),
               MPLCONFIGDIR=str(base / "mpl"), HOME=str(base / "home"))
    (base / "home").mkdir()
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *requirements],
                          env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return venv, env


def run_notebooks(venv, env, paths, cwd, first_cell):
    """Execute ``paths`` one by one with nbclient inside ``venv``, each with ``first_cell`` put first
    (after the Colab set-up cell, where there is one).

    Returns [(notebook path, text printed by the first cell)] and the runner's output.
    """
    runner = Path(cwd) / "run.py"
    runner.write_text(RUNNER)
    proc = subprocess.run([str(venv / "bin" / "python"), str(runner), first_cell, *map(str, paths)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=1800)
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    ran = re.findall(r"^RAN (\S+) \S+ FIRST (.*)$", proc.stdout, re.M)
    assert [Path(r[0]).name for r in ran] == [Path(p).name for p in paths], proc.stdout
    return ran, proc.stdout


def css_selectors(css):
    """Every selector of a style sheet's rules (comments before a rule left out), so a test can check that
    each one is scoped under a widget's root class."""
    return [s.strip() for rule in css.split("}") if "{" in rule for s in rule.split("{")[0].split("*/")[-1].split(",")]
