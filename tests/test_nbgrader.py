"""nbgrader: the committed notebooks are stamped (cnnlearn.grading), and real nbgrader grades them.

The real run: a course folder, ``nbgrader generate_assignment`` for every notebook with exercises, three
submissions (every solution; every stub untouched; a typical class answer: the typical wrong answer of
:data:`WRONG` in the 1st, 3rd, ... exercise of each notebook and the right one in the others),
``nbgrader autograde``, the scores read back with nbgrader's ``Gradebook``, and
``nbgrader generate_feedback``, whose pages must carry every wrong exercise's hint. The untouched submission
is the student version as handed out, so its autograded run is also where the student versions are checked
to run as a student sees them (tests/helpers.py's check_student_run).
"""

import copy
import html
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

import cnnlearn
from cnnlearn import checks
from cnnlearn.classroom.grading import (
    POINTS,
    STAMP_COMMAND,
    GradingError,
    autograder_source,
    is_exercise,
    points_table,
    stamp_notebook,
    stamp_paths,
)
from cnnlearn.classroom.student import BEGIN, END, student_notebook
from helpers import check_student_run

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ASSIGNMENT = "cnn_backprop"

#: A typical wrong answer per exercise: the code a student might write between the markers.
WRONG = {
    "nb00-window_sum": "return float(np.sum(patch * w[::-1, ::-1]))  # rotated the filter: that is convolution",
    "nb01-conv_forward": """\
        H, W = x.shape
        kh, kw = w.shape
        y = np.zeros((H - kh, W - kw))  # forgot the + 1
        for i in range(H - kh):
            for j in range(W - kw):
                y[i, j] = np.sum(x[i:i + kh, j:j + kw] * w)
        return y""",
    "nb01-output_length": "return (n + 2 * padding - k) // stride + 1  # forgot the dilation",
    "nb02-stable_softmax": """\
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)  # normalised over the batch""",
    "nb02-cross_entropy_loss": """\
        m = logits.max(axis=1, keepdims=True)
        log_sum_exp = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
        return float(np.sum(log_sum_exp - logits[np.arange(len(labels)), labels]))  # sum, not mean""",
    "nb02-logit_gradient": """\
        n, K = logits.shape
        return cnnlearn.softmax(logits) - np.eye(K)[labels]  # forgot the 1/N""",
    "nb03-filter_gradient": "return cnnlearn.rot180(cnnlearn.conv2d(x, dy))  # rotated, as for dL/dX",
    "nb03-filter_gradient_batch": """\
        return sum(cnnlearn.conv2d(x[n], dy[n]) for n in range(len(x))) / len(x)  # averaged over the batch""",
    "nb04-feed_counts": """\
        H, W = input_shape
        kh, kw = kernel_shape
        counts = np.zeros((H, W), dtype=int)
        for oi in range(H - kh):  # one window short
            for oj in range(W - kw):
                counts[oi:oi + kh, oj:oj + kw] += 1
        return counts""",
    "nb04-input_gradient": """\
        Ho, Wo = dy.shape
        kh, kw = w.shape
        dx = np.zeros((Ho + kh - 1, Wo + kw - 1))
        for oi in range(Ho):
            for oj in range(Wo):
                dx[oi:oi + kh, oj:oj + kw] += dy[oi, oj] * cnnlearn.rot180(w)  # rotated the scattered filter
        return dx""",
    "nb04-dx22": ("return dy[0, 0] * w[1, 1] + dy[0, 1] * w[1, 0] + dy[1, 0] * w[0, 1] + dy[1, 1] * w[0, 1]"
                  "  # f12 twice"),
    "nb05-central_difference": """\
        x = np.array(x, dtype=float)
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + h
            up = f(x)
            x[i] = old - h
            down = f(x)
            x[i] = old
            grad[i] = (up - down) / h  # forgot the 2
        return grad""",
    "nb05-relative_error": "return float(np.max(np.abs(a - b)))  # absolute, not relative",
    "nb06-bias_gradient": "return dy.sum(axis=(0, 2, 3)) / dy.shape[0]  # averaged over the batch",
    "nb06-input_gradient_full": """\
        kh, kw = w.shape
        return cnnlearn.conv2d(np.pad(dy, ((kh - 1, kh - 1), (kw - 1, kw - 1))), w)  # forgot rot180""",
    "nb06-filter_gradient_strided": """\
        kh, kw = kernel_shape
        xp = np.pad(x, padding)
        Ho, Wo = dy.shape
        dw = np.zeros((kh, kw))
        for ki in range(kh):
            for kj in range(kw):
                dw[ki, kj] = np.sum(dy * xp[ki:ki + Ho, kj:kj + Wo])  # windows one apart: the stride ignored
        return dw""",
    "nb06-input_gradient_strided": """\
        H, W = input_shape
        kh, kw = w.shape
        dx_padded = np.zeros((H + 2 * padding, W + 2 * padding))
        for i in range(dy.shape[0]):
            for j in range(dy.shape[1]):
                dx_padded[i * stride:i * stride + kh, j * stride:j * stride + kw] += dy[i, j] * w
        return dx_padded  # the padding's rows and columns not cropped""",
    "nb06-conv_backward": """\
        N, C, H, W = x.shape
        C_out, _, kh, kw = w.shape
        _, _, Ho, Wo = dy.shape
        P = padding
        x_padded = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
        dx_padded = np.zeros(x_padded.shape)
        dw = np.zeros(w.shape)
        for k in range(kh):
            for l in range(kw):
                rows = slice(k, k + stride * (Ho - 1) + 1, stride)
                cols = slice(l, l + stride * (Wo - 1) + 1, stride)
                dw[:, :, k, l] = np.tensordot(dy, x_padded[:, :, rows, cols], axes=([0, 2, 3], [0, 2, 3]))
                back = np.tensordot(dy, w[:, :, k, l], axes=([1], [0]))
                dx_padded[:, :, rows, cols] += back.transpose(0, 3, 1, 2)
        return dx_padded, dw, dy.sum(axis=(0, 2, 3))  # the padding's rows and columns not cropped""",
    "nb07-linear_backward": """\
        dx = dy @ w
        dw = x.T @ dy  # transposed: the shape of w.T
        db = dy.sum(axis=0)
        return dx, dw, db""",
    "nb07-relu_backward": """\
        return np.where(dy > 0, dy, 0.0)  # the mask taken from dy instead of x""",
    "nb07-max_pool_backward": """\
        k, s = kernel_size, stride
        N, C, Ho, Wo = dy.shape
        dx = np.zeros_like(x, dtype=float)
        for i in range(Ho):
            for j in range(Wo):  # spread over the window, as average pooling would
                dx[:, :, i * s:i * s + k, j * s:j * s + k] += dy[:, :, i:i + 1, j:j + 1] / (k * k)
        return dx""",
    "nb07-conv_backward": """\
        P = padding
        x_padded = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
        dx = cnnlearn.conv2d_backward(dy, x, w, stride=stride, padding=padding)[0]
        dw = np.zeros(w.shape)
        Ho, Wo = dy.shape[2:]
        for k in range(w.shape[2]):
            for l in range(w.shape[3]):
                met = x_padded[:, :, k:k + stride * (Ho - 1) + 1:stride, l:l + stride * (Wo - 1) + 1:stride]
                dw[:, :, k, l] = np.einsum("nfij,ncij->fc", dy, met) / len(x)  # averaged over the batch
        return dx, dw, dy.sum(axis=(0, 2, 3))""",
    "nb08-input_gradient_of_network": """\
        grad = cnnlearn.cross_entropy_backward(net.forward(x), labels) * len(labels)  # the sum, not the mean
        for layer in reversed(net.layers):
            grad = layer.backward(grad)
        return grad""",
    "nb09-saliency_map": """\
        z = net.forward(x)
        dz = np.zeros_like(z)
        dz[np.arange(len(x)), classes] = 1.0
        return net.backward(dz).max(axis=1)  # forgot the absolute value""",
    "nb09-occlusion_map": """\
        N, C, H, W = x.shape
        rows = np.arange(N)
        score = net.forward(x)[rows, classes]
        drop = np.zeros((N, H - size + 1, W - size + 1))
        x_grey = x.copy()  # copied once, outside the loops: the grey patches pile up
        for i in range(H - size + 1):
            for j in range(W - size + 1):
                x_grey[:, :, i:i + size, j:j + size] = 0.5
                drop[:, i, j] = score - net.forward(x_grey)[rows, classes]
        return drop""",
    "nb09-fgsm": "return np.clip(x - eps * np.sign(dx), 0.0, 1.0)  # minus: that lowers the loss",
    "nb10-col2im_loop": """\
        H, W = input_shape
        P = padding
        Ho, Wo = H + 2 * P - kh + 1, W + 2 * P - kw + 1
        canvas = np.zeros((H + 2 * P, W + 2 * P))
        for i in range(Ho):
            for j in range(Wo):
                canvas[i:i + kh, j:j + kw] = dcols[:, i * Wo + j].reshape(kh, kw)  # = instead of +=
        return canvas[P:P + H, P:P + W]""",
}


