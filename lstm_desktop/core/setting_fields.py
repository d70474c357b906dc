"""How a setting is declared and checked: a dataclass field that carries its label, help, bounds and choices, and
the check that refuses a value outside them in the user's words. core/specs.py declares every setting with it."""

from __future__ import annotations

import dataclasses
import datetime
import math
from dataclasses import field
from typing import Any

from .errors import BadInput


def setting(
    default: Any,
    *,
    label: str,
    help: str,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
    unit: str = "",
    step: float | None = None,
    decimals: int | None = None,
    flag: str | None = None,
) -> Any:
    """A dataclass field with what a front-end needs to offer it: label, help, inclusive bounds, choices, unit,
    a spin step and decimals, and the command-line flag when it is not the default."""
    meta = {
        "label": label,
        "help": help,
        "low": low,
        "high": high,
        "choices": choices,
        "unit": unit,
        "step": step,
        "decimals": decimals,
        "flag": flag,
    }
    return field(default=default, metadata=meta)


def bounds(cls: type, name: str) -> tuple[float | None, float | None]:
    """The (low, high) a field accepts."""
    meta = fields_of(cls)[name].metadata
    return meta["low"], meta["high"]


def fields_of(cls: type) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(cls)}


def check_fields(obj: Any) -> None:
    """Refuse, in the user's words, a field outside its declared bounds or choices."""
    for item in dataclasses.fields(obj):
        meta, value = item.metadata, getattr(obj, item.name)
        if not meta:
            continue
        label = meta["label"]
        if isinstance(item.default, tuple) and not isinstance(value, tuple):  # settings are hashed and compared
            written = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else ()
            raise BadInput(f"{label} must be a tuple, not a {type(value).__name__}: write {written!r}.")
        if meta["choices"] is not None and value not in meta["choices"]:
            raise BadInput(f"{label} must be {_or(meta['choices'])}, not {value!r}.")
        low, high = meta["low"], meta["high"]
        if low is None and high is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadInput(f"{label} must be a number, not {value!r}.")
        if isinstance(value, float) and not math.isfinite(value):
            raise BadInput(f"{label} must be a number, not {value!r}.")
        if (low is not None and value < low) or (high is not None and value > high):
            raise BadInput(f"{label} must be {describe_range(meta)}, not {value}.")


def describe_range(meta: Any) -> str:
    unit = f" {meta['unit']}" if meta["unit"] else ""
    low, high = meta["low"], meta["high"]
    if high is None:
        return f"at least {_num(low)}{unit}"
    return f"between {_num(low)} and {_num(high)}{unit}"


def is_day(text: object) -> bool:
    """A plain day written YYYY-MM-DD."""
    try:
        return isinstance(text, str) and len(text) == 10 and bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _num(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _or(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]
