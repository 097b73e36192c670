"""The offline edition (``python -m cnnlearn.export``) in Chromium, opened from file:// with every
network request refused: widgets render and stay interactive with no kernel (hover, click, keyboard,
Play linked in the browser), equations are typeset by the vendored MathJax.

The tiny page (tests/browser/tiny.py) checks the machinery on a grid of known behaviour; every page of
the series must load with nothing refused and everything rendered; test_offline_series.py drives the
series' own grids.
"""

import nbformat

from . import latency, offline, tiny

# The widget view's output element holds a div.widget-subarea with the widget's DOM (anywidget's root
# has no .jupyter-widgets class, so any element child counts).
CHECK_PAGE = """() => {
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    const rendered = views.filter(s => s.parentElement.querySelector(':scope > .widget-subarea > *'));
    return {
        views: views.length,
        rendered: rendered.length,
        // the text stand-in a notebook shows when widgets do not render (prose may quote it: not counted)
        loading: views.some(s => /Loading widget|VBox\\(|Box\\(children/.test(s.parentElement.innerText)),
        mathjax: document.querySelectorAll('.MathJax_SVG, .MathJax_SVG_Display').length,
        mathErrors: document.querySelectorAll('.MathJax_Error, .merror, [data-mjx-error]').length,
        rawTex: [...document.querySelectorAll('.jp-RenderedLatex, .jp-RenderedMarkdown')]
                    .filter(e => /\\$\\$|\\\\frac/.test(e.innerText)).length,
    };
}"""


def load(browser, page_path, screenshot=None):
    """Open ``page_path`` offline and wait for its widgets and MathJax.

    Returns (page, facts from CHECK_PAGE, refused URLs, failed requests, page errors); close the page's
    context when done."""
    page, refused, failed, errors = offline.open_page(browser, page_path)
    facts = page.evaluate(CHECK_PAGE)
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    return page, facts, refused, failed, errors


def test_tiny_page_offline(tiny_site, browser):
    page, facts, refused, failed, errors = load(browser, tiny_site / "01_tiny.html", tiny_site / "01_tiny.png")
    try:
        text = page.inner_text("body")
    finally:
        page.context.close()
    assert refused == [], f"the page asked the network for {refused}"
    assert failed == [] and errors == [], (failed, errors)
    assert facts["views"] == 3 and facts["rendered"] == 3 and not facts["loading"], facts
    # two in the markdown, one displayed equation, one inside the HTMLMath widget
    assert facts["mathjax"] >= 4 and facts["mathErrors"] == 0 and facts["rawTex"] == 0, facts
    assert "\\frac" not in text and "$$" not in text


def test_tiny_page_widgets_carry_their_first_state(tiny_site, browser):
    """The ipywidgets DOM is the saved first state: classes, slider value (3, not the 7 a later cell set),
    the matplotlib image in the Output, the Play icons' font."""
    page, refused, _, _ = offline.open_page(browser, tiny_site / "01_tiny.html")
    try:
        assert page.inner_text(".cnnlearn-explorer .widget-readout").strip() == "3"
        assert page.locator(".cnnlearn-x-0-0.cnnlearn-hl").count() == 0
        assert page.locator(".cnnlearn-explorer .widget-play button").count() >= 2
        page.wait_for_selector(".widget-output img", timeout=30000)
        # Font Awesome loaded from the copies beside the page
        fonts = page.evaluate("async () => { await document.fonts.ready; return [...document.fonts]"
                              ".filter(f => /Font Awesome/.test(f.family)).map(f => f.status); }")
        assert "loaded" in fonts, f"the Play buttons' icon font did not load: {fonts}"
        assert refused == []
    finally:
        page.context.close()


def test_tiny_grid_is_interactive_with_no_kernel(tiny_site, browser, record_hover_latency):
    page, refused, failed, errors = offline.open_page(browser, tiny_site / "01_tiny.html")
    try:
        grid = offline.Grid(page, ".cnnlearn-tiny", "x")
        times = latency.hover_to_highlight_ms(page, page.locator(".cnnlearn-tiny"), grid.cell(1, 1))
        record_hover_latency("tiny anywidget grid, offline page (file://)", times)
        grid.hover(1, 1)
        assert grid.highlighted() == tiny.lights(1, 1), "hover did not light up the cells the lookup names"
        grid.click(0, 0)
        assert grid.selected() == {(0, 0)}
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowDown")
        assert grid.focused() == (1, 1), "arrow keys did not move the focus"
        page.keyboard.press("Enter")
        assert grid.selected() == {(1, 1)}
        assert grid.highlighted() == tiny.lights(1, 1)
        # Play is linked to the grid's step in the browser: it counts 0..3 with no kernel
        offline.press_play(page, page.locator(".widget-play").last)
        page.wait_for_function("() => document.querySelector('.cnnlearn-tiny-step').textContent === 'step 3'",
                               timeout=10_000)
        assert refused == [] and failed == [] and errors == [], (refused, failed, errors)
    finally:
        page.context.close()


def test_every_series_page_offline(series_site, series_notebooks, browser):
    problems = []
    for notebook in series_notebooks:
        page_path = series_site / f"{notebook.stem}.html"
        page, facts, refused, failed, errors = load(browser, page_path, series_site / f"{notebook.stem}.png")
        page.context.close()
        nb = nbformat.read(notebook, as_version=4)
        has_math = any("$" in c.source for c in nb.cells if c.cell_type == "markdown") or any(
            "text/latex" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
        if refused or failed or errors:
            problems.append(f"{notebook.name}: refused {refused}, failed {failed}, errors {errors}")
        if facts["rendered"] != facts["views"] or facts["loading"]:
            problems.append(f"{notebook.name}: widgets not all rendered: {facts}")
        if facts["mathErrors"] or facts["rawTex"] or (has_math and not facts["mathjax"]):
            problems.append(f"{notebook.name}: equations not typeset: {facts}")
    assert problems == [], "\n".join(problems)
