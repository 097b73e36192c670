r"""Widgets that show a convolution and its backward pass, drawn in the browser.

Every grid widget is an :class:`ipywidgets.VBox` holding one :class:`GridView` (an anywidget) and, where
it has them, ipywidgets controls. Python computes everything a grid widget shows, once per configuration,
from :func:`cnnlearn.contributions`, :func:`cnnlearn.receptive.window`, the equation generators and
the convolution functions, and ships it in the widget state; the JavaScript (``grid.js``) only draws
and looks up, so hover, click, keyboard and play answer in the browser with no kernel.

Notebook 09's two pixel widgets are anywidgets of their own, each with its CSS contract in its module:
:class:`AttackExplorer` (``attack.py``: an eps slider over frames computed once, so it too needs no
kernel) and :class:`DrawingPad` (``drawpad.py``: the drawing happens in the browser; only the
network's answer about it comes from Python). So is :class:`NetworkExplorer` (``network.py``), the whole
trained network of notebooks 07 and 09 for one image, forward and backward, every unit traceable.

CSS contract, relied on by tests that drive a real browser:

- each widget's root carries ``cnnlearn-widget`` plus its own class
  (``cnnlearn-explorer``, ``cnnlearn-stepper``, ``cnnlearn-softmax``,
  ``cnnlearn-filter-explorer``, ``cnnlearn-fullconv``, ``cnnlearn-im2col``, ``cnnlearn-attack``,
  ``cnnlearn-drawpad``, ``cnnlearn-network``);
- every grid cell carries ``cnnlearn-<grid>-<row>-<col>`` (0-based) with grid one
  of ``x, y, f, dx, dy, df`` (and ``cols`` in :class:`Im2colExplorer`);
- highlighted cells also carry ``cnnlearn-hl``; the pinned (clicked) cell carries
  ``cnnlearn-sel`` as well; a pairing number sits in the cell's ``.cnnlearn-mark``.

Every widget can be driven from Python (``select``, ``step_to``, ``configure``, ``highlighted``,
``marks``), which is how the unit tests check its logic. Only API that exists in both
ipywidgets 7.7 and 8 is used, and no Accordion or Tab (Colab's widget manager breaks them).
"""

from ._grid import GridView
from .attack import AttackExplorer
from .drawpad import DrawingPad
from .explorer import ContributionExplorer
from .filter_explorer import FilterGradientExplorer
from .fullconv import FullConvAnimation
from .im2col_explorer import Im2colExplorer
from .network import NetworkExplorer
from .softmax import SoftmaxPlayground
from .stepper import ForwardStepper

__all__ = ["ForwardStepper", "SoftmaxPlayground", "ContributionExplorer", "FilterGradientExplorer",
           "FullConvAnimation", "Im2colExplorer", "GridView", "AttackExplorer", "DrawingPad",
           "NetworkExplorer"]
