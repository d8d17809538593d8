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
    from gitdesk.desk.scaffold import lay_out
    from gitdesk.errors import NotADesk
    from gitdesk.git.repo import GitRepo, find_root

    root = Path(path).resolve()
    if not (root / ".git").exists():
        try:  # every command finds the desk at the top of the repo, so a nested one would be lost
            top = find_root(root)
        except NotADesk:
            top = None
        if top is not None:
            raise click.UsageError(
                f"{root} is inside the git repository at {top}; a desk lives at the top "
                f"of a repository: run 'gitdesk init {top}'"
            )
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        GitRepo(root).run("init", "-q")
    desk = Desk(root)
    with desk.transaction():
        fresh = not (root / "gitdesk.yml").exists()
        written = lay_out(root, update=update)
        if not written:
            click.echo(f"{root}: already a desk{' for gitdesk ' + __version__ if update else ''}; nothing to do")
            return
        subject = "init desk" if fresh or not update else f"update the desk's files for gitdesk {__version__}"
        try:
            desk.repo.commit_paths(written, f"gitdesk: {subject}\n\nGitdesk-Action: init\n")
        except BaseException:  # uncommitted scaffold files would make the next init a no-op
            _remove(root, written)
            raise
    if fresh:
        click.echo(f"{root}: desk ready ({len(written)} files committed)")
        click.echo("next: gitdesk install   (registers the ticket merge driver in this clone)")
    else:
        click.echo(f"{root}: {len(written)} files written for gitdesk {__version__} and committed:")
        for rel in written:
            click.echo(f"  {rel}")


def _remove(root: Path, written: list[str]) -> None:
    """Take back what a failed init laid out, directories it created included."""
    for rel in written:
        path = root / rel
        path.unlink(missing_ok=True)
        for parent in path.parents:
            if parent == root:
                break
            try:
                parent.rmdir()  # only succeeds when empty, so nobody's files are lost
            except OSError:
                break


@click.command(epilog="Examples:\n\n\b\n  gitdesk install")
@click.pass_context
def install(ctx: click.Context) -> None:
    """Register gitdesk's merge driver (tickets field by field, KB articles by section) in this clone."""
    from gitdesk.cli.options import desk_from
    from gitdesk.desk.merging import install_driver

    added = install_driver(desk_from(ctx).root)
    click.echo("merge driver 'gitdesk' registered for tickets/*.md and kb/*.md")
    if added:
        click.echo(f"  .gitattributes lacks {', '.join(added)}: added to .git/info/attributes for this clone")
