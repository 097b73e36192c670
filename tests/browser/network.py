"""Drive cnnlearn.widgets.NetworkExplorer in a browser page and read what it shows, through the CSS contract of
``cnnlearn/widgets/network.py``: units ``cnnlearn-<key>-<c>-<i>-<j>`` with ``data-v``, ``cnnlearn-hl`` on every
unit a trace lights up (``cnnlearn-here`` on the traced one), ``cnnlearn-all`` on a column lit up as a whole,
the caption's lines in ``.cnnlearn-network-caption``, the root's ``data-frame``.

What the page must show is asked of a NetworkExplorer built in the test process on the same network and
images (its highlight sets and captions are checked against independent computations in
tests/test_network_explorer.py); here the page is held to it.
"""

import re

import nbformat

from cnnlearn import datasets, digits_net
from cnnlearn.notation import cell_text
from cnnlearn.widgets.network import NetworkExplorer

from .jupyter import PANEL, PATIENCE_MS, painted
from .students import eventually, quiz_state

ROOT = "cnnlearn-network"

NET_FILE = "network_net.npz"
SETUP = ("from cnnlearn import datasets, digits_net, widgets\n"
         f"net = digits_net.load({NET_FILE!r})\n"
         "x_train, y_train, x_test, y_test = datasets.load_digits()")
EXPLORER = "explorer = widgets.NetworkExplorer(net, x_test[:3], y_test[:3])\nexplorer"
PAD = "pad = widgets.DrawingPad(net, x_test[5, 0])\nexplorer.follow(pad)\npad"
# a second explorer, asking first which pixels a pooled value reads (notebook 07's question)
QUIZ = ("quizzer = widgets.NetworkExplorer(net, x_test[:1], y_test[:1])\n"
        "quizzer.predict_reads('a3', (4, 1, 2))\nquizzer")


