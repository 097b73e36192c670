"""The Sphinx side of the web edition (:mod:`.export`).

As a Sphinx extension (the book's configuration lists it): every page loads MathJax, not only the pages whose text
has equations, since a widget may typeset equations of its own.

As a program, ``python -m cnnlearn.classroom.bookext SOURCE HTML DOCTREES``: build the Jupyter Book in ``SOURCE``
(its ``_config.yml`` and ``_toc.yml``) to HTML in ``HTML``, with Sphinx's cache in ``DOCTREES``. The export runs it
in a process of its own: Sphinx and its themes keep state in the process (a second build in the same process sees
a longer ``templates_path``, so it rebuilds every page), and docutils' registries are global.
"""

import sys
from pathlib import Path


def setup(app):
    app.set_html_assets_policy("always")
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None):
    from jupyter_book.sphinx import build_sphinx

    source, html, doctrees = (Path(a) for a in (sys.argv[1:] if argv is None else argv))
    result = build_sphinx(source, html, noconfig=True, path_config=str(source / "_config.yml"),
                          confoverrides={"external_toc_path": str(source / "_toc.yml"), "latex_individualpages": False},
                          doctreedir=doctrees, builder="html", quiet=True)
    return 0 if result == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
