"""store/entries.py: only a regular file at a desk path is ever opened; the rest is named and reported."""

from __future__ import annotations

import os
import stat

import pytest

from gitdesk.errors import MalformedTicket
from gitdesk.store import entries
from gitdesk.store.entries import read_plain, special_entries, what


def test_what_names_each_kind_of_entry():
    assert what(stat.S_IFLNK | 0o777) == "a symlink"
    assert what(stat.S_IFDIR | 0o755) == "a directory"
    for mode in (stat.S_IFIFO, stat.S_IFSOCK, stat.S_IFCHR, stat.S_IFBLK):
        assert what(mode | 0o644) == "a FIFO, socket or device"


def test_read_plain_reads_a_regular_file(tmp_path):
    (tmp_path / "HD-abc12345.md").write_bytes(b"---\nid: HD-abc12345\n")
    assert read_plain(tmp_path / "HD-abc12345.md", "tickets/HD-abc12345.md") == b"---\nid: HD-abc12345\n"


def test_read_plain_says_not_found_for_nothing_there_even_below_a_file(tmp_path):
    (tmp_path / "tickets").write_text("a file where a folder should be")
    with pytest.raises(FileNotFoundError):
        read_plain(tmp_path / "missing.md", "tickets/missing.md")
    with pytest.raises(FileNotFoundError):  # not NotADirectoryError: a reader treats both as "no such ticket"
        read_plain(tmp_path / "tickets" / "HD-abc12345.md", "tickets/HD-abc12345.md")


@pytest.mark.parametrize("kind", ["symlink", "directory", "fifo", "dangling symlink"])
def test_read_plain_refuses_anything_else_naming_the_desk_path(tmp_path, kind):
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0")
    path = tmp_path / "HD-abc12345.md"
    if kind == "symlink":
        path.symlink_to(secret)
    elif kind == "dangling symlink":
        path.symlink_to(tmp_path / "nowhere")
    elif kind == "directory":
        path.mkdir()
    else:
        os.mkfifo(path)  # opening it for reading would block until a writer came
    with pytest.raises(MalformedTicket) as err:
        read_plain(path, "tickets/HD-abc12345.md")
    assert err.value.path == "tickets/HD-abc12345.md"
    assert what(os.lstat(path).st_mode) in err.value.problem and "not read" in err.value.problem


def _folder(tmp_path):
    tickets = tmp_path / "tickets"
    tickets.mkdir()
    (tickets / "HD-aaaaaaaa.md").write_text("a ticket")
    os.mkfifo(tickets / "HD-ffffffff.md")
    (tickets / "HD-dddddddd.md").mkdir()
    (tickets / "HD-ssssssss.md").symlink_to(tickets / "HD-aaaaaaaa.md")
    os.mkfifo(tickets / "notes.txt")  # not named like a ticket: the caller's `keep` leaves it out
    return tickets


def test_special_entries_lists_what_is_not_a_regular_file_and_kept(tmp_path):
    _folder(tmp_path)
    found, _ = special_entries(tmp_path, "tickets", lambda rel: rel.endswith(".md"), None)
    assert found == {
        "tickets/HD-ffffffff.md": "a FIFO, socket or device",
        "tickets/HD-dddddddd.md": "a directory",
        "tickets/HD-ssssssss.md": "a symlink",
    }
    assert special_entries(tmp_path, "missing", lambda rel: True, None) == ({}, None)


def test_a_folder_changed_just_now_is_not_stamped(tmp_path, monkeypatch):
    monkeypatch.setattr(entries, "RACY_NS", 10**30)  # every folder counts as just changed, whatever the clock
    _folder(tmp_path)
    found, stamp = special_entries(tmp_path, "tickets", lambda rel: True, None)
    assert stamp is None and "tickets/notes.txt" in found


def test_a_stamp_matching_the_folder_stands_for_a_listing(tmp_path, monkeypatch):
    monkeypatch.setattr(entries, "RACY_NS", 0)  # trust the folder's stat at once
    tickets = _folder(tmp_path)
    found, stamp = special_entries(tmp_path, "tickets", lambda rel: True, None)
    assert stamp is not None and len(found) == 4
    # while the folder's stat matches, the stored findings are returned and the folder is not listed
    planted = (stamp[0], {"tickets/HD-xxxxxxxx.md": "a symlink"})
    assert special_entries(tmp_path, "tickets", lambda rel: True, planted)[0] == {"tickets/HD-xxxxxxxx.md": "a symlink"}
    os.unlink(tickets / "HD-ffffffff.md")  # the folder's mtime moves: the stamp no longer matches
    again, _ = special_entries(tmp_path, "tickets", lambda rel: True, planted)
    assert "tickets/HD-ffffffff.md" not in again and "tickets/HD-xxxxxxxx.md" not in again and len(again) == 3
