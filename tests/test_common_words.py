"""core/common_words.py: the words too common to identify anyone, and the smaller set never a clue at all."""

from __future__ import annotations

import pytest

from gitdesk.core.common_words import COMMON, GENERIC


def test_generic_words_are_common_too():
    # a word of the trade or of addresses is never scrubbed alone, so it must be in the wider set
    assert GENERIC <= COMMON


def test_every_entry_is_one_lowercase_word():
    # core/scrub.py compares folded tokens; an entry with a space, a capital or punctuation would never match one
    for word in COMMON:
        assert word == word.lower() and word.isalpha(), word


@pytest.mark.parametrize("word", ["office", "sales", "printer", "planta", "oficina", "carrer", "ltd", "street"])
def test_words_of_the_trade_and_of_addresses_are_generic(word):
    assert word in GENERIC


@pytest.mark.parametrize("word", ["sala", "plaza", "plaça"])
def test_everyday_spanish_and_catalan_words_that_are_surnames_are_common_but_not_generic(word):
    # "la sala 3" stays in running text, but "Marta Sala" written as a name is removed
    assert word in COMMON and word not in GENERIC


@pytest.mark.parametrize("word", ["leeds", "madrid", "barcelona", "smith", "whitfield", "tailspin", "contoso"])
def test_places_surnames_and_company_names_are_not_common(word):
    # were one listed, a requester's "Leeds office" or "Dana Whitfield" would leak on the public site
    assert word not in COMMON


def test_short_function_words_are_generic_in_every_list():
    assert {"a", "an", "and", "of", "the", "to", "with"} <= GENERIC
    assert {"del", "los", "les", "per", "para"} <= GENERIC


def test_a_surname_that_is_an_everyday_word_is_removed_where_written_as_a_name():
    from gitdesk.core.scrub import REMOVED, Scrubber

    # "plaza" is an English address word as well; it still may not be generic, or "Luis Plaza" leaks
    scrub = Scrubber.of({"requester": {"name": "Luis Plaza"}})
    assert scrub("Pregunte a Plaza por la plaza 3") == f"Pregunte a {REMOVED} por la plaza 3"
