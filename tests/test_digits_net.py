"""The shared digits network of notebooks 07-09: architecture, determinism, save/load round trip, clear errors."""

import numpy as np
import pytest

from cnnlearn import datasets, digits_net


def test_shapes_and_parameter_count():
    net = digits_net.build_network()
    y = net.forward(np.zeros((3, 1, 8, 8)))
    assert y.shape == (3, 10)
    assert sum(p.size for p in net.params.values()) == 16 * 9 + 16 + 32 * 16 * 9 + 32 + 10 * 512 + 10


def test_training_reaches_98_percent_and_is_repeatable():
    data = datasets.load_digits()
    a, b = digits_net.build_network(), digits_net.build_network()
    ha = digits_net.train(a, data, epochs=3, slow_from=3)
    hb = digits_net.train(b, data, epochs=3, slow_from=3)
    assert ha["loss"] == hb["loss"] and ha["loss"][-1] < ha["loss"][0]
    full = digits_net.build_network()
    h = digits_net.train(full, data)
    assert h["test_acc"][-1] >= 0.98


def test_save_load_round_trip(tmp_path):
    net = digits_net.build_network(seed=3)
    path = digits_net.save(net, tmp_path / "n.npz")
    back = digits_net.load(path)
    for key, p in net.params.items():
        np.testing.assert_array_equal(back.params[key], p)


def test_load_rejects_a_file_of_another_network(tmp_path):
    np.savez(tmp_path / "old.npz", **{"0.w": np.zeros((16, 1, 3, 3))})
    with pytest.raises(ValueError, match="run notebook 07 again"):
        digits_net.load(tmp_path / "old.npz")


def test_load_or_train_trains_and_saves_when_the_file_is_missing(tmp_path, capsys):
    path = tmp_path / "net.npz"
    net = digits_net.load_or_train(path)
    assert path.exists() and "was not there" in capsys.readouterr().out
    again = digits_net.load_or_train(path)
    assert "loaded" in capsys.readouterr().out
    np.testing.assert_array_equal(again.params["6.w"], net.params["6.w"])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        digits_net.train(digits_net.build_network(), epochs=0)
    with pytest.raises(TypeError, match="on_epoch"):
        digits_net.train(digits_net.build_network(), epochs=1, on_epoch=3)
