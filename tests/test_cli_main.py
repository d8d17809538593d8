"""cli/main.py: the lazy command table and the one way out: every failure one line on stderr and its exit code.

A few tests register a command of their own in COMMANDS (`boom`, below) that fails the way a bug,
a Ctrl-C or a closed stdin would: no real command fails like that on purpose, and the contract
under test is what the group does with any command that does.
"""

from __future__ import annotations

import json
import sys

import click
import pytest
from click.testing import CliRunner

from gitdesk import __version__
from gitdesk.cli.main import COMMANDS, cli, one_line, wants_json
from gitdesk.errors import ExitCode

FAILURES = {
    "bug": lambda: {}["missing"],
    "ctrl-c": lambda: (_ for _ in ()).throw(KeyboardInterrupt()),
    "abort": lambda: (_ for _ in ()).throw(click.Abort()),
    "eof": lambda: (_ for _ in ()).throw(EOFError()),
    "disk": lambda: open("/nonexistent-dir/ticket.md", "w"),  # noqa: SIM115 - it never opens
}


@click.command()
@click.argument("how")
@click.option("--json", "as_json", is_flag=True)
def boom(how: str, as_json: bool) -> int:
    """Fail as asked; a number is returned as the command's own exit status."""
    if how.isdigit():
        return int(how)
    FAILURES[how]()
    return 0


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setitem(COMMANDS, "boom", f"{__name__}:boom")
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["list", "--json"], True),
        (["validate", "--format", "json"], True),
        (["validate", "--format=json"], True),
        (["validate", "--format", "text"], False),
        (["new", "--", "--json"], False),  # after `--` it is an argument, not the flag
        (["new", "title", "--json", "--", "x"], True),
        ([], False),
    ],
)
def test_wants_json(args, expect):
    assert wants_json(args) is expect


def test_wants_json_reads_the_real_command_line_when_given_none(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["gitdesk", "show", "HD-1", "--json"])
    assert wants_json(None) is True


def test_one_line_folds_lines_and_drops_escapes():
    assert one_line("choose from:\n\tnew,\n\ttriaged\x1b[31m!") == "choose from: new, triaged!"
    long = "x" * 5000
    assert len(one_line(long)) == 4000 and one_line(long).endswith("…")


def test_a_bug_is_one_line_naming_it_and_exit_70(run):
    result = run("boom", "bug")
    assert result.exit_code == ExitCode.INTERNAL
    assert result.stdout == ""
    assert result.stderr == "gitdesk: internal error: KeyError: 'missing' (set GITDESK_DEBUG=1 for details)\n"


def test_gitdesk_debug_lets_the_traceback_through(run, monkeypatch):
    monkeypatch.setenv("GITDESK_DEBUG", "1")
    result = run("boom", "bug")
    assert isinstance(result.exception, KeyError)


def test_a_bug_under_json_is_one_json_object(run):
    result = run("boom", "bug", "--json")
    error = json.loads(result.stderr)
    assert error["code"] == 70 and error["kind"] == "InternalError" and error["file"] is None


@pytest.mark.parametrize(
    ("how", "code", "message"),
    [
        ("ctrl-c", ExitCode.INTERRUPTED, "interrupted; nothing was committed"),
        ("abort", ExitCode.FAILED, "aborted; nothing was committed"),
        ("eof", ExitCode.FAILED, "aborted; nothing was committed"),
    ],
)
def test_interruptions_say_nothing_was_committed(run, how, code, message):
    result = run("boom", how)
    assert result.exit_code == code
    # click ends the ^C (or an unanswered prompt) line first; then the one message, no traceback
    assert result.stderr.lstrip("\n") == f"gitdesk: {message}\n"


def test_an_os_error_names_the_file_in_one_line(run):
    result = run("boom", "disk", "--json")
    error = json.loads(result.stderr)
    assert error["error"] == "/nonexistent-dir/ticket.md: No such file or directory"
    assert error["file"] == "/nonexistent-dir/ticket.md" and error["code"] == ExitCode.FAILED


def test_a_commands_own_exit_status_is_kept(run):
    assert run("boom", "4").exit_code == 4
    assert run("boom", "0").exit_code == 0


def test_a_usage_error_points_at_the_help_of_that_command(cli_invoke):
    result = cli_invoke("intake", "held", "release", "abc", ok=False)
    assert result.exit_code == ExitCode.USAGE
    (line,) = result.stderr.splitlines()
    assert line.startswith("gitdesk: Missing option '--requester'")
    assert line.endswith("(see 'gitdesk intake held release --help')")
    (top,) = cli_invoke("--no-such-flag", ok=False).stderr.splitlines()
    assert top.endswith("(see 'gitdesk --help')")


def test_an_argument_that_is_not_utf8_is_refused_before_anything_runs(cli_invoke):
    undecodable = b"HD-\xff".decode("utf-8", "surrogateescape")
    result = cli_invoke("show", undecodable, ok=False)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == "gitdesk: argument 'HD-\\xff' is not UTF-8 text (see 'gitdesk --help')\n"


def test_a_command_whose_module_does_not_load_is_unknown(monkeypatch):
    monkeypatch.setitem(COMMANDS, "ghost", "gitdesk.cli.commands.no_such_module:ghost")
    result = CliRunner().invoke(cli, ["ghost"])
    assert result.exit_code == ExitCode.USAGE and "No such command 'ghost'" in result.stderr
    monkeypatch.setenv("GITDESK_DEBUG", "1")
    assert isinstance(CliRunner().invoke(cli, ["ghost"]).exception, ModuleNotFoundError)


def test_commands_load_only_when_they_run():
    ctx = click.Context(cli, info_name="gitdesk")
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    assert cli.get_command(ctx, "ls") is cli.get_command(ctx, "list")
    assert cli.get_command(ctx, "prioritize").name == "prioritise"
    assert cli.get_command(ctx, "frobnicate") is None


def test_version_and_help(cli_invoke):
    version = CliRunner().invoke(cli, ["--version"], prog_name="gitdesk")  # as main() names it
    assert version.exit_code == 0 and version.stdout == f"gitdesk, version {__version__}\n"
    short = cli_invoke("-h").stdout
    assert "a service desk that lives in a Git repository" in short and short == cli_invoke("--help").stdout
