"""The .lstmproj container: one zip of project.json, prices CSVs and safetensors weights. No pickle anywhere.

Reading is defensive, because a project may come from anyone. Only recognised entry names are read (never
extracted, so names with paths do nothing); the path must be a regular file (a named pipe would block forever);
the zip's headers are checked before anything big is read (entry count, sizes, compression ratio, encryption,
method); every entry is streamed in chunks counting what really comes out; project.json's nesting and the memory
its parse will take are measured before it is parsed; every entry must match its checksum in project.json.
Opening a file costs at most `memory_budget(its size)` of memory: a 10 MB file, about 370 MB.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from ..errors import BadInput, ProjectFileError
from .atomic import write_bytes_atomic
from .json_shape import MAX_JSON_DEPTH, json_shape

MiB = 2**20
SUFFIX = ".lstmproj"
PROJECT_JSON, PRICES_CSV, WEIGHTS = "project.json", "prices.csv", "model.safetensors"

# Every entry is read into memory, so each kind has a ceiling: generous for real projects, far below gigabytes.
MAX_JSON_BYTES = 64 * MiB  # project.json of ~200 runs (history, metrics, predictions of each) is ~50 MB
MAX_CSV_BYTES = 64 * MiB  # 30 years of daily prices of several tickers is a few MB
MAX_WEIGHTS_BYTES = 64 * MiB  # the reference model is ~125 KB; 64 MB is 16 million float32 parameters
LIMITS = {PROJECT_JSON: MAX_JSON_BYTES, PRICES_CSV: MAX_CSV_BYTES, WEIGHTS: MAX_WEIGHTS_BYTES}  # schema ≤ 3 names

MAX_ENTRIES = 1024  # ~200 runs × (weights + prices) + project.json fits twice over; counts ignored entries too
MAX_CENTRAL_DIRECTORY = 1 * MiB  # the zip's table of contents, which zipfile parses whole: ~150 bytes an entry
MAX_RATIO = 100  # deflate makes JSON and CSV 3–5× smaller; a zip bomb ~1000×
RATIO_FROM = 1 * MiB  # the ratio only matters for an entry that expands to something big
# What opening a file may cost in memory, however it is built. Real projects need ~2–6× their file size, JSON-heavy
# ones up to ~30× the size of their compressed project.json (it parses into many small Python objects). A file of
# at most 10 MB stays under ~370 MB; beyond, the allowance grows faster, so big real projects still open.
MEMORY_BASE, SMALL_FILE = 192 * MiB, 10 * 10**6
MEMORY_PER_BYTE_SMALL, MEMORY_PER_BYTE_LARGE = 16, 48
CHUNK = 1 * MiB  # how much of an entry is decompressed at a time

_ID = r"[A-Za-z0-9_-]{1,64}"
_RECOGNISED = re.compile(rf"project\.json|prices\.csv|model\.safetensors|prices/{_ID}\.csv|weights/{_ID}\.safetensors")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_END_RECORD, _ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x06\x07"
_ENCRYPTED_FLAGS = 0x1 | 0x40 | 0x2000  # traditional, strong, central-directory encryption
_PATCHED_FLAG = 0x20
_METHODS = {12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "XZ", 97: "WavPack", 98: "PPMd", 99: "AES encryption"}
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    zlib.error,
    struct.error,
    NotImplementedError,
    RuntimeError,
    UnicodeDecodeError,
    OSError,
    ValueError,  # zipfile's own, e.g. a negative seek; never left to reach the user as a traceback
)
_SAVE_REASONS = {
    errno.ENOSPC: "the disk is full",
    getattr(errno, "EDQUOT", -1): "the disk quota is exceeded",
    errno.EFBIG: "the file is larger than this system allows",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "a folder is in the way",
    errno.ENOENT: "the folder does not exist",
}


class SaveFailed(BadInput):
    """The project could not be written; the previous file is unchanged."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_recognised(name: str) -> bool:
    """Whether `name` is an entry this version reads; any other entry is ignored and never read."""
    return _RECOGNISED.fullmatch(name) is not None


def entry_limit(name: str) -> int:
    """The most bytes the recognised entry `name` may hold."""
    if name.endswith(".json"):
        return MAX_JSON_BYTES
    return MAX_CSV_BYTES if name.endswith(".csv") else MAX_WEIGHTS_BYTES


def memory_budget(file_size: int) -> int:
    """The most memory that opening a file of `file_size` bytes may take."""
    small, large = min(file_size, SMALL_FILE), max(file_size - SMALL_FILE, 0)
    return MEMORY_BASE + MEMORY_PER_BYTE_SMALL * small + MEMORY_PER_BYTE_LARGE * large


# ---------------------------------------------------------------------------------------------------- writing


