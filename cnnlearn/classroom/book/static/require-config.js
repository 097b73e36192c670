// The web edition's pages with widgets load this first, before require.js: a global `require` object is the
// configuration require.js reads when it loads. It names where anywidget's front end is (beside this file's
// folder, in _static/anywidget/), so the widget renderer loads the vendored copy and never asks a CDN.
var require = {
  paths: { anywidget: document.currentScript.src.replace(/cnnlearn\/[^/]*$/, "anywidget/index") },
};
