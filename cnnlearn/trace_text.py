r"""What the network explorer and its static twin write about a traced network: unit names, column titles, the
captions of every unit (forward: what it computes; backward: its chain-rule sum with its numbers) and the
compact texts a frame ships.

Names follow notebook 07 and are 1-based, like everything a student reads: ``x[2,5]`` is the image's pixel in
row 2, column 5 (``x[0, 0, 1, 4]`` in code), ``a3[4,2,1]`` map 4, row 2, column 1 of the third layer's output,
``a6[97]`` entry 97 of the flattened vector, ``z3`` and ``p3`` the score and probability of class 3 (classes are
named by their digit, as in notebook 09).

A caption is a few template lines per column and view; :func:`fill` puts in the numbers of one unit, looked up
in the frames (:func:`frame_text`) and in :func:`cnnlearn.trace.fields`. The explorer's JavaScript does the same
lookups, so a page never shows a number Python did not write. Where a chain-rule sum is long (a convolution's
input feeds up to C_out x kh x kw units) a frame ships only its :data:`TERMS` biggest terms and the sum of the
rest; a Linear layer of a few outputs shows all of its terms.
"""

import re

import numpy as np

from .notation import cell_text, plural
from .trace import LOSS

__all__ = ["column_specs", "encode_fields", "frame_text", "fill", "caption", "page_texts", "TERMS"]

#: How many terms of a long chain-rule sum a caption shows (the biggest in size).
TERMS = 3
#: A Linear layer with at most this many outputs shows every term of its inputs' sums.
ALL_TERMS = 12

_PLACEHOLDER = re.compile(r"\{([a-z.]+)\}")
_TERM = "({g})({w})"
_JOIN = " + "


def _names(col):
    """How the units of ``col`` are named: a prefix and suffix around per-axis parts (or one part per unit)."""
    C, H, W = col.shape
    sym = col.symbol
    if sym in ("z", "p", "L"):  # classes are named by their digit, as in notebook 09
        return {"pre": sym, "suf": "", "c": [str(k) for k in range(C)] if sym != "L" else [""], "i": [""],
                "j": [""]}
    if col.kind in ("flatten", "linear"):
        return {"pre": f"{sym}[", "suf": "]", "units": [str(n + 1) for n in range(C * H * W)]}
    chans = [""] if col.kind == "input" and C == 1 else [f"{c + 1}," for c in range(C)]
    return {"pre": f"{sym}[", "suf": "]", "c": chans, "i": [f"{i + 1}," for i in range(H)],
            "j": [str(j + 1) for j in range(W)]}


def unit_name(spec, u):
    """The name of unit ``u`` = (c, i, j) of the column ``spec`` (one of :func:`column_specs`)."""
    names, (_, H, W) = spec["names"], spec["shape"]
    c, i, j = u
    if "units" in names:
        return names["pre"] + names["units"][(c * H + i) * W + j] + names["suf"]
    return names["pre"] + names["c"][c] + names["i"][i] + names["j"][j] + names["suf"]


def _span(idx, word):
    idx = [k + 1 for k in idx]
    if len(idx) == 1:
        return f"{word} {idx[0]}"
    if idx == list(range(idx[0], idx[-1] + 1)):
        return f"{word}s {idx[0]}\u2013{idx[-1]}"
    return f"{word}s " + ", ".join(map(str, idx))


def _shape_text(col):
    C, H, W = col.shape
    if col.symbol in ("z", "p"):
        return f"{C} classes" if C != 1 else "1 class"
    if col.kind == "target":
        return "one number"
    if col.kind in ("flatten", "linear"):
        return f"{C * H * W} numbers in a row"
    return f"{plural(C, 'map')} of {H}\u00d7{W}"


