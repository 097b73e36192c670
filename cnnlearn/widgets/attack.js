// The browser side of cnnlearn.widgets.attack.AttackExplorer: an eps slider and three 8x8 pictures.
// Python computed one frame per eps (colours, texts, accessible names); this file only draws the
// frame the slider points at, in the same frame as the input event, with no kernel.

// el(), save(), swatches() and listen() are in dom.js, which cnnlearn.widgets._grid.esm puts before this file.

const uid = () => `cnnlearn-attack-${Math.random().toString(36).slice(2)}`;

function render({ model, el: root }) {
  root.classList.add("cnnlearn-widget", "cnnlearn-attack");
  let pictures = {};  // name -> {title, box, pixels: [[div]]}
  let shown = -1;     // the frame drawn now

  const group = el("div", "cnnlearn-attack-group");
  group.setAttribute("role", "group");
  const controls = el("div", "cnnlearn-attack-controls");
  const id = uid();
  const label = el("label", "cnnlearn-attack-label", "eps");
  label.htmlFor = id;
  const input = el("input", "cnnlearn-attack-eps");
  input.type = "range";
  input.id = id;
  input.min = "0";
  input.step = "1";
  const readout = el("span", "cnnlearn-attack-readout");
  readout.setAttribute("aria-hidden", "true");  // the slider's aria-valuetext says it already
  controls.append(label, input, readout);
  const board = el("div", "cnnlearn-attack-board");
  const legend = el("div", "cnnlearn-attack-legend");
  const status = el("div", "cnnlearn-attack-status");
  status.setAttribute("aria-live", "polite");
  group.append(controls, board, legend, status);
  root.appendChild(group);

  function picture(name, rows, cols, data) {
    const wrap = el("div", "cnnlearn-attack-picture");
    const title = el("div", "cnnlearn-attack-title");
    title.setAttribute("aria-hidden", "true");  // the picture's aria-label says it, and more
    const box = el("div", `cnnlearn-attack-pixels cnnlearn-attack-${name}`);
    box.setAttribute("role", "img");
    box.style.gridTemplateColumns = `repeat(${cols}, var(--cnnlearn-attack-px))`;
    const pixels = [];
    for (let r = 0; r < rows; r++) {
      const row = [];
      for (let c = 0; c < cols; c++) {
        const px = el("div", `cnnlearn-attack-px cnnlearn-${name}-${r}-${c}`);
        px.setAttribute("aria-hidden", "true");
        px.dataset[data] = "";
        box.appendChild(px);
        row.push(px);
      }
      pixels.push(row);
    }
    wrap.append(title, box);
    board.appendChild(wrap);
    return { title, box, pixels, data };
  }

  function paint(pic, colours, values) {
    for (let r = 0; r < pic.pixels.length; r++) {
      for (let c = 0; c < pic.pixels[r].length; c++) {
        const px = pic.pixels[r][c];
        px.style.background = colours[r][c];
        px.dataset[pic.data] = values[r][c];
      }
    }
  }

  function drawLegend() {
    const L = model.get("legend") || {};
    legend.replaceChildren();
    if (!L.stops) return;
    legend.appendChild(el("span", "cnnlearn-attack-legend-title", L.title));
    swatches(legend, "cnnlearn-attack-stop", L.stops);
    if (L.note) legend.appendChild(el("span", "cnnlearn-attack-legend-note", L.note));
  }

  function build() {
    board.replaceChildren();
    const clean = model.get("clean");
    const frames = model.get("frames");
    group.setAttribute("aria-label", model.get("caption"));
    input.max = String(Math.max(frames.length - 1, 0));
    pictures = {
      clean: picture("clean", clean.rows, clean.cols, "ink"),
      delta: picture("delta", clean.rows, clean.cols, "value"),
      adv: picture("adv", clean.rows, clean.cols, "ink"),
    };
    pictures.clean.title.textContent = clean.title;
    pictures.clean.box.setAttribute("aria-label", clean.alt);
    paint(pictures.clean, clean.colours, clean.ink);
    pictures.delta.title.textContent = model.get("delta_title");
    drawLegend();
    shown = -1;
    draw(model.get("index"));
  }

  // Everything that follows eps: a lookup in frames[k], nothing computed.
  function draw(k) {
    const frames = model.get("frames");
    if (!frames.length) return;
    k = Math.min(Math.max(0, k | 0), frames.length - 1);
    if (String(k) !== input.value) input.value = String(k);
    if (k === shown) return;
    shown = k;
    const f = frames[k];
    input.setAttribute("aria-valuetext", f.valuetext);
    readout.textContent = f.eps_text;
    paint(pictures.delta, f.delta_colours, f.delta_values);
    pictures.delta.box.setAttribute("aria-label", f.delta_alt);
    paint(pictures.adv, f.adv_colours, f.adv_ink);
    pictures.adv.title.textContent = f.adv_title;
    pictures.adv.box.setAttribute("aria-label", f.adv_alt);
    root.classList.toggle("cnnlearn-attack-wrong", !!f.wrong);
    status.textContent = f.status;
  }

  function go(k) {
    draw(k);
    if (model.get("index") !== shown) {
      model.set("index", shown);
      save(model);
    }
  }

  input.addEventListener("input", () => go(+input.value));
  input.addEventListener("change", () => go(+input.value));

  // Notebook 7 takes arrow keys before a widget sees them: listen on window, in the capture phase,
  // and act only on keys aimed at this widget's slider.
  const onKey = (ev) => {
    if (ev.target !== input || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const k = +input.value, last = model.get("frames").length - 1;
    let next;
    switch (ev.key) {
      case "ArrowLeft": case "ArrowDown": next = k - 1; break;
      case "ArrowRight": case "ArrowUp": next = k + 1; break;
      case "PageDown": next = k - 5; break;
      case "PageUp": next = k + 5; break;
      case "Home": next = 0; break;
      case "End": next = last; break;
      default: return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    go(Math.min(Math.max(0, next), last));
  };
  window.addEventListener("keydown", onKey, true);

  const onIndex = () => draw(model.get("index"));
  const onFrames = () => build();
  const stop = listen(model, { "change:index": onIndex, "change:frames": onFrames, "change:clean": onFrames,
                               "change:legend": drawLegend });
  build();
  return () => {
    window.removeEventListener("keydown", onKey, true);
    stop();
  };
}

export default { render };
