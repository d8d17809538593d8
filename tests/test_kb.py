"""KB articles: the article merge (two closes into one article keep both lessons), pure and by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitdesk.core import kb
from gitdesk.core.kb import lesson_article, merge_article, parse_article
from gitdesk.core.ticket import Ticket
from gitdesk.git.repo import GitRepo

NOW = "2026-03-02T10:00:00Z"


def ticket(tid: str, title: str, queue: str = "hardware") -> Ticket:
    return Ticket({"id": tid, "title": title, "queue": queue, "history": []}, "")


def article(existing: str | None, tid: str, title: str, lesson: str, now: str = NOW, tags=None) -> str:  # type: ignore[no-untyped-def]
    return lesson_article(existing, "printer-jams", ticket(tid, title), lesson, None, None, now, tags or ["hardware"])


def merge(base: str, ours: str, theirs: str):  # type: ignore[no-untyped-def]
    return merge_article(base, ours, theirs, GitRepo(Path.cwd()).merge_text)


BASE = article(None, "HD-aaaaaaaa", "Printer on floor 1 jams", "Clean the rollers")


def test_two_lessons_added_on_two_sides_are_both_kept_once():
    ours = article(BASE, "HD-bbbbbbbb", "Printer on floor 3 jams", "Worn rollers", "2026-03-03T10:00:00Z")
    theirs = article(BASE, "HD-cccccccc", "Printer on floor 5 jams", "Damp paper", "2026-03-04T10:00:00Z", ["paper"])
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == []
    meta, body = parse_article(text, "kb/printer-jams.md")
    assert meta["tickets"] == ["HD-aaaaaaaa", "HD-bbbbbbbb", "HD-cccccccc"]
    assert meta["tags"] == ["hardware", "paper"] and meta["updated"] == "2026-03-04T10:00:00Z"
    assert [line for line in body.splitlines() if line.startswith("## ")] == [
        "## Printer on floor 1 jams",
        "## Printer on floor 3 jams",
        "## Printer on floor 5 jams",
    ]
    # The merged article reads exactly like one the desk extended twice in that order.
    meta_again, body_again = parse_article(
        article(ours, "HD-cccccccc", "Printer on floor 5 jams", "Damp paper", "2026-03-04T10:00:00Z", ["paper"]), "x"
    )
    assert body == body_again


def test_an_article_both_sides_created_keeps_both_sections():
    ours = article(None, "HD-bbbbbbbb", "Printer on floor 3 jams", "Worn rollers")
    theirs = article(None, "HD-cccccccc", "Printer on floor 5 jams", "Damp paper")
    text, conflicts = merge("", ours, theirs)
    assert conflicts == []
    assert "Worn rollers" in text and "Damp paper" in text
    assert parse_article(text, "x")[0]["tickets"] == ["HD-bbbbbbbb", "HD-cccccccc"]


def test_an_edit_of_an_old_section_merges_line_by_line_and_a_clash_is_named():
    ours = BASE.replace("Clean the rollers", "Clean the rollers with alcohol")
    theirs = article(BASE, "HD-cccccccc", "Printer on floor 5 jams", "Damp paper")
    text, conflicts = merge(BASE, ours, theirs)
    assert conflicts == [] and "with alcohol" in text and "Damp paper" in text
    clash = BASE.replace("Clean the rollers", "Replace the rollers")
    text, conflicts = merge(BASE, ours, clash)
    assert conflicts == ["the article text: both sides changed the same lines"] and "<<<<<<<" in text


@pytest.mark.parametrize(
    "meta,expected",
    [
        ({}, None),
        ({"published": True}, True),
        ({"published": False}, False),
        ({"published": "false"}, False),
        ({"published": "true"}, False),
        ({"published": None}, False),
        ({"published": 1}, False),
    ],
)
def test_only_true_publishes_an_article_and_no_flag_is_none(meta, expected):
    assert kb.published_flag(meta) is expected
