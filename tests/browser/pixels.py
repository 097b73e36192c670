"""Drive notebook 09's pixel widgets in a browser page like a student, and check what the page shows.

AttackExplorer (``cnnlearn-attack``): every move of the eps slider must show, in the same frame, the X_adv
of ``cnnlearn.saliency.fgsm`` and the network's prediction for it (``cnnlearn-adv-<r>-<c>`` with
``data-ink``, the slider's ``aria-valuetext``, ``.cnnlearn-attack-status``).

DrawingPad (``cnnlearn-drawpad``): strokes of the mouse, the tools and the keyboard must ink exactly the
pixels a student touched, in the browser; the network's answer on the page must be what
``cnnlearn.saliency`` says about the drawing the page shows. The page is read through the CSS contract of
``cnnlearn/widgets/drawpad.py`` (``cnnlearn-ink-<r>-<c>`` with ``data-ink``, ``cnnlearn-prob-<k>`` with
``data-p``, ``cnnlearn-sal-<r>-<c>``, the root's ``data-revision`` and ``data-answered``).
"""

import math
import re

import numpy as np
from matplotlib import colormaps, colors

from cnnlearn import digits_net, saliency

from .jupyter import PATIENCE_MS

ROOTS = {"cnnlearn-attack", "cnnlearn-drawpad"}  # the widgets that show what a trained network says

_IMAGE_JS = """(root) => {
    const image = [];
    for (const el of root.querySelectorAll('[class*="cnnlearn-ink-"]')) {
        const m = /cnnlearn-ink-(\\d+)-(\\d+)/.exec(el.className);
        if (!m) continue;
        (image[+m[1]] = image[+m[1]] || [])[+m[2]] = +el.dataset.ink;
    }
    return image;
}"""


def pad_image(w):
    """The drawing the page shows, as an array of shape (H, W)."""
    return np.array(w.root.evaluate(_IMAGE_JS), dtype=float)


def inked(w):
    """``{(r, c): ink}`` of the pixels that are not blank on the page."""
    a = pad_image(w)
    return {(int(r), int(c)): float(a[r, c]) for r, c in zip(*np.nonzero(a))}


def _centre(w, r, c):
    box = w.root.locator(f".cnnlearn-ink-{r}-{c}").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def line(a, b):
    """The pixels of a straight stroke from pixel ``a`` to pixel ``b``, both included (rounded half up,
    as the pad fills the pixels a quick stroke jumps over)."""
    (r0, c0), (r1, c1) = a, b
    n = max(abs(r1 - r0), abs(c1 - c0))
    return {a} | {(math.floor(r0 + (r1 - r0) * i / n + 0.5), math.floor(c0 + (c1 - c0) * i / n + 0.5))
                  for i in range(1, n + 1)}


def stroke(w, points, steps=1):
    """Press the mouse on the first pixel of ``points``, move through the others, release. ``steps``: mouse
    events per move; 1 jumps straight to the next point, as a quick hand does."""
    page = w.page
    page.mouse.move(*_centre(w, *points[0]))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*_centre(w, *p), steps=steps)
    page.mouse.up()


def choose(w, tool):
    button = w.root.locator(f'.cnnlearn-tool[data-tool="{tool}"]')
    button.click()
    assert button.get_attribute("aria-pressed") == "true", f"{w}: the {tool} tool is not shown as chosen"


def wait_answered(w, timeout=PATIENCE_MS):
    """Wait until the answer on the page is for the drawing on the page (the kernel has answered)."""
    w.page.wait_for_function("r => r.dataset.revision && r.dataset.answered === r.dataset.revision",
                             arg=w.root.element_handle(), timeout=timeout)


def _rgb(hex_colour):
    r, g, b = (round(255 * v) for v in colors.to_rgb(hex_colour))
    return f"rgb({r}, {g}, {b})"


