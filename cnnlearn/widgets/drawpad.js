// The browser side of cnnlearn.widgets.DrawingPad. Drawing happens here, in the frame of the event:
// a pixel is inked as the pointer (or the keyboard) reaches it. Every change goes to Python as
// `image` with one more `revision`; Python answers with `answer` (probabilities, saliency colours,
// sentences) for that revision. Nothing here computes what the network says.

// el(), save(), rove() and listen() are in dom.js, which cnnlearn.widgets._grid.esm puts before this file.

// Whether a kernel can answer: JupyterLab's, Notebook 7's and Voila's widget managers know their kernel;
// the manager of a static page (the offline edition) has none.
function kernelThere(model) {
  const manager = model.widget_manager;
  return !!(manager && manager.kernel);
}

const TOOL_NAMES = { ink: "Pen", half: "Half ink", erase: "Eraser" };
const SLOW_MS = 300;        // after this, say that the answer is on its way
const NO_ANSWER_MS = 5000;  // after this, say that Python does not answer
const SEND_EVERY_MS = 80;   // during a stroke, at most one message to Python this often

const grey = (v) => { const g = Math.round(255 * (1 - v)); return `rgb(${g}, ${g}, ${g})`; };
const inkWords = (v) => (v === 0 ? "blank" : `ink ${Math.round(100 * v)}%`);

