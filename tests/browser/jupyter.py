"""Start a Jupyter server for the browser tests and drive its notebooks from Playwright.

Three front ends are covered: JupyterLab 4 (``jupyter lab``), Notebook 7 (``jupyter notebook``) and,
from a virtual environment of its own, JupyterLab 3 with ipywidgets 7.7 (the Colab-like stack). Each
runs on 127.0.0.1 with a token, in a temporary root holding copies of the notebooks with their outputs
stripped, with temporary settings, runtime and workspace folders. The page helpers work on all three:
JupyterLab 3's page differs in places (no execution indicator's status before the kernel starts, its
own menu entries), as noted where it matters.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # without playwright every browser test skips (tests/conftest.py) and nothing here runs
    PlaywrightTimeout = TimeoutError


# Pre-seeded user settings: no news toast, no update check, and every cell rendered (windowing mode
# "full" leaves off-screen cells, and the widgets in them, unrendered).
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"windowingMode": "none"},
}

# The kernels' own settings. Run All sends every cell at once and the kernel, after an error, aborts the requests
# that arrive within stop_on_error_timeout (0 s by default): on a busy machine a request can arrive later than that
# and run, so a cell after the error would run in a test that expects it not to. Each test shuts its kernels down
# (conftest.clean_kernels), so the longer window never reaches another test.
KERNEL_CONFIG = "c.Kernel.stop_on_error_timeout = 60.0\n"

# How long a wait may last before the test fails: a safety net for a page that is stuck, never the expected
# path. Every wait in these tests returns as soon as the state it needs holds (a cell's output present, a
# widget's class set, a frame drawn), so a busy machine makes the tests slower, not red.
PATIENCE_S = float(os.environ.get("CNNLEARN_BROWSER_PATIENCE", "300"))
PATIENCE_MS = int(PATIENCE_S * 1000)

# The notebook area of the page: in JupyterLab the visible notebook panel; Notebook 7 has one panel.
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def strip_outputs(src, dst):
    """Copy the notebook ``src`` to ``dst`` without outputs or execution counts."""
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)  # saved widget state would render before the kernel runs
    nbformat.write(nb, dst)


def copy_stripped(src_dir, dst_dir):
    """Copy ``src_dir`` to ``dst_dir``, every notebook in it stripped of its outputs."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    for src in sorted(Path(src_dir).iterdir()):
        if src.name.startswith(".") or src.name == "__pycache__":
            continue
        if src.is_dir():
            copy_stripped(src, dst_dir / src.name)
        elif src.suffix == ".ipynb":
            strip_outputs(src, dst_dir / src.name)
        else:
            shutil.copy2(src, dst_dir / src.name)


class ServerExited(RuntimeError):
    """The server stopped while starting (for example, another process took its port)."""


