"""The package's plan, checked: each module of cnnlearn imports only public names, and only from its own layer or
the layers below it (docs/developing.md draws them); the lesson's mathematics never draws (no pyplot), the figures
never need the widgets, and the teacher's tools need nothing of the lesson."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnnlearn"

# layer -> the top-level names of cnnlearn in it (a module, or a subpackage as a whole)
LAYERS = {
    0: {"validate", "notation"},  # shared checks and formats, no lesson code
    1: {"receptive", "conv_fast", "conv", "losses", "layers", "optim", "gradcheck", "im2col", "datasets",
        "digits_net", "saliency", "trace"},  # the lesson's mathematics (trace: a whole network, one image)
    2: {"equations", "example", "fullconv", "speed", "trace_text", "viz"},  # teaching helpers: equations, the worked
    # example, the full-convolution picture, timings, a traced network's captions, figures
    3: {"widgets", "checks"},  # what a notebook shows and how it checks an exercise
    4: {"classroom"},  # the teacher's tools
    5: {"__init__", "export", "student", "grading"},  # the public face and the python -m forms
}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}
HEADLESS = LAYERS[0] | LAYERS[1]  # no pyplot: the mathematics computes, the figures draw


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        yield rel, rel.parts[0].removesuffix(".py"), path


def _imports(path, rel):
    """(cnnlearn top-level name, imported names) for each import of a cnnlearn module, and the other modules."""
    tree = ast.parse(path.read_text())
    package = ["cnnlearn", *rel.parts[:-1]]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
            else:
                target = (node.module or "").split(".")
            names = [a.name for a in node.names]
            if target[0] == "cnnlearn":
                if len(target) == 1:  # from . import datasets / from .. import saliency
                    for name in names:
                        yield ("cnnlearn", name), [], target
                else:
                    yield ("cnnlearn", target[1]), names, target
            else:
                yield ("other", ".".join(target)), names, target
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                ours = parts[0] == "cnnlearn" and len(parts) > 1
                yield (("cnnlearn", parts[1]) if ours else ("other", a.name)), [], parts


def test_every_module_has_a_layer():
    missing = {top for _, top, _ in _modules()} - set(LAYER_OF)
    assert not missing, f"modules with no layer in tests/test_layout.py (and docs/developing.md): {sorted(missing)}"


@pytest.mark.parametrize("rel, top, path", list(_modules()), ids=[str(r) for r, _, _ in _modules()])
def test_imports_keep_the_layers(rel, top, path):
    layer = LAYER_OF[top]
    for (kind, name), names, target in _imports(path, rel):
        if kind == "other":
            if top in HEADLESS:
                assert name != "matplotlib.pyplot" and "pyplot" not in names, \
                    f"cnnlearn/{rel} imports pyplot: the mathematics computes, cnnlearn.viz draws"
            continue
        if name == top:  # inside one subpackage (widgets, checks, classroom): its own modules
            continue
        assert LAYER_OF[name] <= layer, (f"cnnlearn/{rel} (layer {layer}) imports cnnlearn.{name} "
                                         f"(layer {LAYER_OF[name]}): a module imports only from below it")
        if top in {"widgets", "checks"}:
            assert name not in {"widgets", "checks"}, f"cnnlearn/{rel} imports cnnlearn.{name}"
        assert top != "classroom", \
            f"cnnlearn/{rel} imports cnnlearn.{name}: the teacher's tools need nothing of the lesson"
        private = [n for n in names if n.startswith("_")]
        assert not private, f"cnnlearn/{rel} imports private names {private} from cnnlearn.{'.'.join(target[1:])}"
