"""``python -m cnnlearn.grading``, the same as ``cnnlearn grading``: the tool is :mod:`cnnlearn.classroom.grading`."""

import sys

from .classroom.cli import main

if __name__ == "__main__":
    sys.exit(main(["grading", *sys.argv[1:]], prog="python -m cnnlearn.grading"))