class JupyterServer:
    """A ``jupyter lab`` or ``jupyter notebook`` server in a private set of folders.

    Parameters
    ----------
    app : "lab" or "notebook"
    root : Path, the folder the server serves (its notebooks already copied in)
    home : Path, a private folder for settings, runtime files, workspaces and the log
    python : path of the Python whose Jupyter runs (default: this one); JupyterLab 3 has a venv of its own
    env : dict, extra environment variables for the server (and so its kernels)
    """

    def __init__(self, app, root, home, python=None, env=None):
        if app not in ("lab", "notebook"):
            raise ValueError(f"app must be 'lab' or 'notebook', got {app!r}")
        self.app, self.root, self.home = app, Path(root), Path(home)
        self.python, self.extra_env = str(python or sys.executable), dict(env or {})
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "server.log"
        self.proc = None

    def start(self, timeout=90):
        settings, runtime, workspaces = (self.home / d for d in ("settings", "runtime", "workspaces"))
        for name, value in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        runtime.mkdir(parents=True, exist_ok=True)
        workspaces.mkdir(parents=True, exist_ok=True)
        kernel_config = self.home / "ipython" / "profile_default" / "ipython_kernel_config.py"
        kernel_config.parent.mkdir(parents=True, exist_ok=True)
        kernel_config.write_text(KERNEL_CONFIG)
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTER_RUNTIME_DIR=str(runtime),
                   JUPYTERLAB_WORKSPACES_DIR=str(workspaces), JUPYTER_CONFIG_DIR=str(self.home / "config"),
                   IPYTHONDIR=str(self.home / "ipython"), MPLBACKEND="module://matplotlib_inline.backend_inline")
        env.update(self.extra_env)
        module = "jupyterlab" if self.app == "lab" else "notebook"
        cmd = [self.python, "-m", module, "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--port-retries=0", f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root}",
               f"--{'LabApp' if self.app == 'lab' else 'JupyterNotebookApp'}.workspaces_dir={workspaces}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._log.close()
                raise ServerExited(f"jupyter {self.app} exited with code {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                self.api("GET", "status")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"jupyter {self.app} did not answer within {timeout} s:\n" + self.log_tail())

    def stop(self):
        """Stop the server with SIGTERM (it then shuts its kernels down); kill it if it hangs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and not self._log.closed:
            self._log.close()

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"

    def api(self, method, path):
        """Call the server's REST API (``/api/<path>``) and return the decoded JSON answer, if any."""
        req = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Close every session and kernel, so that finished tests leave no kernel running."""
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}")

    def url(self, notebook, workspace):
        """The address that opens ``notebook`` (a path relative to the root) in this front end; JupyterLab
        opens it in ``workspace``, whose open tabs it remembers on the server."""
        if self.app == "lab":
            return f"{self.base}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}"
        return f"{self.base}/notebooks/{notebook}?token={self.token}"


# ---------------------------------------------------------------------------------------------------
# Pages

def save_artifacts(pg, node, folder):
    """Save the page's screenshot, HTML and console errors under ``folder`` when the test ``node`` failed."""
    rep = getattr(node, "rep_call", None)
    if rep is not None and not rep.failed:
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", node.nodeid.removeprefix("tests/browser/"))
    try:
        pg.screenshot(path=str(folder / f"{stem}.png"), full_page=True)
        (folder / f"{stem}.html").write_text(pg.content())
        (folder / f"{stem}.console.txt").write_text("\n".join(getattr(pg, "console_errors", [])))
    except Exception as exc:  # a crashed page must not hide the test's own failure
        print(f"could not save the screenshot of {stem}: {exc}")


def new_page(browser):
    """A page in a context of its own, recording console errors in ``page.console_errors``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(PATIENCE_MS)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    return pg


# Page helpers: each takes a Playwright page showing one notebook.

def painted(page):
    """Wait until the browser has painted what the page's scripts have done so far (two animation frames:
    the changes are in one frame's style and layout, then drawn)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def open_notebook(page, server, notebook, workspace=None, timeout=PATIENCE_MS):
    """Open ``notebook`` and wait until its kernel is ready.

    JupyterLab opens it in a workspace of its own (a new one unless ``workspace`` names one), so no test
    reopens the tabs, and starts the kernels, of the tests before it. The execution indicator says idle
    before the toolbar's kernel name leaves "No Kernel": wait for both.
    """
    workspace = workspace or f"t-{secrets.token_hex(4)}"
    page.goto(server.url(notebook, workspace), wait_until="domcontentloaded", timeout=timeout)
    page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell", timeout=timeout)
    page.wait_for_function(
        """(panel) => {
            const p = document.querySelector(panel);
            if (!p) return false;
            const ind = p.querySelector('.jp-Notebook-ExecutionIndicator')
                     || document.querySelector('.jp-Notebook-ExecutionIndicator');
            const name = p.querySelector('.jp-KernelName') || document.querySelector('.jp-KernelName');
            return ind && ind.getAttribute('data-status') === 'idle'
                && name && name.textContent.trim() !== '' && !/No Kernel/i.test(name.textContent);
        }""", arg=PANEL, timeout=timeout)


def accept_kernel_dialog(page):
    """JupyterLab 3 on a busy machine sometimes asks which kernel to start, the one it proposes already
    chosen (its list of kernels came late); its dialog then covers the page. Answer it as a student would."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.locator(".jp-Dialog-button.jp-mod-accept").first.click()
        dialog.first.wait_for(state="detached", timeout=PATIENCE_MS)


def run_all(page, timeout=PATIENCE_MS):
    """Run > Run All Cells from the menu, then wait until the run is over.

    The run is over when every non-empty code cell shows an execution count ``[n]`` or, after an error
    (which stops Run All), when no cell is queued any more and the kernel is idle.
    """
    for attempt in range(3):
        accept_kernel_dialog(page)
        try:
            # select the first cell, so the notebook is the current one the menu acts on (force: this
            # click only focuses the notebook, it need not wait for a prompt that keeps moving)
            prompt = page.locator(f"{PANEL} .jp-Notebook .jp-Cell .jp-InputPrompt:visible").first
            prompt.click(force=True, timeout=PATIENCE_MS)
            page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).first.click(timeout=PATIENCE_MS)
            page.locator(".lm-Menu-item:visible:not(.lm-mod-disabled)",
                         has_text=re.compile(r"^Run All Cells")).first.click(timeout=PATIENCE_MS)
            # the run has started when a prompt shows [*] or [n]
            page.wait_for_function(
                """(panel) => [...document.querySelector(panel).querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                    .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))""", arg=PANEL, timeout=PATIENCE_MS)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise AssertionError("Run > Run All Cells did not start the notebook (three tries)") from None
    page.wait_for_function(
        """(panel) => {
            const p = document.querySelector(panel);
            if (!p) return false;
            const prompts = code_cells(p).map(c => c.querySelector('.jp-InputPrompt').textContent.trim());
            const queued = prompts.some(t => t.includes('*'));
            const done = prompts.every(t => /\\[\\d+\\]/.test(t));
            const error = p.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
            const ind = p.querySelector('.jp-Notebook-ExecutionIndicator')
                     || document.querySelector('.jp-Notebook-ExecutionIndicator');
            const idle = ind && ind.getAttribute('data-status') === 'idle';
            return (done && idle) || (error && !queued && idle);
            function code_cells(p) {
                return [...p.querySelectorAll('.jp-Notebook .jp-CodeCell')]
                    .filter(c => c.querySelector('.jp-InputArea-editor').textContent.trim() !== '');
            }
        }""", arg=PANEL, timeout=timeout, polling=200)


def notebook_page(browser, server, notebook, workspace=None):
    """A new page showing ``notebook`` on ``server`` after Run All, every widget rendered; close its context
    when done."""
    page = new_page(browser)
    open_notebook(page, server, notebook, workspace=workspace)
    run_all(page)
    wait_widgets_rendered(page)
    return page


def cell_report(page):
    """One dict per code cell: its prompt, whether it is empty, and the text of its outputs."""
    return page.evaluate(
        """(panel) => [...document.querySelector(panel).querySelectorAll('.jp-Notebook .jp-CodeCell')]
            .map((c, i) => ({
                index: i,
                prompt: c.querySelector('.jp-InputPrompt').textContent.trim(),
                empty: c.querySelector('.jp-InputArea-editor').textContent.trim() === '',
                source: c.querySelector('.jp-InputArea-editor').textContent.slice(0, 200),
                outputs: [...c.querySelectorAll('.jp-OutputArea-output')].map(o => ({
                    mime: o.getAttribute('data-mime-type') || '',
                    text: o.innerText.slice(0, 2000),
                    // MathJax 3 (JupyterLab 4, Notebook 7) or MathJax 2 (JupyterLab 3)
                    typeset: o.querySelectorAll('mjx-container, .MathJax, .MathJax_SVG, .MathJax_CHTML').length,
                    math_errors: o.querySelectorAll('mjx-merror, .MathJax_Error, .merror').length,
                })),
            }))""", PANEL)


TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*\w+(Error|Exception)\b.*$|^Cell In\[\d+\]",
                       re.MULTILINE)
WIDGET_AS_TEXT = re.compile(r"^\s*\w+\((children|layout|value)=|Error displaying widget|"
                            r"model not found|Failed to load model", re.MULTILINE | re.IGNORECASE)


def problems(page):
    """What a reader of the page would call broken after Run All: tracebacks, cells that never ran,
    widgets shown as text or as an error. Empty when all is well."""
    found = []
    for cell in cell_report(page):
        head = f"code cell {cell['index']} ({cell['source'][:60]!r})"
        if not cell["empty"] and not re.fullmatch(r"\[\d+\]:?", cell["prompt"]):
            found.append(f"{head} did not run: prompt {cell['prompt']!r}")
        for out in cell["outputs"]:
            if out["mime"] == "application/vnd.jupyter.stderr" and TRACEBACK.search(out["text"]):
                found.append(f"{head} shows a traceback:\n{out['text'][:1500]}")
            elif WIDGET_AS_TEXT.search(out["text"]):
                found.append(f"{head} shows a widget as text or a widget error:\n{out['text'][:500]}")
            if out["math_errors"] or (out["mime"] == "text/latex" and not out["typeset"]):
                found.append(f"{head} shows an equation MathJax did not typeset:\n{out['text'][:300]}")
    return found


def wait_math_typeset(page, timeout=PATIENCE_MS):
    """Wait until MathJax has typeset every equation output (``display(Math(...))``) of the notebook;
    :func:`problems` then names any it could not."""
    try:
        page.wait_for_function(
            """(panel) => [...document.querySelector(panel)
                    .querySelectorAll('.jp-OutputArea-output[data-mime-type="text/latex"]')]
                .every(o => o.querySelector('mjx-container, .MathJax, .MathJax_SVG, .MathJax_CHTML'))""",
            arg=PANEL, timeout=timeout)
    except PlaywrightTimeout:
        pass


# A rendered widget view: ipywidgets' own carry .jupyter-widgets; an anywidget shown on its own (such as
# DrawingPad) has no such class, only the cnnlearn-widget class its JavaScript gives it.
WIDGET_VIEW = ":scope > .jupyter-widgets, :scope > .cnnlearn-widget"


def wait_widgets_rendered(page, timeout=PATIENCE_MS):
    """Wait until every widget output of the notebook is rendered (none says "Loading widget...")."""
    page.wait_for_function(
        """([panel, view]) => [...document.querySelector(panel).querySelectorAll('.jp-OutputArea-output')]
            .filter(o => !o.hasAttribute('data-mime-type'))
            .every(o => !/Loading widget/i.test(o.innerText)
                        && (o.querySelector(view) || /Error/.test(o.innerText)))
        """, arg=[PANEL, WIDGET_VIEW], timeout=timeout)


def widget_outputs(page):
    """How many outputs of the notebook are rendered widget views."""
    return page.evaluate(
        """([panel, view]) => [...document.querySelector(panel)
            .querySelectorAll('.jp-OutputArea-output:not([data-mime-type])')]
            .filter(o => o.querySelector(view)).length""",
        [PANEL, WIDGET_VIEW])


def set_slider(slider, value):
    """Type ``value`` into a slider's readout and press Enter, as a student would.

    ``slider`` is a locator of one ``.widget-slider``. Typing works in every front end (Notebook 7
    swallows the arrow keys on sliders, ipywidgets#3926).
    """
    readout, want = slider.locator(".widget-readout"), str(value)
    # on a busy machine the click's focus can come after the keys: type again until the readout reads right
    for _ in range(5):
        readout.click()
        readout.press("Control+A")
        readout.type(want)
        if readout.inner_text().strip() == want:
            break
    assert readout.inner_text().strip() == want, f"typing {want} into a slider's readout left {readout.inner_text()!r}"
    readout.press("Enter")


def click_slider_track(slider, fraction):
    """Click a slider's track at ``fraction`` (0 = left end, 1 = right end) of its length."""
    track = slider.locator(".noUi-target, .slider").first
    box = track.bounding_box()
    track.click(position={"x": max(1.0, min(box["width"] - 1.0, fraction * box["width"])),
                          "y": box["height"] / 2})


def slider_value(slider):
    """The number a slider's readout shows."""
    return float(slider.locator(".widget-readout").inner_text().strip().replace("\u2212", "-"))


VOILA_ERROR = re.compile(r"There was an error when executing cell|Traceback \(most recent call last\)|"
                         r"Error displaying widget|model not found", re.IGNORECASE)


def widget_views(path):
    """How many widget views the committed notebook at ``path`` displays (outputs of the widget-view type)."""
    nb = nbformat.read(path, as_version=4)
    return sum(WIDGET_VIEW_MIME in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


def open_voila(page, server, notebook, views, timeout=PATIENCE_MS):
    """Open ``notebook`` as a Voila app (the server's voila extension) and wait until its ``views`` widget
    views show (see :func:`widget_views`), or an error does.

    Voila runs every cell before it sends the page, and shows no code; a failing cell leaves
    "There was an error when executing cell" in the page.
    """
    page.goto(f"{server.base}/voila/render/{notebook}?token={server.token}", timeout=timeout)
    page.wait_for_function(
        """([view, views]) => {
            const outputs = [...document.querySelectorAll('.jp-OutputArea-output')];
            const shown = outputs.filter(o => o.querySelector(view) && !/Loading widget/i.test(o.innerText));
            return shown.length >= views || /There was an error when executing cell/i.test(document.body.innerText);
        }""", arg=[WIDGET_VIEW, views], timeout=timeout, polling=100)


def voila_problems(page):
    """Error messages and tracebacks in a Voila page; empty when all is well."""
    text = page.locator("body").inner_text()
    return [m.group(0) + ": " + text[max(0, m.start() - 200):m.end() + 300] for m in VOILA_ERROR.finditer(text)]
