"""The .lstmproj container: one zip of project.json, prices CSVs and safetensors weights. No pickle anywhere.

Reading is defensive, because a project may come from anyone. Only recognised entry names are read (never
extracted, so names with paths do nothing); the path must be a regular file (a named pipe would block forever);
the zip's headers are checked before anything big is read (entry count, sizes, compression ratio, encryption,
method); every entry is streamed in chunks counting what really comes out; project.json's nesting and the memory
its parse will take are measured before it is parsed; every entry must match its checksum in project.json.
Opening a file costs at most `memory_budget(its size)` of memory: a 10 MB file, about 370 MB.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from ..errors import BadInput, ProjectFileError
from .atomic import write_bytes_atomic
from .container_format import (
    _SAVE_REASONS,
    MAX_ENTRIES,
    MAX_JSON_BYTES,
    PRICES_CSV,
    PROJECT_JSON,
    SUFFIX,
    WEIGHTS,
    MiB,
    entry_limit,
    is_recognised,
    sha256,
)
from .container_read import unpack_entries


class SaveFailed(BadInput):
    """The project could not be written; the previous file is unchanged."""


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


def unpack(path: str | Path) -> tuple[dict, bytes, bytes | None]:
    """Schema ≤ 3 layout: (project.json as a dict, prices.csv, model.safetensors or None)."""
    meta, entries = unpack_entries(path)
    if PRICES_CSV not in entries:
        raise ProjectFileError(f"{Path(path).name} is damaged: prices.csv is missing.")
    return meta, entries[PRICES_CSV], entries.get(WEIGHTS)
