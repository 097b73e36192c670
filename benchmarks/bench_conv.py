"""Forward + backward convolution: naive loops, the fast numpy path, and PyTorch CPU.

One "call" is the forward pass followed by the backward pass that returns
dx, dw and db, for float64 and float32, on three LeNet-sized shapes:

    (N=64, C=1, 28x28), F=8 3x3
    (N=64, C=8, 14x14), F=16 3x3, padding 1
    (N=128, C=3, 32x32), F=32 5x5, stride 2, padding 2

The contenders are measured side by side in one run: every round times each of
them once, in an order that rotates from round to round, so that noise from
other work on the machine falls on all of them alike. The table gives the
median over the rounds (and the best round, which is steadier on a shared
machine). The naive forward loops over the examples one output pixel at a time
and is far too slow for a whole batch, so it runs on a few examples and its time
is scaled to the full batch per example (it is linear in the examples); the
naive backward loops over pixels with the batch inside each step, so it runs on
the whole batch (scaling it would overstate its time several times).

PyTorch (torch.nn.functional.conv2d with autograd) is used when it is
installed, with as many threads as numpy's BLAS uses. Before timing, the
fast results are checked against the naive ones and against PyTorch's (a guard
against measuring a wrong answer, not a timing assertion).

Targets: fast at least 100x faster than naive; fast at most 1.25x PyTorch's
time in float64 and 2.5x in float32.

    python benchmarks/bench_conv.py [--repeat N] [--quick] [--threads N]
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np

import cnnlearn
import cnnlearn.conv_fast
from cnnlearn import conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive, rel_error

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

SHAPES = [
    # (label, x shape, w shape, stride, padding)
    ("64x1x28x28, 8 3x3", (64, 1, 28, 28), (8, 1, 3, 3), 1, 0),
    ("64x8x14x14, 16 3x3 p1", (64, 8, 14, 14), (16, 8, 3, 3), 1, 1),
    ("128x3x32x32, 32 5x5 s2 p2", (128, 3, 32, 32), (32, 3, 5, 5), 2, 2),
]
TARGET_NAIVE = 100.0
TARGET_TORCH = {"float64": 1.25, "float32": 2.5}
GUARD_TOL = {"float64": 1e-10, "float32": 1e-4}


def blas_threads():
    """Threads numpy's BLAS uses, and where the number came from."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1, "os.cpu_count(); threadpoolctl is not installed", ""
    blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not blas:
        return os.cpu_count() or 1, "os.cpu_count(); threadpoolctl found no BLAS", ""
    p = blas[0]
    return (p["num_threads"], "threadpoolctl",
            f"{p.get('internal_api')} {p.get('version')}, kernel {p.get('architecture')}")


def make_case(x_shape, w_shape, stride, padding, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    y = conv2d(x, w, b, stride=stride, padding=padding)
    dy = rng.standard_normal(y.shape).astype(dtype)
    return x, w, b, dy


def contenders(x, w, b, dy, stride, padding, n_naive):
    """Zero-argument callables: the naive forward (on n_naive examples) and backward (on the
    batch), and forward + backward of the fast path and of PyTorch, returning (y, dx, dw, db)."""
    xs = x[:n_naive].copy()

    def naive_forward():
        return conv2d_naive(xs, w, b, stride=stride, padding=padding)

    def naive_backward():
        return conv2d_backward_naive(dy, x, w, stride=stride, padding=padding)

    def fast():
        y = conv2d(x, w, b, stride=stride, padding=padding)
        return (y,) + conv2d_backward(dy, x, w, stride=stride, padding=padding)

    fns = {"naive forward": naive_forward, "naive backward": naive_backward, "fast": fast}
    if torch is not None:
        tx, tw, tb = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
        tdy = torch.from_numpy(dy)

        def pytorch():
            tx.grad = tw.grad = tb.grad = None
            y = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=padding)
            y.backward(tdy)
            return y, tx.grad, tw.grad, tb.grad

        fns["torch"] = pytorch
    return fns


def guard(fns, n_naive, dtype_name, label):
    """Stop the benchmark if the fast path disagrees with the naive loops or with PyTorch."""
    tol = GUARD_TOL[dtype_name]
    names = ("y", "dx", "dw", "db")
    fast = fns["fast"]()
    naive = (fns["naive forward"](),) + fns["naive backward"]()
    pairs = [("naive", naive, (fast[0][:n_naive],) + fast[1:])]
    if "torch" in fns:
        pairs.append(("torch", [t.detach().numpy() for t in fns["torch"]()], fast))
    for ref_name, ref, got in pairs:
        for name, r, g in zip(names, ref, got):
            err = rel_error(g, r)
            if not err <= tol:
                raise SystemExit(f"guard failed: fast {name} differs from {ref_name} by relative error "
                                 f"{err:.2e} > {tol:.0e} ({dtype_name}, {label}); timings would be meaningless")


