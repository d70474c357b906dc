"""Measure what opening hostile project files costs: builds containers of at most 10 MB (zip bombs, many entries,
lying sizes, deep or costly JSON, huge safetensors headers, a FIFO) and prints, for each, whether unpack_entries
opened or refused it, its time and its peak memory above the process's baseline, each in a fresh subprocess.

The baseline is the process after importing project_file, weights_file and numpy (the app has numpy loaded).
Peak memory is Linux's VmHWM after resetting it through /proc/self/clear_refs.
Usage: python tools/container_bounds.py
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

MiB = 2**20
FILE_LIMIT = 10 * 10**6  # "any project file of at most 10 MB"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's lstm_desktop, whatever is installed
FIXTURE = ROOT / "tests" / "data" / "project_v1.lstmproj"


def container(path: Path, entries: dict[str, bytes], meta: dict | None = None, level: int = 1) -> Path:
    """A zip of project.json (with correct checksums of `entries`) and `entries`, deflated at `level`."""
    meta = dict(meta or {"schema_version": 4})
    meta["checksums"] = {name: hashlib.sha256(data).hexdigest() for name, data in entries.items()}
    return raw_container(path, {"project.json": json.dumps(meta).encode(), **entries}, level)


def raw_container(path: Path, entries: dict[str, bytes], level: int = 1) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def patched(path: Path, name: str, **fields: int) -> Path:
    """Set header fields of entry `name` (file_size, compress_size, crc) in its central and local headers."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(name)
    central = _central_header(bytes(data), name)
    places = {"crc": (16, 14), "compress_size": (20, 18), "file_size": (24, 22)}
    for field, value in fields.items():
        struct.pack_into("<I", data, central + places[field][0], value)
        struct.pack_into("<I", data, info.header_offset + places[field][1], value)
    path.write_bytes(bytes(data))
    return path


def _central_header(data: bytes, name: str) -> int:
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        size = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + size] == name.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise KeyError(name)


def sparse(size: int, every: int, seed: int = 0) -> bytes:
    """`size` bytes of zeros with a random byte every `every` bytes: compresses ~`every`/3 times."""
    rnd = random.Random(seed)
    block = bytearray(size)
    for at in range(0, size, every):
        block[at] = rnd.randrange(1, 256)
    return bytes(block)


def deflated_size(data: bytes) -> int:
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    return len(compressor.compress(data) + compressor.flush())


def random_tokens(tokens: list[bytes], count: int, seed: int = 0) -> bytes:
    """`count` tokens drawn at random, comma-separated (padded with spaces to one width, so numpy can do it)."""
    import numpy as np

    width = max(len(token) for token in tokens) + 1
    table = np.array([(token + b",").ljust(width) for token in tokens], dtype=f"S{width}")
    picks = np.random.default_rng(seed).integers(len(tokens), size=count)
    return table[picks].tobytes().rstrip(b" ")[:-1]


def json_at_budget(path: Path, make: Callable[[int], bytes]) -> Path:
    """The largest document `make(n)` whose estimated parse cost fits the budget of the file it ends up in: both
    grow linearly with n, so one probe gives the size, then shrink until it fits."""
    from lstm_desktop.core.store.container_format import MEMORY_BASE, MEMORY_PER_BYTE_SMALL, memory_budget
    from lstm_desktop.core.store.json_shape import json_shape

    def cost(document: bytes) -> int:
        return json_shape(document).memory(len(document)) + len(document)

    probe_n = 100_000
    probe = make(probe_n)
    per_item = (cost(probe) - MEMORY_PER_BYTE_SMALL * deflated_size(probe)) / probe_n
    n = min(int(MEMORY_BASE / per_item), int(probe_n * 64 * MiB / len(probe)) - 10)
    while True:
        document = make(n)
        if len(document) <= 64 * MiB and cost(document) <= memory_budget(deflated_size(document) + 200):
            return raw_container(path, {"project.json": document})
        n = int(n * 0.97)


# ------------------------------------------------------------------------------------------------ the cases


def zip_bomb(path: Path) -> Path:
    return container(path, {"prices/x.csv": bytes(64 * MiB - 1)}, level=9)


def bomb_with_lying_size(path: Path) -> Path:
    container(path, {"prices/x.csv": sparse(64 * MiB - 1, 2048)}, level=9)
    return patched(path, "prices/x.csv", file_size=MiB)  # claims 1 MB: passes the ratio test, inflates to 64


def inflation_just_allowed(path: Path) -> Path:
    data = sparse(60 * MiB, 240)  # ~80× smaller: under the ratio limit
    return container(path, {f"prices/x{i}.csv": data[i:] + data[:i] for i in range(3)})


def inflation_over_budget(path: Path) -> Path:
    data = sparse(60 * MiB, 240)
    return container(path, {f"prices/x{i}.csv": data[i:] + data[:i] for i in range(8)})


def entries_1024(path: Path) -> Path:
    return container(path, {f"prices/p{i}.csv": b"date,close\n" for i in range(1023)})


def entries_1025(path: Path) -> Path:
    return container(path, {f"prices/p{i}.csv": b"date,close\n" for i in range(1024)})


def entries_60k_lying_count(path: Path) -> Path:
    raw_container(path, {f"{i:x}": b"" for i in range(60_000)}, level=1)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 5, 5)  # claims 5 entries
    path.write_bytes(bytes(data))
    return path


def stored_entry_claiming_64mb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.json", b'{"checksums":{}}')
        archive.writestr("weights/w.safetensors", b"\0" * 1000)
    return patched(path, "weights/w.safetensors", file_size=64 * MiB - 1, compress_size=64 * MiB - 1)


