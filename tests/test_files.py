"""Resolving a ticket reference: any unambiguous, case-insensitive prefix of the ID or of its part after the dash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitdesk.errors import AmbiguousTicket, UnknownTicket
from gitdesk.store.files import TicketStore


@pytest.fixture
def store(tmp_path):
    tickets = tmp_path / "tickets"
    tickets.mkdir()
    for name in ("HD-abc12345", "HD-abd99999", "OPS-abc77777"):
        (tickets / f"{name}.md").write_text(f"---\nid: {name}\n---\n", encoding="utf-8")
    (tickets / "README.md").write_text("not a ticket\n", encoding="utf-8")
    os.symlink("/etc/hostname", tickets / "HD-zzz11111.md")  # named like a ticket, never one
    (tickets / "HD-yyy11111.md").mkdir()
    return TicketStore(tmp_path)


@pytest.mark.parametrize(
    ("ref", "found"),
    [
        ("HD-abc12345", "HD-abc12345"),  # the whole ID
        ("hd-abc12345", "HD-abc12345"),  # any case
        ("abc1", "HD-abc12345"),  # the part after the dash
        ("ABC1", "HD-abc12345"),
        ("hd-abd", "HD-abd99999"),  # a prefix of the whole ID
        ("ops", "OPS-abc77777"),
        (" abd9 ", "HD-abd99999"),  # pasted with spaces
    ],
)
def test_a_reference_resolves_to_one_id(store, ref, found):
    assert store.resolve(ref) == found


def test_an_ambiguous_prefix_names_every_candidate(store):
    with pytest.raises(AmbiguousTicket) as caught:
        store.resolve("ab")
    assert sorted(caught.value.candidates) == ["HD-abc12345", "HD-abd99999", "OPS-abc77777"]


@pytest.mark.parametrize("ref", ["", "   ", "zzz1", "yyy1", "HD-zzz11111", "readme", "abc12345.m", "q"])
def test_what_is_no_ticket_file_never_resolves(store, ref):
    """A symlink or directory named like a ticket, a README, and '.md' itself are no part of any ID."""
    with pytest.raises(UnknownTicket):
        store.resolve(ref)


def test_a_desk_with_no_tickets_folder_knows_no_ticket(tmp_path):
    with pytest.raises(UnknownTicket):
        TicketStore(tmp_path).resolve("abc")


def test_loading_never_follows_a_symlink_or_blocks_on_a_fifo(store, tmp_path):
    os.mkfifo(tmp_path / "tickets" / "HD-fifo1111.md")
    for name in ("HD-zzz11111", "HD-yyy11111", "HD-fifo1111", "HD-nothere1"):
        with pytest.raises(UnknownTicket):
            store.load(name)
    assert store.load("HD-abc12345").id == "HD-abc12345"


@pytest.mark.parametrize("piece", [2000, 2])
def test_the_moved_listing_keeps_equal_keys_in_path_order_as_a_rebuild_does(
    desk_root, open_ticket, cli_invoke, monkeypatch, piece
):
    """Hand-edited twins with `id: 0` share one sort key; a rebuild lists them by path, and so must
    the stored listing a write moved along, whichever twin changed and however it is cut in pieces."""
    import shutil
    import subprocess

    from gitdesk.store import files

    monkeypatch.setattr(files, "_PIECE", piece)
    base = (desk_root / "tickets" / f"{open_ticket('Base')}.md").read_text(encoding="utf-8")
    for n in "abcd":
        text = base.replace("title: Base", f"title: Twin {n}")
        text = "\n".join("id: 0" if line.startswith("id: ") else line for line in text.split("\n"))
        (desk_root / "tickets" / f"HD-0000000{n}.md").write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=desk_root, check=True)
    subprocess.run(["git", "commit", "-qm", "twins"], cwd=desk_root, check=True)

    def table() -> list[str]:
        return [line.split()[-1] for line in cli_invoke("list", "--all").output.splitlines()[1:]]

    assert table()[:4] == ["a", "b", "c", "d"]
    for n in "cad":
        twin = desk_root / "tickets" / f"HD-0000000{n}.md"
        twin.write_text(twin.read_text(encoding="utf-8").replace(f"Twin {n}", f"Twin {n}2"), encoding="utf-8")
        moved = table()
        shutil.rmtree(desk_root / ".git" / "gitdesk")
        assert moved == table()
    assert moved[:4] == ["a2", "b", "c2", "d2"]


def test_pieces_patched_by_two_processes_at_once_do_not_mix(desk_root, open_ticket, monkeypatch):
    """A lists while the first ticket is hand-edited; B lists after that edit is undone and the last
    ticket edited; both move the listing from one stored header, A stores first. B's header with A's
    piece would show the undone edit to every later reader: B's pieces are stored only onto its header."""
    import shutil
    import subprocess

    from gitdesk.cli.commands.query import _priority_order
    from gitdesk.cli.views import TABLE_LINE_KIND, table_line
    from gitdesk.desk.facade import Desk
    from gitdesk.store import files
    from gitdesk.store.index import DeskIndex

    monkeypatch.setattr(files, "_PIECE", 2)
    for n in range(5):
        open_ticket(f"Ticket {n}")

    def listing() -> list[str]:
        store = Desk(desk_root).store
        return store.rendered_in_order(TABLE_LINE_KIND, table_line, "priority,created,id-v2", _priority_order)[1]

    def edit(line: str, word: str) -> Path:
        path = desk_root / "tickets" / f"{line.split(maxsplit=1)[0]}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("title: ", f"title: {word} ", 1), encoding="utf-8")
        return path

    lines = listing()
    real, deferred = DeskIndex.put_pieces, []
    monkeypatch.setattr(DeskIndex, "put_pieces", lambda self, *a, **k: deferred.append((self, a, k)))
    first = edit(lines[0], "EDITED")
    listing()  # A
    subprocess.run(["git", "checkout", "--", str(first)], cwd=desk_root, check=True)
    edit(lines[-1], "OTHER")
    listing()  # B
    monkeypatch.setattr(DeskIndex, "put_pieces", real)
    for index, args, kwargs in deferred:
        real(index, *args, **kwargs)
    moved = listing()
    shutil.rmtree(desk_root / ".git" / "gitdesk")
    assert moved == listing()
    assert not any("EDITED" in line for line in moved) and "OTHER" in moved[-1]
