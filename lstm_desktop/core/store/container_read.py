"""Reading a .lstmproj file defensively: a regular file only, zip headers checked before anything big is read,
entries streamed against their limits and checksums, project.json measured before it is parsed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

from ..errors import ProjectFileError
from .container_format import (
    _ENCRYPTED_FLAGS,
    _END_RECORD,
    _METHODS,
    _PATCHED_FLAG,
    _SHA256,
    _ZIP64_LOCATOR,
    _ZIP_ERRORS,
    CHUNK,
    MAX_CENTRAL_DIRECTORY,
    MAX_ENTRIES,
    MAX_RATIO,
    PROJECT_JSON,
    RATIO_FROM,
    MiB,
    entry_limit,
    is_recognised,
    memory_budget,
)
from .json_pieces import extra_key_memory, kept_memory, loads_in_pieces
from .json_shape import MAX_JSON_DEPTH, json_shape


def unpack_entries(path: str | Path) -> tuple[dict, dict[str, bytes]]:
    """(project.json as a dict, {name: bytes} of every other recognised entry), each checked against its checksum.

    Raises ProjectFileError naming the problem for anything unusable: not a regular file, not a zip, too big for
    its size, encrypted, an unknown compression, duplicated or missing entries, a checksum mismatch, bad JSON.
    """
    path = Path(path)
    with _open_regular_file(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        try:
            return _read_container(handle, size, path.name)
        except ProjectFileError:
            raise
        except _ZIP_ERRORS as exc:
            raise ProjectFileError(f"{path.name} is damaged (truncated or corrupt): {exc}") from exc


def _open_regular_file(path: Path) -> BinaryIO:
    """Open `path` for reading, refusing at once anything but a regular file (a FIFO would block forever)."""
    try:
        _refuse_special(path, os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _open_error(path, exc) from exc
    try:
        _refuse_special(path, os.fstat(fd).st_mode)  # the path may have been swapped since the stat
        return os.fdopen(fd, "rb")  # O_NONBLOCK does nothing to a regular file
    except BaseException:
        os.close(fd)
        raise


def _open_error(path: Path, exc: OSError) -> ProjectFileError:
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return ProjectFileError(f"Project file not found: {path}")
    if isinstance(exc, PermissionError):
        return ProjectFileError(f"Cannot read {path}: permission denied.")
    return ProjectFileError(f"Cannot read {path}: {exc.strerror or exc}.")


def _refuse_special(path: Path, mode: int) -> None:
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in kinds if test(mode)), "not a regular file")
        raise ProjectFileError(f"{path} is {kind}, not a project file.")


def _read_container(handle: BinaryIO, size: int, where: str) -> tuple[dict, dict[str, bytes]]:
    _check_end_record(handle, size, where)
    with zipfile.ZipFile(handle) as archive:
        infos = _recognised_entries(archive, size, where)
        meta_info = infos.pop(PROJECT_JSON, None)
        if meta_info is None:
            raise ProjectFileError(f"{where} is not an lstm-desktop project (it has no project.json).")
        others = sum(info.file_size for info in infos.values())
        budget = memory_budget(size)
        if others + 2 * meta_info.file_size > budget:
            raise _too_big(where, others + 2 * meta_info.file_size, budget)
        meta = _read_meta(archive, meta_info, where, budget - others)
        checksums = _checksums(meta, set(archive.namelist()), infos, where)
        entries = {name: _read_checked(archive, info, checksums[name], where) for name, info in infos.items()}
    return meta, entries


def _check_end_record(handle: BinaryIO, size: int, where: str) -> None:
    """Find the zip's end record as zipfile does and refuse a table of contents too big to parse cheaply."""
    search_from = max(size - 22 - 2**16, 0)  # the record, then a comment of at most 64 KB
    read_from = max(search_from - 20, 0)  # and the ZIP64 locator that may precede it
    handle.seek(read_from)
    tail = handle.read(size - read_from)
    if len(tail) >= 22 and tail[-22:-18] == _END_RECORD and tail[-2:] == b"\0\0":
        at = len(tail) - 22
    else:
        at = tail.rfind(_END_RECORD, search_from - read_from)
    if at < 0 or len(tail) - at < 22:
        raise ProjectFileError(f"{where} is not an lstm-desktop project (it is not a zip container).")
    _, _, _, on_disk, total, directory_size, _, _ = struct.unpack("<4s4H2LH", tail[at : at + 22])
    if at >= 20 and tail[at - 20 : at - 16] == _ZIP64_LOCATOR:
        raise ProjectFileError(f"{where} is refused: it uses ZIP64 extensions, which a project never needs.")
    if max(on_disk, total) > MAX_ENTRIES:
        raise _too_many(where, max(on_disk, total))
    if directory_size > MAX_CENTRAL_DIRECTORY:
        raise ProjectFileError(
            f"{where} is refused: its table of contents is {directory_size:,} bytes, "
            f"more than the {MAX_CENTRAL_DIRECTORY // MiB} MB a project needs."
        )


def _too_many(where: str, count: int) -> ProjectFileError:
    return ProjectFileError(f"{where} is refused: it holds {count:,} entries, more than the {MAX_ENTRIES} allowed.")


def _too_big(where: str, cost: int, budget: int) -> ProjectFileError:
    return ProjectFileError(
        f"{where} is refused: opening it would take about {cost // MiB:,} MB of memory, more than the "
        f"{budget // MiB} MB allowed for a file of its size (a decompression bomb?)."
    )


