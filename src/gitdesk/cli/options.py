"""Click options and small CLI plumbing shared by every command module."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gitdesk.cli import completion
from gitdesk.core.ticket import CHANNELS, PRIORITIES, VISIBILITIES

F = TypeVar("F", bound=Callable[..., Any])


def json_flag(what: str = "the resulting ticket(s)") -> Callable[[F], F]:
    """`--json`, the one declaration: every command's machine-readable output (and errors, main.wants_json)."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON.")


json_option = json_flag()

# The closed sets a command offers, each read from the library's one list of them.
PRIORITY = click.Choice(PRIORITIES, case_sensitive=False)
CHANNEL = click.Choice(CHANNELS)
VISIBILITY = click.Choice(VISIBILITIES)
# These four are made when a command that offers them is imported (the writing verbs), so that
# `show` and `list` never import the actions and survey modules.
_LATER = {
    "CONTACT_VIA": ("actions", "CONTACT_VIA"),
    "UPDATES": ("actions", "UPDATES"),
    "YES_NO": ("survey", "YES_NO"),
    "TIME_ANSWER": ("survey", "TIME_ANSWERS"),
}
if TYPE_CHECKING:
    CONTACT_VIA: click.Choice
    UPDATES: click.Choice
    YES_NO: click.Choice
    TIME_ANSWER: click.Choice


def __getattr__(name: str) -> Any:
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attr = _LATER[name]
    choice = globals()[name] = click.Choice(getattr(importlib.import_module(f"gitdesk.core.{module}"), attr))
    return choice


id_argument = click.argument("ticket_ref", metavar="ID", shell_complete=completion.ticket_refs)


def desk_from(ctx: click.Context) -> Any:
    from gitdesk.desk.facade import Desk

    obj = ctx.find_root().obj or {}
    return Desk.find(
        obj.get("desk"), include_edits=bool(obj.get("include_edits")), allow_detached=bool(obj.get("allow_detached"))
    )


def pass_desk(fn: F) -> F:
    """Hand the command the Desk found from --desk / GITDESK_DESK / the current directory."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(fn, desk_from(ctx), *args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


def warn_skipped(lines: list[Any], code: int | None = None) -> None:
    """One warning line on stderr per file a whole-desk read left out, then exit: `code`, else DATAERR.

    Called after the command's output, so the rest of the desk is printed first."""
    from gitdesk.errors import ExitCode

    for line in lines:
        click.echo(f"gitdesk: warning: skipped {line}", err=True)
    if code or lines:
        raise click.exceptions.Exit(code or ExitCode.DATAERR)


def emit(result: Any, as_json: bool, text: str) -> None:
    """Print JSON on stdout when asked, else the human line."""
    if as_json:
        from gitdesk.cli.views import to_json

        click.echo(to_json(result))
    else:
        click.echo(text)


def write_out(text: str) -> None:
    """Print a large text in one write: click.echo scans it for ANSI codes, ~40 ms at 100k lines.

    A reader that goes away early (`gitdesk list | head`) is not an error.
    """
    import os

    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again when it flushes stdout at exit; point it at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def key_values(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"'{pair}' must be KEY=VALUE", param_hint=option)
        key, value = pair.split("=", 1)
        if not key.strip():
            raise click.BadParameter(f"'{pair}' has an empty key", param_hint=option)
        out[key.strip().lower()] = value.strip()
    return out


def read_body(body: str | None, body_file: str | None) -> str:
    """--body, --body-file F (or - for stdin)."""
    if body is not None and body_file is not None:
        raise click.UsageError("give either --body or --body-file, not both")
    if body_file == "-" or body == "-":
        return sys.stdin.read()
    if body_file:
        try:
            with open(body_file, encoding="utf-8") as fh:
                return fh.read()
        except OSError as exc:
            raise click.BadParameter(f"{body_file}: {exc.strerror}", param_hint="--body-file") from None
        except UnicodeDecodeError:
            raise click.BadParameter(f"{body_file}: not UTF-8 text", param_hint="--body-file") from None
    return body or ""


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value:
        root = ctx.find_root()
        root.obj = {**(root.obj or {}), str(param.name): value}
    return value


def write_options(fn: F) -> F:
    """--include-edits and --force for every command that writes: both reach the Desk (desk_from)."""
    fn = click.option(
        "--force",
        "allow_detached",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Commit even on a detached HEAD (the commit then belongs to no branch).",
    )(fn)
    return click.option(
        "--include-edits",
        "include_edits",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Take in an uncommitted hand edit of the ticket, recorded as an edit event, instead of refusing.",
    )(fn)
