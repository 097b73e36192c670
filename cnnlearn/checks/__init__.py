"""Check functions for the exercises: ``cnnlearn.checks.check_<name>(answer)``.

Each takes the student's exercise function and returns a :class:`Feedback`:
a short confirmation when right, a specific hint when not, never a traceback.
"""

from ._feedback import Feedback

__all__ = ["Feedback"]

from . import basics  # noqa: E402  (notebooks 00, 01, 02, 05)
from .basics import (  # noqa: E402
    check_central_difference, check_conv_forward, check_cross_entropy, check_logit_gradient,
    check_output_length, check_relative_error, check_softmax, check_window_sum,
)

__all__ += basics.__all__

from . import training  # noqa: E402  (notebook 07)
from .training import check_linear_backward, check_max_pool_backward, check_relu_backward  # noqa: E402

__all__ += training.__all__

from . import gradients  # noqa: E402  (notebooks 03, 04, 06)
from .gradients import (  # noqa: E402
    check_bias_gradient, check_dx22_line, check_feed_counts, check_filter_gradient, check_filter_gradient_batch,
    check_filter_gradient_strided, check_input_gradient, check_input_gradient_strided,
)

__all__ += gradients.__all__

from .frameworks import check_input_gradient_of_network  # noqa: E402  (notebook 08)

__all__ += ["check_input_gradient_of_network"]
from . import im2col  # noqa: E402  (notebook 10)
from .im2col import check_col2im  # noqa: E402

__all__ += im2col.__all__
from . import adversarial  # noqa: E402  (notebook 09)
from .adversarial import check_fgsm  # noqa: E402

__all__ += adversarial.__all__