def check_answer_shown(w, net):
    """The probabilities, the predicted class, the status line and the saliency map on the page are
    cnnlearn.saliency's for the drawing on the page."""
    wait_answered(w)
    x = pad_image(w)[None, None]
    p = saliency.predict(net, x)[0]
    k = int(p.argmax())
    shown = w.root.evaluate("r => [...Array(10).keys()].map(k => +r.querySelector('.cnnlearn-prob-' + k).dataset.p)")
    np.testing.assert_allclose(shown, p, rtol=1e-9, err_msg=f"{w}: the page's probabilities are not the network's")
    assert w.root.locator(".cnnlearn-top").get_attribute("class").split().count(f"cnnlearn-prob-{k}") == 1, \
        f"{w}: the row marked as read is not class {k}"
    status = w.root.locator(".cnnlearn-drawpad-status").inner_text()
    assert f"reads {k} with probability {100 * p[k]:.1f}%" in status, f"{w}: status {status!r}, network reads {k}"
    s = saliency.saliency(net, x, k)[0]
    want = [[_rgb(colors.to_hex(colormaps["hot"](v / s.max()))) for v in row] for row in s]
    seen = w.root.evaluate("""r => [...Array(8).keys()].map(i => [...Array(8).keys()].map(j =>
        getComputedStyle(r.querySelector('.cnnlearn-sal-' + i + '-' + j)).backgroundColor))""")
    assert seen == want, f"{w}: the saliency map on the page is not |dz{k}/dX| of the drawing"
    return k, p


def check_drawpad(w, net):
    """Clear, draw a 7 with the pen (slowly, then one quick jump), half-ink and erase a pixel with the
    mouse, then draw and erase with the keyboard; the page must ink exactly those pixels at once, and
    then show the network's answer for exactly that drawing."""
    page = w.page
    w.root.scroll_into_view_if_needed()
    check_answer_shown(w, net)  # the saved start: the answer is for the drawing shown
    w.root.locator(".cnnlearn-clear").click()
    assert inked(w) == {}, f"{w}: Clear left {inked(w)}"
    choose(w, "ink")
    stroke(w, [(1, 2), (1, 5)], steps=6)      # the bar, slowly
    stroke(w, [(1, 5), (6, 3)], steps=1)      # the stem, one quick jump: no gaps
    seven = line((1, 2), (1, 5)) | line((1, 5), (6, 3))
    assert inked(w) == {rc: 1.0 for rc in seven}, f"{w}: the strokes inked {sorted(inked(w))}, not {sorted(seven)}"
    k, _ = check_answer_shown(w, net)

    choose(w, "half")
    stroke(w, [(3, 2)])
    choose(w, "erase")
    stroke(w, [(1, 2)])
    want = {rc: 1.0 for rc in seven - {(1, 2)}} | {(3, 2): 0.5}
    assert inked(w) == want, f"{w}: after half ink on (3, 2) and the eraser on (1, 2): {inked(w)}"

    choose(w, "ink")  # the keyboard: arrows move, Space paints, Shift+arrows draw, Delete erases
    w.root.locator(".cnnlearn-ink-6-0").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")                  # (7, 1)
    page.keyboard.press("Shift+ArrowRight")   # (7, 2)
    page.keyboard.press("Shift+ArrowRight")   # (7, 3)
    page.keyboard.press("Delete")             # (7, 3) erased again
    focused = page.evaluate("() => document.activeElement.className")
    assert "cnnlearn-ink-7-3" in focused, f"{w}: the keyboard focus is on {focused!r}, not pixel (7, 3)"
    want |= {(7, 1): 1.0, (7, 2): 1.0}
    assert inked(w) == want, f"{w}: after the keys: {sorted(inked(w).items())}, not {sorted(want.items())}"
    check_answer_shown(w, net)
    return k


# ------------------------------------------------------------------------------ latencies

