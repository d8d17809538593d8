"""`gitdesk validate`: check a change to the desk (or the whole desk) and report problems by file and line.

With a base, only what changed between base and head is read, plus what the
cross-file rules need (a changed ticket's parent and children, a closed one's
KB article, a survey's ticket), all through one `git cat-file --batch` per
side. So the cost grows with the change, never with the desk. The rules are in
`core.changeset` (per file: `core.rules.check_change`), the same ones the write
gate applies before every commit; this module picks the sides and reports.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from gitdesk.core.changeset import check_changeset
from gitdesk.core.config import CONFIG_FILE, Config, from_mapping
from gitdesk.core.ids import TICKETS_DIR
from gitdesk.core.kb import KB_DIR
from gitdesk.core.review_policy import quick_resolve_refusal
from gitdesk.core.rules import Locator, Problem, kind_of
from gitdesk.core.survey import SURVEYS_DIR
from gitdesk.core.ticket import load_yaml
from gitdesk.desk.revisions import Sides, change_sides, work_tree
from gitdesk.errors import ConfigError, MalformedTicket

__all__ = ["Problem", "Report", "validate", "format_text", "format_github", "summary_markdown", "to_json"]


@dataclass
class Report:
    scope: str
    checked: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(root: Path, base: str | None = None, head: str | None = None, staged: bool = False) -> Report:
    """Check what changed from `base` to `head` (default HEAD), the staged change, or the whole desk."""
    sides = change_sides(root, base, head, staged)
    if sides is None:
        files, special = _desk_files(root)
        sides = Sides(work_tree(root), None, [("A", p) for p in files], "the whole desk", special)
    complete = base is None and not staged
    report = Report(sides.scope)
    for path, what in sorted(sides.special.items()):  # never read: a FIFO blocks, a symlink points anywhere
        report.problems.append(Problem(path, 1, f"{what} named like a desk file; desk files are regular files"))
    sides.entries = [(s, p) for s, p in sides.entries if p not in sides.special]
    present = [p for s, p in sides.entries if s != "D" and kind_of(p)]
    texts = sides.new.read([*present, CONFIG_FILE])  # one batch: the rules below find them read
    config = _config(report, texts[CONFIG_FILE], CONFIG_FILE in present, complete)
    # A broken gitdesk.yml is reported once; tickets are then not checked against guessed queues.
    queues, tiers = (config.queue_names(), config.tiers) if config else ([], 9)
    old = sides.old.read if sides.old else None
    limits = config.limits if config else None
    rule = (lambda t: quick_resolve_refusal(t, config)) if config else None
    verdict = check_changeset(sides.entries, sides.new.read, old, queues, tiers, complete, _now(), limits, rule)
    report.checked = verdict.checked
    report.problems = sorted([*report.problems, *verdict.problems], key=lambda p: (p.path, p.line, p.message))
    return report


def _now() -> dt.datetime:
    """The time new events may not be later than: GITDESK_NOW when set (demos, tests), else the clock."""
    from gitdesk.core.ticket import parse_time

    fixed = os.environ.get("GITDESK_NOW")
    try:
        return parse_time(fixed) if fixed else dt.datetime.now(dt.UTC)
    except ValueError:
        return dt.datetime.now(dt.UTC)


def _desk_files(root: Path) -> tuple[list[str], dict[str, str]]:
    """The desk's files in the work tree, and those named like one that are not regular files."""
    out = [CONFIG_FILE] if (root / CONFIG_FILE).is_file() else []
    special: dict[str, str] = {}
    if not out and os.path.lexists(root / CONFIG_FILE):
        special[CONFIG_FILE] = "a directory" if (root / CONFIG_FILE).is_dir() else "a FIFO, socket or device"
    for folder in (TICKETS_DIR, KB_DIR, SURVEYS_DIR):
        try:
            with os.scandir(root / folder) as it:
                for e in it:
                    rel = f"{folder}/{e.name}"
                    if not kind_of(rel):
                        continue
                    if e.is_file(follow_symlinks=False):
                        out.append(rel)
                    else:
                        special[rel] = _what(e)
        except FileNotFoundError:
            continue
    return sorted(out), special


def _what(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "a symlink"
    if entry.is_dir(follow_symlinks=False):
        return "a directory"
    return "a FIFO, socket or device"


def _config(report: Report, data: bytes | None, changed: bool, complete: bool) -> Config | None:
    """The desk's config at head; every section is checked by its owner, so CI catches
    a bad calendar, matrix, intake or mail setting before `sla` or intake trips on it."""
    if data is None:
        return from_mapping({})
    try:
        config = from_mapping(load_yaml(data.decode("utf-8"), CONFIG_FILE))
    except (ConfigError, MalformedTicket, UnicodeDecodeError) as exc:
        _config_problem(report, exc, data, changed or complete)
        return None
    try:
        check_sections(config)
    except ConfigError as exc:
        _config_problem(report, exc, data, changed or complete)
    return config


def _config_problem(report: Report, exc: Exception, data: bytes, relevant: bool) -> None:
    if relevant:
        line = getattr(exc, "line", None) or Locator("", data.decode("utf-8", "replace")).line(
            *str(getattr(exc, "key", "")).split(".")[:1]
        )
        key = f"{exc.key}: " if isinstance(exc, ConfigError) else ""
        report.problems.append(
            Problem(CONFIG_FILE, line, key + (getattr(exc, "problem", None) or str(exc)), str(getattr(exc, "key", "")))
        )


# -- output ------------------------------------------------------------------------------
def format_text(report: Report) -> list[str]:
    return [f"{p.path}:{p.line}: {p.message}" for p in report.problems]


def _escape(text: str, prop: bool = False) -> str:
    """GitHub workflow-command escaping; properties also escape ':' and ','."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def format_github(report: Report) -> list[str]:
    return [
        f"::error file={_escape(p.path, True)},line={p.line},title=gitdesk validate::{_escape(p.message)}"
        for p in report.problems
    ]


def summary_markdown(report: Report) -> str:
    """The job summary: a verdict, then one table row per problem."""
    head = f"## gitdesk validate: {report.scope}\n\n"
    if report.ok:
        return head + f"✅ {len(report.checked)} file(s) checked, no problems.\n"
    rows = "".join(f"| `{p.path}` | {p.line} | {_cell(p.message)} |\n" for p in report.problems)
    return (
        head + f"❌ {len(report.problems)} problem(s) in {len(report.checked)} file(s) checked.\n\n"
        "| file | line | problem |\n|---|---|---|\n" + rows
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_json(report: Report) -> str:
    return json.dumps(
        {
            "scope": report.scope,
            "ok": report.ok,
            "checked": report.checked,
            "problems": [p._asdict() for p in report.problems],
        },
        indent=2,
    )


def check_sections(config: Config) -> None:
    """Validate the sections other modules own; raises ConfigError naming the key."""
    from gitdesk.channels import mail
    from gitdesk.core import calendar, priority_matrix
    from gitdesk.intake import rules

    calendar.from_config(config)
    priority_matrix.matrix(config)
    rules.settings(config)
    mail.settings(config, environ={})
