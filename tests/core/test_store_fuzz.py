"""Fuzzing the project file reader: mutations of a valid container (bytes flipped, cut, added; zip header fields,
names, end record; project.json text; safetensors header fields) must each end in a valid result or a
ProjectFileError, never another exception, within time and memory bounds.

Runs in ~15 s by default; set LSTM_DESKTOP_FUZZ_EXAMPLES=2000 (examples per test) for a longer hunt.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from lstm_desktop.core.errors import ProjectFileError
from lstm_desktop.core.store.json_shape import json_shape
from lstm_desktop.core.store.project_file import pack_entries, unpack_entries
from lstm_desktop.core.store.weights_file import DTYPE_BYTES, load_float32, read_header

from .test_store_container import CENTRAL, END, LOCAL, META, PRICES, central_headers, put

torch = pytest.importorskip("torch")
from safetensors.torch import save  # noqa: E402

# Hypothesis caches what it reads of the source (.hypothesis/) in the working folder even without a database:
# keep the repository clean (the same folder as tests/core/test_data_fuzz_csv.py)
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "lstm-desktop-hypothesis")

EXAMPLES = int(os.environ.get("LSTM_DESKTOP_FUZZ_EXAMPLES", "0"))
MAX_SECONDS, MAX_PEAK = 5.0, 64 * 2**20  # per example: a few KB of input must never cost more
SHAPES = {"lstm.weight_ih_l0": (8, 3), "lstm.bias_ih_l0": (8,), "head.weight": (1, 2)}
WEIGHTS = save(
    {name: torch.arange(math.prod(shape), dtype=torch.float32).reshape(shape) for name, shape in SHAPES.items()}
)
ENTRIES = {"prices/d1.csv": PRICES, "weights/r1.safetensors": WEIGHTS, "prices.csv": PRICES[:200]}
VALID = pack_entries(META, ENTRIES)
NAMES = list(central_headers(VALID))
INTERESTING = [0, 1, 7, 8, 100, 255, 256, 2**15, 2**16 - 1, 2**20, 2**26, 2**31 - 1, 2**31, 2**32 - 1]


def fuzz(default: int):
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def spot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "case.lstmproj"


def opens_or_refuses(data: bytes, path: Path) -> tuple[dict, dict] | None:
    """unpack_entries on `data`: the result, or None for a ProjectFileError; anything else fails the test, as does
    taking more than MAX_SECONDS or MAX_PEAK bytes of traced memory."""
    path.write_bytes(data)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        return unpack_entries(path)
    except ProjectFileError as exc:
        assert str(exc)
        return None
    finally:
        seconds, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert seconds < MAX_SECONDS, f"took {seconds:.1f} s"
        assert peak < MAX_PEAK, f"took {peak / 2**20:.0f} MB"


def number(declared: int = 0) -> st.SearchStrategy[int]:
    near = [max(declared + d, 0) for d in (-1, 1, 100)]
    return st.sampled_from(INTERESTING + near) | st.integers(0, 2**32 - 1)


# ------------------------------------------------------------------------------------------------ raw bytes


@fuzz(150)
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)), min_size=1, max_size=8))
def test_flipped_bytes(spot: Path, flips: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for at, mask in flips:
        data[at] ^= mask
    opens_or_refuses(bytes(data), spot)


@fuzz(100)
@given(st.integers(0, len(VALID)), st.binary(max_size=300), st.integers(0, len(VALID)))
def test_cut_extended_and_spliced_bytes(spot: Path, cut: int, extra: bytes, splice: int) -> None:
    opens_or_refuses(VALID[:cut], spot)
    opens_or_refuses(VALID + extra, spot)
    opens_or_refuses(VALID[:splice] + extra + VALID[splice:], spot)
    opens_or_refuses(VALID[:splice] + VALID[splice + len(extra) :], spot)


# ------------------------------------------------------------------------------------------------ zip headers


@fuzz(200)
@given(st.data())
def test_changed_header_fields(spot: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(NAMES))
    field = data.draw(st.sampled_from(sorted(CENTRAL)))
    value = data.draw(number(len(PRICES)) if field.endswith("size") else number())
    fmt = CENTRAL[field][1]
    value %= 2 ** (8 * struct.calcsize(fmt))
    central_at, local_at = central_headers(VALID)[name]
    changed = put(VALID, central_at + CENTRAL[field][0], fmt, value)
    if field in LOCAL and data.draw(st.booleans()):
        changed = put(changed, local_at + LOCAL[field][0], LOCAL[field][1], value)
    opens_or_refuses(changed, spot)


@fuzz(100)
@given(st.data())
def test_changed_names(spot: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(NAMES))
    size = len(name.encode())
    others = [n.encode() for n in NAMES if len(n.encode()) == size] + [b"../" + b"x" * (size - 3), b"\0" * size]
    new = data.draw(st.sampled_from(others) | st.binary(min_size=size, max_size=size))
    central_at, local_at = central_headers(VALID)[name]
    changed = bytearray(VALID)
    if data.draw(st.booleans()):
        changed[central_at + 46 : central_at + 46 + size] = new
    if data.draw(st.booleans()):
        changed[local_at + 30 : local_at + 30 + size] = new
    if data.draw(st.booleans()):  # claim UTF-8 names, whatever the bytes
        flags = struct.unpack_from("<H", changed, central_at + 8)[0] | 0x800
        struct.pack_into("<H", changed, central_at + 8, flags)
    opens_or_refuses(bytes(changed), spot)


@fuzz(100)
@given(st.sampled_from(sorted(END)), st.data())
def test_changed_end_record(spot: Path, field: str, data: st.DataObject) -> None:
    fmt = END[field][1]
    value = data.draw(number()) % 2 ** (8 * struct.calcsize(fmt))
    end = VALID.rfind(b"PK\x05\x06")
    opens_or_refuses(put(VALID, end + END[field][0], fmt, value), spot)


@fuzz(60)
@given(st.lists(st.sampled_from(["prices.csv", "prices/d1.csv", "weights/r1.safetensors", "junk"]), max_size=6))
def test_duplicated_and_extra_entries(spot: Path, extra: list[str]) -> None:
    buffer = io.BytesIO(VALID)
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": on purpose
        for name in extra:
            archive.writestr(name, b"more")
    result = opens_or_refuses(buffer.getvalue(), spot)
    assert (result is None) == bool(set(extra) - {"junk"})


# ------------------------------------------------------------------------------------------------ project.json

JSON_PIECES = st.sampled_from(['{', '}', '[', ']', '"', ':', ',', '\\', '\\"', '"a"', '0', '1e400', 'NaN', 'nul',
                               'é', '\\ud83d', ' ', '{"checksums":{}}'])  # fmt: skip


@fuzz(150)
@given(st.lists(JSON_PIECES, max_size=200), st.integers(0, 2000))
def test_any_project_json_text(spot: Path, pieces: list[str], depth: int) -> None:
    for document in ("".join(pieces), "[" * depth + "".join(pieces) + "]" * depth):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.json", document.encode("utf-8", "surrogatepass"))
        opens_or_refuses(buffer.getvalue(), spot)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=40,
)


def measured(value: object, level: int = 0) -> tuple[int, int, int]:
    """(depth, containers, members) of a parsed JSON value, counted the straightforward way."""
    if isinstance(value, dict):
        inner = [measured(v, level + 1) for v in value.values()]
        return (max([level + 1] + [d for d, _, _ in inner]), 1 + sum(c for _, c, _ in inner),
                len(value) + sum(m for _, _, m in inner))  # fmt: skip
    if isinstance(value, list):
        inner = [measured(v, level + 1) for v in value]
        return max([level + 1] + [d for d, _, _ in inner]), 1 + sum(c for _, c, _ in inner), sum(m for *_, m in inner)
    return level, 0, 0


@fuzz(200)
@given(JSON_VALUES, st.booleans(), st.sampled_from([None, 1]))
def test_json_shape_counts_valid_json_exactly(value: object, ascii_only: bool, indent: int | None) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode("utf-8", "surrogatepass")
    shape = json_shape(text)
    assert (shape.depth, shape.opens, shape.colons) == measured(json.loads(text))


# ------------------------------------------------------------------------------------------------ safetensors


def header_of(data: bytes) -> dict:
    size = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8 : 8 + size])


def with_header(header: dict, body: bytes, length_delta: int = 0) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", max(len(text) + length_delta, 0)) + text + body


TENSOR_FIELDS = {
    "dtype": st.sampled_from([*DTYPE_BYTES, "F4", "bf16", "", "F32 "]) | st.integers(),
    "shape": st.lists(st.integers(-2, 2**33), max_size=9) | st.just("8") | st.none(),
    "data_offsets": st.lists(st.integers(-5, 2**34), min_size=0, max_size=3) | st.just([0, 1.5]),
}


@fuzz(200)
@given(st.data())
def test_changed_safetensors_headers(spot: Path, data: st.DataObject) -> None:
    header = header_of(WEIGHTS)
    body = WEIGHTS[8 + struct.unpack("<Q", WEIGHTS[:8])[0] :]
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(sorted(header)))
        action = data.draw(st.sampled_from(["field", "drop", "rename", "copy", "metadata"]))
        if action == "field":
            field = data.draw(st.sampled_from(sorted(TENSOR_FIELDS)))
            header[name] = dict(header[name], **{field: data.draw(TENSOR_FIELDS[field])})
        elif action == "drop":
            header.pop(name)
        elif action == "rename":
            header[data.draw(st.sampled_from(["x", "head.weight", "a b", "lstm.weight_hh_l0"]))] = header.pop(name)
        elif action == "copy":
            header[name + "2"] = header[name]
        else:
            header["__metadata__"] = data.draw(st.dictionaries(st.text(max_size=5), st.text(max_size=5) | st.none()))
    cut = data.draw(st.integers(-16, 16))
    weights = with_header(
        header, body[:cut] if cut < 0 else body + b"\0" * cut, data.draw(st.sampled_from([0, 0, -1, 3]))
    )
    check_weights(weights)
    opened = opens_or_refuses(pack_entries(META, {"weights/r1.safetensors": weights}), spot)
    assert opened is not None and opened[1]["weights/r1.safetensors"] == weights


@fuzz(150)
@given(st.lists(st.tuples(st.integers(0, len(WEIGHTS) - 1), st.integers(1, 255)), min_size=1, max_size=6))
def test_flipped_safetensors_bytes(flips: list[tuple[int, int]]) -> None:
    data = bytearray(WEIGHTS)
    for at, mask in flips:
        data[at] ^= mask
    check_weights(bytes(data))


def check_weights(data: bytes) -> None:
    """read_header and load_float32 each give a valid result or a ProjectFileError; a result fits SHAPES."""
    start = time.perf_counter()
    try:
        header = read_header(data)
        assert all(dtype in DTYPE_BYTES and all(n >= 0 for n in shape) for dtype, shape in header.values())
    except ProjectFileError:
        pass
    try:
        tensors = load_float32(data, SHAPES)
        assert {name: tuple(t.shape) for name, t in tensors.items()} == SHAPES
        assert all(t.dtype == torch.float32 for t in tensors.values())
    except ProjectFileError:
        pass
    assert time.perf_counter() - start < MAX_SECONDS


def test_the_unmutated_container_opens(spot: Path) -> None:
    """The fuzz cases start from a container that opens, so refusals come from the mutations."""
    opened = opens_or_refuses(VALID, spot)
    assert opened is not None and opened[1] == ENTRIES
    assert load_float32(WEIGHTS, SHAPES).keys() == SHAPES.keys()
