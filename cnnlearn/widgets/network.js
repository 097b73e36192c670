// The browser side of cnnlearn.widgets.NetworkExplorer: one column of small squares per layer of the network.
// Python computed everything shown: each frame's texts and colour codes, which units each unit reads and feeds
// (three lists per pair of columns, one per axis), the caption templates and the numbers they take. This file
// draws, and on hover or focus looks up and fills in; nothing here computes a value or a receptive field.

// el(), save(), swatches(), rove() and listen() are in dom.js, quizPanel() (the prediction mode) in quiz.js,
// which cnnlearn.widgets._grid.esm puts before this file.

const HL = "cnnlearn-hl", NEAR = "cnnlearn-near", HERE = "cnnlearn-here", TERM = "cnnlearn-term",
  SEL = "cnnlearn-sel", ALL = "cnnlearn-all";

// Whether a kernel can answer: JupyterLab's, Notebook 7's and Voila's widget managers know their kernel; the
// manager of a static page (the offline edition) has none.
function kernelThere(model) {
  const manager = model.widget_manager;
  return !!(manager && manager.kernel);
}

// "0-2,5;3;*" -> [[0, 1, 2, 5], [3], every index 0..n-1 (marked .all)]: one set of indices per index of the axis,
// n the length of the axis it points into (Python's encode_fields).
function decodeAxis(text, n) {
  const every = [...Array(n).keys()];
  every.all = true;
  return text.split(";").map((set) => {
    if (set === "*") return every;
    const out = [];
    if (set === "") return out;
    for (const part of set.split(",")) {
      const [a, b] = part.split("-").map(Number);
      for (let v = a; v <= (b === undefined ? a : b); v++) out.push(v);
    }
    return out;
  });
}

const NO_ANSWER_MS = 5000;  // a kernel that has not answered by then is not coming
const SILENT_MS = 1500;     // where the page cannot tell whether a kernel is there

function fillIn(template, look) {
  return template.replace(/\{([a-z.]+)\}/g, (m, k) => look[k]);
}

