"""Check functions for the exercises: ``cnnlearn.checks.check_<name>(answer)``.

Each takes the student's exercise function and returns a :class:`Feedback`:
a short confirmation when right, a specific hint when not, never a traceback.
"""

from ._feedback import Feedback
from .adversarial import check_fgsm  # notebook 09
from .basics import (  # notebooks 00, 01, 02, 05
    check_central_difference,
    check_conv_forward,
    check_cross_entropy,
    check_logit_gradient,
    check_output_length,
    check_relative_error,
    check_softmax,
    check_window_sum,
)
from .frameworks import check_input_gradient_of_network  # notebook 08
from .gradients import (  # notebooks 03, 04, 06
    check_bias_gradient,
    check_dx22_line,
    check_feed_counts,
    check_filter_gradient,
    check_filter_gradient_batch,
    check_filter_gradient_strided,
    check_input_gradient,
    check_input_gradient_strided,
)
from .im2col import check_col2im  # notebook 10
from .layer import check_conv_backward  # notebooks 06 and 07
from .maps import check_occlusion_map, check_saliency_map  # notebook 09
from .training import (  # notebook 07
    check_capstone,
    check_linear_backward,
    check_max_pool_backward,
    check_relu_backward,
)

__all__ = [
    "Feedback",
    "check_window_sum", "check_conv_forward", "check_output_length", "check_softmax", "check_cross_entropy",
    "check_logit_gradient", "check_central_difference", "check_relative_error",
    "check_filter_gradient", "check_filter_gradient_batch", "check_feed_counts", "check_input_gradient",
    "check_dx22_line", "check_filter_gradient_strided", "check_input_gradient_strided", "check_bias_gradient",
    "check_conv_backward", "check_linear_backward", "check_max_pool_backward", "check_relu_backward", "check_capstone",
    "check_input_gradient_of_network", "check_saliency_map", "check_occlusion_map", "check_fgsm", "check_col2im",
]
