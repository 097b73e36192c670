"""Im2colExplorer driven from Python: which cells light up, their numbers and equations, and the CSS contract.

Expected highlights come from ``cnnlearn.im2col.im2col`` applied to pixel numbers, ``pixel_counts`` and
``cnnlearn.contributions`` / ``receptive.window``, computed here, never from the widget under test.
"""

import re

import anywidget
import ipywidgets as ipw
import numpy as np
import pytest

import cnnlearn
from cnnlearn import widgets
from cnnlearn.equations import col2im_equation, column_equation
from cnnlearn.im2col import im2col, pixel_counts
from cnnlearn.notation import cell_text
from cnnlearn.receptive import window
from cnnlearn.widgets._grid import math_block

EX = cnnlearn.worked_example()


def random_geometry(rng):
    """A random configuration whose filter fits: input up to 7x7, kernel up to 3x3, at most 49 output pixels."""
    while True:
        H, W = (int(v) for v in rng.integers(2, 8, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        geo = dict(stride=int(rng.integers(1, 4)), padding=int(rng.integers(0, 3)), dilation=int(rng.integers(1, 3)))
        try:
            Ho, Wo = cnnlearn.output_size((H, W), (kh, kw), **geo)
        except ValueError:
            continue
        if Ho * Wo <= 49:
            return (H, W), (kh, kw), geo


def shipped(widget, grid, r, c):
    """What the browser looks up for cell ``(r, c)`` of ``grid``: ``(highlights, marks, entry)``."""
    e = widget.view.lookup[f"{grid}:{r}:{c}"]
    hl = {g: {tuple(rc) for rc in cells} for g, cells in e["hl"].items()}
    marks = {g: {(rr, cc): n for rr, cc, n in m} for g, m in e["marks"].items()}
    return hl, marks, e


def expected_sources(shape, kshape, geo):
    """For every entry (r, c) of cols: the cell of the zero-padded X it copies, by im2col of cell numbers.

    Also checked against im2col of the pixel numbers with the padding done by im2col itself."""
    (H, W), (kh, kw) = shape, kshape
    P = geo.get("padding", 0)
    Hp, Wp = H + 2 * P, W + 2 * P
    numbers = np.arange(1, Hp * Wp + 1, dtype=float).reshape(Hp, Wp)
    padded = im2col(numbers, kh, kw, stride=geo.get("stride", 1), dilation=geo.get("dilation", 1)).astype(int) - 1
    cells = np.stack(np.divmod(padded, Wp), axis=-1)  # (K, L, 2)
    pixels = im2col(np.arange(1, H * W + 1, dtype=float).reshape(H, W), kh, kw, **geo).astype(int) - 1
    real = (cells[..., 0] >= P) & (cells[..., 0] < P + H) & (cells[..., 1] >= P) & (cells[..., 1] < P + W)
    assert np.array_equal(real, pixels >= 0)  # the padding's entries are the same either way
    assert np.array_equal(((cells[..., 0] - P) * W + cells[..., 1] - P)[real], pixels[real])
    return {(r, c): tuple(int(v) for v in cells[r, c]) for r, c in np.ndindex(*padded.shape)}, pixels


def check_state(w, x, f, geo):
    """Every cell's shipped highlights, pairing numbers and equation against im2col of the cell numbers."""
    shape, kshape = x.shape, f.shape
    (H, W), (kh, kw) = shape, kshape
    P = geo.get("padding", 0)
    Ho, Wo = cnnlearn.output_size(shape, kshape, **geo)
    K, L = kh * kw, Ho * Wo
    src, pixels = expected_sources(shape, kshape, geo)
    np.testing.assert_array_equal(w.cols, im2col(x, kh, kw, **geo))
    assert [[t for t in row] for row in w.view.grid("cols")["texts"]] == \
        [[cell_text(v) for v in row] for row in im2col(x, kh, kw, **geo)]
    assert (w.view.grid("x")["rows"], w.view.grid("x")["cols"]) == (H + 2 * P, W + 2 * P)
    pads = {(r, c) for r, c in np.ndindex(H + 2 * P, W + 2 * P) if not (P <= r < P + H and P <= c < P + W)}
    assert {tuple(rc) for rc in w.view.grid("x")["pad"]} == pads
    feeds = cnnlearn.contributions(shape, kshape, **geo)
    counts = pixel_counts(shape, kh, kw, **geo)
    for cell in np.ndindex(H + 2 * P, W + 2 * P):
        hl, marks, e = shipped(w, "x", *cell)
        copies = sorted((rc for rc, s in src.items() if s == cell), key=lambda rc: rc[1])
        assert hl == {"x": {cell}, "cols": set(copies), "y": {divmod(c, Wo) for _, c in copies}}
        # copies numbered column by column, each with its output pixel
        assert marks["cols"] == {rc: n for n, rc in enumerate(copies, 1)}
        assert marks["y"] == {divmod(c, Wo): n for n, (_, c) in enumerate(copies, 1)}
        if cell in pads:
            assert e["eq"] == "" and "zero padding" in e["info"]
            continue
        i, j = cell[0] - P, cell[1] - P
        assert len(copies) == counts[i, j] == np.count_nonzero(pixels == i * W + j)
        assert set(copies) == {(ki * kw + kj, oi * Wo + oj) for (oi, oj), (ki, kj) in feeds[i, j]}
        assert w.copies(i, j) == copies
        assert e["eq"] == math_block(col2im_equation(i, j, shape, kshape, **geo))
    for c in range(L):
        o = divmod(c, Wo)
        column = {(r, c) for r in range(K)}
        real = {(i + P, j + P) for (i, j), _ in window(o, shape, kshape, **geo)}
        win = {src[r, c] for r in range(K)}
        assert real == win - pads
        eq = math_block(column_equation(*o, shape, kshape, **geo, x=x, w=f))
        for grid, r in [("y", None)] + [("cols", r) for r in range(K)]:
            hl, marks, e = shipped(w, grid, *((o) if r is None else (r, c)))
            assert hl == {"cols": column, "x": win, "y": {o}}
            assert marks == {"cols": {(rr, c): rr + 1 for rr in range(K)}, "x": {src[rr, c]: rr + 1 for rr in range(K)}}
            assert e["eq"] == eq
    cells = [("x", (H + 2 * P, W + 2 * P)), ("cols", (K, L)), ("y", (Ho, Wo))]
    assert set(w.view.lookup) == {f"{g}:{r}:{c}" for g, shape in cells for r, c in np.ndindex(*shape)}
    np.testing.assert_array_equal(w.counts, counts)


# --------------------------------------------------------------------------- the worked example

def test_opens_on_the_worked_example_and_honours_the_css_contract():
    w = widgets.Im2colExplorer()
    assert isinstance(w, ipw.VBox) and isinstance(w.view, anywidget.AnyWidget) and w.view in w.children
    assert "cnnlearn-im2col" in w._dom_classes and "cnnlearn-widget" in w._dom_classes
    assert [g["name"] for g in w.view.grids] == ["x", "cols", "y"]
    assert np.array_equal(w.x, EX.x) and np.array_equal(w.w, EX.w) and np.array_equal(w.y, EX.y)
    assert w.cols.shape == (4, 4) and w.view.grid("cols")["row_labels"] == ["f11", "f12", "f21", "f22"]
    assert w.view.grid("x")["pad"] == []
    assert w.selected == ("x", 1, 1)  # the centre: 4 copies
    assert w.highlighted("cols") == {(3, 0), (2, 1), (1, 2), (0, 3)}
    check_state(w, EX.x, EX.w, {})


def test_one_two_four_copies_on_the_worked_example():
    w = widgets.Im2colExplorer()
    want = pixel_counts((3, 3), 2, 2)
    assert want.tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    seen = np.zeros((3, 3), dtype=int)
    for i, j in np.ndindex(3, 3):
        w.view.selected = ["x", i, j]  # what a click in the browser does
        seen[i, j] = len(w.highlighted("cols"))
        assert len(w.highlighted("y")) == seen[i, j] and len(w.marks("cols")) == seen[i, j]
        assert w.equation == col2im_equation(i, j, (3, 3), (2, 2))
    np.testing.assert_array_equal(seen, want)
    np.testing.assert_array_equal(w.counts, want)
    where = im2col(np.arange(9.0).reshape(3, 3), 2, 2)  # the pixel numbers, copied
    assert w.copies(1, 1) == [tuple(int(v) for v in rc) for rc in sorted(np.argwhere(where == 4), key=lambda a: a[1])]
    assert w.copies(1, 1) == [(3, 0), (2, 1), (1, 2), (0, 3)]


def test_info_line_says_how_many_copies_and_where():
    w = widgets.Im2colExplorer()
    info = w.view.lookup["x:1:1"]["info"]
    assert info.startswith("x22 has 4 copies in cols, in columns 1, 2, 3 and 4: 1: row 4 (f22) of column 1 "
                           "(the window of y11)")
    assert "col2im must add all 4 back onto x22" in info
    assert w.view.lookup["x:0:0"]["info"].startswith("x11 has 1 copy in cols, in column 1:")
    assert w.view.lookup["x:0:1"]["info"].startswith("x12 has 2 copies in cols, in columns 1 and 2:")
    assert "copy of x22: what f12 meets in the window of y21" in w.view.lookup["cols:1:2"]["info"]


def test_a_cols_entry_shows_its_column_window_and_pixel():
    w = widgets.Im2colExplorer()
    w.select("cols", 1, 2)  # row f12, column 3: the window of y21
    assert w.highlighted("cols") == {(0, 2), (1, 2), (2, 2), (3, 2)}
    assert w.highlighted("x") == {ij for ij, _ in window((1, 0), (3, 3), (2, 2))}
    assert w.highlighted("y") == {(1, 0)}
    # the entry and the pixel it copies share a number: x22 (code: x[1, 1]) has the entry's number
    assert w.marks("cols")[1, 2] == w.marks("x")[1, 1] == 2
    assert w.cols[1, 2] == EX.x[1, 1]
    assert w.equation == column_equation(1, 0, (3, 3), (2, 2), x=EX.x, w=EX.w)
    w.select("y", 1, 0)
    assert w.highlighted("cols") == {(0, 2), (1, 2), (2, 2), (3, 2)} and w.highlighted("y") == {(1, 0)}


def test_equations_are_the_package_ones():
    w = widgets.Im2colExplorer()
    w.select("cols", 0, 3)
    eq = w.equation
    assert eq == column_equation(1, 1, (3, 3), (2, 2), x=EX.x, w=EX.w)
    assert eq.startswith(r"y_{22} = \mathrm{vec}(F)^\top\, \mathrm{cols}_{:,4} = ")
    assert eq.endswith(" = " + cnnlearn.equations.fmt_number(EX.y[1, 1]))
    assert w.view.lookup["cols:0:3"]["eq"] == math_block(eq)  # what the browser typesets, with no kernel
    assert w.view.equation == math_block(eq)
    w.select("x", 1, 1)
    assert w.equation == col2im_equation(1, 1, (3, 3), (2, 2))
    # col2im's sum is notebook 04's dL/dx22, term for term
    assert w.equation.split(" = ")[-1] == cnnlearn.input_gradient_equation(1, 1, (3, 3), (2, 2)).split(" = ")[-1]
    w.view.selected = []  # Escape in the browser
    assert w.selected is None and w.equation is None and w.highlighted("cols") == set()


def test_accessible_names_and_row_headers():
    w = widgets.Im2colExplorer()
    g = w.view.grid("cols")
    assert g["labels"][1][2] == (f"cols23 = {cell_text(EX.x[1, 1])}, the copy of x22 that f12 meets in "
                                 "the window of y21, row 2 column 3")
    assert w.view.grid("x")["labels"][1][2] == f"x23 = {cell_text(EX.x[1, 2])}, input pixel row 2 column 3"
    p = widgets.Im2colExplorer(padding=1)
    labels = p.view.grid("x")["labels"]
    assert labels[0][0] == "0, zero padding, row 1 column 1 of the zero-padded X"
    assert labels[1][1].startswith("x11 = 1, input pixel row 1 column 1;") and "row 2 column 2" in labels[1][1]
    assert p.view.grid("x")["title"] == "X, zero-padded (P = 1)"
    for r, row in enumerate(labels):  # the grid position, as the browser tests read it, is in every name
        for c, name in enumerate(row):
            assert f"row {r + 1} column {c + 1}" in name


# --------------------------------------------------------------------------- other geometries

@pytest.mark.parametrize("seed", range(12))
def test_random_geometries_match_im2col_of_the_pixel_numbers(seed):
    rng = np.random.default_rng(200 + seed)
    shape, kshape, geo = random_geometry(rng)
    x, f = rng.normal(size=shape).round(2), rng.normal(size=kshape).round(2)
    w = widgets.Im2colExplorer(x, f, **geo)
    check_state(w, x, f, geo)
    P = geo["padding"]
    for i, j in [(0, 0), (shape[0] - 1, shape[1] // 2)]:
        w.select("x", i + P, j + P)
        copies = w.copies(i, j)
        assert w.highlighted("cols") == set(copies) and w.marks("cols") == {rc: n for n, rc in enumerate(copies, 1)}
        assert w.equation == col2im_equation(i, j, shape, kshape, **geo)


@pytest.mark.parametrize("geo", [dict(stride=2), dict(padding=1), dict(dilation=2), dict(stride=2, padding=1),
                                 dict(stride=(1, 2), padding=(0, 1), dilation=(2, 1))])
def test_stride_padding_dilation(geo):
    rng = np.random.default_rng(5)
    x, f = rng.integers(-3, 4, size=(5, 6)).astype(float), rng.integers(-2, 3, size=(2, 3)).astype(float)
    w = widgets.Im2colExplorer(x, f, **geo)
    if all(isinstance(v, int) for v in geo.values()):
        check_state(w, x, f, geo)
    full = {k: cnnlearn.receptive.geometry(**{"stride": 1, "padding": 0, "dilation": 1, **geo})[n]
            for n, k in enumerate(("stride", "padding", "dilation"))}
    assert w.geometry == full
    np.testing.assert_array_equal(w.counts, pixel_counts((5, 6), 2, 3, **geo))
    np.testing.assert_allclose(w.y, cnnlearn.conv2d(x, f, **geo))


def test_padding_cells_show_their_copies_of_zero():
    w = widgets.Im2colExplorer(padding=1)
    assert w.cols.shape == (4, 16) and w.selected == ("x", 2, 2)  # x22, in the middle of the padded grid
    w.select("x", 0, 0)  # a corner of the padding: only the first window reads it
    assert w.highlighted("cols") == {(0, 0)} and w.equation == ""
    assert w.cols[0, 0] == 0
    w.select("cols", 3, 0)  # f22 meets x11 in the window of y11
    assert w.marks("x") == {(0, 0): 1, (0, 1): 2, (1, 0): 3, (1, 1): 4}
    assert w.equation == column_equation(0, 0, (3, 3), (2, 2), padding=1, x=EX.x, w=EX.w)


def test_stride_can_skip_pixels():
    w = widgets.Im2colExplorer(np.arange(20.0).reshape(4, 5), np.ones((2, 2)), stride=2)
    assert w.counts[:, 4].tolist() == [0, 0, 0, 0] == pixel_counts((4, 5), 2, 2, stride=2)[:, 4].tolist()
    w.select("x", 0, 4)
    assert w.highlighted("cols") == set() and w.equation.endswith(" = 0")
    assert "No window reads x15" in w.view.lookup["x:0:4"]["info"]


# --------------------------------------------------------------------------- arguments and state

def test_no_mutation_and_copies_out():
    rng = np.random.default_rng(7)
    x, f = rng.normal(size=(4, 5)), rng.normal(size=(2, 3))
    keep = x.copy(), f.copy()
    w = widgets.Im2colExplorer(x, f, stride=(1, 2), padding=1)
    w.select("cols", 2, 3)
    assert np.array_equal(x, keep[0]) and np.array_equal(f, keep[1])
    w.x[0, 0] = 99.0
    w.cols[0, 0] = 99.0
    w.copies(0, 0).append((9, 9))
    assert w.x[0, 0] == x[0, 0] and w.cols[0, 0] == im2col(x, 2, 3, stride=(1, 2), padding=1)[0, 0]
    assert (9, 9) not in w.copies(0, 0)
    x[0, 0] = 42.0  # the caller's array changing later does not reach the widget
    assert w.x[0, 0] == keep[0][0, 0]


def test_widgets_do_not_share_state():
    a, b = widgets.Im2colExplorer(), widgets.Im2colExplorer()
    a.select("cols", 0, 0)
    assert b.selected == ("x", 1, 1) and a.view is not b.view
    a.view.lookup["x:1:1"]["hl"]["cols"].clear()  # a caller scribbling on one widget's state
    assert b.highlighted("cols") == {(3, 0), (2, 1), (1, 2), (0, 3)} and len(a.copies(1, 1)) == 4


@pytest.mark.parametrize("call, err, words", [
    (lambda: widgets.Im2colExplorer().select("f", 0, 0), ValueError, "grid must be one of 'x', 'cols', 'y'"),
    (lambda: widgets.Im2colExplorer().select(0, 0, 0), TypeError, "grid must be a string"),
    (lambda: widgets.Im2colExplorer().select("x", 3, 0), ValueError, "input pixel (3, 0) is outside the 3x3 grid"),
    (lambda: widgets.Im2colExplorer(padding=1).select("x", 5, 0), ValueError,
     "cell of the zero-padded X (5, 0) is outside the 5x5 grid"),
    (lambda: widgets.Im2colExplorer().select("cols", 0, 4), ValueError, "entry of cols (0, 4) is outside the 4x4 grid"),
    (lambda: widgets.Im2colExplorer().select("y", -1, 0), ValueError, "output pixel row must be >= 0"),
    (lambda: widgets.Im2colExplorer().copies(0, 3), ValueError, "input pixel (0, 3) is outside"),
    (lambda: widgets.Im2colExplorer().highlighted("dx"), ValueError, "grid must be one of"),
    (lambda: widgets.Im2colExplorer(np.zeros((1, 3, 3))), ValueError, "x must have shape (H, W)"),
    (lambda: widgets.Im2colExplorer(x="abc"), TypeError, "x must be a numeric array"),
    (lambda: widgets.Im2colExplorer(w=np.zeros(4)), ValueError, "w must have shape (kh, kw)"),
    (lambda: widgets.Im2colExplorer(w=np.zeros((4, 4))), ValueError, "larger than the padded input"),
    (lambda: widgets.Im2colExplorer(stride=0), ValueError, "stride must be >= 1"),
    (lambda: widgets.Im2colExplorer(padding=-1), ValueError, "padding must be >= 0"),
    (lambda: widgets.Im2colExplorer(dilation=(1, 2, 3)), ValueError, "dilation"),
    (lambda: widgets.Im2colExplorer(np.zeros((17, 3))), ValueError, "x must have at most 16 rows and columns"),
    (lambda: widgets.Im2colExplorer(np.zeros((6, 6)), np.zeros((6, 6))), ValueError, "w must have at most 25 entries"),
    (lambda: widgets.Im2colExplorer(np.zeros((9, 9)), np.zeros((1, 1))), ValueError,
     "the output must have at most 49 pixels (one column of cols each), got Ho*Wo = 9*9 = 81"),
    (lambda: widgets.Im2colExplorer(np.array([[1.0, np.nan], [0.0, 1.0]]), np.ones((1, 1))), ValueError, "x"),
])
def test_bad_arguments_name_the_argument(call, err, words):
    with pytest.raises(err, match=re.escape(words)):
        call()


def test_exported_and_named_in_the_css_contract():
    assert "Im2colExplorer" in widgets.__all__ and widgets.Im2colExplorer is not None
    assert "``cnnlearn-im2col``" in widgets.__doc__ and "``cols``" in widgets.__doc__
