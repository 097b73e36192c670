"""One way to run a check: run the student's function on every case, compare its answer with the right
one and with each known slip on every case, and only then word the hint.

A check is a list of :class:`Case` (what goes in, what should come out, and whatever the hints need) and
a list of :class:`Slip` (a typical wrong answer written as a program, with its hint), handed to
:func:`run_check` with the sentence for a right answer and a function that explains a wrong number.

* Something that is not a function, an untouched stub, or an argument the function changed: said at once.
* A slip is named only when the answer equals that slip's result on every case (where the slip's own code
  fails, the answer must fail with the same kind of exception) and the slip differs from the right answer
  on at least one case, so that no slip is named because it coincides with another on one example.
  A wrong shape is an outcome like any other: an uncropped padding or one gradient per example is a slip.
* Otherwise the hint is about the first case that is off: the exception raised there (blamed on sizes fixed
  in the code when an earlier case worked), a wrong shape, NaN, or the first wrong number and its formula.

Answers are compared at their own precision: a float32 answer within float32's rounding.
"""

import contextlib
import warnings

import numpy as np

from ._feedback import AnswerError, ChangedInput, NoAnswer, NotNumbers, Raised, as_numbers, call_answer, correct, hint

CHANGED = "the caller's arrays must stay as they were: build a new array instead"


class Fails:
    """What a slip gives on a case where its code raises: the answer must raise the same kind of exception."""

    def __init__(self, exc):
        self.kind = type(exc)


class Case:
    """One run of the student's function: ``args`` go in, ``right`` should come out (an array, or a
    tuple of arrays); the keywords (x, w, dy, stride ...) are kept as attributes for slips and hints."""

    def __init__(self, label, args, right, **data):
        self.label, self.args, self.right = label, tuple(args), right
        self.__dict__.update(data)


class Slip:
    """A typical wrong answer: ``value(case)`` computes it (None where it has no value, a tuple with None
    for the parts it leaves right), ``text`` is its hint, or ``text(case, answer)`` builds the hint for
    the first case the answer is wrong on."""

    def __init__(self, text, value):
        self.text, self.value = text, value

    def result(self, case):
        try:
            with quiet():
                return self.value(case)
        except Exception as exc:  # the slip's code fails here, as the student's would
            return Fails(exc)

    def say(self, case, answer):
        return self.text(case, answer) if callable(self.text) else self.text


