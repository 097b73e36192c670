"""The check of the whole convolution layer's backward pass (06's last exercise, 07's capstone): right answers pass
(loops, numpy, the gather form, float32), each typical slip is first asserted really wrong on the check's cases,
then gets the hint that names it; other mistakes get a hint, never a traceback."""

import numpy as np
import pytest
from references import conv_layer_loops

import cnnlearn
from cnnlearn import checks
from cnnlearn.checks import layer
from cnnlearn.conv import dilate
from helpers import assert_really_wrong, unresolved


def runs():
    return [((dy, x, w, s, p), cnnlearn.conv2d_backward(dy, x, w, stride=s, padding=p))
            for _, x, w, dy, s, p in layer._cases()]


def assert_hint(feedback, *fragments):
    assert not feedback.ok, f"a wrong answer passed: {feedback!r}"
    for fragment in fragments:
        assert fragment in feedback.message, f"{fragment!r} not in {feedback.message!r}"


def student(dy, x, w, stride, padding, *, dx_step=None, dw_step=None, crop="centre", rotate=False,
            dw_batch="sum", dw_swap=False, dw_rotate=False, db=lambda dy: dy.sum(axis=(0, 2, 3))):
    """The notebook's way (a loop over the filter entries, numpy over the rest), with the slips a student makes."""
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    _, _, Ho, Wo = dy.shape
    s, P = stride, padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    dx_padded = np.zeros(x_padded.shape)
    dw = np.zeros((N,) + w.shape)
    filt = cnnlearn.rot180(w) if rotate else w
    for k in range(kh):
        for l in range(kw):
            a = s if dx_step is None else dx_step
            b = s if dw_step is None else dw_step
            rows, cols = slice(k, k + a * (Ho - 1) + 1, a), slice(l, l + a * (Wo - 1) + 1, a)
            dx_padded[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dy, filt[:, :, k, l])
            patch = x_padded[:, :, k:k + b * (Ho - 1) + 1:b, l:l + b * (Wo - 1) + 1:b]
            dw[..., k, l] = np.einsum("nfij,ncij->nfc", dy, patch)
    dw = {"sum": dw.sum(axis=0), "each": dw, "first": dw[0], "mean": dw.mean(axis=0)}[dw_batch]
    if dw_swap:
        dw = np.swapaxes(dw, 0, 1)
    if dw_rotate:
        dw = cnnlearn.rot180(dw)
    dx = {"centre": dx_padded[:, :, P:P + H, P:P + W], "corner": dx_padded[:, :, :H, :W], None: dx_padded,
          "batch": dx_padded[:, :, P:P + H, P:P + W].sum(axis=0)}[crop]
    return dx, dw, db(dy)


def gather(dy, x, w, stride, padding, *, swap=True):
    """dx as notebook 06 drew it: zero insertion, a full convolution with rot180(w), channels swapped, then crop."""
    N, C, H, W = x.shape
    _, _, kh, kw = w.shape
    P = padding
    full = cnnlearn.conv2d(np.pad(dilate(dy, (stride, stride)), ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1))),
                           np.swapaxes(cnnlearn.rot180(w), 0, 1) if swap else cnnlearn.rot180(w))
    dx_padded = np.zeros((N, C, H + 2 * P, W + 2 * P))
    rows, cols = min(full.shape[2], H + 2 * P), min(full.shape[3], W + 2 * P)
    dx_padded[:, :, :rows, :cols] = full[:, :, :rows, :cols]  # rows no window reached stay 0
    _, dw, db = student(dy, x, w, stride, padding)
    return dx_padded[:, :, P:P + H, P:P + W], dw, db


def test_exported():
    assert checks.check_conv_backward is layer.check_conv_backward


@pytest.mark.parametrize("fn", [conv_layer_loops, student, gather,
                                lambda dy, x, w, s, p: cnnlearn.conv2d_backward(dy, x, w, stride=s, padding=p),
                                lambda dy, x, w, s, p: tuple(a.astype(np.float32) for a in student(dy, x, w, s, p))],
                         ids=["loops", "filter entries", "gather", "package", "float32"])
def test_right_answers_pass(fn):
    fb = checks.check_conv_backward(fn)
    assert fb.ok, fb.message
    assert "capstone" in fb.message


