"""gitdesk.yml as last parsed: used only for the very same text, and never instead of an error."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from gitdesk.core.config import parse_text
from gitdesk.errors import MalformedTicket
from gitdesk.store.parsed_config import FILE, parsed

TEXT = """\
prefix: HD
calendar:
  holidays: [2026-12-25, 2027-01-01]   # dates, as YAML types them
  timezone: Europe/Madrid
review: {customer: required}
noted: 2026-12-01T10:00:00+01:00
1: a number as a key
"""


def counting(calls):
    def parse(text):
        calls.append(text)
        return parse_text(text)

    return parse


def test_the_stored_mapping_is_the_parsed_one_dates_included(tmp_path):
    calls = []
    first = parsed(tmp_path, TEXT, counting(calls))
    again = parsed(tmp_path, TEXT, counting(calls))
    assert again == first == parse_text(TEXT)
    assert calls == [TEXT]  # parsed once
    assert again["calendar"]["holidays"] == [dt.date(2026, 12, 25), dt.date(2027, 1, 1)]
    assert again["noted"] == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert again[1] == "a number as a key"


def test_another_text_is_parsed_afresh(tmp_path):
    parsed(tmp_path, TEXT, parse_text)
    changed = TEXT.replace("Europe/Madrid", "Europe/Lisbon")
    assert parsed(tmp_path, changed, parse_text)["calendar"]["timezone"] == "Europe/Lisbon"
    assert parsed(tmp_path, TEXT, parse_text)["calendar"]["timezone"] == "Europe/Madrid"


@pytest.mark.parametrize("junk", [b"", b"\x00garbage", b"\xe3\x02\x00\x00\x00"])
def test_an_unreadable_file_costs_one_parse(tmp_path, junk):
    (tmp_path / FILE).write_bytes(junk)
    calls = []
    assert parsed(tmp_path, TEXT, counting(calls)) == parse_text(TEXT)
    assert calls == [TEXT]


def test_a_broken_file_raises_every_time_and_is_not_stored(tmp_path):
    for _ in range(2):
        with pytest.raises(MalformedTicket):
            parsed(tmp_path, "prefix: [unclosed\n", parse_text)
    assert not (tmp_path / FILE).exists()


def test_show_on_a_desk_whose_config_was_parsed_before_never_imports_pyyaml(desk_root, open_ticket, cli_invoke):
    tid = open_ticket("VPN drops")
    cli_invoke("show", tid)  # parses gitdesk.yml once and keeps it
    code = (
        "import sys; from gitdesk.cli.main import cli; "
        f"cli.main(['--desk', {str(desk_root)!r}, 'show', {tid!r}], standalone_mode=False); "
        "print('yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"
