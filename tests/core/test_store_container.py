"""The .lstmproj container read as a stranger's file: special files, zip bombs, lying headers, encryption, unknown
compression, deep or costly JSON, duplicates, checksums. Every refusal is a ProjectFileError naming the problem."""

from __future__ import annotations

import io
import json
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest

from lstm_desktop.core.errors import ProjectFileError
from lstm_desktop.core.store import container_read, project_file
from lstm_desktop.core.store.container_format import MAX_CSV_BYTES, MAX_ENTRIES, sha256
from lstm_desktop.core.store.json_shape import MAX_JSON_DEPTH
from lstm_desktop.core.store.project_file import (
    SaveFailed,
    pack,
    pack_entries,
    unpack,
    unpack_entries,
)

META = {"schema_version": 4, "notes": "héllo", "score": float("nan"), "runs": [{"id": "r1"}]}
PRICES = b"date,ticker,close\n" + b"".join(b"2020-01-%02d,MSFT,%d.5\n" % (d, 100 + d) for d in range(1, 29))
WEIGHTS = b'@\x00\x00\x00\x00\x00\x00\x00{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}' + b"\x00" * 8
ENTRIES = {"prices/d1.csv": PRICES, "weights/r1.safetensors": WEIGHTS}

# zip header fields the tests rewrite: (offset in the header, struct format)
CENTRAL = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "compress_size": (20, "<I"),
           "file_size": (24, "<I"), "offset": (42, "<I")}  # fmt: skip
LOCAL = {"flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "compress_size": (18, "<I"),
         "file_size": (22, "<I")}  # fmt: skip
END = {"on_disk": (8, "<H"), "total": (10, "<H"), "directory_size": (12, "<I"), "directory_offset": (16, "<I")}


def central_headers(data: bytes) -> dict[str, tuple[int, int]]:
    """{name: (offset of its central directory header, offset of its local header)} of a well-formed zip."""
    end = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack("<HII", data[end + 10 : end + 20])
    headers, at = {}, start
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[at + 28 : at + 34])
        name = data[at + 46 : at + 46 + name_len].decode("utf-8", "replace")
        headers[name] = (at, struct.unpack("<I", data[at + 42 : at + 46])[0])
        at += 46 + name_len + extra_len + comment_len
    return headers


def put(data: bytes, at: int, fmt: str, value: int) -> bytes:
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt) :]


def patch_entry(data: bytes, name: str, *, local: bool = True, **fields: int) -> bytes:
    """`data` with header fields of entry `name` set, in the central directory and (if `local`) the local header."""
    central_at, local_at = central_headers(data)[name]
    for field, value in fields.items():
        data = put(data, central_at + CENTRAL[field][0], CENTRAL[field][1], value)
        if local and field in LOCAL:
            data = put(data, local_at + LOCAL[field][0], LOCAL[field][1], value)
    return data


def patch_end(data: bytes, **fields: int) -> bytes:
    end = data.rfind(b"PK\x05\x06")
    for field, value in fields.items():
        data = put(data, end + END[field][0], END[field][1], value)
    return data


