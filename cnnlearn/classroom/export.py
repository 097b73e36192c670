"""The offline HTML edition: every notebook as a web page that works with no network.

Usage (``python -m cnnlearn.export`` takes the same arguments)::

    cnnlearn export OUTDIR [--notebooks notebooks/] [--no-execute]

Each notebook is executed in a fresh kernel (nbclient, which saves the widget state in the
notebook's metadata) and rendered by nbconvert's HTMLExporter with the ``lab`` template. The
pages load require.js, the widget renderer (the AMD build of ``@jupyter-widgets/html-manager``),
anywidget's front end and MathJax from the copies vendored in ``cnnlearn/classroom/static/`` (see
``cnnlearn/classroom/static/VENDORED.md``), which are written to ``OUTDIR/static/``; no page asks a CDN for
anything. The widgets stay interactive with no kernel: each anywidget's JavaScript travels in the
saved widget state and runs in the page, so hover, click and keyboard work, and widgets linked in
the browser (``jslink``, such as a Play button driving a stepper) keep moving. Each widget starts
in its first state (as it was right after the cell that created it); what needs Python (a slider
that recomputes) does nothing without a kernel.
``OUTDIR/index.html`` lists the pages, and a link from one notebook to another points at its page.
``--no-execute`` renders the outputs and widget state saved
in the notebooks instead (the state they had when last run, as nbclient and nbconvert save it).
"""

import copy
import html
import json
import re
import shutil
import time
from importlib import resources
from pathlib import Path

import nbformat

STATIC = "static"  # folder name inside OUTDIR, also used in the pages' relative URLs
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_REMOTE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
# a relative link to another notebook (no scheme, not from the root), with an optional #anchor
_NOTEBOOK_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/)([^"#?]+)\.ipynb(#[^"]*)?"', re.I)


# embed-amd.js asks for the Font Awesome files (the Play widget's icons) relative to the page, in
# these two folders; a copy in each keeps the icons from failing silently.
FONT_DIRS = ("@jupyter-widgets/html-manager/dist", "@jupyter-widgets")


def static_files():
    """The vendored assets inside the installed package (a Traversable folder)."""
    return resources.files(__package__) / "static"


def template_dir():
    return Path(str(static_files() / "templates"))


def vendored_anywidget_version():
    """The version of anywidget's front end in ``static/anywidget`` (from its npm package.json)."""
    return json.loads((static_files() / "anywidget" / "package.json").read_text(encoding="utf-8"))["version"]


def check_anywidget_version(installed=None):
    """Fail with a clear message unless the installed Python anywidget matches the vendored front end.

    The saved widget state names the front end's version range (``~0.11.*`` for 0.11.0); a vendored
    copy of another version would load, and then misread the state, or not load at all.
    """
    vendored = vendored_anywidget_version()
    if installed is None:
        try:
            from importlib.metadata import PackageNotFoundError, version
            installed = version("anywidget")
        except PackageNotFoundError:
            return vendored  # no anywidget in this environment: no notebook can hold its widgets
    if installed != vendored:
        raise RuntimeError(
            f"the Python package anywidget is version {installed}, but the offline edition vendors anywidget's "
            f"front end {vendored} (cnnlearn/classroom/static/anywidget): install anywidget=={vendored}, or vendor "
            f"the front end of {installed} as cnnlearn/classroom/static/VENDORED.md describes")
    return vendored


def _state_modules(nb):
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return {(m.get("model_module"), m.get("model_module_version")) for m in state.values()}


def execute(nb, path, timeout=300):
    """Run ``nb`` top to bottom in a fresh python3 kernel, in ``path``.

    The widget state saved in ``nb.metadata`` is each widget's *first* state: as it was right
    after the cell that created it ran. A later cell that drives a widget (``step_to``,
    ``select``) therefore doesn't change how it looks where the notebook first shows it.
    """
    from nbclient import NotebookClient

    class FirstStateClient(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            for model_id, state in self.widget_state.items():
                self.first.setdefault(model_id, copy.deepcopy(state))
            return result

        def set_widgets_metadata(self):
            self.widget_state = {**self.widget_state, **self.first}
            super().set_widgets_metadata()

    client = FirstStateClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                              resources={"metadata": {"path": str(path)}})
    client.first = {}
    client.execute()
    return nb


