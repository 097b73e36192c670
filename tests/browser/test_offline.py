"""The web edition (``python -m cnnlearn.export``, a Jupyter Book) in Chromium with every request to another host
refused, opened from file:// and from a static server on 127.0.0.1: widgets render and stay interactive with no
kernel (hover, click, keyboard, Play linked in the browser), equations are typeset by the vendored MathJax, the
book's contents, search and launch menu work, and in light and in dark mode axe-core finds no WCAG 2.2 AA
violation (colour contrast included, which axe can check on these pages), no pair number covers a value, no value
runs over its cell and every text of a widget reads at 4.5:1 (looks.py).

The tiny page (tests/browser/tiny.py) checks the machinery on a grid of known behaviour. Each page of the
series is opened once, for all of its checks: it loads with nothing refused and everything rendered, its launch
menu, then axe and the looks in light mode and again in dark mode, and then its own widgets are driven (the
series' grids answer hover, click and keys; Play steps the forward stepper; notebook 09's eps slider and drawing
pad do what needs no kernel, and the pad says what does).
"""

import re

import nbformat
import pytest

from cnnlearn import digits_net
from cnnlearn.classroom import series

from . import axe, latency, looks, network, offline, pixels, students, tiny
from .conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

# The widget view's output element holds a div.widget-subarea with the widget's DOM (anywidget's root
# has no .jupyter-widgets class, so any element child counts). Raw TeX is looked for in the page's text
# outside code (MathJax 2 keeps each formula's source in a <script type="math/tex">, not in the text).
CHECK_PAGE = """() => {
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    const rendered = views.filter(s => s.parentElement.querySelector(':scope > .widget-subarea > *'));
    const article = document.querySelector('.bd-article') || document.body;
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    let rawTex = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement.closest('pre, code, script, style, .cell_input, .MathJax_Preview')) continue;
        if (/\\$\\$|\\\\frac|\\\\partial|\\\\\\(/.test(n.textContent)) rawTex++;
    }
    return {
        views: views.length,
        rendered: rendered.length,
        // the text stand-in a notebook shows when widgets do not render (prose may quote it: not counted)
        loading: views.some(s => /Loading widget|VBox\\(|Box\\(children/.test(s.parentElement.innerText)),
        mathjax: document.querySelectorAll('.MathJax_SVG, .MathJax_SVG_Display').length,
        mathErrors: document.querySelectorAll('.MathJax_Error, .merror, [data-mjx-error]').length,
        rawTex,
    };
}"""


def load(browser, page_path, screenshot=None, server=None):
    """Open ``page_path`` offline and wait for its widgets and MathJax.

    Returns (page, facts from CHECK_PAGE, refused URLs, failed requests, page errors); close the page's
    context when done."""
    page, refused, failed, errors = offline.open_page(browser, page_path, server=server)
    facts = page.evaluate(CHECK_PAGE)
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    return page, facts, refused, failed, errors


def looks_problems(page, label, scheme):
    """Pair numbers over values, values over their cells' edges, widget text under 4.5:1, on the open page."""
    grids = looks.badge_and_overflow_problems(page, ".bd-article")
    contrast = looks.contrast_problems(page, ".bd-article")
    print(f"looks {label}, {scheme}: {grids['cells']} cells measured ({grids['hovered']} hovered), "
          f"{len(grids['problems'])} badge or overflow problems; {contrast['texts']} widget texts, lowest "
          f"contrast {contrast['lowest'] and round(contrast['lowest'], 2)}:1")
    return [f"{label}, {scheme}: {p}" for p in grids["problems"] + contrast["problems"]]


def check_both_schemes(page, label, axe_script, widgets=True, exclude=()):
    """axe and the looks in light mode, then in dark mode; the page is left in light mode."""
    failures = []
    for scheme in ("light", "dark"):
        offline.set_color_scheme(page, scheme)
        failures += axe.offline_violations(page, f"{label} ({scheme})", axe_script, widgets=widgets, exclude=exclude)
        if widgets:
            failures += looks_problems(page, label, scheme)
    offline.set_color_scheme(page, "light")
    return failures


# --- the tiny page ---------------------------------------------------------------------------------