def _forward_lines(cols, L):
    col = cols[L]
    below = cols[L - 1] if L else None
    layer = col.layer
    field = "its receptive field in x: {rfrows}, {rfcols}"
    if col.kind == "input":
        return ["{name} = {value}", "one pixel of the image"]
    if col.kind == "conv":
        C, (kh, kw) = layer.in_channels, layer.kernel_size
        return ["{name} = {value}",
                f"filter {{c}} of {col.title} over its {kh}\u00d7{kw} window of {below.symbol}, in "
                f"{'its' if C == 1 else 'all'} {plural(C, 'channel')}, plus the filter's bias", field]
    if col.kind == "ReLU":
        return ["{name} = max({below}, 0) = max({below.value}, 0) = {value}", field]
    if col.kind == "max pool":
        kh, kw = layer.kernel_size
        return ["{name} = {value}", f"the largest of its {kh}\u00d7{kw} window of map {{c}} of {below.symbol}", field]
    if col.kind == "flatten":
        return ["{name} = {below} = {value}",
                f"flatten lines the {plural(below.shape[0], 'map')} of {below.symbol} up, one after the other", field]
    if col.kind == "linear" and col.symbol != "z":
        return ["{name} = {value}", f"a weighted sum of all of {below.symbol}, plus a bias"]
    return []  # the logits and p: whole lines per unit, in the frame


def _sum_kind(cols, fields, L):
    """How column L's backward captions get their chain-rule terms: ``one`` (a single sender, its factor a 0 or 1
    of the forward pass), ``all`` (every term, from the gradients above and the weights) or ``many`` (the
    biggest terms, shipped per frame)."""
    above = cols[L + 1]
    if above.kind in ("ReLU", "flatten"):
        return "one"
    if above.kind == "max pool" and all(len(s) == 1 for axis in fields[L, L + 1][1:] for s in axis):
        return "one"
    if above.kind == "linear" and above.shape[0] <= ALL_TERMS:
        return "all"
    return "many"


def _backward_lines(cols, L, kind):
    col, above = cols[L], cols[L + 1]
    head = "\u2202{top}/\u2202{name} = {value}"
    if above.kind == "ReLU":
        return [head, "= \u2202{top}/\u2202{above} \u00b7 [{name} > 0] = {above.value} \u00b7 {local}",
                f"(ReLU passes the gradient on where its input {col.symbol} was positive)"]
    if above.kind == "max pool" and kind == "one":
        return [head, "= \u2202{top}/\u2202{above} \u00b7 [{name} is the largest of its window] "
                "= {above.value} \u00b7 {local}",
                "(max pooling sends each window's gradient to the window's largest value)"]
    if above.kind == "flatten":
        return [head, "= \u2202{top}/\u2202{above} = {above.value}", "(flatten only lines the numbers up)"]
    if kind == "all":
        return [head, f"= \u03a3_k \u2202{{top}}/\u2202{above.symbol}k \u00b7 w[k, {{n}}], over the "
                      f"{plural(above.shape[0], 'score')} {above.symbol}k it feeds (w: the linear layer's weights)",
                "= {terms}"]
    factor = {"max pool": "[it is the largest of the window]",
              "conv": "the weight of the filter that meets it"}.get(above.kind, "the weight that joins the two")
    return [head, f"= \u03a3 \u2202{{top}}/\u2202{above.symbol} \u00b7 {factor}, over the {{count}} units of "
                  f"{above.symbol} ({above.title}) it feeds",
            "= {terms}{more}", "the biggest terms come from {froms}"]


