r"""Student versions of the notebooks: solutions removed, outputs cleared.

Usage::

    cnnlearn student notebooks/ OUTDIR          (or: python -m cnnlearn.student notebooks/ OUTDIR)

Every code-cell region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the nbgrader
markers) is replaced, markers included, by the same stub nbgrader's ``generate_assignment``
writes, at the indentation of the ``BEGIN`` line, so it works inside a function body::

    def feeds(i, j):
        # YOUR CODE HERE
        raise NotImplementedError()

Markdown cells may use the same markers; their region becomes ``YOUR ANSWER HERE``. Every output,
execution count and the saved widget state are removed, so nothing of a solution leaks through
its output. Everything else (cell ids, tags such as ``nbval-ignore-output``, any ``nbgrader`` cell
metadata) is kept, so the result can still go through nbgrader.

``--colab`` puts :data:`COLAB_CELL` first in every notebook written: on Google Colab (or any
kernel without cnnlearn) it installs the package; cnnlearn needs only numpy, matplotlib, ipywidgets and
anywidget, so Colab's own numpy, matplotlib and ipywidgets 7.x stay as they are and anywidget is added.
Where cnnlearn is installed it does nothing.
``--keep-solutions`` writes the notebooks with their solutions (and outputs), for example to
hand out Colab-ready copies of the full series.
"""

import copy
import re
from pathlib import Path

import nbformat

from .series import REPOSITORY_URL

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)


PACKAGE_URL = f"git+{REPOSITORY_URL}"  # series.REPOSITORY: a placeholder until the repository is public
COLAB_TAG = "cnnlearn-colab-setup"
COLAB_CELL = f"""\
# Google Colab (or any Python without cnnlearn): install the package first. Where it is installed
# already this does nothing. cnnlearn needs only numpy, matplotlib, ipywidgets and anywidget: Colab's
# own numpy, matplotlib and ipywidgets 7.x satisfy it and stay as they are; anywidget is added.
try:
    import cnnlearn
except ImportError:
    %pip install --quiet "cnnlearn @ {PACKAGE_URL}"
    import cnnlearn
"""


class SolutionMarkerError(ValueError):
    """A ``### BEGIN SOLUTION`` without its ``### END SOLUTION`` (or the other way round, or nested)."""


def strip_solutions(source, stub=CODE_STUB, where="cell"):
    """Return ``(new_source, n_regions)`` with every solution region of ``source`` replaced by ``stub``.

    ``stub`` lines are written at the indentation of each ``### BEGIN SOLUTION`` line.
    Raises :class:`SolutionMarkerError` (naming ``where`` and the line) for unbalanced or nested markers.
    """
    out, n, indent, start = [], 0, None, None
    for number, line in enumerate(source.splitlines(), 1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if indent is not None:
                raise SolutionMarkerError(f"{where}, line {number}: '### BEGIN SOLUTION' inside the region "
                                          f"opened on line {start}; close it with '### END SOLUTION' first")
            indent, start = begin.group("indent"), number
            out.extend(indent + s for s in stub)
        elif end:
            if indent is None:
                raise SolutionMarkerError(f"{where}, line {number}: '### END SOLUTION' without a "
                                          "'### BEGIN SOLUTION' before it")
            indent, n = None, n + 1
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise SolutionMarkerError(f"{where}, line {start}: '### BEGIN SOLUTION' is never closed by "
                                  "'### END SOLUTION'")
    text = "\n".join(out)
    return (text + "\n" if source.endswith("\n") and out else text), n


def student_notebook(nb, name="notebook"):
    """Return ``(student_nb, n_regions)``: a stripped, output-free copy of the nbformat notebook ``nb``."""
    student = nbformat.from_dict(copy.deepcopy(dict(nb)))
    total = 0
    for index, cell in enumerate(student.cells):
        where = f"{name}: cell {index}"
        if cell.cell_type == "code":
            cell.source, n = strip_solutions(cell.source, CODE_STUB, where)
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        elif cell.cell_type == "markdown":
            cell.source, n = strip_solutions(cell.source, TEXT_STUB, where)
        else:
            n = 0
        total += n
    student.metadata.pop("widgets", None)
    return student, total


def with_colab_cell(nb, package_url=PACKAGE_URL):
    """Return ``nb`` with :data:`COLAB_CELL` (installing from ``package_url``) as its first cell, once."""
    nb.cells = [c for c in nb.cells if COLAB_TAG not in c.metadata.get("tags", [])]
    cell = nbformat.v4.new_code_cell(COLAB_CELL.replace(PACKAGE_URL, package_url),
                                     metadata={"tags": [COLAB_TAG]})
    nb.cells.insert(0, cell)
    return nb


def notebooks_in(src):
    """The notebooks ``src`` names: one .ipynb file, or every .ipynb directly inside a folder, sorted."""
    src = Path(src)
    if src.is_file() and src.suffix == ".ipynb":
        return [src]
    if src.is_dir():
        found = sorted(p for p in src.glob("*.ipynb") if not p.name.startswith("."))
        if found:
            return found
        raise FileNotFoundError(f"src: no .ipynb files in {src}")
    raise FileNotFoundError(f"src must be a notebook or a folder of notebooks, got {str(src)!r}")


def write_student_versions(src, outdir, *, colab=False, keep_solutions=False, package_url=PACKAGE_URL):
    """Write the student version of every notebook in ``src`` to ``outdir``; return {path: n_regions}.

    ``colab`` puts the install cell first; ``keep_solutions`` copies the notebooks unchanged otherwise.
    """
    paths = notebooks_in(src)
    outdir = Path(outdir)
    if any(outdir.resolve() == p.parent.resolve() for p in paths):
        raise ValueError(f"outdir {str(outdir)!r} is where the notebooks are: that would overwrite "
                         "the solutions; choose another folder")
    outdir.mkdir(parents=True, exist_ok=True)
    written = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if keep_solutions:
            student, n = nb, 0
        else:
            student, n = student_notebook(nb, path.name)
        if colab:
            student = with_colab_cell(student, package_url)
        nbformat.validate(student)
        target = outdir / path.name
        nbformat.write(student, target)
        written[target] = n
    return written


DESCRIPTION = ("Write student versions of the notebooks: solution regions replaced by "
               "`raise NotImplementedError()`, outputs cleared.")


def add_arguments(parser):
    """The command line's arguments (``cnnlearn student`` and ``python -m cnnlearn.student``)."""
    parser.add_argument("src", help="a folder of notebooks (e.g. notebooks/) or one .ipynb file")
    parser.add_argument("outdir", help="folder for the student versions (created if missing)")
    parser.add_argument("--colab", action="store_true",
                        help="put a first cell in every notebook that installs cnnlearn where it is missing")
    parser.add_argument("--package-url", default=PACKAGE_URL,
                        help=f"where the --colab cell installs cnnlearn from (default: {PACKAGE_URL})")
    parser.add_argument("--keep-solutions", action="store_true",
                        help="keep the solutions and outputs (with --colab: Colab-ready full notebooks)")


def run(args, parser):
    """Carry out the parsed command line; returns the exit code."""
    try:
        written = write_student_versions(args.src, args.outdir, colab=args.colab,
                                         keep_solutions=args.keep_solutions, package_url=args.package_url)
    except (OSError, ValueError) as exc:
        parser.exit(2, f"error: {exc}\n")
    for target, n in written.items():
        extra = " (with the Colab set-up cell)" if args.colab else ""
        if args.keep_solutions:
            print(f"{target}: solutions kept{extra}")
        else:
            print(f"{target}: {n} solution region{'s' if n != 1 else ''} removed{extra}")
    return 0
