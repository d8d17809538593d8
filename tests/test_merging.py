"""desk/merging.py: the merge driver's desk side: git's three files in, the merged one written over ours."""

from __future__ import annotations

import copy
import subprocess

from gitdesk.core import actions
from gitdesk.core.config import from_mapping
from gitdesk.core.ticket import dump, parse
from gitdesk.desk.merging import ATTRIBUTES, DRIVER, install_driver, merge_files

CTX = actions.Context(from_mapping({"tiers": 9}), "2026-03-02T09:00:00Z", "Ada Tech")
LATER = actions.Context(CTX.config, "2026-03-02T10:00:00Z", "Grace Hopper")


def three(tmp_path, base: str, ours: str, theirs: str):
    names = []
    for name, text in (("O", base), ("A", ours), ("B", theirs)):
        (tmp_path / name).write_text(text)
        names.append(str(tmp_path / name))
    return names


def sides():
    base = actions.new_ticket(
        CTX, "HD-abc12345", "Printer jams", {"name": "Bob", "email": "b@x.example"}, priority="P3"
    )
    actions.start(base, CTX)
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    actions.note(ours, CTX, "Ordered rollers")
    actions.note(theirs, LATER, "Vendor called back")
    return base, ours, theirs


def test_a_ticket_changed_on_both_sides_keeps_both_histories(desk_root, tmp_path):
    base, ours, theirs = sides()
    o, a, b = three(tmp_path, dump(base), dump(ours), dump(theirs))
    assert merge_files(desk_root, o, a, b, "tickets/HD-abc12345.md") == []
    merged = parse((tmp_path / "A").read_text())
    assert [e.get("text") for e in merged.history[-2:]] == ["Ordered rollers", "Vendor called back"]
    assert (tmp_path / "B").read_text() == dump(theirs)  # only %A is written


def test_the_result_is_held_to_the_desks_own_tiers(desk_root, tmp_path):
    base, ours, theirs = sides()
    actions.escalate(theirs, LATER, "vendor bug", tier=5)  # a branch of a desk with more tiers
    files = three(tmp_path, dump(base), dump(ours), dump(theirs))
    conflicts = merge_files(desk_root, *files, "tickets/HD-abc12345.md")  # gitdesk.yml: tiers 3
    assert conflicts and any("tier" in c for c in conflicts)
    (desk_root / "gitdesk.yml").write_text("tiers: [broken\n")  # validate reports that; the merge still runs
    files = three(tmp_path, dump(base), dump(ours), dump(theirs))
    assert merge_files(desk_root, *files, "tickets/HD-abc12345.md") == []


def test_a_file_both_sides_added_merges_from_an_empty_ancestor(desk_root, tmp_path):
    _, ours, _ = sides()
    a = tmp_path / "A"
    a.write_text(dump(ours))
    assert merge_files(desk_root, str(tmp_path / "absent"), str(a), str(a), "tickets/HD-abc12345.md") == []
    assert parse(a.read_text()).history == ours.history


def test_kb_articles_keep_the_sections_both_sides_added(desk_root, tmp_path):
    base = "---\ntitle: Printer jams\ntickets: [HD-aaaaaaaa]\n---\n\n## HD-aaaaaaaa\nRollers wear.\n"
    ours = base.replace("[HD-aaaaaaaa]", "[HD-aaaaaaaa, HD-bbbbbbbb]") + "\n## HD-bbbbbbbb\nToner was empty.\n"
    theirs = base.replace("[HD-aaaaaaaa]", "[HD-aaaaaaaa, HD-cccccccc]") + "\n## HD-cccccccc\nTray 2 was open.\n"
    for path in ("kb/printer-jams.md", ""):  # no %P: an old registration; no history: an article
        files = three(tmp_path, base, ours, theirs)
        assert merge_files(desk_root, *files, path) == []
        merged = (tmp_path / "A").read_text()
        assert "Toner was empty." in merged and "Tray 2 was open." in merged
        assert merged.index("HD-bbbbbbbb\nToner") < merged.index("HD-cccccccc\nTray")  # ours first


def _git(root, *args):
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def test_install_driver_registers_it_and_adds_only_the_missing_attributes(desk_root):
    (desk_root / ".gitattributes").write_text("tickets/*.md merge=gitdesk\n")  # a desk from before KB merges
    assert install_driver(desk_root) == ["kb/*.md merge=gitdesk"]
    assert _git(desk_root, "config", "merge.gitdesk.driver") == DRIVER
    info = desk_root / ".git" / "info" / "attributes"
    assert info.read_text().splitlines()[-1] == "kb/*.md merge=gitdesk"
    assert install_driver(desk_root) == []  # nothing twice
    assert _git(desk_root, "check-attr", "merge", "kb/x.md") == "kb/x.md: merge: gitdesk"


def test_install_driver_on_a_current_desk_writes_no_attributes(desk_root):
    assert all(line in (desk_root / ".gitattributes").read_text() for line in ATTRIBUTES)
    info = desk_root / ".git" / "info" / "attributes"
    before = info.read_text() if info.exists() else None
    assert install_driver(desk_root) == []
    assert (info.read_text() if info.exists() else None) == before