def test_the_cases_hold_what_the_slips_need():
    cases = layer._cases()
    assert {s for *_, s, _ in cases} >= {1, 2} and {p for *_, p in cases} >= {0, 1, 2}
    assert any(len(x) > 1 for _, x, *_ in cases) and any(len(x) == 1 for _, x, *_ in cases)
    shapes = [(x.shape[1], w.shape[0]) for _, x, w, *_ in cases]
    assert any(c == f > 1 for c, f in shapes) and any(c != f for c, f in shapes)  # a swapped channel axis shows
    # a stride that leaves the last row of the input unreached, so the gather form must fill it with zeros
    assert any(s > 1 and (x.shape[2] + 2 * p - w.shape[2]) % s for _, x, w, _, s, p in cases)


def div(dy):
    return dy.sum(axis=(0, 2, 3)) / len(dy)


SLIPS = {
    "padding not cropped": (dict(crop=None), ["padded shape", "dx_padded[:, :, P:P + H, P:P + W]"]),
    "cropped at the corner": (dict(crop="corner"), ["top-left corner", "P pixels in from every side"]),
    "dx summed over the batch": (dict(crop="batch"), ["summed dx over the batch", "(N, C, H, W)"]),
    "stride ignored in dx": (dict(dx_step=1), ["dx ignores the stride", "i * stride:i * stride + kh"]),
    "stride ignored everywhere": (dict(dx_step=1, dw_step=1), ["dx ignores the stride"]),
    "rotated filter scattered": (dict(rotate=True), ["you rotated the filter", "cnnlearn.rot180(w)"]),
    "dw per example": (dict(dw_batch="each"), ["one dw per example", "sum over the batch axis"]),
    "dw of the first example": (dict(dw_batch="first"), ["only the first example"]),
    "dw a mean": (dict(dw_batch="mean"), ["divided dw by N"]),
    "dw channels swapped": (dict(dw_swap=True), ["first two axes swapped", "'nfij,ncij->fc'"]),
    "stride ignored in dw": (dict(dw_step=1), ["dw ignores the stride", "k:k + stride * (Ho - 1) + 1:stride"]),
    "dw rotated": (dict(dw_rotate=True), ["dw is rotated by 180 degrees"]),
    "db not over N": (dict(db=lambda dy: dy.sum(axis=(2, 3))), ["keeps the batch axis", "dy.sum(axis=(0, 2, 3))"]),
    "db not over Ho, Wo": (dict(db=lambda dy: dy.sum(axis=0)), ["keeps the output positions"]),
    "db one number": (dict(db=lambda dy: dy.sum()), ["one number, but there is one bias per filter"]),
    "db a mean": (dict(db=lambda dy: dy.mean(axis=(0, 2, 3))), ["your db is a mean"]),
    "db divided by N": (dict(db=div), ["divided db by N"]),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_every_slip_is_wrong_and_gets_its_hint(slip):
    options, fragments = SLIPS[slip]

    def fn(dy, x, w, s, p):
        return student(dy, x, w, s, p, **options)
    assert_really_wrong(fn, runs())
    assert_hint(checks.check_conv_backward(fn), *fragments)


def test_channels_swapped_in_the_gather_form():
    def fn(dy, x, w, s, p):
        return gather(dy, x, w, s, p, swap=False)   # raises where C != C_out, wrong where C == C_out
    assert_really_wrong(fn, runs())
    assert_hint(checks.check_conv_backward(fn), "uses w[c, f]", "np.swapaxes(cnnlearn.rot180(w), 0, 1)")


def test_what_the_hints_recommend_passes():
    """The code the hints name (the crop, the padding, the slices, the swapped rotation, db) makes a right answer."""
    def recommended(dy, x, w, stride, padding):
        H, W = x.shape[2:]
        kh, kw = w.shape[2:]
        Ho, Wo = dy.shape[2:]
        x_padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))   # as the padding hint says
        dx_padded, dw = np.zeros(x_padded.shape), np.zeros(w.shape)
        for i in range(Ho):
            for j in range(Wo):
                dx_padded[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw] += np.einsum(
                    "nf,fckl->nckl", dy[:, :, i, j], w)
        for k in range(kh):
            for l in range(kw):
                patch = x_padded[:, :, k:k + stride * (Ho - 1) + 1:stride, l:l + stride * (Wo - 1) + 1:stride]
                dw[:, :, k, l] = np.einsum("nfij,ncij->fc", dy, patch)
        P = padding
        return dx_padded[:, :, P:P + H, P:P + W], dw, dy.sum(axis=(0, 2, 3))
    assert checks.check_conv_backward(recommended).ok
    assert checks.check_conv_backward(gather).ok   # np.swapaxes(cnnlearn.rot180(w), 0, 1), cnnlearn.conv.dilate


