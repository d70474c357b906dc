"""The .lstmproj container: one zip of project.json, prices.csv and model.safetensors. No pickle anywhere.

Reading is defensive: only the three known entries are read (never extracted, so names with paths do
nothing), each with a size limit checked while reading (zip bombs), and checksums must match.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from ..errors import BadInput, ProjectFileError
from .atomic import write_bytes_atomic

PROJECT_JSON, PRICES_CSV, WEIGHTS = "project.json", "prices.csv", "model.safetensors"
LIMITS = {PROJECT_JSON: 64 * 2**20, PRICES_CSV: 512 * 2**20, WEIGHTS: 2 * 2**30}
SUFFIX = ".lstmproj"


class SaveFailed(BadInput):
    """The project could not be written; the previous file is unchanged."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack(meta: dict, prices_csv: bytes, weights: bytes | None) -> bytes:
    """The whole file in memory, checksums added to `meta`."""
    meta = dict(meta)
    meta["checksums"] = {PRICES_CSV: sha256(prices_csv)}
    if weights is not None:
        meta["checksums"][WEIGHTS] = sha256(weights)
    buffer = io.BytesIO()
    # level 1: a third of level 6's time for a slightly larger file; saves run where the user waits
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(PROJECT_JSON, json.dumps(meta, separators=(",", ":"), allow_nan=True))
        archive.writestr(PRICES_CSV, prices_csv)
        if weights is not None:
            archive.writestr(WEIGHTS, weights, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


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
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise SaveFailed(f"Could not save {path}: {reason}. The previous file, if any, is unchanged.") from exc
    return path


def _read_entry(archive: zipfile.ZipFile, name: str) -> bytes | None:
    infos = [i for i in archive.infolist() if i.filename == name]
    if not infos:
        return None
    if len(infos) > 1:
        raise ProjectFileError(f"The project file is damaged: it holds {name} twice.")
    info, limit = infos[0], LIMITS[name]
    if info.file_size > limit:
        raise ProjectFileError(f"The project file is refused: {name} is larger than {limit // 2**20} MB.")
    with archive.open(info) as handle:
        data = handle.read(limit + 1)  # the declared size can lie: count what really comes out
    if len(data) > limit:
        raise ProjectFileError(f"The project file is refused: {name} is larger than {limit // 2**20} MB.")
    return data


def unpack(path: str | Path) -> tuple[dict, bytes, bytes | None]:
    """(project.json as a dict, prices.csv, model.safetensors or None); raises ProjectFileError."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise ProjectFileError(f"Project file not found: {path}")
    try:
        if not zipfile.is_zipfile(path):
            raise ProjectFileError(f"{name} is not an lstm-desktop project (it is not a zip container).")
        with zipfile.ZipFile(path) as archive:
            meta_bytes = _read_entry(archive, PROJECT_JSON)
            if meta_bytes is None:
                raise ProjectFileError(f"{name} is not an lstm-desktop project (it has no project.json).")
            prices = _read_entry(archive, PRICES_CSV)
            weights = _read_entry(archive, WEIGHTS)
    except FileNotFoundError as exc:
        raise ProjectFileError(f"Project file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ProjectFileError(f"{path} is a folder, not a project file.") from exc
    except PermissionError as exc:
        raise ProjectFileError(f"Cannot read {path}: permission denied.") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise ProjectFileError(f"{name} is damaged (truncated or corrupt): {exc}") from exc
    try:
        meta = json.loads(meta_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectFileError(f"{name} is damaged: project.json is not valid JSON ({exc}).") from exc
    if not isinstance(meta, dict):
        raise ProjectFileError(f"{name} is damaged: project.json is not an object.")
    if prices is None:
        raise ProjectFileError(f"{name} is damaged: prices.csv is missing.")
    checksums = meta.get("checksums")
    if not isinstance(checksums, dict):
        raise ProjectFileError(f"{name} is damaged: project.json has no checksums.")
    for entry, data in ((PRICES_CSV, prices), (WEIGHTS, weights)):
        if data is not None and checksums.get(entry) != sha256(data):
            raise ProjectFileError(f"{name} is damaged: {entry} does not match its checksum.")
    if weights is None and WEIGHTS in checksums:
        raise ProjectFileError(f"{name} is damaged: model.safetensors is missing.")
    return meta, prices, weights
