"""Python-side cost of the browser-side widgets: building a configuration, and select()/step from Python.

Since the grids are drawn in the browser (cnnlearn.widgets.GridView), a hover, a click or a step
costs the kernel nothing: Python computes every cell's highlights, pairing numbers, equation and
info line once per configuration. This prints, in milliseconds (median and 90th percentile):

- building each widget, and the explorer's configure() (what moving one of its sliders costs),
  with the size of the state shipped to the browser (its synced traits as JSON, without the JavaScript
  and CSS every widget of a kind shares);
- select()/step_to() from Python (a notebook cell or a test), which only moves the pinned cell;
- notebook 09's DrawingPad answering one drawing (the network's forward and backward pass and the
  answer's colours: what each stroke costs the kernel), and its AttackExplorer, whose eps slider
  costs the kernel nothing (every eps is computed once, when it is built);
- the NetworkExplorer of notebooks 07 and 09: hovering costs the kernel nothing, but a class score not
  computed beforehand is, when the page asks for it, and so is a drawing on a pad it follows.

Everything runs without a browser (ipywidgets still serialises each changed state).

    python benchmarks/bench_widgets.py [--repeat N]
"""

import argparse
import json
import statistics
import time

import anywidget
import numpy as np

from cnnlearn import datasets, digits_net, widgets


