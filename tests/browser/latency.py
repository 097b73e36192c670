"""Hover-to-highlight latency of a browser-side grid, measured in the page (printed, never asserted).

One measurement: the mouse enters a cell; the time runs from that ``mouseover`` event's ``timeStamp``
to the first animation frame after the ``cnnlearn-hl`` class appears on an element of the widget that
did not carry it, which is when the student can first see the answer. The mouse then leaves to where it
rests and the widget has to return to what it highlighted before (nothing, or a pinned cell's set, or a
stepper's current step) before the next hover. Works the same in JupyterLab 3 and 4, Notebook 7, Voila and
the offline pages, since it only relies on the CSS contract (``cnnlearn-hl``).

Where the mouse rests between hovers (``rest``):

- ``"widget"`` (the default): on the widget's own text outside its grids (a GridView's legend, the tiny
  grid's step line), as a student's pointer moves from one cell to the next: what the widget answers;
- ``"corner"``: the page's top-left corner, outside the notebook. Each hover then also pays for the front
  end restyling the notebook because the pointer entered it: in JupyterLab 3 a rule such as
  ``.jp-CodeMirrorEditor .remote-caret:hover > div[style]`` makes Chromium restyle every element with a
  style attribute under the newly hovered ancestors (the editors, MathJax 2's equations), 15-25 ms on
  notebook 04 before the widget sees the event.
"""

import statistics

from .jupyter import PATIENCE_MS, painted

# Installs the probe on the widget root ``root`` and the cell ``cell`` (both elements).
_INSTALL = """([root, cell]) => {
    const probe = {times: [], t0: null};
    cell.addEventListener('mouseover', e => { if (probe.t0 === null) probe.t0 = e.timeStamp; }, true);
    probe.observer = new MutationObserver(records => {
        const appeared = records.some(m => m.target.classList.contains('cnnlearn-hl')
                                           && !/(^|\\s)cnnlearn-hl(\\s|$)/.test(m.oldValue || ''));
        if (probe.t0 !== null && appeared) {
            const start = probe.t0;
            probe.t0 = null;
            requestAnimationFrame(() => probe.times.push(performance.now() - start));
        }
    });
    probe.observer.observe(root, {attributes: true, attributeFilter: ['class'], attributeOldValue: true,
                                  subtree: true});
    window.__cnnlearnHover = probe;
}"""

# what the widget highlights, element by element (each element's classes sorted: the order they were added in
# does not count)
_HL = "[...r.querySelectorAll('.cnnlearn-hl')].map(e => [...e.classList].sort().join(' ')).join(';')"
_HL_KEY = f"r => {_HL}"
_AT_REST = f"([r, key]) => {_HL} === key"


# The widget's own text outside its grids, where the pointer rests with rest="widget".
RESTING_PLACES = ".cnnlearn-legend, .cnnlearn-network-legend, .cnnlearn-tiny-step"


def hover_to_highlight_ms(page, root, cell, n=20, rest="widget", timeout=PATIENCE_MS):
    """``n`` hover-to-next-frame times (ms) for the locator ``cell`` inside the widget root locator
    ``root``, the mouse resting at ``rest`` ("widget" or "corner", see above) between hovers. Hovering
    ``cell`` must highlight something the widget does not highlight at rest."""
    if rest not in ("widget", "corner"):
        raise ValueError(f"rest must be 'widget' or 'corner', got {rest!r}")
    root_el, cell_el = root.element_handle(), cell.element_handle()
    cell.scroll_into_view_if_needed()
    if rest == "widget":
        place = root.locator(RESTING_PLACES).first
        assert place.count(), f"the widget has no {RESTING_PLACES} to rest the pointer on"
        box = place.bounding_box()
        resting = (box["x"] + 2, box["y"] + box["height"] / 2)
    else:
        resting = (0, 0)
    page.mouse.move(*resting)
    painted(page)
    at_rest = page.evaluate(_HL_KEY, root_el)
    page.evaluate(_INSTALL, [root_el, cell_el])
    try:
        for i in range(n):
            box = cell.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_function("n => window.__cnnlearnHover.times.length >= n", arg=i + 1, timeout=timeout)
            page.mouse.move(*resting)
            page.wait_for_function(_AT_REST, arg=[root_el, at_rest], timeout=timeout)
        return page.evaluate("() => window.__cnnlearnHover.times")
    finally:
        page.evaluate("() => { window.__cnnlearnHover && window.__cnnlearnHover.observer.disconnect(); }")


def label(what, rest="widget"):
    """``what`` with where the pointer rested between hovers, for the terminal summary."""
    return what + (", the pointer coming from outside the notebook" if rest == "corner" else "")


def summary(label, times):
    """One line for the terminal summary."""
    return (f"hover-to-highlight latency, {label}: median {statistics.median(times):.1f} ms over {len(times)} "
            f"hovers (min {min(times):.1f}, max {max(times):.1f}; goal <= 16.7 ms, one frame)")
