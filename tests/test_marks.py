"""core/marks.py: the markers extraction looks for hand the message back untouched, for a face to translate."""

from __future__ import annotations

from gitdesk.core.marks import N_, Nn_, Np_
from gitdesk.i18n.translator import Translator


def test_n_returns_the_very_message_placeholders_and_all():
    message = "Hello {name}, your request {id} is open"
    assert N_(message) is message
    assert N_(message).format(name="Bob", id="HD-1") == "Hello Bob, your request HD-1 is open"


def test_nn_is_the_singular_and_plural_pair_in_that_order():
    assert Nn_("{n} day", "{n} days") == ("{n} day", "{n} days")
    singular, plural = Nn_("{n} hour", "{n} hours")
    assert Translator("en").ngettext(singular, plural, 1) == "1 hour"
    assert Translator("en").ngettext(singular, plural, 3) == "3 hours"


def test_np_keeps_the_message_not_its_context():
    assert Np_("incident", "Resolved") == "Resolved"
    # the face passes both to pgettext: the context picks the translation, the message is what is shown untranslated
    assert Translator("en").pgettext("incident", Np_("incident", "Resolved")) == "Resolved"


def test_a_marked_core_word_is_translated_only_by_the_face():
    from gitdesk.core.lifecycle import STATUS_TEXT

    english = STATUS_TEXT["closed"]
    assert english == "This request is closed."  # the core holds the English words, never a translation
    assert Translator("es")._(english) not in ("", english)
