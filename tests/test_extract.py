"""i18n/extract.py: the syntax-tree extractor finds every marked string, inside f-strings too, in Babel's shape."""

from __future__ import annotations

import io

from babel.messages.extract import DEFAULT_KEYWORDS, extract

from gitdesk.i18n.extract import extract_python_ast

KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "Nn_": (1, 2), "Np_": ((1, "c"), 2)}


def found(source: str, encoding: str = "utf-8", keywords=KEYWORDS):
    return list(extract_python_ast(io.BytesIO(source.encode(encoding)), keywords, (), {"encoding": encoding}))


def test_a_marked_string_inside_an_f_string_is_found():
    # Babel's own tokenizer misses these before Python 3.12: the page would stay English
    source = "html = f\"<h2>{e(tr._('Your survey'))}</h2><p>{tr.ngettext('{n} day', '{n} days', n)}</p>\"\n"
    assert sorted(found(source), key=str) == [
        (1, "_", "Your survey", []),
        (1, "ngettext", ("{n} day", "{n} days", None), []),
    ]


def test_calls_by_attribute_and_by_name_and_only_the_keywords():
    source = "N_('Request opened')\nself._('Hello')\nprint('not marked')\nlog.info('nor this')\n"
    assert [(line, name, args) for line, name, args, _ in found(source)] == [
        (1, "N_", "Request opened"),
        (2, "_", "Hello"),
    ]


def test_a_call_without_a_literal_string_is_left_out():
    assert found("_(message)\n_(f'{x}')\nN_(42)\n") == []


def test_results_come_in_line_order_whatever_the_tree_walk_order():
    source = "x = [\n    _('outer', ),\n]\ndef f():\n    return _('inner')\n_('last')\ny = _(_('nested'))\n"
    assert [line for line, *_ in found(source)] == sorted(line for line, *_ in found(source))
    assert [args for _, _, args, _ in found(source)] == ["outer", "inner", "last", "nested"]


def test_the_files_encoding_is_honoured():
    assert found("# -*- coding: latin-1 -*-\n_('Caf\u00e9 ouvert')\n", encoding="latin-1")[0][2] == "Caf\u00e9 ouvert"


def test_babel_applies_the_keyword_specs_to_what_it_yields():
    source = (
        "from gitdesk.core.marks import N_, Nn_, Np_\n"
        "N_('Work started')\n"
        "Nn_('{n} hour', '{n} hours')\n"
        "Np_('incident', 'Resolved')\n"
        "f\"{tr.pgettext('incident', 'Monitoring')}\"\n"
    )
    messages = list(extract(extract_python_ast, io.BytesIO(source.encode()), KEYWORDS))
    assert [(m[0], m[1], m[3]) for m in messages] == [
        (2, "Work started", None),
        (3, ("{n} hour", "{n} hours"), None),
        (4, "Resolved", "incident"),
        (5, "Monitoring", "incident"),
    ]
