"""`gitdesk validate`: check a change to the desk (or the whole desk) and report problems by file and line.

With a base, only what changed between base and head is read, plus what the
cross-file rules need (a changed ticket's parent and children, a closed one's
KB article, a survey's ticket), all through one `git cat-file --batch` per
side. So the cost grows with the change, never with the desk. Rules per file
are in `validate_rules`; this module finds the files and joins them up.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitdesk.core.config import CONFIG_FILE, Config, from_mapping
from gitdesk.core.ids import TICKETS_DIR
from gitdesk.core.kb import KB_DIR, parse_article
from gitdesk.core.rules import Locator, Problem, check_article, check_survey, check_ticket, load_ticket
from gitdesk.core.survey import SURVEYS_DIR
from gitdesk.core.ticket import Ticket, load_yaml
from gitdesk.errors import ConfigError, GitdeskError, MalformedTicket, UsageError
from gitdesk.git.repo import GitRepo

__all__ = ["Problem", "Report", "validate", "format_text", "format_github", "summary_markdown", "to_json"]


@dataclass
class Report:
    scope: str
    checked: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Files:
    """One side of the check: a git revision, the index (rev ""), or the work tree (rev None).

    Blob ids known from the diff are read directly; other paths are looked up
    in one tree walk per batch, then all are read by one `git cat-file --batch`.
    """

    def __init__(self, repo: GitRepo, rev: str | None, ids: dict[str, str] | None = None) -> None:
        self.repo, self.rev = repo, rev
        self.ids = dict(ids or {})
        self.cache: dict[str, bytes | None] = {}

    def read(self, paths: list[str]) -> dict[str, bytes | None]:
        wanted = [p for p in dict.fromkeys(paths) if p not in self.cache]
        if self.rev is None:
            for p in wanted:
                try:
                    self.cache[p] = (self.repo.root / p).read_bytes()
                except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                    self.cache[p] = None
        elif wanted:
            unknown = [p for p in wanted if p not in self.ids]
            self.ids.update(self.repo.blob_ids(self.rev, unknown))
            found = [p for p in wanted if p in self.ids]
            blobs = self.repo.read_blobs([self.ids[p] for p in found])
            self.cache.update({p: None for p in wanted})
            self.cache.update({p: blobs[self.ids[p]] for p in found})
        return {p: self.cache[p] for p in paths}


def kind_of(path: str) -> str | None:
    """Which rules a path falls under; None for files validate does not own."""
    folder, _, name = path.partition("/")
    if "/" in name or name.startswith("."):
        return None
    if folder == TICKETS_DIR and name.endswith(".md"):
        return "ticket"
    if folder == KB_DIR and name.endswith(".md"):
        return "article"
    if folder == SURVEYS_DIR and name.endswith(".yml"):
        return "survey"
    return "config" if path == CONFIG_FILE else None


def validate(root: Path, base: str | None = None, head: str | None = None, staged: bool = False) -> Report:
    """Check what changed from `base` to `head` (default HEAD), the staged change, or the whole desk."""
    repo = GitRepo(root)
    if head and not base:
        raise UsageError("--head needs --base (the revision the change starts from)")
    if staged and base:
        raise UsageError("give either --staged or --base, not both")
    if staged:
        rows = repo.changed_blobs(repo.head(), None)
        old = Files(repo, "HEAD", _ids(rows, 2)) if repo.head() else None
        return _Check(Files(repo, "", _ids(rows, 3)), old, [r[:2] for r in rows], "staged changes").run()
    if base:
        for rev in (base, head or "HEAD"):
            if not repo.has_ref(f"{rev}^{{commit}}"):
                raise GitdeskError(
                    f"--base/--head: '{rev}' is not a commit in this repository "
                    "(in CI, check out with full history: fetch-depth: 0)"
                )
        rows = repo.changed_blobs(base, head or "HEAD")
        scope = f"{base[:12]}..{(head or 'HEAD')[:12]}"
        return _Check(
            Files(repo, head or "HEAD", _ids(rows, 3)), Files(repo, base, _ids(rows, 2)), [r[:2] for r in rows], scope
        ).run()
    entries = [("A", p) for p in _desk_files(root)]
    return _Check(Files(repo, None), None, entries, "the whole desk", complete=True).run()


def _ids(rows: list[tuple[str, str, str, str]], side: int) -> dict[str, str]:
    """path -> blob id on one side of a raw diff (all zeros: absent there)."""
    return {row[1]: row[side] for row in rows if row[side].strip("0")}


def _desk_files(root: Path) -> list[str]:
    out = [CONFIG_FILE] if (root / CONFIG_FILE).exists() else []
    for folder in (TICKETS_DIR, KB_DIR, SURVEYS_DIR):
        try:
            with os.scandir(root / folder) as it:
                out.extend(f"{folder}/{e.name}" for e in it if e.is_file() and kind_of(f"{folder}/{e.name}"))
        except FileNotFoundError:
            continue
    return sorted(out)


class _Check:
    """One validation run: per-file rules first, then the cross-file rules on what they need."""

    def __init__(
        self, new: Files, old: Files | None, entries: list[tuple[str, str]], scope: str, complete: bool = False
    ) -> None:
        self.new, self.old, self.complete = new, old, complete
        self.entries = [(s, p) for s, p in entries if kind_of(p)]
        self.report = Report(scope)
        self.tickets: dict[str, tuple[Ticket, Locator]] = {}
        self.bases: dict[str, Ticket] = {}
        self.deleted_articles: list[str] = []
        self.surveys: dict[str, dict[str, Any]] = {}

    def problem(self, path: str, line: int, message: str) -> None:
        self.report.problems.append(Problem(path, line, message))

    def run(self) -> Report:
        present = [p for s, p in self.entries if s != "D"]
        texts = self.new.read([*present, CONFIG_FILE])
        config = self._config(texts[CONFIG_FILE], CONFIG_FILE in present)
        # A broken gitdesk.yml is reported once; tickets are then not checked against guessed queues.
        queues, tiers = (config.queue_names(), config.tiers) if config else ([], 9)
        modified = [p for s, p in self.entries if s == "M" and kind_of(p) == "ticket"]
        before = self.old.read(modified) if self.old else {}
        for status, path in self.entries:
            kind = kind_of(path)
            if status == "D":
                if kind == "ticket":
                    self.problem(path, 1, "tickets are never deleted (cancel the ticket instead)")
                elif kind == "article":
                    self.deleted_articles.append(path)
                continue
            data = texts[path]
            if data is None or kind == "config":
                continue
            self.report.checked.append(path)
            if kind == "ticket":
                self._ticket(path, data, before.get(path), queues, tiers)
            elif kind == "article":
                self.report.problems.extend(check_article(path, data))
            else:
                record, problems = check_survey(path, data)
                self.report.problems.extend(problems)
                if record is not None and not problems:
                    self.surveys[path] = record
        if self.complete:
            self._unique_ids()
        self._links()
        self.report.problems.sort(key=lambda p: (p.path, p.line, p.message))
        return self.report

    def _config(self, data: bytes | None, changed: bool) -> Config | None:
        """The desk's config at head; every section is checked by its owner, so CI catches
        a bad calendar, matrix, intake or mail setting before `sla` or intake trips on it."""
        if data is None:
            return from_mapping({})
        try:
            config = from_mapping(load_yaml(data.decode("utf-8"), CONFIG_FILE))
        except (ConfigError, MalformedTicket, UnicodeDecodeError) as exc:
            self._config_problem(exc, data, changed)
            return None
        try:
            check_sections(config)
        except ConfigError as exc:
            self._config_problem(exc, data, changed)
        return config

    def _config_problem(self, exc: Exception, data: bytes, changed: bool) -> None:
        if changed or self.complete:
            line = getattr(exc, "line", None) or Locator("", data.decode("utf-8", "replace")).line(
                *str(getattr(exc, "key", "")).split(".")[:1]
            )
            key = f"{exc.key}: " if isinstance(exc, ConfigError) else ""
            self.problem(CONFIG_FILE, line, key + (getattr(exc, "problem", None) or str(exc)))

    def _ticket(self, path: str, data: bytes, old: bytes | None, queues: list[str], tiers: int) -> None:
        ticket, loc, problems = load_ticket(path, data)
        self.report.problems.extend(problems)
        if ticket is None or loc is None:
            return
        base = load_ticket(path, old)[0] if old is not None else None
        self.report.problems.extend(check_ticket(path, ticket, loc, queues, tiers, base))
        self.tickets[path] = (ticket, loc)
        if base is not None:
            self.bases[path] = base

    def _unique_ids(self) -> None:
        """File names are IDs, so only a case-insensitive clash can make two tickets share one."""
        seen: dict[str, str] = {}
        for path in sorted(self.tickets):
            key = path.lower()
            if key in seen:
                self.problem(path, 1, f"ticket id clashes with {seen[key]} (IDs are case-insensitive)")
            seen[key] = path

    # -- cross-file rules ------------------------------------------------------------------
    def _links(self) -> None:
        from gitdesk.core.links import check_family, check_kb, check_survey_ticket, dropped_children, wanted
        from gitdesk.core.links import kb_slug as wanted_kb

        needed = [p for path, (t, _) in self.tickets.items() for p in wanted(t, self.bases.get(path))]
        needed += [f"{TICKETS_DIR}/{rec.get('ticket')}.md" for rec in self.surveys.values()]
        lessons = self._deleted_lessons()
        needed += [f"{TICKETS_DIR}/{i}.md" for ids in lessons.values() for i in ids]
        if not self.complete:
            self.new.read(needed)
        for path, ids in lessons.items():
            for ticket_id in ids:
                other = self._other(ticket_id)
                if isinstance(other, Ticket) and f"{KB_DIR}/{wanted_kb(other)}.md" == path:
                    self.problem(path, 1, f"deleted, but closed ticket {ticket_id} keeps its lesson here")
        for path, (t, loc) in list(self.tickets.items()):
            dropped = dropped_children(t, self.bases.get(path))
            for where, msg in [*check_family(t, self._other, dropped), *check_kb(t, self._exists)]:
                self.problem(path, loc.line(*where), msg)
        for path, record in self.surveys.items():
            for msg in check_survey_ticket(record, self._other):
                text = (self.new.cache.get(path) or b"").decode("utf-8", "replace")
                self.problem(path, Locator(text, text).line("ticket"), msg)

    def _deleted_lessons(self) -> dict[str, list[str]]:
        """Deleted KB article -> the tickets its base version says it came from."""
        if not self.deleted_articles or self.old is None:
            return {}
        out = {}
        for path, data in self.old.read(self.deleted_articles).items():
            try:
                meta, _ = parse_article((data or b"").decode("utf-8"), path)
            except (MalformedTicket, UnicodeDecodeError):
                continue
            out[path] = [str(i) for i in meta.get("tickets") or [] if isinstance(i, str)]
        return out

    def _exists(self, path: str) -> bool:
        return self.new.cache.get(path) is not None

    def _other(self, ticket_id: str) -> Ticket | None | bool:
        """The ticket with that id at head; None if missing; True if present but unreadable."""
        path = f"{TICKETS_DIR}/{ticket_id}.md"
        if path in self.tickets:
            return self.tickets[path][0]
        data = self.new.cache.get(path)
        if data is None:
            return None
        ticket = load_ticket(path, data)[0]
        return ticket if ticket is not None else True


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
