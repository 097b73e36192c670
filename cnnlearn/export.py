"""``python -m cnnlearn.export``, the same as ``cnnlearn export``: the tool is :mod:`cnnlearn.classroom.export`."""

import sys

from .classroom.cli import main

if __name__ == "__main__":
    sys.exit(main(["export", *sys.argv[1:]], prog="python -m cnnlearn.export"))
