"""Helpers shared by several test files (each is used by more than one)."""

import re

from cnnlearn.grading import TEST_TAG

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
