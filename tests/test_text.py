"""intake/text.py: HTML to text, quoted history and signatures cut off, `Key: value` lines, safe text."""

from __future__ import annotations

import pytest

from gitdesk.intake.text import (
    clean_text,
    html_to_text,
    one_line,
    read_fields,
    slack_text,
    strip_quoted,
    strip_signature,
    summary,
)


def test_html_keeps_the_words_and_drops_scripts_styles_and_the_head():
    html = (
        "<html><head><title>Invoice</title><style>p {color: red}</style></head><body>"
        "<p>The printer&nbsp;&amp; scanner</p><script>alert('x')</script>"
        "<ul><li>jams</li><li>smells</li></ul><div>Ada</div></body></html>"
    )
    text = html_to_text(html)
    assert "Invoice" not in text and "color" not in text and "alert" not in text
    assert text.splitlines()[0] == "The printer & scanner"  # entities read, the no-break space a space
    assert "- jams" in text.splitlines() and "- smells" in text.splitlines()
    assert text.endswith("Ada")


def test_html_empty_blocks_leave_at_most_one_blank_line():
    assert html_to_text("<p>a</p><p></p><br><br><br><div></div><p>b</p>") == "a\n\nb"


def test_html_that_the_parser_gives_up_on_keeps_what_it_read():
    assert html_to_text("<p>unclosed <b>bold <![ weird") == "unclosed bold"


@pytest.mark.parametrize(
    "marker",
    [
        "On Mon, 2 Mar 2026 at 10:00, Desk <help@desk.example> wrote:",
        "Am Mo., 2. März 2026 um 10:00 Uhr schrieb Desk <help@desk.example>:",
        "-----Original Message-----",
        "From: Service desk\nSent: Monday, 2 March 2026 10:00",
        "El lun, 2 mar 2026 a las 10:00, Desk <help@desk.example> escribió:",
        "El dl., 2 de març 2026 a les 10:00, Desk va escriure:",
        "De: Service desk\nEnviado el: lunes, 2 de marzo de 2026 10:00",
        "-----Missatge original-----",
    ],
)
def test_quoted_history_is_cut_from_its_marker_on(marker):
    body = f"Still broken after the restart.\n\n{marker}\nWe propose restarting it.\nNew text in the history"
    assert strip_quoted(body) == "Still broken after the restart."


def test_quote_lines_go_but_new_text_between_them_stays():
    assert strip_quoted("It works now.\n> Did it work?\n  > nested\nThanks!") == "It works now.\nThanks!"


def test_a_line_that_merely_mentions_from_is_not_history():
    body = "From: the second floor\nthe printer jams"  # no "Sent:" after it: the customer's own words
    assert strip_quoted(body) == body


@pytest.mark.parametrize("sep", ["-- ", "--"])
def test_signature_is_cut_at_its_separator(sep):
    assert strip_signature(f"Thanks\n{sep}\nAda Lovelace\n+44 20 7946 0000") == "Thanks"


def test_a_dashed_rule_is_not_a_signature():
    assert strip_signature("Steps\n---\n1. restart") == "Steps\n---\n1. restart"


def test_field_lines_the_first_value_wins_and_quotes_do_not_count():
    text = "\n".join(
        [
            "> Model: the quoted one",
            "Model: HP-4000",
            "Device: second device",
            "  LICENSE :  ABC-123  ",
            "Room: 3.14",
            "Location: Floor 2",
            "My account: not a field line",
        ]
    )
    product, location = read_fields(text)
    assert product == {"model": "HP-4000", "licence": "ABC-123"}
    assert location == "3.14"


def test_a_field_value_over_200_characters_is_not_taken():
    assert read_fields("Serial: " + "X" * 250) == ({}, "")


def test_clean_text_strips_escapes_and_controls_and_normalises_line_breaks():
    raw = "a\x1b[31mred\x1b[0m\r\nb\rc\u2028d\x85e\x00f\tg\u202eh\x1b]0;title\x07"
    assert clean_text(raw) == "ared\nb\nc\nd\nef\tgh"  # tab stays: it is text
    assert clean_text(None) == ""  # type: ignore[arg-type]


def test_one_line_cannot_smuggle_a_header_or_an_escape():
    raw = "Printer\r\nBcc: evil@example.com\x1b]0;owned\x07 \u202e  jams"
    assert one_line(raw) == "Printer Bcc: evil@example.com jams"


def test_one_line_is_bounded_with_an_ellipsis_inside_the_limit():
    cut = one_line("word " * 100, 20)
    assert len(cut) <= 20 and cut.endswith("…") and not cut[:-1].endswith(" ")
    assert one_line("exactly ten", 11) == "exactly ten"


def test_slack_markup_reads_as_a_person_wrote_it():
    text = (
        "<@U1> <@U2> <@U3|bob> <#C1|general> <#C2> <!here> <https://x.example|docs> <https://y.example> "
        "<mailto:ada@example.com|ada@example.com> <https://z.example|https://z.example>"
    )
    assert slack_text(text, {"U1": "ada"}) == (
        "@ada @U2 @bob #general #C2 @here docs (https://x.example) https://y.example ada@example.com https://z.example"
    )


@pytest.mark.parametrize(
    "markup, read",
    [("<!subteam^S0TR1SJKX|@imps>", "@imps"), ("<!subteam^S0TR1SJKX>", "@subteam"), ("<!here|@here>", "@here")],
)
def test_slack_group_and_special_mentions_get_one_at_sign(markup, read):
    """Slack labels a user-group mention with its handle, "@" included: `@@imps` is not what anyone wrote."""
    assert slack_text(f"FYI {markup} the printer") == f"FYI {read} the printer"


def test_slack_escapes_are_undone_once_and_typed_brackets_are_not_mentions():
    # the customer typed "&lt;" and "<@U1>" literally: Slack escaped them, and they must read as typed
    assert slack_text("a &amp;lt; b &lt;@U1&gt; &amp; c", {"U1": "ada"}) == "a &lt; b <@U1> & c"


def test_summary_is_trimmed_and_bounded():
    assert summary("  short  ") == "short"
    assert summary("y" * 10, 5) == "yyyy…"
