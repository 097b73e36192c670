"""The series as a whole: 00's map and recap list every notebook in notebooks/, every notebook ends with a link to the
next one (the last one back to 00's map), no committed output is a figure that did not render, and a notebook that
shows a rotated filter asserts that it is no look-alike of the filter (plus or minus F, F^T, a flip, a quarter turn).

A figure that matplotlib's inline backend never drew (a bare ``matplotlib.figure.Figure`` made outside pyplot) is
saved as its text alone, ``<Figure size 540x320 with 2 Axes>``, and a reader sees that line instead of the picture.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SERIES = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
FIGURE_TEXT = re.compile(r"<Figure size \d+(?:\.\d+)?x\d+(?:\.\d+)? with \d+ Axes?>")


def _cells(name):
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def _markdown(name):
    return [_text(c["source"]) for c in _cells(name) if c["cell_type"] == "markdown"]


def bare_figures(cells):
    """(cell index, text) of every output that shows a figure's text with no picture beside it."""
    found = []
    for n, cell in enumerate(cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = _text(data.get("text/plain", "")) if data else _text(out.get("text", ""))
            pictures = {"image/png", "image/svg+xml", "image/jpeg"} & set(data)
            if FIGURE_TEXT.search(text) and not pictures:
                found.append((n, text.strip()))
    return found


def test_the_series_is_there():
    assert SERIES[0] == "00_start_here.ipynb" and len(SERIES) >= 11
    assert [name[:2] for name in SERIES] == [f"{k:02d}" for k in range(len(SERIES))]  # numbered without gaps


def test_the_map_lists_every_notebook_in_order():
    (table,) = [text for text in _markdown(SERIES[0]) if text.startswith("## 1. The map of the series")]
    rows = re.findall(r"^\| (\d\d) \| \[[^\]]+\]\((\d\d_\w+\.ipynb)\)", table, flags=re.M)
    assert [name for _, name in rows] == SERIES
    assert all(name.startswith(number) for number, name in rows)


def test_the_recap_names_every_notebook():
    (recap,) = [text for text in _markdown(SERIES[0]) if text.startswith("## Recap")]
    first = recap.split("\n* ")[1]  # the first bullet: the series, notebook by notebook
    assert re.findall(r"\((\d\d)\)", first) == [name[:2] for name in SERIES]


@pytest.mark.parametrize("name", SERIES)
def test_each_notebook_ends_with_a_link_to_the_next(name):
    last = _cells(name)[-1]
    assert last["cell_type"] == "markdown", f"{name} must end with a markdown cell that links to the next notebook"
    text = _text(last["source"])
    index = SERIES.index(name)
    if index + 1 < len(SERIES):
        assert f"]({SERIES[index + 1]})" in text and text.startswith("**Next:**"), text
    else:  # the last notebook ends the series and points back to the map
        assert "end of the series" in text and f"]({SERIES[0]})" in text and "map" in text, text


@pytest.mark.parametrize("name", SERIES)
def test_no_output_is_a_figure_that_did_not_render(name):
    assert bare_figures(_cells(name)) == [], f"{name}: these figures show up as text only (made outside pyplot?)"


# the full-convolution figure or animation, or a print of a rotation (print("...", w_rot), print(rot180(w)))
SHOWS_A_ROTATED_FILTER = re.compile(r"\b(?:plot_full_conv|FullConvAnimation)\(|"
                                    r"print\((?:[^\n]*,\s*)?[\w.]*rot[\w.]*(?:\([^)]*\))?\s*\)")


@pytest.mark.parametrize("name", SERIES)
def test_a_rotated_filter_on_show_is_no_look_alike(name):
    """The full-convolution figure and animation, and a printed rot180, show a rotated filter: the notebook asserts
    (under strict nbval) that no look-alike equals it, so no student reads "rotating is negating" off a picture."""
    code = "\n".join(_text(c["source"]) for c in _cells(name) if c["cell_type"] == "code")
    if SHOWS_A_ROTATED_FILTER.search(code):
        assert re.search(r"assert [^\n]*equal_to_rotation\([^)]*\) == \[\]", code), name


@pytest.mark.parametrize("code, shows", [
    ('fig = viz.plot_full_conv(dy, w, step=4)', True), ("animation = widgets.FullConvAnimation()", True),
    ('print("rot180(F):\\n", w_rot)', True), ("print(cnnlearn.rot180(w))", True),
    ('print("im2col backward = full convolution with rot180(F)")', False), ("y = conv2d(x, rot180(w))", False),
])
def test_the_scan_finds_a_rotated_filter_on_show(code, shows):
    assert bool(SHOWS_A_ROTATED_FILTER.search(code)) == shows


def test_a_bare_figure_is_caught():
    shown = {"output_type": "display_data",
             "data": {"image/png": "iVBOR", "text/plain": "<Figure size 590x366 with 3 Axes>"}}
    bare = {"output_type": "execute_result", "data": {"text/plain": "<Figure size 540x320 with 2 Axes>"}}
    printed = {"output_type": "stream", "name": "stdout",
               "text": "Figure(640x480)\n<Figure size 640x480 with 1 Axes>\n"}
    cells = [{"cell_type": "code", "outputs": [shown]}, {"cell_type": "code", "outputs": [bare, printed]}]
    assert bare_figures(cells) == [(1, "<Figure size 540x320 with 2 Axes>"),
                                   (1, "Figure(640x480)\n<Figure size 640x480 with 1 Axes>")]


@pytest.mark.parametrize("name", SERIES)
def test_cells_left_out_of_the_web_edition_only_assert(name):
    """A cell tagged test-only (cnnlearn.classroom.series.TEST_ONLY_TAG) is left out of the web edition's pages, so
    it may hold nothing a reader needs: only asserts, which print nothing, and no widget or figure."""
    import ast

    from cnnlearn.classroom.series import TEST_ONLY_TAG
    for n, cell in enumerate(_cells(name)):
        if TEST_ONLY_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        assert cell["cell_type"] == "code", f"{name}, cell {n}: only code cells are test-only"
        body = ast.parse(_text(cell["source"])).body
        assert body and all(isinstance(s, (ast.Assert, ast.Assign)) for s in body), \
            f"{name}, cell {n} is tagged {TEST_ONLY_TAG} but does more than assert"
        assert not cell.get("outputs"), f"{name}, cell {n} is tagged {TEST_ONLY_TAG} but shows something"


def test_some_cells_are_test_only():
    """The web edition has something to leave out: the asserts that exist for the test suite."""
    from cnnlearn.classroom.series import TEST_ONLY_TAG
    assert sum(TEST_ONLY_TAG in c.get("metadata", {}).get("tags", []) for name in SERIES for c in _cells(name)) >= 7


def _duration(text):
    """Minutes of a time as the map writes it: "45 min" or "1 h 05"."""
    hours, minutes = re.fullmatch(r"(?:(\d+) h )?(\d+)(?: min)?", text).groups()
    return 60 * int(hours or 0) + int(minutes)


def test_the_map_gives_the_core_path_the_extensions_and_each_notebooks_time():
    """00's map splits the series as the web edition's contents do (cnnlearn.classroom.series), and each time and
    both totals are what the stated rule (series.STUDY_RULE) gives the notebooks as they are now."""
    from cnnlearn.classroom import series
    (table,) = [text for text in _markdown(SERIES[0]) if text.startswith("## 1. The map of the series")]
    core, extensions = table.split("**The extensions**")
    for part, names in ((core, series.CORE_PATH), (extensions, series.EXTENSIONS)):
        rows = re.findall(r"^\| \d\d \| \[[^\]]+\]\((\d\d_\w+)\.ipynb\) \| .* \| ([^|]+) \|$", part, flags=re.M)
        assert [name for name, _ in rows] == list(names)
        for name, shown in rows:
            assert _duration(shown) == series.study_minutes(NOTEBOOKS / f"{name}.ipynb"), name
    minutes = [sum(series.study_minutes(NOTEBOOKS / f"{n}.ipynb") for n in names)
               for names in (series.CORE_PATH, series.EXTENSIONS)]
    totals = re.search(r"about (.+?) for the core path and (.+?) for\s+the extensions", table).groups()
    assert [_duration(t) for t in totals] == minutes


def test_the_lesson_plan_gives_each_notebook_its_time():
    """docs/teaching.md's table: each notebook's time alone is what the rule gives it now, its homework the time
    alone less the minutes in class, and the homework line under each session the sum of its notebooks'."""
    from cnnlearn.classroom import series
    text = (NOTEBOOKS.parent / "docs" / "teaching.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\d\d_\w+)` \| (core|extension) \| (\d) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", text,
                      flags=re.M)
    assert [name for name, *_ in rows] == list(series.CORE_PATH + series.EXTENSIONS)
    homework = {}
    for name, part, session, alone, in_class, rest in rows:
        assert part == ("core" if name in series.CORE_PATH else "extension"), name
        assert _duration(alone.strip()) == series.study_minutes(NOTEBOOKS / f"{name}.ipynb"), name
        assert _duration(alone.strip()) - _duration(in_class.strip()) == _duration(rest.strip()), name
        homework[session] = homework.get(session, 0) + _duration(rest.strip())
    lines = dict(re.findall(r"^Homework after session (\d): .*?, about (.+?) for a student working alone\.$", text,
                            flags=re.M))
    assert {k: _duration(v) for k, v in lines.items()} == homework


def test_the_study_rule_counts_what_it_says(tmp_path):
    from cnnlearn.classroom import series
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "word " * 240 + "$$a = b$$"},
             {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "# a comment\nx = 1\n\ny = 2",
              "outputs": [{"output_type": "display_data", "metadata": {},
                           "data": {"image/png": "", "text/plain": "fig"}}]},
             {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [],
              "source": "# Autograder test (nbgrader, 3 points): the check above\nexplorer.predict_feeds(0, 1)"}]
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert series.study_counts(path) == {"words": 240, "equations": 1, "code_cells": 2, "code_lines": 3,
                                         "widgets": 0, "figures": 1, "predictions": 1, "exercise_points": 3}
    # 2 (prose) + 0.5 (equation) + 1 (cells) + 0.3 (lines) + 1 (figure) + 2 (prediction) + 15 (points) = 21.8
    assert series.study_minutes(path) == 20