_ARM_JS = """(root) => {
    const probe = {draw: [], answer: [], t0: null};
    const pad = root.querySelector('[role="grid"]');
    pad.addEventListener('pointerdown', e => { probe.t0 = e.timeStamp; probe.rev0 = +root.dataset.revision; }, true);
    probe.observer = new MutationObserver(records => {
        const t0 = probe.t0;
        if (t0 === null) return;
        if (records.some(m => m.attributeName === 'data-ink')) {
            if (probe.inked !== t0) {
                probe.inked = t0;
                requestAnimationFrame(() => probe.draw.push(performance.now() - t0));
            }
        }
        const answered = +root.dataset.answered;  // an answer for a drawing newer than the one before the click
        if (answered > probe.rev0 && answered === +root.dataset.revision && probe.answered !== t0
                && probe.inked === t0) {
            probe.answered = t0;
            requestAnimationFrame(() => probe.answer.push(performance.now() - t0));
        }
    });
    probe.observer.observe(root, {attributes: true, subtree: true, attributeFilter: ['data-ink', 'data-answered']});
    window.__cnnlearnPad = probe;
}"""


def draw_latency_ms(w, pixels=((2, 2), (2, 5), (5, 2), (5, 5), (3, 3), (4, 4), (0, 0), (7, 7), (0, 7), (7, 0))):
    """Click each pixel of ``pixels`` (blank ones) with the pen. Returns two lists of ms, timed in the page
    from the pointerdown event: until the first frame that shows the pixel inked (no kernel involved), and
    until the first frame that shows the network's answer for the new drawing (a kernel round trip)."""
    w.root.scroll_into_view_if_needed()
    w.root.locator(".cnnlearn-clear").click()
    choose(w, "ink")
    wait_answered(w)
    w.root.evaluate(_ARM_JS)
    try:
        for n, rc in enumerate(pixels, start=1):
            stroke(w, [rc])
            w.page.wait_for_function("n => window.__cnnlearnPad.answer.length >= n", arg=n, timeout=PATIENCE_MS)
        probe = w.page.evaluate("() => window.__cnnlearnPad")
    finally:
        w.page.evaluate("() => window.__cnnlearnPad.observer.disconnect()")
    assert set(inked(w)) == set(pixels), f"{w}: clicks inked {sorted(inked(w))}"
    return probe["draw"], probe["answer"]


# ------------------------------------------------------------------------------ AttackExplorer

def _attack_shown(w):
    """(the eps readout, the status line, the attacked picture's ink of shape (H, W)) on the page now."""
    return w.root.evaluate("""r => {
        const ink = [];
        for (const el of r.querySelectorAll('[class*="cnnlearn-adv-"]')) {
            const m = /cnnlearn-adv-(\\d+)-(\\d+)/.exec(el.className);
            if (m) (ink[+m[1]] = ink[+m[1]] || [])[+m[2]] = +el.dataset.ink;
        }
        return [r.querySelector('.cnnlearn-attack-eps').getAttribute('aria-valuetext'),
                r.querySelector('.cnnlearn-attack-status').innerText, ink];
    }""")


def _clean(w):
    ink = w.root.evaluate("""r => { const ink = [];
        for (const el of r.querySelectorAll('[class*="cnnlearn-clean-"]')) {
            const m = /cnnlearn-clean-(\\d+)-(\\d+)/.exec(el.className);
            if (m) (ink[+m[1]] = ink[+m[1]] || [])[+m[2]] = +el.dataset.ink;
        }
        return ink; }""")
    status = w.root.locator(".cnnlearn-attack-status").inner_text()
    m = re.search(r"the true digit is (\d+)", status)
    assert m, f"{w}: the status line {status!r} does not name the true digit"
    return np.array(ink, dtype=float)[None, None], int(m[1])


def check_attack_frame(w, net, x, label, eps):
    """The page shows eps ``eps``: its X_adv is cnnlearn.saliency.fgsm's and its prediction the network's."""
    valuetext, status, ink = _attack_shown(w)
    assert valuetext == f"eps {eps:.2f}", f"{w}: the slider says {valuetext!r}, not eps {eps:.2f}"
    x_adv = saliency.fgsm(x, saliency.input_gradient(net, x, labels=label), eps)
    # the page's digit was read back to 4 decimals: compare away from FGSM's sign flips at 0
    np.testing.assert_allclose(ink, x_adv[0, 0], atol=2e-4, err_msg=f"{w}: X_adv on the page at eps {eps:.2f}")
    p = saliency.predict(net, x_adv)[0]
    k = int(p.argmax())
    assert f"reads {k} with probability {p[k]:.0%}" in status, f"{w}: at eps {eps:.2f}: {status!r}, network: {k}"
    assert ("fooled" in status) == (k != label and eps > 0), status
    return k


