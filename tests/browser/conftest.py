"""Fixtures of the real-browser tests: one Chromium and one Jupyter server per front end for the session.

Without Chromium or playwright these tests skip with one line (``chromium`` fixture of tests/conftest.py);
CI sets CNNLEARN_REQUIRE_BROWSER=1, and then they fail instead. A failing test leaves a screenshot, the
page's HTML and its console errors under ``test-artifacts/browser/``.
"""

import statistics
from pathlib import Path

import pytest

from . import jupyter

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts" / "browser"
LATENCY = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def served_root(tmp_path_factory):
    """A temporary root with the notebooks copied in, outputs stripped, under ``notebooks/``."""
    root = tmp_path_factory.mktemp("jupyter-root")
    jupyter.copy_stripped(NOTEBOOKS, root / "notebooks")
    (root / "harness").mkdir()
    return root


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
    """Record a list of click-to-highlight times (ms) under a label; printed at the end of the run."""
    def record(label, times_ms):
        request.config.stash.setdefault(LATENCY, {})[label] = list(times_ms)
    return record


def pytest_terminal_summary(terminalreporter, config):
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "skipping browser tests" in str(getattr(r, "longrepr", ""))]
    if skipped:  # one line, also without -rs
        reason = skipped[0].longrepr[2] if isinstance(skipped[0].longrepr, tuple) else str(skipped[0].longrepr)
        terminalreporter.write_line(f"{len(skipped)} browser tests skipped: {reason.removeprefix('Skipped: ')}")
    for label, times in config.stash.get(LATENCY, {}).items():
        terminalreporter.write_line(
            f"click-to-highlight latency, {label}: median {statistics.median(times):.1f} ms over "
            f"{len(times)} clicks (min {min(times):.1f}, max {max(times):.1f}; goal < 100 ms)")
