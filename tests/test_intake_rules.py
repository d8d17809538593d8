"""intake/rules.py: the `intake:` section validated once, routing rules, staff addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gitdesk.core.config import from_mapping
from gitdesk.errors import ConfigError
from gitdesk.intake.rules import IntakeSettings, Rule, settings

QUEUES = ["service-desk", "network", "hardware"]


def intake(section: Any, **top: Any) -> IntakeSettings:
    return settings(from_mapping({"queues": QUEUES, "intake": section, **top}))


def test_no_section_is_the_defaults():
    got = settings(from_mapping({}))
    assert got == IntakeSettings()
    assert got.max_attachment == 10 * 1024 * 1024 and got.reply_to_closed == "reopen" and got.rules == ()


def test_sizes_durations_and_addresses_are_read_into_their_units():
    got = intake(
        {
            "address": "Help@Desk.Example",
            "max_attachment": "512KB",
            "max_attachments_total": "2MB",
            "max_body": 1000,
            "reopen_within": "2d",
            "ack_max_age": "1h",
            "acks_per_hour": 0,
        }
    )
    assert got.addresses == ("help@desk.example",)
    assert (got.max_attachment, got.max_attachments_total, got.max_body) == (512 * 1024, 2 * 1024 * 1024, 1000)
    assert (got.reopen_within, got.ack_max_age, got.acks_per_hour) == (2 * 86400, 3600, 0)


@pytest.mark.parametrize(
    "section, key, problem",
    [
        ({"maxbody": 1}, "intake.maxbody", "unknown key"),
        ({"address": ["ok@x.example", 3]}, "intake.address", "must be a string or a list of strings"),
        ({"address": "  "}, "intake.address", "must be a string or a list of strings"),
        ({"max_title": 19}, "intake.max_title", "must be a whole number from 20"),
        ({"max_attachments": True}, "intake.max_attachments", "must be a whole number from 1"),
        ({"max_attachments": 0}, "intake.max_attachments", "must be a whole number from 1"),
        ({"acks_per_hour": -1}, "intake.acks_per_hour", "must be a whole number from 0"),
        ({"max_attachment": "huge"}, "intake.max_attachment", "is not a size"),
        ({"reply_to_closed": "ignore"}, "intake.reply_to_closed", "'ignore' is not one of reopen, new-ticket, flag"),
        ({"spool": 5}, "intake.spool", "must be a directory path"),
        ({"routes": {"keyword": "x"}}, "intake.routes", "must be a list of rules"),
        ({"routes": ["vpn"]}, "intake.routes[0]", "must be a mapping"),
        ({"routes": [{"queue": "network"}]}, "intake.routes[0]", "a rule needs at least one of"),
        ({"routes": [{"to": [], "queue": "network"}]}, "intake.routes[0]", "a rule needs at least one of"),
        ({"routes": [{"keyword": "vpn", "queue": "nowhere"}]}, "intake.routes[0].queue", "'nowhere' is not one of"),
        ({"routes": [{"keyword": "vpn", "queue": "network", "when": 1}]}, "intake.routes[0].when", "unknown key"),
        ({"routes": [{"product": "hp", "queue": "network"}]}, "intake.routes[0].product", "must be a mapping"),
        ({"routes": [{"keyword": "", "queue": "network"}]}, "intake.routes[0].keyword", "must be a string"),
        ({"staff": ["@localhost"]}, "intake.staff", "is not an address or @domain"),
        ({"staff": ["two words@x.example"]}, "intake.staff", "is not an address or @domain"),
    ],
)
def test_a_bad_setting_names_its_key(section, key, problem):
    with pytest.raises(ConfigError) as caught:
        intake(section)
    assert caught.value.key == key and problem in caught.value.problem


def test_the_section_itself_must_be_a_mapping():
    with pytest.raises(ConfigError) as caught:
        intake(["address"])
    assert caught.value.key == "intake"


def test_routes_first_match_wins_and_nothing_matching_is_the_default_queue():
    got = intake(
        {
            "routes": [
                {"keyword": ["vpn", "wifi"], "queue": "network"},
                {"to": "Printers@Desk.Example", "queue": "hardware"},
                {"keyword": "printer", "queue": "network"},  # never reached for printer mail sent to printers@
            ]
        },
        default_queue="service-desk",
    )
    config = from_mapping({"queues": QUEUES})
    assert got.route(config, ["printers@desk.example"], "The printer jams", {}, "email") == "hardware"
    assert got.route(config, ["help@desk.example"], "The printer jams", {}, "email") == "network"
    assert got.route(config, ["printers@desk.example"], "VPN down", {}, "email") == "network"
    assert got.route(config, [], "Password reset", {}, "email") == "service-desk"


@pytest.mark.parametrize(
    "text, hit",
    [
        ("The VPN drops", True),
        ("vpn.", True),
        ("(VPN)", True),
        ("my vpnclient crashes", False),  # a keyword is a whole word ...
        ("openvpn", False),
        ("c++ compiler", True),  # ... and is matched literally, not as a pattern
    ],
)
def test_keywords_are_whole_words_any_case(text, hit):
    rule = Rule("network", keywords=("vpn", "c++"))
    assert rule.matches([], text, {}, "email") is hit


def test_every_condition_a_rule_names_must_hold():
    rule = Rule("hardware", to=("printers@desk.example",), keywords=("jam",), product=(("model", "HP-*"),))
    assert rule.matches(["Printers@Desk.Example"], "paper jam", {"model": "hp-m404"}, "email")  # any case
    assert not rule.matches(["help@desk.example"], "paper jam", {"model": "HP-M404"}, "email")
    assert not rule.matches(["printers@desk.example"], "it smokes", {"model": "HP-M404"}, "email")
    assert not rule.matches(["printers@desk.example"], "paper jam", {"model": "Kyocera"}, "email")
    assert not rule.matches(["printers@desk.example"], "paper jam", {}, "email")  # no model given


def test_a_channel_rule_and_product_rules_read_from_config():
    got = intake({"routes": [{"channel": ["slack", "github"], "product": {"Model": "dell-*"}, "queue": "hardware"}]})
    [rule] = got.rules
    assert rule.product == (("model", "dell-*"),)  # keys lowercased, the way intake reads field lines
    assert rule.matches([], "", {"model": "Dell-U2720Q"}, "slack")
    assert not rule.matches([], "", {"model": "Dell-U2720Q"}, "email")


def test_staff_addresses_domains_and_names():
    got = intake({"staff": {"Ada@Desk.Example": "Ada Tech", "it.example": None, "bob@contractor.example": ""}})
    assert got.staff == (("ada@desk.example", "Ada Tech"), ("@it.example", ""), ("bob@contractor.example", ""))
    assert got.technician("ADA@desk.example") == "Ada Tech"
    assert got.technician("carl@it.example") == "carl"  # unnamed staff: their mailbox name
    assert got.technician("bob@contractor.example") == "bob"
    assert got.technician("eve@evil-it.example") is None  # a look-alike domain is a customer
    assert got.technician("eve@sub.it.example") is None
    assert got.technician("dana@example.com") is None


def test_the_spool_is_under_the_desk_when_configured_else_in_the_state_dir(tmp_path: Path):
    root, state = tmp_path / "desk", tmp_path / "desk" / ".git" / "gitdesk"
    assert intake({}).spool_dir(root, state) == state / "spool"
    assert intake({"spool": "var/spool"}).spool_dir(root, state) == root / "var" / "spool"