def test_tiny_page_offline(tiny_site, browser, axe_script, record_hover_latency):
    """Everything rendered and typeset; the widgets carry their first state; axe on the book's page structure
    (lang, title, landmarks, the theme's buttons), its equations and the tiny grid in both colour schemes; then the
    grid and Play work with no kernel.

    For axe, ipywidgets' own slider, Play and Output of the tiny page are left out (known: Play's icon-only
    buttons have no name, a slider is named only visually, an image in an Output widget has no alt
    text); the series' widgets must not use them that way."""
    page, facts, refused, failed, errors = load(browser, tiny_site / "01_tiny.html", tiny_site / "01_tiny.png")
    try:
        text = page.inner_text(".bd-article")
        assert facts["views"] == 3 and facts["rendered"] == 3 and not facts["loading"], facts
        # two in the markdown, one displayed equation, one inside the HTMLMath widget
        assert facts["mathjax"] >= 4 and facts["mathErrors"] == 0 and facts["rawTex"] == 0, facts
        assert "\\frac" not in text and "$$" not in text

        # The ipywidgets DOM is the saved first state: classes, slider value (3, not the 7 a later cell set),
        # the matplotlib image in the Output, the Play icons.
        assert page.inner_text(".cnnlearn-explorer .widget-readout").strip() == "3"
        assert page.locator(".cnnlearn-x-0-0.cnnlearn-hl").count() == 0
        assert page.locator(".cnnlearn-explorer .widget-play button").count() >= 2
        page.wait_for_selector(".widget-output img")
        # Font Awesome 5 (the widget renderer's) loaded from the copies beside the page; the theme's Font Awesome
        # left the widgets' icon elements alone (fontawesome-config.js)
        fonts = page.evaluate("async () => { await document.fonts.ready; return [...document.fonts]"
                              ".filter(f => /Font Awesome 5/.test(f.family)).map(f => f.status); }")
        assert "loaded" in fonts, f"the Play buttons' icon font did not load: {fonts}"
        assert page.locator(".widget-play button i.fa").count() >= 2

        failures = check_both_schemes(page, "01_tiny.html", axe_script,
                                      exclude=[".cnnlearn-explorer", ".widget-play", ".widget-output"])
        assert not failures, "axe found violations:\n" + "\n".join(failures)

        grid = offline.Grid(page, ".cnnlearn-tiny", "x")
        times = latency.hover_to_highlight_ms(page, page.locator(".cnnlearn-tiny"), grid.cell(1, 1))
        record_hover_latency("tiny anywidget grid, web edition page (file://)", times)
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
        page.wait_for_function("() => document.querySelector('.cnnlearn-tiny-step').textContent === 'step 3'")
        assert refused == [] and failed == [] and errors == [], (refused, failed, errors)
    finally:
        page.context.close()


def test_tiny_index_page(tiny_site, browser, axe_script):
    _index(browser, tiny_site, axe_script, ["01_tiny.html"])


def _index(browser, site, axe_script, pages):
    """The front page: it links to every page, and axe finds nothing in either colour scheme."""
    page, refused, failed, errors = offline.open_page(browser, site / "index.html", mathjax=False)
    try:
        links = page.eval_on_selector_all(".bd-article a", "as => as.map(a => a.getAttribute('href'))")
        assert [p for p in pages if p not in links] == [], links
        failures = check_both_schemes(page, "index.html", axe_script, widgets=False)
        assert not failures, "axe found violations:\n" + "\n".join(failures)
        assert refused == [] and failed == [] and errors == [], (refused, failed, errors)
    finally:
        page.context.close()


# --- the series ------------------------------------------------------------------------------------

SERIES_GRIDS = {  # page: [(widget root, a grid of it, its shape)]
    "01_forward_pass": [("cnnlearn-stepper", "y", (2, 2))],
    "03_filter_gradient": [("cnnlearn-filter-explorer", "df", (2, 2))],
    "04_input_gradient": [("cnnlearn-explorer", "x", (3, 3)), ("cnnlearn-fullconv", "dx", (3, 3))],
    "10_im2col": [("cnnlearn-im2col", "cols", (4, 4))],
}
SERIES_STEMS = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# A word the search must find, and a page it must list for it.
SEARCH = ("im2col", "10_im2col.html")


def test_the_pages_are_the_series(series_notebooks):
    """The pages below are the notebooks of the series, and the pages the drives name are among them."""
    assert len(SERIES_STEMS) >= 9 and [p.stem for p in series_notebooks] == SERIES_STEMS
    assert set(SERIES_GRIDS) <= set(SERIES_STEMS) and "09_what_the_input_gradient_is_for" in SERIES_STEMS


def test_series_contents(series_site, browser, axe_script):
    """The front page lists every page in reading order (the core path, then the extensions), as the contents
    on the left do; axe finds nothing on it."""
    _index(browser, series_site, axe_script, [f"{stem}.html" for stem in SERIES_STEMS])
    page, refused, failed, errors = offline.open_page(browser, series_site / "index.html", mathjax=False)
    try:
        nav = page.eval_on_selector_all(".bd-sidenav a.reference", "as => as.map(a => a.getAttribute('href'))")
        order = [f"{stem}.html" for stem in series.CORE_PATH + series.EXTENSIONS]
        assert [h for h in nav if h in order] == order, nav
        captions = page.eval_on_selector_all(".bd-sidebar-primary p.caption", "ps => ps.map(p => p.innerText)")
        assert captions == ["The core path", "Extensions"], captions
    finally:
        page.context.close()


