"""Fixtures of the real-browser tests: one Chromium and one Jupyter server per front end for the session.

Without Chromium or playwright these tests skip with one line (``chromium`` fixture of tests/conftest.py);
CI sets CNNLEARN_REQUIRE_BROWSER=1, and then they fail instead. A failing test leaves a screenshot, the
page's HTML and its console errors under ``test-artifacts/browser/``.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnlearn.classroom import export

from . import jupyter, tiny

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts" / "browser"
# Latencies travel with the test's report (user_properties), so that the summary at the end of the run,
# printed by tests/conftest.py in the process that reports (the controller under pytest-xdist), sees them.
LATENCY_PROPERTY = "cnnlearn-latency"


@pytest.fixture(scope="session")
def served_root(tmp_path_factory):
    """A temporary root with the notebooks copied in, outputs stripped, under ``notebooks/``."""
    root = tmp_path_factory.mktemp("jupyter-root")
    jupyter.copy_stripped(NOTEBOOKS, root / "notebooks")
    (root / "harness").mkdir()
    return root


@pytest.fixture(scope="session")
def tiny_site(tmp_path_factory):
    """The web edition of the tiny notebook (tests/browser/tiny.py), built by the command line."""
    src = tmp_path_factory.mktemp("tiny-src")
    nbformat.write(tiny.tiny_notebook(), src / "01_tiny.ipynb")
    out = tmp_path_factory.mktemp("tiny-site")
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.export", str(out), "--notebooks", str(src)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def series_notebooks():
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert found, f"no notebooks in {NOTEBOOKS}"
    return found


@pytest.fixture(scope="session")
def series_site(series_notebooks, tmp_path_factory):
    """The web edition of the whole series, every notebook executed afresh (a minute or two), built once."""
    out = tmp_path_factory.mktemp("series-site")
    export.export(out, series_notebooks, log=lambda line: None)
    return out


AXE_VERSION = "4.14.1"
AXE_SKIP = f"axe-core {AXE_VERSION} not installed and no npm to install it: skipping accessibility tests " \
           "(CI sets CNNLEARN_REQUIRE_BROWSER=1)"


@pytest.fixture(scope="session")
def axe_script(chromium):
    """Path of axe-core's ``axe.min.js`` (npm ``axe-core`` 4.14.1), installed on first use with
    ``npm install --prefix <cache>``; the cache is ``$CNNLEARN_CACHE`` or ``~/.cache/cnnlearn``.

    Without npm (and no cached copy) the accessibility tests skip with one line, or fail when
    CNNLEARN_REQUIRE_BROWSER=1."""
    from conftest import _missing

    cache = Path(os.environ.get("CNNLEARN_CACHE", Path.home() / ".cache" / "cnnlearn")) / f"axe-core-{AXE_VERSION}"
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            _missing("CNNLEARN_REQUIRE_BROWSER", AXE_SKIP, f"axe-core {AXE_VERSION} is not in {cache} and npm "
                     "is not on PATH to install it (install Node.js and npm)")
        cache.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund",
                               f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not script.is_file():
            _missing("CNNLEARN_REQUIRE_BROWSER", AXE_SKIP,
                     f"npm install axe-core@{AXE_VERSION} failed:\n{proc.stderr[-1500:]}")
    installed = json.loads((script.parent / "package.json").read_text())["version"]
    assert installed == AXE_VERSION, f"{script.parent} holds axe-core {installed}, not {AXE_VERSION}"
    return script


def _server(app, root, tmp_path_factory, attempts=3):
    for attempt in range(attempts):  # another process may take the free port before the server binds it
        try:
            server = jupyter.JupyterServer(app, root, tmp_path_factory.mktemp(f"jupyter-{app}")).start()
            break
        except jupyter.ServerExited:
            if attempt == attempts - 1:
                raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def lab(chromium, served_root, tmp_path_factory):
    """A JupyterLab 4 server on the stripped notebooks."""
    yield from _server("lab", served_root, tmp_path_factory)


@pytest.fixture(scope="session")
def nb7(chromium, served_root, tmp_path_factory):
    """A Notebook 7 server on the same stripped notebooks."""
    yield from _server("notebook", served_root, tmp_path_factory)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


@pytest.fixture
def page(browser, request):
    """A fresh browser page; on failure its screenshot and HTML are saved."""
    pg = jupyter.new_page(browser)
    yield pg
    jupyter.save_artifacts(pg, request.node, ARTIFACTS)
    pg.context.close()


@pytest.fixture
def clean_kernels(request):
    """Shut down every kernel of the servers this test used, once it is over."""
    yield
    for name in ("lab", "nb7"):
        if name in request.fixturenames:
            request.getfixturevalue(name).shutdown_kernels()


@pytest.fixture
def record_latency(request):
    """Record a list of times (ms) under a label; printed at the end of the run. ``kind``: click-to-highlight
    by default, or another kind of tests/conftest.py's LATENCY_LINES (draw, answer, slide)."""
    def record(label, times_ms, kind="click"):
        request.node.user_properties.append((LATENCY_PROPERTY, (kind, label, list(times_ms))))
    return record


@pytest.fixture
def record_hover_latency(request):
    """Record a list of hover-to-highlight times (ms, see latency.py) under a label; printed at the end."""
    def record(label, times_ms):
        request.node.user_properties.append((LATENCY_PROPERTY, ("hover", label, list(times_ms))))
    return record
