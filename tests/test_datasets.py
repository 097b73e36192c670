"""The bundled digits: shapes, layout, labels, a split that never changes, nothing downloaded."""

import hashlib
from importlib import resources

import numpy as np
import pytest

from cnnlearn.datasets import load_digits, random_shift


def test_shapes_dtypes_and_ranges():
    x_train, y_train, x_test, y_test = load_digits()
    assert x_train.shape == (1438, 1, 8, 8) and x_test.shape == (359, 1, 8, 8)
    assert y_train.shape == (1438,) and y_test.shape == (359,)
    assert x_train.dtype == np.float64 and y_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    # pixels are ink counts 0..16, scaled by 1/16
    np.testing.assert_array_equal(x_test * 16, np.round(x_test * 16))
    assert set(np.unique(y_train)) == set(range(10)) and set(np.unique(y_test)) == set(range(10))


def test_split_is_stratified_and_fixed():
    d = load_digits()
    counts = np.bincount(d.y_test, minlength=10)
    totals = counts + np.bincount(d.y_train, minlength=10)
    np.testing.assert_array_equal(counts, np.round(0.2 * totals))
    again = load_digits()
    for a, b in zip(d, again):
        np.testing.assert_array_equal(a, b)
    assert not np.shares_memory(d.x_train, again.x_train)  # fresh arrays: a caller may modify its copy


def test_train_and_test_do_not_overlap():
    d = load_digits()
    train = {row.tobytes() for row in (d.x_train * 16).astype(np.uint8)}
    test = [row.tobytes() for row in (d.x_test * 16).astype(np.uint8)]
    assert not any(t in train for t in test)


def test_float32_and_bad_dtype():
    assert load_digits(np.float32).x_train.dtype == np.float32
    with pytest.raises(TypeError, match="dtype must be a float dtype"):
        load_digits(np.int64)


def test_file_and_its_licence_ship_with_the_package():
    data = resources.files("cnnlearn").joinpath("data")
    assert "CC BY 4.0" in data.joinpath("README.md").read_text()
    assert "Creative Commons Attribution 4.0" in data.joinpath("LICENSE").read_text()
    raw = data.joinpath("digits.npz").read_bytes()
    with np.load(data.joinpath("digits.npz")) as f:
        assert f["images"].shape == (1797, 8, 8) and f["images"].max() == 16
    assert len(raw) < 100_000


def test_class_counts_are_those_of_the_uci_test_set():
    # optdigits.tes class distribution, as listed in the UCI description of the data set
    d = load_digits()
    counts = np.bincount(np.concatenate([d.y_train, d.y_test]))
    np.testing.assert_array_equal(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_file_is_unchanged():
    # sha256 of pixels + labels, recorded when the file was made and checked equal, array for array,
    # to scikit-learn's copy; guards against an accidental re-export
    with np.load(resources.files("cnnlearn").joinpath("data", "digits.npz")) as f:
        h = hashlib.sha256(f["images"].tobytes() + f["labels"].tobytes()).hexdigest()
    assert h == "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"


def test_random_shift_moves_each_image_by_at_most_one_pixel():
    rng = np.random.default_rng(0)
    x = load_digits().x_train[:50]
    x0 = x.copy()
    out = random_shift(x, rng)
    np.testing.assert_array_equal(x, x0)
    assert out.shape == x.shape and not np.shares_memory(out, x)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    seen = set()
    for k in range(len(x)):
        matches = [(a, b) for a in range(3) for b in range(3)
                   if np.array_equal(out[k], padded[k, :, a:a + 8, b:b + 8])]
        assert matches, f"image {k} is not a one-pixel shift of its input"
        seen.update(matches)
    assert len(seen) == 9  # every one of the nine shifts occurs in 50 draws
    np.testing.assert_array_equal(random_shift(x, np.random.default_rng(0)), out)  # seeded: reproducible


def test_random_shift_zero_and_bad_arguments():
    x = np.arange(2 * 16, dtype=float).reshape(2, 1, 4, 4)
    np.testing.assert_array_equal(random_shift(x, np.random.default_rng(1), max_shift=0), x)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        random_shift(x, 0)
    with pytest.raises(ValueError, match="max_shift must be smaller than the image"):
        random_shift(x, np.random.default_rng(1), max_shift=4)
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        random_shift(x[0], np.random.default_rng(1))