def search(page, word):
    """Search the book for ``word`` from its search page; returns the result links' targets."""
    page.wait_for_function("() => document.querySelector('#search-results') && "
                           "/Search finished|found \\\\d+ page|did not match/i.test(document.querySelector("
                           "'#search-results').innerText)")
    return page.eval_on_selector_all("#search-results ul.search li a",
                                     "as => as.map(a => a.getAttribute('href').split(/[?#]/)[0])")


def test_search_finds_a_term_from_file(series_site, browser):
    """Sphinx's search works from file://: the index is a script. (Its summaries of each hit fetch the page's
    source, which a browser does not allow from file://: they show on a server, see the next test.)"""
    page, refused = offline.offline_page(browser)
    try:
        page.goto((series_site / "search.html").resolve().as_uri() + f"?q={SEARCH[0]}")
        found = search(page, SEARCH[0])
        assert SEARCH[1] in found, found
        assert refused == [], refused
    finally:
        page.context.close()


def test_the_site_over_a_static_server(series_site, browser, record_hover_latency):
    """The same site from a static server, everything else refused: search shows its hits with their summaries,
    and notebook 04's explorer renders and answers hover."""
    with offline.StaticServer(series_site) as server:
        page, refused = offline.offline_page(browser, allowed=(server.base,))
        try:
            page.goto(server.url(series_site / "search.html") + f"?q={SEARCH[0]}")
            found = search(page, SEARCH[0])
            assert SEARCH[1] in found, found
            page.wait_for_function("() => [...document.querySelectorAll('#search-results ul.search li')]"
                                   ".some(li => /im2col/i.test(li.innerText.replace(li.querySelector('a').innerText,"
                                   " '')))")
            assert refused == [], refused
        finally:
            page.context.close()
        page, facts, refused, failed, errors = load(browser, series_site / "04_input_gradient.html", server=server)
        try:
            assert facts["rendered"] == facts["views"] > 0 and not facts["loading"], facts
            students.answer_questions(page, "body")  # a waiting question shows nothing on hover: answer it first
            grid = offline.Grid(page, ".cnnlearn-explorer", "x")
            record_hover_latency("cnnlearn-explorer, grid x, web edition page 04 (static server)",
                                 latency.hover_to_highlight_ms(page, grid.root, grid.cell(1, 1)))
            grid.hover(0, 0)
            page.wait_for_function("() => document.querySelector('.cnnlearn-explorer .cnnlearn-y-0-0.cnnlearn-hl')")
            assert refused == [] and failed == [] and errors == [], (refused, failed, errors)
        finally:
            page.context.close()


def launch_links(page):
    """Open the page's launch menu as a reader does; {name: address} of the links it shows."""
    page.get_by_role("button", name="Launch interactive content").click()
    menu = page.locator(".dropdown-launch-buttons .dropdown-menu")
    menu.locator("a").first.wait_for(state="visible")
    links = {a.inner_text().strip(): a.get_attribute("href") for a in menu.locator("a").all() if a.is_visible()}
    page.keyboard.press("Escape")
    return links


