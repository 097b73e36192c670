"""cnnlearn: backpropagation through a convolution, computed live.

The names below are the public API; each lives in a module of its own.
Every public function checks its arguments and raises TypeError or ValueError with a message that
names the argument. Non-finite input (NaN or infinity in x, w, b, dy, logits, labels) raises ValueError:
a NaN would otherwise spread silently through every number a notebook shows.
"""

# the trainable CNN of notebooks 07 and 08 (cnnlearn.layers.Conv2D, ...)
from . import datasets, digits_net, layers, optim
from .conv import (
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_naive,
    input_gradient_by_full_conv,
    rot180,
)
from .equations import filter_gradient_equation, forward_equation, input_gradient_equation, update_equation
from .example import worked_example
from .gradcheck import numerical_gradient, rel_error
from .losses import cross_entropy, cross_entropy_backward, softmax
from .receptive import contributions, output_size

__version__ = "0.1.0"

__all__ = [
    "conv2d",
    "conv2d_backward",
    "conv2d_naive",
    "conv2d_backward_naive",
    "input_gradient_by_full_conv",
    "rot180",
    "softmax",
    "cross_entropy",
    "cross_entropy_backward",
    "numerical_gradient",
    "rel_error",
    "contributions",
    "output_size",
    "forward_equation",
    "input_gradient_equation",
    "filter_gradient_equation",
    "update_equation",
    "worked_example",
    "datasets",
    "digits_net",
    "layers",
    "optim",
]
