"""Forward convolution three ways: the loop twin (conv2d_naive), the matrix form (conv2d_im2col) and cnnlearn.conv2d.

The layer is the first convolution of the digits network of notebook 07 on a batch of 32
digits: x of shape (32, 1, 8, 8), 16 filters 3x3, padding 1; and, with --layer2, its second
convolution's shape, (32, 16, 4, 4) and 32 filters 3x3, padding 1. Prints the medians over
the rounds and the speed-ups over the loops (no timing is asserted anywhere).

    python benchmarks/bench_im2col.py [--repeat N] [--layer2]
"""

import argparse

import numpy as np

from cnnlearn.datasets import load_digits
from cnnlearn.speed import compare_speed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--layer2", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = load_digits().x_train[:32]
    layers = [("32 digits 1x8x8, 16 filters 3x3, padding 1", x, rng.normal(size=(16, 1, 3, 3)) / 3)]
    if args.layer2:
        layers.append(("32 x 16x4x4, 32 filters 3x3, padding 1", rng.normal(size=(32, 16, 4, 4)),
                       rng.normal(size=(32, 16, 3, 3)) / 12))
    print(f"{'layer':48s} {'loops ms':>10s} {'im2col ms':>10s} {'conv2d ms':>10s} {'im2col x':>9s} {'conv2d x':>9s}")
    for label, x, w in layers:
        t = compare_speed(x, w, padding=1, repeat=args.repeat)
        print(f"{label:48s} {t['loops'] * 1e3:10.2f} {t['im2col'] * 1e3:10.3f} {t['conv2d'] * 1e3:10.3f} "
              f"{t['speedup']['im2col']:8.0f}x {t['speedup']['conv2d']:8.0f}x")


if __name__ == "__main__":
    main()
