"""What a check cell shows: a short confirmation, or a hint that teaches. Never a traceback.

Every exercise in the series is a function the student completes (the nbgrader
way: the solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``),
and every check receives that function. :func:`call_answer` runs it and turns
the usual accidents, an untouched stub, an exception, a wrong shape, into hints.
"""

import html

import numpy as np


class Feedback:
    """The result of a check: ``ok`` and a ``message``; shows itself as a coloured box in a notebook."""

    def __init__(self, ok, message):
        self.ok = bool(ok)
        self.message = message

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return ("Correct: " if self.ok else "Not yet: ") + self.message

    def _repr_html_(self):
        colour, border, title = (("#e9f7ef", "#2e8b57", "Correct") if self.ok
                                 else ("#fff4e5", "#d98200", "Not yet"))
        return (f'<div class="cnnlearn-feedback" style="background:{colour};border-left:4px solid {border};'
                f'padding:6px 10px;margin:4px 0"><b>{title}:</b> {html.escape(self.message)}</div>')


def correct(message):
    """A passed check."""
    return Feedback(True, message)


def hint(message):
    """A failed check with a hint."""
    return Feedback(False, message)


class AnswerError(Exception):
    """Raised by :func:`call_answer` with the hint to show; checks return ``hint(str(err))``."""


def call_answer(fn, *args, name="your function"):
    """Call the student's function and return its result, or raise :class:`AnswerError` with a hint."""
    if not callable(fn):
        raise AnswerError(f"pass the function itself to the check (without calling it), got {type(fn).__name__}")
    try:
        return fn(*args)
    except NotImplementedError:
        raise AnswerError(f"{name} is not written yet: replace the line `raise NotImplementedError()` "
                          "with your code, run that cell, then run this check again") from None
    except Exception as exc:  # the student's code failed: explain instead of a traceback
        raise AnswerError(f"{name} raised {type(exc).__name__}: {exc}. Read the message, fix the code "
                          "and run both cells again") from None


def as_answer_array(value, shape, name="your answer"):
    """The student's value as a float array of ``shape``, or :class:`AnswerError` saying what is off."""
    shape = tuple(shape)
    need = "one number" if shape == () else f"numbers of shape {shape}"
    if value is None:
        raise AnswerError(f"{name} returned None: did you forget a `return`?")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AnswerError(f"{name} must be {need}, got {type(value).__name__}") from None
    if shape == () and arr.size == 1:
        arr = arr.reshape(())  # a one-element array is one number too
    if arr.shape != shape:
        raise AnswerError(f"{name} has shape {arr.shape}, but it needs to be {need}")
    if not np.isfinite(arr).all():
        raise AnswerError(f"{name} contains NaN or infinity")
    return arr