def notebook(cells):
    """A notebook with a title and the code ``cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# The network explorer")] + [nbformat.v4.new_code_cell(c)
                                                                             for c in cells]
    return nb


def harness(folder, cells=(SETUP, EXPLORER, PAD, QUIZ), name="network.ipynb"):
    """Train a digits network briefly with fixed seeds, save it in ``folder`` with a notebook of ``cells`` that
    shows it; return the network read back from the file, so the kernel and the test hold the same weights."""
    net = digits_net.build_network()
    digits_net.train(net, epochs=3)
    path = digits_net.save(net, folder / NET_FILE)
    nbformat.write(notebook(list(cells)), folder / name)
    return digits_net.load(path)

# Units traced in each column, both views (the column p only forward, L only backward).
UNITS = {
    "a0": [(0, 0, 0), (0, 4, 5)],
    "a1": [(3, 0, 7), (12, 5, 2)],
    "a2": [(0, 7, 7), (9, 3, 3)],
    "a3": [(4, 0, 0), (15, 2, 1)],
    "a4": [(0, 3, 3), (21, 1, 2)],
    "a5": [(31, 0, 0), (7, 2, 2)],
    "a6": [(0, 0, 0), (18, 3, 1)],
    "a7": [(0, 0, 0), (6, 0, 0)],
    "p": [(3, 0, 0)],
    "L": [(0, 0, 0)],
}

_LIT = """(root) => {
    const out = {};
    for (const wrap of root.querySelectorAll('.cnnlearn-column-wrap')) {
        if (wrap.hidden) continue;
        const key = wrap.dataset.key;
        const re = new RegExp('(^|\\\\s)cnnlearn-' + key + '-(\\\\d+)-(\\\\d+)-(\\\\d+)(\\\\s|$)');
        const units = [...wrap.querySelectorAll('.cnnlearn-u')];
        const lit = wrap.classList.contains('cnnlearn-all') ? units
            : units.filter(u => u.classList.contains('cnnlearn-hl') && !u.classList.contains('cnnlearn-here'));
        if (lit.length) out[key] = lit.map(u => { const m = re.exec(u.className); return [+m[2], +m[3], +m[4]]; });
    }
    return out;
}"""


def unit_class(key, unit):
    return f"cnnlearn-{key}-{unit[0]}-{unit[1]}-{unit[2]}"


class Explorer:
    """The ``n``-th NetworkExplorer under ``scope`` on ``page``."""

    def __init__(self, page, scope="body", n=0):
        self.page = page
        self.root = page.locator(f"{scope} .{ROOT}").nth(n)
        self.root.locator(".cnnlearn-u").first.wait_for(timeout=PATIENCE_MS)

    def unit(self, key, unit):
        return self.root.locator(f".{unit_class(key, unit)}")

    def frame(self):
        return self.root.get_attribute("data-frame")

    def lit(self):
        """``{column key: set of units}`` that the trace on the page lights up (the traced unit left out)."""
        return {k: {tuple(u) for u in v} for k, v in self.root.evaluate(_LIT).items()}

    def caption(self):
        return self.root.locator(".cnnlearn-network-caption > div").all_inner_texts()

    def texts(self, key):
        """``{unit: text}`` the page shows (``data-v``) for every unit of column ``key``."""
        pattern = re.compile(rf"(?:^|\s)cnnlearn-{re.escape(key)}-(\d+)-(\d+)-(\d+)(?:\s|$)")
        out = {}
        for cls, v in self.root.evaluate(
                "(r, key) => [...r.querySelectorAll(`.cnnlearn-column-wrap[data-key='${key}'] .cnnlearn-u`)]"
                ".map(u => [u.className, u.dataset.v])", key):
            m = pattern.search(cls)
            out[int(m[1]), int(m[2]), int(m[3])] = v
        return out

    def hover(self, key, unit):
        """Hover ``unit`` of column ``key`` and wait until the page traces it."""
        self.unit(key, unit).hover()
        self.page.wait_for_function("([r, cls]) => r.querySelector('.' + cls + '.cnnlearn-here')",
                                    arg=[self.root.element_handle(), unit_class(key, unit)], timeout=PATIENCE_MS)

    def show(self, view=None, target=None, input=None):
        """Press the view's button, choose the image and the target (the backward view's control), as a student
        does."""
        if view is not None:
            self.root.locator(f'.cnnlearn-view-button[data-view="{view}"]').click()
            assert self.root.locator(f'.cnnlearn-view-button[data-view="{view}"]').get_attribute("aria-pressed") \
                == "true"
        if input is not None:
            self.root.locator(".cnnlearn-input-select").select_option(str(input))
        if target is not None:
            self.root.locator(".cnnlearn-target-select").select_option(str(target))
        painted(self.page)


def expected_frame(expected):
    """The frame key the page must show for the Python twin ``expected``'s view, image and target."""
    if expected.view == "forward":
        return f"{expected.input}:forward"
    entry = next(e for e in expected.inputs if e["id"] == expected.input)
    return f"{expected.input}:{entry['predicted'] if expected.target == 'predicted' else expected.target}"


def check_traces(w, expected, views=("forward", "backward"), target="loss", input=0):
    """Hover units of every column in each view: the page lights up exactly what ``expected`` (a NetworkExplorer
    on the same network and images) says, writes its caption, and shows its values' texts."""
    checked = 0
    for view in views:
        w.show(view=view, target=target if view == "backward" else None, input=input)
        expected.show(input=input, view=view, target=target)
        w.page.wait_for_function("([r, key]) => r.dataset.frame === key",
                                 arg=[w.root.element_handle(), expected_frame(expected)], timeout=PATIENCE_MS)
        for key, units in UNITS.items():
            if key == ("L" if view == "forward" else "p"):
                continue
            shown = w.texts(key)
            values = expected.values(key)
            assert shown == {u: cell_text(values[u]) for u in shown}, f"{view}: the texts of column {key}"
            for unit in units:
                w.hover(key, unit)
                want = {k: s for k, s in expected.highlighted(key, unit).items() if s}
                got = w.lit()
                assert got == want, (f"{view}: hovering {key}{unit} lit up {_diff(got, want)}")
                assert w.caption() == expected.caption(key, unit), f"{view}: the caption of {key}{unit}"
                checked += 1
    w.page.mouse.move(0, 0)
    return checked


def _diff(got, want):
    keys = sorted(set(got) | set(want))
    return "; ".join(f"{k}: {len(got.get(k, ()))} units, not {len(want.get(k, ()))}" for k in keys
                     if got.get(k) != want.get(k))


