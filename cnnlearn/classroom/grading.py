r"""nbgrader metadata for the series: every exercise autograded, with no manual step.

Usage (``python -m cnnlearn.grading`` takes the same arguments)::

    cnnlearn grading notebooks/            # stamp the notebooks in place
    cnnlearn grading --check notebooks/    # exit 1 if a notebook is not stamped
    cnnlearn grading --points-table        # the Markdown table of points (docs/teaching.md)

An *exercise cell* is a code cell holding a solution region (``### BEGIN SOLUTION`` ... ``### END
SOLUTION``, the markers :mod:`cnnlearn.classroom.student` reads). The cell right after it is its *check cell*: it
calls ``checks.check_<name>(...)`` and shows the Feedback. Stamping gives

- the exercise cell nbgrader's "Autograded answer" metadata, ``grade_id`` ``nbNN-<function name>``
  (``NN`` from the notebook's file name, the name from the cell's first ``def``);
- the check cell "Read-only" metadata (``locked``; ``grade_id`` ``...-check``), so nbgrader puts the
  original back if a student edits it;
- a new cell after the check cell, an "Autograder tests" cell (``grade_id`` ``...-test``, cell id the
  same) worth :data:`POINTS` ``[grade_id]`` points, that runs the same check and asserts its Feedback::

      feedback = checks.check_window_sum(window_sum)
      assert feedback, feedback.message

  so the check's hint is the message the student reads in ``nbgrader generate_feedback``. It is tagged
  ``raises-exception`` so that Run All in JupyterLab goes on past an exercise not done yet.

Stamping is deterministic and idempotent: a second run changes nothing, stale metadata and test cells
of exercises that no longer exist are removed, and nothing else in the notebook is touched.
"""

import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

from .student import BEGIN, notebooks_in

SCHEMA_VERSION = 3
TEST_TAG = "raises-exception"
TEST_HEADER = ("# Autograder test (nbgrader, {points} {unit}): the check above as an assertion; "
               "its hint is your feedback.")
STAMP_COMMAND = "cnnlearn grading notebooks/"

#: Points per exercise, by grade_id. One source: the tool stamps these, docs/teaching.md shows them
#: (``cnnlearn grading --points-table``), the nbgrader test expects them back.
POINTS = {
    "nb00-window_sum": 1,
    "nb01-conv_forward": 2,
    "nb01-output_length": 1,
    "nb02-stable_softmax": 1,
    "nb02-cross_entropy_loss": 2,
    "nb02-logit_gradient": 2,
    "nb03-filter_gradient": 3,
    "nb03-filter_gradient_batch": 2,
    "nb04-feed_counts": 2,
    "nb04-input_gradient": 3,
    "nb04-dx22": 2,
    "nb05-central_difference": 2,
    "nb05-relative_error": 1,
    "nb06-bias_gradient": 1,
    "nb06-input_gradient_full": 2,
    "nb06-filter_gradient_strided": 3,
    "nb06-input_gradient_strided": 3,
    "nb06-conv_backward": 4,
    "nb07-linear_backward": 2,
    "nb07-relu_backward": 1,
    "nb07-max_pool_backward": 3,
    "nb07-conv_backward": 1,
    "nb08-input_gradient_of_network": 2,
    "nb09-saliency_map": 2,
    "nb09-occlusion_map": 3,
    "nb09-fgsm": 2,
    "nb10-col2im_loop": 3,
}


class GradingError(ValueError):
    """A notebook whose exercises cannot be stamped (no function, no check cell, no points)."""


def is_exercise(cell):
    """True for a code cell holding a solution region."""
    return cell.cell_type == "code" and any(BEGIN.match(line) for line in cell.source.splitlines())


def notebook_prefix(name):
    """``"nb04"`` for ``04_input_gradient.ipynb``."""
    match = re.match(r"(\d+)_", Path(name).name)
    if not match:
        raise GradingError(f"notebook name must start with its number and '_' (e.g. 04_input_gradient.ipynb), "
                           f"got {Path(name).name!r}")
    return f"nb{match.group(1)}"


def exercise_name(source, where="cell"):
    """The name of the first function the exercise cell defines."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise GradingError(f"{where}: the exercise cell is not valid Python ({exc})") from None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            return node.name
    raise GradingError(f"{where}: an exercise cell must define the function the student completes (no 'def')")


def check_call(source, where="cell"):
    """The source of the ``checks.check_<name>(...)`` call in a check cell (the last one)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise GradingError(f"{where}: the check cell is not valid Python ({exc})") from None
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and node.func.attr.startswith("check_")
             and isinstance(node.func.value, ast.Name) and node.func.value.id == "checks"]
    if not calls:
        raise GradingError(f"{where}: the cell after an exercise must call checks.check_<name>(...), got "
                           f"{source.strip()[:80]!r}")
    return ast.get_source_segment(source, max(calls, key=lambda c: (c.lineno, c.col_offset)))


