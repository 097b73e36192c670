"""The worked example the whole series follows: a 3x3 input, a 2x2 filter, one label.

Every notebook and widget starts from these numbers, so a student meets the
same X, F, Y and dL/dY everywhere. Only the input and the filter are typed in;
everything else is computed by the package.
"""

from types import SimpleNamespace

import numpy as np

from .conv import conv2d
from .losses import cross_entropy, cross_entropy_backward, softmax

X = ((1.0, 0.0, 2.0),
     (2.0, 1.0, 0.0),
     (0.0, 1.0, 1.0))
FILTER = ((0.5, -1.0),
          (1.0, 0.5))
LABEL = 3  # the true class: the 4th of the four scores y11, y12, y21, y22


def worked_example():
    """Fresh arrays for the worked example.

    Returns
    -------
    SimpleNamespace with
        x : (3, 3) input; w : (2, 2) filter; y : (2, 2) output, conv2d(x, w);
        logits : (1, 4), y flattened row by row into four class scores (n = 1 example);
        label : int, the true class; p : (1, 4) softmax probabilities; loss : float;
        dlogits : (1, 4) dL/dlogits = p - onehot; dy : (2, 2) the same numbers as a map, dL/dY.
    """
    x, w = np.array(X), np.array(FILTER)
    y = conv2d(x, w)
    logits = y.reshape(1, 4)
    dlogits = cross_entropy_backward(logits, [LABEL])
    return SimpleNamespace(x=x, w=w, y=y, logits=logits, label=LABEL, p=softmax(logits),
                           loss=cross_entropy(logits, [LABEL]), dlogits=dlogits, dy=dlogits.reshape(2, 2))
