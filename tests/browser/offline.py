"""Open pages of the web edition with every request to another host refused (from file://, or from a static
server on 127.0.0.1); read and drive the series' grids on any page (web edition, JupyterLab 3 and 4, Notebook 7)
through their CSS contract.

Each page gets a browser context of its own whose router aborts every request that is not for a
``file:``, ``data:`` or ``blob:`` URL (or the static server's own address) and records it: a test asserts that
list is empty, so a page that tries to reach a remote host fails even though the request could not have
succeeded.
"""

import re
from pathlib import Path

from .jupyter import PATIENCE_MS, painted

OFFLINE_SCHEMES = ("file:", "data:", "blob:")

# Done when every widget view has its DOM (html-manager puts a div.widget-subarea into the view's
# output element; anywidget's root has no .jupyter-widgets class, so any child counts).
_RENDERED = """() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
    .every(s => s.parentElement.querySelector(':scope > .widget-subarea > *'))"""


def offline_page(browser, allowed=(), color_scheme="light"):
    """A new page in its own context, with every request aborted that is not for a file or starts with one of
    ``allowed`` (a static server's address). Returns (page, refused URLs)."""
    refused = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme=color_scheme)
    context.set_default_timeout(PATIENCE_MS)
    page = context.new_page()
    allowed = OFFLINE_SCHEMES + tuple(allowed)

    def route(r):
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page, refused


def open_page(browser, page_path, timeout=PATIENCE_MS, mathjax=True, server=None):
    """Open ``page_path`` offline (from file://, or the same path from ``server``, a :class:`StaticServer` of its
    folder), wait for every widget view and (if ``mathjax``) for MathJax's queue.

    Returns (page, refused URLs, failed requests, page errors); the lists keep filling while the page
    is used. Close ``page.context`` when done."""
    page, refused = offline_page(browser, allowed=(server.base,) if server else ())
    failed, errors = [], []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server.url(page_path) if server else page_path.resolve().as_uri(), wait_until="load")
        page.wait_for_function(_RENDERED, timeout=timeout)
        if not mathjax:
            return page, refused, failed, errors
        assert page.evaluate("() => typeof MathJax !== 'undefined' && !!MathJax.Hub"), "MathJax did not load"
        page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done(true)))")
        painted(page)
    except Exception:
        page.context.close()
        raise
    return page, refused, failed, errors


class StaticServer:
    """A static HTTP server of ``folder`` on 127.0.0.1 (Python's own), in a thread; a context manager."""

    def __init__(self, folder):
        import functools
        import http.server

        self.folder = Path(folder).resolve()
        handler = functools.partial(_QuietHandler, directory=str(self.folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def url(self, path):
        return self.base + Path(path).resolve().relative_to(self.folder).as_posix()

    def __enter__(self):
        import threading

        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _quiet_handler():
    import http.server

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # the test's output stays readable
            pass
    return Handler


_QuietHandler = _quiet_handler()


def set_color_scheme(page, scheme):
    """Switch the book page to the browser's ``scheme`` ("light" or "dark"), as a reader's system setting does, and
    wait until the theme follows (pydata-sphinx-theme's ``data-theme`` on <html>), its colour transitions are
    over and the page is painted."""
    page.emulate_media(color_scheme=scheme)
    page.wait_for_function("s => document.documentElement.dataset.theme === s", arg=scheme)
    # the theme fades some colours from one scheme to the other: measure them once they arrive
    page.wait_for_function("() => !document.getAnimations().some(a => a instanceof CSSTransition "
                           "&& a.playState === 'running')")
    painted(page)


def press_play(page, play):
    """Click the play button (the first) of the Play widget locator ``play``."""
    button = play.locator("button").first
    button.scroll_into_view_if_needed()
    button.click()


def highlight_key(root):
    """The classes of the highlighted elements under the locator ``root``, as one string."""
    return root.evaluate("r => [...r.querySelectorAll('.cnnlearn-hl')]"
                         ".map(e => [...e.classList].sort().join(' ')).sort().join(';')")


class Grid:
    """Grid ``name`` (cells ``cnnlearn-<name>-<r>-<c>``, 0-based) of the first widget matching ``root``."""

    def __init__(self, page, root, name):
        self.page, self.name = page, name
        self.root = page.locator(root).first
        self.root.locator(f"[class*='cnnlearn-{name}-']").first.wait_for(timeout=PATIENCE_MS)

    def cell(self, r, c):
        return self.root.locator(f".cnnlearn-{self.name}-{r}-{c}").first

    def _cells(self, cls):
        pattern = re.compile(rf"^cnnlearn-{re.escape(self.name)}-(\d+)-(\d+)$")
        found = set()
        for classes in self.root.evaluate(
                "(r, [grid, cls]) => [...r.querySelectorAll(`[class*='cnnlearn-${grid}-']`)]"
                ".filter(e => !cls || e.classList.contains(cls)).map(e => e.className)", [self.name, cls]):
            for c in classes.split():
                m = pattern.match(c)
                if m:
                    found.add((int(m[1]), int(m[2])))
        return found

    def shape(self):
        cells = self._cells("")
        return (max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1) if cells else (0, 0)

    def highlighted(self):
        return self._cells("cnnlearn-hl")

    def selected(self):
        return self._cells("cnnlearn-sel")

    def highlighted_anywhere(self):
        """Whether any cell of any grid of the widget is highlighted."""
        return self.root.locator(".cnnlearn-hl").count() > 0

    def focused(self):
        """(r, c) of the focused cell of this grid, or None."""
        classes = self.root.evaluate("r => r.contains(document.activeElement) ? document.activeElement.className : ''")
        m = re.search(rf"\bcnnlearn-{re.escape(self.name)}-(\d+)-(\d+)\b", classes)
        return (int(m[1]), int(m[2])) if m else None

    def hover(self, r, c):
        self.cell(r, c).hover()

    def click(self, r, c):
        self.cell(r, c).click()


def drive_grid(page, grid, lights=None):
    """What every front end must do: hovering cell 22 highlights (``lights``, if given, exactly), a click
    pins cell 11, ArrowRight moves the focus to cell 12 and Enter pins it."""
    root = grid.root.element_handle()
    grid.hover(1, 1)
    page.wait_for_function("r => r.querySelector('.cnnlearn-hl')", arg=root, timeout=PATIENCE_MS)
    if lights is not None:
        assert grid.highlighted() == lights, f"hover highlighted {grid.highlighted()}, not {lights}"
    page.mouse.move(0, 0)
    grid.click(0, 0)
    page.wait_for_function(f"r => r.querySelector('.cnnlearn-{grid.name}-0-0.cnnlearn-sel')", arg=root,
                           timeout=PATIENCE_MS)
    page.keyboard.press("ArrowRight")
    assert grid.focused() == (0, 1), f"ArrowRight moved the focus to {grid.focused()}, not to cell 12"
    page.keyboard.press("Enter")
    page.wait_for_function(f"r => r.querySelector('.cnnlearn-{grid.name}-0-1.cnnlearn-sel')", arg=root,
                           timeout=PATIENCE_MS)
