"""What a check cell shows: a short confirmation, or a hint that teaches. Never a traceback.

Every exercise in the series is a function the student completes (the nbgrader
way: the solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``),
and every check receives that function. :func:`call_answer` runs it and turns
the usual accidents, an untouched stub, an exception, into typed :class:`AnswerError`
hints; :func:`as_numbers` reads what it returned. How a check runs its cases and
words the hint is :mod:`._runner`.
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
    """A hint to show instead of a result; the subclasses say which accident it was, so that a check
    decides by type, never by reading a message."""


class NotCallable(AnswerError):
    """The check was given something other than a function."""


class NotWritten(AnswerError):
    """The exercise still raises ``NotImplementedError``: the stub is untouched."""


class Raised(AnswerError):
    """The student's code raised; ``exc`` is the exception."""

    def __init__(self, message, exc):
        super().__init__(message)
        self.exc = exc


class ChangedInput(AnswerError):
    """The student's function changed an array it was given; ``arg`` names it."""

    def __init__(self, message, arg):
        super().__init__(message)
        self.arg = arg


class NoAnswer(AnswerError):
    """The function returned None."""


class NotNumbers(AnswerError):
    """The function returned something that is not an array of real numbers (or not as many arrays as asked)."""


def call_answer(fn, *args, name="your function"):
    """Call the student's function and return its result, or raise :class:`NotCallable`,
    :class:`NotWritten` or :class:`Raised` with a hint."""
    if not callable(fn):
        raise NotCallable(f"pass the function itself to the check (without calling it), got {type(fn).__name__}")
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotWritten(f"{name} is not written yet: replace the line `raise NotImplementedError()` "
                         "with your code, run that cell, then run this check again") from None
    except Exception as exc:  # the student's code failed: explain instead of a traceback
        raise Raised(f"{name} raised {type(exc).__name__}: {exc}. Read the message, fix the code "
                     "and run both cells again", exc) from None


def as_numbers(value, name="your answer", need="real numbers"):
    """The student's value as a real array of any shape: float32 (and float16) stay float32, so that a
    check can judge them at their own precision; integers and booleans become float64. ``need`` says
    what it should have been, for the hint."""
    if value is None:
        raise NoAnswer(f"{name} returned None: did you forget a `return`?")
    try:
        arr = np.asarray(value)
        if arr.dtype.kind == "f" and arr.dtype.itemsize <= 4:
            return arr.astype(np.float32)
        if arr.dtype.kind not in "fiub":
            raise TypeError
        return arr.astype(float)
    except (TypeError, ValueError):
        raise NotNumbers(f"{name} must return {need}, got {type(value).__name__}") from None

