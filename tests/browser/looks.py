"""How the series' widgets look, measured in the page: no pair number covers a value, no value runs over its
cell, and every text of a widget reads at 4.5:1 or more against what is behind it.

Each check is one ``page.evaluate`` over every widget under a CSS scope, so it costs a page little and works the
same in JupyterLab, Notebook 7 and the web edition:

- :func:`badge_and_overflow_problems` first looks at the grids as they are, then shows, one by one, what hovering
  each live cell shows (a synthetic ``mouseover``, which the grids listen to), so that every pair number the
  widget can show is measured against its cell's value; a value's box is its text's box (a DOM Range), a
  number's box its element's. Then the pointer leaves and the widget is back to what it showed.
- :func:`contrast_problems` walks every visible text of the widgets, takes its colour and the colour behind it
  (the nearest backgrounds up the tree, blended where they are translucent) and computes the WCAG ratio.
"""

# The grid cells of the series' widgets (GridView: .cnnlearn-cell, its value .cnnlearn-val, its pair number
# .cnnlearn-mark). Returns {cells, hovered, problems}.
_BADGES = """(scope) => {
    const problems = [];
    const views = [...document.querySelectorAll(scope + ' .cnnlearn-view')];
    const box = (r) => ({l: r.left, r: r.right, t: r.top, b: r.bottom, w: r.width, h: r.height});
    const textBox = (node) => { const range = document.createRange(); range.selectNodeContents(node);
                                return box(range.getBoundingClientRect()); };
    const meets = (a, b) => a.l < b.r - 0.01 && b.l < a.r - 0.01 && a.t < b.b - 0.01 && b.t < a.b - 0.01;
    const name = (cell) => [...cell.classList].find(c => /^cnnlearn-\\w+-\\d+-\\d+$/.test(c));
    const root = (view) => (view.closest('.cnnlearn-widget') || view).className.split(' ')
                             .find(c => c.startsWith('cnnlearn-') && c !== 'cnnlearn-widget') || 'cnnlearn-view';
    let cells = 0, hovered = 0;
    const check = (view, state) => {
        for (const cell of view.querySelectorAll('.cnnlearn-cell')) {
            const val = cell.querySelector('.cnnlearn-val');
            if (!val || !val.textContent.trim()) continue;
            cells++;
            const cs = getComputedStyle(cell), c = box(cell.getBoundingClientRect());
            const inner = {l: c.l + parseFloat(cs.borderLeftWidth), r: c.r - parseFloat(cs.borderRightWidth),
                           t: c.t + parseFloat(cs.borderTopWidth), b: c.b - parseFloat(cs.borderBottomWidth)};
            const t = textBox(val);
            const where = `${root(view)} ${name(cell)} "${val.textContent}" (${state})`;
            if (t.l < inner.l - 0.5 || t.r > inner.r + 0.5 || t.t < inner.t - 0.5 || t.b > inner.b + 0.5)
                problems.push(`${where}: text ${t.w.toFixed(1)}x${t.h.toFixed(1)} px runs over its cell ` +
                              `${(inner.r - inner.l).toFixed(1)}x${(inner.b - inner.t).toFixed(1)} px`);
            const mark = cell.querySelector('.cnnlearn-mark');
            if (mark && mark.textContent.trim()) {
                const m = box(mark.getBoundingClientRect());
                if (meets(m, t)) problems.push(`${where}: pair number ${mark.textContent} covers the value`);
            }
        }
    };
    for (const view of views) {
        check(view, 'as shown');
        const board = view.querySelector('.cnnlearn-board') || view;
        for (const cell of view.querySelectorAll('.cnnlearn-cell.cnnlearn-live')) {
            cell.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
            hovered++;
            check(view, 'hovering ' + name(cell));
        }
        board.dispatchEvent(new MouseEvent('mouseleave'));
    }
    return {views: views.length, cells, hovered, problems: [...new Set(problems)]};
}"""

# Every visible text node under the scope's widget roots: its colour against the background behind it.
_CONTRAST = """([scope, roots, minimum]) => {
    // rgb()/rgba(), and color(srgb r g b / a) with channels from 0 to 1 (what color-mix() computes to)
    const parse = (s) => {
        let m = s.match(/rgba?\\(([^)]+)\\)/), scale = 1;
        if (!m) { m = s.match(/color\\(srgb ([^)]+)\\)/); scale = 255; }
        if (!m) return null;
        const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
        return [p[0] * scale, p[1] * scale, p[2] * scale, p.length > 3 ? p[3] : 1]; };
    const over = (top, under) => { const a = top[3];
        return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
    const lum = (c) => { const l = c.slice(0, 3).map(v => { v /= 255;
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const background = (el) => {
        const layers = [];
        for (let e = el; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
        }
        let bg = [255, 255, 255, 1];
        for (const c of layers.reverse()) bg = over(c, bg);
        return bg;
    };
    const hidden = (el) => { const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) return true;
        for (let e = el; e; e = e.parentElement) { const cs = getComputedStyle(e);
            if (cs.visibility === 'hidden' || cs.display === 'none' || parseFloat(cs.opacity) === 0 ||
                cs.clip === 'rect(0px, 0px, 0px, 0px)') return true; }
        return false; };
    const problems = [];
    let texts = 0, lowest = Infinity;
    const seen = new Set();
    for (const root of document.querySelectorAll(roots.map(r => scope + ' ' + r).join(', '))) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (!n.textContent.trim() || seen.has(el) || el.closest('svg, script, style, .MathJax_SVG, ' +
                '.MathJax_SVG_Display, .MathJax_Preview, mjx-container') || hidden(el)) continue;
            seen.add(el);
            const cs = getComputedStyle(el);
            const bg = background(el), fg = over(parse(cs.color) || [0, 0, 0, 1], bg);
            const r = ratio(fg, bg);
            texts++;
            lowest = Math.min(lowest, r);
            if (r < minimum) problems.push(`"${n.textContent.trim().slice(0, 40)}" (${el.className || el.tagName}): ` +
                                           `${r.toFixed(2)}:1, ${cs.color} on rgb(${bg.slice(0, 3).map(Math.round)})`);
        }
    }
    return {texts, lowest: texts ? lowest : null, problems};
}"""

# The roots of every widget the series shows: its own widgets, and ipywidgets' (controls, equations, outputs).
WIDGET_ROOTS = (".cnnlearn-widget", ".widget-subarea")


def badge_and_overflow_problems(page, scope="body"):
    """Every grid of every widget under ``scope``: {views, cells, hovered, problems} (problems: a list of texts)."""
    return page.evaluate(_BADGES, scope)


def contrast_problems(page, scope="body", roots=WIDGET_ROOTS, minimum=4.5):
    """Every visible text of the widgets under ``scope``: {texts, lowest ratio, problems}."""
    return page.evaluate(_CONTRAST, [scope, list(roots), minimum])
