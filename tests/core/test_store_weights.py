"""Safetensors weights checked from their header before any tensor is made: lengths, offsets, dtypes, shapes."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
from pathlib import Path

import pytest

from lstm_desktop.core.errors import ProjectFileError
from lstm_desktop.core.store import weights_file
from lstm_desktop.core.store.weights_file import MAX_HEADER_BYTES, load_float32, read_header

torch = pytest.importorskip("torch")
from safetensors.torch import save  # noqa: E402

EXPECTED = {"lstm.weight_ih_l0": (32, 3), "lstm.bias_ih_l0": (32,), "head.weight": (1, 8)}


def state(dtype=None) -> dict:
    generator = torch.Generator().manual_seed(0)
    tensors = {name: torch.randn(shape, generator=generator) for name, shape in EXPECTED.items()}
    return {name: t.to(dtype) for name, t in tensors.items()} if dtype is not None else tensors


def raw(header: dict | bytes, data: bytes = b"", length: int | None = None) -> bytes:
    """A safetensors file from a header given as a dict or as bytes, and the data after it."""
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def tensor(dtype: str, shape: list, begin: int, end: int) -> dict:
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def refused(data: bytes, message: str, expected: dict | None = None) -> None:
    with pytest.raises(ProjectFileError, match=message):
        if expected is None:
            read_header(data)
        else:
            load_float32(data, expected)


def test_the_header_of_real_weights_is_read() -> None:
    header = read_header(save(state(), metadata={"format": "pt"}))
    assert header == {name: ("F32", shape) for name, shape in EXPECTED.items()}


def test_float32_weights_load_exactly() -> None:
    tensors = state()
    loaded = load_float32(save(tensors), EXPECTED)
    assert loaded.keys() == tensors.keys()
    assert all(torch.equal(loaded[name], tensors[name]) for name in tensors)


# ------------------------------------------------------------------------------------------------ the header


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "0 bytes, too short for the 8-byte header length"),
        (b"\x10\x00\x00", "too short"),
        (raw({}, length=10_000), "the header of 10,000 bytes runs past the end"),
        (raw({}, length=2**64 - 1), "a header of 18,446,744,073,709,551,615 bytes, more than 1 MB"),
        (raw(b"[]"), "the header is not a JSON object"),
        (raw(b" {}"), "the header is not a JSON object"),
        (raw(b"{nope}"), "the header is not valid JSON"),
        (raw(b'{"a": "\xff"}'), "the header is not valid JSON"),
        (raw(b'{"x":' + b"[" * 5000 + b"]" * 5000 + b"}"), "nested too deeply"),
    ],
)
def test_bad_lengths_and_bad_json_are_refused(data: bytes, message: str) -> None:
    refused(data, message)


def test_a_huge_header_is_refused_before_it_is_read() -> None:
    big = {f"t{i}": tensor("F32", [0], 0, 0) for i in range(30_000)}
    data = raw(big)
    assert len(data) > MAX_HEADER_BYTES
    refused(data, r"a header of [\d,]+ bytes, more than 1 MB")


def test_a_pickle_is_not_a_safetensors_file_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    refused(pickle.dumps({"x": Payload()}), "not a valid safetensors file")
    buffer = io.BytesIO()
    torch.save({"x": torch.zeros(2)}, buffer)
    refused(buffer.getvalue(), "not a valid safetensors file", EXPECTED)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"bad name!": tensor("F32", [1], 0, 4)}, "a tensor name is not a state-dict key: 'bad name!'"),
        ({"": tensor("F32", [1], 0, 4)}, "a tensor name is not a state-dict key"),
        ({"w": tensor("F32", [1], 0, 4) | {"extra": 1}}, "w must have exactly dtype, shape and data_offsets"),
        ({"w": [1, 2]}, "w must have exactly dtype, shape and data_offsets"),
        ({"w": tensor("Q7", [1], 0, 4)}, "w has an unknown dtype 'Q7'"),
        ({"w": tensor("F32", [-1], 0, 4)}, "w has a shape that is not a list"),
        ({"w": tensor("F32", [True], 0, 4)}, "w has a shape that is not a list"),
        ({"w": tensor("F32", [1] * 9, 0, 4)}, "a shape that is not a list of at most 8 sizes"),
        ({"w": tensor("F32", "1", 0, 4)}, "w has a shape that is not a list"),
        ({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}, "w has data_offsets that are not"),
        ({"w": tensor("F32", [1], 4, 0)}, "w has data_offsets that are not"),
        ({"w": tensor("F32", [1], 0, 1.5)}, "w has data_offsets that are not"),
        ({"w": tensor("F32", [2], 0, 4)}, "w spans 4 bytes, but F32 \\[2\\] needs a different size"),
        ({"w": tensor("F32", [2**40, 2**40], 0, 4)}, "w spans 4 bytes"),
        ({"w": tensor("F32", [1], 0, 4), "__metadata__": {"a": 1}}, "__metadata__ must map names to strings"),
    ],
)
def test_bad_tensor_entries_are_refused_naming_the_tensor(header: dict, message: str) -> None:
    refused(raw(header, b"\0" * 4), message)


@pytest.mark.parametrize(
    ("header", "size", "message"),
    [
        ({"w": tensor("F32", [1], 4, 8)}, 8, "w leaves a gap before it"),
        ({"a": tensor("F32", [2], 0, 8), "b": tensor("F32", [1], 4, 8)}, 8, "b overlaps another tensor"),
        ({"a": tensor("F32", [2], 0, 8), "b": tensor("F32", [2], 0, 8)}, 16, "overlaps another tensor"),
        ({"w": tensor("F32", [1], 0, 4)}, 8, "the tensors cover 4 bytes, the data is 8"),
        ({"w": tensor("F32", [4], 0, 16)}, 8, "the tensors cover 16 bytes, the data is 8"),
        ({"w": tensor("F32", [2**30], 0, 2**32)}, 8, "the tensors cover 4,294,967,296 bytes, the data is 8"),
    ],
)
def test_offsets_outside_the_buffer_or_overlapping_are_refused(header: dict, size: int, message: str) -> None:
    refused(raw(header, b"\0" * size), message)


def test_a_tensor_named_twice_is_refused() -> None:
    entry = b'{"dtype":"F32","shape":[1],"data_offsets":[0,4]}'
    text = b'{"w":' + entry + b',"w":' + entry + b"}"
    refused(raw(text, b"\0" * 4), "'w' appears twice")


# ------------------------------------------------------------------------------------------------ loading


@pytest.mark.parametrize(
    ("dtype", "name"),
    [("bfloat16", "BF16"), ("float16", "F16"), ("float64", "F64"), ("float8_e4m3fn", "F8_E4M3"),
     ("float8_e5m2", "F8_E5M2")],
)  # fmt: skip
def test_weights_other_than_float32_are_refused_naming_the_tensor(dtype: str, name: str) -> None:
    tensors = state()
    tensors["lstm.weight_ih_l0"] = tensors["lstm.weight_ih_l0"].to(getattr(torch, dtype))
    refused(save(tensors), f"lstm.weight_ih_l0 is {name}; only float32 .F32. is read", EXPECTED)


def test_a_wrong_shape_is_refused_naming_the_tensor_and_both_shapes() -> None:
    tensors = state()
    tensors["head.weight"] = torch.zeros(1, 9)
    refused(save(tensors), r"head.weight has shape \[1, 9\], the model needs \[1, 8\]", EXPECTED)


def test_missing_and_extra_tensors_are_refused() -> None:
    tensors = state()
    del tensors["lstm.bias_ih_l0"]
    refused(save(tensors), "lstm.bias_ih_l0 is missing", EXPECTED)
    tensors = state() | {"spy.weight": torch.zeros(2)}
    refused(save(tensors), "spy.weight is not part of it", EXPECTED)


def test_every_check_happens_before_a_tensor_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args, **kwargs):
        raise AssertionError("tensors were made before the header was checked")

    monkeypatch.setattr(weights_file, "_load", never)
    tensors = state(torch.bfloat16)
    for data, expected in [(save(tensors), EXPECTED), (save(state()), {"other": (1,)})]:
        with pytest.raises(ProjectFileError):
            load_float32(data, expected)


def test_metadata_strings_are_accepted() -> None:
    header = {"w": tensor("F32", [1], 0, 4), "__metadata__": {"a": "b"}}
    data = raw(header, b"\0" * 4)
    assert load_float32(data, {"w": (1,)})["w"].tolist() == [0.0]
