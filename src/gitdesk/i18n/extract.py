"""A Babel extraction method that reads the syntax tree, so marked strings inside f-strings count too.

Babel's own Python extractor works on tokens, and before Python 3.12 an f-string is
one token: `f"<h2>{e(tr._('Your survey'))}</h2>"` would be missed and the page would
stay English with every test green. babel.cfg names this method instead.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def extract_python_ast(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """(line, function, arguments, comments) for every call named by a keyword; Babel applies the spec."""
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    found: list[tuple[int, str, Any, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node) in keywords:
            args = tuple(
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args
            )
            if any(args):
                found.append((node.lineno, _name(node), args if len(args) > 1 else args[0], []))
    yield from sorted(found, key=lambda item: item[0])
