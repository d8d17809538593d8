"""The read index: every reader sees the files as they are, in any clone, whatever became of the index file."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitdesk.cli.main import cli
from gitdesk.desk.facade import Desk
from gitdesk.store import kbsearch
from gitdesk.store.files import Summary, TicketStore
from gitdesk.store.index import FILE, SCHEMA, DeskIndex
from gitdesk.store.messages import MessageIndex
from gitdesk.store.rows import summary_row


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def run(root: Path, *args: str) -> str:
    """A gitdesk command in `root` (a fresh Desk and index object each time, as a new process has)."""
    result = CliRunner().invoke(cli, ["--desk", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def listed(root: Path) -> dict[str, dict]:
    return {row["id"]: row for row in json.loads(run(root, "list", "--all", "--json"))}


def seen(root: Path, tid: str) -> dict[str, object]:
    """What each reader says about one ticket: list, the default table, report by priority, due, show."""
    table = [line.split() for line in run(root, "list", "--all").splitlines()[1:]]
    groups = json.loads(run(root, "report", "--format", "json", "--by", "priority"))["groups"]
    due = {c["id"]: c for c in json.loads(run(root, "due", "--within", "10000d", "--json"))}
    return {
        "list": listed(root)[tid]["priority"],
        "table": next(row[2] for row in table if row[0] == tid),
        "report": sorted(name for name, g in groups.items() if g["counts"]["opened"]),
        "due": due[tid]["priority"],
        "show": json.loads(run(root, "show", tid, "--json"))["priority"],
    }


def rewrite_in_place(path: Path, old: str, new: str) -> None:
    """An editor that writes in place within one clock tick: same inode, same size, same mtime."""
    before = path.stat().st_mtime_ns
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new) and old in text
    with open(path, "r+", encoding="utf-8") as fh:
        fh.write(text.replace(old, new, 1))
    os.utime(path, ns=(before, before))
    assert path.stat().st_mtime_ns == before


@pytest.fixture
def two(open_ticket, cli_invoke):
    a, b = open_ticket("VPN drops"), open_ticket("Printer jams")
    cli_invoke("prioritise", a, "P3")
    cli_invoke("prioritise", b, "P2")
    return a, b


def test_same_tick_same_size_edit_is_seen_by_every_reader(desk_root, two):
    a, _ = two
    assert seen(desk_root, a) == {"list": "P3", "table": "P3", "report": ["P2", "P3"], "due": "P3", "show": "P3"}
    rewrite_in_place(desk_root / "tickets" / f"{a}.md", "priority: P3", "priority: P1")
    assert seen(desk_root, a) == {"list": "P1", "table": "P1", "report": ["P1", "P2"], "due": "P1", "show": "P1"}


def test_a_committed_same_size_edit_is_seen_too(desk_root, two):
    a, _ = two
    seen(desk_root, a)
    rewrite_in_place(desk_root / "tickets" / f"{a}.md", "priority: P3", "priority: P4")
    git(desk_root, "commit", "-qam", "by hand")
    assert seen(desk_root, a)["report"] == ["P2", "P4"]


def test_a_fresh_clone_builds_the_same_answers(desk_root, two, tmp_path):
    a, b = two
    here = seen(desk_root, a), run(desk_root, "report", "--format", "json")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(desk_root), str(clone))
    assert not (clone / ".git" / "gitdesk").exists()
    assert (seen(clone, a), run(clone, "report", "--format", "json")) == here
    assert (clone / ".git" / "gitdesk" / FILE).exists()


def test_a_pull_that_changes_three_tickets(desk_root, open_ticket, cli_invoke, tmp_path):
    ids = [open_ticket(f"Ticket {n}") for n in range(5)]
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(desk_root), str(clone))
    assert set(listed(clone)) == set(ids)  # the clone's index is built
    for tid in ids[:2]:
        cli_invoke("prioritise", tid, "P1")
    new = open_ticket("Arrived upstream")
    git(clone, "pull", "-q", "--ff-only")
    rows = listed(clone)
    assert set(rows) == {*ids, new}
    assert [rows[t]["priority"] for t in ids] == ["P1", "P1", "", "", ""]
    assert json.loads(run(clone, "report", "--format", "json"))["counts"]["opened"] == 6


def test_an_uncommitted_hand_edit_and_its_revert(desk_root, two):
    a, _ = two
    path = desk_root / "tickets" / f"{a}.md"
    seen(desk_root, a)
    path.write_text(path.read_text(encoding="utf-8").replace("priority: P3", "priority: P4"), encoding="utf-8")
    assert seen(desk_root, a)["report"] == ["P2", "P4"]
    git(desk_root, "checkout", "--", f"tickets/{a}.md")
    assert seen(desk_root, a)["report"] == ["P2", "P3"]


def test_added_and_deleted_files_by_hand(desk_root, two, open_ticket):
    a, b = two
    (desk_root / "tickets" / f"{a}.md").unlink()
    assert set(listed(desk_root)) == {b}
    copy = (desk_root / "tickets" / f"{b}.md").read_text().replace(b, "HD-handmade")
    (desk_root / "tickets" / "HD-handmade.md").write_text(copy)
    (desk_root / "tickets" / "README.md").write_text("not a ticket\n")
    assert set(listed(desk_root)) == {b, "HD-handmade"}


def test_a_deleted_index_is_rebuilt(desk_root, two):
    a, _ = two
    before = seen(desk_root, a)
    (desk_root / ".git" / "gitdesk" / FILE).unlink()
    assert seen(desk_root, a) == before


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "foreign database", "foreign schema version", "garbage rows", "garbage column"],
)
def test_a_corrupt_index_is_rebuilt_with_no_traceback(desk_root, two, damage):
    a, _ = two
    before = seen(desk_root, a)
    index = desk_root / ".git" / "gitdesk" / FILE
    if damage == "garbage":
        index.write_bytes(b"not an index" * 1000)
    elif damage == "truncated":
        index.write_bytes(index.read_bytes()[:3000])
    elif damage == "foreign database":
        index.unlink()
        with sqlite3.connect(index) as db:
            db.execute("CREATE TABLE notes(x)")
    else:
        with sqlite3.connect(index) as db:
            if damage == "foreign schema version":
                db.execute("UPDATE meta SET v=-1 WHERE k='schema'")
                db.execute("UPDATE col SET row=?", (b"\xff\x00",))  # would break a reader that trusted it
            elif damage == "garbage rows":
                db.execute("UPDATE summary SET row=?", (b"\x00junk",))
                db.execute("DELETE FROM col")
            else:
                db.execute("UPDATE col SET row=?", (b"\x00junk",))
    result = CliRunner().invoke(cli, ["--desk", str(desk_root), "list", "--all"])
    assert result.exit_code == 0 and "Traceback" not in result.output and a in result.output
    assert seen(desk_root, a) == before
    with sqlite3.connect(index) as db:  # and it is a sound index again
        assert db.execute("SELECT v FROM meta WHERE k='schema'").fetchone()[0] == SCHEMA


def test_a_forged_column_from_another_state_is_not_trusted(desk_root, two, open_ticket):
    """An index restored from another commit (a CI cache) is moved along by blob id, never trusted by name."""
    a, b = two
    run(desk_root, "list", "--all")
    index = desk_root / ".git" / "gitdesk" / FILE
    stale = index.read_bytes()
    c = open_ticket("After the snapshot")
    run(desk_root, "list", "--all")
    index.write_bytes(stale)
    assert set(listed(desk_root)) == {a, b, c}
    assert c in run(desk_root, "list", "--all")


def test_an_index_from_another_clone_is_reused_by_blob_id(desk_root, two, open_ticket, tmp_path):
    a, b = two
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(desk_root), str(clone))
    run(clone, "report", "--format", "json")
    c = open_ticket("Only upstream")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(desk_root), str(other))
    (other / ".git" / "gitdesk").mkdir()
    shutil.copy(clone / ".git" / "gitdesk" / FILE, other / ".git" / "gitdesk" / FILE)
    assert set(listed(other)) == {a, b, c}
    assert json.loads(run(other, "report", "--format", "json"))["counts"]["opened"] == 3


def test_a_malformed_ticket_fails_list_with_one_line_every_time(desk_root, two):
    a, _ = two
    path = desk_root / "tickets" / f"{a}.md"
    path.write_text(path.read_text().replace("title: VPN drops", "title: [broken"))
    for _ in range(2):  # the second time from the error row the index keeps
        result = CliRunner().invoke(cli, ["--desk", str(desk_root), "list", "--all"])
        assert result.exit_code != 0 and f"tickets/{a}.md" in result.output and "Traceback" not in result.output


def test_summary_without_history_matches_the_full_parse(desk_root, cli_invoke, open_ticket):
    tid = open_ticket("Outlook asks for the password")
    cli_invoke("prioritise", tid, "P2")
    cli_invoke("note", tid, "line one\nhistory:\n- not a real key")  # block text that looks like history
    store = TicketStore(desk_root)
    rel = f"tickets/{tid}.md"
    row, mids = summary_row(rel, (desk_root / rel).read_bytes())
    assert Summary._make(row) == Summary.of(store.load(tid)) and row[3] == "P2" and mids == ()


def test_summaries_come_oldest_first(desk_root, open_ticket, clock):
    import datetime as dt

    made = []
    for minutes, title in ((30, "Third"), (-60, "First"), (0, "Second")):
        clock.set(clock.now.replace(hour=10) + dt.timedelta(minutes=minutes))
        made.append((clock.now, open_ticket(title)))
    expected = [tid for _, tid in sorted(made)]
    for _ in range(2):  # built, then from the index
        assert [s.id for s in Desk(desk_root).store.summaries()] == expected


def test_threading_and_kb_search_follow_edits(desk_root, open_ticket):
    tid = open_ticket("Mail bounce")
    path = desk_root / "tickets" / f"{tid}.md"
    text = path.read_text()
    path.write_text(text.replace("history:", "message_ids:\n- <a@mail.example>\nhistory:", 1))
    assert MessageIndex(Desk(desk_root).store).lookup("<a@mail.example>") == tid
    rewrite_in_place(path, "<a@mail.example>", "<b@mail.example>")
    fresh = MessageIndex(Desk(desk_root).store)
    assert fresh.lookup("<b@mail.example>") == tid and fresh.lookup("<a@mail.example>") is None
    article = desk_root / "kb" / "bounces.md"
    article.write_text("---\ntitle: Mail bounces\n---\nCheck the quota.\n")
    assert kbsearch.suggest(Desk(desk_root).index, "bounces") == [("bounces", "Mail bounces")]
    rewrite_in_place(article, "Mail bounces", "Mail returns")
    assert kbsearch.suggest(Desk(desk_root).index, "mail") == [("bounces", "Mail returns")]


def test_no_state_directory_means_an_index_in_memory(desk_root, two):
    a, b = two
    index = DeskIndex(desk_root, Desk(desk_root).repo, None)
    assert {s.id for s in TicketStore(desk_root, index).summaries()} == {a, b}


def table(root: Path) -> str:
    return run(root, "list", "--all")


def rebuilt_table(root: Path) -> str:
    """The default listing made from nothing: the index deleted first."""
    shutil.rmtree(root / ".git" / "gitdesk", ignore_errors=True)
    return table(root)


def test_the_ordered_listing_moved_along_after_each_change_equals_a_rebuild(desk_root, two, open_ticket, cli_invoke):
    """`list` after a write moves only the changed lines; every step must equal a listing made from nothing."""
    a, b = two
    path = desk_root / "tickets" / f"{a}.md"
    steps = [
        lambda: cli_invoke("prioritise", a, "P1", "--reason", "outage"),  # a line moves to the top
        lambda: open_ticket("Arrived later"),  # a line is added
        lambda: path.write_text(path.read_text(encoding="utf-8").replace("P1", "P4"), encoding="utf-8"),  # hand edit
        lambda: git(desk_root, "checkout", "--", f"tickets/{a}.md"),  # ... and its revert
        (desk_root / "tickets" / f"{b}.md").unlink,  # a file gone by hand
        lambda: git(desk_root, "checkout", "--", f"tickets/{b}.md"),
        lambda: cli_invoke("note", b, "a note"),  # a change that keeps the line's place
    ]
    table(desk_root)  # the stored listing every later step starts from
    for step in steps:
        step()
        moved = table(desk_root)
        assert moved == rebuilt_table(desk_root)
        table(desk_root)  # the next step moves this rebuilt listing along
    assert [line.split()[0] for line in moved.splitlines()[1:]][0] == a


def test_list_after_one_write_does_not_reread_the_whole_desk(desk_root, two, cli_invoke):
    """The write's one changed line is moved into the stored listing; the whole-desk column is not rebuilt."""
    import marshal

    a, _ = two

    def tokens() -> dict[str, str]:
        with sqlite3.connect(desk_root / ".git" / "gitdesk" / FILE) as db:
            return {name: marshal.loads(row)[0] for name, row in db.execute("SELECT name, row FROM col")}

    table(desk_root)
    before = tokens()
    cli_invoke("prioritise", a, "P1", "--reason", "outage")
    table(desk_root)
    after = tokens()
    listing = next(name for name in after if name.startswith("list:") and "#" not in name)
    whole = next(name for name in after if name.startswith("tickets:list:"))
    assert after[listing] != before[listing]  # the ordered listing follows the write ...
    assert after[whole] == before[whole]  # ... without the whole-desk column being made again
    assert table(desk_root) == rebuilt_table(desk_root)


