// The browser side of cnnlearn.widgets.GridView: draws titled grids and looks up, in state that
// Python computed, what each cell lights up. Nothing here computes geometry.

// el(), save(), swatches() and rove() are in dom.js, quizPanel() (the prediction mode) in quiz.js;
// cnnlearn.widgets._grid.esm puts both before this file.

const HL = "cnnlearn-hl", SEL = "cnnlearn-sel", PAD = "cnnlearn-pad";
// Pair numbers take their colours from classes (grid.css), the palette itself being custom properties of the
// view: an element with a style attribute costs a restyle whenever the pointer's path changes in JupyterLab 3
// (its `.remote-caret:hover > div[style]` rule), so cells and marks carry none.
const PAIRS = 7;
const keyOf = (g, r, c) => `${g}:${r}:${c}`;
// A text node is replaced only when its text changes: a replaced node is laid out again.
const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };

// ipywidgets' slider handles carry no accessible name (their description is a label the handle is not
// tied to): give each handle in this widget its slider's description as its name.
function nameControls(scope) {
  for (const s of scope.querySelectorAll(".widget-slider, .widget-hslider, .widget-dropdown")) {
    const label = s.querySelector(".widget-label");
    const name = label ? label.textContent.trim() : "";
    if (!name) continue;
    for (const h of s.querySelectorAll('.noUi-handle, .ui-slider-handle, [role="slider"], select')) {
      if (!h.getAttribute("aria-label") && !h.getAttribute("aria-labelledby")) h.setAttribute("aria-label", name);
    }
  }
}

// One play timer per model, however many views show it.
function initialize({ model }) {
  let timer = null;
  const halt = () => { if (timer !== null) { clearInterval(timer); timer = null; } };
  const tick = () => {
    const k = model.get("step"), n = model.get("steps").length;
    if (k + 1 >= n) { halt(); model.set("playing", false); save(model); return; }
    model.set("step", k + 1);
    save(model);
  };
  const onPlaying = () => {
    if (!model.get("playing")) { halt(); return; }
    if (timer !== null) return;
    if (model.get("step") + 1 >= model.get("steps").length) { model.set("step", 0); save(model); }
    timer = setInterval(tick, model.get("interval"));
  };
  model.on("change:playing", onPlaying);
  onPlaying();
  return () => { halt(); model.off("change:playing", onPlaying); };
}

