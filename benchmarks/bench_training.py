"""Training the digits CNN of notebook 07: one training step, per layer and whole, cnnlearn against PyTorch.

The network is notebook 07's, ``cnnlearn.digits_net.build_network``: Conv2D(1, 16, 3, padding=1), ReLU,
MaxPool2D(2), Conv2D(16, 32, 3, padding=1), ReLU, Flatten, Linear(512, 10), softmax cross-entropy, SGD with
momentum, mini-batches of 32 bundled 8x8 digits (float64).

Rows:

* each layer's forward + backward on a batch of 32 (cnnlearn; PyTorch's autograd when installed);
* one whole training step (forward, loss, backward, SGD step);
* one epoch of 45 steps, and the 20-epoch run of notebook 07, extrapolated from the step median;
* the real thing: ``digits_net.train`` run end to end (cnnlearn only), its compute seconds and test accuracy.

The contenders run side by side: every round times each of them once, in an order that rotates from round to
round, so noise from other work on the machine falls on all of them alike. The table gives the median over the
rounds and the best round. PyTorch runs with one thread, which is fastest for tensors this small (two threads
on a shared 2-core machine were about 20 times slower in our runs). Before timing, the cnnlearn results are
checked against PyTorch's (a guard against timing a wrong answer, not a timing assertion).

    python benchmarks/bench_training.py [--repeat N]
"""

import argparse
import platform
import statistics
import time

import numpy as np

import cnnlearn
from cnnlearn import datasets, digits_net
from cnnlearn.optim import SGD

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

BATCH, EPOCH_STEPS, EPOCHS = digits_net.RECIPE["batch"], 45, digits_net.RECIPE["epochs"]
WEIGHTED = (0, 3, 6)   # the layers with parameters


def torch_twin(net):
    nn = torch.nn
    tnet = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(512, 10)).double()
    with torch.no_grad():
        for k in WEIGHTED:
            tnet[k].weight.copy_(torch.from_numpy(net.layers[k].params["w"]))
            tnet[k].bias.copy_(torch.from_numpy(net.layers[k].params["b"]))
    return tnet


def layer_inputs(net, x):
    """The input each layer sees in the forward pass."""
    inputs = []
    for layer in net.layers:
        inputs.append(x)
        x = layer.forward(x)
    return inputs


def cnnlearn_layer_call(layer, x, dy):
    def call():
        layer.forward(x)
        layer.backward(dy)
    return call


def torch_layer_call(module, x, dy):
    xt, dyt = torch.from_numpy(x), torch.from_numpy(dy)

    def call():
        xg = xt.clone().requires_grad_(True)
        module.zero_grad(set_to_none=True)
        module(xg).backward(dyt)
    return call


def guard(net, tnet, x, y):
    logits = net.forward(x)
    net.backward(cnnlearn.cross_entropy_backward(logits, y))
    tnet.zero_grad()
    torch.nn.functional.cross_entropy(tnet(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    worst = max(cnnlearn.rel_error(net.grads[f"{k}.{a}"], getattr(tnet[k], b).grad.numpy())
                for k in WEIGHTED for a, b in (("w", "weight"), ("b", "bias")))
    if worst > 1e-10:
        raise SystemExit(f"cnnlearn and PyTorch disagree (relative error {worst:.1e}); not timing a wrong answer")
    return worst


def measure(contenders, repeat):
    """``contenders``: {name: callable}. Returns {name: [seconds per round]}."""
    names = list(contenders)
    times = {n: [] for n in names}
    for r in range(repeat):
        for n in names[r % len(names):] + names[:r % len(names)]:
            t0 = time.perf_counter()
            contenders[n]()
            times[n].append(time.perf_counter() - t0)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="rounds per row (default 30)")
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)

    x_train, y_train, _, _ = datasets.load_digits()
    rng = np.random.default_rng(0)
    x, y = x_train[:BATCH], y_train[:BATCH]
    net = digits_net.build_network()
    print(f"numpy {np.__version__}, {platform.processor() or platform.machine()}, "
          f"PyTorch {torch.__version__ + ' (1 thread)' if torch is not None else 'not installed'}")
    if torch is not None:
        tnet = torch_twin(net)
        print(f"guard: cnnlearn vs PyTorch gradients agree, largest relative error {guard(net, tnet, x, y):.1e}")

    rows = []
    for k, (layer, xin) in enumerate(zip(net.layers, layer_inputs(net, x))):
        dy = rng.normal(size=layer.forward(xin).shape)
        contenders = {"cnnlearn": cnnlearn_layer_call(layer, xin, dy)}
        if torch is not None:
            contenders["PyTorch"] = torch_layer_call(tnet[k], xin, dy)
        rows.append((f"{layer!r} fwd+bwd", measure(contenders, args.repeat)))

    opt = SGD(net, lr=0.05, momentum=0.9)

    def step():
        logits = net.forward(x)
        cnnlearn.cross_entropy(logits, y)
        net.backward(cnnlearn.cross_entropy_backward(logits, y))
        opt.step()
    contenders = {"cnnlearn": step}
    if torch is not None:
        topt = torch.optim.SGD(tnet.parameters(), lr=0.05, momentum=0.9)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)

        def torch_step():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tnet(xt), yt).backward()
            topt.step()
        contenders["PyTorch"] = torch_step
    step_times = measure(contenders, args.repeat)
    rows.append(("training step (batch 32)", step_times))
    epoch = {n: [t * EPOCH_STEPS for t in ts] for n, ts in step_times.items()}
    rows.append((f"epoch ({EPOCH_STEPS} steps, from the step median)", epoch))

    print(f"\n{'row':<52} {'contender':<9} {'median':>10} {'best':>10}   ratio to PyTorch (median)")
    for label, times in rows:
        for name, ts in times.items():
            med = statistics.median(ts)
            ratio = ""
            if name == "cnnlearn" and "PyTorch" in times:
                ratio = f"{med / statistics.median(times['PyTorch']):.2f}x"
            print(f"{label:<52} {name:<9} {med * 1e3:8.3f}ms {min(ts) * 1e3:8.3f}ms   {ratio}")
    print(f"\nnotebook 07's {EPOCHS} epochs, extrapolated from the step median: "
          f"{statistics.median(step_times['cnnlearn']) * EPOCH_STEPS * EPOCHS:.1f} s of computing in cnnlearn")

    runs = []
    for _ in range(args.repeat):
        history = digits_net.train(digits_net.build_network())
        runs.append((history["seconds"], history["test_acc"][-1]))
    secs = [r[0] for r in runs]
    print(f"digits_net.train, end to end ({args.repeat} runs): median {statistics.median(secs):.2f} s, "
          f"best {min(secs):.2f} s of computing; test accuracy {runs[-1][1]:.2%}")


if __name__ == "__main__":
    main()
