"""The ``cnnlearn`` command: what a teacher runs, one subcommand per tool.

::

    cnnlearn student notebooks/ student/          # student versions (solutions out, outputs cleared)
    cnnlearn grading notebooks/                   # stamp nbgrader metadata (--check, --points-table)
    cnnlearn export site/                         # the offline HTML edition
    cnnlearn execute notebooks/04_*.ipynb         # run notebooks in place, as the series commits them

``cnnlearn SUBCOMMAND --help`` describes each. The older forms ``python -m cnnlearn.student`` (``.grading``,
``.export``) take the same arguments. A bad argument exits with code 2 and a message that names it.
"""

import argparse
import importlib
import sys

# subcommand -> module of cnnlearn.classroom; each module has DESCRIPTION, add_arguments(parser), run(args, parser)
TOOLS = {"student": "student", "grading": "grading", "export": "export", "execute": "execute"}


CLASSROOM_EXTRA = "nbformat, nbclient and Jupyter Book"

# where the parsed arguments keep the tool to run and its parser: names no tool's own argument can take
RUN, PARSER = "_cnnlearn_run", "_cnnlearn_parser"


def _tool(name, parser):
    """The module of tool ``name``; a clear exit through ``parser`` where the classroom extra is missing."""
    try:
        return importlib.import_module(f"{__package__}.{TOOLS[name]}")
    except ImportError as exc:  # the tools work on notebook files: they need the classroom extra
        parser.exit(2, f"{parser.prog}: error: the teacher's tools need {CLASSROOM_EXTRA}, and {exc.name} is not "
                       "installed: pip install \"cnnlearn[classroom]\"\n")


def parser():
    """The argument parser of the ``cnnlearn`` command, with one subparser per tool."""
    top = argparse.ArgumentParser(prog="cnnlearn", description="The teacher's tools of the cnnlearn series.")
    subcommands = top.add_subparsers(dest="tool", metavar="SUBCOMMAND", required=True)
    for name in TOOLS:
        module = _tool(name, top)
        sub = subcommands.add_parser(name, help=module.DESCRIPTION, description=module.DESCRIPTION)
        module.add_arguments(sub)
        sub.set_defaults(**{RUN: module.run, PARSER: sub})
    return top


def tool_parser(name, prog):
    """The argument parser of tool ``name`` alone, shown as ``prog`` (``python -m cnnlearn.<name>``)."""
    top = argparse.ArgumentParser(prog=prog)
    module = _tool(name, top)
    top.description = module.DESCRIPTION
    module.add_arguments(top)
    top.set_defaults(**{RUN: module.run, PARSER: top})
    return top


def main(argv=None, prog=None):
    """Run ``cnnlearn SUBCOMMAND ...`` and return the exit code. With ``prog`` (the older forms, such as
    ``python -m cnnlearn.export``), ``argv`` starts with the one tool to run, shown under that name."""
    argv = sys.argv[1:] if argv is None else list(argv)
    top = parser() if prog is None else tool_parser(argv.pop(0), prog)
    args = top.parse_args(argv)
    return getattr(args, RUN)(args, getattr(args, PARSER))


if __name__ == "__main__":
    sys.exit(main())