function render({ model, el: root }) {
  root.classList.add("cnnlearn-widget", "cnnlearn-network");
  const texts = () => model.get("texts");

  // ---------------------------------------------------------------- controls
  const controls = el("div", "cnnlearn-network-controls");
  const views = el("div", "cnnlearn-network-views");
  views.setAttribute("role", "group");
  views.setAttribute("aria-label", "view");
  const viewButtons = {};
  for (const v of ["forward", "backward"]) {
    const b = el("button", "cnnlearn-view-button");
    b.type = "button";
    b.dataset.view = v;
    b.addEventListener("click", () => { model.set("view", v); save(model); draw(); });
    viewButtons[v] = b;
    views.appendChild(b);
  }
  const uid = Math.random().toString(36).slice(2);
  const select = (cls, what) => {
    const wrap = el("span", "cnnlearn-network-choice");
    const label = el("label", "", "");
    const s = el("select", cls);
    s.id = `cnnlearn-${what}-${uid}`;
    label.htmlFor = s.id;
    wrap.append(label, s);
    return [wrap, label, s];
  };
  const [inputWrap, inputLabel, inputSelect] = select("cnnlearn-input-select", "input");
  const [targetWrap, targetLabel, targetSelect] = select("cnnlearn-target-select", "target");
  controls.append(views, inputWrap, targetWrap);
  inputSelect.addEventListener("change", () => { model.set("input", inputSelect.value); save(model); draw(); });
  targetSelect.addEventListener("change", () => { model.set("target", targetSelect.value); save(model); draw(); });

  const legend = el("div", "cnnlearn-network-legend");
  const board = el("div", "cnnlearn-network-board");
  const caption = el("div", "cnnlearn-network-caption");
  caption.setAttribute("aria-live", "polite");
  const status = el("div", "cnnlearn-network-status");
  status.setAttribute("aria-live", "polite");
  const hint = el("div", "cnnlearn-network-hint");

  // ---------------------------------------------------------------- prediction mode (quiz.js)
  // A unit's address is [column key, c, i, j]; its accessible name is its aria-label (its own part kept in
  // e._label); Check pins the revealed unit, whose trace then shows the answer.
  const unitAddress = (e) => [specs[+e.dataset.L].key, ...address(+e.dataset.L, +e.dataset.u)];
  let quizCells = null;  // Map address key -> unit, of the columns the question asks about
  const quizMap = () => {
    if (quizCells) return quizCells;
    quizCells = new Map();
    const grids = (model.get("quiz") || {}).grids || [];
    specs.forEach((spec, L) => {
      if (grids.includes(spec.key)) for (const e of cells[L]) quizCells.set(unitAddress(e).join(":"), e);
    });
    return quizCells;
  };
  let quizTouched = [];  // units whose accessible name the question added to
  const quiz = quizPanel({
    model, cells: quizMap, repaint: () => retrace(), unhover: () => { hover = null; },
    address: unitAddress, noun: "unit",
    name: (e, text) => e.setAttribute("aria-label", e.getAttribute("aria-label") + text),
    reveal: (m, reveal) => { if (reveal.length === 4) m.set("selected", reveal); },
  });
  function paintQuiz() {
    for (const e of quizTouched) e.setAttribute("aria-label", e._label);
    quizTouched = [];
    const q = model.get("quiz") || {};
    const grids = (q.answer || []).length ? (q.grids || []) : [];
    specs.forEach((spec, L) => wraps[L].classList.toggle("cnnlearn-quiz-column", grids.includes(spec.key)));
    root.classList.toggle("cnnlearn-quizzing", grids.length > 0);
    quiz.decorate(quizTouched, traced ? [specs[traced[0]].key, ...address(...traced)].join(":") : null);
  }
  root.append(controls, legend, status, quiz.panel, board, caption, hint);

  // ---------------------------------------------------------------- the columns
  let specs = [], fields = {}, cells = [], names = [], wraps = [], titles = [], subs = [], grids = [];
  let shown = null;     // {key, frame, forward, texts: [[...]], many: {}} of the frame drawn now
  let traced = null;    // [L, u] traced now
  let touched = [];     // cells carrying a trace class now
  let hover = null;     // [L, u] under the mouse or the keyboard focus
  let askTimer = null;  // waiting for Python to answer a request

  function build() {
    specs = model.get("columns");
    fields = {};
    for (const [k, axes] of Object.entries(model.get("fields"))) {
      const shape = specs[+k.split(":")[1]].shape;
      fields[k] = axes.map((text, a) => decodeAxis(text, shape[a]));
    }
    board.replaceChildren();
    cells = []; names = []; wraps = []; titles = []; subs = []; grids = [];
    touched = [];
    specs.forEach((spec, L) => {
      const [C, H, W] = spec.shape;
      const wrap = el("div", `cnnlearn-column-wrap cnnlearn-layout-${spec.layout}`);
      wrap.dataset.key = spec.key;
      const title = el("div", "cnnlearn-column-title");
      title.id = `cnnlearn-${uid}-${spec.key}`;
      const sub = el("div", "cnnlearn-column-sub");
      const grid = el("div", "cnnlearn-column");
      grid.setAttribute("role", "grid");
      grid.dataset.key = spec.key;
      const n = spec.names;
      const list = [], nameList = [];
      const cell = (c, i, j) => {
        const u = (c * H + i) * W + j;
        const e = el("div", `cnnlearn-u cnnlearn-${spec.key}-${c}-${i}-${j}`);
        e.setAttribute("role", "gridcell");
        e.tabIndex = u === 0 ? 0 : -1;
        e.dataset.L = L;
        e.dataset.u = u;
        list[u] = e;
        nameList[u] = n.pre + (n.units ? n.units[u] : n.c[c] + n.i[i] + n.j[j]) + n.suf;
        return e;
      };
      const row = (parent) => { const r = el("div", "cnnlearn-row"); r.setAttribute("role", "row"); parent.appendChild(r); return r; };
      if (spec.layout === "maps") {
        for (let c = 0; c < C; c++) {
          const map = el("div", "cnnlearn-map");
          map.setAttribute("role", "rowgroup");
          for (let i = 0; i < H; i++) { const r = row(map); for (let j = 0; j < W; j++) r.appendChild(cell(c, i, j)); }
          grid.appendChild(map);
        }
      } else if (spec.layout === "flat") {  // one line per map of the column below, in flatten's order
        for (let c = 0; c < C; c++) {
          const r = row(grid);
          for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) r.appendChild(cell(c, i, j));
        }
      } else {  // a vector of classes: a row each, its name beside it
        for (let c = 0; c < C; c++) {
          const r = row(grid);
          const head = el("div", "cnnlearn-vector-name", n.pre + n.c[c]);
          head.setAttribute("role", "rowheader");
          head.setAttribute("aria-hidden", "true");
          r.append(head, cell(c, 0, 0));
        }
      }
      grid.setAttribute("aria-labelledby", title.id);
      wrap.append(title, sub, grid);
      board.appendChild(wrap);
      cells.push(list); names.push(nameList); wraps.push(wrap); titles.push(title); subs.push(sub); grids.push(grid);
    });
    shown = null;
    quizCells = null;
    draw();
  }

  // ---------------------------------------------------------------- which frame
  function frameKey() {
    const input = model.get("input");
    if (model.get("view") === "forward") return `${input}:forward`;
    let target = model.get("target");
    if (target === "predicted") {
      const entry = model.get("inputs").find((e) => e.id === input);
      target = entry ? entry.predicted : "0";
    }
    return `${input}:${target}`;
  }
  const lookupFrame = (key) => model.get("frames")[key] || model.get("extra")[key] || null;

  function drawControls() {
    const T = texts(), view = model.get("view");
    for (const [v, b] of Object.entries(viewButtons)) {
      b.textContent = T[v];
      b.setAttribute("aria-pressed", String(v === view));
    }
    inputLabel.textContent = T.input;
    targetLabel.textContent = T.target;
    const inputs = model.get("inputs");
    const input = model.get("input");
    inputSelect.replaceChildren(...inputs.map((e) => { const o = el("option", "", e.text); o.value = e.id; return o; }));
    inputSelect.value = input;
    const entry = inputs.find((e) => e.id === input) || inputs[0];
    const z = specs.find((s) => s.names.pre === "z");
    const options = [["loss", entry.loss], ["predicted", entry.score]];
    if (z) for (const k of z.names.c) options.push([k, T.score.split("{k}").join(k)]);
    targetSelect.replaceChildren(...options.map(([v, text]) => { const o = el("option", "", text); o.value = v; return o; }));
    targetSelect.value = model.get("target");
    targetWrap.hidden = view !== "backward";
    hint.textContent = T.hint[view];
    legend.replaceChildren(el("span", "cnnlearn-network-legend-title", T.scale));
    swatches(legend, "cnnlearn-network-stop", T.stops);
    legend.appendChild(el("span", "cnnlearn-network-legend-note", T.legend));
  }

  function draw() {
    drawControls();
    const view = model.get("view"), key = frameKey();
    const frame = lookupFrame(key);
    const forward = lookupFrame(`${model.get("input")}:forward`);
    specs.forEach((spec, L) => { wraps[L].hidden = !spec.views.includes(view); });
    if (!frame || !forward) {
      root.dataset.frame = "";
      shown = null;
      untrace();
      root.classList.add("cnnlearn-stale");
      // ask Python; a static page (and JupyterLab 3's manager, which does not say whether it has a kernel)
      // may never answer: say so if no answer comes
      status.textContent = texts().waiting;
      if (model.get("request") !== key) { model.set("request", key); save(model); }
      if (askTimer !== null) clearTimeout(askTimer);
      askTimer = setTimeout(() => {
        askTimer = null;
        if (frameKey() === key && !lookupFrame(key)) status.textContent = texts().missing;
      }, kernelThere(model) ? NO_ANSWER_MS : SILENT_MS);
      return;
    }
    root.classList.remove("cnnlearn-stale");
    status.textContent = "";
    if (shown && shown.key === key && shown.frame === frame && shown.forward === forward) { retrace(); return; }
    const palette = model.get("palette");
    const columnTexts = {};
    specs.forEach((spec, L) => {
      if (!spec.views.includes(view)) return;
      const src = spec.same || spec.key;
      if (!(src in columnTexts)) columnTexts[src] = frame.values[src].split(" ");
      const vals = columnTexts[src], codes = frame.colours[src], list = cells[L], nm = names[L];
      const vector = spec.layout === "vector";
      for (let u = 0; u < list.length; u++) {
        const [bg, fg] = palette[codes.charCodeAt(u) - 65];
        const e = list[u];
        e.style.setProperty("--bg", bg);
        e.dataset.v = vals[u];
        e._label = `${nm[u]} = ${vals[u]}`;
        e.setAttribute("aria-label", e._label);
        if (vector) { e.textContent = vals[u]; e.style.color = fg; }
      }
      const top = { top: frame.top };
      titles[L].textContent = fillIn(spec.title[view], top);
      subs[L].textContent = `${spec.layer} · ${spec.size} · max ${frame.max[src]}`;
      grids[L].setAttribute("aria-label",
        `${titles[L].textContent}, ${spec.layer}: ${spec.size}, largest size ${frame.max[src]}`);
      grids[L].removeAttribute("aria-labelledby");
    });
    shown = { key, frame, forward, texts: specs.map((s) => columnTexts[s.same || s.key] || null), many: {} };
    root.dataset.frame = key;
    retrace();
  }

  // ---------------------------------------------------------------- tracing a unit
  const first = (L, M, c, i, j) => {
    const [ch, rows, cols] = fields[`${L}:${M}`];
    const [, H, W] = specs[M].shape;
    return (ch[c][0] * H + rows[i][0]) * W + cols[j][0];
  };
  const address = (L, u) => {
    const [, H, W] = specs[L].shape;
    return [Math.floor(u / (H * W)), Math.floor(u / W) % H, u % W];
  };

  // The caption lines of unit u of column L: the twin of cnnlearn.trace_text.fill.
  function lines(L, u) {
    const spec = specs[L], view = model.get("view"), frame = shown.frame;
    const full = frame.lines[spec.key];
    if (full) return full[u];
    const [c, i, j] = address(L, u);
    const value = (M, v) => shown.texts[M][v];
    const look = { name: names[L][u], value: value(L, u), top: frame.top, c: String(c + 1), n: String(u + 1) };
    if (spec.rfrows) { look.rfrows = spec.rfrows[i]; look.rfcols = spec.rfcols[j]; }
    if (view === "forward" && L > 0) {
      const b = first(L, L - 1, c, i, j);
      look.below = names[L - 1][b];
      look["below.value"] = value(L - 1, b);
    }
    if (view === "backward") {
      const a = first(L, L + 1, c, i, j);
      look.above = names[L + 1][a];
      look["above.value"] = value(L + 1, a);
      const one = shown.forward.one[spec.key];
      if (one) look.local = one[u];
      const term = (g, w) => spec.term.split("{g}").join(g).split("{w}").join(w);
      if (spec.sum === "all") {
        look.terms = spec.w.map((row, k) => term(value(L + 1, k), row.split(" ")[u])).join(spec.join);
      } else if (spec.sum === "many") {
        if (!shown.many[spec.key]) shown.many[spec.key] = frame.many[spec.key].split("#");
        const parts = shown.many[spec.key][u].split("|");
        const senders = [], factors = [];
        for (let k = 2; k < parts.length; k += 2) { senders.push(+parts[k]); factors.push(parts[k + 1]); }
        look.count = parts[0];
        look.more = parts[1];
        look.terms = senders.map((s, k) => term(value(L + 1, s), factors[k])).join(spec.join);
        look.froms = senders.map((s) => names[L + 1][s]).join(", ");
        look._senders = senders;
      }
    }
    const out = spec[view].map((t) => fillIn(t, look));
    out.senders = look._senders || [];
    return out;
  }

  function mark(e, ...cls) { e.classList.add(...cls); touched.push(e); }

  let reached = [];  // the columns a trace reaches: they stay bright, the others fade
  function clearMarks() {
    for (const e of touched) e.classList.remove(HL, NEAR, HERE, TERM, ALL);
    touched = [];
  }

  function untrace() {
    clearMarks();
    traced = null;
    root.classList.remove("cnnlearn-tracing");
    for (const w of reached) w.classList.remove("cnnlearn-reached");
    reached = [];
    caption.replaceChildren();
  }

  function trace(L, u) {
    // a question waits for its answer: trace nothing, write no caption (no peeking)
    if (!shown || !specs[L] || !specs[L].views.includes(model.get("view")) || quiz.hides()) { untrace(); return; }
    clearMarks();
    traced = [L, u];
    const view = model.get("view");
    const [c, i, j] = address(L, u);
    mark(cells[L][u], HERE, HL);
    // forward: every column below, nearest first; backward: every column above
    const range = (view === "forward" ? [...Array(L).keys()].reverse()
      : [...Array(specs.length - L - 1).keys()].map((k) => L + 1 + k))
      .filter((M) => fields[`${L}:${M}`] && specs[M].views.includes(view));
    for (const M of range) {
      const rel = fields[`${L}:${M}`];
      const [, H, W] = specs[M].shape, list = cells[M];
      const near = M === range[0];  // the layer just below (forward) or just above (backward)
      if (rel[0][c].all && rel[1][i].all && rel[2][j].all) {  // the whole column: lit at once
        if (near) mark(wraps[M], ALL, NEAR); else mark(wraps[M], ALL);
        continue;
      }
      for (const a of rel[0][c]) for (const b of rel[1][i]) for (const d of rel[2][j]) {
        const e = list[(a * H + b) * W + d];
        if (near) mark(e, HL, NEAR); else mark(e, HL);
      }
    }
    const text = lines(L, u);
    if (view === "backward") for (const s of text.senders || []) mark(cells[L + 1][s], TERM);
    const now = [wraps[L], ...range.map((M) => wraps[M])];
    for (const w of reached) if (!now.includes(w)) w.classList.remove("cnnlearn-reached");
    for (const w of now) w.classList.add("cnnlearn-reached");
    reached = now;
    root.classList.add("cnnlearn-tracing");
    caption.replaceChildren(...text.map((line) => el("div", "cnnlearn-network-line", line)));
  }

  const pinned = () => {
    const sel = model.get("selected");
    if (!sel || sel.length !== 4) return null;
    const L = specs.findIndex((s) => s.key === sel[0]);
    if (L < 0) return null;
    const [, H, W] = specs[L].shape;
    return [L, (sel[1] * H + sel[2]) * W + sel[3]];
  };

  function retrace() {
    for (const e of board.querySelectorAll(`.${SEL}`)) e.classList.remove(SEL);
    const pin = pinned();
    if (pin && cells[pin[0]]) cells[pin[0]][pin[1]].classList.add(SEL);
    const now = hover || pin;
    if (now) trace(...now); else untrace();
    paintQuiz();
  }

  function pin(L, u) {
    const [c, i, j] = address(L, u);
    model.set("selected", [specs[L].key, c, i, j]);
    save(model);
    retrace();
  }

  // ---------------------------------------------------------------- mouse and keyboard
  const unitOf = (target) => {
    const e = target instanceof Element ? target.closest(".cnnlearn-u") : null;
    return e && board.contains(e) ? e : null;
  };
  board.addEventListener("mouseover", (ev) => {
    const e = unitOf(ev.target);
    if (!e) return;
    const L = +e.dataset.L, u = +e.dataset.u;
    if (hover && hover[0] === L && hover[1] === u) return;
    hover = [L, u];
    trace(L, u);
    paintQuiz();
  });
  board.addEventListener("mouseleave", () => { hover = null; retrace(); });
  board.addEventListener("click", (ev) => {
    const e = unitOf(ev.target);
    if (e) { focusUnit(e); if (!quiz.click(e)) pin(+e.dataset.L, +e.dataset.u); }
  });
  board.addEventListener("focusin", (ev) => {
    const e = unitOf(ev.target);
    if (!e) return;
    rove(e);
    hover = [+e.dataset.L, +e.dataset.u];
    trace(...hover);
    paintQuiz();
  });
  board.addEventListener("focusout", (ev) => {
    if (!board.contains(ev.relatedTarget)) { hover = null; retrace(); }
  });

  function focusUnit(e) {
    rove(e);
    e.focus();
  }

  // Notebook 7 takes arrow keys before a widget sees them: listen on window, in the capture phase, and act only
  // on keys aimed at one of this widget's units. Arrows move within a map (along a line of the flattened
  // column, down the classes), Page Up and Page Down to the previous and next map, Home and End along the row.
  const onKey = (ev) => {
    const e = unitOf(ev.target);
    if (!e || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const L = +e.dataset.L, spec = specs[L];
    const [C, H, W] = spec.shape;
    let [c, i, j] = address(L, +e.dataset.u);
    const flat = spec.layout !== "maps";  // a line per map (flatten) or a row per class (vector)
    let pos = i * W + j;
    switch (ev.key) {
      case "ArrowUp": if (flat) c = Math.max(0, c - 1); else i = Math.max(0, i - 1); break;
      case "ArrowDown": if (flat) c = Math.min(C - 1, c + 1); else i = Math.min(H - 1, i + 1); break;
      case "ArrowLeft": if (flat) pos = Math.max(0, pos - 1); else j = Math.max(0, j - 1); break;
      case "ArrowRight": if (flat) pos = Math.min(H * W - 1, pos + 1); else j = Math.min(W - 1, j + 1); break;
      case "PageUp": c = Math.max(0, c - 1); break;
      case "PageDown": c = Math.min(C - 1, c + 1); break;
      case "Home": if (flat) pos = 0; else j = 0; break;
      case "End": if (flat) pos = H * W - 1; else j = W - 1; break;
      case "Enter": case " ": if (!quiz.key(ev.key, e)) pin(L, +e.dataset.u); break;
      case "Escape":
        hover = null;
        if (model.get("selected").length) { model.set("selected", []); save(model); }
        retrace();
        break;
      default: return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    if (flat) { i = Math.floor(pos / W); j = pos % W; }
    const next = cells[L][(c * H + i) * W + j];
    if (next && next !== e) focusUnit(next);
  };
  window.addEventListener("keydown", onKey, true);

  const onFrame = () => { hover = null; draw(); };
  const stop = listen(model, {
    "change:columns": build, "change:fields": build, "change:view": onFrame, "change:input": onFrame,
    "change:target": onFrame, "change:frames": draw, "change:extra": draw, "change:inputs": draw,
    "change:selected": retrace, "change:quiz": () => { quizCells = null; retrace(); },
  });
  build();
  return () => {
    if (askTimer !== null) clearTimeout(askTimer);
    window.removeEventListener("keydown", onKey, true);
    stop();
  };
}

export default { render };