def check_keyboard(w, expected):
    """Tab-free keyboard use from a focused unit: the arrows move within a map, Page Down to the next map, and
    the trace follows the focus; Enter pins (the pin survives the mouse leaving), Escape lets go."""
    page = w.page
    w.show(view="forward", input=0)
    expected.show(input=0, view="forward")
    w.unit("a1", (0, 0, 0)).click()
    focused = ("r => document.activeElement && r.contains(document.activeElement) "
               "? document.activeElement.className : ''")
    for key, want in (("ArrowRight", (0, 0, 1)), ("ArrowDown", (0, 1, 1)), ("PageDown", (1, 1, 1)),
                      ("End", (1, 1, 7)), ("PageUp", (0, 1, 7))):
        page.keyboard.press(key)
        assert unit_class("a1", want) in w.root.evaluate(focused).split(), f"{key} did not move the focus to a1{want}"
        assert w.unit("a1", want).get_attribute("class").split().count("cnnlearn-here") == 1
        assert w.lit() == {k: s for k, s in expected.highlighted("a1", want).items() if s}
    page.keyboard.press("Enter")
    w.root.locator(f".{unit_class('a1', (0, 1, 7))}.cnnlearn-sel").wait_for(timeout=PATIENCE_MS)
    page.mouse.move(0, 0)
    assert w.caption() == expected.caption("a1", (0, 1, 7))
    page.keyboard.press("Escape")
    page.wait_for_function("r => !r.querySelector('.cnnlearn-sel')", arg=w.root.element_handle(), timeout=PATIENCE_MS)


def check_asked(w, expected, input=1):
    """A class score not computed beforehand: the page asks Python for it and draws the answer."""
    k = next(k for k in range(10) if str(k) != expected.inputs[input]["predicted"])
    w.show(view="backward", input=input, target=k)
    w.page.wait_for_function("([r, key]) => r.dataset.frame === key", arg=[w.root.element_handle(), f"{input}:{k}"],
                             timeout=PATIENCE_MS)
    expected.show(input=input, view="backward", target=k)
    values = expected.values("a3")
    assert w.texts("a3") == {u: cell_text(values[u]) for u in _every(values.shape)}
    w.hover("a3", (4, 0, 0))
    assert w.caption() == expected.caption("a3", (4, 0, 0))
    w.page.mouse.move(0, 0)


def _every(shape):
    C, H, W = shape
    return [(c, i, j) for c in range(C) for i in range(H) for j in range(W)]


# --------------------------------------------------------------------------- predict, then see

def quiz_units(w, cls):
    """``{(key, c, i, j)}`` of the explorer's units carrying class ``cls`` (a guess, or a mark after Check)."""
    found = set()
    for classes in w.root.locator(f".cnnlearn-u.{cls}").evaluate_all("els => els.map(e => e.className)"):
        m = re.search(r"(?:^|\s)cnnlearn-(a\d+|p|L)-(\d+)-(\d+)-(\d+)(?:\s|$)", classes)
        found.add((m[1], int(m[2]), int(m[3]), int(m[4])))
    return found


def quiz_answer(q):
    """The answer to the page's question, computed by the package on a network of the same layers (what a unit
    reads or feeds depends on the layers' windows, not on their weights), never by the page."""
    key, *unit = q["about"].split(":")
    unit = tuple(int(v) for v in unit)
    twin = NetworkExplorer(digits_net.build_network(), datasets.load_digits()[2][:1], [0])
    grid = q["grids"]
    found = twin.reads(key, unit) if q["kind"] == "reads" else twin.feeds(key, unit)
    return {(grid, *u) for u in found[grid]}


def _press_on(w, unit, key):
    """Move the keyboard focus to ``unit`` = (column key, c, i, j) with Home and the arrow keys, from the column's
    Tab stop, as a student would, and press ``key`` there."""
    col, c, i, j = unit
    start = w.root.locator(f'.cnnlearn-column[data-key="{col}"] [tabindex="0"]')
    start.focus()
    w.page.keyboard.press("Home")
    for _ in range(8):
        w.page.keyboard.press("PageUp")
        w.page.keyboard.press("ArrowUp")
    for _ in range(c):
        w.page.keyboard.press("PageDown")
    for _ in range(i):
        w.page.keyboard.press("ArrowDown")
    for _ in range(j):
        w.page.keyboard.press("ArrowRight")
    w.page.keyboard.press(key)


