"""The checks of notebook 09's saliency and occlusion exercises: the right answers (loops in references.py) pass,
float32 too; each typical wrong answer, written here as a student would, is first shown to be wrong on the check's
cases, then must get its own hint and no other's."""

import numpy as np
import pytest
from references import loop_occlusion, loop_saliency

import cnnlearn
from cnnlearn import checks
from cnnlearn.checks import check_occlusion_map, check_saliency_map, maps
from helpers import assert_really_wrong, assert_slip_named, unresolved

# --- the saliency map ----------------------------------------------------------------------------------------


def _backward_from(net, x, dz_of):
    z = net.forward(x)
    return net.backward(dz_of(z))


def _one_hot(classes):
    def dz_of(z):
        dz = np.zeros_like(z)
        dz[np.arange(len(z)), classes] = 1.0
        return dz
    return dz_of


def no_abs(net, x, classes):
    return _backward_from(net, x, _one_hot(classes)).max(axis=1)


def channels_summed(net, x, classes):
    return np.abs(_backward_from(net, x, _one_hot(classes))).sum(axis=1)


def first_channel(net, x, classes):
    return np.abs(_backward_from(net, x, _one_hot(classes))[:, 0])


def every_class(net, x, classes):
    def dz_of(z):
        dz = np.zeros_like(z)
        dz[:, classes] = 1.0
        return dz
    return np.abs(_backward_from(net, x, dz_of)).max(axis=1)


def predicted_class(net, x, classes):
    return loop_saliency(net, x, net.forward(x).argmax(axis=1))


def loss_gradient(net, x, classes):
    return np.abs(_backward_from(net, x, lambda z: cnnlearn.cross_entropy_backward(z, classes))).max(axis=1)


def probability_gradient(net, x, classes):
    def dz_of(z):
        p = cnnlearn.softmax(z, axis=1)
        rows = np.arange(len(z))
        onehot = np.zeros_like(z)
        onehot[rows, classes] = 1.0
        return p[rows, classes][:, None] * (onehot - p)
    return np.abs(_backward_from(net, x, dz_of)).max(axis=1)


def normalised(net, x, classes):
    m = loop_saliency(net, x, classes)
    return m / m.max(axis=(1, 2), keepdims=True)


SALIENCY_WRONG = {
    "absolute value forgotten": (no_abs, ["forgot the absolute value"]),
    "channels summed": (channels_summed, ["added up the channels"]),
    "first channel only": (first_channel, ["only the first channel"]),
    "every class of the batch": (every_class, ["dz[:, classes] = 1", "a single 1"]),
    "predicted class": (predicted_class, ["the class the network predicts"]),
    "loss gradient": (loss_gradient, ["|dL/dX|", "gradient of the loss"]),
    "probability": (probability_gradient, ["probability p_k"]),
    "normalised": (normalised, ["divided each map by its largest value", "not normalised"]),
}


def saliency_runs():
    return [((net, x, classes), loop_saliency(net, x, classes)) for _, net, x, classes, _ in maps._cases()]


def test_exported():
    assert checks.check_saliency_map is check_saliency_map and checks.check_occlusion_map is check_occlusion_map


def test_saliency_right_answer_passes_float32_too():
    assert check_saliency_map(loop_saliency), check_saliency_map(loop_saliency).message
    fb = check_saliency_map(lambda net, x, k: loop_saliency(net, x, k).astype(np.float32))
    assert fb, fb.message


def test_saliency_cases_tell_the_slips_apart():
    """The classes given differ from the predicted ones somewhere, and one case has two channels."""
    cases = maps._cases()
    assert any((net.forward(x).argmax(axis=1) != k).any() for _, net, x, k, _ in cases)
    assert any(x.shape[1] > 1 for _, _, x, _, _ in cases) and any(x.shape[1] == 1 for _, _, x, _, _ in cases)
    assert len({len(np.unique(k)) for _, _, _, k, _ in cases}) >= 2


@pytest.mark.parametrize("slip", sorted(SALIENCY_WRONG))
def test_each_saliency_slip_is_wrong_and_named(slip):
    assert_slip_named(check_saliency_map, SALIENCY_WRONG, slip, saliency_runs())


def test_saliency_channel_axis_kept_gets_a_shape_hint():
    def kept(net, x, classes):
        return np.abs(_backward_from(net, x, _one_hot(classes)))

    def squeezed(net, x, classes):  # right for C = 1, the channel axis kept for C = 2
        return np.abs(_backward_from(net, x, _one_hot(classes))).squeeze()
    for fn in (kept, squeezed):
        assert_really_wrong(fn, saliency_runs())
        fb = check_saliency_map(fn)
        assert not fb.ok and "the channel axis is still there" in fb.message and ".max(axis=1)" in fb.message


def test_saliency_other_error_names_a_pixel_and_the_recipe():
    fb = check_saliency_map(lambda net, x, k: 2 * loop_saliency(net, x, k))
    assert not fb.ok and "map[0, " in fb.message and "indices as in your code, from 0" in fb.message
    assert "dz[np.arange(N), classes] = 1" in fb.message


