"""The ``cnnlearn`` command: what a teacher runs, one subcommand per tool.

::

    cnnlearn student notebooks/ student/          # student versions (solutions out, outputs cleared)
    cnnlearn grading notebooks/                   # stamp nbgrader metadata (--check, --points-table)
    cnnlearn export site/                         # the offline HTML edition

``cnnlearn SUBCOMMAND --help`` describes each. The older forms ``python -m cnnlearn.student`` (``.grading``,
``.export``) take the same arguments. A bad argument exits with code 2 and a message that names it.
"""

import argparse
import importlib
import sys

# subcommand -> module of cnnlearn.classroom; each module has DESCRIPTION, add_arguments(parser), run(args, parser)
TOOLS = {"student": "student", "grading": "grading", "export": "export"}


CLASSROOM_EXTRA = "nbformat, nbclient and nbconvert"


def parser():
    """The argument parser of the ``cnnlearn`` command, with one subparser per tool."""
    top = argparse.ArgumentParser(prog="cnnlearn", description="The teacher's tools of the cnnlearn series.")
    subcommands = top.add_subparsers(dest="tool", metavar="SUBCOMMAND", required=True)
    for name, module_name in TOOLS.items():
        try:
            module = importlib.import_module(f"{__package__}.{module_name}")
        except ImportError as exc:  # the tools work on notebook files: they need the classroom extra
            top.exit(2, f"cnnlearn: error: the teacher's tools need {CLASSROOM_EXTRA}, and {exc.name} is not "
                        "installed: pip install \"cnnlearn[classroom]\"\n")
        sub = subcommands.add_parser(name, help=module.DESCRIPTION, description=module.DESCRIPTION)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run, subparser=sub)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    return args.run(args, args.subparser)


if __name__ == "__main__":
    sys.exit(main())
