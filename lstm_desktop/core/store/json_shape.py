"""Measuring a JSON text before parsing it: its nesting depth and an upper bound of the memory json.loads will
take, counted from its bytes with numpy and no recursion, so a hostile project.json (nested a million deep, or
millions of tiny containers) is refused before it costs anything."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CHUNK = 2**20  # bytes scanned at a time
MAX_JSON_DEPTH = 64  # project.json nests ~6 levels; deeper is hostile and would overflow recursive code


# Upper bounds, in bytes, of what json.loads builds for each token (64-bit CPython, measured): an empty dict or list
# and its slot; a number and its slot; a string's header; a dict member; a key seen for the first time (its string
# and json's memo entry); and per byte of a key longer than the 16 bytes that tell keys apart below.
_OPEN_COST, _VALUE_COST, _STRING_COST, _MEMBER_COST, _NEW_KEY_COST, _LONG_KEY_COST = 80, 48, 64, 48, 160, 8
_MAX_TRACKED_KEYS = 2**16  # past this many distinct keys every further key counts as new


@dataclass
class JsonShape:
    """What a JSON text will build, counted from its bytes without parsing it (so without recursion)."""

    depth: int = 0  # deepest nesting of objects and lists
    opens: int = 0  # { and [
    colons: int = 0  # object members
    commas: int = 0
    quotes: int = 0  # unescaped quotes: two a string
    string_bytes: int = 0
    new_keys: int = 0  # distinct keys, told apart by length and first and last 8 bytes
    long_key_bytes: int = 0  # bytes of keys longer than 16, which that fingerprint may merge
    text_width: int = 1  # bytes per character of the decoded text
    string_width: int = 1  # bytes per character of the widest string value
    _seen: set = field(default_factory=set, repr=False)
    _level: int = 0
    _inside: int = 0
    _last_quotes: Any = None

    def memory(self, size: int) -> int:
        """An upper bound of the memory json.loads takes for a text of `size` bytes of this shape."""
        values = self.commas + self.opens + 1
        string_values = max(self.quotes // 2 - self.colons, 0)
        return (
            self.text_width * size  # the decoded text, alive while parsing
            + size // 2  # a long number's object: under half a byte a digit
            + _OPEN_COST * self.opens
            + _VALUE_COST * values
            + _STRING_COST * string_values
            + self.string_width * self.string_bytes
            + _MEMBER_COST * self.colons
            + _NEW_KEY_COST * self.new_keys
            + _LONG_KEY_COST * self.long_key_bytes
        )


def json_shape(raw: bytes) -> JsonShape:
    """Count `raw`'s nesting depth, tokens, strings and distinct keys, a chunk at a time, in a few passes of numpy.

    Escaped backslashes and quotes are first replaced by control bytes of the same length (which a valid JSON
    string cannot hold unescaped), so every quote left opens or closes a string. Invalid JSON gives counts that
    still bound what json.loads builds before it stops at the first error.
    """
    import numpy as np

    text = raw.replace(b"\\\\", b"\x01\x01").replace(b'\\"', b"\x01\x02")
    codes = np.frombuffer(text, dtype=np.uint8)
    shape = JsonShape(text_width=_width(int(codes.max()) if codes.size else 0))
    shape.string_width = max(shape.text_width, _escape_width(raw))
    shape._last_quotes = np.zeros(0, dtype=np.int64)
    for start in range(0, codes.size, CHUNK):
        _scan_chunk(np, codes, start, min(start + CHUNK, codes.size), shape)
    return shape


def _width(largest_byte: int) -> int:
    """Bytes per character of decoded UTF-8 whose largest byte is `largest_byte` (a lead byte decides)."""
    return 4 if largest_byte >= 0xF0 else 2 if largest_byte >= 0xC4 else 1


def _escape_width(raw: bytes) -> int:
    """Bytes per character that \\u escapes may force on a string: a surrogate pair 4, beyond Latin-1 2."""
    if re.search(rb"\\u[dD][89abAB]", raw):
        return 4
    return 2 if re.search(rb"\\u(?!00)", raw) else 1


def _scan_chunk(np: Any, codes: Any, start: int, stop: int, shape: JsonShape) -> None:
    chunk = codes[start:stop]
    quote = chunk == 34
    inside = (np.cumsum(quote, dtype=np.uint8) + shape._inside) & 1  # 1 from an opening quote to its closing one
    outside = (inside == 0) & ~quote
    structural = chunk[outside]
    opens = (structural == 123) | (structural == 91)
    closes = (structural == 125) | (structural == 93)
    shape.opens += int(np.count_nonzero(opens))
    shape.colons += int(np.count_nonzero(structural == 58))
    shape.commas += int(np.count_nonzero(structural == 44))
    shape.quotes += int(np.count_nonzero(quote))
    shape.string_bytes += int(np.count_nonzero(inside))
    steps = opens.astype(np.int8) - closes.astype(np.int8)
    levels = np.cumsum(steps[steps != 0], dtype=np.int64) + shape._level
    if levels.size:
        shape.depth = max(shape.depth, int(levels.max()))
        shape._level = int(levels[-1])
    shape._inside = int(inside[-1])
    quotes_at = np.concatenate([shape._last_quotes, np.flatnonzero(quote) + start])
    colons_at = np.flatnonzero(outside & (chunk == 58)) + start
    if colons_at.size:
        _count_keys(np, codes, quotes_at, colons_at, shape)
    shape._last_quotes = quotes_at[-2:]


def _count_keys(np: Any, codes: Any, quotes_at: Any, colons_at: Any, shape: JsonShape) -> None:
    """Add the keys before `colons_at` to the distinct keys (the last quote before a colon closes its key)."""
    closing = np.searchsorted(quotes_at, colons_at) - 1
    closing = closing[closing >= 1]
    ends, starts = quotes_at[closing], quotes_at[closing - 1] + 1
    lengths = ends - starts
    shape.long_key_bytes += int(lengths[lengths > 16].sum())
    firsts, lasts = _word(np, codes, starts, ends), _word(np, codes, np.maximum(starts, ends - 8), ends)
    order = np.lexsort((lasts, firsts, lengths))
    prints = np.stack([lengths[order], firsts[order], lasts[order]], axis=1)
    distinct = np.ones(len(prints), dtype=bool)
    distinct[1:] = (prints[1:] != prints[:-1]).any(axis=1)
    for key in map(tuple, prints[distinct].tolist()):
        if len(shape._seen) >= _MAX_TRACKED_KEYS:
            shape.new_keys += int(np.count_nonzero(distinct))  # too many to track: take every one as new
            return
        if key not in shape._seen:
            shape._seen.add(key)
            shape.new_keys += 1


def _word(np: Any, codes: Any, starts: Any, ends: Any) -> Any:
    """The up to 8 bytes from each start (before its end) as one integer each."""
    at = starts[:, None] + np.arange(8)
    valid = at < ends[:, None]
    picked = np.where(valid, codes[np.where(valid, at, 0)], 0).astype(np.uint8)
    return np.ascontiguousarray(picked).view(np.uint64).ravel().astype(np.int64)
