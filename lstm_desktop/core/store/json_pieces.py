"""json.loads in pieces: the top-level object's members one at a time, and the items of any top-level member that is
a list (a project's runs) one at a time, an item that is an object a member at a time, and so its members that are
objects, three levels down. The result is what json.loads returns; such an item that has members named to keep also
keeps the text they were parsed from (a `SourcedDict`).

Why: the C parser holds the interpreter lock for the whole text. Opening a project of 100 runs parsed 27 MB in one
call that held it for 350-630 ms, and the window's GUI thread, which needs the lock for every Python callback,
froze for as long. Parsed in pieces, the lock is held for about 1 ms at once and other threads get it in between.
What json.loads shares between pieces, and these calls cannot, is its memo of object keys: a key is a new string in
each piece (`extra_key_memory` bounds what that costs, for the caller's memory budget).

Why the source: a run's report is kept as JSON text for saving (project.StoredRun.report_json). Encoding it again
after parsing took 6.5 ms a report, twice its parsing, and held the interpreter lock as long; its text is at hand.
"""

from __future__ import annotations

import json
import re
from typing import Any

_DECODER = json.JSONDecoder()  # the same as json.loads uses: NaN and Infinity accepted
_SPACE = re.compile(r"[ \t\n\r]*")
_KEY_COST = 80  # bytes a key string can take: its header and up to 16 characters (longer keys counted apart)
# Object levels cut below a list item: a run's report, its members and theirs. One call parsed a 286 KB report in
# 3-7 ms (up to 20 with a garbage collection) and held the lock as long; cut, the longest call takes about 1 ms.
_LEVELS = 3
_SOURCE_COST = 400  # bytes an object's kept text takes beyond its characters: string header, `sources`, slot


def _skip(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()


def _expect(text: str, at: int, what: str) -> None:
    if not text.startswith(what, at):
        raise json.JSONDecodeError(f"Expecting '{what}' delimiter", text, at)


class SourcedDict(dict):
    """A parsed JSON object that also keeps the text some of its members' values were parsed from (`sources`)."""

    __slots__ = ("sources",)

    def __init__(self, members: dict, sources: dict[str, str]) -> None:
        super().__init__(members)
        self.sources = sources


def _object_in_pieces(text: str, at: int, keep: tuple[str, ...], top: bool, levels: int = 0) -> tuple[dict, int]:
    """The object starting at `at` ('{'), member by member, and the index after it. At the top level its list
    members are parsed item by item; below it, the text of the members named in `keep` is kept: the object is then
    a SourcedDict (only then: a plain dict costs less). Members that are objects are cut the same way `levels`
    deep."""
    result: dict[str, Any] = {}
    sources: dict[str, str] = {}
    at = _skip(text, at + 1)
    if text.startswith("}", at):
        return result, at + 1
    while True:
        if not text.startswith('"', at):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
        key, at = _DECODER.raw_decode(text, at)
        at = _skip(text, at)
        _expect(text, at, ":")
        start = at = _skip(text, at + 1)
        if top and text.startswith("[", at):
            value, at = _list_in_pieces(text, at, keep)
        elif levels and text.startswith("{", at):
            value, at = _object_in_pieces(text, at, (), False, levels - 1)
        else:
            value, at = _DECODER.raw_decode(text, at)
        result[key] = value
        if key in keep and not top:
            sources[key] = text[start:at]
        at = _skip(text, at)
        if text.startswith("}", at):
            return _sourced(result, sources), at + 1
        _expect(text, at, ",")
        at = _skip(text, at + 1)


def _sourced(result: dict, sources: dict[str, str]) -> dict:
    return SourcedDict(result, sources) if sources else result


def _list_in_pieces(text: str, at: int, keep: tuple[str, ...]) -> tuple[list, int]:
    """The list starting at `at` ('['), item by item (an object a member at a time); and the index after it."""
    items: list = []
    at = _skip(text, at + 1)
    if text.startswith("]", at):
        return items, at + 1
    while True:
        if text.startswith("{", at):
            item, at = _object_in_pieces(text, at, keep, False, _LEVELS)
        else:
            item, at = _DECODER.raw_decode(text, at)
        items.append(item)
        at = _skip(text, at)
        if text.startswith("]", at):
            return items, at + 1
        _expect(text, at, ",")
        at = _skip(text, at + 1)


def loads_in_pieces(text: str, keep: tuple[str, ...] = ()) -> Any:
    """json.loads(text), parsed a top-level member (and an item of a top-level list) at a time. An item that is
    an object and has members named in `keep` is a SourcedDict with their text."""
    at = _skip(text, 0)
    if not text.startswith("{", at):
        return json.loads(text)  # not an object: nothing to cut
    result, at = _object_in_pieces(text, at, keep, top=True)
    at = _skip(text, at)
    if at != len(text):
        raise json.JSONDecodeError("Extra data", text, at)
    return result


def extra_key_memory(members: int, long_key_bytes: int, width: int) -> int:
    """An upper bound of the memory parsing in pieces takes beyond json.loads: every object member's key a string
    of its own (`members` of them, `long_key_bytes` bytes in keys longer than 16, `width` bytes a character)."""
    return members * (_KEY_COST + 16 * (width - 1)) + long_key_bytes * width


def kept_memory(objects: int, characters: int, width: int) -> int:
    """An upper bound of the memory the kept texts take: at most `objects` objects keep some, their `characters`
    at most the whole text's, at `width` bytes a character."""
    return objects * _SOURCE_COST + characters * width
