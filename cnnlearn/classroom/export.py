"""The web edition: the series as a Jupyter Book 1 site whose widgets stay live with no kernel and no network.

Usage (``python -m cnnlearn.export`` takes the same arguments)::

    cnnlearn export OUTDIR [--notebooks notebooks/] [--no-execute] [--hub URL]

Every notebook is executed in a fresh kernel by :func:`execute` (each widget saved in its first state, as it was
right after the cell that created it), then Jupyter Book 1 builds the site with its own execution off: one page
per notebook, the contents on the left in reading order (:mod:`.series`: the core path, then the extensions),
the page's contents on the right, previous/next links, full-text search, a launch menu per page (Binder, Colab,
a class JupyterHub through nbgitpuller, all pointing at :data:`.series.REPOSITORY`), the page's ``.ipynb`` to
download, and a light/dark switch. Cells tagged :data:`.series.TEST_ONLY_TAG` are left out of the pages.

The pages load require.js, the widget renderer (the AMD build of ``@jupyter-widgets/html-manager``), anywidget's
front end and MathJax 2 from the copies vendored in ``cnnlearn/classroom/static/`` (see ``VENDORED.md``
there), written to ``OUTDIR/_static/``; no page asks a CDN for anything, and the site works from ``file://``.
The widgets answer hover, click and keyboard, and widgets linked in the browser (``jslink``, such as a Play
button driving a stepper) keep moving; what needs Python (a slider that recomputes) does nothing there.
``--no-execute`` builds from the outputs and widget state saved in the notebooks instead.

``OUTDIR/index.html`` is the front page. The book's source (the executed notebooks, its configuration) and
Sphinx's cache go to a temporary folder, or to ``--build-dir DIR``, which a later build reuses: there a build
with nothing changed rewrites nothing (with ``--no-execute``; executing gives every notebook new widget ids).
"""

import copy
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import nbformat

