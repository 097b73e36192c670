"""The check of notebook 08's exercise: the right answer passes, each typical slip gets its own hint.

Each wrong answer is first shown to be wrong against a loop reference written here, then the check must name it.
"""

import numpy as np
import pytest
from references import network_input_gradient

import cnnlearn
from cnnlearn.checks import check_input_gradient_of_network
from cnnlearn.checks.frameworks import _case


def loop_reference(net, x, labels):
    """dL/dX by the chain rule written out: softmax, (p - T) / N, then the layers from the last to the first."""
    z = net.forward(x)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    T = np.zeros_like(p)
    for n, t in enumerate(labels):
        T[n, t] = 1.0
    grad = (p - T) / len(labels)
    for k in range(len(net.layers) - 1, -1, -1):
        grad = net.layers[k].backward(grad)
    return grad


def summed(net, x, labels):
    return network_input_gradient(net, x, labels) * len(labels)


def divided_twice(net, x, labels):
    return network_input_gradient(net, x, labels) / len(labels)


def not_reversed(net, x, labels):
    grad = cnnlearn.cross_entropy_backward(net.forward(x), labels)
    for layer in net.layers:
        grad = layer.backward(grad)
    return grad


def last_layer_only(net, x, labels):
    return net.layers[-1].backward(cnnlearn.cross_entropy_backward(net.forward(x), labels))


def dlogits(net, x, labels):
    return cnnlearn.cross_entropy_backward(net.forward(x), labels)


def mutates_x(net, x, labels):
    x -= x.mean()
    return network_input_gradient(net, x, labels)


def wrong_sign(net, x, labels):
    return -network_input_gradient(net, x, labels)


def test_right_answer_passes_and_matches_the_loop_reference():
    net, x, labels = _case()
    assert np.allclose(network_input_gradient(net, x, labels), loop_reference(net, x, labels), rtol=1e-12, atol=1e-15)
    feedback = check_input_gradient_of_network(network_input_gradient)
    assert feedback, feedback.message


@pytest.mark.parametrize("answer, words", [
    (summed, "3 times too large"),
    (divided_twice, "3 times too small"),
    (wrong_sign, "wrong sign"),
    (last_layer_only, "inner layer"),
    (dlogits, "gradient of the"),
])
def test_typical_slips_are_named(answer, words):
    net, x, labels = _case()
    got, want = answer(net, x.copy(), labels), loop_reference(net, x, labels)
    assert got.shape != want.shape or not np.allclose(got, want)   # the slip really is wrong
    feedback = check_input_gradient_of_network(answer)
    assert not feedback and words in feedback.message, feedback.message


def test_layers_in_forward_order_get_the_reverse_hint():
    net, x, labels = _case()
    with pytest.raises(ValueError):
        not_reversed(net, x, labels)                                 # the slip really fails
    feedback = check_input_gradient_of_network(not_reversed)
    assert not feedback and "reversed(net.layers)" in feedback.message, feedback.message


def test_mutating_x_is_named():
    net, x, labels = _case()
    x_copy = x.copy()
    mutates_x(net, x_copy, labels)
    assert not np.array_equal(x_copy, x)
    feedback = check_input_gradient_of_network(mutates_x)
    assert not feedback and "changed its argument x" in feedback.message, feedback.message


def test_stub_and_non_function_get_hints():
    def stub(net, x, labels):
        raise NotImplementedError()
    assert "not written yet" in check_input_gradient_of_network(stub).message
    assert "pass the function itself" in check_input_gradient_of_network(network_input_gradient(*_case())).message


def test_a_shape_in_a_message_is_not_the_layer_order():
    """The layer-order hint is named when the answer fails as the forward order does, not when a message
    happens to contain "shape" (issue 18)."""
    def raises_key_error(net, x, labels):
        raise KeyError("shape")
    feedback = check_input_gradient_of_network(raises_key_error)
    assert not feedback and "raised KeyError" in feedback.message and "reversed" not in feedback.message
