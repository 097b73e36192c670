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
