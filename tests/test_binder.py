"""The Binder configuration (binder/): exact pins that agree with pyproject.toml, a configuration
repo2docker accepts, JupyterLab overrides that match JupyterLab's own settings schemas, and a fresh
environment built from binder/requirements.txt alone that runs every notebook."""

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from helpers import make_venv, run_notebooks

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the copy pip carries
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Optional extras that Binder deliberately leaves out (notebooks skip their cells without them).
OPTIONAL = {"torch"}


def read_pins(path=BINDER / "requirements.txt"):
    """binder/requirements.txt as {canonical name: Version}; every requirement line must be name==version."""
    pins = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version, (
            f"binder/requirements.txt line {number}: {line!r} is not pinned with a single =="
        )
        assert not req.marker and not req.url, f"line {number}: {line!r}: plain pins only"
        name = canonicalize_name(req.name)
        assert name not in pins, f"{req.name} is pinned twice"
        pins[name] = Version(specs[0].version)
    return pins


def pyproject_requirements(extra=None):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(d) for d in deps]


def drift(pins, requirements):
    """Messages for every pin missing from ``pins`` or outside what ``requirements`` allow."""
    problems = []
    for req in requirements:
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name} is required by pyproject.toml but not pinned in binder/requirements.txt")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"binder pins {req.name}=={pins[name]}, outside pyproject.toml's {req}")
    return problems


# --- pins -----------------------------------------------------------------------------------------

def test_every_requirement_is_an_exact_pin():
    pins = read_pins()
    assert {"numpy", "matplotlib", "ipywidgets", "jupyterlab", "ipykernel"} <= set(pins)


def test_pins_satisfy_pyproject():
    """The package, JupyterLab to open the series, and the classroom tools (a teacher may run them there)."""
    wanted = pyproject_requirements() + pyproject_requirements("lab") + pyproject_requirements("classroom")
    assert drift(read_pins(), wanted) == []


def test_a_drifting_pin_is_caught(tmp_path):
    """The drift check itself: a pin outside pyproject's range, or a missing pin, is reported."""
    pins = read_pins()
    bad = tmp_path / "requirements.txt"
    bad.write_text("".join(f"{n}=={'6.0.0' if n == 'ipywidgets' else v}\n" for n, v in pins.items()
                           if n != "matplotlib"))
    problems = drift(read_pins(bad), pyproject_requirements())
    assert any("ipywidgets==6.0.0" in p for p in problems), problems
    assert any(p.startswith("matplotlib is required") for p in problems), problems
    loose = tmp_path / "loose.txt"
    loose.write_text("numpy>=2\n")
    with pytest.raises(AssertionError, match="not pinned"):
        read_pins(loose)


def test_runtime_is_python_311():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def _imported_top_level(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _code_sources():
    for path in sorted((ROOT / "cnnlearn").rglob("*.py")):
        yield path.relative_to(ROOT), path.read_text()
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                src = "".join(cell["source"])
                # IPython magics and shell escapes are not Python.
                src = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in src.splitlines())
                yield path.relative_to(ROOT), src


def test_everything_the_package_and_notebooks_import_is_pinned():
    pins = read_pins()
    dists = importlib.metadata.packages_distributions()
    stdlib = sys.stdlib_module_names
    missing = {}
    for where, source in _code_sources():
        for module in _imported_top_level(source):
            if module in stdlib or module == "cnnlearn" or module in OPTIONAL or module.startswith("_"):
                continue
            names = {canonicalize_name(d) for d in dists.get(module, [module])}
            if not names & set(pins):
                # IPython comes with ipykernel; anything else must be pinned itself.
                if module == "IPython" and "ipykernel" in pins:
                    continue
                missing.setdefault(module, str(where))
    assert missing == {}, f"imported but not pinned in binder/requirements.txt: {missing}"


# --- JupyterLab overrides and postBuild -----------------------------------------------------------

def test_overrides_match_jupyterlab_schemas():
    overrides = json.loads((BINDER / "overrides.json").read_text())
    assert overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "defer"
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    from jupyterlab.commands import get_app_dir
    schemas = Path(get_app_dir()) / "schemas"
    for plugin, settings in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        for key in settings:
            assert key in schema["properties"], f"{plugin} has no setting {key!r}"
        jsonschema.validate({**{k: v.get("default") for k, v in schema["properties"].items()
                                if "default" in v}, **settings}, schema)


def test_postbuild_installs_without_deps_and_copies_overrides():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    text = post.read_text()
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text
    assert re.search(r"^pip install --no-deps -e \.$", text, re.M)
    assert 'cp binder/overrides.json "$settings_dir/overrides.json"' in text


# --- repo2docker ----------------------------------------------------------------------------------

