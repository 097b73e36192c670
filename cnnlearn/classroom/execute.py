"""Run notebooks in place the way the series commits them: top to bottom in a fresh kernel each, every widget
saved in its first state (as it was right after the cell that made it), so strict nbval and the offline edition
see what a student first sees.

Usage::

    cnnlearn execute notebooks/04_input_gradient.ipynb [more notebooks ...]
"""

from pathlib import Path

import nbformat

from .export import execute

DESCRIPTION = ("Run notebooks in place, top to bottom in a fresh kernel each, widgets saved in their first state "
               "(how the series' notebooks are committed).")


def add_arguments(parser):
    """The command line's arguments (``cnnlearn execute``)."""
    parser.add_argument("notebooks", nargs="+", help="the .ipynb files to run and save")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default: 600)")


def run(args, parser):
    """Carry out the parsed command line; returns the exit code."""
    paths = [Path(p) for p in args.notebooks]
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.exit(2, f"{parser.prog}: error: notebooks must be .ipynb files, got {str(path)!r}\n")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            execute(nb, path.parent.resolve(), timeout=args.timeout)
        except Exception as exc:  # a failing cell: say which notebook, keep the file as it was
            parser.exit(1, f"{parser.prog}: {path} did not run through, left unchanged: {exc}\n")
        nbformat.write(nb, path)
        print(f"{path}: executed")
    return 0
