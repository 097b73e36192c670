"""NetworkExplorer's prediction mode (quiz.js, as in the grid widgets), from Python: each question's answer is
what loops over the layers' windows say (test_network_explorer's receptive and projective fields), nothing
shows before the answer is checked, and the student's answer reads back as right, missed and extra units.
tests/browser/test_network.py answers the same questions in a page."""

import pytest
from test_network_explorer import COLUMNS, every, projective_field, receptive_field, shapes

from cnnlearn.widgets.network import NetworkExplorer


@pytest.fixture(scope="module")
def explorer(net, digits):
    _, _, x_test, y_test = digits
    return NetworkExplorer(net, x_test[:2], y_test[:2])


@pytest.mark.parametrize("L, unit", [(3, (4, 1, 2)), (3, (0, 0, 0)), (5, (7, 2, 2)), (2, (3, 7, 0))])
def test_which_pixels_a_unit_reads(explorer, net, L, unit):
    shp = shapes(net, (1, 8, 8))
    explorer.predict_reads(COLUMNS[L], unit)
    r = explorer.quiz_result()
    assert r["asked"] and not r["checked"] and r["guess"] == set()
    assert r["missed"] == {("a0", *u) for u in receptive_field(net, shp, L, unit)[0]}
    q = explorer.quiz
    assert q["reveal"] == [COLUMNS[L], *unit] and q["kind"] == "reads" and q["grids"] == ["a0"]
    assert explorer.view == "forward" and explorer.selected == []
    name = explorer.unit_name(COLUMNS[L], unit)
    assert name == f"{COLUMNS[L]}[{unit[0] + 1},{unit[1] + 1},{unit[2] + 1}]"
    assert q["question"].startswith(f"Which pixels of the image does {name} read?")
    assert q["explanation"].startswith(f"{name} reads {len(r['missed'])} pixels of the image")


def test_which_units_of_a_layer_below(explorer, net):
    shp = shapes(net, (1, 8, 8))
    explorer.predict_reads("a4", (2, 1, 1), of="a2")
    assert explorer.quiz_result()["missed"] == {("a2", *u) for u in receptive_field(net, shp, 4, (2, 1, 1))[2]}
    assert explorer.quiz["question"].startswith("Which units of a2 does a4[3,2,2] read?")


@pytest.mark.parametrize("L, unit, M", [(2, (3, 5, 2), 3), (3, (1, 0, 3), 4), (6, (5, 1, 1), 7)])
def test_which_units_send_gradient_back(explorer, net, L, unit, M):
    shp = shapes(net, (1, 8, 8))
    explorer.predict_feeds(COLUMNS[L], unit, COLUMNS[M])
    want = projective_field(net, shp, L, unit)[M]
    assert explorer.quiz_result()["missed"] == {(COLUMNS[M], *u) for u in want}
    assert explorer.view == "backward" and explorer.quiz["kind"] == "feeds"
    assert f"feeds {len(want)} unit" in explorer.quiz["explanation"]


def test_answers_read_back_as_right_missed_and_extra(explorer, net):
    shp = shapes(net, (1, 8, 8))
    explorer.predict_reads("a3", (4, 1, 2))
    answer = {("a0", *u) for u in receptive_field(net, shp, 3, (4, 1, 2))[0]}
    inside = sorted(answer)[0]
    outside = next(("a0", *u) for u in every((1, 8, 8)) if ("a0", *u) not in answer)
    explorer.quiz_guess = [list(inside), list(outside)]
    explorer.quiz_checked = True
    r = explorer.quiz_result()
    assert r["checked"] and r["right"] == {inside} and r["extra"] == {outside} and r["missed"] == answer - {inside}
    explorer.clear_quiz()
    assert explorer.quiz == {} and explorer.quiz_guess == [] and not explorer.quiz_result()["asked"]


def test_the_state_stays_small_with_a_question(net, digits):
    _, _, x_test, y_test = digits
    e = NetworkExplorer(net, x_test[:3], y_test[:3])
    before = e.state_size()
    e.predict_reads("a3", (4, 1, 2))
    assert e.state_size() - before < 3_000


def test_the_page_ships_the_prediction_mode():
    assert "function quizPanel(" in NetworkExplorer._esm and ".cnnlearn-quiz " in NetworkExplorer._css
    assert NetworkExplorer._esm.index("function quizPanel(") < NetworkExplorer._esm.index("function render(")


@pytest.mark.parametrize("call, error, match", [
    (lambda e: e.predict_reads("a3", (4, 1, 2), of="a5"), ValueError, "below 'a3'"),
    (lambda e: e.predict_feeds("a3", (4, 1, 2), "a1"), ValueError, "above 'a3'"),
    (lambda e: e.predict_reads("a3", (16, 0, 0)), ValueError, "outside column a3"),
    (lambda e: e.ask("", [("a0", (0, 0, 0))], explanation=""), TypeError, "sentence"),
    (lambda e: e.ask("Which?", [], explanation=""), ValueError, "at least one unit"),
])
def test_bad_questions(explorer, call, error, match):
    with pytest.raises(error, match=match):
        call(explorer)
