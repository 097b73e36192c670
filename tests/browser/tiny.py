"""A tiny notebook with one small browser-side grid (an anywidget), for the tests of the harness itself.

The grid follows the CSS contract of the series' widgets (root class, cells ``cnnlearn-x-<r>-<c>``,
``cnnlearn-hl`` while hovered or focused, ``cnnlearn-sel`` once pinned, an ARIA grid with one Tab stop
and arrow keys), and a Play button is linked to its ``step`` trait in the browser (``jslink``), so the
offline edition, the front-end tests and the latency probe can be checked before and apart from the
series' own widgets. Which cells light up comes from a ``lookup`` computed in Python, as in the series.
"""

import nbformat

ROOT_CLASS = "cnnlearn-tiny"

# The keydown listener sits on the window, in the capture phase: Notebook 7 swallows arrow keys
# before a widget sees them (see shared notes on front-end widgets).
ESM = r"""
function render({ model, el }) {
  const [H, W] = model.get("shape");
  const lookup = model.get("lookup");
  el.classList.add("cnnlearn-tiny");
  const grid = document.createElement("div");
  grid.setAttribute("role", "grid");
  grid.setAttribute("aria-label", "input X, " + H + " by " + W);
  grid.className = "cnnlearn-tiny-grid";
  const cells = {};
  let focus = [0, 0];
  for (let r = 0; r < H; r++) {
    const row = document.createElement("div");
    row.setAttribute("role", "row");
    for (let c = 0; c < W; c++) {
      const cell = document.createElement("div");
      cell.setAttribute("role", "gridcell");
      cell.className = "cnnlearn-x-" + r + "-" + c;
      cell.tabIndex = r === 0 && c === 0 ? 0 : -1;
      cell.textContent = String(model.get("values")[r][c]);
      cell.setAttribute("aria-label", "x" + (r + 1) + (c + 1) + " = " + cell.textContent);
      cell.addEventListener("mouseenter", () => show(r, c));
      cell.addEventListener("mouseleave", () => show(null));
      cell.addEventListener("focus", () => { focus = [r, c]; show(r, c); });
      cell.addEventListener("click", () => pin(r, c));
      cells[r + "," + c] = cell;
      row.appendChild(cell);
    }
    grid.appendChild(row);
  }
  const step = document.createElement("div");
  step.className = "cnnlearn-tiny-step";
  step.setAttribute("aria-live", "polite");
  const showStep = () => { step.textContent = "step " + model.get("step"); };
  showStep();
  model.on("change:step", showStep);
  el.appendChild(grid);
  el.appendChild(step);

  function show(r, c) {
    for (const cell of Object.values(cells)) cell.classList.remove("cnnlearn-hl");
    if (r === null) return;
    for (const [rr, cc] of lookup[r + "," + c] || []) cells[rr + "," + cc].classList.add("cnnlearn-hl");
  }
  function pin(r, c) {
    for (const cell of Object.values(cells)) cell.classList.remove("cnnlearn-sel");
    cells[r + "," + c].classList.add("cnnlearn-sel");
    model.set("selected", [r, c]);
    try { model.save_changes(); } catch (e) { /* a static page has no kernel */ }
  }
  function onKey(event) {
    if (!grid.contains(event.target)) return;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (event.key in moves) {
      const [dr, dc] = moves[event.key];
      const r = Math.min(H - 1, Math.max(0, focus[0] + dr)), c = Math.min(W - 1, Math.max(0, focus[1] + dc));
      cells[focus[0] + "," + focus[1]].tabIndex = -1;
      cells[r + "," + c].tabIndex = 0;
      cells[r + "," + c].focus();
    } else if (event.key === "Enter" || event.key === " ") {
      pin(focus[0], focus[1]);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
  window.addEventListener("keydown", onKey, true);
  return () => window.removeEventListener("keydown", onKey, true);
}
export default { render };
"""

CSS = """
.cnnlearn-tiny [role=row] { display: flex; }
.cnnlearn-tiny [role=gridcell] { width: 2.5em; height: 2.5em; display: flex; align-items: center;
  justify-content: center; border: 1px solid #555; color: #000; background: #fff; }
.cnnlearn-tiny .cnnlearn-hl { background: #9ecae1; }
.cnnlearn-tiny .cnnlearn-sel { outline: 3px solid #08519c; }
"""

WIDGET_CELL = f'''import anywidget
import ipywidgets as W
import traitlets as T

class Tiny(anywidget.AnyWidget):
    _esm = {ESM!r}
    _css = {CSS!r}
    shape = T.List([3, 3]).tag(sync=True)
    values = T.List([[1, 0, 2], [2, 1, 0], [0, 1, 1]]).tag(sync=True)
    # cell -> the cells it lights up: itself and its right and lower neighbours (computed here, once)
    lookup = T.Dict({{f"{{r}},{{c}}": [[r, c]] + [[r + dr, c + dc] for dr, dc in ((0, 1), (1, 0))
                                                if r + dr < 3 and c + dc < 3]
                     for r in range(3) for c in range(3)}}).tag(sync=True)
    selected = T.List([]).tag(sync=True)
    step = T.Int(0).tag(sync=True)

tiny = Tiny()
play = W.Play(value=0, min=0, max=3, interval=100, description="Play the steps")
W.jslink((play, "value"), (tiny, "step"))
W.VBox([play, tiny])'''


def lights(r, c, size=3):
    """The cells the tiny grid lights up for cell (r, c), 0-based (the same rule as its lookup)."""
    return {(r, c)} | {(r + dr, c + dc) for dr, dc in ((0, 1), (1, 0)) if r + dr < size and c + dc < size}


def tiny_notebook(anywidget=True):
    """A notebook with markdown maths, a displayed equation, ipywidgets (a slider, a button with the
    series' cell class, an HTMLMath) and, when ``anywidget``, the tiny grid with a linked Play."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny widgets\nInline $y_{11} = x_{11} f_{11}$, and on its own line:\n\n"
                                      "$$\\frac{\\partial L}{\\partial x_{22}} = dy_{11} f_{22}$$"),
        nbformat.v4.new_code_cell("import ipywidgets as W\nimport cnnlearn\nfrom IPython.display import Math, display\n"
                                  "display(Math(cnnlearn.input_gradient_equation(1, 1, (3, 3), (2, 2))))"),
        nbformat.v4.new_code_cell("s = W.IntSlider(value=3, max=10, description='step')\n"
                                  "b = W.Button(description='x11')\nb.add_class('cnnlearn-x-0-0')\n"
                                  "box = W.VBox([s, W.Play(max=10, description='Play'), b, "
                                  "W.HTMLMath(value=r'$y_{11} = 5$')])\n"
                                  "box.add_class('cnnlearn-explorer')\nbox"),
        # a later cell drives the widget: the page keeps showing its first state (value 3)
        nbformat.v4.new_code_cell("s.value = 7\nb.add_class('cnnlearn-hl');"),
        nbformat.v4.new_code_cell("import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\n"
                                  "import matplotlib.pyplot as plt\no = W.Output()\nwith o:\n"
                                  "    plt.plot([1, 2, 3]); plt.show()\no"),
    ]
    if anywidget:
        nb.cells.append(nbformat.v4.new_code_cell(WIDGET_CELL))
    return nb
