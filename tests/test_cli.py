"""The ``cnnlearn`` command: one subcommand per teacher's tool, ``--help`` on each, clear errors for bad
arguments, and the older ``python -m cnnlearn.<tool>`` forms taking the same arguments."""

import subprocess
import sys

import pytest

from cnnlearn.classroom import cli

TOOLS = ("student", "grading", "export", "execute")


def test_help_lists_every_tool(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for tool in TOOLS:
        assert f"    {tool} " in out, out


@pytest.mark.parametrize("tool", TOOLS)
def test_help_of_each_tool(tool, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([tool, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: cnnlearn {tool} ") and "options:" in out


@pytest.mark.parametrize("argv, message", [
    ([], "the following arguments are required: SUBCOMMAND"),
    (["teach"], "invalid choice: 'teach'"),
    (["export"], "cnnlearn export: error: the following arguments are required: outdir"),
    (["student", "notebooks/"], "cnnlearn student: error: the following arguments are required: outdir"),
    (["grading"], "src is required (e.g. notebooks/), unless --points-table"),
    (["grading", "--colour"], "unrecognized arguments: --colour"),
])
def test_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 2
    assert message in capsys.readouterr().err


def test_a_missing_folder_is_named(tmp_path, capsys):
    missing = tmp_path / "missing"
    with pytest.raises(SystemExit) as done:
        cli.main(["student", str(missing), str(tmp_path / "out")])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "src must be a notebook or a folder of notebooks" in err and str(missing) in err


def test_execute_runs_a_notebook_in_place_with_its_widgets_first_state(tmp_path, capsys):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import ipywidgets as w\ns = w.IntSlider(value=3)\ns"),
                nbformat.v4.new_code_cell("s.value = 7\nprint(s.value)")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    assert cli.main(["execute", str(path)]) == 0
    ran = nbformat.read(path, as_version=4)
    assert [c.execution_count for c in ran.cells] == [1, 2] and ran.cells[1].outputs[0].text == "7\n"
    state = ran.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert [m["state"]["value"] for m in state.values() if m["model_name"] == "IntSliderModel"] == [3]
    with pytest.raises(SystemExit) as done:
        cli.main(["execute", str(tmp_path / "missing.ipynb")])
    assert done.value.code == 2 and "missing.ipynb" in capsys.readouterr().err


@pytest.mark.parametrize("tool", ("student", "grading", "export"))
def test_the_python_m_forms_are_the_same_tools(tool):
    proc = subprocess.run([sys.executable, "-m", f"cnnlearn.{tool}", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith(f"usage: python -m cnnlearn.{tool} "), proc.stdout
    new = subprocess.run([sys.executable, "-m", "cnnlearn.classroom.cli", tool, "--help"], capture_output=True,
                         text=True).stdout
    assert proc.stdout.split("\n", 1)[1:] and new.split("options:")[1] == proc.stdout.split("options:")[1]


@pytest.mark.parametrize("tool", TOOLS)
def test_every_flag_reaches_its_tool(tool, monkeypatch):
    """Each tool's own arguments never overwrite the tool the command runs (``--no-execute`` once did)."""
    ran = []
    module = cli._tool(tool, cli.parser())
    monkeypatch.setattr(module, "run", lambda args, parser: ran.append(vars(args)) or 0)
    flags = [a for a in cli.tool_parser(tool, "t")._actions
             if a.option_strings and a.nargs == 0 and a.dest != "help"]
    positional = [a for a in cli.tool_parser(tool, "t")._actions if not a.option_strings]
    argv = [tool, *["x"] * len(positional), *(a.option_strings[0] for a in flags)]
    assert cli.main(argv) == 0 and len(ran) == 1
    assert cli.main(argv, prog="t") == 0 and len(ran) == 2
