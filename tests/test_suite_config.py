"""The suite's own configuration (pyproject.toml's pytest options), run on a tiny project of its own."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.integration
def test_a_crashed_worker_fails_the_run(tmp_path):
    """A worker that dies (a segfault, the machine killing it) fails the run at once with the test's name;
    with xdist's default it would be replaced, which can hang a run (pytest-xdist#784, #1378)."""
    (tmp_path / "test_crash.py").write_text("import os\n\ndef test_fine():\n    pass\n\n"
                                            "def test_dies():\n    os._exit(1)\n")
    (tmp_path / "test_other.py").write_text("def test_one():\n    pass\n\ndef test_two():\n    pass\n")
    # the hang this guards against would show as the timeout, a safety net that a passing run never nears
    proc = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir",
                           str(tmp_path), "-p", "no:cacheprovider", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    assert "crashed while running 'test_crash.py::test_dies'" in out, out[-3000:]
    assert "replacing crashed worker" not in out.lower(), out[-3000:]
