"""The code keeps the project's style: ruff (configured in pyproject.toml) finds nothing, in the package, the
tests, the benchmarks and the notebooks."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    proc = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_dw_is_the_filter_gradient_only():
    """``dw`` names dL/dF throughout (the house names x, w, b, dy, dx, dw, db); a dilation is ``dil_h, dil_w``."""
    import re
    found = [f"{p.relative_to(ROOT)}:{n}" for folder in ("cnnlearn", "tests", "benchmarks")
             for p in sorted((ROOT / folder).rglob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\(\s*dh\s*,\s*dw\s*\)\s*=|\bdw\s*=\s*[^=]*dilation", line)]
    assert not found, "dw bound to a dilation at " + ", ".join(found)
