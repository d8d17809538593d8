"""The command line: registers commands lazily and turns library errors into one-line messages."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import click

from gitdesk.errors import ExitCode, GitdeskError

# name -> "module:function"; modules load only when their command runs, to keep start-up fast.
COMMANDS: dict[str, str] = {
    "init": "gitdesk.cli.commands.setup:init",
    "install": "gitdesk.cli.commands.setup:install",
    "upgrade": "gitdesk.cli.commands.setup:upgrade",
    "new": "gitdesk.cli.commands.lifecycle:new",
    "prioritise": "gitdesk.cli.commands.lifecycle:prioritise",
    "assign": "gitdesk.cli.commands.lifecycle:assign",
    "split": "gitdesk.cli.commands.lifecycle:split",
    "escalate": "gitdesk.cli.commands.lifecycle:escalate",
    "de-escalate": "gitdesk.cli.commands.lifecycle:de_escalate",
    "start": "gitdesk.cli.commands.lifecycle:start",
    "note": "gitdesk.cli.commands.lifecycle:note",
    "contact": "gitdesk.cli.commands.lifecycle:contact",
    "wait": "gitdesk.cli.commands.lifecycle:wait",
    "propose": "gitdesk.cli.commands.solution:propose",
    "review": "gitdesk.cli.commands.solution:review",
    "resolve": "gitdesk.cli.commands.solution:resolve",
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
        self.error = error
        self.exit_code = int(error.exit_code)  # type: ignore[misc]  # click declares it a class constant

    def show(self, file: Any = None) -> None:
        click.echo(f"gitdesk: {one_line(self.message)}", err=True)


def one_line(text: str) -> str:
    """Click lists choices on several lines and git errors can span lines; the contract is one.

    The one rule (intake.text.one_line: control characters and escapes out, whitespace folded),
    with room for a long path or list of choices.
    """
    from gitdesk.intake.text import one_line as folded

    return folded(text, limit=4000)


def wants_json(args: Any) -> bool:
    """`--json` (or validate's `--format json`) anywhere before a `--`: errors come out as JSON too."""
    words = list(sys.argv[1:] if args is None else args)
    words = words[: words.index("--")] if "--" in words else words
    pairs = zip(words, words[1:], strict=False)
    return "--json" in words or "--format=json" in words or any(w == "--format" and n == "json" for w, n in pairs)


def fail(message: str, code: int, as_json: bool, where: dict[str, Any] | None = None) -> NoReturn:
    """The one way out on failure: one line on stderr (one JSON object with --json), then the exit code."""
    if as_json:
        import json

        fields = {"file": None, "line": None, "field": None, **(where or {})}
        click.echo(json.dumps({"error": one_line(message), **fields, "code": int(code)}, ensure_ascii=False), err=True)
    else:
        click.echo(f"gitdesk: {one_line(message)}", err=True)
    sys.exit(int(code))


def _where(exc: BaseException) -> dict[str, Any]:
    """file, line and field of an error, where it knows them."""
    if isinstance(exc, GitdeskCommandError):
        err = exc.error
        return {"file": err.file, "line": err.line, "field": err.field, "kind": type(err).__name__}
    if isinstance(exc, click.BadParameter):
        hint = exc.param_hint or (exc.param.opts[0] if exc.param is not None and exc.param.opts else None)
        return {"field": hint if isinstance(hint, str) else None, "kind": "UsageError"}
    if isinstance(exc, click.UsageError):
        return {"kind": "UsageError"}
    return {}


def _undecodable(args: Any) -> str | None:
    """The first argument the shell passed as bytes that are not UTF-8 (Python keeps them as
    surrogates), shown with those bytes escaped; None when every argument is text."""
    for arg in args or ():
        if isinstance(arg, str):
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                return repr(arg.encode("utf-8", "surrogateescape"))[1:]
    return None


class DeskGroup(click.Group):
    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Every failure becomes one line on stderr and an exit code (errors.ExitCode); never a traceback."""
        as_json = wants_json(args)
        undecodable = _undecodable(sys.argv[1:] if args is None else args)
        if undecodable is not None:
            fail(f"argument {undecodable} is not UTF-8 text (see 'gitdesk --help')", ExitCode.USAGE, as_json)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # bare `gitdesk`: the help, as asked
            click.echo(exc.format_message())
            sys.exit(ExitCode.OK)
        except click.UsageError as exc:
            hint = (
                f" (see 'gitdesk {exc.ctx.command_path.split(' ', 1)[-1]} --help')"
                if exc.ctx and exc.ctx.parent
                else " (see 'gitdesk --help')"
            )
            fail(f"{exc.format_message()}{hint}", ExitCode.USAGE, as_json, _where(exc))
        except click.ClickException as exc:  # GitdeskCommandError among them
            fail(exc.format_message(), exc.exit_code, as_json, _where(exc))
        except (click.Abort, EOFError) as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
                fail("interrupted; nothing was committed", ExitCode.INTERRUPTED, as_json)
            fail("aborted; nothing was committed", ExitCode.FAILED, as_json)
        except KeyboardInterrupt:
            fail("interrupted; nothing was committed", ExitCode.INTERRUPTED, as_json)
        except Exception as exc:  # the last line of defence
            if os.environ.get("GITDESK_DEBUG"):
                raise
            message = f"internal error: {type(exc).__name__}: {exc} (set GITDESK_DEBUG=1 for details)"
            fail(message, ExitCode.INTERNAL, as_json, {"kind": "InternalError"})
        if isinstance(rv, int) and rv:
            sys.exit(rv)
        if standalone_mode:
            sys.exit(ExitCode.OK)
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
            error = GitdeskError(f"{name}{exc.strerror or exc}")
            error.file = str(exc.filename) if exc.filename else None
            raise GitdeskCommandError(error) from None


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
