"""store/writer.py: atomic_write puts the whole file there or leaves what was there, and never a temp file."""

from __future__ import annotations

import pytest

from gitdesk.store.writer import atomic_write


def test_text_is_written_as_utf8_without_newline_translation(tmp_path):
    path = tmp_path / "tickets" / "HD-abc12345.md"
    atomic_write(path, "título: ok\r\nline two\n")
    assert path.read_bytes() == "título: ok\r\nline two\n".encode()


def test_bytes_are_written_as_they_are_and_folders_are_made(tmp_path):
    data = bytes(range(256))
    path = tmp_path / "tickets" / "HD-abc12345" / "attachments" / "scan.pdf"
    atomic_write(path, data)
    assert path.read_bytes() == data


def test_an_existing_file_is_replaced_whole_and_no_temporary_file_stays(tmp_path):
    path = tmp_path / "gitdesk.yml"
    path.write_text("a much longer first version of the file\n" * 10)
    atomic_write(path, "short\n")
    assert path.read_text() == "short\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gitdesk.yml"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "tickets"
    target.mkdir()
    (target / "HD-abc12345.md").write_text("kept")
    with pytest.raises(OSError):
        atomic_write(target, "a file cannot replace a folder")  # the rename fails after the temp file is written
    assert (target / "HD-abc12345.md").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tickets"]


def test_text_that_cannot_be_encoded_writes_nothing(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("before")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(path, "a lone surrogate \ud800")
    assert path.read_text() == "before" and sorted(p.name for p in tmp_path.iterdir()) == ["note.md"]
