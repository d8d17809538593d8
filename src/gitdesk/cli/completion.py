"""Shell completion: `gitdesk completion bash|zsh|fish`, and what IDs, queues, assignees and KB slugs complete to.

Each completer reads the desk through the Desk's read methods and never fails: outside a desk,
or on a desk it cannot read, it offers nothing rather than printing an error into the shell.
"""

from __future__ import annotations

from typing import Any

import click

SHELLS = ("bash", "zsh", "fish")


def _desk(ctx: click.Context) -> Any:
    from gitdesk.desk.facade import Desk

    root = ctx.find_root()
    # while completing, the group's callback has not run, so --desk is only in its params
    where = root.params.get("desk") or (root.obj or {}).get("desk")
    try:
        return Desk.find(where)
    except Exception:  # completion must stay silent, whatever is wrong with the desk
        return None


def _items(values: Any, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    low = incomplete.lower()
    return [CompletionItem(v) for v in sorted(set(values)) if v and v.lower().startswith(low)]


def ticket_refs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Ticket IDs (by the full ID or the part after the prefix, any case), or `tickets/<ID>.md` paths."""
    from click.shell_completion import CompletionItem

    desk = _desk(ctx)
    if desk is None:
        return []
    try:
        rows = desk.summaries()
    except Exception:
        return []
    text = incomplete.replace("\\", "/")
    if "/" in text:
        return [
            CompletionItem(f"tickets/{r.id}.md", help=r.title)
            for r in rows
            if f"tickets/{r.id}.md".lower().startswith(text.lower())
        ]
    low = text.lower()
    return [
        CompletionItem(r.id, help=r.title)
        for r in rows
        if r.id.lower().startswith(low) or r.id.lower().split("-", 1)[-1].startswith(low)
    ]


def queues(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    desk = _desk(ctx)
    try:
        return _items(desk.config.queue_names(), incomplete) if desk else []
    except Exception:  # a broken gitdesk.yml: nothing to offer
        return []


def assignees(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """The technicians tickets are assigned to now."""
    desk = _desk(ctx)
    try:
        return _items((r.assignee for r in desk.summaries()), incomplete) if desk else []
    except Exception:
        return []


def kb_slugs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    desk = _desk(ctx)
    try:
        return _items(desk.kb_slugs(), incomplete) if desk else []
    except Exception:
        return []


def statuses(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from gitdesk.core.lifecycle import STATUSES

    return _items(STATUSES, incomplete)


@click.command(
    epilog="Examples:\n\n\b\n"
    '  eval "$(gitdesk completion bash)"      # in ~/.bashrc\n'
    '  eval "$(gitdesk completion zsh)"       # in ~/.zshrc\n'
    "  gitdesk completion fish > ~/.config/fish/completions/gitdesk.fish"
)
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    Commands and options complete, and so do ticket IDs (or tickets/<ID>.md
    paths), queue names, assignees, statuses and KB slugs, read from the
    desk around the current directory (or --desk).
    """
    from click.shell_completion import get_completion_class

    from gitdesk.cli.main import cli

    cls = get_completion_class(shell)
    assert cls is not None  # every name in SHELLS is one click knows
    click.echo(cls(cli, {}, "gitdesk", "_GITDESK_COMPLETE").source())
