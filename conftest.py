"""Rules for the whole suite that concern the notebooks themselves (tests/conftest.py has the rest).

Notebook 08's saved outputs were made with PyTorch. Without it the notebook prints one sentence instead,
so strict nbval would report its cells as changed: they skip, with one reason, unless
``CNNLEARN_REQUIRE_TORCH=1`` (CI), when they fail instead. Its no-torch path has a test of its own,
``tests/test_notebook08_without_torch.py``.
"""

import importlib.util
import os

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


# --- two workers: which tests run together, and in which order ------------------------------------
#
# pyproject.toml runs the suite on two workers (pytest-xdist). A work unit, one file, goes to one worker
# whole: a notebook's cells run in order in one kernel (nbval), and a module's expensive fixtures (a fresh
# venv, a hub) are built once. Session fixtures are per worker, so each worker that runs browser tests has
# its own Chromium and its own Jupyter servers (playwright allows one sync session per thread, and each
# worker is a process of its own). Units are handed out longest first, in the order below, so that neither
# worker is left with a long unit at the end; everything else follows in collection order.
LONGEST_FIRST = (
    "tests/browser/test_lab3.py", "tests/test_student.py", "tests/test_nbgrader.py", "tests/test_hub.py",
    "offline edition", "tests/test_binder.py", "tests/browser/test_notebooks.py", "tests/test_export.py",
    "tests/browser/test_frontends.py", "tests/browser/test_widgets.py", "tests/browser/test_harness.py",
    "tests/browser/test_notebook7.py", "tests/browser/test_voila.py", "tests/test_notebook08_without_torch.py",
)


# Files that share an expensive session fixture run as one unit: the offline edition of the whole series
# (tests/browser/conftest.py's series_site executes every notebook) is then built once, not once per worker.
SHARED = {path: "offline edition" for path in (
    "tests/browser/test_offline_series.py", "tests/browser/test_offline.py", "tests/browser/test_accessibility.py")}


def _unit(nodeid):
    path = nodeid.split("::", 1)[0]
    return SHARED.get(path, path)


def pytest_collection_modifyitems(config, items):
    rank = {unit: n for n, unit in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_unit(item.nodeid), len(rank)))  # stable: collection order otherwise


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        """``--dist loadscope`` by file, in collection order (see pyproject.toml)."""

        def _split_scope(self, nodeid):
            return _unit(nodeid)

    return FileScheduling(config, log)


# --- the series' run time: every notebook under nbval runs in a fresh kernel of its own --------------
#
# The budget is at most 60 s for the whole series. nbval runs each notebook's cells in order in a new
# kernel (its start is in the first cell's setup), so the sum of every phase of every notebook cell is that
# run time. Printed, never asserted: the machine is shared and the figure is noisy.
_NOTEBOOK_SECONDS = {}


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.startswith("notebooks/") and path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter, config):
    if not _NOTEBOOK_SECONDS:
        return
    total = sum(_NOTEBOOK_SECONDS.values())
    each = ", ".join(f"{p.split('/')[-1][:2]} {s:.1f}" for p, s in sorted(_NOTEBOOK_SECONDS.items()))
    terminalreporter.write_line(
        f"the series in fresh kernels under nbval: {total:.1f} s for {len(_NOTEBOOK_SECONDS)} notebooks "
        f"(budget 60 s; seconds each: {each})")
