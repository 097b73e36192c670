// The DOM helpers every cnnlearn widget module uses. anywidget loads each widget's module on its own (from a
// blob: URL), so a module cannot import a sibling file: cnnlearn.widgets._grid.esm puts this file first in each.

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function save(model) {
  try { model.save_changes(); } catch (e) { /* a static page has no kernel to tell */ }
}

// A colour scale's stops, [[text, background, text colour], ...], as labelled swatches appended to `parent`.
function swatches(parent, cls, stops) {
  for (const [text, bg, fg] of stops) {
    const s = el("span", cls, text);
    s.style.background = bg;
    s.style.color = fg;
    parent.appendChild(s);
  }
}

// A roving tabindex: `cell` becomes the one Tab stop of its role="grid".
function rove(cell) {
  const grid = cell.closest('[role="grid"]');
  for (const other of grid.querySelectorAll('[tabindex="0"]')) if (other !== cell) other.tabIndex = -1;
  cell.tabIndex = 0;
}

// Listen to the model's change events {event: handler}; returns the function that stops listening.
function listen(model, handlers) {
  for (const [event, handler] of Object.entries(handlers)) model.on(event, handler);
  return () => { for (const [event, handler] of Object.entries(handlers)) model.off(event, handler); };
}
