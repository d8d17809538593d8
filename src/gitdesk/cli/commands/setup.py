"""Setting a desk up: init and install."""

from __future__ import annotations

from pathlib import Path

import click

ACTION_HELP = (
    "The GitHub Action the workflows call, OWNER/REPO@REF (kept in gitdesk.yml as `action:`). "
    "Default: the copy of gitdesk's action that init writes to .github/actions/gitdesk."
)


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk init\n  gitdesk init ../support-desk\n"
    "  gitdesk init --action my-org/gitdesk@v1\n  gitdesk init --update"
)
@click.argument("path", required=False, default=".", type=click.Path(file_okay=False))
@click.option(
    "--update",
    is_flag=True,
    help="Also rewrite the desk's .github/workflows/ for this gitdesk (the version they pin, new steps).",
)
@click.option("--action", default=None, metavar="OWNER/REPO@REF", help=ACTION_HELP)
def init(path: str, update: bool, action: str | None) -> None:
    """Scaffold a desk (tickets/, kb/, surveys/, gitdesk.yml, mkdocs.yml, CI files) and commit it.

    Runs `git init` first when PATH is not a git repository. Existing files are
    never overwritten, so running it twice is safe. The workflows pin the
    gitdesk that wrote them; after upgrading gitdesk, `gitdesk upgrade`
    (the same as `init --update`) rewrites them for the new version in one commit.
    """
    lay_out(Path(path).resolve(), update, action)


@click.command(
    epilog="Examples:\n\n\b\n  pip install -U gitdesk && gitdesk upgrade\n  gitdesk upgrade --action my-org/gitdesk@v2"
)
@click.argument("path", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--action", default=None, metavar="OWNER/REPO@REF", help=ACTION_HELP)
def upgrade(path: str, action: str | None) -> None:
    """Refresh the desk's workflows (and files it lacks) for this gitdesk: `init --update`."""
    root = Path(path).resolve()
    if not (root / "gitdesk.yml").is_file():
        raise click.UsageError(f"{root} is not a desk (no gitdesk.yml); run 'gitdesk init' there first")
    lay_out(root, True, action)


def lay_out(root: Path, update: bool, action: str | None) -> None:
    from gitdesk import __version__
    from gitdesk.desk.facade import Desk
    from gitdesk.desk.scaffold import create_repository, desk_action, missing_files, repository_around

    if not (root / ".git").exists():
        top = repository_around(root)  # every command finds the desk at the top of the repo
        if top is not None:
            raise click.UsageError(
                f"{root} is inside the git repository at {top}; a desk lives at the top "
                f"of a repository: run 'gitdesk init {top}'"
            )
        desk_action(root, action)  # a bad --action is refused before anything is created
        create_repository(root)
    fresh = not (root / "gitdesk.yml").exists()
    files = missing_files(root, update=update, action=action)
    if not files:
        click.echo(f"{root}: already a desk{' for gitdesk ' + __version__ if update else ''}; nothing to do")
        return
    subject = "init desk" if fresh or not update else f"update the desk's files for gitdesk {__version__}"
    Desk(root).init(files, subject)
    if fresh:
        click.echo(f"{root}: desk ready ({len(files)} files committed; workflows call {desk_action(root)})")
        click.echo("next: gitdesk install   (registers the ticket merge driver in this clone)")
    else:
        written = f"{len(files)} file{'' if len(files) == 1 else 's'}"
        click.echo(f"{root}: {written} written for gitdesk {__version__} and committed:")
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