def test_a_wrong_number_is_named_by_its_code_index():
    def doubled_dw(dy, x, w, s, p):
        dx, dw, db = student(dy, x, w, s, p)
        return dx, 2 * dw, db
    assert_really_wrong(doubled_dw, runs())
    assert_hint(checks.check_conv_backward(doubled_dw), "indices from 0", "dw[0, 0, 0, 0] should be",
                "x_padded[n, 0, i * stride + 0, j * stride + 0]")

    def off_dx(dy, x, w, s, p):
        dx, dw, db = student(dy, x, w, s, p)
        return dx + (x.shape[1] > 1), dw, db    # right until the first case with channels
    assert_really_wrong(off_dx, runs())
    assert_hint(checks.check_conv_backward(off_dx), "C = 3", "dx[0, 0, 0, 0] should be", "every filter f")

    def off_db(dy, x, w, s, p):
        dx, dw, db = student(dy, x, w, s, p)
        return dx, dw, db + 1
    assert_really_wrong(off_db, runs())
    assert_hint(checks.check_conv_backward(off_db), "db[0] is dy[:, 0].sum()")


def test_sizes_written_into_the_code_get_blamed_on_what_is_new():
    def one_example(dy, x, w, s, p):
        dx, dw, db = student(dy, x, w, s, p)
        x.reshape(x.shape[1:])                       # works only for N = 1
        return dx, dw, db
    assert_really_wrong(one_example, runs())
    assert_hint(checks.check_conv_backward(one_example), "raised ValueError", "first case with a batch (N = 3)")

    def no_padding(dy, x, w, s, p):
        N, C, H, W = x.shape
        _, _, kh, kw = w.shape
        Ho, Wo = dy.shape[2:]
        dw = np.zeros(w.shape)
        for k in range(kh):
            for l in range(kw):                      # the unpadded input: too few rows where P > 0
                met = x[:, :, k:k + s * (Ho - 1) + 1:s, l:l + s * (Wo - 1) + 1:s]
                dw[:, :, k, l] = np.einsum("nfij,ncij->fc", dy, met)
        return student(dy, x, w, s, p)[0], dw, dy.sum(axis=(0, 2, 3))
    assert_really_wrong(no_padding, runs())
    assert_hint(checks.check_conv_backward(no_padding), "first case with padding (P = 1)",
                "`np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))`")


def test_other_mistakes_get_a_hint():
    def stub(dy, x, w, s, p):
        raise NotImplementedError()
    assert_hint(checks.check_conv_backward(stub), "not written yet")
    assert_hint(checks.check_conv_backward(lambda dy, x, w, s, p: student(dy, x, w, s, p)[:2]), "three arrays")
    assert_hint(checks.check_conv_backward(lambda dy, x, w, s, p: student(dy, x, w, s, p)[::-1][1:] + (None,)),
                "returned None for db")

    def swapped(dy, x, w, s, p):
        dx, dw, db = student(dy, x, w, s, p)
        return dw, dx, db
    assert_hint(checks.check_conv_backward(swapped), "in the order dx, dw, db")

    def mutates(dy, x, w, s, p):
        out = student(dy, x, w, s, p)
        x *= 0
        return out
    assert_hint(checks.check_conv_backward(mutates), "changed its argument x")


def test_hints_name_only_apis_that_exist():
    texts = [slip.text for slip in layer._slips() if isinstance(slip.text, str)]
    assert "cnnlearn.conv.dilate" in " ".join(texts)
    assert unresolved(" ".join(texts) + layer.__doc__) == []