def columns(root: Path) -> tuple[list, list]:
    """Every ticket's SLA facts and the check-ins owed, as a new process reads them."""
    desk = Desk(root)
    return desk.facts(), desk.checkin_dues()


def test_a_column_moved_along_after_each_change_equals_a_rebuild(desk_root, two, open_ticket, cli_invoke, monkeypatch):
    """After a write, `due` and `report` move their stored column along by the changed files only,
    without loading the whole folder's listing; every step must equal columns made from nothing."""
    a, b = two
    path = desk_root / "tickets" / f"{a}.md"
    steps = [
        lambda: cli_invoke("prioritise", a, "P1", "--reason", "outage"),
        lambda: open_ticket("Arrived later"),
        lambda: rewrite_in_place(path, "priority: P1", "priority: P4"),  # same tick, same size
        lambda: git(desk_root, "checkout", "--", f"tickets/{a}.md"),  # ... and its revert
        (desk_root / "tickets" / f"{b}.md").unlink,
        lambda: git(desk_root, "checkout", "--", f"tickets/{b}.md"),
        lambda: cli_invoke("note", b, "a note"),
    ]
    columns(desk_root)  # the stored columns every later step starts from
    whole_listings = []
    real_files = DeskIndex.files

    def files(self, folder):
        whole_listings.append(folder)
        return real_files(self, folder)

    for step in steps:
        step()
        monkeypatch.setattr(DeskIndex, "files", files)
        moved = columns(desk_root)
        monkeypatch.setattr(DeskIndex, "files", real_files)
        shutil.rmtree(desk_root / ".git" / "gitdesk")
        assert moved == columns(desk_root)
        columns(desk_root)  # the next step moves these rebuilt columns along
    assert "tickets" not in whole_listings
    assert [f.priority for f in moved[0] if f.id == a] == ["P1"]