def build(entries: dict[str, bytes], meta: dict | None = None, *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of project.json (meta with checksums of `entries`) and `entries`, all compressed with `method`."""
    meta = dict(META if meta is None else meta)
    meta.setdefault("checksums", {n: sha256(d) for n, d in entries.items()})
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression=method) as archive:
        warnings.simplefilter("ignore")  # duplicate names are written on purpose
        archive.writestr("project.json", json.dumps(meta))
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def saved(tmp_path: Path, data: bytes, name: str = "p.lstmproj") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(path: Path, message: str) -> ProjectFileError:
    with pytest.raises(ProjectFileError, match=message) as caught:
        unpack_entries(path)
    return caught.value


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return saved(tmp_path, pack_entries(META, ENTRIES))


# ------------------------------------------------------------------------------------------------ the format


def test_round_trip_keeps_every_entry_and_adds_checksums(good: Path) -> None:
    meta, entries = unpack_entries(good)
    assert entries == ENTRIES
    assert meta["notes"] == "héllo" and meta["score"] != meta["score"]  # NaN written and read back
    assert meta["checksums"] == {name: sha256(data) for name, data in ENTRIES.items()}
    infos = {info.filename: info for info in zipfile.ZipFile(good).infolist()}
    assert list(infos) == ["project.json", "prices/d1.csv", "weights/r1.safetensors"]
    assert infos["project.json"].compress_type == infos["prices/d1.csv"].compress_type == zipfile.ZIP_DEFLATED
    assert infos["weights/r1.safetensors"].compress_type == zipfile.ZIP_STORED


def test_the_schema_3_layout_still_packs_and_unpacks(tmp_path: Path) -> None:
    path = saved(tmp_path, pack({"schema_version": 3}, PRICES, WEIGHTS))
    assert zipfile.ZipFile(path).namelist() == ["project.json", "prices.csv", "model.safetensors"]
    meta, prices, weights = unpack(path)
    assert (prices, weights) == (PRICES, WEIGHTS) and meta["schema_version"] == 3
    meta, prices, weights = unpack(saved(tmp_path, pack({"schema_version": 3}, PRICES, None), "untrained.lstmproj"))
    assert (prices, weights) == (PRICES, None)


def test_pre_encoded_json_is_packed_as_it_is(tmp_path: Path) -> None:
    history = '[{"id":"r1","report":{"rmse":NaN}},{"id":"r2"}]'
    meta, entries = unpack_entries(saved(tmp_path, project_file.pack_encoded(META, "history", history, ENTRIES)))
    assert entries == ENTRIES and meta["notes"] == META["notes"] and meta["history"][1] == {"id": "r2"}
    assert meta["checksums"] == {name: sha256(data) for name, data in ENTRIES.items()}
    meta, _ = unpack_entries(saved(tmp_path, project_file.pack_encoded({}, "runs", "[]", {}), "empty.lstmproj"))
    assert meta == {"checksums": {}, "runs": []}
    for key in ("notes", "checksums"):
        with pytest.raises(ValueError, match="already part of the metadata"):
            project_file.pack_encoded(META, key, "1", {})


@pytest.mark.parametrize("name", ["project.json", "notes.txt", "prices/../x.csv", "weights/a b.safetensors",
                                  "prices/" + "x" * 65 + ".csv"])  # fmt: skip
def test_packing_refuses_names_it_could_not_read_back(name: str) -> None:
    with pytest.raises(ValueError, match="not an entry name"):
        pack_entries({}, {name: b"x"})


def test_packing_refuses_entries_it_would_refuse_to_open() -> None:
    with pytest.raises(SaveFailed, match="prices/big.csv would be larger than 64 MB"):
        pack_entries({}, {"prices/big.csv": b"\0" * (MAX_CSV_BYTES + 1)})
    with pytest.raises(SaveFailed, match="at most 1024 entries"):
        pack_entries({}, {f"prices/{i}.csv": b"" for i in range(MAX_ENTRIES)})


def test_unknown_entries_are_ignored_and_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = pack_entries(META, ENTRIES)
    odd = ["../../escape.txt", "/etc/passwd", "prices/../../x.csv", "readme.txt", "prices/d1.csv.bak", "Project.json"]
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        for name in odd:
            archive.writestr(name, b"not for reading")
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    _, entries = unpack_entries(saved(tmp_path, buffer.getvalue()))
    assert entries == ENTRIES
    assert sorted(opened) == sorted(["project.json", *ENTRIES])
    assert not (tmp_path.parent / "escape.txt").exists()


# ------------------------------------------------------------------------------------------------ the path


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    """In a subprocess with a timeout, so that a regression (a blocking open) fails instead of hanging the suite."""
    fifo = tmp_path / "x.lstmproj"
    os.mkfifo(fifo)
    script = (
        "import sys, time\n"
        "from lstm_desktop.core.store.project_file import unpack_entries\n"
        "from lstm_desktop.core.errors import ProjectFileError\n"
        "start = time.monotonic()\n"
        "try:\n"
        f"    unpack_entries({str(fifo)!r})\n"
        "except ProjectFileError as exc:\n"
        "    print(f'{time.monotonic() - start:.3f} {exc}')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    seconds, message = done.stdout.split(" ", 1)
    assert float(seconds) < 0.5
    assert message.strip() == f"{fifo} is a named pipe (FIFO), not a project file."


def test_folders_devices_and_sockets_are_refused_naming_what_they_are(tmp_path: Path) -> None:
    (tmp_path / "folder.lstmproj").mkdir()
    refused(tmp_path / "folder.lstmproj", "folder.lstmproj is a folder, not a project file")
    refused(Path(os.devnull), "is a character device, not a project file")
    with tempfile.TemporaryDirectory(dir="/tmp") as short:  # socket paths must be short
        path = Path(short) / "s.lstmproj"
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(path))
            refused(path, "s.lstmproj is a socket, not a project file")
        finally:
            server.close()


def test_missing_and_unreadable_files_have_clear_messages(
    good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused(tmp_path / "absent.lstmproj", "Project file not found")
    refused(good / "inside.lstmproj", "Project file not found")  # a file where a folder should be

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(container_read.os, "open", denied)
    refused(good, "Cannot read .*p.lstmproj: permission denied")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_refused(good: Path) -> None:
    good.chmod(0)
    refused(good, "permission denied")


def test_a_symlink_to_a_project_opens(good: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.lstmproj"
    link.symlink_to(good)
    assert unpack_entries(link)[1] == ENTRIES


# ------------------------------------------------------------------------------------------------ zip headers


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "not a zip container"), (b"hello", "not a zip container"), (os.urandom(3000), "not a zip container")],
)
def test_what_is_not_a_zip_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    refused(saved(tmp_path, content), message)


def test_truncated_files_are_refused(good: Path) -> None:
    data = good.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 30, len(data) - 1):
        good.write_bytes(data[:cut])
        refused(good, "damaged|not a zip container")


def test_a_zip_bomb_is_refused_from_its_headers_cheaply(tmp_path: Path) -> None:
    path = saved(tmp_path, build({"prices/d1.csv": b"0" * (60 * 2**20)}))
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    start = time.perf_counter()
    try:
        refused(path, r"prices/d1.csv would expand [\d,]+ times \(at most 100 is allowed: a zip bomb\?\)")
        seconds, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 1 and peak < 5 * 2**20


def test_entries_larger_than_their_limit_are_refused_before_reading(tmp_path: Path) -> None:
    data = build({"prices/d1.csv": PRICES})
    refused(saved(tmp_path, patch_entry(data, "prices/d1.csv", file_size=65 * 2**20)), "larger than 64 MB")


@pytest.mark.parametrize(
    ("declared", "message"),
    [(len(PRICES) - 100, "Bad CRC|more than its recorded size"), (len(PRICES) + 100, "less than its recorded size")],
)
def test_sizes_that_lie_are_caught_while_streaming(tmp_path: Path, declared: int, message: str) -> None:
    data = patch_entry(build({"prices/d1.csv": PRICES}), "prices/d1.csv", file_size=declared)
    refused(saved(tmp_path, data), message)


def test_a_lie_that_claims_less_never_yields_more_than_declared(tmp_path: Path) -> None:
    """The CRC made to match the first bytes: what comes out is cut at the declared size, then the checksum fails."""
    import zlib

    data = build({"prices/d1.csv": PRICES})
    data = patch_entry(data, "prices/d1.csv", file_size=50, crc=zlib.crc32(PRICES[:50]))
    refused(saved(tmp_path, data), "prices/d1.csv does not match its checksum")


def test_stored_entries_whose_sizes_disagree_are_refused(tmp_path: Path) -> None:
    data = build({"prices/d1.csv": PRICES}, method=zipfile.ZIP_STORED)
    refused(saved(tmp_path, patch_entry(data, "prices/d1.csv", compress_size=10)), "sizes recorded .* disagree")


def test_an_entry_running_past_the_end_is_refused(tmp_path: Path) -> None:
    data = build({"prices/d1.csv": PRICES}, method=zipfile.ZIP_STORED)
    huge = 2**31
    refused(saved(tmp_path, patch_entry(data, "prices/d1.csv", offset=huge, local=False)), "runs past the end")


@pytest.mark.parametrize("flag", [0x1, 0x40, 0x2000])
def test_encrypted_entries_are_refused(tmp_path: Path, flag: int) -> None:
    data = patch_entry(build({"prices/d1.csv": PRICES}), "prices/d1.csv", flags=flag)
    refused(saved(tmp_path, data), "prices/d1.csv is encrypted")


@pytest.mark.parametrize(
    ("method", "name"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "LZMA"), (93, "Zstandard"), (7, "method 7")]
)
def test_unsupported_compression_is_refused(tmp_path: Path, method: int, name: str) -> None:
    if method in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        data = build({"prices/d1.csv": PRICES}, method=method)
    else:
        data = patch_entry(build({"prices/d1.csv": PRICES}), "prices/d1.csv", method=method)
    refused(saved(tmp_path, data), f"project.json is compressed with {name}|prices/d1.csv is compressed with {name}")


def test_duplicate_entries_are_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO(build({"prices/d1.csv": PRICES}))
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as archive:
        warnings.simplefilter("ignore")
        archive.writestr("prices/d1.csv", b"other prices")
    refused(saved(tmp_path, buffer.getvalue()), "holds prices/d1.csv twice")


def test_too_many_entries_are_refused_before_the_table_is_parsed(tmp_path: Path) -> None:
    entries = {f"junk/{i}": b"" for i in range(MAX_ENTRIES + 1)}
    refused(saved(tmp_path, build(entries)), "holds 1,026 entries, more than the 1024 allowed")
    lying_count = patch_end(build(entries), on_disk=5, total=5)  # the table itself is counted too
    refused(saved(tmp_path, lying_count, "q.lstmproj"), "table of contents is|more than the 1024 allowed")


def test_a_huge_table_of_contents_is_refused(tmp_path: Path) -> None:
    data = patch_end(build({"prices/d1.csv": PRICES}), directory_size=50 * 2**20)
    refused(saved(tmp_path, data), "table of contents is 52,428,800 bytes")


def test_zip64_archives_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)  # makes zipfile write ZIP64 end records
    refused(saved(tmp_path, build({"prices/d1.csv": PRICES})), "ZIP64")


# ------------------------------------------------------------------------------------------------ project.json


def test_deeply_nested_json_is_refused_without_recursion(tmp_path: Path) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", b'{"a":' + deep + b"}")
    refused(saved(tmp_path, buffer.getvalue()), "project.json is nested deeper than 64 levels")


def test_nesting_up_to_the_limit_is_accepted_and_brackets_in_strings_do_not_count(tmp_path: Path) -> None:
    nested: dict | list = []
    for _ in range(MAX_JSON_DEPTH - 2):
        nested = [nested]
    meta = {"deep": nested, "notes": "[[[[" * 100 + '\\"[{' * 50}
    assert unpack_entries(saved(tmp_path, build({}, meta)))[0]["notes"] == meta["notes"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"[1, 2]", "project.json is not an object"),
        (b'{"a": 1', "project.json is not valid JSON"),
        (b'{"a": "\xff"}', "project.json is not UTF-8"),
        ('{"a": 1}'.encode("utf-16"), "project.json is not UTF-8"),
        (b'\xef\xbb\xbf{"a": 1}', "project.json is not valid JSON"),
        (b'{"a": ' + b"9" * 5000 + b"}", "project.json is not valid JSON"),
    ],
)
def test_project_json_must_be_a_utf8_json_object(tmp_path: Path, document: bytes, message: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.json", document)
    refused(saved(tmp_path, buffer.getvalue()), message)


def test_json_that_would_parse_into_gigabytes_is_refused_before_parsing(tmp_path: Path) -> None:
    """10 MB of small random containers (2 MB zipped) would be ~1 GB of Python objects: refused from a count of its
    tokens before json.loads builds any of them."""
    rnd = random.Random(0)
    body = b",".join(rnd.choice([b"{}", b"[]", b"[0]", b"[[]]"]) for _ in range(3_000_000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("project.json", b'{"a":[' + body + b"]}")
    path = saved(tmp_path, buffer.getvalue())
    assert path.stat().st_size < 3_000_000
    tracemalloc.start()
    try:
        refused(path, r"opening it would take about [\d,]+ MB of memory, more than the \d+ MB allowed")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20


def test_a_big_json_heavy_project_opens(tmp_path: Path) -> None:
    """~41 MB of real run results (the schema-1 fixture's, repeated) with tiny weights: what 200 runs of small
    models write. The memory allowance must let it open."""
    with zipfile.ZipFile(Path(__file__).resolve().parents[1] / "data" / "project_v1.lstmproj") as archive:
        results = json.loads(archive.read("project.json"))["results"]
    runs = [dict(results, id=f"run{i}") for i in range(1150)]
    path = saved(tmp_path, pack_entries({"runs": runs}, {f"weights/run{i}.safetensors": WEIGHTS for i in range(200)}))
    assert zipfile.ZipFile(path).getinfo("project.json").file_size > 40 * 10**6
    assert len(unpack_entries(path)[0]["runs"]) == 1150


def test_no_project_json_means_not_a_project(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("prices.csv", PRICES)
    refused(saved(tmp_path, buffer.getvalue()), "not an lstm-desktop project .it has no project.json")


# ------------------------------------------------------------------------------------------------ checksums


def test_an_entry_that_does_not_match_its_checksum_is_refused(tmp_path: Path) -> None:
    meta = dict(META, checksums={"prices/d1.csv": sha256(b"other")})
    refused(saved(tmp_path, build({"prices/d1.csv": PRICES}, meta)), "prices/d1.csv does not match its checksum")


def test_an_entry_listed_but_missing_is_refused(tmp_path: Path) -> None:
    meta = dict(META, checksums={"weights/r9.safetensors": sha256(b"")})
    refused(saved(tmp_path, build({}, meta)), r"weights/r9.safetensors is missing \(project.json lists it\)")


def test_a_recognised_entry_without_a_checksum_is_refused(tmp_path: Path) -> None:
    meta = dict(META, checksums={})
    refused(saved(tmp_path, build({"weights/r1.safetensors": WEIGHTS}, meta)), "has no checksum in project.json")


@pytest.mark.parametrize("checksums", [None, [], {"prices/d1.csv": 7}, {"prices/d1.csv": "ABC"}])
def test_checksums_must_be_sha256_digests(tmp_path: Path, checksums: object) -> None:
    meta = dict(META, checksums=checksums)
    refused(saved(tmp_path, build({"prices/d1.csv": PRICES}, meta)), "no checksums|not a SHA-256 digest")
