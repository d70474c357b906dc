"""Read a CSV file into a table of text cells, refusing at once what is not a readable text table.

Special files (pipes, devices, sockets, folders) are refused before they are opened, and the file is opened
without blocking, so a FIFO can never hang the app. The encoding (UTF-8 with or without BOM, UTF-16, Windows-1252
or Latin-1) and the separator (`,` `;` tab `|`) are found from the file itself.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import BadInput
from .rowref import row_ref

MAX_CSV_BYTES = 512 * 1024 * 1024
SEPARATORS = (",", ";", "\t", "|")
_SPECIAL = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class TextTable:
    """The cells of a CSV file as text, the file line of each row, and what was noticed while reading."""

    table: pd.DataFrame
    lines: list[int]
    notes: list[str] = field(default_factory=list)


def read_text_table(path: Path) -> TextTable:
    """The header and rows of the CSV file at `path`; BadInput for anything that is not a readable text table."""
    data = _read_bytes(path)
    text, note = _decode(data, path.name)
    separator = _separator(text)
    header, rows, lines, notes = _records(text, separator, path.name)
    table = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header)
    return TextTable(table, lines, ([note] if note else []) + notes)


def _special_kind(mode: int) -> str | None:
    return next((kind for test, kind in _SPECIAL if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def _refuse_special(path: Path, mode: int) -> None:
    kind = _special_kind(mode)
    if kind:
        raise BadInput(f"{path} is {kind}, not a CSV file. Choose a CSV file of prices saved on disk.")


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file: special files refused before opening, opened without blocking."""
    try:
        _refuse_special(path, os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            _refuse_special(path, info.st_mode)  # it may have been swapped since the check above
            if info.st_size == 0:
                raise BadInput(f"{path.name} is empty. Choose a CSV file with a header line and rows of prices.")
            if info.st_size > MAX_CSV_BYTES:
                raise BadInput(f"{path.name} is larger than {MAX_CSV_BYTES // 2**20} MB; split it first.")
            return handle.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError as exc:
        raise BadInput(f"File not found: {path}. Check the path and the file name.") from exc
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror or exc}. Check that the file can be opened.") from exc


def _decode(data: bytes, name: str) -> tuple[str, str | None]:
    """The text of the file and a note when its encoding had to be guessed (not UTF-8 or UTF-16)."""
    codec = next((codec for bom, codec in _BOMS if data.startswith(bom)), None) or _utf16_without_bom(data)
    note = None
    try:
        if codec:
            text = data.decode(codec)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                codec, note = "cp1252", "read as Windows-1252 text (the file is not UTF-8)"
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError:
                    text, note = data.decode("latin-1"), "read as Latin-1 text (the file is not UTF-8)"
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name} is not a text CSV file (cannot decode it as {codec}). Export it as CSV text.") from exc
    text = text.lstrip("\ufeff").rstrip("\x1a")
    odd = _BINARY.search(text)
    if odd:
        raise BadInput(
            f"{name} is not a text CSV file: it holds binary data (character {ord(odd.group()):#04x}). "
            "Export the prices as CSV text."
        )
    return text, note


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for text whose every other byte is zero, as ASCII in UTF-16 is; else None."""
    head = data[:4096]
    if b"\x00" not in head or len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= len(head) // 4 and even == 0:
        return "utf-16-le"
    if even >= len(head) // 4 and odd == 0:
        return "utf-16-be"
    return None


def _blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _fits(record: list[str], width: int) -> bool:
    """A row fits a header of `width` columns when it has that many fields, extra empty ones allowed."""
    return len(record) == width or (len(record) > width and _blank(record[width:]))


def _header(record: list[str]) -> list[str]:
    cells = [cell.strip() for cell in record]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _separator(text: str) -> str:
    """The separator under which the first lines have a header of 2+ columns and rows of the same width."""
    sample = list(itertools.islice((line for line in io.StringIO(text) if line.strip()), 50))
    best, best_key = ",", (-1.0, 0)
    for separator in SEPARATORS:
        records = [r for r in csv.reader(sample, delimiter=separator) if not _blank(r)]
        header = _header(records[0]) if records else []
        if len(header) < 2:
            continue
        rest = records[1:]
        key = (sum(_fits(r, len(header)) for r in rest) / max(len(rest), 1), len(header))
        if key > best_key:
            best, best_key = separator, key
    return best


def _records(text: str, separator: str, name: str) -> tuple[list[str], list[list[str]], list[int], list[str]]:
    """Header, rows cut to the header's width, each row's file line, and notes; refuses malformed rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    short: list[int] = []
    try:
        for record in reader:
            if _blank(record):
                continue
            if header is None:
                header = _header(record)
                continue
            if len(record) > len(header) and not _fits(record, len(header)):
                raise BadInput(_too_wide(name, separator, record, len(header), len(rows), reader.line_num))
            if len(record) < len(header):
                short.append(len(rows))
                record = record + [""] * (len(header) - len(record))
            rows.append(record[: len(header)])
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise BadInput(
            f"{name} is not a readable CSV table: line {reader.line_num}: {exc}. Check the quotes on that line."
        ) from exc
    if header is None:
        raise BadInput(f"{name} is empty (only blank lines). Choose a CSV file with a header line and rows of prices.")
    return header, *_drop_cut_off_row(name, rows, lines, short, len(header))


def _drop_cut_off_row(
    name: str, rows: list[list[str]], lines: list[int], short: list[int], width: int
) -> tuple[list[list[str]], list[int], list[str]]:
    """A short last row is a cut-off write: dropped and noted. Short rows elsewhere are refused, named."""
    if not short:
        return rows, lines, []
    if short == [len(rows) - 1]:
        note = f"the last row (line {lines[-1]}) has fewer fields than the header: cut off, so dropped"
        return rows[:-1], lines[:-1], [note]
    named = ", ".join(row_ref(i, lines) for i in short[:3]) + (f" and {len(short) - 3} more" if len(short) > 3 else "")
    raise BadInput(
        f"{name}: {named} {'have' if len(short) > 1 else 'has'} fewer fields than the header ({width}). "
        "Complete or delete those rows."
    )


def _too_wide(name: str, separator: str, record: list[str], width: int, position: int, line: int) -> str:
    where = f"data row {position + 1} (line {line})"
    text = f"{name}: {where} has {len(record)} fields but the header has {width}."
    if separator == "," and any(re.fullmatch(r"\d+", cell.strip()) for cell in record[1:]):
        return text + (
            " A comma inside a number (a decimal comma or a thousands separator) splits it in two in a "
            "comma-separated file: put such numbers in quotes, or separate the columns with ';'."
        )
    return text + " Check the separators on that line."