def _meta(grade_id, *, grade, solution, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def autograder_source(call, points):
    """The autograder-test cell's source for the check ``call``."""
    header = TEST_HEADER.format(points=points, unit="point" if points == 1 else "points")
    return f"{header}\nfeedback = {call}\nassert feedback, feedback.message"


def _is_our_test_cell(cell):
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and str(meta.get("grade_id", "")).endswith("-test")


def stamp_notebook(nb, name, points=None):
    """Return ``(stamped_nb, grade_ids)``: a copy of ``nb`` with the nbgrader metadata described above.

    ``name`` is the notebook's file name (it gives the ``nbNN`` prefix); ``points`` maps grade_id to
    points (default :data:`POINTS`). Raises :class:`GradingError` naming the cell that cannot be stamped.
    """
    points = POINTS if points is None else points
    prefix = notebook_prefix(name)
    nb = nbformat.from_dict(copy.deepcopy(dict(nb)))
    # start from the notebook without anything a previous stamping added
    cells = [c for c in nb.cells if not _is_our_test_cell(c)]
    for cell in cells:
        cell.metadata.pop("nbgrader", None)
    out, grade_ids, index = [], [], 0
    while index < len(cells):
        cell = cells[index]
        where = f"{name}: cell {index}"
        if cell.cell_type == "markdown" and any(BEGIN.match(line) for line in cell.source.splitlines()):
            raise GradingError(f"{where}: a solution region in a Markdown cell cannot be autograded; make the "
                               "exercise a function in a code cell")
        if not is_exercise(cell):
            out.append(cell)
            index += 1
            continue
        grade_id = f"{prefix}-{exercise_name(cell.source, where)}"
        if grade_id in grade_ids:
            raise GradingError(f"{where}: a second exercise named {grade_id!r}; give each exercise its own function")
        if grade_id not in points:
            raise GradingError(f"{where}: exercise {grade_id!r} has no points: add it to "
                               "cnnlearn.classroom.grading.POINTS (and the table in docs/teaching.md)")
        check = cells[index + 1] if index + 1 < len(cells) else None
        if check is None or check.cell_type != "code":
            raise GradingError(f"{where}: exercise {grade_id!r} must be followed by its check cell")
        call = check_call(check.source, f"{name}: cell {index + 1}")
        cell.metadata["nbgrader"] = _meta(grade_id, grade=False, solution=True, locked=False)
        check.metadata["nbgrader"] = _meta(f"{grade_id}-check", grade=False, solution=False, locked=True)
        test = nbformat.v4.new_code_cell(autograder_source(call, points[grade_id]), metadata={
            "nbgrader": _meta(f"{grade_id}-test", grade=True, solution=False, locked=True,
                              points=points[grade_id]),
            "tags": [TEST_TAG]})
        test.id = f"{grade_id}-test"
        out.extend([cell, check, test])
        grade_ids.append(grade_id)
        index += 2
    # an unchanged test cell stays as it is, with what executing the notebook added (outputs, count,
    # execution timings): only a changed source or changed nbgrader metadata or tags make a new cell
    old = {c.id: c for c in nb.cells if _is_our_test_cell(c)}
    for i, cell in enumerate(out):
        prev = old.get(cell.get("id"))
        if prev is not None and prev.source == cell.source and all(
                prev.metadata.get(key) == cell.metadata[key] for key in ("nbgrader", "tags")):
            out[i] = prev
    nb.cells = out
    return nb, grade_ids


def stamp_paths(src, *, check_only=False, points=None):
    """Stamp every notebook in ``src`` in place (or, with ``check_only``, only compare).

    Returns ``{path: (grade_ids, changed)}``.
    """
    report = {}
    for path in notebooks_in(src):
        nb = nbformat.read(path, as_version=4)
        stamped, grade_ids = stamp_notebook(nb, path.name, points)
        changed = nbformat.writes(stamped) != nbformat.writes(nb)
        if changed and not check_only:
            nbformat.validate(stamped)
            nbformat.write(stamped, path)
        report[path] = (grade_ids, changed)
    return report


def points_table(points=None):
    """The Markdown table of points per exercise, as docs/teaching.md shows it."""
    points = POINTS if points is None else points
    lines = ["| notebook | exercise (grade_id) | points |", "| --- | --- | --- |"]
    for grade_id, p in points.items():
        lines.append(f"| {grade_id[2:4]} | `{grade_id}` | {p} |")
    lines.append(f"| | total | {sum(points.values())} |")
    return "\n".join(lines)


DESCRIPTION = ("Stamp the notebooks with nbgrader metadata: exercise cells become autograded answers, "
               "check cells read-only, and an autograder-test cell with points follows each check.")


def add_arguments(parser):
    """The command line's arguments (``cnnlearn grading`` and ``python -m cnnlearn.grading``)."""
    parser.add_argument("src", nargs="?", help="a folder of notebooks (e.g. notebooks/) or one .ipynb file")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if any notebook is not stamped")
    parser.add_argument("--points-table", action="store_true", help="print the Markdown table of points")


def run(args, parser):
    """Carry out the parsed command line; returns the exit code."""
    if args.points_table:
        print(points_table())
        return 0
    if args.src is None:
        parser.error("src is required (e.g. notebooks/), unless --points-table")
    try:
        report = stamp_paths(args.src, check_only=args.check)
    except (OSError, ValueError) as exc:
        parser.exit(2, f"error: {exc}\n")
    stale = []
    for path, (grade_ids, changed) in report.items():
        if args.check:
            state = "NOT stamped (or stale)" if changed else "stamped"
            if changed:
                stale.append(path)
        else:
            state = "stamped" if changed else "unchanged"
        print(f"{path}: {len(grade_ids)} exercise{'s' if len(grade_ids) != 1 else ''} {state}")
    if stale:
        print(f"run {STAMP_COMMAND}", file=sys.stderr)
        return 1
    return 0