def _recognised_entries(archive: zipfile.ZipFile, size: int, where: str) -> dict[str, zipfile.ZipInfo]:
    """The recognised entries by name, each header checked; duplicates and overlapping entries refused."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _too_many(where, len(infos))
    found: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if not is_recognised(info.filename):
            continue
        if info.filename in found:
            raise ProjectFileError(f"{where} is damaged: it holds {info.filename} twice.")
        _check_entry_header(info, size, where)
        found[info.filename] = info
    if sum(info.compress_size for info in found.values()) > size:
        raise ProjectFileError(f"{where} is damaged: its entries overlap.")
    return found


def _check_entry_header(info: zipfile.ZipInfo, size: int, where: str) -> None:
    """Refuse, from the zip headers alone, an entry that cannot be read safely."""
    name, method, limit = info.filename, info.compress_type, entry_limit(info.filename)
    if info.flag_bits & _ENCRYPTED_FLAGS or method == 99:
        raise ProjectFileError(f"{where} is refused: {name} is encrypted (lstm-desktop never encrypts projects).")
    if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & _PATCHED_FLAG:
        kind = _METHODS.get(method, f"method {method}") if not info.flag_bits & _PATCHED_FLAG else "patched data"
        raise ProjectFileError(
            f"{where} is refused: {name} is compressed with {kind}; only stored or deflated entries are read."
        )
    if info.file_size > limit:
        raise ProjectFileError(f"{where} is refused: {name} is larger than {limit // MiB} MB.")
    if method == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise ProjectFileError(f"{where} is damaged: the sizes recorded for {name} disagree.")
    if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
        raise ProjectFileError(
            f"{where} is refused: {name} would expand {info.file_size // max(info.compress_size, 1):,} times "
            f"(at most {MAX_RATIO} is allowed: a zip bomb?)."
        )
    if info.header_offset < 0 or info.header_offset + info.compress_size > size:
        raise ProjectFileError(f"{where} is damaged: {name} runs past the end of the file.")


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> tuple[bytes, str]:
    """(the entry's bytes, their sha256), decompressed a chunk at a time; refused unless exactly the declared size
    comes out (declared sizes can lie, so what really comes out is counted)."""
    declared, buffer, digest = info.file_size, io.BytesIO(), hashlib.sha256()
    with archive.open(info) as stream:
        while chunk := stream.read(min(CHUNK, declared - buffer.tell() + 1)):
            if buffer.tell() + len(chunk) > declared:
                raise ProjectFileError(f"{where} is damaged: {info.filename} holds more than its recorded size.")
            digest.update(chunk)
            buffer.write(chunk)
    if buffer.tell() != declared:
        raise ProjectFileError(f"{where} is damaged: {info.filename} holds less than its recorded size.")
    return buffer.getvalue(), digest.hexdigest()


def _read_checked(archive: zipfile.ZipFile, info: zipfile.ZipInfo, checksum: str, where: str) -> bytes:
    data, digest = _read_entry(archive, info, where)
    if digest != checksum:
        raise ProjectFileError(f"{where} is damaged: {info.filename} does not match its checksum.")
    return data


def _read_meta(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: int) -> dict:
    """project.json as a dict: UTF-8 JSON, an object at the top, nested at most MAX_JSON_DEPTH levels, and cheap
    enough to parse within `budget` bytes of memory (measured before parsing). Parsed a run at a time when the
    budget allows what that costs more (json_pieces.py: the interpreter lock is then never held for long; each
    run's report text is kept, which saving reuses)."""
    raw = _read_entry(archive, info, where)[0]
    shape = json_shape(raw)
    if shape.depth > MAX_JSON_DEPTH:
        raise ProjectFileError(f"{where} is refused: project.json is nested deeper than {MAX_JSON_DEPTH} levels.")
    cost = shape.memory(len(raw)) + len(raw)
    if cost > budget:
        raise _too_big(where, cost, budget)
    kept = kept_memory(shape.opens, len(raw), shape.text_width)  # the runs' report texts kept in pieces
    pieces = cost + extra_key_memory(shape.colons, shape.long_key_bytes, shape.text_width) + kept <= budget
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProjectFileError(f"{where} is damaged: project.json is not UTF-8 text ({exc}).") from exc
    del raw
    return _parse_object(text, "project.json", where, pieces)


def _parse_object(text: str, what: str, where: str, pieces: bool = False) -> dict:
    """`text` parsed as JSON whose top level is an object (NaN and Infinity accepted: scores may be undefined);
    with `pieces`, a member (and an item of a list) at a time."""
    try:
        value = loads_in_pieces(text, keep=("report",)) if pieces else json.loads(text)  # a run's report text kept
    except RecursionError as exc:  # only reached by callers that skipped json_shape's depth check
        raise ProjectFileError(f"{where} is refused: {what} is nested too deeply.") from exc
    except ValueError as exc:  # JSONDecodeError, and numbers of more than 4300 digits
        raise ProjectFileError(f"{where} is damaged: {what} is not valid JSON ({exc}).") from exc
    if not isinstance(value, dict):
        raise ProjectFileError(f"{where} is damaged: {what} is not an object.")
    return value


def _checksums(meta: dict, present: set[str], infos: dict[str, zipfile.ZipInfo], where: str) -> dict[str, str]:
    """project.json's checksums, checked: each names an entry that is there, and each recognised entry has one."""
    checksums = meta.get("checksums")
    if not isinstance(checksums, dict):
        raise ProjectFileError(f"{where} is damaged: project.json has no checksums.")
    for name, digest in checksums.items():
        if name not in present:
            raise ProjectFileError(f"{where} is damaged: {name} is missing (project.json lists it).")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ProjectFileError(f"{where} is damaged: the checksum of {name} is not a SHA-256 digest.")
    for name in infos:
        if name not in checksums:
            raise ProjectFileError(f"{where} is refused: {name} has no checksum in project.json.")
    return checksums