from . import series

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TITLE = "cnnlearn: backpropagation through a convolution"
HUB_PLACEHOLDER = "https://HUB"  # the class hub's address, as docs/teaching.md writes it
VENDORED = ("requirejs", "html-manager", "anywidget", "mathjax")  # folders of static/, copied to OUTDIR/_static/
# embed-amd.js asks for the Font Awesome files (the Play widget's icons) relative to the page, in these two
# folders; a copy in each keeps the icons from failing silently.
FONT_DIRS = ("@jupyter-widgets/html-manager/dist", "@jupyter-widgets")
# Myst-NB's tag for a cell left out of the page, given to every test-only cell of the book's copy.
REMOVE_TAG = "remove-cell"
_REMOTE = re.compile(r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?"""
                     r"""(?:https?:)?//""", re.I)


def static_files():
    """The vendored assets inside the installed package (a Traversable folder)."""
    return resources.files(__package__) / "static"


def book_files():
    """The web edition's own files (a Traversable folder): ``static/`` (the require.js configuration, the style
    sheet), ``templates/`` (the theme's components it replaces)."""
    return resources.files(__package__) / "book"


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
            f"the Python package anywidget is version {installed}, but the web edition vendors anywidget's "
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


def check_widget_state(nb):
    """Raise ValueError unless the widgets ``nb`` shows can render from its saved state with the vendored front end."""
    if shows_widgets(nb) and WIDGET_STATE not in nb.metadata.get("widgets", {}):
        raise ValueError("the notebook shows widgets but carries no widget state: execute it first "
                         "(cnnlearn export executes unless told --no-execute)")
    vendored = vendored_anywidget_version()
    for module, version in _state_modules(nb):
        if module == "anywidget" and version not in (vendored, f"~{vendored.rsplit('.', 1)[0]}.*"):
            raise ValueError(f"the notebook's widget state asks for anywidget {version}, but the web edition "
                             f"vendors anywidget's front end {vendored}: run the notebook again with "
                             f"anywidget=={vendored} (cnnlearn export executes it)")


def hide_test_only(nb):
    """Tag every cell tagged :data:`.series.TEST_ONLY_TAG` for removal from its page; returns how many there are."""
    hidden = 0
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if series.TEST_ONLY_TAG in tags:
            hidden += 1
            if REMOVE_TAG not in tags:
                cell.metadata["tags"] = [*tags, REMOVE_TAG]
    return hidden


def title_of(nb, fallback):
    """The notebook's first level-1 heading, or ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


# --------------------------------------------------------------------------- the book's source

INDEX_TEXT = ("The notebooks as they ran, widgets included, with no server behind them. Hover over, click "
              "or tab to the cells of a grid and it answers; Play buttons step their animations. Each widget "
              "starts as it was right after the cell that created it; controls that need Python to recompute "
              "(such as a slider that changes the filter size) do so only in Jupyter: every page's launch "
              "menu opens its notebook on Binder, Colab or your class's JupyterHub.")


def index_md(parts, titles):
    """The book's front page: :data:`INDEX_TEXT` and the notebooks, part by part."""
    lines = ["# How to read this book", "", INDEX_TEXT, ""]
    for caption, stems in parts:
        lines += [f"## {caption}", ""]
        lines += [f"{k}. [{titles[stem]}]({stem}.ipynb)" for k, stem in enumerate(stems, 1)]
        lines.append("")
    return "\n".join(lines)


def toc(parts):
    """Jupyter Book's ``_toc.yml`` (as a dict): the front page, then one captioned part per reading-order part."""
    return {"format": "jb-book", "root": "index",
            "parts": [{"caption": caption, "chapters": [{"file": stem} for stem in stems]}
                      for caption, stems in parts]}


def widget_scripts():
    """Myst-NB's ``nb_ipywidgets_js``: what a page with widgets loads, in order, all from ``_static/``.

    The setting replaces Myst-NB's CDN list completely. The first script keeps the theme's Font Awesome from taking
    away the icon elements ipywidgets changes; the second configures require.js (where anywidget's front end is)
    before require.js loads; the html-manager's CDN fallback points at a folder that does not exist, so a module it
    cannot find fails here instead of going to the network."""
    return {"cnnlearn/fontawesome-config.js": {},
            "cnnlearn/require-config.js": {},
            "requirejs/require.js": {},
            "html-manager/embed-amd.js": {"data-jupyter-widgets-cdn": "./no-cdn/"}}


def config(hub=HUB_PLACEHOLDER):
    """Jupyter Book's ``_config.yml`` (as a dict)."""
    return {
        "title": TITLE,
        "author": "the cnnlearn series",
        "copyright": "",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},  # executed by cnnlearn's own executor: widgets in their first state
        "parse": {"myst_enable_extensions": ["colon_fence", "dollarmath", "amsmath"]},
        "html": {"use_repository_button": False, "use_issues_button": False, "use_edit_page_button": False,
                 "use_multitoc_numbering": False, "home_page_in_navbar": True},
        "launch_buttons": {"notebook_interface": "jupyterlab", "binderhub_url": "https://mybinder.org",
                           "colab_url": "https://colab.research.google.com", "jupyterhub_url": hub,
                           "thebe": False},
        "repository": {"url": series.REPOSITORY_URL, "path_to_book": "notebooks", "branch": series.BRANCH},
        "sphinx": {"config": {
            # Jupyter Book's list without sphinx-thebe (it declares its configuration twice on a page, an error in
            # the console, for a live-code button this edition does not offer) and intersphinx
            "extensions": ["sphinx_togglebutton", "sphinx_copybutton", "myst_nb", "jupyter_book", "sphinx_comments",
                           "sphinx_external_toc", "sphinx_design", "sphinx_book_theme", "cnnlearn.classroom.bookext"],
            "html_static_path": ["_vendored"],  # not "_static": Jupyter Book adds every .js there to every page
            "html_extra_path": ["_extra"],
            "templates_path": ["_templates"],
            "html_css_files": ["cnnlearn/book.css"],
            "html_show_sphinx": False,
            "nb_ipywidgets_js": widget_scripts(),
            # MathJax 2 (the widgets typeset with its API), with SVG output: no web fonts, works from file://
            "mathjax_path": "mathjax/MathJax.js?config=TeX-AMS_SVG-full",
            # The page's text is typeset where MyST marked it as maths (class "math": MathJax 2 would skip it without
            # processClass and ignoreClass); the widgets typeset their own equations, written with $ and $$.
            "myst_update_mathjax": False,  # MyST's settings are for MathJax 3, and would make Sphinx defer MathJax 2
            "mathjax2_config": {"tex2jax": {
                "inlineMath": [["$", "$"], ["\\(", "\\)"]], "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
                "processEscapes": True, "processRefs": False, "processEnvironments": False,
                "processClass": "tex2jax_process|mathjax_process|math|output_area",
                "ignoreClass": "tex2jax_ignore|mathjax_ignore|document"}},
            "suppress_warnings": ["myst.domains", "mystnb.unknown_mime_type"],
        }},
    }


