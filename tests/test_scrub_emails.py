"""The site's e-mail scrubber: the same answers as the address pattern, found in linear time
(bench/scrubber.py times a 250 KB single-line body; here only the behaviour is checked)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gitdesk.site.privacy import _EMAIL, REMOVED, Scrubber, scrub_emails


@settings(max_examples=2000)
@given(st.text(alphabet="ab.-+_@ é1!\n", max_size=40))
def test_same_as_the_pattern(text):
    assert scrub_emails(text) == _EMAIL.sub(REMOVED, text)


def test_addresses_are_removed_wherever_they_sit():
    text = "mail a.b+c@ex-ample.co.uk, or x@y.z+w@v.org; not me@home or @x.org."
    assert scrub_emails(text) == "mail [removed], or [removed][removed]; not me@home or @x.org."


def test_a_long_single_line_body_is_scrubbed_whole():
    body = "a." * 125_000 + " write to bob@example.com"
    out = Scrubber()(body)
    assert out.endswith(" write to [removed]") and out.startswith("a.a.")
