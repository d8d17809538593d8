"""core/scrub.py: the personal values a ticket holds (now and in its history) are removed from free text.

The edit cases run the real CLI on a real git desk, so the history they scrub is the one
`gitdesk edit` and `--include-edits` actually write.
"""

from __future__ import annotations

import json

from gitdesk.core.scrub import REMOVED, Scrubber, personal_values

OLD = "Quentin Zorblax <quentin@zorbhouse.example>"
NEW = "Ann Lee <ann@example.com>"


def _ticket(cli_invoke, desk_root, ref: str):
    from gitdesk.desk.facade import Desk

    return Desk(desk_root).get(ref)


def test_old_requester_and_location_stay_scrubbed_after_an_edit(cli_invoke, desk_root):
    out = cli_invoke("new", "Printer jams", "--requester", OLD, "--location", "Vexmoor office", "--json")
    ref = json.loads(out.stdout)["id"]
    cli_invoke("edit", ref, "--requester", NEW, "--location", "Floor 4", "--phone", "0161 496 0000")
    cli_invoke("edit", ref, "--phone", "0161 496 0999")
    t = _ticket(cli_invoke, desk_root, ref)
    assert t.meta["requester"]["name"] == "Ann Lee"  # the edit did land
    scrub = Scrubber.of(t.meta)
    text = "Quentin Zorblax from the Vexmoor office, quentin, Zorblax; Ann Lee on 0161 496 0000 and 0161 496 0999."
    out = scrub(text)
    for leak in ("Quentin", "Zorblax", "quentin", "Vexmoor", "Ann Lee", "0161"):
        assert leak not in out, out
    assert {"Quentin Zorblax", "Vexmoor office", "0161 496 0000"} <= personal_values(t.meta)


def test_a_hand_edit_taken_in_keeps_the_old_name_scrubbed(cli_invoke, desk_root):
    out = cli_invoke("new", "Printer jams", "--requester", OLD, "--json")
    ref = json.loads(out.stdout)["id"]
    path = next((desk_root / "tickets").glob(f"{ref}*.md"))
    path.write_text(path.read_text(encoding="utf-8").replace("Quentin Zorblax", "Ann Lee"), encoding="utf-8")
    cli_invoke("note", ref, "renamed by hand", "--include-edits")
    t = _ticket(cli_invoke, desk_root, ref)
    assert t.meta["requester"]["name"] == "Ann Lee"
    assert Scrubber.of(t.meta)("Thanks, Zorblax and Quentin Zorblax") == f"Thanks, {REMOVED} and {REMOVED}"


def test_a_description_gist_in_an_edit_is_no_personal_value():
    meta = {"history": [{"action": "edit", "changes": {"description": {"from": "Printer jams", "to": "x"}}}]}
    assert Scrubber.of(meta)("Printer jams again") == "Printer jams again"