def column_specs(cols, fields):
    """What the page needs to know about each column, once: names, layout, titles and caption templates."""
    specs = []
    for L, col in enumerate(cols):
        C, H, W = col.shape
        spec = {"key": col.key, "kind": col.kind, "shape": [C, H, W], "names": _names(col),
                "size": _shape_text(col),
                "layout": "vector" if col.kind in ("linear", "softmax", "target") and H * W == 1 else
                          "flat" if col.kind in ("flatten", "linear") else "maps",
                "views": {"p": ["forward"], "L": ["backward"]}.get(col.key, ["forward", "backward"]),
                "same": cols[L - 1].key if col.kind == "flatten" else None,
                "layer": col.title,
                "title": {"forward": col.symbol,
                          "backward": "start" if col.kind == "target" else "\u2202{top}/\u2202" + col.symbol},
                "forward": _forward_lines(cols, L) if col.kind != "target" else [],
                "backward": [], "sum": None, "term": _TERM, "join": _JOIN}
        if L < len(cols) - 3:
            spec["sum"] = _sum_kind(cols, fields, L)
            spec["backward"] = _backward_lines(cols, L, spec["sum"])
            if spec["sum"] == "all":
                w = cols[L + 1].layer.params["w"]
                spec["w"] = [" ".join(cell_text(v) for v in row) for row in w]
        if col.kind not in ("input", "target", "softmax") and col.symbol != "z" and (L, 0) in fields:
            spec["rfrows"] = [_span(r, "row") for r in fields[L, 0][1]]
            spec["rfcols"] = [_span(c, "column") for c in fields[L, 0][2]]
        specs.append(spec)
    return specs


def _ranges(idx):
    """``[0, 1, 2, 5]`` as ``"0-2,5"``."""
    out, start = [], None
    for k, v in enumerate(idx):
        if start is None:
            start = v
        if k + 1 == len(idx) or idx[k + 1] != v + 1:
            out.append(str(v) if v == start else f"{start}-{v}")
            start = None
    return ",".join(out)


def encode_fields(fields, shapes):
    """:func:`cnnlearn.trace.fields` as the page gets it: ``{"L:M": [channels, rows, cols]}``, each axis one string
    of per-index sets separated by ``;``, each set as ranges (``"0-2,5"``), or ``*`` for the whole axis of column
    M (``shapes[M]``), so that the page can light a whole column up at once."""
    def axis_text(axis, n):
        return ";".join("*" if s == list(range(n)) else _ranges(s) for s in axis)
    return {f"{L}:{M}": [axis_text(axis, n) for axis, n in zip(rel, shapes[M])] for (L, M), rel in fields.items()}


# --------------------------------------------------------------------------- frames

def _biggest(products):
    """The indices of the :data:`TERMS` biggest ``products`` in size (the first of equal ones first), and the
    phrase for the rest ('' if none), their sum added up from the biggest down."""
    products = np.asarray(products, dtype=float)
    order = np.argsort(-np.abs(products), kind="stable")
    rest = order[TERMS:]
    more = "" if not rest.size else f" + {rest.size} more, together {cell_text(sum(products[rest].tolist()))}"
    return order[:TERMS], more


def _many(term_arrays):
    """One unit's long chain-rule sum (:meth:`cnnlearn.trace.Trace.term_arrays`) as shipped: its number of terms,
    the phrase for the rest, then each biggest term's sender (a flat index into the column above) and factor
    dv/du, separated by ``|``."""
    senders, _, factors, products = term_arrays
    shown, more = _biggest(products)
    parts = [str(len(products)), more]
    for k in shown:
        parts += [str(senders[k]), cell_text(factors[k])]
    return "|".join(parts)


def _every(shape):
    C, H, W = shape
    return [(c, i, j) for c in range(C) for i in range(H) for j in range(W)]