def test_saliency_stub_none_and_mutation():
    def stub(net, x, classes):
        raise NotImplementedError()
    assert "not written yet" in check_saliency_map(stub).message
    assert "returned None" in check_saliency_map(lambda net, x, k: None).message

    def mutating(net, x, classes):
        x *= 1.0 + 1e-3
        return loop_saliency(net, x, classes)
    assert "changed its argument x" in check_saliency_map(mutating).message


# --- the occlusion map ---------------------------------------------------------------------------------------


def _loops(net, x, classes, size, *, fill=0.5, copy_once=False, channel=None, score=None, short=0):
    """A student's occlusion loops, and their slips."""
    score = score or (lambda z, k: z[np.arange(len(z)), k])
    N, C, H, W = x.shape
    before = score(net.forward(x), classes)
    drop = np.zeros((N, H - size + 1 - short, W - size + 1 - short))
    x_grey = x.copy()
    for i in range(H - size + 1 - short):
        for j in range(W - size + 1 - short):
            if not copy_once:
                x_grey = x.copy()
            if channel is None:
                x_grey[:, :, i:i + size, j:j + size] = fill
            else:
                x_grey[:, channel, i:i + size, j:j + size] = fill
            drop[:, i, j] = before - score(net.forward(x_grey), classes)
    return drop


def _probability(z, k):
    return cnnlearn.softmax(z, axis=1)[np.arange(len(z)), k]


OCCLUSION_WRONG = {
    "rise": (lambda net, x, k, s: -_loops(net, x, k, s), ["opposite sign", "the rise of the score"]),
    "absolute value": (lambda net, x, k, s: np.abs(_loops(net, x, k, s)), ["you took the absolute value"]),
    "copied once": (lambda net, x, k, s: _loops(net, x, k, s, copy_once=True),
                    ["grey patches pile up", "x_grey = x.copy() inside the loops"]),
    "erased": (lambda net, x, k, s: _loops(net, x, k, s, fill=0.0), ["set the patch to 0"]),
    "size ignored": (lambda net, x, k, s: _loops(net, x, k, 1), ["one entry per pixel whatever the size"]),
    "one short": (lambda net, x, k, s: _loops(net, x, k, s, short=1), ["one position short"]),
    "probability": (lambda net, x, k, s: _loops(net, x, k, s, score=_probability), ["the probability p_k"]),
    "predicted": (lambda net, x, k, s: _loops(net, x, net.forward(x).argmax(axis=1), s),
                  ["the class the network predicts"]),
    "first channel": (lambda net, x, k, s: _loops(net, x, k, s, channel=0), ["greyed only the first channel"]),
}


def occlusion_runs():
    return [((net, x, classes, size), loop_occlusion(net, x, classes, size)) for _, net, x, classes, size in
            maps._cases()]


def test_occlusion_right_answer_passes_float32_too():
    fb = check_occlusion_map(loop_occlusion)
    assert fb, fb.message
    fb = check_occlusion_map(lambda net, x, k, s: loop_occlusion(net, x, k, s).astype(np.float32))
    assert fb, fb.message


def test_occlusion_tries_several_sizes():
    """A size written into the code would pass a check that tried only one."""
    assert len({size for *_, size in maps._cases()}) >= 2

    def fixed(net, x, classes, size):
        return loop_occlusion(net, x, classes, 1)
    fb = check_occlusion_map(fixed)
    assert not fb.ok and "whatever the size" in fb.message


@pytest.mark.parametrize("slip", sorted(OCCLUSION_WRONG))
def test_each_occlusion_slip_is_wrong_and_named(slip):
    assert_slip_named(check_occlusion_map, OCCLUSION_WRONG, slip, occlusion_runs())


def test_occlusion_other_error_names_the_position_and_its_two_scores():
    fb = check_occlusion_map(lambda net, x, k, s: 1.5 * loop_occlusion(net, x, k, s))
    assert not fb.ok and "drop[0, 0, 0] (indices as in your code, from 0)" in fb.message
    assert "z_k(X) - z_k(X with x[0, :, 0:1, 0:1] = 0.5) = " in fb.message


def test_occlusion_stub_none_and_mutation():
    def stub(net, x, classes, size):
        raise NotImplementedError()
    assert "not written yet" in check_occlusion_map(stub).message
    assert "returned None" in check_occlusion_map(lambda net, x, k, s: None).message

    def mutating(net, x, classes, size):
        out = loop_occlusion(net, x, classes, size)
        x[:, :, :size, :size] = 0.5
        return out
    assert "changed its argument x" in check_occlusion_map(mutating).message


def test_the_hints_name_only_what_exists():
    texts = [check_saliency_map(fn).message for fn, _ in SALIENCY_WRONG.values()]
    texts += [check_occlusion_map(fn).message for fn, _ in OCCLUSION_WRONG.values()]
    assert unresolved("\n".join(texts)) == []
