"""The teacher's tools, apart from the lesson: student versions of the notebooks (:mod:`.student`), nbgrader
metadata and points (:mod:`.grading`), and the web edition, a Jupyter Book site with live widgets, with its
vendored scripts (:mod:`.export`, ``static/``, ``book/``). :mod:`.series` holds what they share about the series:
the reading order (the core path, then the extensions), the repository, the tag of test-only cells.

They work on notebook files, so they need nbformat, nbclient and, for the web edition, Jupyter Book 1
(``pip install cnnlearn[classroom]``); the lesson's code (the rest of ``cnnlearn``) needs none of them, and none
of these modules imports it. One command line runs them all: ``cnnlearn student|grading|export|execute``
(:mod:`.cli`); :mod:`.execute` runs notebooks in place as the series commits them.
"""
