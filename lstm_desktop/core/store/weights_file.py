"""Safetensors weights, checked before any tensor is made: the header alone says every tensor's dtype, shape and
place, so a file that does not fit the model is refused with the tensor named, without allocating anything big.

A safetensors file is an 8-byte little-endian header length, a JSON header {name: {"dtype", "shape",
"data_offsets": [begin, end]}, "__metadata__": {str: str}} and the tensors' bytes, offsets relative to their start.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..errors import ProjectFileError
from .json_shape import MAX_JSON_DEPTH, json_shape

MAX_HEADER_BYTES = 2**20  # ~100 bytes a tensor: room for ~10,000 tensors; an LSTM has ~4 a layer
MAX_TENSORS = 4096
MAX_DIMENSIONS = 8
DTYPE_BYTES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E5M2": 1,
    "F8_E4M3": 1,
    "F8_E8M0": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
    "C64": 8,
}
_NAME = re.compile(r"[A-Za-z0-9_.:/-]{1,256}")  # state-dict keys: "lstm.weight_ih_l0", "head.bias"
_FIELDS = {"dtype", "shape", "data_offsets"}

Header = dict[str, tuple[str, tuple[int, ...]]]


def read_header(data: bytes, *, name: str = "model.safetensors") -> Header:
    """{tensor name: (dtype, shape)} from the header alone, after checking that it describes `data` exactly:
    sane names, known dtypes, offsets inside the buffer that match dtype × shape, no overlaps and no gaps."""
    header = _header_json(data, name)
    buffer_size = len(data) - 8 - int.from_bytes(data[:8], "little")
    tensors: dict[str, tuple[str, tuple[int, ...], int, int]] = {}
    for key, value in header.items():
        if key == "__metadata__":
            _check_metadata(value, name)
            continue
        if not _NAME.fullmatch(key):
            raise _invalid(name, f"a tensor name is not a state-dict key: {key[:80]!r}")
        tensors[key] = _tensor_entry(key, value, name)
    if len(tensors) > MAX_TENSORS:
        raise _invalid(name, f"it lists {len(tensors)} tensors, more than {MAX_TENSORS}")
    _check_layout(tensors, buffer_size, name)
    return {key: (dtype, shape) for key, (dtype, shape, _, _) in tensors.items()}


def load_float32(data: bytes, expected: dict[str, tuple[int, ...]], *, name: str = "model.safetensors") -> dict:
    """The tensors of `data` as {name: torch.Tensor}, refused (naming the tensor) unless every tensor is F32 and the
    names and shapes are exactly `expected`; all checked from the header before a tensor is allocated."""
    header = read_header(data, name=name)
    for key, (dtype, _) in header.items():
        if dtype != "F32":
            raise ProjectFileError(f"The weights in {name} are refused: {key} is {dtype}; only float32 (F32) is read.")
    for key in expected:
        if key not in header:
            raise ProjectFileError(f"The weights in {name} do not fit the model: {key} is missing.")
    for key, (_, shape) in header.items():
        if key not in expected:
            raise ProjectFileError(f"The weights in {name} do not fit the model: {key} is not part of it.")
        if shape != tuple(expected[key]):
            raise ProjectFileError(
                f"The weights in {name} do not fit the model: {key} has shape {list(shape)}, "
                f"the model needs {list(expected[key])}."
            )
    return _load(data, name)


def _load(data: bytes, name: str) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        return load(data)  # parses a JSON header and raw tensors: it cannot run code
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise _invalid(name, str(exc)) from exc


def _invalid(name: str, problem: str) -> ProjectFileError:
    return ProjectFileError(f"The project file is refused: {name} is not a valid safetensors file ({problem}).")


def _header_json(data: bytes, name: str) -> dict:
    """The header as a dict: its length sane, UTF-8 JSON, an object, shallow, no key twice."""
    if len(data) < 8:
        raise _invalid(name, f"{len(data)} bytes, too short for the 8-byte header length")
    size = int.from_bytes(data[:8], "little")
    if size > MAX_HEADER_BYTES:
        raise _invalid(name, f"a header of {size:,} bytes, more than {MAX_HEADER_BYTES // 2**20} MB")
    if 8 + size > len(data):
        raise _invalid(name, f"the header of {size:,} bytes runs past the end of the file")
    raw = data[8 : 8 + size]
    if not raw.startswith(b"{"):
        raise _invalid(name, "the header is not a JSON object")
    if json_shape(raw).depth > MAX_JSON_DEPTH:
        raise _invalid(name, "the header is nested too deeply")
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_refuse_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _invalid(name, f"the header is not valid JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise _invalid(name, "the header is not a JSON object")
    return header


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        twice = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"{twice[:80]!r} appears twice")
    return dict(pairs)


def _check_metadata(value: Any, name: str) -> None:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _invalid(name, "__metadata__ must map names to strings")


def _tensor_entry(key: str, value: Any, name: str) -> tuple[str, tuple[int, ...], int, int]:
    """(dtype, shape, begin, end) of one tensor, its fields checked and its byte count matching dtype × shape."""
    if not isinstance(value, dict) or set(value) != _FIELDS:
        raise _invalid(name, f"{key} must have exactly dtype, shape and data_offsets")
    dtype, shape, offsets = value["dtype"], value["shape"], value["data_offsets"]
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise _invalid(name, f"{key} has an unknown dtype {str(dtype)[:20]!r}")
    if not _int_list(shape) or len(shape) > MAX_DIMENSIONS:
        raise _invalid(name, f"{key} has a shape that is not a list of at most {MAX_DIMENSIONS} sizes")
    if not _int_list(offsets) or len(offsets) != 2 or offsets[0] > offsets[1]:
        raise _invalid(name, f"{key} has data_offsets that are not [begin, end]")
    begin, end = offsets
    if end - begin != math.prod(shape) * DTYPE_BYTES[dtype]:
        raise _invalid(name, f"{key} spans {end - begin:,} bytes, but {dtype} {shape} needs a different size")
    return dtype, tuple(shape), begin, end


def _int_list(value: Any) -> bool:
    return isinstance(value, list) and all(type(item) is int and item >= 0 for item in value)


def _check_layout(tensors: dict[str, tuple[str, tuple[int, ...], int, int]], buffer_size: int, name: str) -> None:
    """The tensors tile the data exactly: in order of offset, each begins where the one before ends, the first at 0,
    the last at the end of the buffer (no overlap, no gap, nothing outside)."""
    position = 0
    for key, (_, _, begin, end) in sorted(tensors.items(), key=lambda item: (item[1][2], item[1][3])):
        if begin != position:
            problem = "overlaps another tensor" if begin < position else "leaves a gap before it"
            raise _invalid(name, f"{key} {problem}")
        position = end
    if position != buffer_size:
        raise _invalid(name, f"the tensors cover {position:,} bytes, the data is {buffer_size:,}")