def _exercises(nb):
    """``[(cell index, grade_id)]`` of a stamped notebook's answer cells."""
    return [(i, c.metadata["nbgrader"]["grade_id"]) for i, c in enumerate(nb.cells)
            if c.metadata.get("nbgrader", {}).get("solution")]


def _unstamped(nb):
    """``nb`` without what cnnlearn.grading adds (test cells, nbgrader metadata)."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


def fill_region(source, body):
    """``source`` with its solution region (markers included) replaced by ``body`` at the region's indentation."""
    lines, out, inside = source.splitlines(), [], False
    for line in lines:
        begin = BEGIN.match(line)
        if begin:
            inside = True
            out.extend(textwrap.indent(textwrap.dedent(body), begin.group("indent")).splitlines())
        elif END.match(line):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def solution_of(source):
    """The solved cell without its marker lines (what a student who got it right hands in)."""
    return "\n".join(line for line in source.splitlines() if not (BEGIN.match(line) or END.match(line)))


# --- the committed notebooks are stamped ------------------------------------------------------------

@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_exercise_is_stamped(notebook):
    nb = nbformat.read(notebook, as_version=4)
    stamped, grade_ids = stamp_notebook(nb, notebook.name)
    assert nbformat.writes(stamped) == nbformat.writes(nb), (
        f"{notebook.name} is not stamped with nbgrader metadata (or is stale): run {STAMP_COMMAND}, "
        "then re-execute the notebook")
    assert [g for _, g in _exercises(nb)] == grade_ids
    assert len(grade_ids) == sum(is_exercise(c) for c in nb.cells)


