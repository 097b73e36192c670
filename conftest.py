"""Rules for the whole suite that concern the notebooks themselves (tests/conftest.py has the rest).

Notebook 08's saved outputs were made with PyTorch. Without it the notebook prints one sentence instead,
so strict nbval would report its cells as changed: they skip, with one reason, unless
``CNNLEARN_REQUIRE_TORCH=1`` (CI), when they fail instead. Its no-torch path has a test of its own,
``tests/test_notebook08_without_torch.py``.
"""

import importlib.util
import os
import time

import pytest

TORCH_NOTEBOOK = ("notebooks", "08_same_net_in_pytorch.ipynb")
NB08_SKIP = ("notebook 08 under nbval: PyTorch is not installed and the notebook's saved outputs were made "
             "with it (pip install torch==2.13.0; CI sets CNNLEARN_REQUIRE_TORCH=1; the notebook without "
             "PyTorch is tested by tests/test_notebook08_without_torch.py)")


def _needs_torch(item):
    return (item.path.parent.name, item.path.name) == TORCH_NOTEBOOK


def pytest_runtest_setup(item):
    if not _needs_torch(item) or importlib.util.find_spec("torch") is not None:
        return
    if os.environ.get("CNNLEARN_REQUIRE_TORCH") == "1":
        pytest.fail("CNNLEARN_REQUIRE_TORCH=1 but PyTorch is not installed, so notebook 08 cannot run "
                    "under nbval", pytrace=False)
    pytest.skip(NB08_SKIP)


# --- tiers, and the order in which files are handed out --------------------------------------------
#
# pyproject.toml runs the suite on two workers with stock ``--dist loadfile``: a file goes to one worker whole
# (a notebook's cells run in order in one kernel under nbval; a module's expensive fixtures, a venv, a hub, the
# offline edition, are built once), in collection order (``--no-loadscope-reorder``). The order is set here
# with public API only: the longest files first, so that neither worker is left with a long one at the end.
# Session fixtures are per worker, so each worker that runs browser tests has its own Chromium and its own
# Jupyter servers.
LONGEST_FIRST = (
    "tests/test_hub.py", "tests/browser/test_notebooks.py", "tests/browser/test_notebook7.py",
    "tests/test_nbgrader.py", "tests/browser/test_lab3.py", "tests/browser/test_offline.py",
    "tests/test_binder.py", "tests/test_student.py", "tests/browser/test_widgets.py",
    "tests/browser/test_harness.py", "tests/browser/test_voila.py", "tests/test_export.py",
    "notebooks/07_train_a_cnn.ipynb", "tests/test_notebook08_without_torch.py",
)

# Fixtures that start a browser or a server for one: a test that uses one belongs to the browser tier.
BROWSER_FIXTURES = {"chromium", "browser", "page", "lab", "nb7", "lab3", "gallery", "gallery_nb7"}


def pytest_collection_modifyitems(config, items):
    unmarked = [item.nodeid for item in items
                if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("browser")]
    if unmarked:
        raise pytest.UsageError("these tests drive a browser but are not marked browser, so they would run in the "
                                "fast tier: " + ", ".join(unmarked[:10]))
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable otherwise


# --- the series' run time: every notebook under nbval runs in a fresh kernel of its own --------------
#
# The budget is at most 75 s for the whole series (60 s before notebook 07's capstone). nbval runs each notebook's
# cells in order in a new kernel (its start is in the first cell's setup), so the sum of every phase of every
# notebook cell is that run time. Printed, never asserted: the machine is shared and the figure is noisy.
_NOTEBOOK_SECONDS = {}


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.startswith("notebooks/") and path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration


_START = {}


def pytest_sessionstart(session):
    _START["t"] = time.monotonic()


def pytest_terminal_summary(terminalreporter, config):
    _tier_line(terminalreporter, config)
    if not _NOTEBOOK_SECONDS:
        return
    total = sum(_NOTEBOOK_SECONDS.values())
    each = ", ".join(f"{p.split('/')[-1][:2]} {s:.1f}" for p, s in sorted(_NOTEBOOK_SECONDS.items()))
    terminalreporter.write_line(
        f"the series in fresh kernels under nbval: {total:.1f} s for {len(_NOTEBOOK_SECONDS)} notebooks "
        f"(budget 75 s; seconds each: {each})")


def _tier_line(terminalreporter, config):
    """One line: which tier ran, its wall time, and the command for the others."""
    if hasattr(config, "workerinput") or "t" not in _START:
        return
    seconds = time.monotonic() - _START["t"]
    expression = config.option.markexpr or ""
    if expression == "not browser and not integration":
        tier, rest = "the fast tier", 'the slow tiers: pytest -m "browser or integration"'
    elif expression:
        tier, rest = f"the tests marked {expression!r}", 'the fast tier: pytest'
    else:
        tier, rest = "every tier", ""
    workers = getattr(config.option, "numprocesses", None) or 0
    terminalreporter.write_line(
        f"{tier}: {int(seconds // 60)} min {seconds % 60:04.1f} s wall on "
        f"{workers or 1} {'workers' if workers else 'process'}" + (f"; {rest}" if rest else ""))
