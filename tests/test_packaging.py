"""The package as pip installs it: the built wheel carries the vendored files and the console script, asks for
the lesson's four dependencies only (JupyterLab and the classroom tools' needs are extras), and in a new venv it
brings no notebook server, its figures work without anywidget, and the ``cnnlearn`` command says which extra its
tools need."""

import json
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers import make_venv

ROOT = Path(__file__).resolve().parents[1]
CORE = {"numpy", "matplotlib", "ipywidgets", "anywidget"}
EXTRAS = {"lab": {"jupyterlab"}, "classroom": {"nbformat", "nbclient", "jupyter-book"}}
SERVERS = {"jupyterlab", "notebook", "jupyter-server", "nbconvert", "nbclient"}

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel built from a copy of the checkout (a build leaves build/ behind in its source folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT / "cnnlearn", src / "cnnlearn", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return next(tmp.glob("cnnlearn-*.whl"))


def _member(wheel, suffix):
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(suffix))
        return z.read(name).decode()


def test_the_wheel_carries_the_vendored_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for asset in ("cnnlearn/classroom/static/html-manager/embed-amd.js",
                  "cnnlearn/classroom/static/requirejs/require.js",
                  "cnnlearn/classroom/static/anywidget/index.js", "cnnlearn/classroom/static/anywidget/package.json",
                  "cnnlearn/classroom/static/mathjax/MathJax.js",
                  "cnnlearn/classroom/book/static/require-config.js", "cnnlearn/classroom/book/static/book.css",
                  "cnnlearn/classroom/book/static/fontawesome-config.js",
                  "cnnlearn/classroom/book/templates/theme-switcher.html",
                  "cnnlearn/widgets/grid.js", "cnnlearn/widgets/grid.css", "cnnlearn/data/digits.npz"):
        assert asset in names, asset


def test_the_wheel_keeps_notebook_servers_in_extras(wheel):
    """Unconditional requirements: the lesson's four; JupyterLab only with [lab]; nbformat, nbclient and
    Jupyter Book only with [classroom]; and the cnnlearn console script."""
    metadata = Parser().parsestr(_member(wheel, ".dist-info/METADATA"))
    plain, extra = set(), {}
    for line in metadata.get_all("Requires-Dist"):
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if req.marker is None:
            plain.add(name)
        if name == "jupyter-book":  # Jupyter Book 2 cannot build the web edition offline
            assert req.specifier.contains("1.0.4.post1") and not req.specifier.contains("2.0.0"), line
        for e in EXTRAS:
            if req.marker is not None and req.marker.evaluate({"extra": e}):
                extra.setdefault(e, set()).add(name)
    assert plain == CORE, f"cnnlearn requires {sorted(plain)} unconditionally, not only {sorted(CORE)}"
    for e, names in EXTRAS.items():
        assert names <= extra.get(e, set()), f"[{e}] asks for {sorted(extra.get(e, set()))}, not {sorted(names)}"
    assert "cnnlearn = cnnlearn.classroom.cli:main" in _member(wheel, ".dist-info/entry_points.txt")


def test_a_new_venv_gets_no_notebook_server_and_figures_need_no_anywidget(wheel, tmp_path):
    venv, env = make_venv(tmp_path, [str(wheel)])
    python = str(venv / "bin" / "python")
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json"], env=env, capture_output=True, text=True,
                            check=True).stdout
    installed = {canonicalize_name(p["name"]) for p in json.loads(listed)}
    assert CORE <= installed and not SERVERS & installed, f"pip installed {sorted(SERVERS & installed)} with cnnlearn"

    subprocess.run([python, "-m", "pip", "uninstall", "-q", "-y", "anywidget"], env=env, check=True)
    figure = ("import matplotlib; matplotlib.use('Agg'); import sys, cnnlearn, cnnlearn.viz as viz; "
              "fig = viz.plot_forward(); assert 'anywidget' not in sys.modules; print(len(fig.axes))")
    proc = subprocess.run([python, "-c", figure], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0 and int(proc.stdout) > 0, proc.stderr[-2000:]
    proc = subprocess.run([python, "-c", "import cnnlearn.widgets"], env=env, capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 1 and 'pip install "anywidget>=0.11,<0.12"' in proc.stderr, proc.stderr[-2000:]

    proc = subprocess.run([str(venv / "bin" / "cnnlearn"), "student", "notebooks/", "out/"], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and 'pip install "cnnlearn[classroom]"' in proc.stderr, proc.stderr[-2000:]
