"""core/ids.py: the ID and KB slug patterns every layer matches with, and the canonical spelling."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gitdesk.core.ids import ID_PATTERN, SLUG_PATTERN, canonical, id_pattern, is_slug
from gitdesk.store.files import new_id

SCHEMAS = Path(__file__).resolve().parent.parent / "src" / "gitdesk" / "site" / "theme" / "schema"


def test_a_fresh_id_matches_the_pattern_and_is_canonical():
    for _ in range(50):
        made = new_id("HD")
        assert re.fullmatch(ID_PATTERN, made) and canonical(made) == made
        assert re.fullmatch(id_pattern("HD"), made) and not re.fullmatch(id_pattern("IT"), made)


@pytest.mark.parametrize("ref, expected", [("hd-4F7K2M9Q", "HD-4f7k2m9q"), (" 4F7K ", "4f7k"), ("it-ab12", "IT-ab12")])
def test_canonical(ref, expected):
    assert canonical(ref) == expected


def test_the_sites_ticket_schema_spells_the_same_id():
    schema = json.loads((SCHEMAS / "ticket.schema.json").read_text())
    assert schema["properties"]["id"]["pattern"] == f"^{ID_PATTERN}$"


@pytest.mark.parametrize(
    "slug, ok",
    [("printer-jams", True), ("a", True), ("-x", False), ("Printer", False), ("a" * 81, False), ("x/y", False)],
)
def test_slugs(slug, ok):
    assert is_slug(slug) is ok and (re.fullmatch(SLUG_PATTERN, slug) is not None) is ok