def _write(path, text):
    """Write ``text`` to ``path`` unless it holds it already (an unchanged file keeps its time: Sphinx skips it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _sync_tree(src, dst, ignore=()):
    """Make the folder ``dst`` a copy of the Traversable folder ``src``, rewriting only files that differ."""
    dst.mkdir(parents=True, exist_ok=True)
    keep = set()
    for item in src.iterdir():
        if item.name in ignore or item.name == "__pycache__":
            continue
        keep.add(item.name)
        target = dst / item.name
        if item.is_dir():
            _sync_tree(item, target)
        else:
            data = item.read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                target.write_bytes(data)
    for stale in set(p.name for p in dst.iterdir()) - keep:
        shutil.rmtree(dst / stale) if (dst / stale).is_dir() else (dst / stale).unlink()


def write_source(source, notebooks, hub=HUB_PLACEHOLDER):
    """Write the book's source to the folder ``source``: its configuration, the front page, the notebooks
    (``{stem: NotebookNode}``, already executed) and the assets. Returns the reading-order parts."""
    titles = {stem: title_of(nb, stem) for stem, nb in notebooks.items()}
    parts = series.reading_order(notebooks)
    # written as JSON, which YAML reads as it is
    _write(source / "_config.yml", json.dumps(config(hub), indent=1) + "\n")
    _write(source / "_toc.yml", json.dumps(toc(parts), indent=1) + "\n")
    _write(source / "index.md", index_md(parts, titles))
    for stem, nb in notebooks.items():
        _write(source / f"{stem}.ipynb", nbformat.writes(nb))
    for stale in source.glob("*.ipynb"):
        if stale.stem not in notebooks:
            stale.unlink()
    vendored = source / "_vendored"
    with resources.as_file(static_files()) as static:
        for name in VENDORED:
            _sync_tree(Path(static) / name, vendored / name)
        fonts = sorted(Path(static).joinpath("html-manager").glob("*.woff2"))
        for folder in FONT_DIRS:
            for font in fonts:
                _write_bytes(source / "_extra" / folder / font.name, font.read_bytes())
    _sync_tree(book_files() / "static", vendored / "cnnlearn")
    _sync_tree(book_files() / "templates", source / "_templates")
    return parts


def _write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def build(source, html, doctrees, log=print):
    """Build the book in ``source`` to HTML in ``html`` (Jupyter Book 1 through Sphinx, in a process of its own:
    see :mod:`.bookext`). Myst-NB writes the notebooks' images beside ``html``, in ``../jupyter_execute``."""
    proc = subprocess.run([sys.executable, "-m", f"{__package__}.bookext", str(source), str(html), str(doctrees)],
                          capture_output=True, text=True)
    for line in proc.stderr.splitlines():
        if "WARNING" in line or "ERROR" in line:
            log(line)
    if proc.returncode != 0:
        raise RuntimeError(f"Jupyter Book could not build the site:\n{(proc.stdout + proc.stderr)[-3000:]}")


MANIFEST = ".cnnlearn-site"  # in OUTDIR: the files the last build wrote there