def test_points_table_in_teaching_guide_is_the_tools():
    text = (ROOT / "docs" / "teaching.md").read_text()
    assert points_table() in text, ("docs/teaching.md must show the points table exactly as "
                                    "`cnnlearn grading --points-table` prints it")


def test_points_cover_exactly_the_committed_exercises():
    found = [g for p in NOTEBOOKS for _, g in _exercises(nbformat.read(p, as_version=4))]
    assert sorted(found) == sorted(POINTS), "cnnlearn.classroom.grading.POINTS must list exactly the series' exercises"


def test_every_exercise_has_a_typical_wrong_answer():
    assert sorted(WRONG) == sorted(POINTS), "WRONG (tests/test_nbgrader.py) needs one wrong answer per exercise"


def _tiny(exercise="def feeds(i, j):\n    ### BEGIN SOLUTION\n    return 4\n    ### END SOLUTION",
          check="checks.check_feeds(feeds)"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny"), nbformat.v4.new_code_cell(exercise),
                nbformat.v4.new_code_cell(check), nbformat.v4.new_code_cell("print(1)")]
    return nb


def test_stamping_is_deterministic_idempotent_and_removes_stale_cells():
    nb = _tiny()
    once, ids = stamp_notebook(nb, "03_tiny.ipynb", {"nb03-feeds": 2})
    assert ids == ["nb03-feeds"] and len(once.cells) == 5 and len(nb.cells) == 4  # the input is untouched
    test = once.cells[3]
    assert test.id == "nb03-feeds-test" and test.metadata["tags"] == ["raises-exception"]
    assert test.metadata["nbgrader"] == {"grade": True, "grade_id": "nb03-feeds-test", "locked": True, "points": 2,
                                         "schema_version": 3, "solution": False, "task": False}
    assert test.source == autograder_source("checks.check_feeds(feeds)", 2)
    assert "feedback = checks.check_feeds(feeds)\nassert feedback, feedback.message" in test.source
    assert once.cells[1].metadata["nbgrader"]["solution"] and once.cells[2].metadata["nbgrader"]["locked"]
    twice, _ = stamp_notebook(once, "03_tiny.ipynb", {"nb03-feeds": 2})
    assert nbformat.writes(twice) == nbformat.writes(once)
    again, _ = stamp_notebook(nb, "03_tiny.ipynb", {"nb03-feeds": 2})
    assert nbformat.writes(again) == nbformat.writes(once)  # no random cell ids
    executed = copy.deepcopy(once)  # what executing the notebook adds to the test cell stays
    executed.cells[3].execution_count = 3
    executed.cells[3].metadata["execution"] = {"iopub.status.idle": "2026-12-02T16:00:00Z"}
    restamped, _ = stamp_notebook(executed, "03_tiny.ipynb", {"nb03-feeds": 2})
    assert nbformat.writes(restamped) == nbformat.writes(executed)
    # the exercise is renamed: the old test cell and metadata go
    renamed = copy.deepcopy(once)
    renamed.cells[1].source = renamed.cells[1].source.replace("feeds", "reach")
    renamed.cells[2].source = "checks.check_feeds(reach)"
    out, ids = stamp_notebook(renamed, "03_tiny.ipynb", {"nb03-reach": 1})
    assert ids == ["nb03-reach"] and [c.id for c in out.cells].count("nb03-feeds-test") == 0
    assert len(out.cells) == 5 and out.cells[3].metadata["nbgrader"]["points"] == 1
    # the exercise disappears: the notebook goes back to what it was
    gone = copy.deepcopy(once)
    gone.cells[1].source = "def feeds(i, j):\n    return 4"
    out, ids = stamp_notebook(gone, "03_tiny.ipynb", {})
    assert ids == [] and len(out.cells) == 4 and not any("nbgrader" in c.metadata for c in out.cells)