def check_attack(w, net):
    """Move the eps slider by keyboard (Home, arrows, PageUp, End) and by mouse: each time the attacked digit
    and the prediction on the page are FGSM's and the network's for the eps the slider shows."""
    w.root.scroll_into_view_if_needed()
    x, label = _clean(w)
    slider = w.root.locator(".cnnlearn-attack-eps")
    slider.focus()
    page = w.page
    for key, eps in (("Home", 0.0), ("ArrowRight", 0.01), ("ArrowUp", 0.02), ("PageUp", 0.07), ("End", 0.30),
                     ("ArrowLeft", 0.29), ("PageDown", 0.24)):
        page.keyboard.press(key)
        check_attack_frame(w, net, x, label, eps)  # read at once: the same frame, no kernel
    box = slider.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # the left end of the track: eps 0
    check_attack_frame(w, net, x, label, 0.0)
    page.keyboard.press("End")
    return check_attack_frame(w, net, x, label, 0.30)


# The widget's own key listener on window runs first (it was there first), so by the time the probe's listener
# runs, the widget has drawn the new eps or not: the probe only has to wait for the next frame.
_ARM_SLIDE_JS = """(root) => {
    const probe = {times: []};
    const input = root.querySelector('.cnnlearn-attack-eps'), status = root.querySelector('.cnnlearn-attack-status');
    let before = status.textContent;
    probe.listener = e => {
        if (e.target !== input || status.textContent === before) return;
        before = status.textContent;
        requestAnimationFrame(() => probe.times.push(performance.now() - e.timeStamp));
    };
    window.addEventListener('keydown', probe.listener, true);
    window.__cnnlearnSlide = probe;
}"""


def slide_latency_ms(w, n=20):
    """``n`` times: press ArrowRight (or ArrowLeft at the end) on the eps slider; the time from the keydown
    event until the first frame that shows the new eps's status line, in ms, timed in the page."""
    slider = w.root.locator(".cnnlearn-attack-eps")
    slider.focus()
    w.page.keyboard.press("Home")
    w.root.evaluate(_ARM_SLIDE_JS)
    try:
        for i in range(n):
            w.page.keyboard.press("ArrowRight" if (i // 10) % 2 == 0 else "ArrowLeft")
            w.page.wait_for_function("n => window.__cnnlearnSlide.times.length >= n", arg=i + 1, timeout=PATIENCE_MS)
        return w.page.evaluate("() => window.__cnnlearnSlide.times")
    finally:
        w.page.evaluate("() => window.removeEventListener('keydown', window.__cnnlearnSlide.listener, true)")


# ------------------------------------------------------------------------------ in a notebook

def network(server, widgets):
    """The digits network the notebook's widgets show: the file the notebook loaded (or trained and saved)
    next to itself, read once the notebook has run; None when no widget needs it."""
    if not any(w.root_class in ROOTS for w in widgets):
        return None
    return digits_net.load(server.root / "notebooks" / digits_net.DEFAULT_FILE)


def record_latencies(w, record_latency, where):
    """Notebook 09's widgets: how soon a pen stroke is on screen and the network's answer for it, and how
    soon a move of the eps slider is."""
    if w.root_class == "cnnlearn-drawpad":
        draw, answer = draw_latency_ms(w)
        record_latency(f"DrawingPad, {where}", draw, kind="draw")
        record_latency(f"DrawingPad, {where}", answer, kind="answer")
    elif w.root_class == "cnnlearn-attack":
        record_latency(f"AttackExplorer, {where}", slide_latency_ms(w), kind="slide")
