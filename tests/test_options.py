"""cli/options.py: the shared options, each closed set read from the library's one list of it."""

from __future__ import annotations

import click
import pytest

from gitdesk.cli import options
from gitdesk.core import actions, survey
from gitdesk.core.ticket import CHANNELS, PRIORITIES, VISIBILITIES


def test_every_choice_is_the_librarys_list():
    assert tuple(options.PRIORITY.choices) == PRIORITIES and options.PRIORITY.case_sensitive is False
    assert tuple(options.CHANNEL.choices) == CHANNELS
    assert tuple(options.VISIBILITY.choices) == VISIBILITIES
    assert tuple(options.CONTACT_VIA.choices) == actions.CONTACT_VIA
    assert tuple(options.UPDATES.choices) == actions.UPDATES
    assert tuple(options.YES_NO.choices) == survey.YES_NO
    assert tuple(options.TIME_ANSWER.choices) == survey.TIME_ANSWERS


def test_json_flag_is_one_declaration():
    @click.command()
    @options.json_flag("the list")
    def listing(as_json):
        click.echo(repr(as_json))

    from click.testing import CliRunner

    assert CliRunner().invoke(listing, ["--json"]).output == "True\n"
    assert "Print the list as JSON." in CliRunner().invoke(listing, ["--help"]).output


def test_key_values():
    assert options.key_values(("Model = HP ", "account=AC=1"), "--product") == {"model": "HP", "account": "AC=1"}
    for bad in ("novalue", "=x"):
        with pytest.raises(click.BadParameter):
            options.key_values((bad,), "--product")


def test_read_body(tmp_path, monkeypatch):
    import io

    assert options.read_body("text", None) == "text" and options.read_body(None, None) == ""
    (tmp_path / "b.md").write_text("from a file\n", encoding="utf-8")
    assert options.read_body(None, str(tmp_path / "b.md")) == "from a file\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("from stdin"))
    assert options.read_body("-", None) == "from stdin"
    with pytest.raises(click.UsageError, match="not both"):
        options.read_body("a", str(tmp_path / "b.md"))
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(click.BadParameter, match="not UTF-8"):
        options.read_body(None, str(tmp_path / "bin"))
