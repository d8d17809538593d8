"""Checks and merges around pull requests: validate, merge-driver, sync."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from gitdesk.cli.options import desk_from
from gitdesk.errors import ExitCode


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk validate\n  gitdesk validate --base origin/main\n"
    '  gitdesk validate --base "$BASE_SHA" --format github\n  gitdesk validate --staged'
)
@click.option("--base", default=None, metavar="REF", help="Check only what changed since REF.")
@click.option("--head", default=None, metavar="REF", help="The end of the change (default HEAD).")
@click.option("--staged", is_flag=True, help="Check the staged change against HEAD (pre-commit hook).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="github: ::error annotations and a $GITHUB_STEP_SUMMARY job summary.",
)
@click.pass_context
def validate(ctx: click.Context, base: str | None, head: str | None, staged: bool, fmt: str) -> None:
    """Check the desk against the rules: schema, transitions, append-only history, links.

    Each problem is printed as `path:line: message`; the exit code is 1 if there
    is any. Without --base or --staged the whole desk is checked.
    """
    from gitdesk.checks import validate as checks

    report = checks.validate(desk_from(ctx).root, base, head, staged)
    if fmt == "json":
        click.echo(checks.to_json(report))
    else:
        lines = checks.format_github(report) if fmt == "github" else checks.format_text(report)
        for line in lines:
            click.echo(line)
        verdict = f"{len(report.problems)} problem(s)" if report.problems else "no problems"
        click.echo(
            f"gitdesk validate: {report.scope}: {len(report.checked)} file(s) checked, {verdict}",
            err=bool(report.problems),
        )
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as fh:
            fh.write(checks.summary_markdown(report))
    if report.problems:
        ctx.exit(ExitCode.FAILED)


@click.command(
    "merge-driver",
    epilog="Examples:\n\n\b\n  # git runs it; 'gitdesk install' registers it as:\n"
    "  git config merge.gitdesk.driver 'gitdesk merge-driver %O %A %B %P'\n"
    "  gitdesk merge-driver base.md ours.md theirs.md tickets/HD-4f7k2m9q.md",
)
@click.argument("ancestor", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("path", required=False, default="")
def merge_driver(ancestor: str, ours: str, theirs: str, path: str) -> None:
    """Git merge driver for tickets and KB articles; writes the result to OURS.

    Tickets merge field by field, their histories replayed through the move
    table; KB articles keep the sections both sides added. Exits 1 when
    something really conflicts: only that part is left between conflict
    markers, each problem is printed on one line and git marks the file
    conflicted.
    """
    from gitdesk.desk.merging import merge_files

    conflicts = merge_files(Path.cwd(), ancestor, ours, theirs, path)
    for line in conflicts:
        click.echo(f"gitdesk merge-driver: {path or ours}: {line}", err=True)
    if conflicts:
        sys.exit(ExitCode.FAILED)


@click.command(epilog="Examples:\n\n\b\n  gitdesk sync\n  gitdesk sync --remote upstream --retries 5")
@click.option("--remote", default="origin", show_default=True, help="The remote to pull from and push to.")
@click.option(
    "--retries",
    default=3,
    show_default=True,
    type=click.IntRange(0, 20),
    help="How often to retry a rejected push (after rebasing again).",
)
@click.pass_context
def sync(ctx: click.Context, remote: str, retries: int) -> None:
    """Pull with rebase (tickets merged field by field by the driver), validate, then push.

    Nothing is pushed that 'gitdesk validate' rejects: the command stops and
    says what to fix; your commits stay in your clone.
    """
    from gitdesk.checks import validate as checks

    desk = desk_from(ctx)

    def problems(base: str | None) -> list[str]:
        report = checks.validate(desk.root, base)
        return [f"{p.path}:{p.line}: {p.message}" for p in report.problems]

    result = desk.sync(problems, remote, retries)
    tries = f" after {result.attempts} attempts" if result.attempts > 1 else ""
    click.echo(f"{result.branch}: in sync with {result.remote}{tries}")
