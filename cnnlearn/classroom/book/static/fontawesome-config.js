// The web edition's pages with widgets load this before the theme's Font Awesome script. That script turns every
// <i class="fa ..."> into an SVG, the page's own icons when the page has loaded, and by default every icon added
// later too: ipywidgets' Play and ToggleButton then lose the <i> they change their icon through (Play throws).
// Watching for later icons off, the widgets' icons stay the widget renderer's own (its Font Awesome font, copied
// beside the pages), and the theme's icons, in the page from the start, are drawn as before.
window.FontAwesomeConfig = Object.assign(window.FontAwesomeConfig || {}, { observeMutations: false });