function render({ model, el: root }) {
  root.classList.add("cnnlearn-view");
  const toolbar = el("div", "cnnlearn-toolbar");
  const colourButton = el("button", "cnnlearn-colour-toggle", "Colour cells by value");
  colourButton.type = "button";
  toolbar.appendChild(colourButton);
  const legend = el("div", "cnnlearn-legend");
  const scale = el("div", "cnnlearn-scale");
  const board = el("div", "cnnlearn-board");
  const info = el("div", "cnnlearn-info");
  info.setAttribute("aria-live", "polite");
  const quiz = quizPanel({ model, cells: () => cells, repaint: () => paint(), unhover: () => { hover = null; } });
  root.append(toolbar, legend, scale, quiz.panel, board, info);

  let cells = new Map();      // key -> cell element
  let specs = new Map();      // grid name -> spec
  let touched = [];           // cells carrying a highlight, a mark or an override now
  let overridden = new Set(); // grids whose texts the pinned entry replaced
  let hover = null;           // key previewed by the mouse or the keyboard focus
  let painted = null;         // whether the cells carry their value colours now
  let marked = [];            // marks showing a pair number now

  const pinnedKey = () => {
    const steps = model.get("steps");
    if (steps.length) {
      const s = steps[model.get("step")];
      return s ? keyOf(...s) : null;
    }
    const sel = model.get("selected");
    return sel && sel.length === 3 ? keyOf(...sel) : null;
  };

  function drawLegend() {
    const L = model.get("legend") || {};
    legend.replaceChildren();
    const item = (cls, text) => {
      if (!text) return;
      const sw = el("span", "cnnlearn-swatch " + cls);
      sw.setAttribute("aria-hidden", "true");
      legend.append(sw, el("span", "cnnlearn-legend-text", text));
    };
    item("cnnlearn-swatch-sel", L.selected);
    item("cnnlearn-swatch-hl", L.highlighted);
    if (L.note) legend.append(el("span", "cnnlearn-legend-note", L.note));
  }

  function drawScale() {
    scale.replaceChildren();
    if (!model.get("colour")) return;
    const stops = (model.get("grids")[0] || {}).scale || [];
    const maxima = model.get("grids").map((g) => `${g.title}: ${g.max}`).join("; ");
    scale.appendChild(el("span", "cnnlearn-scale-title",
      "Cell colours show sign and size, each grid scaled to its own largest size (max):"));
    swatches(scale, "cnnlearn-scale-stop", stops);
    scale.appendChild(el("div", "cnnlearn-scale-maxima", `max of ${maxima}`));
  }

  function setPalette() {
    model.get("palette").slice(0, PAIRS).forEach(([bg, fg], k) => {
      root.style.setProperty(`--cnnlearn-pair-${k + 1}`, bg);
      root.style.setProperty(`--cnnlearn-pair-${k + 1}-fg`, fg);
    });
  }

  function build() {
    board.replaceChildren();
    cells = new Map();
    specs = new Map();
    touched = [];
    marked = [];
    overridden = new Set();
    painted = null;
    for (const spec of model.get("grids")) specs.set(spec.name, spec);
    // every cell of the widget as wide as its longest value (Python measured each grid's texts)
    root.style.setProperty("--cnnlearn-chars", String(Math.max(4, ...model.get("grids").map((g) => g.chars || 1))));
    let rows = model.get("layout_rows");
    if (!rows || !rows.length) rows = [model.get("grids").map((g) => g.name)];
    const caption = model.get("caption");
    if (caption) { board.setAttribute("role", "group"); board.setAttribute("aria-label", caption); }
    for (const names of rows) {
      const line = el("div", "cnnlearn-row-of-grids");
      for (const name of names) {
        const spec = specs.get(name);
        if (!spec) {  // a blank as wide as the filter's grid
          const blank = el("div", "cnnlearn-blank");
          const f = specs.get("f");
          blank.style.setProperty("--cnnlearn-cols", String(f ? f.cols : 1));
          line.appendChild(blank);
          continue;
        }
        line.appendChild(drawGrid(spec));
      }
      board.appendChild(line);
    }
    paint();
  }

  function drawGrid(spec) {
    const wrap = el("div", "cnnlearn-gridwrap");
    const title = el("div", "cnnlearn-title", spec.title);
    title.id = `cnnlearn-${Math.random().toString(36).slice(2)}-${spec.name}`;
    const grid = el("div", "cnnlearn-grid");
    grid.setAttribute("role", "grid");
    grid.setAttribute("aria-labelledby", title.id);
    grid.dataset.grid = spec.name;
    const pads = new Set(spec.pad.map(([r, c]) => `${r}:${c}`));
    for (let r = 0; r < spec.rows; r++) {
      const row = el("div", "cnnlearn-gridrow");
      row.setAttribute("role", "row");
      if (spec.row_labels && spec.row_labels.length) {
        const head = el("div", "cnnlearn-rowheader", spec.row_labels[r]);
        head.setAttribute("role", "rowheader");
        row.appendChild(head);
      }
      for (let c = 0; c < spec.cols; c++) {
        const cell = el("div", `cnnlearn-cell cnnlearn-${spec.name}-${r}-${c}`);
        cell.setAttribute("role", "gridcell");
        cell.tabIndex = r === 0 && c === 0 ? 0 : -1;
        cell.dataset.grid = spec.name;
        cell.dataset.r = r;
        cell.dataset.c = c;
        if (pads.has(`${r}:${c}`)) cell.classList.add(PAD);
        if (spec.interactive) cell.classList.add("cnnlearn-live");
        // The cell's accessible name is its content: a visually hidden description; the value and
        // the pairing number a sighted reader sees are hidden from assistive technology (they are in
        // the description), so the name never disagrees with the visible text.
        cell._name = el("span", "cnnlearn-name", spec.labels[r][c]);
        cell._val = el("span", "cnnlearn-val", spec.texts[r][c]);
        cell._mark = el("span", "cnnlearn-mark");
        cell._val.setAttribute("aria-hidden", "true");
        cell._mark.setAttribute("aria-hidden", "true");
        cell.append(cell._name, cell._val, cell._mark);
        cell.setAttribute("aria-selected", "false");
        cells.set(keyOf(spec.name, r, c), cell);
        row.appendChild(cell);
      }
      grid.appendChild(row);
    }
    wrap.append(title, grid);
    return wrap;
  }

  // The highlight is painted at once; the equation follows once the pointer or the focus rests
  // (EQ_DELAY ms), so typesetting never delays a highlight, even while the mouse sweeps a grid.
  const EQ_DELAY = 150;
  let eqWanted = null, eqTimer = null;
  function showEquation(eq) {
    eqWanted = eq;
    if (eqTimer !== null) clearTimeout(eqTimer);
    eqTimer = setTimeout(() => {
      eqTimer = null;
      if (model.get("equation") !== eqWanted) model.set("equation", eqWanted);
    }, EQ_DELAY);
  }

  function paint() {
    quiz.decorate(touched, paintCells());
  }

  function paintCells() {
    const colour = model.get("colour");
    root.classList.toggle("cnnlearn-colour", colour);
    colourButton.setAttribute("aria-pressed", String(colour));
    for (const cell of touched) {
      cell.classList.remove(HL, SEL);
      cell.setAttribute("aria-selected", "false");
      const spec = specs.get(cell.dataset.grid);
      setText(cell._name, spec.labels[cell.dataset.r][cell.dataset.c]);
    }
    touched = [];
    for (const m of marked) {
      m.textContent = "";
      m.className = "cnnlearn-mark";
    }
    marked = [];
    const lookup = model.get("lookup");
    const hidden = quiz.hides();  // a question waits for its answer: show nothing that gives it away
    const pinned = hidden ? null : pinnedKey();
    const pinnedEntry = pinned ? lookup[pinned] : null;
    // texts a stepper reveals up to the pinned step
    for (const g of overridden) {
      const spec = specs.get(g);
      for (let r = 0; r < spec.rows; r++) for (let c = 0; c < spec.cols; c++)
        setText(cells.get(keyOf(g, r, c))._val, spec.texts[r][c]);
    }
    overridden = new Set();
    const labels = (pinnedEntry && pinnedEntry.labels) || {};
    if (pinnedEntry && pinnedEntry.texts) {
      for (const [g, texts] of Object.entries(pinnedEntry.texts)) {
        const spec = specs.get(g);
        if (!spec) continue;
        overridden.add(g);
        for (let r = 0; r < spec.rows; r++) for (let c = 0; c < spec.cols; c++) {
          const cell = cells.get(keyOf(g, r, c));
          setText(cell._val, texts[r][c]);
          if (labels[g]) { setText(cell._name, labels[g][r][c]); touched.push(cell); }
        }
      }
    }
    if (painted !== colour) {  // value colours change only with the toggle or a new configuration
      painted = colour;
      for (const cell of cells.values()) {
        if (!colour) { cell.removeAttribute("style"); continue; }
        const spec = specs.get(cell.dataset.grid);
        const [bg, fg] = spec.colours[cell.dataset.r][cell.dataset.c];
        cell.style.background = bg;
        cell.style.color = fg;
      }
    }
    const active = !hidden && hover && lookup[hover] ? hover : pinned;
    const e = active ? lookup[active] : null;
    const shown = e ? active : null;  // returned: the cell whose highlights show now
    if (pinned && cells.has(pinned)) {
      const cell = cells.get(pinned);
      cell.classList.add(SEL, HL);
      cell.setAttribute("aria-selected", "true");
      touched.push(cell);
    }
    // the equation travels to an ipywidgets HTMLMath through a jslink: the page's own MathJax typesets it
    showEquation(e ? e.eq : "");
    if (!e) { setText(info, ""); return shown; }
    if (active !== pinned && cells.has(active)) {
      cells.get(active).classList.add(HL);
      touched.push(cells.get(active));
    }
    for (const [g, list] of Object.entries(e.hl)) {
      for (const [r, c] of list) {
        const cell = cells.get(keyOf(g, r, c));
        if (cell) { cell.classList.add(HL); touched.push(cell); }
      }
    }
    const pairs = Math.min(PAIRS, model.get("palette").length);
    for (const [g, list] of Object.entries(e.marks)) {
      for (const [r, c, n] of list) {
        const cell = cells.get(keyOf(g, r, c));
        if (!cell) continue;
        const m = cell._mark;
        m.textContent = String(n);
        m.className = `cnnlearn-mark cnnlearn-pair-${((n - 1) % pairs) + 1}`;
        marked.push(m);
        cell._name.textContent = `${cell._name.textContent}, pair ${n}`;
        touched.push(cell);
      }
    }
    setText(info, e.info);
    return shown;
  }

  function pin(cell) {
    const g = cell.dataset.grid, r = +cell.dataset.r, c = +cell.dataset.c;
    const k = keyOf(g, r, c);
    if (!model.get("lookup")[k]) return;
    const steps = model.get("steps");
    const idx = steps.findIndex((s) => keyOf(...s) === k);
    if (idx >= 0) model.set("step", idx);
    model.set("selected", [g, r, c]);
    save(model);
  }

  function clear() {
    hover = null;
    if (!model.get("steps").length && model.get("selected").length) {
      model.set("selected", []);
      save(model);
    }
    paint();
  }

  function focusCell(cell) {
    rove(cell);
    cell.focus();
  }

  const cellOf = (target) => (target instanceof Element ? target.closest(".cnnlearn-cell") : null);

  board.addEventListener("mouseover", (ev) => {
    const cell = cellOf(ev.target);
    const k = cell ? keyOf(cell.dataset.grid, cell.dataset.r, cell.dataset.c) : null;
    if (k && model.get("lookup")[k] && k !== hover) { hover = k; paint(); }
  });
  board.addEventListener("mouseleave", () => { if (hover !== null) { hover = null; paint(); } });
  board.addEventListener("click", (ev) => {
    const cell = cellOf(ev.target);
    if (cell) { focusCell(cell); if (!quiz.click(cell)) pin(cell); }
  });
  board.addEventListener("focusin", (ev) => {
    const cell = cellOf(ev.target);
    if (!cell) return;
    rove(cell);
    const k = keyOf(cell.dataset.grid, cell.dataset.r, cell.dataset.c);
    if (model.get("lookup")[k] && k !== hover) { hover = k; paint(); }
  });
  board.addEventListener("focusout", (ev) => {
    if (!board.contains(ev.relatedTarget) && hover !== null) { hover = null; paint(); }
  });
  colourButton.addEventListener("click", () => {
    model.set("colour", !model.get("colour"));
    save(model);
  });

  // Notebook 7 takes arrow keys before a widget sees them: listen on window, in the capture phase,
  // and act only on keys aimed at one of this widget's cells.
  const onKey = (ev) => {
    const cell = cellOf(ev.target);
    if (!cell || !board.contains(cell)) return;
    const spec = specs.get(cell.dataset.grid);
    let r = +cell.dataset.r, c = +cell.dataset.c;
    switch (ev.key) {
      case "ArrowUp": r = Math.max(0, r - 1); break;
      case "ArrowDown": r = Math.min(spec.rows - 1, r + 1); break;
      case "ArrowLeft": c = Math.max(0, c - 1); break;
      case "ArrowRight": c = Math.min(spec.cols - 1, c + 1); break;
      case "Home": c = 0; break;
      case "End": c = spec.cols - 1; break;
      case "Enter": case " ": if (!quiz.key(ev.key, cell)) pin(cell); break;
      case "Escape": clear(); break;
      default: return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    const next = cells.get(keyOf(spec.name, r, c));
    if (next && next !== cell) focusCell(next);
  };
  window.addEventListener("keydown", onKey, true);

  // the strip for pair numbers, only in a widget that shows them
  // the strip along the cells' top holds pair numbers and, once a question is asked, the right/missed/extra marks
  const markStrip = () => root.classList.toggle("cnnlearn-marked",
    ((model.get("quiz") || {}).answer || []).length > 0 ||
    Object.values(model.get("lookup")).some((e) => Object.keys(e.marks || {}).length > 0));
  const repaint = () => paint();
  const redraw = () => { drawScale(); paint(); };
  model.on("change:grids", () => { build(); drawScale(); });
  model.on("change:layout_rows", build);
  model.on("change:lookup", () => { markStrip(); paint(); });
  model.on("change:quiz", markStrip);
  model.on("change:selected", repaint);
  model.on("change:step", repaint);
  model.on("change:steps", repaint);
  model.on("change:colour", redraw);
  model.on("change:legend", drawLegend);
  model.on("change:palette", setPalette);
  setPalette();
  markStrip();
  drawLegend();
  build();
  drawScale();
  // the widget's ipywidgets controls render next to this view, maybe later than it
  let pending = false;
  const scope = () => root.closest(".cnnlearn-widget") || root.parentElement || root;
  const observer = new MutationObserver((records) => {
    if (pending || records.every((m) => root.contains(m.target))) return;  // the grids' own text changes
    pending = true;
    requestAnimationFrame(() => { pending = false; nameControls(scope()); });
  });
  requestAnimationFrame(() => {
    nameControls(scope());
    observer.observe(scope(), { childList: true, subtree: true });
  });
  return () => {
    if (eqTimer !== null) clearTimeout(eqTimer);
    window.removeEventListener("keydown", onKey, true);
    observer.disconnect();
  };
}

export default { initialize, render };