def test_a_listing_in_many_pieces_moves_along_rewriting_only_the_pieces_it_changed(
    desk_root, open_ticket, cli_invoke, monkeypatch
):
    """The ordered listing is kept in pieces; after a write only the piece the moved line leaves and
    the one it joins are stored again, and every step still equals a listing made from nothing."""
    from gitdesk.store import files

    monkeypatch.setattr(files, "_PIECE", 2)  # 9 tickets: 5 pieces
    made = [open_ticket(f"Ticket {n}") for n in range(9)]

    def pieces() -> dict[str, bytes]:
        with sqlite3.connect(desk_root / ".git" / "gitdesk" / FILE) as db:
            return {name: row for name, row in db.execute("SELECT name, row FROM col") if "#" in name}

    table(desk_root)
    before = pieces()
    assert len(before) == 10  # 5 pieces of lines (L) and 5 of paths and keys (K)
    cli_invoke("prioritise", made[4], "P1", "--reason", "outage")  # from the middle to the top
    moved = table(desk_root)
    after = pieces()
    rewritten = {name for name in after if before.get(name) != after[name]}
    assert 2 <= len(rewritten) <= 4 and rewritten < set(after), rewritten  # one or two pieces, L and K
    assert moved == rebuilt_table(desk_root)
    assert moved.splitlines()[1].split()[0] == made[4]
    for n in range(5):  # pieces grow, are cut in two and emptied as tickets arrive and leave
        table(desk_root)
        open_ticket(f"Later {n}")
        assert table(desk_root) == rebuilt_table(desk_root)
    for ticket in made[:6]:
        table(desk_root)
        (desk_root / "tickets" / f"{ticket}.md").unlink()
        assert table(desk_root) == rebuilt_table(desk_root)