def frame_text(trc, view, target, label, fields, levels=None):
    """Everything one frame of :class:`cnnlearn.trace.Trace` ``trc`` ships: per column the texts and colour
    codes of its values (forward) or gradients (backward), and its largest size; and what the captions take.

    ``target`` is ``"loss"`` (at the class ``label``) or a class k, for the backward view; ``levels(a, scale)``
    gives the colour codes (none when None). A forward frame also carries the 0-or-1 factors of the forward pass (ReLU's
    [a > 0], max pooling's [largest of its window]) that the backward captions of the same image use.
    """
    cols = trc.columns
    backward = view == "backward"
    arrays = trc.gradients(target, label if target == LOSS else None) if backward else trc.values
    out = {"values": {}, "colours": {}, "max": {}, "lines": {}, "one": {}, "many": {}, "top": ""}
    for L, col in enumerate(cols):
        if col.key == ("p" if backward else "L") or col.kind == "flatten":
            continue  # a flatten column shows the numbers of the column below it
        a = arrays[L]
        scale = float(np.abs(a).max())
        out["values"][col.key] = " ".join(cell_text(v) for v in a.ravel())
        out["colours"][col.key] = levels(a, scale) if levels else ""
        out["max"][col.key] = cell_text(scale)
    z, p = trc.values[-3].ravel(), trc.values[-2].ravel()
    K, logits = len(z), cols[-3].key
    if not backward:
        lin, below = cols[-3].layer, trc.values[-4].ravel()
        lines = []
        for k in range(K):
            w = lin.params["w"][k]
            shown, more = _biggest(list(w * below))
            terms = _JOIN.join(_TERM.format(g=cell_text(w[n]), w=cell_text(below[n])) for n in shown)
            lines.append([f"z{k} = {cell_text(z[k])}",
                          f"= b{k} + \u03a3 w[{k}, n] \u00b7 {cols[-4].symbol}[n], over the {len(below)} numbers n "
                          f"it reads (row {k} of the linear layer's weights w)",
                          f"= {cell_text(lin.params['b'][k])} + {terms}{more}"])
        out["lines"][logits] = lines
        out["lines"]["p"] = [[f"p{k} = {cell_text(p[k])}",
                              f"= e^z{k} / \u03a3_j e^z_j, the softmax of all {K} scores"
                              + (" (the largest: the network's answer)" if k == int(np.argmax(p)) else "")]
                             for k in range(K)]
        for L, col in enumerate(cols[:-3]):
            if cols[L + 1].kind != "flatten" and _sum_kind(cols, fields, L) == "one":
                out["one"][col.key] = "".join(str(int(v)) for v in trc.factors(L).ravel())
        return out
    g = arrays[-3].ravel()
    if target == LOSS:
        out["top"] = "L"
        out["lines"][logits] = [[f"\u2202L/\u2202z{k} = {cell_text(g[k])}",
                                 f"= p{k} \u2212 T{k} = {cell_text(p[k])} \u2212 {int(k == label)}",
                                 "(softmax and cross-entropy together: dL/dz = p \u2212 T, notebook 02)"]
                                for k in range(K)]
        out["lines"]["L"] = [[f"L = \u2212log p{label} = {cell_text(trc.loss(label))}, the loss at the label {label}",
                              "the backward pass starts here: \u2202L/\u2202L = 1"]]
    else:
        out["top"] = f"z{target}"
        out["lines"][logits] = [[f"\u2202z{target}/\u2202z{k} = {int(k == target)}",
                                 f"(the score z{k} itself)" if k == target else
                                 f"(another score: z{k} does not change z{target})"] for k in range(K)]
        out["lines"]["L"] = [[f"z{target} = {cell_text(z[target])}, the score of class {target}",
                              f"the backward pass starts here: \u2202z{target}/\u2202z{target} = 1"]]
    for L, col in enumerate(cols[:-3]):
        if _sum_kind(cols, fields, L) == "many":
            rel = fields[L, L + 1]
            out["many"][col.key] = "#".join(_many(trc.term_arrays(L, u, target, label, rel))
                                             for u in _every(col.shape))
    return out


# --------------------------------------------------------------------------- filling a caption

def _value(frame, specs, M, u):
    spec = specs[M]
    C, H, W = spec["shape"]
    c, i, j = u
    return frame["values"][spec["same"] or spec["key"]].split(" ")[(c * H + i) * W + j]


def _first(fields, L, M, u):
    chans, rows, cols = fields[L, M]
    return chans[u[0]][0], rows[u[1]][0], cols[u[2]][0]