def sync(src, dst):
    """Make the folder ``dst`` hold what ``src`` holds, copying only files whose bytes differ (an unchanged page
    keeps its time). Files an earlier build wrote to ``dst`` (its manifest) and ``src`` no longer has are removed;
    nothing else in ``dst`` is touched. Returns how many files were copied."""
    dst.mkdir(parents=True, exist_ok=True)
    manifest = dst / MANIFEST
    before = set(manifest.read_text(encoding="utf-8").splitlines()) if manifest.is_file() else set()
    files = sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file())
    copied = 0
    for rel in files:
        path, target = src / rel, dst / rel
        if not target.is_file() or target.stat().st_size != path.stat().st_size \
                or target.read_bytes() != path.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied += 1
    for rel in sorted(before - set(files)):
        stale = dst / rel
        if stale.is_file():
            stale.unlink()
    _write(manifest, "\n".join(files) + "\n")
    return copied


def check_offline(outdir):
    """Raise RuntimeError if a page of the site loads anything from another host."""
    for page in sorted(Path(outdir).rglob("*.html")):
        remote = _REMOTE.search(page.read_text(encoding="utf-8", errors="replace"))
        if remote:
            raise RuntimeError(f"{page} still loads something from the network: {remote.group(0)!r}")


def export(outdir, notebooks="notebooks", run=True, log=print, hub=HUB_PLACEHOLDER, build_dir=None):
    """Build the web edition of every notebook in ``notebooks`` (folder or files) in ``outdir``.

    ``build_dir``: where the book's source and Sphinx's cache go (kept for the next build); a temporary
    folder if None. Returns the list of (notebook, page) paths written.
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
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"no such notebook: {', '.join(missing)}")
    check_anywidget_version()
    try:
        import jupyter_book  # noqa: F401  (the build needs it; say so before executing anything)
    except ImportError:
        raise RuntimeError("the web edition is built by Jupyter Book 1, which is not installed here: "
                           'pip install "cnnlearn[classroom]"') from None
    outdir = Path(outdir).resolve()
    if build_dir is not None and outdir in (b := Path(build_dir).resolve(), *b.parents):
        raise ValueError(f"the build folder {str(build_dir)!r} must not be inside the site's folder {str(outdir)!r}")
    executed = {}
    for path in paths:
        t0 = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        if run:
            execute(nb, path.parent.resolve())
        try:
            check_widget_state(nb)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        hidden = hide_test_only(nb)
        executed[path.stem] = nb
        cells = "cell" if hidden == 1 else "cells"
        log(f"{path}: {'executed' if run else 'as saved'}, {hidden} test-only {cells} left out "
            f"({time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cnnlearn-book-") as tmp:
        work = Path(build_dir) if build_dir is not None else Path(tmp)
        write_source(work / "source", executed, hub)
        build(work / "source", work / "html", work / "doctrees", log=log)
        check_offline(work / "html")
        sync(work / "html", outdir)
    log(f"{outdir / 'index.html'}: the book ({time.perf_counter() - t0:.1f} s)")
    return [(path, outdir / f"{path.stem}.html") for path in paths]


DESCRIPTION = ("Build the web edition: every notebook as a page of a Jupyter Book site that works offline, "
               "widgets and equations included.")


def add_arguments(parser):
    """The command line's arguments (``cnnlearn export`` and ``python -m cnnlearn.export``)."""
    parser.add_argument("outdir", help="folder for the site (created if missing)")
    parser.add_argument("--notebooks", default="notebooks", help="folder of notebooks (default: notebooks)")
    parser.add_argument("--no-execute", dest="execute", action="store_false",
                        help="use the outputs and widget state saved in the notebooks instead of running them")
    parser.add_argument("--hub", default=HUB_PLACEHOLDER,
                        help=f"your class JupyterHub's address, for the launch menu (default: {HUB_PLACEHOLDER})")
    parser.add_argument("--build-dir", help="folder for the book's source and Sphinx's cache, kept so that the next "
                                            "build redoes only what changed (default: a temporary folder)")


def run(args, parser):
    """Carry out the parsed command line; returns the exit code."""
    try:
        export(args.outdir, args.notebooks, run=args.execute, hub=args.hub, build_dir=args.build_dir)
    except (OSError, ValueError, RuntimeError) as exc:
        parser.exit(2, f"error: {exc}\n")
    return 0