def test_a_left_out_ticket_stays_reported_after_a_write_moves_the_listing(desk_root, two, cli_invoke):
    """A committed ticket that does not parse is still named (and list still exits 65) once the listing moves on."""
    from gitdesk.errors import ExitCode

    a, b = two
    bad = desk_root / "tickets" / "HD-broken01.md"
    bad.write_text("---\nid: HD-broken01\ntitle: [unclosed\n---\n", encoding="utf-8")
    git(desk_root, "add", str(bad))
    git(desk_root, "commit", "-qm", "a hand commit of a broken ticket")
    for step in range(2):
        listed_now = CliRunner().invoke(cli, ["--desk", str(desk_root), "list", "--all"])
        assert listed_now.exit_code == ExitCode.DATAERR, step
        assert "skipped tickets/HD-broken01.md" in listed_now.output and a in listed_now.output
        cli_invoke("prioritise", a, "P1", "--reason", "outage")  # the next list moves the stored listing


def test_rows_read_in_many_batches_while_git_unpacks_the_next(desk_root, open_ticket, cli_invoke, monkeypatch):
    """A fresh start reads blobs a batch ahead in the background; the answers are those of one batch."""
    from gitdesk.store import index as index_module

    for n in range(5):
        cli_invoke("prioritise", open_ticket(f"Ticket {n}"), "P2")
    one_batch = rebuilt_table(desk_root), run(desk_root, "report", "--format", "json")
    monkeypatch.setattr(index_module, "_BATCH", 2)
    assert (rebuilt_table(desk_root), run(desk_root, "report", "--format", "json")) == one_batch