def fill(specs, fields, forward, frame, view, L, u):
    """The caption lines of unit ``u`` of column L, as the page shows them: the Python twin of ``fill`` in
    ``network.js``. ``forward`` is the image's forward frame, ``frame`` the frame shown (the same in the forward
    view), ``fields`` those of :func:`cnnlearn.trace.fields`."""
    spec = specs[L]
    c, i, j = u
    C, H, W = spec["shape"]
    flat = (c * H + i) * W + j
    lines = frame["lines"].get(spec["key"])
    if lines is not None:
        return list(lines[flat])
    look = {"name": unit_name(spec, u), "value": _value(frame, specs, L, u), "top": frame["top"],
            "c": str(c + 1), "n": str(flat + 1)}
    if "rfrows" in spec:
        look["rfrows"], look["rfcols"] = spec["rfrows"][i], spec["rfcols"][j]
    if view == "forward" and L > 0:
        b = _first(fields, L, L - 1, u)
        look["below"], look["below.value"] = unit_name(specs[L - 1], b), _value(frame, specs, L - 1, b)
    if view == "backward":
        above = specs[L + 1]
        a = _first(fields, L, L + 1, u)
        look["above"], look["above.value"] = unit_name(above, a), _value(frame, specs, L + 1, a)
        if spec["key"] in forward["one"]:
            look["local"] = forward["one"][spec["key"]][flat]
        if spec["sum"] == "all":
            look["terms"] = spec["join"].join(
                spec["term"].format(g=_value(frame, specs, L + 1, (k, 0, 0)), w=row.split(" ")[flat])
                for k, row in enumerate(spec["w"]))
        if spec["sum"] == "many":
            parts = frame["many"][spec["key"]].split("#")[flat].split("|")
            Ca, Ha, Wa = above["shape"]
            senders = [(int(n) // (Ha * Wa), int(n) // Wa % Ha, int(n) % Wa) for n in parts[2::2]]
            look["count"], look["more"] = parts[0], parts[1]
            look["terms"] = spec["join"].join(spec["term"].format(g=_value(frame, specs, L + 1, s), w=w)
                                              for s, w in zip(senders, parts[3::2]))
            look["froms"] = ", ".join(unit_name(above, s) for s in senders)
    return [_PLACEHOLDER.sub(lambda m: look[m.group(1)], line) for line in spec[view]]


def caption(trc, fields, view, L, u, target=LOSS, label=None):
    """The caption lines of unit ``u`` of column L of the :class:`cnnlearn.trace.Trace` ``trc``, as the explorer
    writes them (``fields`` from :func:`cnnlearn.trace.fields`)."""
    specs = column_specs(trc.columns, fields)
    forward = frame_text(trc, "forward", None, label, fields)
    frame = forward if view == "forward" else frame_text(trc, "backward", target, label, fields)
    return fill(specs, fields, forward, frame, view, L, u)


def page_texts(stops):
    """The page's fixed words: the views' buttons, the legend and its colour stops, the hints, the status
    messages. ``stops`` is ``[[text, background, text colour], ...]`` from ``cnnlearn.widgets``' scale."""
    return {
        "scale": "Colour scale:",
        "score": "the score z{k} of class {k}",
        "forward": "Forward: values",
        "backward": "Backward: gradients",
        "input": "image",
        "target": "backpropagate",
        "legend": "blue below 0, vermilion above, white exactly 0; each column scaled to its own largest size "
                  "(max, under its title). Names count from 1: a3[4,2,1] is map 4, row 2, column 1.",
        "hint": {
            "forward": "Hover a unit, or Tab to a column and move with the arrow keys (Page Up and Page Down change "
                       "the map): the units it reads light up, with a thick outline in the layer just below, and "
                       "its receptive field through every layer down to the image. Enter pins it, Escape lets go.",
            "backward": "Hover or focus a unit: the units of the layer above that send it gradient light up (thick "
                        "outline), and every unit further up its gradient comes from; the caption gives its "
                        "chain-rule sum with its numbers. Enter pins it, Escape lets go."},
        "missing": "No answer from Python: this choice is computed by Python when asked for, so it needs the "
                   "notebook running in Jupyter. The loss and the predicted class's score of every image are here.",
        "waiting": "Asking Python for these gradients\u2026",
        "stops": stops,
    }
