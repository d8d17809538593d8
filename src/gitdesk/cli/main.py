"""The command line: registers commands lazily and turns library errors into one-line messages."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from gitdesk.errors import GitdeskError

# name -> "module:function"; modules load only when their command runs, to keep start-up fast.
COMMANDS: dict[str, str] = {
    "init": "gitdesk.cli.commands.setup:init",
    "install": "gitdesk.cli.commands.setup:install",
    "new": "gitdesk.cli.commands.lifecycle:new",
    "prioritise": "gitdesk.cli.commands.lifecycle:prioritise",
    "assign": "gitdesk.cli.commands.lifecycle:assign",
    "split": "gitdesk.cli.commands.lifecycle:split",
    "escalate": "gitdesk.cli.commands.lifecycle:escalate",
    "start": "gitdesk.cli.commands.lifecycle:start",
    "note": "gitdesk.cli.commands.lifecycle:note",
    "contact": "gitdesk.cli.commands.lifecycle:contact",
    "wait": "gitdesk.cli.commands.lifecycle:wait",
    "propose": "gitdesk.cli.commands.solution:propose",
    "review": "gitdesk.cli.commands.solution:review",
    "close": "gitdesk.cli.commands.lifecycle:close",
    "reopen": "gitdesk.cli.commands.lifecycle:reopen",
    "cancel": "gitdesk.cli.commands.lifecycle:cancel",
    "edit": "gitdesk.cli.commands.lifecycle:edit",
    "survey": "gitdesk.cli.commands.lifecycle:survey",
    "list": "gitdesk.cli.commands.query:list_tickets",
    "show": "gitdesk.cli.commands.query:show",
    "validate": "gitdesk.cli.commands.checks:validate",
    "merge-driver": "gitdesk.cli.commands.checks:merge_driver",
    "sync": "gitdesk.cli.commands.checks:sync",
    "site": "gitdesk.cli.commands.site:site",
    "intake": "gitdesk.cli.commands.intake:intake",
    "notify": "gitdesk.cli.commands.intake:notify",
    "due": "gitdesk.cli.commands.intake:due",
    "kb": "gitdesk.cli.commands.intake:kb",
    "priorities": "gitdesk.cli.commands.metrics:priorities",
    "sla": "gitdesk.cli.commands.metrics:sla",
    "report": "gitdesk.cli.commands.metrics:report",
    "completion": "gitdesk.cli.completion:completion",
}
ALIASES = {"prioritize": "prioritise", "ls": "list"}


class GitdeskCommandError(click.ClickException):
    """A GitdeskError on its way out: one line on stderr, the error's exit code."""

    def __init__(self, error: GitdeskError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code  # type: ignore[misc]  # click declares it a class constant

    def show(self, file: Any = None) -> None:
        click.echo(f"gitdesk: {one_line(self.message)}", err=True)


def one_line(text: str) -> str:
    """Click lists choices on several lines and git errors can span lines; the contract is one."""
    return " ".join(text.split())


class DeskGroup(click.Group):
    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Every failure becomes one line on stderr and an exit code; never a traceback."""
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # bare `gitdesk`: the help, as asked
            click.echo(exc.format_message())
            sys.exit(0)
        except click.UsageError as exc:
            hint = (
                f" (see 'gitdesk {exc.ctx.command_path.split(' ', 1)[-1]} --help')"
                if exc.ctx and exc.ctx.parent
                else " (see 'gitdesk --help')"
            )
            click.echo(f"gitdesk: {one_line(exc.format_message())}{hint}", err=True)
            sys.exit(exc.exit_code)
        except GitdeskCommandError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"gitdesk: {one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except (click.Abort, EOFError) as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
                click.echo("gitdesk: interrupted; nothing was committed", err=True)
                sys.exit(130)
            click.echo("gitdesk: aborted; nothing was committed", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("gitdesk: interrupted; nothing was committed", err=True)
            sys.exit(130)
        except Exception as exc:  # the last line of defence
            if os.environ.get("GITDESK_DEBUG"):
                raise
            click.echo(
                f"gitdesk: internal error: {type(exc).__name__}: {exc} (set GITDESK_DEBUG=1 for details)", err=True
            )
            sys.exit(70)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
        if standalone_mode:
            sys.exit(0)
        return rv

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        name = ALIASES.get(name, name)
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            if os.environ.get("GITDESK_DEBUG"):
                raise
            return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GitdeskError as exc:
            raise GitdeskCommandError(exc) from None
        except OSError as exc:  # a full disk or a permission problem: one line, never a traceback
            name = f"{exc.filename}: " if exc.filename else ""
            raise GitdeskCommandError(GitdeskError(f"{name}{exc.strerror or exc}")) from None


@click.group(cls=DeskGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--desk",
    envvar="GITDESK_DESK",
    type=click.Path(file_okay=False),
    default=None,
    help="The desk's directory (default: the git repo around the current directory).",
)
@click.version_option(package_name="gitdesk")
@click.pass_context
def cli(ctx: click.Context, desk: str | None) -> None:
    """gitdesk: a service desk that lives in a Git repository.

    Every action on a ticket is one command and one git commit.
    """
    ctx.obj = {"desk": desk}


def main() -> None:
    cli.main(prog_name="gitdesk")
