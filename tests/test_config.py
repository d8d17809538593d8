"""core/config.py: gitdesk.yml validated once at the edge, every refusal naming its dotted key."""

from __future__ import annotations

import dataclasses
import os

import pytest

from gitdesk.core.config import (
    DEFAULT_PRIORITIES,
    Queue,
    expect,
    from_mapping,
    human_size,
    load,
    parse_size,
)
from gitdesk.errors import ConfigError


def refused(raw) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        from_mapping(raw)
    assert str(err.value).startswith(f"gitdesk.yml: {err.value.key}: ")
    return err.value


def test_an_empty_file_is_the_default_desk():
    config = from_mapping(None)
    assert config == from_mapping({})
    assert (config.prefix, config.tiers, config.title, config.language) == ("HD", 3, "Service desk", "en")
    assert config.queue_names() == ["service-desk"] and config.default_queue == "service-desk"
    assert list(config.priorities) == ["P1", "P2", "P3", "P4"]
    assert config.priorities["P1"].calendar == "24x7" and config.priorities["P4"].calendar == "business"
    assert config.priorities["P2"].response.seconds() == 4 * 3600


def test_the_config_is_frozen_and_keeps_sections_it_does_not_own():
    config = from_mapping({"mail": {"from": "desk@example.com"}, "calendar": {"timezone": "Europe/Madrid"}})
    assert config.section("mail") == {"from": "desk@example.com"} and config.section("intake") == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.prefix = "XX"  # type: ignore[misc]
    with pytest.raises(ConfigError) as err:
        from_mapping({"mail": "desk@example.com"}).section("mail")
    assert err.value.key == "mail"


@pytest.mark.parametrize(
    "prefix,expected", [("ops", "OPS"), ("H", "H"), ("Desk2", "DESK2"), ("A123456789", "A123456789")]
)
def test_the_prefix_is_upper_cased(prefix, expected):
    assert from_mapping({"prefix": prefix}).prefix == expected


@pytest.mark.parametrize("prefix", ["1HD", "H-D", "HD_", "", "A1234567890", "HÉ"])
def test_a_bad_prefix_is_refused(prefix):
    assert refused({"prefix": prefix}).key == "prefix"


@pytest.mark.parametrize("tiers", [0, 10, True, "3", 2.0, None])
def test_tiers_is_a_whole_number_from_1_to_9(tiers):
    assert refused({"tiers": tiers}).key == "tiers"
    assert from_mapping({"tiers": 1}).tiers == 1 and from_mapping({"tiers": 9}).tiers == 9


def test_queues_as_a_list_a_mapping_or_name_to_description():
    assert from_mapping({"queues": ["network", "hardware"]}).queue_names() == ["network", "hardware"]
    config = from_mapping({"queues": {"network": "Switches and wifi", "desk": None}, "default_queue": "desk"})
    assert config.queues == (Queue("network", "Switches and wifi"), Queue("desk", ""))
    assert config.default_queue == "desk"


@pytest.mark.parametrize(
    "raw,key",
    [
        ({"queues": {"Service Desk": {}}}, "queues.Service Desk"),
        ({"queues": ["-dash-first"]}, "queues.-dash-first"),
        ({"queues": {}}, "queues"),
        ({"queues": []}, "queues"),
        ({"queues": "network"}, "queues"),
        ({"queues": {"network": ["a", "list"]}}, "queues.network"),
        ({"queues": ["network"], "default_queue": "service-desk"}, "default_queue"),
    ],
)
def test_bad_queues_name_their_key(raw, key):
    assert refused(raw).key == key


def _priorities(**changes):
    table = {name: dict(spec) for name, spec in DEFAULT_PRIORITIES.items()}
    for name, spec in changes.items():
        if spec is None:
            del table[name]
        else:
            table[name].update(spec)
    return table


@pytest.mark.parametrize(
    "table,key",
    [
        (_priorities(P4=None), "priorities.P4"),
        ({**_priorities(), "P5": dict(DEFAULT_PRIORITIES["P4"])}, "priorities.P5"),
        (_priorities(P2={"calendar": "weekdays"}), "priorities.P2.calendar"),
        (_priorities(P2={"response": "soon"}), "priorities.P2.response"),
        (_priorities(P3={"checkin": -1}), "priorities.P3.checkin"),
        ({**_priorities(), "P1": "fast"}, "priorities.P1"),
        ([1, 2, 3, 4], "priorities"),
    ],
)
def test_bad_priorities_name_their_key(table, key):
    assert refused({"priorities": table}).key == key


def test_each_priority_needs_its_criteria_and_three_targets():
    for needed in ("criteria", "response", "resolution", "checkin"):
        table = _priorities()
        del table["P3"][needed]
        assert refused({"priorities": table}).key == f"priorities.P3.{needed}"


def test_a_priority_keeps_its_own_extra_settings():
    config = from_mapping({"priorities": _priorities(P1={"page": "on-call"})})
    assert config.priorities["P1"].raw["page"] == "on-call"


@pytest.mark.parametrize(
    "value,size",
    [
        (2048, 2048),
        (0, 0),
        ("10MB", 10 * 1024**2),
        ("512k", 512 * 1024),
        (" 1.5 kb ", 1536),
        ("3 GB", 3 * 1024**3),
        ("7", 7),
    ],
)
def test_parse_size(value, size):
    assert parse_size(value, "limits.ticket_file") == size


@pytest.mark.parametrize("value", [-5, "-1MB", True, False, "ten", "5 TB", "1e6", None, "MB"])
def test_parse_size_refuses_what_is_not_a_size(value):
    with pytest.raises(ConfigError) as err:
        parse_size(value, "intake.max_message")
    assert err.value.key == "intake.max_message"


@pytest.mark.parametrize(
    "n,text",
    [
        (10, "10 bytes"),
        (1023, "1023 bytes"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (16 * 1024**2, "16.0 MB"),
        (3 * 1024**4, "3072.0 GB"),
    ],
)
def test_human_size(n, text):
    assert human_size(n) == text


def test_expect_does_not_take_a_bool_for_a_number():
    assert expect(3, int, "tiers", "a number") == 3
    assert expect(True, bool, "intake.enabled", "true or false") is True
    with pytest.raises(ConfigError, match="must be a number, not bool True"):
        expect(True, int, "tiers", "a number")


def test_load_reads_the_desks_file_and_a_missing_one_is_the_default(tmp_path):
    assert load(tmp_path) == from_mapping({})
    (tmp_path / "gitdesk.yml").write_text("prefix: ops\ntiers: 2\n")
    assert (load(tmp_path).prefix, load(tmp_path).tiers) == ("OPS", 2)
    seen = []
    assert load(tmp_path, parse=lambda text: seen.append(text) or {"prefix": "X"}).prefix == "X"
    assert seen == ["prefix: ops\ntiers: 2\n"]


def test_load_names_the_line_of_bad_yaml(tmp_path):
    (tmp_path / "gitdesk.yml").write_text("prefix: HD\ntiers: [2\n")
    with pytest.raises(ConfigError) as err:
        load(tmp_path)
    assert err.value.key.startswith("line ") and "Traceback" not in str(err.value)


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_load_never_opens_what_is_not_a_regular_file(tmp_path, kind):
    path = tmp_path / "gitdesk.yml"
    path.mkdir() if kind == "directory" else os.mkfifo(path)  # a FIFO would block the command on open
    with pytest.raises(ConfigError, match="not a regular file"):
        load(tmp_path)


def test_a_top_level_that_is_not_a_mapping_is_refused():
    assert refused(["prefix", "HD"]).key == "(top level)"
