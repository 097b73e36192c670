"""Predict, then see (GridWidget.ask and the widgets' predict_* questions), from Python: each question's answer is
what the package says (computed here by loops), nothing shows before the answer is checked, and the student's
answer reads back as right, missed and extra cells. tests/browser drives the same questions in a page."""

import numpy as np
import pytest

import cnnlearn
from cnnlearn import widgets


def feeds_by_loops(shape, kshape, i, j):
    """Output pixels whose window covers input pixel (i, j), stride 1, no padding."""
    (H, W), (kh, kw) = shape, kshape
    return {("y", oi, oj) for oi in range(H - kh + 1) for oj in range(W - kw + 1)
            if oi <= i < oi + kh and oj <= j < oj + kw}


def test_every_input_pixel_question_of_the_explorer():
    e = widgets.ContributionExplorer()
    for i, j in np.ndindex(3, 3):
        e.predict_feeds(i, j)
        r = e.quiz_result()
        assert r["asked"] and not r["checked"] and r["guess"] == set()
        assert r["missed"] == feeds_by_loops((3, 3), (2, 2), i, j)
        assert e.view.quiz["reveal"] == ["x", i, j] and e.view.quiz["kind"] == "feeds"


def test_pairing_question_names_the_filter_entry_of_each_term():
    e = widgets.ContributionExplorer()
    # dL/dx22 = dy11 f22 + dy12 f21 + dy21 f12 + dy22 f11 (1-based)
    for (oi, oj), k in {(0, 0): (1, 1), (0, 1): (1, 0), (1, 0): (0, 1), (1, 1): (0, 0)}.items():
        e.predict_pairing(1, 1, oi, oj)
        assert e.quiz_result()["missed"] == {("f", *k)}
    with pytest.raises(ValueError, match="x11 does not feed y22"):
        e.predict_pairing(0, 0, 1, 1)


def test_stepper_and_filter_explorer_questions():
    s = widgets.ForwardStepper()
    s.predict_window(0, 1)
    assert s.quiz_result()["missed"] == {("x", r, c) for r in (0, 1) for c in (1, 2)}
    f = widgets.FilterGradientExplorer()
    f.predict_meets(1, 0)
    assert f.quiz_result()["missed"] == {("x", 1 + oi, oj) for oi in range(2) for oj in range(2)}


def test_im2col_column_question_is_im2col_of_the_cell_numbers():
    m = widgets.Im2colExplorer(padding=1)
    Hp, Wp = m.view.grid("x")["rows"], m.view.grid("x")["cols"]
    numbers = np.arange(Hp * Wp, dtype=float).reshape(Hp, Wp)
    cols = cnnlearn.im2col.im2col(numbers, 2, 2)  # the padded grid's cells, copied as im2col copies pixels
    for c in range(cols.shape[1]):
        m.predict_column(c)
        assert m.quiz_result()["missed"] == {("x", *divmod(int(v), Wp)) for v in cols[:, c]}


def test_answers_read_back_as_right_missed_and_extra():
    e = widgets.ContributionExplorer()
    e.predict_feeds(0, 1)  # x12 feeds y11 and y12
    e.view.quiz_guess = [["y", 0, 0], ["y", 1, 1]]
    e.view.quiz_checked = True
    r = e.quiz_result()
    assert r["right"] == {("y", 0, 0)} and r["missed"] == {("y", 0, 1)} and r["extra"] == {("y", 1, 1)}
    e.clear_quiz()
    assert e.quiz_result()["asked"] is False


def test_nothing_shows_before_the_answer_is_checked():
    e = widgets.ContributionExplorer()
    e.select("x", 1, 1)
    assert e.view.equation
    e.predict_feeds(1, 1)
    assert e.view.equation == ""  # the kernel-side equation waits too (the page shows no highlight either)
    e.view.quiz_checked = True
    e.select("x", 1, 1)
    assert e.view.equation


def test_a_new_configuration_drops_the_question():
    e = widgets.ContributionExplorer(controls=True)
    e.predict_feeds(0, 0)
    e.configure(input_shape=(5, 5))
    assert e.quiz_result()["asked"] is False


@pytest.mark.parametrize("call, words", [
    (lambda e: e.ask("", [("y", 0, 0)], explanation=""), "question must be a sentence"),
    (lambda e: e.ask("Which?", [], explanation=""), "answer must name at least one cell"),
    (lambda e: e.ask("Which?", [("z", 0, 0)], explanation=""), "grid must be one of"),
    (lambda e: e.ask("Which?", [("y", 2, 0)], explanation=""), "outside"),
    (lambda e: e.predict_feeds(3, 0), "outside"),
])
def test_bad_questions_are_refused_with_a_message(call, words):
    with pytest.raises((TypeError, ValueError), match=words):
        call(widgets.ContributionExplorer())


def test_a_checked_question_points_at_the_answer_instead_of_repeating_it():
    """Once checked, the widget pins the answer's cell, whose sentence and equation show under the grids: the
    question's panel says where to look, not the same sentence a second time."""
    ex = widgets.ContributionExplorer()
    for ask in (lambda: ex.predict_feeds(0, 1), lambda: ex.predict_pairing(2, 1, 1, 1)):
        ask()
        q = ex.view.quiz
        assert q["explanation"] == widgets._grid.REVEALED
        assert q["explanation"] != ex.view.lookup[widgets._grid.key(*q["reveal"])]["info"]
