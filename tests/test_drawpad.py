"""DrawingPad, driven from Python the way the browser drives it: a new image with one more revision.

Expected answers come from cnnlearn.saliency (predict, saliency) called here, never from the widget.
"""

import json
from pathlib import Path

import anywidget
import numpy as np
import pytest
from matplotlib import colormaps, colors

from cnnlearn import saliency, widgets
from cnnlearn.widgets.drawpad import TOOLS


def expected(net, image):
    x = np.asarray(image, dtype=float)[None, None]
    p = saliency.predict(net, x)[0]
    k = int(p.argmax())
    return p, k, saliency.saliency(net, x, k)[0]


def check_answer(pad, net, image):
    """The shipped answer is the package's prediction and saliency map of ``image``, for the pad's revision."""
    p, k, s = expected(net, image)
    a = pad.answer
    assert a["revision"] == pad.revision
    assert a["predicted"] == k == pad.predicted
    assert [name for name, _, _ in a["probs"]] == [str(j) for j in range(10)]
    np.testing.assert_allclose([v for _, v, _ in a["probs"]], p, rtol=1e-12)
    assert [text for _, _, text in a["probs"]] == [f"{100 * v:.1f}%" for v in p]
    np.testing.assert_allclose(pad.probabilities, p, rtol=1e-12)
    np.testing.assert_allclose(pad.saliency_map, s, rtol=1e-12)
    hot = colormaps["hot"]
    assert a["saliency"] == [[colors.to_hex(hot(v / s.max())) for v in row] for row in s]
    assert f"reads {k} with probability {100 * p[k]:.1f}%" in a["summary"]
    i, j = np.unravel_index(np.argmax(s), s.shape)
    assert f"brightest at row {i + 1} column {j + 1}," in a["saliency_alt"]
    assert a["saliency_title"] == f"where it looks: |∂z{k}/∂X|"


def test_a_blank_pad_answers_and_says_it_is_blank(net):
    pad = widgets.DrawingPad(net)
    assert isinstance(pad, anywidget.AnyWidget)
    assert "cnnlearn-widget" in pad._dom_classes and "cnnlearn-drawpad" in pad._dom_classes
    assert pad.image == np.zeros((8, 8)).tolist() and pad.revision == 0 and pad.tool == "ink"
    assert pad.x.shape == (1, 1, 8, 8) and not pad.x.any()
    check_answer(pad, net, np.zeros((8, 8)))
    assert "the pad is blank" in pad.answer["summary"]


def test_a_test_digit_to_start_from_is_copied_and_read(net, digits):
    start = digits.x_test[0, 0]
    before = start.copy()
    pad = widgets.DrawingPad(net, start)
    check_answer(pad, net, start)
    assert "blank" not in pad.answer["summary"]
    np.testing.assert_array_equal(pad.x[0, 0], start)
    pad.x[0, 0, 0, 0] = 0.5                      # x is a copy
    pad.clear()
    np.testing.assert_array_equal(start, before)  # the caller's array is never changed
    assert pad.image[0][0] == 0.0


def test_each_browser_change_is_answered_for_its_revision(net, digits):
    """What drawpad.js sends: the whole image and one more revision, in one message."""
    pad = widgets.DrawingPad(net)
    image = np.zeros((8, 8))
    answers = []
    pad.observe(lambda change: answers.append(change["new"]["revision"]), names="answer")
    for n, (r, c, v) in enumerate([(1, 4, 1.0), (2, 4, 1.0), (3, 4, 0.5), (3, 4, 0.0), (6, 4, 1.0)], start=1):
        image[r, c] = v
        pad.set_state({"image": image.tolist(), "revision": pad.revision + 1})
        assert pad.revision == n
        check_answer(pad, net, image)
    assert answers == [1, 2, 3, 4, 5]  # one answer per message, not one per trait


