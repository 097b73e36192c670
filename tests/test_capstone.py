"""Notebook 07's capstone: the digits network trained with the student's own backward functions.

The layers take a backward function of one's own (read-only arguments, checked results), build_network plugs
four of them in, and the tests prove that the plugged-in functions are the ones that ran: they are called as
often as the network has such layers per step, they give the package's losses, and a deliberately wrong one
changes what the network learns (and the capstone's check refuses it). The functions are the reference solutions
of the exercises, read from notebooks 06 and 07 themselves.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from references import conv_layer_loops

import cnnlearn
from cnnlearn import checks, datasets, digits_net
from cnnlearn.layers import Conv2D, Linear, MaxPool2D, ReLU

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOLUTIONS = {"conv": ("06_beyond_the_toy.ipynb", "nb06-conv_backward"),
             "relu": ("07_train_a_cnn.ipynb", "nb07-relu_backward"),
             "pool": ("07_train_a_cnn.ipynb", "nb07-max_pool_backward"),
             "linear": ("07_train_a_cnn.ipynb", "nb07-linear_backward")}


def _exercise_source(notebook, grade_id):
    cells = json.loads((NOTEBOOKS / notebook).read_text())["cells"]
    (cell,) = [c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id]
    return "".join(cell["source"])


def _define(source):
    namespace = {"np": np, "cnnlearn": cnnlearn}
    exec(compile(source, "<exercise>", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def solutions():
    """The four reference solutions, as the notebooks hold them."""
    found = {}
    for kind, (notebook, grade_id) in SOLUTIONS.items():
        namespace = _define(_exercise_source(notebook, grade_id))
        found[kind] = namespace[grade_id.split("-", 1)[1]]
    return found


@pytest.fixture(scope="module")
def data():
    return datasets.load_digits()


def test_the_capstone_brings_06s_conv_backward_unchanged():
    assert (_exercise_source("07_train_a_cnn.ipynb", "nb07-conv_backward")
            == _exercise_source("06_beyond_the_toy.ipynb", "nb06-conv_backward"))


def test_the_reference_solutions_pass_their_checks_and_the_capstone(solutions):
    for kind, check in (("conv", checks.check_conv_backward), ("relu", checks.check_relu_backward),
                        ("pool", checks.check_max_pool_backward), ("linear", checks.check_linear_backward)):
        assert check(solutions[kind]).ok, kind
    fb = checks.check_capstone(solutions)
    assert fb.ok and "the recipe's 900 steps take about" in fb.message, fb.message


def counting(functions, calls):
    def wrap(kind, fn):
        def call(*args):
            calls[kind] += 1
            return fn(*args)
        return call
    return {kind: wrap(kind, fn) for kind, fn in functions.items()}


def test_the_plugged_in_functions_are_the_ones_that_ran(solutions, data):
    calls = dict.fromkeys(solutions, 0)
    mine = digits_net.build_network(seed=0, backward=counting(solutions, calls))
    theirs = digits_net.build_network(seed=0)
    h_mine = digits_net.train(mine, data, epochs=2, slow_from=2)
    h_theirs = digits_net.train(theirs, data, epochs=2, slow_from=2)
    steps = digits_net.steps_per_run(len(data.y_train), epochs=2)
    # per step: two convolutions, two ReLUs, one max pooling, one linear layer
    assert calls == {"conv": 2 * steps, "relu": 2 * steps, "pool": steps, "linear": steps}
    np.testing.assert_allclose(h_mine["loss"], h_theirs["loss"], rtol=1e-9)   # the same gradients, step by step
    for key, p in mine.params.items():
        np.testing.assert_allclose(p, theirs.params[key], rtol=1e-6, atol=1e-9, err_msg=key)


def test_a_wrong_plugged_in_function_changes_what_the_network_learns(solutions, data):
    def no_filter_gradient(dy, x, w, stride, padding):
        dx, dw, db = solutions["conv"](dy, x, w, stride, padding)
        return dx, np.zeros_like(dw), db
    wrong = dict(solutions, conv=no_filter_gradient)
    net = digits_net.build_network(seed=0, backward=wrong)
    start = {key: p.copy() for key, p in net.params.items()}
    digits_net.train(net, data, epochs=1)
    assert np.array_equal(net.params["0.w"], start["0.w"]) and np.array_equal(net.params["3.w"], start["3.w"])
    assert not np.array_equal(net.params["6.w"], start["6.w"])        # the linear layer still learned
    fb = checks.check_capstone(wrong)
    assert not fb and fb.message.startswith("finish conv_backward first (exercise 4")


@pytest.mark.parametrize("kind, name", [("linear", "linear_backward"), ("relu", "relu_backward"),
                                        ("pool", "max_pool_backward"), ("conv", "conv_backward")])
def test_the_capstone_says_what_to_finish_first(solutions, kind, name):
    def stub(*args):
        raise NotImplementedError()
    fb = checks.check_capstone(dict(solutions, **{kind: stub}))
    assert not fb and fb.message.startswith(f"finish {name} first") and "not written yet" in fb.message


def test_too_slow_functions_get_an_estimate_instead_of_training(solutions):
    """A per-pixel loop conv_backward is right but slow: one step is timed and extrapolated (the limit is set
    below any real step here, so no test depends on the machine's speed)."""
    slow = dict(solutions, conv=conv_layer_loops)
    fb = checks.check_capstone(slow, max_seconds=1e-6)
    assert not fb
    for fragment in ("too slow to train with here", "one training step took", "the recipe's 900 steps would take",
                     "of each step is spent inside your conv_backward", "loop only over the kh x kw filter entries",
                     "max_seconds="):
        assert fragment in fb.message, fb.message
    print("\na per-pixel-loop conv_backward:", fb.message)


def test_a_function_that_fails_only_inside_the_network_is_named(solutions):
    def small_only(dy, x, w, stride, padding):
        if x.shape[1] > 3:
            raise ValueError("written for at most 3 channels")
        return solutions["conv"](dy, x, w, stride, padding)
    fb = checks.check_capstone(dict(solutions, conv=small_only))
    assert not fb and "your conv_backward passes its check but raised ValueError in the network" in fb.message
    assert "(32, 16, 4, 4)" in fb.message and "written for at most 3 channels" in fb.message

    def short_dx(dy, x, w):
        dx, dw, db = solutions["linear"](dy, x, w)
        return (dx[:16] if len(dx) == 32 else dx), dw, db
    fb = checks.check_capstone(dict(solutions, linear=short_dx))
    assert not fb and "Linear: its backward function linear_backward returned dx of shape (16, 512)" in fb.message


def test_the_capstone_needs_all_four(solutions):
    fb = checks.check_capstone({"conv": solutions["conv"]})
    assert not fb and "pass a dict with your four backward functions" in fb.message
    assert not checks.check_capstone([solutions["conv"]])


def test_steps_and_timing():
    assert digits_net.steps_per_run() == 20 * 45 == 900
    assert digits_net.steps_per_run(64, epochs=2, batch=32) == 4 and digits_net.steps_per_run(65, epochs=1) == 3
    times = digits_net.time_step({"relu": lambda dy, x: np.where(x > 0, dy, 0.0)}, steps=2)
    assert set(times) == {"step", "relu"} and 0 < times["relu"] < times["step"]


# --------------------------------------------------------------------------- the layers' own backward

def test_a_layer_gives_its_function_read_only_arrays_and_checks_what_comes_back():
    seen = {}

    def conv_backward(dy, x, w, stride, padding):
        seen.update(stride=stride, padding=padding)
        for a in (dy, x, w):
            with pytest.raises(ValueError, match="read-only"):
                a[...] = 0
        return cnnlearn.conv2d_backward(dy, x, w, stride=stride, padding=padding)
    layer = Conv2D(2, 3, 3, stride=2, padding=1, rng=0, backward=conv_backward)
    package = Conv2D(2, 3, 3, stride=2, padding=1, rng=0)
    x = np.random.default_rng(1).normal(size=(2, 2, 5, 5))
    dy = np.ones(layer.forward(x).shape)
    package.forward(x)
    np.testing.assert_array_equal(layer.backward(dy), package.backward(dy))
    np.testing.assert_array_equal(layer.grads["w"], package.grads["w"])
    assert seen == {"stride": 2, "padding": 1}
    assert repr(layer) == "Conv2D(2, 3, kernel_size=3, stride=2, padding=1, backward=conv_backward)"

    def wrong_shape(dy, x, w, stride, padding):
        dx, dw, db = cnnlearn.conv2d_backward(dy, x, w, stride=stride, padding=padding)
        return dx, dw[:, :1], db
    layer = Conv2D(2, 3, 3, rng=0, backward=wrong_shape)
    layer.forward(x)
    with pytest.raises(ValueError, match=r"wrong_shape returned dw of shape \(3, 1, 3, 3\), but dw must have "
                                         r"shape \(3, 2, 3, 3\)"):
        layer.backward(np.ones((2, 3, 3, 3)))


@pytest.mark.parametrize("make, words", [
    (lambda: Conv2D(1, 2, 3, stride=(1, 2), backward=print), "one stride for both axes"),
    (lambda: Conv2D(1, 2, 3, dilation=2, backward=print), "no dilation argument"),
    (lambda: MaxPool2D((2, 3), backward=print), "one kernel_size for both axes"),
    (lambda: ReLU(backward=3), "backward must be a function or None"),
    (lambda: digits_net.build_network(backward={"softmax": print}), "unknown key"),
    (lambda: digits_net.build_network(backward=[print]), "must be a dict"),
])
def test_a_backward_function_the_layer_cannot_use_is_refused(make, words):
    with pytest.raises((TypeError, ValueError), match=words):
        make()


def test_relu_pool_and_linear_call_their_functions():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 4, 4))
    relu = ReLU(backward=lambda dy, x: np.where(x > 0, dy, 0.0))
    dy = rng.normal(size=x.shape)
    relu.forward(x)
    np.testing.assert_array_equal(relu.backward(dy), np.where(x > 0, dy, 0.0))
    assert repr(relu) == "ReLU(backward=<lambda>)"

    pool = MaxPool2D(2, backward=lambda dy, x, k, s: cnnlearn.layers.max_pool2d_backward(dy, x, k, s) * 2)
    y = pool.forward(x)
    np.testing.assert_array_equal(pool.backward(np.ones(y.shape)),
                                  2 * cnnlearn.layers.max_pool2d_backward(np.ones(y.shape), x, 2))

    linear = Linear(4, 3, rng=0, backward=lambda dy, x, w: (dy @ w, dy.T @ x, dy.sum(axis=0)))
    plain = Linear(4, 3, rng=0)
    xs, dys = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    linear.forward(xs)
    plain.forward(xs)
    np.testing.assert_array_equal(linear.backward(dys), plain.backward(dys))
    linear = Linear(4, 3, rng=0, backward=lambda dy, x, w: (dy @ w, dy.T @ x))
    linear.forward(xs)
    with pytest.raises(ValueError, match="must return 3 arrays, dx, dw, db, got a tuple of length 2"):
        linear.backward(dys)
