"""The series as the teacher's tools see it, each fact in one place: the reading order of the notebooks (the core
path, then the extensions), the repository the launch links point at, the tag of cells that exist only for
the test suite, and how long each notebook takes a student working alone (:func:`study_minutes`).

The web edition (:mod:`.export`) lays out its contents from :data:`CORE_PATH` and :data:`EXTENSIONS` and builds
its launch links (Binder, Colab, a class JupyterHub) from :data:`REPOSITORY` and :data:`BRANCH`; the student
versions (:mod:`.student`) install the package from the same repository.
"""

import json
import re
from pathlib import Path

#: The notebooks every student works through, in order (file names without ``.ipynb``).
CORE_PATH = (
    "00_start_here",
    "01_forward_pass",
    "02_softmax_cross_entropy",
    "03_filter_gradient",
    "04_input_gradient",
    "05_gradient_check",
    "06_beyond_the_toy",
    "07_train_a_cnn",
)

#: The notebooks that go further, after the core path, in order.
EXTENSIONS = (
    "08_same_net_in_pytorch",
    "09_what_the_input_gradient_is_for",
    "10_im2col",
)

#: The repository's GitHub path (owner/name): a placeholder until the repository is public, as in the README's
#: Binder links and docs/teaching.md. Change it here and every launch link of the web edition follows.
REPOSITORY = "OWNER/REPO"
BRANCH = "main"
REPOSITORY_URL = f"https://github.com/{REPOSITORY}"

#: The tag of a code cell whose only job is to assert for the test suite (not an assert that teaches, such as a
#: number the prose claims): the web edition leaves such cells out, and JupyterLab shows them collapsed.
TEST_ONLY_TAG = "test-only"


def reading_order(stems):
    """``stems`` (notebook names without ``.ipynb``) sorted into the book's parts: a list of ``(caption, stems)``
    with the core path first, then the extensions, then any other notebook (by name), leaving out empty parts."""
    stems = list(stems)
    others = sorted(s for s in stems if s not in CORE_PATH and s not in EXTENSIONS)
    parts = [("The core path", [s for s in CORE_PATH if s in stems]),
             ("Extensions", [s for s in EXTENSIONS if s in stems]),
             ("More notebooks", others)]
    return [(caption, part) for caption, part in parts if part]


# ------------------------------------------------------------------------------------------ time to study

#: How long a first-year student working alone needs, by a stated rule (minutes): reading the prose at 120 words a
#: minute, half a minute for each displayed equation (in the text or printed by a cell), half a minute for each code
#: cell (run it, read what it prints) plus 6 s a line of code, 3 minutes with each widget, 1 with each figure, 2 for
#: each question to predict, and 5 minutes for each point of the exercises (a 3-point exercise takes a quarter of an
#: hour). The rule was checked against the one timed read-through of the series on record: a first-year student
#: needed 9.5-12.5 hours for 00-10 as they stood before the predictions, the capstone and the new exercises, and
#: the rule gives them 12 h 20 (740 minutes).
STUDY_RULE = {"words_per_minute": 120, "equation": 0.5, "code_cell": 0.5, "code_line": 0.1, "widget": 3,
              "figure": 1, "prediction": 2, "exercise_point": 5}

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def study_counts(path):
    """What :data:`STUDY_RULE` counts in the notebook at ``path``: ``words`` of prose (display equations left out),
    ``equations`` (``$$`` blocks and LaTeX outputs), ``code_cells``, ``code_lines`` (not blank, not comments),
    ``widgets`` and ``figures`` (outputs), ``predictions`` (cells that call a widget's ``predict_...``) and
    ``exercise_points`` (the autograder cells' points)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    n = dict.fromkeys(("words", "equations", "code_cells", "code_lines", "widgets", "figures", "predictions",
                       "exercise_points"), 0)
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            n["equations"] += text.count("$$") // 2
            n["words"] += len(re.findall(r"[A-Za-z0-9]+", re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)))
        elif cell["cell_type"] == "code":
            n["code_cells"] += 1
            n["code_lines"] += sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))
            points = re.search(r"nbgrader, (\d+) points?", text)
            n["exercise_points"] += int(points.group(1)) if points else 0
            n["predictions"] += bool(re.search(r"\.predict_\w+\(", text))
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                n["widgets"] += _WIDGET_VIEW in data
                n["figures"] += "image/png" in data or "image/svg+xml" in data
                n["equations"] += "text/latex" in data
    return n


def study_minutes(path):
    """The minutes :data:`STUDY_RULE` gives the notebook at ``path``, rounded to 5."""
    n, r = study_counts(path), STUDY_RULE
    minutes = (n["words"] / r["words_per_minute"] + r["equation"] * n["equations"] + r["code_cell"] * n["code_cells"]
               + r["code_line"] * n["code_lines"] + r["widget"] * n["widgets"] + r["figure"] * n["figures"]
               + r["prediction"] * n["predictions"] + r["exercise_point"] * n["exercise_points"])
    return int(5 * round(minutes / 5))