@pytest.mark.parametrize("stem", SERIES_STEMS)
def test_series_page_offline(series_site, series_notebooks, browser, axe_script, stem, record_latency,
                             record_hover_latency):
    notebook = next(p for p in series_notebooks if p.stem == stem)
    page, facts, refused, failed, errors = load(browser, series_site / f"{stem}.html", series_site / f"{stem}.png")
    try:
        nb = nbformat.read(notebook, as_version=4)
        has_math = any("$" in c.source for c in nb.cells if c.cell_type == "markdown") or any(
            "text/latex" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
        problems = []
        if refused or failed or errors:
            problems.append(f"{notebook.name}: refused {refused}, failed {failed}, errors {errors}")
        if facts["rendered"] != facts["views"] or facts["loading"]:
            problems.append(f"{notebook.name}: widgets not all rendered: {facts}")
        if facts["mathErrors"] or facts["rawTex"] or (has_math and not facts["mathjax"]):
            problems.append(f"{notebook.name}: equations not typeset: {facts}")
        assert problems == [], "\n".join(problems)

        links = launch_links(page)
        path = f"notebooks/{stem}.ipynb"
        assert set(links) == {"Binder", "Colab", "JupyterHub"}, links
        assert links["Binder"].startswith(f"https://mybinder.org/v2/gh/{series.REPOSITORY}/") \
            and links["Binder"].endswith(f"urlpath=lab/tree/{path}"), links
        assert links["Colab"] == f"https://colab.research.google.com/github/{series.REPOSITORY}/blob/" \
                                 f"{series.BRANCH}/{path}", links
        assert "/hub/user-redirect/git-pull?" in links["JupyterHub"] and re.search(
            rf"urlpath=lab/tree/{series.REPOSITORY.split('/')[1]}/{path}", links["JupyterHub"]), links

        failures = check_both_schemes(page, f"{stem}.html", axe_script)
        assert not failures, "axe or the looks found problems:\n" + "\n".join(failures)
        axe.answer_questions(page, axe_script, f"offline {stem}.html", scope="body")  # predict first, by mouse and keys
        for n, w in enumerate(network.answer_questions(page, scope="body")):  # NetworkExplorer's (notebook 07)
            w.root.evaluate("(r, n) => r.setAttribute('data-cnnlearn-axe', 'network-answered-' + n)", n)
            failure = axe.report(f"offline {stem}.html, NetworkExplorer #{n} answered",
                                 axe.run_axe(page, axe_script, [f'[data-cnnlearn-axe="network-answered-{n}"]']))
            assert not failure, failure

        for root, grid_name, shape in SERIES_GRIDS.get(stem, []):
            drive_series_grid(page, stem, root, grid_name, shape, record_hover_latency)
        if stem == "01_forward_pass":
            play_steps_the_forward_stepper(page)
        if stem == "09_what_the_input_gradient_is_for":
            net = digits_net.load(notebook.parent / digits_net.DEFAULT_FILE)  # what the export's run used
            drive_pixel_widgets(page, net, record_latency)
        assert refused == [] and errors == [], (refused, errors)
    finally:
        page.context.close()


def drive_series_grid(page, stem, root, grid_name, shape, record_hover_latency):
    """Hover lights cells up, a click pins, arrow keys move, Enter pins, with the network refused."""
    grid = offline.Grid(page, f".{root}", grid_name)
    assert grid.shape() == shape, f"{stem}: {root} grid {grid_name} has shape {grid.shape()}"
    assert page.locator(f".{root} [role=grid]").count() > 0, f"{stem}: {root} has no ARIA grid"
    times = latency.hover_to_highlight_ms(page, grid.root, grid.cell(1, 1))
    record_hover_latency(f"{root}, grid {grid_name}, web edition page {stem}.html (file://)", times)
    grid.hover(1, 1)
    assert grid.highlighted_anywhere(), f"{stem}: hovering {grid_name}22 highlighted nothing"
    page.mouse.move(0, 0)
    grid.click(0, 0)
    assert (0, 0) in grid.selected(), f"{stem}: a click did not pin {grid_name}11"
    page.keyboard.press("ArrowRight")
    assert grid.focused() == (0, 1), f"{stem}: ArrowRight did not move the focus from {grid_name}11"
    page.keyboard.press("Enter")
    assert (0, 1) in grid.selected(), f"{stem}: Enter did not pin {grid_name}12"


def play_steps_the_forward_stepper(page):
    """Notebook 01's forward stepper: Play (linked in the browser) moves the window with no kernel."""
    root = page.locator(".cnnlearn-stepper").first
    play = root.get_by_role("button", name="Play")
    assert play.count() == 1, "the forward stepper has no button named Play"
    before = offline.highlight_key(root)
    play.scroll_into_view_if_needed()
    play.click()
    page.wait_for_function("([r, k]) => { const now = [...r.querySelectorAll('.cnnlearn-hl')]"
                           ".map(e => e.className).sort().join(';'); return now !== k; }",
                           arg=[root.element_handle(), before])


def drive_pixel_widgets(page, net, record_latency):
    """Notebook 09 with no kernel: the eps slider shows every eps it was saved with (one frame each, the
    X_adv and prediction cnnlearn.saliency gives), and the drawing pad draws, erases and says that what the
    network reads needs a running notebook."""
    attack = students.Widget(page, "cnnlearn-attack", scope="body")
    pixels.check_attack(attack, net)
    record_latency("AttackExplorer, web edition page 09 (file://)", pixels.slide_latency_ms(attack), kind="slide")

    pad = students.Widget(page, "cnnlearn-drawpad", scope="body")
    pad.root.scroll_into_view_if_needed()
    status = pad.root.locator(".cnnlearn-drawpad-status")
    assert status.inner_text().startswith("The network reads"), status.inner_text()  # the saved answer
    pad.root.locator(".cnnlearn-clear").click()
    pixels.stroke(pad, [(1, 4), (6, 4)])
    assert pixels.inked(pad) == {(r, 4): 1.0 for r in range(1, 7)}, pixels.inked(pad)
    assert "No Python kernel here" in status.inner_text(), status.inner_text()
    assert pad.root.get_attribute("data-answered") != pad.root.get_attribute("data-revision")
    pixels.choose(pad, "erase")
    pixels.stroke(pad, [(6, 4)])
    assert pixels.inked(pad) == {(r, 4): 1.0 for r in range(1, 6)}, pixels.inked(pad)