def test_a_column_first_made_after_a_commit_lists_the_files_in_path_order(desk_root, two, cli_invoke):
    """The committed listing is moved along by a tree diff when a reader first needs it after a commit;
    a file the commit added must take its place by path, or a column made from it (here report's)
    is out of order and the next write's ticket is counted twice."""
    table(desk_root)  # the committed listing is stored at this commit
    first = desk_root / "tickets" / "HD-00000000.md"  # sorts before every other ticket
    first.write_text((desk_root / "tickets" / f"{two[0]}.md").read_text().replace(two[0], "HD-00000000"))
    git(desk_root, "add", str(first))
    git(desk_root, "commit", "-qm", "a ticket added by hand")
    paths, _ = Desk(desk_root).store.index.files("tickets")
    assert paths == sorted(paths)
    run(desk_root, "report", "--format", "json")  # report's column, first made now
    cli_invoke("note", "HD-00000000", "a note")
    counts = json.loads(run(desk_root, "report", "--format", "json"))["counts"]
    assert counts["opened"] == 3


def test_an_order_stored_late_by_a_slower_process_is_not_kept_beside_a_newer_column(desk_root, two, open_ticket):
    """Process A makes the summary column and its oldest-first order; before A stores the order, B stores
    the column of a newer state. A's order (of fewer rows) must not be kept beside B's rows, or every
    later reader at that state leaves a ticket out."""
    deferred = []
    real = DeskIndex.put_derived
    DeskIndex.put_derived = lambda self, name, derived: deferred.append((self, name, derived))
    try:
        assert len(Desk(desk_root).summaries()) == 2  # A
    finally:
        DeskIndex.put_derived = real
    assert deferred
    late = open_ticket("Arrived meanwhile")
    assert len(Desk(desk_root).summaries()) == 3  # B
    for index, name, derived in deferred:  # A, slower, stores its order last
        real(index, name, derived)
    after = [s.id for s in Desk(desk_root).summaries()]
    shutil.rmtree(desk_root / ".git" / "gitdesk")
    assert after == [s.id for s in Desk(desk_root).summaries()]
    assert sorted(after) == sorted([*two, late])  # made at one clock time: oldest first is by ID
