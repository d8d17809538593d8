"""Every command has help text with examples, and is documented in docs/cli.md."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gitdesk.cli.main import ALIASES, COMMANDS, cli

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def all_commands():
    ctx = click.Context(cli, info_name="gitdesk")
    for name in sorted(COMMANDS):
        cmd = cli.get_command(ctx, name)
        yield (name,), cmd
        if isinstance(cmd, click.Group):
            for sub in sorted(cmd.list_commands(ctx)):
                yield (name, sub), cmd.get_command(ctx, sub)


@pytest.mark.parametrize("path,cmd", list(all_commands()), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_command_has_help_examples_and_docs(path, cmd):
    assert cmd is not None, f"gitdesk {' '.join(path)} is registered but its module does not load"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert cmd.help and cmd.help.strip(), f"gitdesk {' '.join(path)} has no help text"
    if not isinstance(cmd, click.Group):
        assert "Examples:" in (cmd.epilog or ""), f"gitdesk {' '.join(path)} has no Examples: epilog"
    assert f"## `gitdesk {' '.join(path)}`" in DOCS.read_text(), (
        f"gitdesk {' '.join(path)} is not in docs/cli.md (run scripts/cli_reference.py)"
    )


def test_aliases_point_to_real_commands():
    for alias, target in ALIASES.items():
        assert target in COMMANDS
        result = CliRunner().invoke(cli, [alias, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_unknown_command_is_one_line_error():
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "gitdesk:" in result.output