@pytest.mark.parametrize("nb, name, points, message", [
    (_tiny(), "tiny.ipynb", {}, "notebook name must start with its number"),
    (_tiny(), "03_tiny.ipynb", {}, "'nb03-feeds' has no points: add it to cnnlearn.classroom.grading.POINTS"),
    (_tiny(check="print('no check')"), "03_tiny.ipynb", {"nb03-feeds": 1}, "must call checks.check_<name>"),
    (_tiny(exercise="### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), "03_tiny.ipynb", {}, "must define the function"),
])
def test_unstampable_notebooks_are_refused_with_a_reason(nb, name, points, message):
    with pytest.raises(GradingError, match=re.escape(message)):
        stamp_notebook(nb, name, points)


def test_cli_check_mode_names_the_command(tmp_path):
    nbformat.write(_tiny(), tmp_path / "03_tiny.ipynb")
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.grading", "--check", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "'nb03-feeds' has no points" in proc.stderr
    stamped, _ = stamp_notebook(_tiny(), "03_tiny.ipynb", {"nb03-feeds": 1})
    nbformat.write(stamped, tmp_path / "03_tiny.ipynb")
    report = stamp_paths(tmp_path, check_only=True, points={"nb03-feeds": 1})
    assert [changed for _, changed in report.values()] == [False]
    report = stamp_paths(tmp_path, check_only=True, points={"nb03-feeds": 2})  # points changed: stale
    assert [changed for _, changed in report.values()] == [True]
    assert nbformat.read(tmp_path / "03_tiny.ipynb", as_version=4).cells[3].metadata["nbgrader"]["points"] == 1


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_versions_are_the_same_with_and_without_the_stamps(notebook):
    """``python -m cnnlearn.student`` writes what it wrote before stamping, plus the stamps themselves."""
    nb = nbformat.read(notebook, as_version=4)
    with_stamps, n1 = student_notebook(nb, notebook.name)
    without, n2 = student_notebook(_unstamped(nb), notebook.name)
    assert n1 == n2
    assert nbformat.writes(_unstamped(with_stamps)) == nbformat.writes(without)


# --- the wrong answers are wrong, the solutions right (in this process, fast) ---------------------------

def _define(source):
    namespace = {"np": np, "cnnlearn": cnnlearn, "checks": checks}
    exec(compile(source, "<exercise>", "exec"), namespace)
    return namespace


def _series_exercises():
    """``[(notebook path, grade_id, exercise source, check call)]`` over the committed series."""
    found = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for index, grade_id in _exercises(nb):
            test = nb.cells[index + 2]
            call = test.source.splitlines()[1].removeprefix("feedback = ")
            found.append((path, grade_id, nb.cells[index].source, call))
    return found


def _run_check(source, call):
    namespace = _define(source)
    return eval(call, namespace)


def hint_of(grade_id, source, call):
    """The check's hint for the typical wrong answer of ``grade_id``."""
    feedback = _run_check(fill_region(source, WRONG[grade_id]), call)
    assert not feedback, f"{grade_id}: the typical wrong answer passes its check: {feedback.message}"
    return feedback.message


@pytest.mark.parametrize("path, grade_id, source, call", _series_exercises(),
                         ids=[g for _, g, _, _ in _series_exercises()])
def test_solution_passes_and_typical_wrong_answer_gets_a_hint(path, grade_id, source, call):
    assert _run_check(solution_of(source), call), f"{grade_id}: the solution fails its own check"
    assert len(hint_of(grade_id, source, call)) > 20


# --- real nbgrader ---------------------------------------------------------------------------------

def _nbgrader(course, *args):
    start = time.perf_counter()
    # nbgrader runs alembic by name: the venv's scripts first on PATH, also when its python runs unactivated
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=INFO"], cwd=course,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return proc.stdout + proc.stderr, time.perf_counter() - start


COURSE_CONFIG = """\
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "cnnlearn"
c.Execute.timeout = 600
c.Application.log_format = "%(asctime)s.%(msecs)03d [%(name)s | %(levelname)s] %(message)s"
c.Application.log_datefmt = "%H:%M:%S"
"""


def _log_times(log):
    """Seconds per notebook from nbgrader's log: from each "Converting notebook" line to the next."""
    stamps = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) .*?Converting notebook (\S+)", log, re.M)
    ends = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) ", log, re.M)
    seconds = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in ends]
    times, marks = {}, [(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000, Path(p).stem)
                        for h, m, s, ms, p in stamps]
    for k, (t, name) in enumerate(marks):
        t_next = marks[k + 1][0] if k + 1 < len(marks) else max(seconds)
        times[name] = t_next - t
    return times


