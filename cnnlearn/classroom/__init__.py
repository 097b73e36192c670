"""The teacher's tools, apart from the lesson: student versions of the notebooks (:mod:`.student`), nbgrader
metadata and points (:mod:`.grading`), and the offline HTML edition with its vendored scripts
(:mod:`.export`, ``static/``).

They work on notebook files, so they need nbformat, nbclient and nbconvert (``pip install cnnlearn[classroom]``);
the lesson's code (the rest of ``cnnlearn``) needs none of them, and none of these modules imports it.
One command line runs them all: ``cnnlearn student|grading|export|execute`` (:mod:`.cli`); :mod:`.execute`
runs notebooks in place as the series commits them.
"""