def pack_entries(meta: dict, entries: dict[str, bytes]) -> bytes:
    """The whole zip in memory: project.json (meta plus "checksums", {name: sha256 hex} of every entry) and the
    entries. JSON and CSV deflated at level 1 (a third of level 6's time; saves run where the user waits),
    safetensors stored (float weights barely compress). Raises SaveFailed for what could not be opened again."""
    return _pack(_document(meta, entries), entries)


def pack_encoded(meta: dict, key: str, encoded: str, entries: dict[str, bytes]) -> bytes:
    """pack_entries, with project.json's `key` given as JSON text already encoded (a run encodes its report once,
    when it is made, so saves do not encode it again). `encoded` is trusted to be valid JSON."""
    if key in meta or key == "checksums":
        raise ValueError(f"{key!r} is already part of the metadata")
    head = _document(meta, entries)  # never "{}": it holds the checksums
    return _pack(head[:-1] + b"," + json.dumps(key).encode() + b":" + encoded.encode() + b"}", entries)


def _document(meta: dict, entries: dict[str, bytes]) -> bytes:
    """project.json's text: `meta` with the checksums of `entries` (NaN allowed: undefined scores are NaN)."""
    meta = dict(meta)
    meta["checksums"] = {name: sha256(data) for name, data in entries.items()}
    return json.dumps(meta, separators=(",", ":"), allow_nan=True).encode()


def _pack(document: bytes, entries: dict[str, bytes]) -> bytes:
    _check_entries_to_pack(entries)
    if len(document) > MAX_JSON_BYTES:
        raise SaveFailed(f"Cannot save: project.json would be larger than {MAX_JSON_BYTES // MiB} MB.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(PROJECT_JSON, document)
        for name, data in entries.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if name.endswith(".safetensors") else None)
    return buffer.getvalue()


def _check_entries_to_pack(entries: dict[str, bytes]) -> None:
    if len(entries) + 1 > MAX_ENTRIES:
        raise SaveFailed(f"Cannot save: a project holds at most {MAX_ENTRIES} entries, this one {len(entries) + 1}.")
    for name, data in entries.items():
        if name == PROJECT_JSON or not is_recognised(name):
            raise ValueError(f"{name!r} is not an entry name a project file can hold")
        if len(data) > entry_limit(name):
            raise SaveFailed(f"Cannot save: {name} would be larger than {entry_limit(name) // MiB} MB.")


def pack(meta: dict, prices_csv: bytes, weights: bytes | None) -> bytes:
    """Schema ≤ 3 layout: project.json, prices.csv and (once trained) model.safetensors."""
    entries = {PRICES_CSV: prices_csv}
    if weights is not None:
        entries[WEIGHTS] = weights
    return pack_entries(meta, entries)


def write(path: str | Path, data: bytes) -> Path:
    """Atomic write; any failure leaves the previous file byte-identical and raises SaveFailed."""
    path = Path(path)
    if path.suffix != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    if not path.parent.is_dir():
        raise SaveFailed(f"Cannot save {path.name}: the folder {path.parent} does not exist.")
    try:
        write_bytes_atomic(path, data)
    except OSError as exc:
        reason = _SAVE_REASONS.get(exc.errno) or exc.strerror or str(exc)
        raise SaveFailed(f"Could not save {path}: {reason}. The previous file, if any, is unchanged.") from exc
    return path


# ---------------------------------------------------------------------------------------------------- reading


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


def unpack(path: str | Path) -> tuple[dict, bytes, bytes | None]:
    """Schema ≤ 3 layout: (project.json as a dict, prices.csv, model.safetensors or None)."""
    meta, entries = unpack_entries(path)
    if PRICES_CSV not in entries:
        raise ProjectFileError(f"{Path(path).name} is damaged: prices.csv is missing.")
    return meta, entries[PRICES_CSV], entries.get(WEIGHTS)


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
    enough to parse within `budget` bytes of memory (measured before parsing)."""
    raw = _read_entry(archive, info, where)[0]
    shape = json_shape(raw)
    if shape.depth > MAX_JSON_DEPTH:
        raise ProjectFileError(f"{where} is refused: project.json is nested deeper than {MAX_JSON_DEPTH} levels.")
    cost = shape.memory(len(raw)) + len(raw)
    if cost > budget:
        raise _too_big(where, cost, budget)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProjectFileError(f"{where} is damaged: project.json is not UTF-8 text ({exc}).") from exc
    del raw
    return _parse_object(text, "project.json", where)


def _parse_object(text: str, what: str, where: str) -> dict:
    """`text` parsed as JSON whose top level is an object (NaN and Infinity accepted: scores may be undefined)."""
    try:
        value = json.loads(text)
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
