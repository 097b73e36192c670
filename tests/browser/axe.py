"""axe-core 4.14.1 on the series' widgets and pages, with the WCAG 2.0, 2.1 and 2.2 A and AA rules.

Used where a page is already open for other checks (test_notebooks.py in JupyterLab 4, test_notebook7.py in
Notebook 7, test_offline.py on every page of the offline edition), so no notebook runs for axe alone. Any
violation fails, with its rule, impact, target and axe's summary; results per widget are printed (run with
``-s`` to see them as they come, or read the captured output of a failure).

Inside JupyterLab and Notebook 7 axe finds ``color-contrast`` inapplicable for widget cells (Lumino's layout
hides them from its visibility test); on the exported pages it is checked.
"""

from . import jupyter, students

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# One notebook per widget class of the series: together they show every widget there is
# (00 and 06 show the same classes again, 07 only a progress bar of ipywidgets).
NOTEBOOKS_WITH_WIDGETS = {
    "01_forward_pass.ipynb": ["cnnlearn-stepper"],
    "02_softmax_cross_entropy.ipynb": ["cnnlearn-softmax"],
    "03_filter_gradient.ipynb": ["cnnlearn-filter-explorer"],
    "04_input_gradient.ipynb": ["cnnlearn-explorer", "cnnlearn-fullconv"],
    "06_beyond_the_toy.ipynb": ["cnnlearn-explorer", "cnnlearn-fullconv"],  # the explorer with its size sliders
    "07_train_a_cnn.ipynb": [],  # NetworkExplorer (not a grid: axe checks it with the other widget outputs)
    "09_what_the_input_gradient_is_for.ipynb": ["cnnlearn-attack", "cnnlearn-drawpad"],
    "10_im2col.ipynb": ["cnnlearn-im2col"],
}

# From file:// axe does not fetch the page's style sheets (its "preload", which only the orientation-lock rule
# reads): the browser refuses those fetches, and the tests count every failed request.
_RUN = """async ([context, tags]) => {
    const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                           preload: location.protocol !== 'file:'});
    return {
        violations: result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
        })),
        passes: result.passes.length,
        incomplete: result.incomplete.map(v => v.id),
    };
}"""


def run_axe(page, axe_script, targets, exclude=()):
    """axe on the elements named by the CSS selectors ``targets``, leaving out those in ``exclude``;
    returns axe's violations and counts."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    context = {"include": [[t] for t in targets]}
    if exclude:
        context["exclude"] = [[t] for t in exclude]
    return page.evaluate(_RUN, [context, TAGS])


def describe(label, violations):
    """The failure text: one block per rule, one line per node."""
    lines = []
    for v in violations:
        lines.append(f"{label}: {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def report(label, result):
    """Print one line for ``label``; return the failure text ('' when clean)."""
    violations = result["violations"]
    count = sum(len(v["nodes"]) for v in violations)
    rules = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations) or "none"
    print(f"axe {label}: {count} violations ({rules}); {result['passes']} rules pass")
    return describe(label, violations)


def widget_roots(page, root_classes, scope):
    """CSS selectors, one per widget root of each class in ``root_classes`` on the page; also any
    other widget output (Play, progress bars), so that nothing displayed goes unchecked."""
    return page.evaluate(
        """([scope, classes]) => {
            const found = [];
            const roots = new Set();
            for (const cls of classes) {
                document.querySelectorAll(scope + ' .' + cls).forEach((el, i) => {
                    el.setAttribute('data-cnnlearn-axe', cls + '-' + i);
                    roots.add(el);
                    found.push([cls + ' #' + i, `[data-cnnlearn-axe="${cls}-${i}"]`]);
                });
            }
            document.querySelectorAll(scope + ' .jp-OutputArea-output:not([data-mime-type])').forEach((o, i) => {
                if (!o.children.length || [...roots].some(r => o.contains(r))) return;
                o.setAttribute('data-cnnlearn-axe', 'output-' + i);
                found.push(['other widget output #' + i, `[data-cnnlearn-axe="output-${i}"]`]);
            });
            return found;
        }""", [scope, root_classes])


def check_notebook_widgets(page, name, axe_script, front_end):
    """axe on each widget root of notebook ``name``, which has run on ``page`` (JupyterLab or Notebook 7):
    first the widget classes :data:`NOTEBOOKS_WITH_WIDGETS` names for it must be there."""
    roots = NOTEBOOKS_WITH_WIDGETS[name]
    for cls in roots:
        page.wait_for_selector(f"{jupyter.PANEL} .{cls}")
    jupyter.wait_widgets_rendered(page)
    jupyter.painted(page)
    found = widget_roots(page, list(students.ROOTS), jupyter.PANEL)
    labels = {label.split(" #")[0] for label, _ in found}
    assert set(roots) <= labels, f"{name}: expected widgets {roots}, found {sorted(labels)}"
    failures = []
    for label, selector in found:
        failure = report(f"{front_end}, {name}, {label}", run_axe(page, axe_script, [selector]))
        if failure:
            failures.append(failure)
    assert not failures, "axe found violations:\n" + "\n".join(failures)


def offline_violations(page, page_name, axe_script, widgets=True, exclude=()):
    """axe on each widget view of an open offline page, then on the whole page; the failure texts."""
    failures = []
    if widgets:
        views = page.evaluate("""() => [...document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"]')].map((s, i) => {
                s.parentElement.setAttribute('data-cnnlearn-axe', 'view-' + i); return i; })""")
        for i in views:
            failures.append(report(f"offline {page_name}, widget view #{i}",
                                   run_axe(page, axe_script, [f'[data-cnnlearn-axe="view-{i}"]'], exclude)))
    failures.append(report(f"offline {page_name}, whole page", run_axe(page, axe_script, ["html"], exclude)))
    return [f for f in failures if f]


def wait_math_settled(page, root):
    """Wait until MathJax has finished with what ``root`` shows: a checked question reveals an equation, and
    MathJax 2 (the web edition's) first puts in a bare SVG, then hides it from screen readers behind its
    assistive MathML; axe must see the finished state. MathJax 3 (JupyterLab's) has no such step."""
    page.wait_for_function(
        """(root) => {
            const hub = window.MathJax && window.MathJax.Hub;
            if (hub && hub.queue && (hub.queue.pending || hub.queue.running)) return false;
            return [...root.querySelectorAll('.MathJax_SVG svg, .MathJax_SVG_Display svg')]
                .every(svg => svg.getAttribute('aria-hidden') === 'true');
        }""", arg=root.element_handle(), timeout=jupyter.PATIENCE_MS)


def answer_questions(page, axe_script, where, scope=jupyter.PANEL):
    """Answer every question waiting on the page (students.answer_questions), then axe on each widget so
    answered: its marks (right, missed, extra), status and explanation. Returns the widgets answered."""
    asked = students.answer_questions(page, scope)
    failures = []
    for i, w in enumerate(asked):
        wait_math_settled(page, w.root)
        w.root.evaluate("(r, i) => r.setAttribute('data-cnnlearn-axe', 'answered-' + i)", i)
        target = f'[data-cnnlearn-axe="answered-{i}"]'
        failures.append(report(f"{where}, {w} answered", run_axe(page, axe_script, [target])))
    failures = [f for f in failures if f]
    assert not failures, "axe found violations:\n" + "\n".join(failures)
    return asked
