"""``python -m cnnlearn.student``, the same as ``cnnlearn student``: the tool is :mod:`cnnlearn.classroom.student`."""

import sys

from .classroom.cli import main

if __name__ == "__main__":
    sys.exit(main(["student", *sys.argv[1:]], prog="python -m cnnlearn.student"))
