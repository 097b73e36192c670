"""Check functions for the exercises: ``cnnlearn.checks.check_<name>(answer)``.

Each takes the student's exercise function and returns a :class:`Feedback`:
a short confirmation when right, a specific hint when not, never a traceback.
"""

from ._feedback import Feedback

__all__ = ["Feedback"]
