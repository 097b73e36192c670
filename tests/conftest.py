"""Optional pieces of the test suite: PyTorch (a reference to compare with) and Chromium (real-browser tests).

On a laptop without them the tests that need them skip, with one clear reason. In CI, ``.ci/run`` sets
``CNNLEARN_REQUIRE_TORCH=1`` and ``CNNLEARN_REQUIRE_BROWSER=1``, and then a missing piece is a failure.

Use the session fixtures ``torch``, ``chromium`` (the path of the browser executable) and ``browser`` (a
launched headless Chromium shared by every browser test) in a test, or call
``require_torch()`` / ``require_browser()`` at the top of a test module
(``from conftest import require_torch``; they skip the whole module).
"""

import os
import shutil

import pytest
from hypothesis import settings

from cnnlearn import datasets, digits_net

# Hypothesis profiles: "fast" (the default, every change) and "thorough" (CI: .ci/run sets
# CNNLEARN_HYPOTHESIS_PROFILE=thorough). A property test states only what it needs (deadline=None is here:
# the machine is shared, so a slow example is not a failure); the number of examples comes from the profile.
settings.register_profile("fast", max_examples=25, deadline=None)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("CNNLEARN_HYPOTHESIS_PROFILE", "fast"))

TORCH_SKIP = "PyTorch not installed: skipping comparisons with torch (CI sets CNNLEARN_REQUIRE_TORCH=1)"
BROWSER_SKIP = ("Chromium or playwright not installed: skipping browser tests "
                "(CI sets CNNLEARN_REQUIRE_BROWSER=1)")


def _missing(env_var, skip_reason, detail):
    """Skip with ``skip_reason``, or fail when ``env_var`` is set to 1 (CI)."""
    if os.environ.get(env_var) == "1":
        pytest.fail(f"{env_var}=1 but {detail}", pytrace=False)
    pytest.skip(skip_reason, allow_module_level=True)


def require_torch():
    """Return the ``torch`` module; skip without it, or fail when CNNLEARN_REQUIRE_TORCH=1."""
    try:
        import torch
        return torch
    except ImportError as exc:
        error = exc
    _missing("CNNLEARN_REQUIRE_TORCH", TORCH_SKIP, f"PyTorch cannot be imported ({error})")


def require_browser():
    """Return the path of a Chromium executable usable with playwright; skip without one, or fail
    when CNNLEARN_REQUIRE_BROWSER=1."""
    path = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p and os.access(p, os.X_OK)), None)
    if path is None:
        _missing("CNNLEARN_REQUIRE_BROWSER", BROWSER_SKIP,
                 "no Chromium at /usr/bin/chromium or on PATH (install the Debian package chromium)")
    try:
        import playwright.sync_api  # noqa: F401
        return path
    except ImportError as exc:
        error = exc
    _missing("CNNLEARN_REQUIRE_BROWSER", BROWSER_SKIP, f"playwright cannot be imported ({error})")


@pytest.fixture(scope="session")
def torch():
    """The torch module (see :func:`require_torch`)."""
    return require_torch()


@pytest.fixture(scope="session")
def chromium():
    """Path of the Chromium executable (see :func:`require_browser`)."""
    return require_browser()


@pytest.fixture(scope="session")
def digits():
    """The bundled digits, ``x_train, y_train, x_test, y_test`` (``datasets.load_digits()``); do not change them."""
    return datasets.load_digits()


@pytest.fixture(scope="session")
def net(digits):
    """The digits network after two epochs of notebook 07's recipe (about a second), for tests of what the
    widgets show about a trained network, not of how well it reads; do not train it further. A test module
    that needs another network defines its own ``net``."""
    n = digits_net.build_network()
    digits_net.train(n, digits, epochs=2)
    return n


# Headless flags for this kind of machine: with no background networking Chromium makes no
# connections of its own, which the closed network would refuse.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser(chromium):
    """One headless Chromium (playwright's sync API) for the whole session.

    Playwright allows one sync session per thread, so every test that drives a browser shares this one.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


# --- the summary lines of the browser tests (here, not in tests/browser/conftest.py: under pytest-xdist only
# the controller prints the summary, and it loads this file, not the conftest files of subfolders) ---------

def pytest_terminal_summary(terminalreporter, config):
    import statistics

    from browser import latency

    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "skipping browser tests" in str(getattr(r, "longrepr", ""))
               or "skipping accessibility tests" in str(getattr(r, "longrepr", ""))]
    if skipped:  # one line, also without -rs
        reason = skipped[0].longrepr[2] if isinstance(skipped[0].longrepr, tuple) else str(skipped[0].longrepr)
        terminalreporter.write_line(f"{len(skipped)} browser tests skipped: {reason.removeprefix('Skipped: ')}")
    latencies = {}  # recorded by tests/browser/conftest.py in the test's report
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "cnnlearn-latency":
                    kind, label, times = value
                    latencies[kind, label] = times
    for (kind, label), times in sorted(latencies.items()):
        if kind == "hover":
            terminalreporter.write_line(latency.summary(label, times))
            continue
        what, events, goal = LATENCY_LINES[kind]
        terminalreporter.write_line(
            f"{what} latency, {label}: median {statistics.median(times):.1f} ms over {len(times)} {events} "
            f"(min {min(times):.1f}, max {max(times):.1f}; {goal})")


# The kinds of latency the browser tests record, besides hover (latency.summary): what is timed, the events
# counted, the goal.
LATENCY_LINES = {
    "click": ("click-to-highlight", "clicks", "goal < 100 ms"),
    "draw": ("draw-to-ink (a pen stroke reaches a pixel until that pixel is inked on screen)", "strokes",
             "goal <= 16.7 ms, one frame, no kernel"),
    "slide": ("eps-slider-to-picture (a key on the FGSM eps slider until the new eps is on screen)", "moves",
              "goal <= 16.7 ms, one frame, no kernel"),
    "answer": ("stroke-to-prediction (the end of a stroke until the network's answer for it is shown, "
               "through the kernel)", "strokes", "goal < 200 ms"),
}