def deep_json(path: Path) -> Path:
    rnd = random.Random(0)
    levels = 3_000_000
    text = b"".join(b"[" + b" " * rnd.randrange(3) for _ in range(levels)) + b"]" * levels
    return raw_container(path, {"project.json": text})


def dense_json(path: Path) -> Path:
    body = random_tokens([b"{}", b"[]", b"[0]", b"[[]]"], 12_000_000)
    return raw_container(path, {"project.json": b'{"a":[' + body + b"]}"})


def empty_containers_at_budget(path: Path) -> Path:
    return json_at_budget(path, lambda n: b'{"checksums":{},"a":[' + random_tokens([b"{}", b"[]", b"[0]"], n) + b"]}")


def unique_keys_at_budget(path: Path) -> Path:
    return json_at_budget(path, lambda n: b'{"checksums":{},' + b",".join(b'"%x":0' % i for i in range(n)) + b"}")


def floats_at_budget(path: Path) -> Path:
    floats = [b"1.5", b"2.5", b"0.1", b"7e3"]
    return json_at_budget(path, lambda n: b'{"checksums":{},"a":[' + random_tokens(floats, n) + b"]}")


def wide_strings_at_budget(path: Path) -> Path:
    """One emoji makes the whole text and its string 4 bytes a character."""
    rnd = random.Random(0)
    letters = bytes(rnd.choice(b"ab") for _ in range(32 * MiB))
    return json_at_budget(path, lambda n: b'{"checksums":{},"a":"\xf0\x9f\x98\x80' + letters[:n] + b'"}')


def realistic_runs(path: Path) -> Path:
    """The schema-1 fixture's run document repeated as runs until the file is ~9 MB: a real, JSON-heavy project."""
    with zipfile.ZipFile(FIXTURE) as archive:
        meta, prices = json.loads(archive.read("project.json")), archive.read("prices.csv")
    runs, size = [], 0
    while size < 9 * 10**6:
        runs += [dict(meta["results"], id=f"run{len(runs)}") for _ in range(50)]
        document = json.dumps({"schema_version": 4, "runs": runs}, separators=(",", ":")).encode()
        size = deflated_size(document) + deflated_size(prices)
    return container(path, {"prices/d.csv": prices}, {"schema_version": 4, "runs": runs})


def huge_safetensors_header(path: Path) -> Path:
    header = json.dumps({f"t{i}": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]} for i in range(900_000)})
    weights = struct.pack("<Q", len(header)) + header.encode()
    return container(path, {"weights/w.safetensors": weights})


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


CASES: list[tuple[str, Callable[[Path], Path]]] = [
    ("zip bomb: 64 MB of zeros", zip_bomb),
    ("bomb whose header claims 1 MB", bomb_with_lying_size),
    ("3 × 60 MB at 80:1 (allowed)", inflation_just_allowed),
    ("8 × 60 MB at 80:1", inflation_over_budget),
    ("1024 entries (allowed)", entries_1024),
    ("1025 entries", entries_1025),
    ("60,000 entries, count says 5", entries_60k_lying_count),
    ("stored entry claiming 64 MB", stored_entry_claiming_64mb),
    ("JSON nested 3,000,000 deep", deep_json),
    ("JSON of 12M tiny containers", dense_json),
    ("JSON containers at budget", empty_containers_at_budget),
    ("JSON unique keys at budget", unique_keys_at_budget),
    ("JSON floats at budget", floats_at_budget),
    ("JSON UCS-4 string at budget", wide_strings_at_budget),
    ("realistic runs, 9 MB file", realistic_runs),
    ("safetensors header 50 MB", huge_safetensors_header),
    ("FIFO", fifo),
]


# ------------------------------------------------------------------------------------------------ measuring


def measure(path: Path) -> dict:
    """Run unpack_entries (and read_header on each weights entry) on `path` in a fresh process."""
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    if done.returncode != 0:
        return {"outcome": f"CRASHED: {done.stderr.strip().splitlines()[-1:]}", "seconds": 0, "peak": 0}
    return json.loads(done.stdout)


def child(path: str) -> None:
    import time

    import numpy  # noqa: F401  - part of the baseline: the app has it loaded

    from lstm_desktop.core.errors import ProjectFileError
    from lstm_desktop.core.store.project_file import unpack_entries
    from lstm_desktop.core.store.weights_file import read_header

    baseline = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS
    start = time.perf_counter()
    try:
        _, entries = unpack_entries(path)
        for name, data in entries.items():
            if name.endswith(".safetensors"):
                read_header(data, name=name)
        outcome = f"opened ({len(entries)} entries)"
    except ProjectFileError as exc:
        outcome = f"refused: {str(exc).split(': ', 1)[-1]}"
    seconds = time.perf_counter() - start
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak": _status("VmHWM") - baseline}))


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def main() -> int:
    print(f"{'case':34} {'file MB':>8} {'seconds':>8} {'peak MB':>8}  outcome")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for index, (name, make) in enumerate(CASES):
            path = make(Path(folder) / f"case{index}.lstmproj")
            size = path.stat().st_size if path.is_file() else 0
            assert size <= FILE_LIMIT, f"{name}: {size} bytes"
            result = measure(path)
            worst = max(worst, result["peak"] / 10**6)
            print(f"{name:34} {size / 10**6:8.2f} {result['seconds']:8.2f} {result['peak'] / 10**6:8.1f}  "
                  f"{result['outcome'][:90]}")  # fmt: skip
    print(f"worst peak: {worst:.0f} MB above baseline")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        child(sys.argv[2])
    else:
        sys.exit(main())