@pytest.mark.integration
def test_nbgrader_grades_the_series(tmp_path):
    """generate_assignment, three submissions, autograde, the gradebook's scores, generate_feedback's hints;
    the untouched submission's autograded notebooks show what a student running the student version sees."""
    from nbgrader.api import Gradebook

    graded = [p for p in NOTEBOOKS if _exercises(nbformat.read(p, as_version=4))]
    assert graded, "no notebook has an exercise"
    course = tmp_path / "course"
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(COURSE_CONFIG.format(root=str(course)))
    for path in graded:
        (source / path.name).write_bytes(path.read_bytes())
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--create", "--force")
    release = course / "release" / ASSIGNMENT

    expected, hints = {}, {}  # (student, notebook) -> points; notebook -> [hint texts]
    for path in graded:
        solved = nbformat.read(path, as_version=4)
        handed_out = nbformat.read(release / path.name, as_version=4)
        assert [c.source for c in handed_out.cells] == [c.source for c in student_notebook(solved)[0].cells], (
            f"{path.name}: nbgrader's release version differs from python -m cnnlearn.student's")
        exercises = _exercises(solved)
        subs = {"solved": copy.deepcopy(handed_out), "untouched": handed_out, "typical": copy.deepcopy(handed_out)}
        expected[("solved", path.stem)] = sum(POINTS[g] for _, g in exercises)
        expected[("untouched", path.stem)] = 0
        expected[("typical", path.stem)] = 0
        for k, (index, grade_id) in enumerate(exercises):
            source_cell = solved.cells[index].source
            subs["solved"].cells[index].source = solution_of(source_cell)
            if k % 2 == 0:
                subs["typical"].cells[index].source = fill_region(source_cell, WRONG[grade_id])
                hints.setdefault(path.stem, []).append(
                    (grade_id, hint_of(grade_id, source_cell, solved.cells[index + 2].source.splitlines()[1]
                                       .removeprefix("feedback = "))))
            else:
                subs["typical"].cells[index].source = solution_of(source_cell)
                expected[("typical", path.stem)] += POINTS[grade_id]
        for student, nb in subs.items():
            folder = course / "submitted" / student / ASSIGNMENT
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / path.name)

    times = {}
    for student in ("solved", "untouched", "typical"):
        log, seconds = _nbgrader(course, "autograde", ASSIGNMENT, f"--student={student}", "--create", "--force")
        times[student] = (_log_times(log), seconds)
    for student, (per_nb, seconds) in times.items():
        print(f"\nnbgrader autograde, {student}: {seconds:.1f} s for {len(graded)} notebooks; per notebook: "
              + ", ".join(f"{name[:2]} {t:.1f} s" for name, t in per_nb.items()))

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for (student, notebook), points in expected.items():
            sub = gb.find_submission_notebook(notebook, ASSIGNMENT, student)
            assert sub.max_score == sum(POINTS[g] for _, g in _exercises(
                nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)))
            assert sub.score == points, f"{student} / {notebook}: score {sub.score}, expected {points}"
            assert sub.needs_manual_grade is False, f"{student} / {notebook} needs manual grading"

    for path in NOTEBOOKS:  # the untouched submissions are the student versions (asserted above), as run
        if path not in graded:  # no exercise: the student version is the notebook itself, run by nbval
            continue
        ran = nbformat.read(course / "autograded" / "untouched" / ASSIGNMENT / path.name, as_version=4)
        report = check_student_run(ran, nbformat.read(path, as_version=4), path.name)
        assert report["checks_with_hint"] >= report["exercises"]
        assert report["tests_failed"] == report["exercises"], \
            f"{path.name}: every exercise needs its autograder test (cnnlearn.grading)"

    _nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    for notebook, wrong in hints.items():
        page = course / "feedback" / "typical" / ASSIGNMENT / f"{notebook}.html"
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        for grade_id, hint in wrong:
            assert hint in text, f"{notebook}: the feedback page lacks the hint of {grade_id}: {hint!r}"
