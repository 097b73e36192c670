r"""Geometry of a convolution: output size, and which input pixel meets which output pixel.

Everything here is about positions only, never values. It answers the question at
the heart of the backward pass: *which output pixels does this input pixel feed,
and through which filter entry?*
"""

from .validate import as_int, as_pair, as_shape


def geometry(stride=1, padding=0, dilation=1):
    """Check stride/padding/dilation and return them as three ``(h, w)`` pairs."""
    return (as_pair(stride, "stride", minimum=1),
            as_pair(padding, "padding", minimum=0),
            as_pair(dilation, "dilation", minimum=1))


def output_size(input_shape, kernel_shape, *, stride=1, padding=0, dilation=1):
    r"""Spatial size ``(Ho, Wo)`` of a convolution's output.

    Parameters
    ----------
    input_shape : (H, W)
        Spatial size of the input.
    kernel_shape : (kh, kw)
        Spatial size of the filter.
    stride, padding, dilation : int or (int, int)

    Notes
    -----
    .. math:: H_o = \left\lfloor \frac{H + 2 P - d (k_h - 1) - 1}{s} \right\rfloor + 1

    and the same for the width.
    """
    H, W = as_shape(input_shape, "input_shape", (2,))
    kh, kw = as_shape(kernel_shape, "kernel_shape", (2,))
    (sh, sw), (ph, pw), (dil_h, dil_w) = geometry(stride, padding, dilation)
    span_h, span_w = dil_h * (kh - 1) + 1, dil_w * (kw - 1) + 1
    if span_h > H + 2 * ph or span_w > W + 2 * pw:
        raise ValueError(
            f"the filter ({kh}x{kw}, dilation {(dil_h, dil_w)}, so it spans {span_h}x{span_w}) is larger than "
            f"the padded input ({H}x{W} plus padding {(ph, pw)} is {H + 2 * ph}x{W + 2 * pw}); "
            "use a smaller kernel or dilation, or more padding")
    return ((H + 2 * ph - span_h) // sh + 1, (W + 2 * pw - span_w) // sw + 1)


def shapes(input_shape, kernel_shape, *, stride=1, padding=0, dilation=1):
    """The checked ``(H, W)``, ``(kh, kw)`` and output ``(Ho, Wo)`` of a convolution, and its geometry as a dict
    of ``stride``, ``padding`` and ``dilation`` to pass on."""
    H, W = as_shape(input_shape, "input_shape", (2,))
    kh, kw = as_shape(kernel_shape, "kernel_shape", (2,))
    geo = dict(stride=stride, padding=padding, dilation=dilation)
    return (H, W), (kh, kw), output_size((H, W), (kh, kw), **geo), geo


def contributions(input_shape, kernel_shape, *, stride=1, padding=0, dilation=1):
    r"""Map every input pixel to the output pixels it feeds.

    Parameters
    ----------
    input_shape : (H, W)
    kernel_shape : (kh, kw)
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    dict
        ``{(i, j): [((oi, oj), (ki, kj)), ...]}`` for every input pixel ``(i, j)``
        (0-based, unpadded coordinates): each pair names an output pixel the input
        pixel feeds and the filter entry that multiplies it there, ordered by output
        pixel row by row. A pixel that feeds nothing (possible with stride > 1)
        maps to an empty list.

    Notes
    -----
    Input row ``i`` meets filter row ``ki`` in output row ``oi`` exactly when

    .. math:: s\,o_i + d\,k_i = i + P,

    so for each filter row there is at most one output row; the same holds for columns.
    """
    H, W = as_shape(input_shape, "input_shape", (2,))
    kh, kw = as_shape(kernel_shape, "kernel_shape", (2,))
    Ho, Wo = output_size((H, W), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    (sh, sw), (ph, pw), (dil_h, dil_w) = geometry(stride, padding, dilation)
    rows = [_meets(i + ph, kh, sh, dil_h, Ho) for i in range(H)]
    cols = [_meets(j + pw, kw, sw, dil_w, Wo) for j in range(W)]
    return {(i, j): sorted(((oi, oj), (ki, kj)) for oi, ki in rows[i] for oj, kj in cols[j])
            for i in range(H) for j in range(W)}


def _meets(pos, k, s, d, n_out):
    """The ``(output index, kernel index)`` pairs with ``s*o + d*k == pos`` along one axis."""
    out = []
    for ki in range(k):
        r = pos - ki * d
        if r >= 0 and r % s == 0 and r // s < n_out:
            out.append((r // s, ki))
    return out


def window(out_index, input_shape, kernel_shape, *, stride=1, padding=0, dilation=1):
    """The input pixels one output pixel reads, as ``[((i, j), (ki, kj)), ...]``.

    ``out_index`` is ``(oi, oj)``, 0-based. Filter entries that fall on the zero
    padding are left out, so the list can be shorter than ``kh * kw``.
    """
    Ho, Wo = output_size(input_shape, kernel_shape, stride=stride, padding=padding, dilation=dilation)
    oi, oj = check_index(out_index, (Ho, Wo), "output pixel")
    H, W = input_shape
    kh, kw = kernel_shape
    (sh, sw), (ph, pw), (dil_h, dil_w) = geometry(stride, padding, dilation)
    out = []
    for ki in range(kh):
        for kj in range(kw):
            i, j = oi * sh + ki * dil_h - ph, oj * sw + kj * dil_w - pw
            if 0 <= i < H and 0 <= j < W:
                out.append(((i, j), (ki, kj)))
    return out


def check_index(index, shape, what):
    """Check a 0-based 2-D ``index`` against grid ``shape`` and return it as a tuple of ints."""
    try:
        i, j = index
    except (TypeError, ValueError):
        raise TypeError(f"{what} index must be a pair (row, col), got {index!r}") from None
    i, j = as_int(i, f"{what} row", minimum=0), as_int(j, f"{what} column", minimum=0)
    if i >= shape[0] or j >= shape[1]:
        raise ValueError(f"{what} ({i}, {j}) is outside the {shape[0]}x{shape[1]} grid "
                         f"(0-based rows 0..{shape[0] - 1}, columns 0..{shape[1] - 1})")
    return i, j