def measure(fns, repeat, warmup=2):
    """Median and best time (seconds) of each callable, timed round by round in rotating order."""
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    times = {name: [] for name in names}
    for r in range(repeat):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            t0 = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(ts), min(ts)) for name, ts in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed rounds per configuration (default 21)")
    parser.add_argument("--quick", action="store_true",
                        help="3 rounds and 1 naive example: a smoke run, not a measurement")
    parser.add_argument("--naive-examples", type=int, default=4,
                        help="examples the naive forward runs on, scaled to the batch (default 4)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for numpy's BLAS (needs threadpoolctl), cnnlearn's fast path "
                             "and PyTorch (default: what numpy's BLAS uses)")
    args = parser.parse_args()
    limiter = None
    if args.threads is not None and args.threads < 1:
        raise SystemExit("--threads must be at least 1")
    if args.threads is not None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            raise SystemExit("--threads needs threadpoolctl (pip install threadpoolctl) to set numpy's BLAS "
                             "threads") from None
        limiter = threadpool_limits(limits=args.threads, user_api="blas")
        # and the fast path's own threads (see the notes in cnnlearn/conv_fast.py)
        cnnlearn.conv_fast._WORKERS = args.threads
    repeat = 3 if args.quick else args.repeat
    n_naive = 1 if args.quick else args.naive_examples
    if repeat < 1 or n_naive < 1:
        raise SystemExit("--repeat and --naive-examples must be at least 1")

    threads, source, blas = blas_threads()
    print(f"cnnlearn {cnnlearn.__version__ if hasattr(cnnlearn, '__version__') else ''}  numpy {np.__version__}  "
          f"python {platform.python_version()}  {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"numpy BLAS: {blas or 'unknown'}; {threads} thread(s) (from {source}); "
          f"cnnlearn.conv_fast threads: {cnnlearn.conv_fast._WORKERS}")
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                                       "OMP_NUM_THREADS") if k in os.environ}
    print(f"environment: {env if env else 'no OPENBLAS_*/OMP_* variables set'}")
    if torch is not None:
        torch.set_num_threads(threads)
        print(f"PyTorch {torch.__version__} on CPU, torch.set_num_threads({threads})")
    else:
        print("PyTorch is not installed: the torch column is left out")
    print(f"{repeat} rounds, median (best) in ms for one forward + backward; the naive forward is "
          f"timed on {n_naive} example(s) and scaled per example to the batch, the naive backward on the batch")
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}\n")

    head = f"{'dtype':8} {'shape':27} {'naive':>9} {'fast':>17} {'torch':>17} {'speedup':>8} {'fast/torch':>16}"
    print(head)
    print("-" * len(head))
    failed = []
    for dtype in (np.float64, np.float32):
        dname = np.dtype(dtype).name
        for label, x_shape, w_shape, stride, padding in SHAPES:
            x, w, b, dy = make_case(x_shape, w_shape, stride, padding, dtype)
            fns = contenders(x, w, b, dy, stride, padding, n_naive)
            guard(fns, n_naive, dname, label)
            res = measure(fns, repeat)
            N = x_shape[0]
            naive_med = res["naive forward"][0] * N / n_naive + res["naive backward"][0]
            fast_med, fast_best = res["fast"]
            speedup = naive_med / fast_med
            line = (f"{dname:8} {label:27} {naive_med * 1e3:9.0f} "
                    f"{fast_med * 1e3:8.2f} ({fast_best * 1e3:6.2f})")
            if speedup < TARGET_NAIVE:
                failed.append(f"{dname} {label}: fast is {speedup:.0f}x faster than naive (target {TARGET_NAIVE:.0f}x)")
            if "torch" in res:
                torch_med, torch_best = res["torch"]
                ratio, ratio_best = fast_med / torch_med, fast_best / torch_best
                line += (f" {torch_med * 1e3:8.2f} ({torch_best * 1e3:6.2f}) {speedup:7.0f}x"
                         f" {ratio:6.2f} ({ratio_best:5.2f})")
                if ratio > TARGET_TORCH[dname]:
                    failed.append(f"{dname} {label}: fast takes {ratio:.2f}x PyTorch's median time "
                                  f"(target {TARGET_TORCH[dname]}x)")
            else:
                line += f" {'-':>17} {speedup:7.0f}x {'-':>16}"
            print(line, flush=True)
    print(f"\nload average at end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print("targets: speedup >= 100x; fast/torch <= 1.25 (float64), <= 2.5 (float32), on medians")
    if failed:
        print("targets missed:\n  " + "\n  ".join(failed))
    else:
        print("all targets met" if torch is not None else "speedup targets met (PyTorch targets not measured)")
    if limiter is not None:
        limiter.restore_original_limits()


if __name__ == "__main__":
    main()