@pytest.mark.integration
def test_repo2docker_accepts_the_configuration(tmp_path):
    """repo2docker --no-build writes the Dockerfile it would build (no Docker daemon involved)."""
    # next to this Python too: a venv's scripts are not on PATH unless the venv is activated
    beside = Path(sys.executable).parent / "repo2docker"
    exe = shutil.which("repo2docker") or (str(beside) if os.access(beside, os.X_OK) else None)
    assert exe, ("repo2docker not found on PATH or next to " + sys.executable +
                 ": it comes with the test extra (pip install -e '.[test]')")
    repo = tmp_path / "repo"
    shutil.copytree(BINDER, repo / "binder")
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    proc = subprocess.run([exe, "--no-build", "--debug", str(repo)], capture_output=True, text=True,
                          timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "python=3.11" in out, out[:2000]
    assert re.search(r'pip install --no-cache-dir -r "binder/requirements.txt"', out), out[-3000:]
    assert "RUN ./binder/postBuild" in out
    # binder/ wins over anything at the top level: repo2docker must not try to install the project itself.
    assert "pip install --no-cache-dir ." not in out


# --- a fresh environment from binder/requirements.txt alone runs every notebook ----------------------

@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory):
    """A virtual environment built like Binder builds it: requirements.txt, then postBuild."""
    venv, env = make_venv(tmp_path_factory.mktemp("binder"), ["-r", str(BINDER / "requirements.txt")])
    proc = subprocess.run(["bash", str(BINDER / "postBuild")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return venv, env


@pytest.mark.integration
def test_binder_environment_is_consistent(binder_venv):
    venv, env = binder_venv
    python = str(venv / "bin" / "python")
    proc = subprocess.run([python, "-m", "pip", "check"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # every pin is what got installed, and the package came in editable from this checkout
    code = ("import importlib.metadata as m, json, cnnlearn; "
            "print(json.dumps({'versions': {d.metadata['Name'].lower(): d.version for d in m.distributions()}, "
            "'cnnlearn': cnnlearn.__file__}))")
    out = json.loads(subprocess.run([python, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout)
    versions = {canonicalize_name(k): v for k, v in out["versions"].items()}
    for name, version in read_pins().items():
        assert Version(versions[name]) == version, name
    assert Path(out["cnnlearn"]).resolve().is_relative_to(ROOT)


@pytest.mark.integration
def test_binder_environment_picks_up_the_overrides(binder_venv):
    venv, env = binder_venv
    code = ("from jupyterlab.commands import get_app_dir; from jupyterlab_server.settings_utils import "
            "_get_overrides; import json; print(json.dumps(_get_overrides(get_app_dir() + '/settings')[0]))")
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    overrides = json.loads(proc.stdout)
    assert overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "defer"
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert str(venv) in subprocess.run([str(venv / "bin" / "python"), "-c", code.split(";")[0] +
                                        "; print(get_app_dir())"], env=env, capture_output=True,
                                       text=True).stdout


@pytest.mark.integration
def test_binder_environment_runs_every_notebook(binder_venv, tmp_path):
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    assert (ROOT / "notebooks" / "00_start_here.ipynb") in NOTEBOOKS, "the Binder badge opens 00_start_here"
    venv, env = binder_venv
    work = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", work)  # notebooks may write next to themselves: keep that in tmp
    # Proof that each kernel is the fresh environment's own Python, not the developer's.
    probe = "import sys, cnnlearn; print('KERNEL', sys.prefix, cnnlearn.__file__)"
    ran, _ = run_notebooks(venv, env, [work / p.name for p in NOTEBOOKS], tmp_path, probe)
    for _, first in ran:
        _, prefix, module = first.split()
        assert Path(prefix) == venv, f"kernel ran in {prefix}, not in the Binder environment {venv}"
        assert Path(module).resolve().is_relative_to(ROOT)


# --- README links ----------------------------------------------------------------------------------

BINDER_LINK = re.compile(r"https://mybinder\.org/v2/gh/(?P<repo>[^/\s]+/[^/\s]+)/(?P<ref>[^?\s]+)"
                         r"\?urlpath=lab/tree/(?P<path>notebooks/[^\s)]+\.ipynb)")


def test_readme_binder_badge_and_one_link_per_notebook():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]\[(?P<ref>[\w-]+)\]", readme)
    assert badge, "no Binder badge in README.md"
    target = re.search(rf"^\[{badge['ref']}\]: (\S+)$", readme, re.M)
    assert target and BINDER_LINK.fullmatch(target.group(1)), "the badge must open a notebook in JupyterLab"
    assert BINDER_LINK.fullmatch(target.group(1))["path"] == "notebooks/00_start_here.ipynb"
    links = list(BINDER_LINK.finditer(readme))
    assert len({(m["repo"], m["ref"]) for m in links}) == 1, "every Binder link must use the same repository"
    linked = {m["path"] for m in links}
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in linked, f"README.md has no Binder link for {path.name}"
    for path in linked:
        assert (ROOT / path).is_file(), f"README.md links {path}, which does not exist"
