"""One notation for the series: the old clashes do not come back.

The label is t (t_n for example n), or the one-hot matrix T, never y (y is an output pixel);
the number of filters is C_out, never F (F is the filter); the batch size is N, never n
(n is the example index); the padding is P, never p (p is a probability); im2col's filter matrix is F_mat, never
F, and its transpose F_mat^T, never F^T (the transposed filter is the classic slip of notebook 04). This test greps
the markdown cells of every notebook and the output of the equation generators (im2col's too) for the
old spellings, and lists every hit with its file, cell and text.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from cnnlearn import filter_gradient_equation, forward_equation, input_gradient_equation, output_size
from cnnlearn.equations import col2im_equation, column_equation
from cnnlearn.example import worked_example

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))

CLASHES = {
    "the label called y": [
        r"\bp\s*-\s*y\b(?!_\{?\d)",          # p - y (but not p - y_11, a difference of two numbers)
        r"\bp_k\s*-\s*y_k\b", r"\bp_\{?k\}?\s*-\s*y_\{?k\}?",
        r"\by_\{?nk\}?\b", r"\by_\{n,\s*k\}",
        r"one-hot label,? y\b", r"one-hot labels?\s*\$?y\b", r"\blabel y\b", r"\blabels? \$y\$",
        r"\$y\$,? the one-hot", r"(?<![\w}])-\s*y_k\b",
        r"\(p\s*-\s*y\)\s*/\s*[nN]\b",
    ],
    "F used as the number of filters": [
        r"\bF filters\b", r"\$F\$ filters\b", r"\bF\s*=\s*\d", r"\$F\s*=\s*\d", r"\(F,\s*C,\s*kh,\s*kw\)",
        r"\(N,\s*F,\s*H_?o,\s*W_?o\)",
        r"\bF output channels\b", r"\bnumber of filters,? F\b",
    ],
    "n used as the batch size": [
        r"(?<![\\\w])/\s*n\b", r"\b1\s*/\s*n\b", r"\\frac\{1\}\{n\}", r"\bn examples\b", r"\bbatch of n\b",
        r"\bbatch size,? n\b", r"\bn\s*=\s*\d+\$?\s+examples?\b", r"\$n\$ examples\b",
    ],
    "padding written as p": [
        r"\+\s*2\s*p\b", r"\b2p\b", r"\bpadding,? p\b", r"\bpadding \$p\$",
    ],
    "the filter matrix written F or F^T": [
        r"col2im\(\s*F\s*(?:\^\s*T|ᵀ|\^\\top)", r"\bY\s*=\s*F\s*(?:\\,\s*)?\\?(?:mathrm\{)?cols\b",
        r"\bF\s*(?:\^\s*T|ᵀ|\^\\top)\s*(?:dL/dY|\\mathrm\{dL/dY\}|dY\b)",
        r"vec\(F\)\s*(?:\^T|ᵀ|\^\\top)\s*\\?,?\s*\\?(?:mathrm\{)?vec\(\\?(?:mathrm\{)?dL/dY",
    ],
}


def _markdown_cells(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(n, "".join(c["source"])) for n, c in enumerate(cells) if c["cell_type"] == "markdown"]


def _hits(text):
    """(clash, matched text with some context) for every old spelling in text."""
    out, seen = [], set()
    for clash, patterns in CLASHES.items():
        for pattern in patterns:
            for m in re.finditer(pattern, text):
                if (clash, m.start()) in seen:
                    continue
                seen.add((clash, m.start()))
                a, b = max(0, m.start() - 30), min(len(text), m.end() + 30)
                out.append((clash, text[a:b].replace("\n", " ")))
    return out


def test_the_notebooks_are_there():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{k:02d}" for k in range(11)]


def test_the_table_in_00_has_the_filter_matrix_and_vec():
    (table,) = [src for _, src in _markdown_cells(NOTEBOOKS[0]) if src.startswith("## 2. The notation of the series")]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| $")}
    assert "$F_{\\mathrm{mat}}$" in rows and "`w.reshape(C_out, -1)`" in rows["$F_{\\mathrm{mat}}$"]
    assert "$\\mathrm{vec}(A)$" in rows and "row by row" in rows["$\\mathrm{vec}(A)$"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_uses_one_notation(path):
    problems = [f"{path.name}, cell {n}: {clash}: ...{snippet}..."
                for n, source in _markdown_cells(path) for clash, snippet in _hits(source)]
    assert not problems, "old notation in the markdown:\n" + "\n".join(problems)


def _equations():
    ex = worked_example()
    geos = [((3, 3), (2, 2), {}), ((6, 6), (3, 3), dict(stride=2, padding=1)), ((5, 6), (2, 3), dict(dilation=2))]
    out = []
    for shape, kshape, geo in geos:
        Ho, Wo = output_size(shape, kshape, **geo)
        rng = np.random.default_rng(0)
        x, w, dy = rng.normal(size=shape), rng.normal(size=kshape), rng.normal(size=(Ho, Wo))
        if shape == (3, 3) and not geo:
            x, w, dy = ex.x, ex.w, ex.dy
        for o in np.ndindex(Ho, Wo):
            out.append(forward_equation(*o, shape, kshape, **geo, x=x, w=w))
            out.append(column_equation(*o, shape, kshape, **geo, x=x, w=w))
        for ij in np.ndindex(*shape):
            out.append(input_gradient_equation(*ij, shape, kshape, **geo, dy=dy, w=w))
            out.append(col2im_equation(*ij, shape, kshape, **geo))
        for k in np.ndindex(*kshape):
            out.append(filter_gradient_equation(*k, shape, kshape, **geo, dy=dy, x=x))
    return out


def test_equation_generators_use_one_notation():
    problems = [f"{eq}: {clash}" for eq in _equations() for clash, _ in _hits(eq)]
    assert not problems, "old notation in generated equations:\n" + "\n".join(problems)


@pytest.mark.parametrize("text, clash", [
    ("dL/dlogits = (p - y)/n", "the label called y"),
    ("the gradient is p_k - y_k", "the label called y"),
    ("with the one-hot label y", "the label called y"),
    ("T_{nk} is 1, y_{nk} is", "the label called y"),
    ("a layer with F filters", "F used as the number of filters"),
    ("here F = 4", "F used as the number of filters"),
    ("w has shape (F, C, kh, kw)", "F used as the number of filters"),
    ("the mean over n examples", "n used as the batch size"),
    ("averaged over the $n$ examples", "n used as the batch size"),
    ("We have $n = 1$ example", "n used as the batch size"),
    ("has $F$ filters", "F used as the number of filters"),
    ("With $y$ the one-hot label", "the label called y"),
    ("exactly $-y_k$, minus", "the label called y"),
    ("a factor 1/n", "n used as the batch size"),
    ("H_o = (H + 2p - k) / s + 1", "padding written as p"),
    ("dL/dX = col2im(Fᵀ dL/dY)", "the filter matrix written F or F^T"),
    ("Forward: Y = F cols, one matrix product", "the filter matrix written F or F^T"),
    ("The other product, vec(F)ᵀ vec(dL/dY), is a 4x4 matrix", "the filter matrix written F or F^T"),
    (r"dcols = F^T dY", "the filter matrix written F or F^T"),
])
def test_the_patterns_catch_the_old_spellings(text, clash):
    assert clash in {c for c, _ in _hits(text)}


@pytest.mark.parametrize("text", [
    "dL/dz = (p - T)/N", "p_k - T_k", "y_11 = x_11 f_11", "C_out filters", "w has shape (C_out, C, kh, kw)",
    "the mean over the N examples, 1/N", "H_o = floor((H + 2P - k) / s) + 1", "F = [[-1.5, 2.5], [-2, 0.5]]",
    "p - y_{22}", "the probability p_k of class k", "\\nabla", "example n of the batch",
    r"\mathrm{dcols} = F_{\mathrm{mat}}^\top\, dY_{\mathrm{mat}}",
    r"Y_{\mathrm{mat}} = F_{\mathrm{mat}}\, \mathrm{cols}",
    r"\mathrm{dcols} = \mathrm{vec}(F)\, \mathrm{vec}(\mathrm{dL/dY})^\top", "with F^T in place of rot180(F)",
])
def test_the_patterns_leave_the_new_notation_alone(text):
    assert _hits(text) == []