def test_set_image_and_clear_are_drawing_from_python(net, digits):
    pad = widgets.DrawingPad(net)
    for n in range(3):
        digit = digits.x_test[n, 0]
        pad.set_image(digit)
        np.testing.assert_array_equal(pad.x[0, 0], digit)
        check_answer(pad, net, digit)
    revision = pad.revision
    pad.set_image(digits.x_test[2, 0])  # the same drawing again is still a new revision, and answered
    assert pad.revision == revision + 1 == pad.answer["revision"]
    pad.clear()
    check_answer(pad, net, np.zeros((8, 8)))


def test_the_pad_reads_test_digits_like_the_network(net, digits):
    pad = widgets.DrawingPad(net)
    for n in range(5):
        pad.set_image(digits.x_test[n, 0])
        assert pad.predicted == int(net.forward(digits.x_test[n:n + 1]).argmax())


@pytest.mark.parametrize("image, err, words", [
    (np.ones((7, 8)), ValueError, "shape (8, 8), got (7, 8)"),
    (np.full((8, 8), 2.0), ValueError, "from 0 (blank) to 1 (full ink), got values from 2 to 2"),
    (-np.ones((8, 8)), ValueError, "got values from -1 to -1"),
    (np.full((8, 8), np.nan), ValueError, "non-finite"),
    (np.ones((1, 8, 8)), ValueError, "(H, W): one drawing"),
    ("abc", TypeError, "numeric array"),
    (np.ones((8, 8), dtype=bool), TypeError, "booleans"),
])
def test_bad_images_get_a_clear_error(net, image, err, words):
    pad = widgets.DrawingPad(net)
    revision, answer = pad.revision, pad.answer
    with pytest.raises(err) as info:
        pad.set_image(image)
    assert "image" in str(info.value) and words in str(info.value)
    assert pad.revision == revision and pad.answer == answer  # nothing changed


def test_bad_construction_and_tools(net):
    with pytest.raises(TypeError, match="net must be a network with forward and backward"):
        widgets.DrawingPad(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="image must have shape"):
        widgets.DrawingPad(net, np.zeros(8))
    with pytest.raises(ValueError, match=r"image must hold ink values from 0 \(blank\) to 1"):
        widgets.DrawingPad(net, np.full((8, 8), 16.0))  # the raw 0..16 ink counts
    pad = widgets.DrawingPad(net)
    for tool in TOOLS:
        pad.tool = tool
    with pytest.raises(Exception, match="tool must be one of 'ink', 'half', 'erase', got 'pen'"):
        pad.tool = "pen"
    with pytest.raises(ValueError, match=r"image must have the pad's shape \(8, 8\), got \(7, 8\)"):
        pad.image = np.zeros((7, 8)).tolist()
    assert TOOLS == {"ink": 1.0, "half": 0.5, "erase": 0.0} and pad.tools == TOOLS


def test_state_is_small_json_and_the_front_end_is_real_files(net, digits):
    pad = widgets.DrawingPad(net, digits.x_test[0, 0])
    state = json.dumps(pad.get_state())
    assert len(state) < 40_000, len(state)
    here = Path(widgets.__file__).parent
    js = (here / "drawpad.js").read_text(encoding="utf-8")
    assert pad._esm.endswith("\n" + js) and pad._esm.startswith((here / "dom.js").read_text(encoding="utf-8"))
    assert "export default" in js
    assert 'window.addEventListener("keydown", onKey, true)' in js  # Notebook 7 swallows arrow keys otherwise
    css = (here / "drawpad.css").read_text(encoding="utf-8")
    theme = (here / "theme.css").read_text(encoding="utf-8")
    assert pad._css == theme + "\n" + css and "touch-action: none" in css  # the shared theme colours first
    for name in ("cnnlearn-ink-", "cnnlearn-sal-", "cnnlearn-prob-", "cnnlearn-top", "cnnlearn-tool", "cnnlearn-clear",
                 "cnnlearn-drawpad-status", "dataset.ink", "dataset.p", "dataset.revision", "dataset.answered"):
        assert name in js, name  # the CSS contract of the module docstring