@contextlib.contextmanager
def quiet():
    """numpy's overflow and divide warnings silenced: the hint explains instead."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def tolerance(answer, value, rtol, atol):
    """The check's tolerance for comparing ``answer`` with ``value``, widened for an answer computed in
    float32 (or float16) to its own rounding: 64 of its epsilons, relative to the largest entry of ``value``."""
    eps = np.finfo(answer.dtype).eps if answer.dtype.kind == "f" else 0.0
    if eps <= np.finfo(np.float64).eps:
        return rtol, atol
    finite = np.abs(value[np.isfinite(value)])
    scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return max(rtol, 64 * eps), max(atol, 64 * eps * scale)


def first_off(answer, right, rtol, atol):
    """The index of the first entry of ``answer`` that is not ``right``'s, at the answer's own precision."""
    r, a = tolerance(answer, np.asarray(right, dtype=float), rtol, atol)
    off = ~np.isclose(answer, right, rtol=r, atol=a) | ~np.isfinite(answer)
    return tuple(int(i) for i in np.argwhere(off)[0])


def same(answer, value, rtol, atol):
    """Whether ``answer`` (an outcome: array, tuple of arrays or AnswerError) is ``value`` (an array, a
    tuple with None for "any", :class:`Fails`, or None for "nothing to compare")."""
    if isinstance(value, Fails):
        return isinstance(answer, Raised) and type(answer.exc) is value.kind
    if value is None or isinstance(answer, AnswerError):
        return False
    if isinstance(value, tuple):
        return (isinstance(answer, tuple) and len(answer) == len(value)
                and all(v is None or same(a, v, rtol, atol) for a, v in zip(answer, value)))
    if isinstance(answer, tuple):
        return False
    value = np.asarray(value, dtype=float)
    if answer.shape != value.shape:
        return False
    r, a = tolerance(answer, value, rtol, atol)
    return bool(np.allclose(answer, value, rtol=r, atol=a, equal_nan=True))


def _differs(value, right, rtol, atol):
    if isinstance(value, Fails):
        return True
    if isinstance(value, tuple):
        return any(v is not None and _differs(v, r, rtol, atol) for v, r in zip(value, right))
    return not same(np.asarray(value, dtype=float), right, rtol, atol)


def _need(right):
    return "one number" if np.shape(right) == () else f"numbers of shape {np.shape(right)}"


def read_array(case, raw, name):
    """The default reading of an answer: real numbers of any shape (one number when the right answer is)."""
    arr = as_numbers(raw, name, need=_need(case.right))
    return arr.reshape(()) if np.shape(case.right) == () and arr.size == 1 else arr


GRADIENTS = ("dx", "dw", "db")


def read_gradients(case, raw, name):
    """The reading of a layer's backward pass that returns three gradients, ``dx, dw, db``: three arrays of
    real numbers, or the AnswerError that says what came back instead."""
    if not isinstance(raw, (tuple, list)) or len(raw) != 3:
        length = f" of length {len(raw)}" if isinstance(raw, (tuple, list)) else ""
        raise NotNumbers(f"{name} must return three arrays, dx, dw, db (in that order: return dx, dw, db); "
                         f"got {type(raw).__name__}{length}")
    for which, value in zip(GRADIENTS, raw):
        if value is None:
            raise NoAnswer(f"{name} returned None for {which}: compute it and return dx, dw, db")
    return tuple(as_numbers(value, f"{name}'s {which}") for which, value in zip(GRADIENTS, raw))


def _outcome(fn, case, name, names, read, changed):
    """The student's answer on one case, or the AnswerError that stands for it (Raised, NoAnswer,
    NotNumbers); NotCallable, NotWritten and ChangedInput are raised: they end the check at once."""
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in case.args]
    try:
        with quiet():
            raw = call_answer(fn, *copies, name=name)
    except Raised as err:
        return err
    for k, (a, c) in enumerate(zip(case.args, copies)):
        if isinstance(a, np.ndarray) and not (a.shape == np.shape(c) and np.array_equal(a, c, equal_nan=True)):
            arg = names[k] if k < len(names) else f"number {k + 1}"
            raise ChangedInput(f"{name} changed its argument {arg}; {changed}, or work on a copy "
                               f"(`{arg} = {arg}.copy()`)", arg)
    try:
        return read(case, raw, name)
    except AnswerError as err:
        return err


def _shape(answer):
    return tuple(_shape(a) for a in answer) if isinstance(answer, tuple) else answer.shape


def run_check(fn, cases, *, name, right, explain, slips=(), names=(), say="{text}", screen=None, blame=None,
              sizes=None, read=read_array, what="your answer", rtol=1e-6, atol=1e-9, changed=CHANGED):
    """Run ``fn`` on every case and return the :class:`Feedback`.

    ``right``: the sentence for a right answer. ``explain(case, answer)``: the first wrong number and its
    formula, for an answer of the right shape. ``slips``: :class:`Slip` list, tried in order; a slip's
    hint goes through ``say`` (``{label}`` is the first wrong case, ``{text}`` the hint). ``names``: the
    function's arguments, for the hint when one is changed (``changed`` says what to do instead; a copy
    of the argument always works).
    ``screen(case, answer)``: an optional sentence about an odd answer (another shape, NaN) on the first
    wrong case. ``blame(case, passed)``: what is new in a case that raised after earlier cases worked
    (default: sizes fixed in the code, read from the arguments as the code ``sizes`` shows; without it, the
    exception's own message). ``read(case, raw, name)``:
    the answer as arrays. ``what``: how a hint calls the answer ("your dx"). ``rtol``, ``atol``: the
    tolerance, widened for a float32 answer (:func:`tolerance`).
    """
    try:
        outcomes = [_outcome(fn, case, name, names, read, changed) for case in cases]
    except AnswerError as err:
        return hint(str(err))
    ok = [same(o, c.right, rtol, atol) for o, c in zip(outcomes, cases)]
    if all(ok):
        return correct(right)
    k = ok.index(False)
    case, answer, passed = cases[k], outcomes[k], cases[:k]
    for slip in slips:
        values = [slip.result(c) for c in cases]
        if (all(same(o, v, rtol, atol) for o, v in zip(outcomes, values))
                and any(_differs(v, c.right, rtol, atol) for v, c in zip(values, cases))):
            return hint(say.format(label=case.label, text=slip.say(case, answer)))
    if isinstance(answer, AnswerError):
        if isinstance(answer, Raised) and passed:
            advice = (blame(case, passed) if blame else None) or (
                f"It must work for any sizes: take them from the arguments (e.g. {sizes}) instead of writing "
                "numbers into the loops and slices" if sizes else
                f"It says: {answer.exc}. Read the message, fix the code and run both cells again")
            return hint(f"{name} works on {passed[0].label} but raised {type(answer.exc).__name__} on "
                        f"{case.label}. {advice}")
        return hint(str(answer))
    finite = all(np.isfinite(a).all() for a in (answer if isinstance(answer, tuple) else (answer,)))
    text = screen(case, answer) if screen and not (finite and _shape(answer) == _shape(case.right)) else None
    if text:
        return hint(text)
    if _shape(answer) != _shape(case.right):
        text = f"{what} for {case.label} has shape {_shape(answer)}, but it needs to be {_need(case.right)}"
        if passed and not isinstance(answer, tuple) and answer.ndim == np.ndim(case.right):
            text += (f". It worked on {passed[0].label}: take the sizes from the arrays instead of writing "
                     "them into the code, the function must work for any sizes")
        return hint(text)
    if not finite:
        return hint(f"{what} for {case.label} contains NaN or infinity")
    return hint(explain(case, answer))
