"""desk/facade.py: the Desk's own rules over the verbs: finding the desk, the clock, refs, one commit per change."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from gitdesk.core.ticket import iso
from gitdesk.desk.facade import Desk, system_clock
from gitdesk.errors import GitdeskError, InvalidValue, NotADesk, UsageError

BOB = {"name": "Bob Smith", "email": "bob@example.com"}


def git(root, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def commits(root) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def test_the_clock_is_gitdesk_now_when_set_and_a_bad_one_is_refused(monkeypatch):
    monkeypatch.setenv("GITDESK_NOW", "2026-03-02T10:00:00+01:00")
    assert system_clock() == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # the same instant
    assert iso(system_clock()) == "2026-03-02T09:00:00Z"  # as history records it
    monkeypatch.setenv("GITDESK_NOW", "tomorrow")
    with pytest.raises(UsageError, match="GITDESK_NOW: 'tomorrow'"):
        system_clock()


def test_find_takes_the_repository_around_a_folder_only_when_it_holds_a_desk(desk_root, tmp_path, monkeypatch):
    assert Desk.find(desk_root / "tickets").root.resolve() == desk_root.resolve()
    monkeypatch.setenv("GITDESK_DESK", str(desk_root))
    monkeypatch.chdir(tmp_path)
    assert Desk.find().root.resolve() == desk_root.resolve()
    plain = tmp_path / "source"
    plain.mkdir()
    git(plain, "init", "-q")
    with pytest.raises(NotADesk, match="no gitdesk.yml"):
        Desk.find(plain)
    with pytest.raises(GitdeskError, match="no such directory"):
        Desk.find(tmp_path / "missing")


def test_the_actor_is_gitdesk_user_else_gits_identity(desk_root, monkeypatch):
    assert Desk(desk_root).actor == "Ada Tech"
    monkeypatch.setenv("GITDESK_USER", "grace")
    assert Desk(desk_root).actor == "grace" and Desk(desk_root, actor="linus").actor == "linus"


def test_a_ref_may_be_the_path_a_shell_completed(desk):
    t = desk.open("Printer jams", BOB)
    assert desk.get(f"tickets/{t.id}.md").id == t.id
    assert desk.resolve(f" tickets\\{t.id}.md ") == t.id
    assert desk.resolve(t.id.lower()) == t.id


def test_each_verb_is_one_commit_and_the_desk_clock_is_recorded(desk, desk_root, clock):
    before = commits(desk_root)
    t = desk.open("Printer jams", BOB)
    clock.advance(minutes=5)
    desk.note(t.id, "Ordered rollers")
    assert commits(desk_root) == before + 2
    assert desk.get(t.id).history[-1]["at"] == "2026-03-02T09:05:00Z"
    assert git(desk_root, "status", "--porcelain") == ""


def test_a_duplicate_is_cancelled_and_back_linked_in_one_commit(desk, desk_root):
    original = desk.open("Printer jams", BOB)
    dup = desk.open("Printer on floor 3 jams again", BOB)
    with pytest.raises(InvalidValue, match="cannot duplicate itself"):
        desk.cancel(dup.id, "same", duplicate_of=dup.id.lower())
    before = commits(desk_root)
    desk.cancel(dup.id, "asked twice", duplicate_of=original.id)
    assert commits(desk_root) == before + 1
    assert desk.get(original.id).meta["duplicates"] == [dup.id]
    third = desk.open("Printer jams, third time", BOB)
    with pytest.raises(InvalidValue, match=f"cancelled itself as a duplicate of {original.id}"):
        desk.cancel(third.id, "again", duplicate_of=dup.id)  # point at the request that goes on


def _resolved(desk, clock):
    t = desk.open("Printer jams", BOB)
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    desk.propose(t.id, "Replace the tray 2 rollers")
    desk.review(t.id, True, "lead")
    clock.advance(minutes=5)
    return t.id


def test_a_lesson_after_a_reopen_extends_the_first_closes_article(desk, desk_root, clock):
    tid = _resolved(desk, clock)
    desk.close(tid, "Rollers wear out", kb_slug="printer-rollers")
    desk.reopen(tid, "Jammed again")
    desk.propose(tid, "Replace the pickup roller too")
    desk.review(tid, True, "lead")
    desk.close(tid, "Replace both rollers together")
    article = (desk_root / "kb" / "printer-rollers.md").read_text()
    assert "Rollers wear out" in article and "Replace both rollers together" in article
    assert desk.kb_slugs() == ["printer-rollers"]
    assert desk.kb_published("printer-rollers") is False  # an unlisted ticket's lesson stays off the site
    assert desk.kb_published("no-such-article") is False


def test_a_second_survey_needs_replace_which_keeps_the_first(desk, desk_root, clock):
    tid = _resolved(desk, clock)
    desk.close(tid, "Rollers wear out")
    desk.survey(tid, 2, "no", "too-long", comment="slow")
    with pytest.raises(UsageError, match="already has a survey"):
        desk.survey(tid, 5, "yes", "adequate")
    desk.survey(tid, 5, "yes", "adequate", replace=True)
    (record,) = desk.surveys()
    assert record["score"] == 5 and [p["score"] for p in record["previous"]] == [2]
