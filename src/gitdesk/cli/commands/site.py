"""The public site: build it, serve it, and print a ticket's status-page link."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from gitdesk.cli.options import desk_from, id_argument, warn_skipped

LARGE_DESK = 1000  # tickets; below this a build takes about a second and needs no progress bar


@click.group()
def site() -> None:
    """Build and serve the desk's public status site and knowledge base."""


def _build(ctx: click.Context, out: str | None, strict: bool) -> tuple[Path, list[str]]:
    from gitdesk.site.run import build
    from gitdesk.store.files import TicketStore

    desk = desk_from(ctx)
    total = len(TicketStore(desk.root).ids())
    if total >= LARGE_DESK:
        with click.progressbar(length=total, label="ticket pages", file=sys.stderr) as bar:
            result = build(desk.root, Path(out) if out else None, strict, bar.update)
    else:
        result = build(desk.root, Path(out) if out else None, strict)
    if result.unpublished_unlisted:
        click.echo(
            f"note: GITDESK_SITE_KEY is not set, so {result.unpublished_unlisted} unlisted "
            "tickets have no page (set it to publish them at unguessable URLs)",
            err=True,
        )
    return result.out_dir, result.skipped


@site.command(epilog="Examples:\n\n\b\n  gitdesk site build\n  gitdesk site build --out /tmp/site")
@click.option("--out", type=click.Path(file_okay=False), help="Where to write the site (default: site_dir).")
@click.option("--strict/--no-strict", default=True, show_default=True, help="Fail on any MkDocs warning.")
@click.pass_context
def build(ctx: click.Context, out: str | None, strict: bool) -> None:
    """Build the static site (mkdocs build with the gitdesk plugin)."""
    out_dir, skipped = _build(ctx, out, strict)
    click.echo(f"site built in {out_dir}")
    warn_skipped(skipped)


@site.command(epilog="Examples:\n\n\b\n  gitdesk site serve\n  gitdesk site serve --port 8080")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--out", type=click.Path(file_okay=False), help="Build here (default: a temporary directory).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, out: str | None) -> None:
    """Build the site, then serve it over HTTP until Ctrl-C."""
    from gitdesk.site.run import server

    with tempfile.TemporaryDirectory(prefix="gitdesk-site-") as tmp:
        out_dir, skipped = _build(ctx, out or tmp, strict=False)
        for line in skipped:
            click.echo(f"gitdesk: warning: skipped {line}", err=True)
        httpd = server(out_dir, host, port)
        click.echo(f"serving http://{host}:{httpd.server_address[1]}/  (Ctrl-C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            click.echo("stopped")
        finally:
            httpd.server_close()


@site.command(epilog="Examples:\n\n\b\n  gitdesk site url HD-4f7k\n  GITDESK_SITE_KEY=... gitdesk site url 4f7k")
@id_argument
@click.pass_context
def url(ctx: click.Context, ticket_ref: str) -> None:
    """Print the link to a ticket's status page (unlisted tickets need GITDESK_SITE_KEY)."""
    desk = desk_from(ctx)
    click.echo(_page_link(desk, desk.get(ticket_ref)))


def _page_link(desk: Any, ticket: Any) -> str:
    from gitdesk.site.privacy import NotPublished, SiteKeyMissing, link_version, site_key, ticket_url
    from gitdesk.site.run import site_url

    if ticket.visibility == "private":
        raise NotPublished(ticket.id)
    path = ticket_url(ticket.id, ticket.visibility, site_key(), link_version(ticket.meta))
    if path is None:
        raise SiteKeyMissing()
    base = site_url(desk.root)
    return (base.rstrip("/") + "/" if base else "/") + path


@site.command(epilog="Examples:\n\n\b\n  gitdesk site revoke HD-4f7k\n  gitdesk site revoke 4f7k && gitdesk site build")
@id_argument
@click.pass_context
def revoke(ctx: click.Context, ticket_ref: str) -> None:
    """Give an unlisted ticket a new secret link; the old one is gone at the next site build.

    No other ticket's link changes. The new link is printed (with GITDESK_SITE_KEY set): send it to
    the customer. One commit, like every change to the desk.
    """
    from gitdesk.errors import UsageError
    from gitdesk.site.privacy import LINK_VERSION, link_version, site_key

    desk = desk_from(ctx)
    ticket = desk.get(ticket_ref)
    if ticket.visibility != "unlisted":
        where = "its page is tickets/ID/" if ticket.visibility == "public" else "it has no page"
        raise UsageError(f"{ticket.id} is {ticket.visibility}: {where}, so it has no secret link to revoke")
    key = site_key()  # a key too short is refused before anything is written
    ticket = desk.edit(ticket.id, {LINK_VERSION: link_version(ticket.meta) + 1})
    if key is None:
        click.echo(f"{ticket.id}: secret link revoked; set GITDESK_SITE_KEY to print the new one")
    else:
        click.echo(f"{ticket.id}: secret link revoked; the new one: {_page_link(desk, ticket)}")
