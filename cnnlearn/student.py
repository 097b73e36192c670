"""``python -m cnnlearn.student``, the same as ``cnnlearn student``: the tool is :mod:`cnnlearn.classroom.student`."""

import sys

from .classroom.student import main

if __name__ == "__main__":
    sys.exit(main())
