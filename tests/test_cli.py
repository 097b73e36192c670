"""The ``cnnlearn`` command: one subcommand per teacher's tool, ``--help`` on each, clear errors for bad
arguments, and the older ``python -m cnnlearn.<tool>`` forms taking the same arguments."""

import subprocess
import sys

import pytest

from cnnlearn.classroom import cli

TOOLS = ("student", "grading", "export")


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


@pytest.mark.parametrize("tool", TOOLS)
def test_the_python_m_forms_are_the_same_tools(tool):
    proc = subprocess.run([sys.executable, "-m", f"cnnlearn.{tool}", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith(f"usage: python -m cnnlearn.{tool} "), proc.stdout
    new = subprocess.run([sys.executable, "-m", "cnnlearn.classroom.cli", tool, "--help"], capture_output=True,
                         text=True).stdout
    assert proc.stdout.split("\n", 1)[1:] and new.split("options:")[1] == proc.stdout.split("options:")[1]