function render({ model, el: root }) {
  root.classList.add("cnnlearn-widget", "cnnlearn-drawpad");

  const toolbar = el("div", "cnnlearn-drawpad-toolbar");
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Drawing tools");
  const toolButtons = {};
  for (const name of Object.keys(model.get("tools"))) {
    const b = el("button", "cnnlearn-tool", TOOL_NAMES[name] || name);
    b.type = "button";
    b.dataset.tool = name;
    b.addEventListener("click", () => { model.set("tool", name); save(model); showTool(); });
    toolButtons[name] = b;
    toolbar.appendChild(b);
  }
  const clearButton = el("button", "cnnlearn-clear", "Clear");
  clearButton.type = "button";
  toolbar.appendChild(clearButton);

  const main = el("div", "cnnlearn-drawpad-main");
  const padWrap = el("div", "cnnlearn-drawpad-panel");
  const padTitle = el("div", "cnnlearn-drawpad-title", "your digit X");
  padTitle.id = `cnnlearn-pad-${Math.random().toString(36).slice(2)}`;
  const pad = el("div", "cnnlearn-drawpad-grid");
  pad.setAttribute("role", "grid");
  pad.setAttribute("aria-labelledby", padTitle.id);
  padWrap.append(padTitle, pad);

  const salWrap = el("div", "cnnlearn-drawpad-panel");
  const salTitle = el("div", "cnnlearn-drawpad-title");
  const sal = el("div", "cnnlearn-drawpad-grid cnnlearn-drawpad-saliency");
  sal.setAttribute("role", "img");
  salWrap.append(salTitle, sal);

  const probWrap = el("div", "cnnlearn-drawpad-panel");
  const probs = el("table", "cnnlearn-drawpad-probs");
  const caption = el("caption", "cnnlearn-drawpad-title", "what it reads: p = softmax(z)");
  const body = el("tbody");
  probs.append(caption, body);
  probWrap.appendChild(probs);
  main.append(padWrap, salWrap, probWrap);

  const status = el("div", "cnnlearn-drawpad-status");
  status.setAttribute("aria-live", "polite");
  const help = el("div", "cnnlearn-drawpad-help",
    "Draw with the mouse or a finger. Keyboard: arrows move, Space paints with the chosen tool, " +
    "Shift+arrows draw a line, Delete erases.");
  root.append(toolbar, main, status, help);

  // ---------------------------------------------------------------- the pad
  let image = model.get("image").map((row) => row.slice());
  let rows = 0, cols = 0;
  const cells = [];

  function drawCell(r, c) {
    const cell = cells[r][c], v = image[r][c];
    cell.style.background = grey(v);
    cell.dataset.ink = String(v);
    cell.setAttribute("aria-label", `row ${r + 1} column ${c + 1}, ${inkWords(v)}`);
  }

  function build() {
    pad.replaceChildren();
    cells.length = 0;
    rows = image.length;
    cols = rows ? image[0].length : 0;
    for (let r = 0; r < rows; r++) {
      const row = el("div", "cnnlearn-drawpad-row");
      row.setAttribute("role", "row");
      cells.push([]);
      for (let c = 0; c < cols; c++) {
        const cell = el("div", `cnnlearn-drawpad-cell cnnlearn-ink-${r}-${c}`);
        cell.setAttribute("role", "gridcell");
        cell.tabIndex = r === 0 && c === 0 ? 0 : -1;
        cell.dataset.r = r;
        cell.dataset.c = c;
        cells[r].push(cell);
        row.appendChild(cell);
      }
      pad.appendChild(row);
    }
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) drawCell(r, c);
  }

  // ---------------------------------------------------------------- talking to Python
  let kernel = kernelThere(model);
  let lastSent = 0, sendTimer = null, slowTimer = null, silentTimer = null;

  function send() {
    if (sendTimer !== null) { clearTimeout(sendTimer); sendTimer = null; }
    lastSent = performance.now();
    model.set("image", image.map((row) => row.slice()));
    model.set("revision", model.get("revision") + 1);
    save(model);
    kernel = kernelThere(model);
    root.dataset.revision = model.get("revision");
    showAnswer();
  }

  function changed(now) {
    if (now || performance.now() - lastSent >= SEND_EVERY_MS) send();
    else if (sendTimer === null) sendTimer = setTimeout(send, SEND_EVERY_MS - (performance.now() - lastSent));
  }

  function ink(r, c, v) {
    if (r < 0 || c < 0 || r >= rows || c >= cols || image[r][c] === v) return false;
    image[r][c] = v;
    drawCell(r, c);
    return true;
  }

  // ---------------------------------------------------------------- what Python answered
  function showTool() {
    const tool = model.get("tool");
    for (const [name, b] of Object.entries(toolButtons)) b.setAttribute("aria-pressed", String(name === tool));
  }

  function showAnswer() {
    const a = model.get("answer") || {};
    const current = a.revision === model.get("revision");
    root.dataset.answered = a.revision === undefined ? "" : String(a.revision);
    root.classList.toggle("cnnlearn-stale", !current);
    for (const t of [slowTimer, silentTimer]) if (t !== null) clearTimeout(t);
    slowTimer = silentTimer = null;
    if (current) {
      status.textContent = a.summary || "";
    } else if (!kernel) {
      status.textContent = "No Python kernel here: you can draw, but what the network reads needs the notebook " +
        "running in Jupyter. Shown: its answer for the drawing this page was saved with.";
    } else {
      slowTimer = setTimeout(() => { status.textContent = "Asking the network…"; }, SLOW_MS);
      silentTimer = setTimeout(() => {
        status.textContent = "No answer from Python: is the notebook's kernel running? Run the pad's cell again.";
      }, NO_ANSWER_MS);
    }
    if (!a.probs) return;
    body.replaceChildren();
    for (const [name, p, text] of a.probs) {
      const k = +name;
      const tr = el("tr", `cnnlearn-prob-${k}`);
      tr.dataset.p = String(p);
      const th = el("th", "", name);
      th.scope = "row";
      const td = el("td");
      const bar = el("span", "cnnlearn-drawpad-bar");
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      bar.setAttribute("aria-hidden", "true");
      const track = el("span", "cnnlearn-drawpad-track");
      track.appendChild(bar);
      td.append(track, el("span", "cnnlearn-drawpad-p", text));
      if (k === a.predicted) {
        tr.classList.add("cnnlearn-top");
        td.appendChild(el("span", "cnnlearn-drawpad-read", " ← read as this"));
      }
      tr.append(th, td);
      body.appendChild(tr);
    }
    salTitle.textContent = a.saliency_title;
    sal.setAttribute("aria-label", a.saliency_alt);
    sal.replaceChildren();
    a.saliency.forEach((line, r) => {
      const row = el("div", "cnnlearn-drawpad-row");
      line.forEach((colour, c) => {
        const px = el("div", `cnnlearn-drawpad-cell cnnlearn-sal-${r}-${c}`);
        px.style.background = colour;
        row.appendChild(px);
      });
      sal.appendChild(row);
    });
  }

  // ---------------------------------------------------------------- pointer: mouse, pen, touch
  let stroke = null;  // {value, r, c}: the stroke's ink and the pixel it last reached

  const cellAt = (x, y) => {
    const hit = document.elementFromPoint(x, y);
    const cell = hit instanceof Element ? hit.closest(".cnnlearn-drawpad-cell") : null;
    return cell && pad.contains(cell) ? cell : null;
  };

  // every pixel on the straight line from the last one, so a quick stroke leaves no gaps
  function lineTo(r1, c1) {
    let { r, c } = stroke, touched = false;
    const n = Math.max(Math.abs(r1 - r), Math.abs(c1 - c));
    for (let i = 1; i <= n; i++) {
      touched = ink(Math.round(r + ((r1 - r) * i) / n), Math.round(c + ((c1 - c) * i) / n), stroke.value) || touched;
    }
    stroke.r = r1;
    stroke.c = c1;
    return touched;
  }

  pad.addEventListener("pointerdown", (ev) => {
    const cell = cellAt(ev.clientX, ev.clientY);
    if (!cell || ev.button !== 0) return;
    ev.preventDefault();
    const r = +cell.dataset.r, c = +cell.dataset.c;
    stroke = { value: model.get("tools")[model.get("tool")], r, c };
    focusCell(cell);  // the keyboard carries on from the pixel the pointer touched
    if (ink(r, c, stroke.value)) changed(false);
  });
  const onMove = (ev) => {
    if (stroke === null) return;
    const cell = cellAt(ev.clientX, ev.clientY);
    if (cell && lineTo(+cell.dataset.r, +cell.dataset.c)) changed(false);
  };
  const onUp = () => {
    if (stroke === null) return;
    stroke = null;
    if (sendTimer !== null) send();  // the stroke's last pixels go at once
  };
  window.addEventListener("pointermove", onMove);
  window.addEventListener("pointerup", onUp);
  window.addEventListener("pointercancel", onUp);

  clearButton.addEventListener("click", () => {
    let touched = false;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) touched = ink(r, c, 0) || touched;
    if (touched) changed(true);
  });

  // ---------------------------------------------------------------- keyboard
  function focusCell(cell) {
    rove(cell);
    cell.focus({ preventScroll: true });
  }

  // Notebook 7 takes arrow keys before a widget sees them: listen on window, in the capture phase,
  // and act only on keys aimed at one of this pad's pixels.
  const onKey = (ev) => {
    const cell = ev.target instanceof Element ? ev.target.closest(".cnnlearn-drawpad-cell") : null;
    if (!cell || !pad.contains(cell)) return;
    let r = +cell.dataset.r, c = +cell.dataset.c;
    const value = model.get("tools")[model.get("tool")];
    let paint = null;
    switch (ev.key) {
      case "ArrowUp": r = Math.max(0, r - 1); break;
      case "ArrowDown": r = Math.min(rows - 1, r + 1); break;
      case "ArrowLeft": c = Math.max(0, c - 1); break;
      case "ArrowRight": c = Math.min(cols - 1, c + 1); break;
      case "Home": c = 0; break;
      case "End": c = cols - 1; break;
      case " ": case "Enter": paint = value; break;
      case "Delete": case "Backspace": paint = 0; break;
      default: return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    if (ev.shiftKey && ev.key.startsWith("Arrow")) paint = value;
    if (paint !== null && ink(r, c, paint)) changed(true);
    if (cells[r][c] !== cell) focusCell(cells[r][c]);
  };
  window.addEventListener("keydown", onKey, true);

  // ---------------------------------------------------------------- from Python
  const fromPython = () => {
    const next = model.get("image");
    if (next.length !== rows || (rows && next[0].length !== cols)) { image = next.map((row) => row.slice()); build(); }
    else {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
        if (image[r][c] !== next[r][c]) { image[r][c] = next[r][c]; drawCell(r, c); }
      }
    }
    root.dataset.revision = model.get("revision");
  };
  const stop = listen(model, { "change:image": fromPython, "change:answer": showAnswer, "change:tool": showTool });
  build();
  root.dataset.revision = model.get("revision");
  showTool();
  showAnswer();

  return () => {
    for (const t of [sendTimer, slowTimer, silentTimer]) if (t !== null) clearTimeout(t);
    window.removeEventListener("keydown", onKey, true);
    window.removeEventListener("pointermove", onMove);
    window.removeEventListener("pointerup", onUp);
    window.removeEventListener("pointercancel", onUp);
    stop();
  };
}

export default { render };