def timed(action, args_list):
    times = []
    for args in args_list:
        t = time.perf_counter()
        action(*args)
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over every cell (default 3)")
    args = parser.parse_args()
    R = args.repeat
    rng = np.random.default_rng(0)
    x8, w3 = rng.normal(size=(8, 8)), rng.normal(size=(3, 3))
    dy6 = rng.normal(size=(6, 6))
    cells8 = [(i, j) for i in range(8) for j in range(8)] * R
    cells6 = [(i, j) for i in range(6) for j in range(6)] * R
    rows = []

    ex = widgets.ContributionExplorer()
    rows.append(("ContributionExplorer 3x3 worked example", "select x pixel",
                 timed(lambda i, j: ex.select("x", i, j), [(i, j) for i in range(3) for j in range(3)] * 10)))
    ex8 = widgets.ContributionExplorer(x8, w3, dy6, controls=True)
    rows.append(("ContributionExplorer 8x8, 3x3 filter", "select x pixel",
                 timed(lambda i, j: ex8.select("x", i, j), cells8)))
    rows.append(("ContributionExplorer 8x8, 3x3 filter", "select y pixel",
                 timed(lambda i, j: ex8.select("y", i, j), cells6)))
    rows.append(("ContributionExplorer 8x8, 3x3 filter", "select f entry",
                 timed(lambda i, j: ex8.select("f", i, j), [(i, j) for i in range(3) for j in range(3)] * R)))
    exs = widgets.ContributionExplorer(controls=True)
    exs.configure(input_shape=(8, 8), kernel_shape=(3, 3), stride=2, padding=1, dilation=2)
    rows.append(("ContributionExplorer 8x8, s=2 p=1 d=2", "select x pixel",
                 timed(lambda i, j: exs.select("x", i, j), cells8)))
    configs = [dict(input_shape=(8, 8), kernel_shape=(3, 3), stride=s, padding=p) for s in (1, 2) for p in (0, 1)]
    rows.append(("ContributionExplorer", "configure (rebuild grids)",
                 timed(lambda kw: exs.configure(**kw), [(c,) for c in configs] * R)))

    st = widgets.ForwardStepper(x8, w3)
    rows.append(("ForwardStepper 8x8, 3x3 filter", "step",
                 timed(st.step_to, [(int(k),) for k in rng.permutation(st.n_steps)] * R)))
    fe = widgets.FilterGradientExplorer(x8, dy6)
    rows.append(("FilterGradientExplorer 8x8", "select df entry",
                 timed(lambda i, j: fe.select("df", i, j), [(i, j) for i in range(3) for j in range(3)] * R)))
    fc = widgets.FullConvAnimation(dy6, w3)
    rows.append(("FullConvAnimation 8x8, 3x3 filter", "step",
                 timed(fc.step_to, [(int(k),) for k in rng.permutation(fc.n_steps)] * R)))
    fcs = widgets.FullConvAnimation(rng.normal(size=(4, 4)), w3, stride=2, padding=1, input_shape=(8, 8))
    rows.append(("FullConvAnimation 8x8, stride 2, padding 1", "step",
                 timed(fcs.step_to, [(int(k),) for k in rng.permutation(fcs.n_steps)] * R)))
    sp = widgets.SoftmaxPlayground()
    rows.append(("SoftmaxPlayground", "move a slider",
                 timed(lambda v: setattr(sp.sliders[0], "value", v), [(float(v),) for v in rng.uniform(-5, 5, 50)])))

    # notebook 09's widgets run the digits network (untrained here: the same arithmetic)
    net = digits_net.build_network()
    digit = datasets.load_digits().x_test[:1]  # (1, 1, 8, 8)
    pad = widgets.DrawingPad(net, digit[0, 0])
    drawings = [(rng.choice([0.0, 0.5, 1.0], size=(8, 8), p=[0.7, 0.1, 0.2]),) for _ in range(20 * R)]
    rows.append(("DrawingPad 8x8, digits network", "answer a drawing",
                 timed(lambda a: pad.set_state({"image": a.tolist(), "revision": pad.revision + 1}), drawings)))
    attack = widgets.AttackExplorer(net, digit, 0)
    rows.append(("AttackExplorer, 31 eps", "move the eps slider",
                 timed(lambda k: setattr(attack, "index", k), [(int(k),) for k in rng.permutation(31)] * R)))
    _, _, x_test, y_test = datasets.load_digits()
    explorer = widgets.NetworkExplorer(net, x_test[:3], y_test[:3])
    keys = [(f"{n}:{k}",) for n in range(3) for k in range(10)]  # each computed once, then shipped
    rows.append(("NetworkExplorer, 3 digits", "compute another score",
                 timed(lambda key: setattr(explorer, "request", key), keys)))
    explorer.follow(pad)
    draw = lambda a: pad.set_state({"image": a.tolist(), "revision": pad.revision + 1})  # noqa: E731
    rows.append(("NetworkExplorer, 3 digits", "a drawing, another image shown", timed(draw, drawings[:5 * R])))
    explorer.show(input="pad", view="backward", target="predicted")
    rows.append(("NetworkExplorer, 3 digits", "a drawing, the drawing shown", timed(draw, drawings[:5 * R])))

    builds = [("ContributionExplorer 3x3 worked example", lambda: widgets.ContributionExplorer()),
              ("ContributionExplorer 8x8, 3x3 filter", lambda: widgets.ContributionExplorer(x8, w3, dy6)),
              ("ForwardStepper 8x8, 3x3 filter", lambda: widgets.ForwardStepper(x8, w3)),
              ("FilterGradientExplorer 8x8", lambda: widgets.FilterGradientExplorer(x8, dy6)),
              ("FullConvAnimation 8x8, 3x3 filter", lambda: widgets.FullConvAnimation(dy6, w3)),
              ("SoftmaxPlayground", lambda: widgets.SoftmaxPlayground()),
              ("DrawingPad 8x8, digits network", lambda: widgets.DrawingPad(net, digit[0, 0])),
              ("AttackExplorer, 31 eps", lambda: widgets.AttackExplorer(net, digit, 0)),
              ("NetworkExplorer, 3 digits", lambda: widgets.NetworkExplorer(net, x_test[:3], y_test[:3]))]
    sizes = {}
    for name, build in builds:
        rows.append((name, "build (every cell)", timed(build, [()] * R)))
        w = build()
        v = w if isinstance(w, anywidget.AnyWidget) else w.view  # notebook 09's widgets are their own view
        data = {k: val for k, val in v.get_state().items() if not k.startswith("_")}  # not the JS and CSS
        sizes[name] = len(json.dumps(data))

    width = max(len(r[0]) for r in rows)
    print(f"{'widget':<{width}}  {'action':<26} {'median ms':>10} {'p90 ms':>8}")
    for name, action, (med, p90) in rows:
        print(f"{name:<{width}}  {action:<26} {med:>10.2f} {p90:>8.2f}")
    print("\nstate shipped to the browser per configuration:")
    for name, size in sizes.items():
        print(f"  {name:<{width}}  {size / 1024:7.1f} KB")
    click_rows = [r for r in rows if "8x8" in r[0] and r[1] in ("select x pixel", "select y pixel", "step")]
    worst = max(med for _, _, (med, _) in click_rows)
    print(f"\nslowest 8x8 select/step from Python, median: {worst:.2f} ms (a browser hover or click: no kernel work)")


if __name__ == "__main__":
    main()
