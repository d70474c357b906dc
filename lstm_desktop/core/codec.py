"""Typed JSON: frozen dataclasses to plain JSON and back, with every field checked on the way in.

`from_json(kind, data, where)` follows the type hints: a wrong type, a missing field, an unknown key or an
unreadable array is refused with a `FieldError` naming the field's path (`where.metrics.test.skill`), never with
a traceback. Series are numpy arrays, marked in the hints with `Floats` or `Dates`, and travel as JSON lists;
non-finite numbers are written as null (JSON has no NaN) and read back as NaN.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from typing import Annotated, Any, Literal

import numpy as np

from .errors import BadInput

Floats = Annotated[np.ndarray, "floats"]  # float64, (n,): NaN where undefined
Dates = Annotated[np.ndarray, "dates"]  # datetime64[D], (n,)


class FieldError(BadInput):
    """A JSON field that cannot be read as its declared type; the message names the field."""


def to_json(value: Any) -> Any:
    """Plain JSON (dicts, lists, str, int, float, bool, None) for dataclasses, tuples, dicts and arrays."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "M":
            return np.datetime_as_string(value.astype("datetime64[D]")).tolist()
        values = value.astype(np.float64)
        return [v if math.isfinite(v) else None for v in values.tolist()]
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, np.integer):
        return int(value)
    return value


_NAMES = {
    dict: "an object",
    list: "a list",
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def _json_kind(value: Any) -> str:
    for kind in (bool, int, float, str, list, dict, type(None)):
        if isinstance(value, kind):
            return _NAMES[kind]
    return type(value).__name__


def _fail(where: str, wanted: str, value: Any) -> FieldError:
    return FieldError(f"{where} should be {wanted}, not {_json_kind(value)}.")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def from_json(kind: Any, data: Any, where: str) -> Any:
    """`data` (parsed JSON) as the type `kind`; raises FieldError naming the field on any mismatch."""
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind, data, where)
    origin = typing.get_origin(kind)
    if origin is Annotated:
        base, marker = typing.get_args(kind)[:2]
        return _array(marker, data, where) if base is np.ndarray else from_json(base, data, where)
    if origin in (typing.Union, types.UnionType):
        return _union(kind, data, where)
    if origin is Literal:
        if data not in typing.get_args(kind):
            raise FieldError(f"{where} should be one of {', '.join(map(repr, typing.get_args(kind)))}, not {data!r}.")
        return data
    if origin is tuple:
        if not isinstance(data, list):
            raise _fail(where, "a list", data)
        item = typing.get_args(kind)[0]
        return tuple(from_json(item, v, f"{where}[{i}]") for i, v in enumerate(data))
    if origin is dict:
        if not isinstance(data, dict):
            raise _fail(where, "an object", data)
        value_kind = typing.get_args(kind)[1]
        return {str(k): from_json(value_kind, v, f"{where}.{k}") for k, v in data.items()}
    return _scalar(kind, data, where)


def _scalar(kind: Any, data: Any, where: str) -> Any:
    if kind is Any:
        return data
    if kind is float:
        if data is None:
            return math.nan
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise _fail(where, "a number", data)
        try:
            return float(data)
        except OverflowError as exc:
            raise FieldError(f"{where} is a number too large to use.") from exc
    if kind is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise _fail(where, "a whole number", data)
        return data
    if kind in (str, bool, dict, list):
        if not isinstance(data, kind) or (kind is not bool and isinstance(data, bool)):
            raise _fail(where, _NAMES[kind], data)
        return data
    raise TypeError(f"codec cannot read {kind!r}")  # a programming error: a hint this module does not know


def _union(kind: Any, data: Any, where: str) -> Any:
    options = typing.get_args(kind)
    if data is None and type(None) in options:
        return None
    others = [o for o in options if o is not type(None)]
    if len(others) == 1:
        return from_json(others[0], data, where)
    for option in others:  # e.g. int | float: the first that accepts the value
        try:
            return from_json(option, data, where)
        except FieldError:
            continue
    raise FieldError(f"{where} has an unexpected value {data!r}.")


def _dataclass(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise _fail(where, "an object", data)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise FieldError(f"{where} has an unknown field {unknown[0]!r}.")
    hints = _hints(cls)
    values = {}
    for name, item in fields.items():
        if name in data:
            values[name] = from_json(hints[name], data[name], f"{where}.{name}")
        elif item.default is dataclasses.MISSING:  # only a plain default may be left out (a later addition)
            raise FieldError(f"{where}.{name} is missing.")
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise FieldError(f"{where} cannot be used: {exc}") from exc


def _array(marker: str, data: Any, where: str) -> np.ndarray:
    if not isinstance(data, list):
        raise _fail(where, "a list", data)
    if marker == "dates":
        if not all(isinstance(v, str) and len(v) == 10 for v in data):
            raise FieldError(f"{where} should be a list of dates written YYYY-MM-DD.")
        try:
            return np.array(data, dtype="datetime64[D]")
        except ValueError as exc:
            raise FieldError(f"{where} holds a date that cannot be read ({exc}).") from exc
    if any(isinstance(v, bool) or not (v is None or isinstance(v, int | float)) for v in data):
        raise FieldError(f"{where} should be a list of numbers.")
    try:
        return np.array(data, dtype=np.float64)
    except OverflowError as exc:
        raise FieldError(f"{where} holds a number too large to use.") from exc
