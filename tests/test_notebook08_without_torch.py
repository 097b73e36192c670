"""Notebook 08 without PyTorch: one clear sentence, then every PyTorch cell skips itself; nothing crashes.

PyTorch is hidden from the kernel by a stand-in ``torch`` package, first on PYTHONPATH, whose import
raises ImportError, as on a machine where it is not installed.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "08_same_net_in_pytorch.ipynb"


def test_notebook_08_runs_without_torch(tmp_path):
    shim = tmp_path / "shim" / "torch"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text('raise ImportError("No module named \'torch\'")\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(shim.parent),
                                                                     os.environ.get("PYTHONPATH")])))
    out = tmp_path / "08.ipynb"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    "--ExecutePreprocessor.timeout=300", f"--output={out}", str(NOTEBOOK)],
                   check=True, env=env, capture_output=True, cwd=tmp_path)
    cells = [c for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"]
    assert all(c.execution_count for c in cells), "every cell ran"
    outputs = [o for c in cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    texts = [o.text for o in outputs if o.output_type == "stream"]
    assert len(texts) == 1 and texts[0].startswith("PyTorch is not installed, so the PyTorch cells")
    assert sum("if HAVE_TORCH:" in c.source for c in cells) >= 6  # the cells that use torch are guarded
