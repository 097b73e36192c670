"""The series as the teacher's tools see it, each fact in one place: the reading order of the notebooks (the core
path, then the extensions), the repository the launch links point at, and the tag of cells that exist only for
the test suite.

The web edition (:mod:`.export`) lays out its contents from :data:`CORE_PATH` and :data:`EXTENSIONS` and builds
its launch links (Binder, Colab, a class JupyterHub) from :data:`REPOSITORY` and :data:`BRANCH`; the student
versions (:mod:`.student`) install the package from the same repository.
"""

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
