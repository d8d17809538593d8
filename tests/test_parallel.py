"""Rows made on both cores are the rows made on one, in the same order, whatever the child does."""

from __future__ import annotations

import os

from tests.test_index import run

from gitdesk.store import parallel
from gitdesk.store.index import FILE


def make(path: str, data: bytes) -> tuple[str, int]:
    return path, len(data)


def test_a_big_batch_is_split_with_a_child_and_keeps_its_order(monkeypatch):
    items = [(f"tickets/HD-{n}.md", b"x" * n) for n in range(parallel.PARALLEL_FROM + 7)]
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    assert parallel.made_on_both_cores(make, items) == [make(p, d) for p, d in items]
    assert forks == [1]


def test_a_small_batch_stays_on_one_core(monkeypatch):
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(AssertionError("forked")))
    items = [("tickets/HD-a.md", b"abc")]
    assert parallel.made_on_both_cores(make, items) == [("tickets/HD-a.md", 3)]


def test_a_child_that_fails_is_made_up_for_in_the_parent(monkeypatch):
    """A child that dies (here: its rows cannot be marshalled) costs time, never rows."""
    items = [(f"tickets/HD-{n}.md", b"y") for n in range(parallel.PARALLEL_FROM)]
    parent = os.getpid()

    def odd_in_child(path: str, data: bytes) -> object:
        return object() if os.getpid() != parent else (path, len(data))  # an object marshal refuses

    assert parallel.made_on_both_cores(odd_in_child, items) == [(p, 1) for p, _ in items]


def test_rows_made_on_two_cores_are_the_rows_made_on_one(desk_root, open_ticket, cli_invoke, monkeypatch):
    for n in range(5):
        cli_invoke("prioritise", open_ticket(f"Ticket {n}"), "P2")
    serial = run(desk_root, "report", "--format", "json"), run(desk_root, "list", "--all")
    (desk_root / ".git" / "gitdesk" / FILE).unlink()
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    assert (run(desk_root, "report", "--format", "json"), run(desk_root, "list", "--all")) == serial
    assert forks  # the second core was used
