"""After a verb: tell the customer (channels/updates.py) and warn on stderr when that failed."""

from __future__ import annotations

from typing import Any

import click


def tell(desk: Any, ticket: Any) -> None:
    from gitdesk.channels.updates import announce

    sent = announce(desk, ticket)
    if sent is not None and sent.state == "failed":
        click.echo(f"gitdesk: warning: {ticket.id}: the customer was not told ({sent.via}): {sent.detail}", err=True)
        click.echo(f"gitdesk: the failure is noted on {ticket.id}; tell them another way", err=True)
