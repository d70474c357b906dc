"""json.loads in pieces: the top-level object's members one at a time, and the items of a member that is a list
(a project's runs) one at a time. The result is what json.loads returns.

Why: the C parser holds the interpreter lock for the whole text. Opening a project of 100 runs parsed 27 MB in one
call that held it for 350-630 ms, and the window's GUI thread, which needs the lock for every Python callback,
froze for as long. Parsed a run at a time, the lock is held for about 3 ms at once and other threads get it in
between. What json.loads shares between pieces, and these calls cannot, is its memo of object keys: a key is a new
string in each piece (`extra_key_memory` bounds what that costs, for the caller's memory budget).
"""

from __future__ import annotations

import json
import re
from typing import Any

_DECODER = json.JSONDecoder()  # the same as json.loads uses: NaN and Infinity accepted
_SPACE = re.compile(r"[ \t\n\r]*")
_KEY_COST = 80  # bytes a key string can take: its header and up to 16 characters (longer keys counted apart)


def _skip(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()


def _expect(text: str, at: int, what: str) -> None:
    if not text.startswith(what, at):
        raise json.JSONDecodeError(f"Expecting '{what}' delimiter", text, at)


def _list_in_pieces(text: str, at: int) -> tuple[list, int]:
    """The list starting at `at` ('['), item by item; and the index after it."""
    items: list = []
    at = _skip(text, at + 1)
    if text.startswith("]", at):
        return items, at + 1
    while True:
        item, at = _DECODER.raw_decode(text, at)
        items.append(item)
        at = _skip(text, at)
        if text.startswith("]", at):
            return items, at + 1
        _expect(text, at, ",")
        at = _skip(text, at + 1)


def loads_in_pieces(text: str) -> Any:
    """json.loads(text), parsed a top-level member (and an item of a top-level list) at a time."""
    at = _skip(text, 0)
    if not text.startswith("{", at):
        return json.loads(text)  # not an object: nothing to cut
    result: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text.startswith("}", at):
        at += 1
    else:
        while True:
            if not text.startswith('"', at):
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
            key, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            _expect(text, at, ":")
            at = _skip(text, at + 1)
            if text.startswith("[", at):
                value, at = _list_in_pieces(text, at)
            else:
                value, at = _DECODER.raw_decode(text, at)
            result[key] = value
            at = _skip(text, at)
            if text.startswith("}", at):
                at += 1
                break
            _expect(text, at, ",")
            at = _skip(text, at + 1)
    at = _skip(text, at)
    if at != len(text):
        raise json.JSONDecodeError("Extra data", text, at)
    return result


def extra_key_memory(members: int, long_key_bytes: int, width: int) -> int:
    """An upper bound of the memory parsing in pieces takes beyond json.loads: every object member's key a string
    of its own (`members` of them, `long_key_bytes` bytes in keys longer than 16, `width` bytes a character)."""
    return members * (_KEY_COST + 16 * (width - 1)) + long_key_bytes * width