def shows_widgets(nb):
    return any(WIDGET_VIEW in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


def render(nb, title=None):
    """HTML for the executed notebook ``nb``; the page loads its scripts from ``static/``."""
    from nbconvert import HTMLExporter

    if shows_widgets(nb) and WIDGET_STATE not in nb.metadata.get("widgets", {}):
        raise ValueError("the notebook shows widgets but carries no widget state: execute it first "
                         "(cnnlearn export executes unless told --no-execute)")
    vendored = vendored_anywidget_version()
    for module, version in _state_modules(nb):
        if module == "anywidget" and version not in (vendored, f"~{vendored.rsplit('.', 1)[0]}.*"):
            raise ValueError(f"the notebook's widget state asks for anywidget {version}, but the offline edition "
                             f"vendors anywidget's front end {vendored}: run the notebook again with "
                             f"anywidget=={vendored} (cnnlearn export executes it)")
    exporter = HTMLExporter(template_name="cnnlearn_offline", extra_template_basedirs=[str(template_dir())])
    body, _ = exporter.from_notebook_node(nb, resources={"cnnlearn_static": STATIC,
                                                         "metadata": {"name": title or "cnnlearn"}})
    body = page_links(body)
    remote = _REMOTE.search(body)
    if remote:
        raise RuntimeError(f"the rendered page still loads something from the network: {remote.group(0)!r}")
    return body


def page_links(body):
    """Links from one notebook to another point at its page: ``href="01_forward_pass.ipynb"`` becomes
    ``href="01_forward_pass.html"`` (anchors kept), since the edition's pages sit side by side; links to
    other sites are left alone."""
    return _NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)


def _title(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def copy_static(outdir):
    """Copy the vendored scripts (require.js, widget renderer, anywidget, MathJax) to ``outdir/static``
    and the Play widget's icon fonts to where the renderer looks for them."""
    target = Path(outdir) / STATIC
    if target.exists():
        shutil.rmtree(target)
    with resources.as_file(static_files()) as src:
        shutil.copytree(src, target, ignore=shutil.ignore_patterns("templates", "__pycache__", "*.py", "*.md"))
    for folder in FONT_DIRS:
        fonts = Path(outdir) / folder
        fonts.mkdir(parents=True, exist_ok=True)
        for font in (target / "html-manager").glob("*.woff2"):
            shutil.copy2(font, fonts / font.name)
    return target


INDEX_TEXT = ("The notebooks as they ran, widgets included, with no server behind them. Hover over, click "
              "or tab to the cells of a grid and it answers; Play buttons step their animations. Each widget "
              "starts as it was right after the cell that created it; controls that need Python to recompute "
              "(such as a slider that changes the filter size) do so only in Jupyter.")


def index_html(pages):
    """The edition's front page, listing ``pages``: (file name, title) pairs."""
    items = "\n".join(f'<li><a href="{html.escape(name)}">{html.escape(title)}</a></li>' for name, title in pages)
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>cnnlearn: offline edition</title>\n'
            # links at least 24 px high and apart (WCAG 2.2 target size)
            "<style>li { margin: 0.4em 0; } li a { display: inline-block; min-height: 24px; line-height: 24px; }"
            "</style>\n</head>\n"
            '<body style="font-family:sans-serif;max-width:40em;margin:2em auto">\n<main>\n'
            f"<h1>cnnlearn: backpropagation through a convolution</h1>\n<p>{INDEX_TEXT}</p>\n"
            f"<ol>\n{items}\n</ol>\n</main>\n</body></html>\n")


def export(outdir, notebooks="notebooks", run=True, log=print):
    """Write the offline edition of every notebook in ``notebooks`` (folder or files) to ``outdir``.

    Returns the list of (notebook, page) paths written.
    """
    if isinstance(notebooks, (str, Path)):
        src = Path(notebooks)
        if not src.is_dir():
            raise FileNotFoundError(f"notebooks must be a folder of notebooks, got {str(src)!r}")
        paths = sorted(p for p in src.glob("*.ipynb") if not p.name.startswith("."))
    else:
        paths = [Path(p) for p in notebooks]
    if not paths:
        raise FileNotFoundError(f"no notebooks to export in {notebooks!s}")
    check_anywidget_version()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    copy_static(outdir)
    pages = []
    for path in paths:
        t0 = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        if run:
            execute(nb, path.parent.resolve())
        title = _title(nb, path.stem)
        page = outdir / f"{path.stem}.html"
        page.write_text(render(nb, title), encoding="utf-8")
        pages.append((path, page, title))
        log(f"{page} ({time.perf_counter() - t0:.1f} s)")
    (outdir / "index.html").write_text(index_html([(page.name, title) for _, page, title in pages]),
                                       encoding="utf-8")
    return [(nb, page) for nb, page, _ in pages]


DESCRIPTION = "Render every notebook to an HTML page that works offline, widgets and equations included."


def add_arguments(parser):
    """The command line's arguments (``cnnlearn export`` and ``python -m cnnlearn.export``)."""
    parser.add_argument("outdir", help="folder for the pages (created if missing)")
    parser.add_argument("--notebooks", default="notebooks", help="folder of notebooks (default: notebooks)")
    parser.add_argument("--no-execute", dest="execute", action="store_false",
                        help="use the outputs and widget state saved in the notebooks instead of running them")


def run(args, parser):
    """Carry out the parsed command line; returns the exit code."""
    try:
        export(args.outdir, args.notebooks, run=args.execute)
    except (OSError, ValueError, RuntimeError) as exc:
        parser.exit(2, f"error: {exc}\n")
    return 0
