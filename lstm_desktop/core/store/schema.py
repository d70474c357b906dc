"""Checking loaded JSON against what the code expects, and migrating older project schemas.

Every field read from a file goes through here, so a bad file is refused with a message naming the field,
never with a traceback.
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import ProjectFileError

SCHEMA_VERSION = 3
T = TypeVar("T")


def require(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """data[key], which must exist and be of `kind`."""
    if not isinstance(data, dict) or key not in data:
        raise ProjectFileError(f"The project file is damaged: {where}.{key} is missing.")
    value = data[key]
    if not _is_instance(value, kind):
        raise ProjectFileError(
            f"The project file is damaged: {where}.{key} should be {_kind_name(kind)}, not {type(value).__name__}."
        )
    return value


def _is_instance(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False  # JSON true is not a number
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, kinds)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        dict: "an object",
        list: "a list",
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        type(None): "null",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _allowed(annotation: Any) -> tuple[type, ...]:
    """JSON types a dataclass field of this annotation accepts."""
    if isinstance(annotation, str):
        annotation = eval(annotation, {"typing": typing})  # annotations are our own source, not file content
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return tuple(t for arg in typing.get_args(annotation) for t in _allowed(arg))
    if origin in (tuple, list) or annotation in (tuple, list):
        return (list,)
    if origin is dict or annotation is dict:
        return (dict,)
    if annotation is type(None) or annotation is None:
        return (type(None),)
    return (annotation,)


def dataclass_from_dict(cls: type[T], data: Any, where: str) -> T:
    """Build a dataclass from JSON, refusing unknown keys and wrong types with the field's name."""
    if not isinstance(data, dict):
        raise ProjectFileError(f"The project file is damaged: {where} should be an object.")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - set(fields)
    if unknown:
        raise ProjectFileError(f"The project file is damaged: {where} has unknown setting {sorted(unknown)[0]!r}.")
    values = {}
    for name, value in data.items():
        kinds = _allowed(fields[name].type)
        if not _is_instance(value, kinds):
            raise ProjectFileError(
                f"The project file is damaged: {where}.{name} should be {_kind_name(kinds)}, "
                f"not {type(value).__name__}."
            )
        values[name] = tuple(value) if isinstance(value, list) else value
    try:
        return cls(**values)
    except TypeError as exc:
        raise ProjectFileError(f"The project file is damaged: {where}: {exc}.") from exc


def _migrate_1_to_2(data: dict) -> dict:
    """Schema 1 (the first draft format) called the settings "config", had no notes, and named the training
    loss "loss" in the history."""
    data["settings"] = data.pop("config")
    data.setdefault("notes", "")
    results = data.get("results")
    if isinstance(results, dict):
        for row in results.get("history", []):
            if isinstance(row, dict) and "loss" in row:
                row["train_loss"] = row.pop("loss")
    data["schema_version"] = 2
    return data


def _migrate_2_to_3(data: dict) -> dict:
    """Schema 3 added the training precision; every earlier run trained in float32."""
    data["settings"]["train"].setdefault("precision", "float32")
    data["schema_version"] = 3
    return data


MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _migrate_1_to_2, 2: _migrate_2_to_3}


def migrate(data: dict) -> dict:
    """Bring project.json up to SCHEMA_VERSION; refuse files from a newer version."""
    version = require(data, "schema_version", int, "project.json")
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"This project was made by a newer version of lstm-desktop (file schema {version}; this version "
            f"reads up to {SCHEMA_VERSION}). Update lstm-desktop to open it."
        )
    if version < 1:
        raise ProjectFileError(f"The project file is damaged: unknown schema version {version}.")
    data = copy.deepcopy(data)
    while version < SCHEMA_VERSION:
        try:
            data = MIGRATIONS[version](data)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ProjectFileError(
                f"Could not upgrade this project from schema {version}: {exc!r} is missing or malformed."
            ) from exc
        version += 1
    return data
