"""Setting a desk up: init and install."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(epilog="Examples:\n\n\b\n  gitdesk init\n  gitdesk init ../support-desk\n  gitdesk init --update")
@click.argument("path", required=False, default=".", type=click.Path(file_okay=False))
@click.option(
    "--update",
    is_flag=True,
    help="Also rewrite the desk's .github/workflows/ for this gitdesk (the version they pin, new steps).",
)
def init(path: str, update: bool) -> None:
    """Scaffold a desk (tickets/, kb/, surveys/, gitdesk.yml, mkdocs.yml, CI files) and commit it.

    Runs `git init` first when PATH is not a git repository. Existing files are
    never overwritten, so running it twice is safe. The workflows pin the
    gitdesk that wrote them; after upgrading gitdesk, `gitdesk init --update`
    rewrites them for the new version in one commit.
    """
    from gitdesk import __version__
    from gitdesk.desk.facade import Desk
    from gitdesk.desk.scaffold import create_repository, missing_files, repository_around

    root = Path(path).resolve()
    if not (root / ".git").exists():
        top = repository_around(root)  # every command finds the desk at the top of the repo
        if top is not None:
            raise click.UsageError(
                f"{root} is inside the git repository at {top}; a desk lives at the top "
                f"of a repository: run 'gitdesk init {top}'"
            )
        create_repository(root)
    fresh = not (root / "gitdesk.yml").exists()
    files = missing_files(root, update=update)
    if not files:
        click.echo(f"{root}: already a desk{' for gitdesk ' + __version__ if update else ''}; nothing to do")
        return
    subject = "init desk" if fresh or not update else f"update the desk's files for gitdesk {__version__}"
    Desk(root).init(files, subject)
    if fresh:
        click.echo(f"{root}: desk ready ({len(files)} files committed)")
        click.echo("next: gitdesk install   (registers the ticket merge driver in this clone)")
    else:
        click.echo(f"{root}: {len(files)} files written for gitdesk {__version__} and committed:")
        for rel in sorted(files):
            click.echo(f"  {rel}")


@click.command(epilog="Examples:\n\n\b\n  gitdesk install")
@click.pass_context
def install(ctx: click.Context) -> None:
    """Register gitdesk's merge driver (tickets field by field, KB articles by section) in this clone."""
    from gitdesk.cli.options import desk_from

    added = desk_from(ctx).install_merge_driver()
    click.echo("merge driver 'gitdesk' registered for tickets/*.md and kb/*.md")
    if added:
        click.echo(f"  .gitattributes lacks {', '.join(added)}: added to .git/info/attributes for this clone")
