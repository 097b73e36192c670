r"""Static twins of the widgets: every view as a matplotlib Figure, for slides, print and GitHub's preview.

Each function returns a :class:`matplotlib.figure.Figure` made with ``pyplot`` (so a
notebook line ending in ``;`` shows it once) and never changes ``rcParams``: sizes and
colours are passed to each artist. The highlights are computed exactly as the widgets
compute them (:func:`cnnlearn.contributions`, :func:`cnnlearn.receptive.window`) and use
the same colour-blind-safe colours: orange for the selected cell, sky blue for the cells
it meets, dashed outlines for added zeros.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from .conv import conv2d, conv2d_backward
from .equations import filter_gradient_equation, forward_equation, input_gradient_equation
from .example import worked_example
from .fullconv import FullConvPlan
from .im2col import im2col
from .losses import cross_entropy, cross_entropy_backward, softmax
from .notation import BLUE, GREY, NEGATIVE, ORANGE, POSITIVE, SKY, cell_text
from .receptive import check_index, contributions, geometry, output_size, window
from .saliency import as_images, fgsm, input_gradient, predict
from .trace import LOSS, Trace, fields, units
from .trace_text import caption, column_specs
from .validate import as_float_array, as_int, as_matrix, as_shape

__all__ = ["plot_forward", "plot_softmax", "plot_filter_gradient", "plot_contributions", "plot_feed_counts",
           "plot_step_sweep", "plot_images", "plot_full_conv", "plot_im2col", "plot_filter_learning", "plot_maps",
           "plot_saliency", "plot_fgsm", "plot_accuracy_vs_eps", "plot_network"]

_FONT = 11
#: The series' diverging scale (blue below 0, white at 0, vermilion above), as the widgets colour their cells.
DIVERGING = LinearSegmentedColormap.from_list("cnnlearn_diverging", [NEGATIVE, "#ffffff", POSITIVE])


def _caption_lines(latex):
    """A package equation ``lhs = a = b = c`` as mathtext lines: ``lhs = a``, ``= b``, ``= c``."""
    parts = latex.split(" = ")
    lines = [" = ".join(parts[:2])] + ["= " + p for p in parts[2:]]
    return [f"${line}$" for line in lines]


def _grids_figure(grids, equation=None, *, cell=0.55, title=None):
    """One row of grids, with an optional package equation underneath.

    ``grids`` is a list of dicts: values (2-D), title, hl, sel, pad, texts.
    """
    widths = [g["values"].shape[1] for g in grids]
    rows = max(g["values"].shape[0] for g in grids)
    lines = _caption_lines(equation) if equation else []
    longest = max((len(line) for line in lines), default=0)
    fig_w = max(cell * (sum(widths) + len(grids)) + 0.4, 4.0, 0.075 * longest)
    cap_h = 0.42 * len(lines) + (0.15 if lines else 0)
    fig_h = cell * rows + 0.6 + cap_h + (0.35 if title else 0)
    fig, axes = plt.subplots(1, len(grids), figsize=(fig_w, fig_h), squeeze=False,
                             gridspec_kw=dict(width_ratios=widths))
    for ax, g in zip(axes[0], grids):
        _draw_grid(ax, rows, **g)
    top = 1 - ((0.35 if title else 0.0) + 0.35) / fig_h
    fig.subplots_adjust(left=0.02, right=0.98, bottom=(cap_h + 0.05) / fig_h, top=top, wspace=0.25)
    for n, line in enumerate(lines):
        fig.text(0.02 + (0.03 if n else 0), (cap_h - 0.42 * (n + 1)) / fig_h + 0.1 / fig_h, line,
                 fontsize=_FONT + 2, ha="left", va="bottom")
    if title:
        fig.suptitle(title, fontsize=_FONT + 1, x=0.02, ha="left")
    return fig


def _draw_grid(ax, rows, values, title, hl=(), sel=(), pad=(), texts=None, badges=None):
    """One grid of cells; ``badges`` maps a cell to a short label drawn in its top-left corner
    (text artists with gid ``"pair-badge"``)."""
    H, W = values.shape
    hl, sel, pad = set(hl), set(sel), set(pad)
    for r in range(H):
        for c in range(W):
            face, edge, lw, ls = GREY, "#999999", 1.0, "-"
            if (r, c) in pad:
                face, edge, ls = "white", "#999999", "--"
            if (r, c) in hl:
                face, edge, lw = SKY, BLUE, 2.0
            if (r, c) in sel:
                face, edge, lw = ORANGE, "black", 3.0
            ax.add_patch(Rectangle((c + 0.05, r + 0.05), 0.9, 0.9, facecolor=face, edgecolor=edge,
                                   linewidth=lw, linestyle=ls))
            text = texts[r][c] if texts is not None else cell_text(values[r, c])
            bold = (r, c) in hl or (r, c) in sel
            ax.text(c + 0.5, r + 0.5, text, ha="center", va="center", fontsize=_FONT - (1 if len(text) <= 5 else 3),
                    color="#888888" if (r, c) in pad and not bold else "black",
                    fontweight="bold" if bold else "normal", family="monospace")
    for (r, c), label in (badges or {}).items():
        ax.text(c + 0.1, r + 0.12, label, ha="left", va="top", fontsize=_FONT - 3, fontweight="bold",
                color="white", gid="pair-badge",
                bbox=dict(boxstyle="circle,pad=0.15", facecolor=BLUE, edgecolor="none"))
    ax.set_xlim(0, W)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=_FONT, loc="left")
    ax.axis("off")


def plot_forward(x=None, w=None, out_index=(0, 0), *, stride=1, padding=0, dilation=1):
    """The forward pass at one output pixel: its window in X, the filter, and its sum.

    ``x`` of shape (H, W) and ``w`` of shape (kh, kw) default to the worked example;
    ``out_index`` is the 0-based output pixel. Twin of :class:`cnnlearn.widgets.ForwardStepper`.
    """
    ex = worked_example()
    x = ex.x if x is None else as_matrix(x, "x", "(H, W)")
    w = ex.w if w is None else as_matrix(w, "w", "(kh, kw)")
    geo = dict(stride=stride, padding=padding, dilation=dilation)
    y = conv2d(x, w, **geo)
    o = check_index(out_index, y.shape, "output pixel")
    taps = window(o, x.shape, w.shape, **geo)
    grids = [dict(values=x, title="X (input)", hl=[ij for ij, _ in taps]),
             dict(values=w, title="F (filter)", hl=[k for _, k in taps]),
             dict(values=y, title="Y = X ⋆ F", sel=[o])]
    return _grids_figure(grids, forward_equation(*o, x.shape, w.shape, **geo, x=x, w=w))


def plot_softmax(logits=None, label=None):
    """Softmax probabilities as bars, with the loss and dL/dz. Twin of ``SoftmaxPlayground``.

    ``logits`` z of shape (K,) or (1, K) and ``label`` (the true class t, 0-based) default to the
    worked example, whose scores are z = (y11, y12, y21, y22). The figure names classes 1-based.
    """
    ex = worked_example()
    z = ex.logits if logits is None else np.asarray(logits, dtype=float)
    if label is None:
        label = ex.label if logits is None else 0
    z = z.reshape(1, -1) if z.ndim == 1 else z
    p, dz = softmax(z)[0], cross_entropy_backward(z, [label])[0]
    loss = cross_entropy(z, [label])
    K = p.size
    names = [f"z{k + 1}" + (f" = y{k // 2 + 1}{k % 2 + 1}" if K == 4 else "") for k in range(K)]
    fig, ax = plt.subplots(figsize=(6.0, 0.55 * K + 1.2))
    colours = [ORANGE if k == label else SKY for k in range(K)]
    ax.barh(range(K), p, color=colours, edgecolor="black")
    for k in range(K):
        tag = "  (true class)" if k == label else ""
        ax.text(p[k] + 0.01, k, f"p{k + 1} = {p[k]:.3f},  dL/dz{k + 1} = {dz[k]:+.3f}{tag}", va="center",
                fontsize=_FONT - 1)
    ax.set_yticks(range(K))
    ax.set_yticklabels([f"{n} = {v:g}" for n, v in zip(names, z[0])], fontsize=_FONT - 1)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.6)
    ax.set_xlabel("probability", fontsize=_FONT - 1)
    ax.set_title(f"softmax of the scores\ntrue class scored by {names[label]}: L = -log p{label + 1} = {loss:.4f}",
                 fontsize=_FONT, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def plot_filter_gradient(x=None, dy=None, k=(0, 0)):
    """dL/df for one filter entry ``k``: the input pixels it met and every dL/dy. Twin of
    ``FilterGradientExplorer``. ``x`` of shape (H, W) and ``dy`` of shape (Ho, Wo) default to the
    worked example (stride 1, no padding)."""
    ex = worked_example()
    x = ex.x if x is None else as_matrix(x, "x", "(H, W)")
    dy = ex.dy if dy is None else as_matrix(dy, "dy", "(Ho, Wo)")
    kshape = (x.shape[0] - dy.shape[0] + 1, x.shape[1] - dy.shape[1] + 1)
    if min(kshape) < 1:
        raise ValueError(f"dy (shape {dy.shape}) cannot be larger than x (shape {x.shape})")
    k = check_index(k, kshape, "filter entry")
    met = [ij for o in np.ndindex(*dy.shape) for ij, kk in window(o, x.shape, kshape) if kk == k]
    df = conv2d(x, dy)
    grids = [dict(values=x, title="X (input)", hl=met),
             dict(values=dy, title="dL/dY", hl=list(np.ndindex(*dy.shape))),
             dict(values=df, title="dL/dF", sel=[k])]
    return _grids_figure(grids, filter_gradient_equation(*k, x.shape, kshape, dy=dy, x=x))


def plot_contributions(input_shape=(3, 3), kernel_shape=(2, 2), pixel=(1, 1), *, stride=1, padding=0,
                       dilation=1, x=None, w=None, dy=None, numbered=True):
    """Which output pixels does input pixel ``pixel`` feed? Twin of ``ContributionExplorer``.

    Shows X with the pixel, the filter entries used, the dL/dY entries it receives and
    its dL/dx equation. ``x`` (H, W), ``w`` (kh, kw) and ``dy`` (Ho, Wo) are optional: with
    ``w`` and ``dy`` the equation carries the numbers; without values the cells show names.
    For the worked example's shapes and no values, the worked example's numbers are used.
    ``pixel`` is 0-based, like a numpy index; the figure names it 1-based (``(1, 1)`` is x22).

    With ``numbered`` (the default) each term of the equation gets a number 1..n, drawn on
    the output pixel dy and on the filter entry f that it pairs, in the order of the equation:
    for the centre pixel every dy and every f light up, and only the numbers show which dy
    meets which f (dy_11 with f_22, ...).
    """
    H, W = as_shape(input_shape, "input_shape", (2,))
    kh, kw = as_shape(kernel_shape, "kernel_shape", (2,))
    geo = dict(stride=stride, padding=padding, dilation=dilation)
    Ho, Wo = output_size((H, W), (kh, kw), **geo)
    i, j = check_index(pixel, (H, W), "input pixel")
    ex = worked_example()
    if x is None and w is None and dy is None and (H, W, kh, kw, Ho, Wo) == (3, 3, 2, 2, 2, 2):
        x, w, dy = ex.x, ex.w, ex.dy
    pairs = contributions((H, W), (kh, kw), **geo)[i, j]
    big = max(H, W, Ho, Wo) > 9

    def names(sym, shape):
        return [[f"{sym}{r + 1},{c + 1}" if big else f"{sym}{r + 1}{c + 1}" for c in range(shape[1])]
                for r in range(shape[0])]

    badges_f = {k: str(m) for m, (_, k) in enumerate(pairs, 1)} if numbered else None
    badges_dy = {o: str(m) for m, (o, _) in enumerate(pairs, 1)} if numbered else None
    grids = []
    for sym, a, shape, title, hl, sel, badges in (
            ("x", x, (H, W), "X (input)", [], [(i, j)], None),
            ("f", w, (kh, kw), "F (filter)", [k for _, k in pairs], [], badges_f),
            ("dy", dy, (Ho, Wo), "dL/dY", [o for o, _ in pairs], [], badges_dy)):
        values = np.zeros(shape) if a is None else as_matrix(a, sym, str(shape))
        texts = None if a is not None else names(sym, shape)
        grids.append(dict(values=values, title=title, hl=hl, sel=sel, texts=texts, badges=badges))
    with_numbers = w is not None and dy is not None
    eq = input_gradient_equation(i, j, (H, W), (kh, kw), **geo, **(dict(dy=dy, w=w) if with_numbers else {}))
    n = len(pairs)
    title = f"x{i + 1}{j + 1} feeds {n} output pixel{'s' * (n != 1)}" if not big else \
        f"x({i + 1},{j + 1}) feeds {n} output pixel{'s' * (n != 1)}"
    if numbered and n:
        title += ": the same number marks each dy and the filter entry it meets"
    return _grids_figure(grids, eq, title=title)


def plot_feed_counts(input_shape=(3, 3), kernel_shape=(2, 2), *, stride=1, padding=0, dilation=1):
    """How many output pixels each input pixel feeds: the 1-2-4 pattern of the worked example.

    The counts are the lengths of :func:`cnnlearn.contributions`; they are also the number
    of terms in each pixel's dL/dx equation.
    """
    H, W = as_shape(input_shape, "input_shape", (2,))
    feeds = contributions((H, W), kernel_shape, stride=stride, padding=padding, dilation=dilation)
    counts = np.array([[len(feeds[r, c]) for c in range(W)] for r in range(H)], dtype=float)
    top = counts.max()
    fig, ax = plt.subplots(figsize=(0.6 * W + 1.6, 0.6 * H + 1.0))
    ax.imshow(counts, cmap="cividis", vmin=0, vmax=max(top, 1))
    for r in range(H):
        for c in range(W):
            v = counts[r, c]
            ax.text(c, r, f"{int(v)}", ha="center", va="center", fontsize=_FONT + 1,
                    color="black" if v > 0.55 * top else "white", fontweight="bold")
    ax.set_xticks(range(W))
    ax.set_xticklabels([str(c + 1) for c in range(W)], fontsize=_FONT - 2)
    ax.set_yticks(range(H))
    ax.set_yticklabels([str(r + 1) for r in range(H)], fontsize=_FONT - 2)
    ax.set_title("outputs fed by each input pixel\n(= terms in its dL/dx)", fontsize=_FONT, loc="left")
    fig.tight_layout()
    return fig


def plot_step_sweep(steps, errors, *, h=1e-6, tolerance=1e-7):
    """Relative error of numerical gradients against the step size, on log-log axes.

    Parameters
    ----------
    steps : array of shape (S,)
        The step sizes h that were tried.
    errors : dict
        ``{label: sequence of S relative errors}``, one curve per difference scheme.
    h : float
        The default step, drawn as a vertical line.
    tolerance : float
        The "gradients agree" threshold, drawn as a horizontal line.
    """
    steps = np.asarray(steps, dtype=float)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for (label, errs), style in zip(errors.items(), ["o-", "s--", "^:", "d-."]):
        errs = np.asarray(errs, dtype=float)
        if errs.shape != steps.shape:
            raise ValueError(f"errors[{label!r}] must have one value per step, shape {steps.shape}, got {errs.shape}")
        ax.loglog(steps, errs, style, label=label)
    ax.axvline(h, color="0.5", lw=0.8)
    ax.axhline(tolerance, color=BLUE, lw=0.8, ls=":")
    ax.set_xlabel("step h", fontsize=_FONT)
    ax.set_ylabel("relative error", fontsize=_FONT)
    ax.set_title("Too small: rounding. Too large: truncation.", fontsize=_FONT, loc="left")
    ax.legend(fontsize=_FONT - 1)
    fig.tight_layout()
    return fig


def plot_images(images, titles=None, cols=8, size=1.1, **imshow):
    """A grid of small images: digits, learned filters, feature maps.

    Parameters
    ----------
    images : array of shape (K, H, W)
    titles : sequence of K strings, optional
    cols : int
        Images per row.
    size : float
        Width of one image in inches.
    **imshow
        Passed on to ``imshow`` (e.g. ``cmap``, ``vmin``, ``vmax``); the colour map defaults to
        ``"gray_r"``, dark ink on white paper.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (K, H, W), got shape {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must have one entry per image ({len(images)}), got {len(titles)}")
    rows = -(-len(images) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size * 1.2), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for k, img in enumerate(images):
        axes.flat[k].imshow(img, **{"cmap": "gray_r", **imshow})
        if titles is not None:
            axes.flat[k].set_title(titles[k], fontsize=8)
    return fig


def plot_full_conv(dy=None, w=None, step=None, *, stride=1, padding=0, dilation=1, input_shape=None):
    """The full convolution of dL/dY with the rotated filter, at one step. Twin of ``FullConvAnimation``.

    ``dy`` (Ho, Wo) and ``w`` (kh, kw) default to the worked example. ``step`` (0-based, row
    by row over dL/dX) picks the pixel being computed; None shows the finished dL/dX.
    Added zeros (stride insertion and the full-convolution border) are dashed.
    """
    ex = worked_example()
    plan = FullConvPlan(ex.dy if dy is None else dy, ex.w if w is None else w, stride=stride, padding=padding,
                        dilation=dilation, input_shape=input_shape)
    H, W = plan.input_shape
    n = H * W
    if step is None:
        k = n - 1
    else:
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < n:
            raise ValueError(f"step must be an integer in 0..{n - 1} (one per dL/dX pixel), got {step!r}")
        k = int(step)
    i, j = divmod(k, W)
    so_far = plan.dx_after(k)
    pad = set(np.ndindex(*plan.canvas.shape)) - set(plan.real)
    dx_texts = [[cell_text(v) if not np.isnan(v) else "?" for v in row] for row in so_far]
    dx_final = conv2d_backward(plan.dy, np.zeros((H, W)), plan.w, **plan.geo)[0]
    grids = [dict(values=plan.canvas, title="dL/dY, zeros added", hl=plan.window(i, j), pad=pad),
             dict(values=plan.rot, title="F rotated 180°", hl=plan.hits(i, j), pad=plan.gaps),
             dict(values=np.nan_to_num(so_far), title="dL/dX", sel=[(i, j)], texts=dx_texts)]
    eq = input_gradient_equation(i, j, (H, W), plan.w.shape, **plan.geo, dy=plan.dy, w=plan.w)
    title = (f"step {k + 1} of {n}" if step is not None else "all steps done: dL/dX equals conv2d_backward's dx"
             if np.allclose(so_far, dx_final) else "")
    return _grids_figure(grids, eq, title=title)


# --------------------------------------------------------------------------- im2col (notebook 10)

def plot_im2col(x, kh, kw, column=0, *, stride=1, padding=0, dilation=1):
    """Figure: the input (left) with the window of one column outlined, and the columns matrix (right).

    x : array of shape (H, W); ``column`` is 0-based in code, the caption counts from 1.
    Every cell shows its value; the chosen column and the pixels it copies are highlighted.
    Returns a matplotlib Figure made with ``pyplot``, as the figures of :mod:`cnnlearn.viz` are, so
    that Jupyter's inline backend shows it (a bare ``Figure`` shows up as its text only).
    """
    x = as_float_array(x, "x")
    if x.ndim != 2:
        raise ValueError(f"x must have shape (H, W), got shape {x.shape}")
    cols = im2col(x, kh, kw, stride, padding, dilation)
    L = cols.shape[1]
    column = as_int(column, "column", minimum=0)
    if column >= L:
        raise ValueError(f"column must be in 0..{L - 1} (there are Ho*Wo = {L} columns), got {column}")
    H, W = x.shape
    Ho, Wo = output_size((H, W), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    (sh, sw), (ph, pw), (dil_h, dil_w) = geometry(stride, padding, dilation)
    oi, oj = divmod(column, Wo)
    used = np.zeros((H, W), bool)
    for ki in range(kh):
        for kj in range(kw):
            r, c = oi * sh + ki * dil_h - ph, oj * sw + kj * dil_w - pw
            if 0 <= r < H and 0 <= c < W:
                used[r, c] = True
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(3 + 0.6 * L, 3.2), gridspec_kw={"width_ratios": [W, L]})
    ax0.imshow(used, cmap="Oranges", vmin=0, vmax=2)
    ax1.imshow(np.tile(np.arange(L) == column, (cols.shape[0], 1)), cmap="Oranges", vmin=0, vmax=2, aspect="auto")
    for (i, j), v in np.ndenumerate(x):
        ax0.text(j, i, f"{v:g}", ha="center", va="center")
    for (i, j), v in np.ndenumerate(cols):
        ax1.text(j, i, f"{v:g}", ha="center", va="center")
    ax0.set_title(f"X: window of y{oi + 1}{oj + 1}")
    ax1.set_title(f"cols: column {column + 1} is that window")
    ax0.set_xticks(range(W), [str(j + 1) for j in range(W)])
    ax0.set_yticks(range(H), [str(i + 1) for i in range(H)])
    ax1.set_xticks(range(L), [f"y{i + 1}{j + 1}" for i, j in np.ndindex(Ho, Wo)])
    ax1.set_yticks(range(cols.shape[0]), [f"f{ki + 1}{kj + 1}" for ki, kj in np.ndindex(kh, kw)]
                   if cols.shape[0] == kh * kw else range(1, cols.shape[0] + 1))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- learning a filter (notebook 03)

def plot_filter_learning(losses, w, w_true):
    """Gradient descent learning a filter: the loss at every step (log scale), the learned filter ``w`` and the
    filter ``w_true`` it should find, both of shape (kh, kw), as grids of numbers."""
    losses = np.asarray(losses, dtype=float)
    w, w_true = as_matrix(w, "w", "(kh, kw)"), as_matrix(w_true, "w_true", "(kh, kw)")
    if losses.ndim != 1 or not len(losses) or w.shape != w_true.shape:
        raise ValueError(f"losses must be a list of numbers and w, w_true of one shape, got {losses.shape}, "
                         f"{w.shape} and {w_true.shape}")
    kh, kw = w.shape
    fig, axes = plt.subplots(1, 3, figsize=(4.6 + 1.6 * kw, 2.9), gridspec_kw=dict(width_ratios=[3.2, kw, kw]))
    ax = axes[0]
    ax.semilogy(np.arange(len(losses)), losses, color=BLUE)
    ax.set_xlabel("step", fontsize=_FONT - 1)
    ax.set_ylabel("loss L", fontsize=_FONT - 1)
    ax.set_title("the loss falls", fontsize=_FONT, loc="left")
    ax.grid(alpha=0.3)
    _draw_grid(axes[1], kh, w, f"learned F ({len(losses)} steps)")
    _draw_grid(axes[2], kh, w_true, "F_edge (the answer)")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- input gradients (notebook 09)

def plot_maps(images, maps, titles=None, *, image_label="digit"):
    """Each image (top row) above its maps, one row per map.

    Parameters
    ----------
    images : array of shape (K, H, W)
        Pixels in [0, 1], drawn as ink on paper.
    maps : dict of row label -> array of shape (K, h, w)
        The maps, one row each, in order (any h, w: an occlusion map with a larger patch is smaller).
        A map with a negative entry is drawn on the series' diverging scale (:data:`DIVERGING`: vermilion above
        0, blue below, white at 0, symmetric for each image); a map without one with ``"hot"`` (black at 0,
        white at the map's largest value).
    titles : sequence of K strings, optional
    image_label : str
        The label of the top row.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (K, H, W), got shape {images.shape}")
    K = len(images)
    rows = {label: np.asarray(m) for label, m in maps.items()}
    for label, m in rows.items():
        if m.ndim != 3 or len(m) != K:
            raise ValueError(f"maps[{label!r}] must have shape ({K}, h, w), one map per image, got {m.shape}")
    fig, axes = plt.subplots(1 + len(rows), K, figsize=(1.3 * K, 1.45 * (1 + len(rows))), squeeze=False)
    for k in range(K):
        axes[0, k].imshow(images[k], cmap="gray_r", vmin=0, vmax=1)
        if titles is not None:
            axes[0, k].set_title(titles[k], fontsize=9)
        for r, m in enumerate(rows.values(), start=1):
            if (m < 0).any():
                top = float(np.abs(m[k]).max()) or 1.0
                axes[r, k].imshow(m[k], cmap=DIVERGING, vmin=-top, vmax=top)
            else:
                axes[r, k].imshow(m[k], cmap="hot")
        for ax in axes[:, k]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel(image_label)
    for r, label in enumerate(rows, start=1):
        axes[r, 0].set_ylabel(label)
    fig.tight_layout()
    return fig


def plot_saliency(images, maps, titles=None):
    """Each digit (top row) above its saliency map (bottom row); ``images`` and ``maps`` of shape (K, H, W)."""
    images, maps = np.asarray(images), np.asarray(maps)
    if images.ndim != 3 or maps.shape != images.shape:
        raise ValueError(f"images and maps must both have shape (K, H, W), got {images.shape} and {maps.shape}")
    return plot_maps(images, {"|dz_k/dX|": maps}, titles)


def plot_fgsm(net, x, label, epsilons):
    """One digit ``x`` of shape (1, C, H, W) attacked with each eps: the image, prediction and its probability."""
    x = as_images(x)
    dx = input_gradient(net, x, labels=label)
    fig, axes = plt.subplots(1, len(epsilons), figsize=(1.5 * len(epsilons), 2.0), squeeze=False)
    for ax, eps in zip(axes[0], epsilons):
        x_adv = fgsm(x, dx, eps)
        p = predict(net, x_adv)[0]
        ax.imshow(x_adv[0].max(axis=0), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"eps {eps:g}\n{p.argmax()} ({p.max():.0%})", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_accuracy_vs_eps(epsilons, accuracies, label=None, *, more=()):
    """Test accuracy against eps, a line with dots; ``more``: further lines as (label, epsilons, accuracies),
    each in its own colour and marker, with a legend when the lines have labels."""
    lines = [(label, epsilons, accuracies), *more]
    fig, ax = plt.subplots(figsize=(4.5, 3))
    for (name, eps, acc), colour, marker in zip(lines, (BLUE, POSITIVE, ORANGE, SKY), "os^D"):
        if len(eps) != len(acc):
            raise ValueError(f"every line needs one accuracy per eps, got {len(eps)} and {len(acc)}")
        ax.plot(eps, acc, marker=marker, linestyle="-", color=colour, label=name)
    ax.set_xlabel("eps (the largest change of any pixel)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    if any(name for name, _, _ in lines):
        ax.legend(fontsize=_FONT - 2)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- the whole network

def _mosaic(shape, layout):
    """Where each unit of a column of ``shape`` (C, H, W) sits in its picture, as the explorer lays it out: maps
    two across with a blank line between them, one line per map (flatten), one row per class. Returns the
    picture's shape and a ``(row, col)`` per unit, in the order of the units' flat indices."""
    C, H, W = shape
    if layout == "maps":
        across = 1 if C == 1 else 2
        where = [((c // across) * (H + 1) + i, (c % across) * (W + 1) + j)
                 for c in range(C) for i in range(H) for j in range(W)]
        return (-(-C // across) * (H + 1) - 1, across * (W + 1) - 1), where
    if layout == "flat":
        return (C, H * W), [(c, i * W + j) for c in range(C) for i in range(H) for j in range(W)]
    return (C, 1), [(c, 0) for c in range(C)]


def plot_network(net, x, label=None, *, view="forward", target=LOSS, unit=None):
    """The whole network for one image, one column per layer. Static twin of ``NetworkExplorer``.

    Parameters
    ----------
    net : Sequential
        Conv2D, ReLU, MaxPool2D, Flatten and Linear layers ending in the class scores (``digits_net.load()``).
    x : array of shape (C, H, W) or (1, C, H, W)
        The image.
    label : int, optional
        Its true class t: needed to backpropagate the loss.
    view : {"forward", "backward"}
        The values of every column, or dL/d(every column).
    target : "loss", "predicted" or a class k
        What the backward view backpropagates.
    unit : (column key, unit), optional
        A unit to trace, such as ``("a3", (3, 1, 0))``: the units it reads (forward) or the units whose gradient
        reaches it (backward) stay bright, the rest fade; the next layer's are outlined, and its caption is
        written underneath.

    Notes
    -----
    Colours: blue below 0, vermilion above, white at 0, each column scaled to its own largest size (its max,
    under its title), as in the widget. Running the network overwrites its caches and stored gradients.
    """
    if view not in ("forward", "backward"):
        raise ValueError(f"view must be 'forward' or 'backward', got {view!r}")
    trc = Trace(net, x)
    target = trc.predicted if target == "predicted" else target
    if view == "backward":
        target = trc.check_target(target, label)
    cols, rel = trc.columns, fields(trc.columns)
    specs = column_specs(cols, rel)
    shown = [L for L, c in enumerate(cols) if c.key != ("L" if view == "forward" else "p")]
    arrays = trc.values if view == "forward" else trc.gradients(target, label if target == LOSS else None)
    keys = [c.key for c in cols]
    lit, near, here = {}, {}, None
    if unit is not None:
        key, u = unit
        if key not in keys:
            raise ValueError(f"unit must be (column key, unit) with a key of {keys}, got {unit!r}")
        L = keys.index(key)
        u = tuple(int(v) for v in np.unravel_index(u, cols[L].shape)) if np.isscalar(u) else tuple(u)
        here = (L, u)
        others = [M for M in shown if (M < L if view == "forward" else M > L) and (L, M) in rel]
        for M in others:
            lit[M] = units(rel[L, M], u)
        if others:
            near[max(others) if view == "forward" else min(others)] = True
    pictures = [_mosaic(cols[L].shape, specs[L]["layout"]) for L in shown]
    # one size of unit for every column (the image's twice as big, a class a wide box), side by side, top-aligned
    unit_in = [0.14 if cols[L].kind == "input" else 0.42 if specs[L]["layout"] == "vector" else 0.07 for L in shown]
    boxes = [(shape[1] * w, shape[0] * (0.2 if specs[L]["layout"] == "vector" else w))
             for (shape, _), w, L in zip(pictures, unit_in, shown)]
    gap, top_in, bottom_in = 0.45, 1.0, 1.3
    fig_w = sum(max(w, 0.75) for w, _ in boxes) + gap * (len(boxes) - 1) + 1.2
    fig_h = max(h for _, h in boxes) + top_in + bottom_in
    fig = plt.figure(figsize=(fig_w, fig_h))
    axes, left = [], 0.3
    for w, h in boxes:
        axes.append(fig.add_axes((left / fig_w, 1 - (top_in + h) / fig_h, w / fig_w, h / fig_h)))
        left += max(w, 0.75) + gap
    axes = [axes]
    top = "L" if target == LOSS else f"z{target}"
    for ax, L, (shape, where) in zip(axes[0], shown, pictures):
        a = arrays[L].ravel()
        scale = float(np.abs(a).max()) or 1.0
        pic = np.full(shape, np.nan)
        for (r, c), v in zip(where, a):
            pic[r, c] = v
        ax.imshow(pic, cmap=DIVERGING, vmin=-scale, vmax=scale, interpolation="nearest", aspect="auto")
        title = f"start: {top}" if cols[L].kind == "target" else \
            specs[L]["title"][view].replace("{top}", top) + ": " + specs[L]["layer"]
        ax.set_title(f"{title}\nmax {cell_text(np.abs(a).max())}", fontsize=8, loc="left", family="monospace")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
        if specs[L]["layout"] == "vector":
            ax.set_yticks(range(len(a)), specs[L]["names"]["c"], fontsize=7)
            ax.tick_params(length=0)
            faded = here is not None and L != here[0] and L not in lit
            for (r, _), v in zip(where, a):
                ax.text(0, r, cell_text(v), ha="center", va="center", fontsize=5.5, zorder=3,
                        color="#595959" if faded else "white" if abs(v) > 0.55 * scale else "black")
        if here is not None and L != here[0] and L not in lit:
            dim = np.isfinite(pic)
            ax.imshow(np.dstack([np.ones(shape)] * 3 + [0.75 * dim]), interpolation="nearest", aspect="auto")
        elif L in lit:
            on = {(c * cols[L].shape[1] + i) * cols[L].shape[2] + j for c, i, j in lit[L]}
            fade = np.zeros(shape)
            for n, (r, c) in enumerate(where):
                fade[r, c] = 0.0 if n in on else 0.75
            ax.imshow(np.dstack([np.ones(shape)] * 3 + [fade]), interpolation="nearest", aspect="auto")
            if L in near:
                ax.add_collection(PatchCollection(
                    [Rectangle((where[n][1] - 0.5, where[n][0] - 0.5), 1, 1) for n in sorted(on)],
                    facecolor="none", edgecolor="black", linewidth=0.8))
        if here is not None and L == here[0]:
            C, H, W = cols[L].shape
            r, c = where[(here[1][0] * H + here[1][1]) * W + here[1][2]]
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor="none", edgecolor=ORANGE, linewidth=2.5))
    k, p = trc.predicted, trc.probabilities
    what = "values" if view == "forward" else f"gradients of {'the loss L' if target == LOSS else top}"
    fig.suptitle(f"{view}: {what}; the network reads {k} ({p[k]:.1%})"
                 + (f", the true label is {label}" if label is not None else ""), x=0.3 / fig_w, y=1 - 0.15 / fig_h,
                 ha="left", va="top", fontsize=10)
    lines = caption(trc, rel, view, *here, target=target, label=label) if here is not None else []
    fig.text(0.3 / fig_w, (bottom_in - 0.15) / fig_h, "blue below 0, vermilion above, white at 0; each column "
             "scaled to its own largest size (max)", fontsize=8, va="top")
    for n, line in enumerate(lines):
        fig.text(0.3 / fig_w, (bottom_in - 0.4 - 0.2 * n) / fig_h, line, fontsize=8, family="monospace", va="top")
    return fig