def check_quiz(w):
    """Answer the explorer's question like a student. First wrongly, by mouse: one unit of the answer and one unit
    outside it, then Check: the page marks them right and extra (class, glyph and accessible name) and every other
    unit of the answer missed, and nothing is traced before Check. Then Try again and the right answer by keyboard
    (Space on each unit, Enter to check): the page confirms it, and traces the unit asked about, lighting up the
    answer. Returns the answer."""
    q = quiz_state(w)
    assert q and q["state"] == "asking", f"no question waits for an answer: {q}"
    answer = quiz_answer(q)
    grid = q["grids"]
    every = quiz_units_all(w, grid)
    inside, outside = sorted(answer)[0], sorted(every - answer)[0]
    guess = {inside, outside}
    for u in sorted(guess):
        w.unit(u[0], u[1:]).click()
    eventually(lambda: quiz_units(w, "cnnlearn-guess") == guess, what=f"the clicks did not choose {guess}")
    assert w.root.locator(".cnnlearn-hl").count() == 0 and w.caption() == [], "a trace shows before Check"
    w.root.get_by_role("button", name="Check").click()

    def marked():
        got = {m: quiz_units(w, f"cnnlearn-quiz-{m}") for m in ("right", "missed", "extra")}
        return got == {"right": {inside}, "missed": answer - {inside}, "extra": {outside}} and got
    eventually(marked, what=f"after Check the marks are not right, missed and extra: {quiz_state(w)}")
    assert quiz_state(w)["status"].startswith("Not quite"), quiz_state(w)
    for u, glyph, word in ((inside, "\u2713", "right"), (outside, "\u2717", "extra"),
                           (sorted(answer - {inside})[0], "\u25CB", "missed")):
        e = w.unit(u[0], u[1:])
        assert e.locator(".cnnlearn-quiz-mark").inner_text() == glyph, (u, word)
        assert f", {word}" in e.get_attribute("aria-label"), (u, e.get_attribute("aria-label"))

    w.root.get_by_role("button", name="Try again").click()
    eventually(lambda: quiz_state(w)["state"] == "asking" and not quiz_units(w, "cnnlearn-guess"),
               what="Try again did not clear the answer")
    for u in sorted(answer):
        _press_on(w, u, " ")
    eventually(lambda: quiz_units(w, "cnnlearn-guess") == answer, what=f"Space did not choose {answer}")
    w.page.keyboard.press("Enter")
    eventually(lambda: quiz_state(w)["state"] == "checked" and quiz_state(w)["status"].startswith("Right"),
               what=f"the right answer was not confirmed: {quiz_state(w)}")
    assert quiz_units(w, "cnnlearn-quiz-right") == answer
    key, *unit = q["about"].split(":")
    eventually(lambda: w.lit().get(grid) == {u[1:] for u in answer}
               and w.root.locator(f".{unit_class(key, [int(v) for v in unit])}.cnnlearn-here").count() == 1,
               what="after the answer the explorer does not trace the unit asked about")
    return answer


def quiz_units_all(w, key):
    """Every unit of column ``key`` on the page, as ``(key, c, i, j)``."""
    out = set()
    for cls in w.root.locator(f'.cnnlearn-column[data-key="{key}"] .cnnlearn-u').evaluate_all(
            "els => els.map(e => e.className)"):
        m = re.search(rf"(?:^|\s)cnnlearn-{key}-(\d+)-(\d+)-(\d+)(?:\s|$)", cls)
        out.add((key, int(m[1]), int(m[2]), int(m[3])))
    return out


def answer_questions(page, scope=PANEL):
    """Answer every question a NetworkExplorer in ``scope`` waits on, as :func:`check_quiz` does; returns the
    explorers answered."""
    asked = []
    for n in range(page.locator(f"{scope} .{ROOT}").count()):
        w = Explorer(page, scope, n)
        if (quiz_state(w) or {}).get("state") == "asking":
            check_quiz(w)
            asked.append(w)
    return asked
