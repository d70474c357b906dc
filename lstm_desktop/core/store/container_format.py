"""The .lstmproj container's format: entry names, the limits a file must keep to, and what opening one may cost.
Shared by the writer (project_file.py) and the reader (container_read.py)."""

from __future__ import annotations

import errno
import hashlib
import re
import struct
import zipfile
import zlib

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
