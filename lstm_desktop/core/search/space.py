"""What a search may vary: the settings a user ticks, each with a range or choices, read from text like
`window=20:200,hidden=16:128,lr=1e-4:1e-2:log,target_mode=price|log_return` and checked against the bounds the
settings declare (core/specs.py), so a search can never try a value a single run would refuse. No optuna here.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Any

from ..errors import BadInput
from ..specs import PRICE_COLUMNS, DatasetSpec, ModelSpec, RunConfig, TrainSpec, fields_of

# name in --space -> (group of RunConfig, field); "inputs" takes sets of the target ticker's columns
KNOBS: dict[str, tuple[str, str]] = {
    "window": ("dataset", "window"),
    "hidden": ("model", "hidden"),
    "layers": ("model", "layers"),
    "dropout": ("model", "dropout"),
    "cell": ("model", "cell"),
    "lr": ("train", "lr"),
    "batch_size": ("train", "batch_size"),
    "target_mode": ("dataset", "target_mode"),
    "inputs": ("dataset", "features"),
}
ALIASES = {"batch": "batch_size", "learning_rate": "lr", "features": "inputs"}
GROUPS = {"dataset": DatasetSpec, "model": ModelSpec, "train": TrainSpec}
Value = int | float | str


@dataclass(frozen=True)
class Dimension:
    """One setting searched: a range (low..high, on a log scale or in steps) or a list of choices."""

    name: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: int | None = None
    choices: tuple[Value, ...] = ()

    def describe(self) -> dict[str, Any]:
        """The `space` entry of the `search --json` document."""
        if self.choices:
            return {"choices": list(self.choices)}
        return {"low": self.low, "high": self.high, "log": self.log, "step": self.step}


@dataclass(frozen=True)
class SearchSpace:
    dimensions: tuple[Dimension, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    def describe(self) -> dict[str, Any]:
        return {d.name: d.describe() for d in self.dimensions}


def known() -> str:
    return ", ".join(KNOBS)


def _kind(name: str) -> Any:
    group, field = KNOBS[name]
    return typing.get_type_hints(GROUPS[group])[field]


def _meta(name: str) -> Any:
    group, field = KNOBS[name]
    return fields_of(GROUPS[group])[field].metadata


def _number(text: str, kind: Any, part: str) -> int | float:
    try:
        value = float(text) if kind is float else int(text)
    except ValueError:
        wanted = "a number" if kind is float else "a whole number"
        raise BadInput(f"Search space {part!r}: {text!r} is not {wanted}.") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise BadInput(f"Search space {part!r}: {text!r} is not a finite number.")
    return value


def _inputs_choice(text: str, part: str) -> str:
    """A set of input columns written A+B (or `target`: the target column alone), spelled as the settings spell."""
    if text.strip().lower() == "target":
        return "target"
    columns = [c.strip() for c in text.split("+")]
    for column in columns:
        if column not in PRICE_COLUMNS:
            raise BadInput(
                f"Search space {part!r}: unknown input column {column!r}; choose from {', '.join(PRICE_COLUMNS)}."
            )
    if len(set(columns)) != len(columns):
        raise BadInput(f"Search space {part!r}: a column is listed twice in {text!r}.")
    return "+".join(columns)


def _in_bounds(name: str, value: float, part: str) -> None:
    meta = _meta(name)
    low, high = meta["low"], meta["high"]
    if (low is not None and value < low) or (high is not None and value > high):
        raise BadInput(f"Search space {part!r}: {meta['label']} must be between {low:g} and {high:g}, not {value:g}.")


def _choices(name: str, text: str, part: str) -> Dimension:
    kind = _kind(name)
    raw = [c.strip() for c in text.split("|")]
    if name == "inputs":
        values: list[Value] = [_inputs_choice(c, part) for c in raw]
    elif kind is str:
        allowed = _meta(name)["choices"]
        values = list(raw)
        for value in values:
            if value not in allowed:
                raise BadInput(f"Search space {part!r}: {value!r} is not one of {', '.join(allowed)}.")
    else:
        values = [_number(c, kind, part) for c in raw]
        for value in values:
            _in_bounds(name, value, part)
    if len(values) < 2 or len(set(values)) != len(values):
        raise BadInput(f"Search space {part!r}: give two or more different choices, separated by |.")
    return Dimension(name, choices=tuple(values))


def _range(name: str, text: str, part: str) -> Dimension:
    kind = _kind(name)
    if kind not in (int, float):
        choices = "|".join(_meta(name)["choices"])
        raise BadInput(f"Search space {part!r}: {name} takes choices separated by | ({choices}).")
    pieces = text.split(":")
    if len(pieces) not in (2, 3):
        raise BadInput(f"Search space {part!r}: write a range as low:high, low:high:log or low:high:step.")
    low, high = (_number(p.strip(), kind, part) for p in pieces[:2])
    for value in (low, high):
        _in_bounds(name, value, part)
    if not low < high:
        raise BadInput(f"Search space {part!r}: the low end must be below the high end.")
    extra = pieces[2].strip().lower() if len(pieces) == 3 else ""
    if extra == "log":
        if low <= 0:
            raise BadInput(f"Search space {part!r}: a log range must start above 0.")
        return Dimension(name, low=low, high=high, log=True)
    if extra:
        if kind is not int:
            raise BadInput(f"Search space {part!r}: a step is for whole-number settings; use :log or no third part.")
        step = int(_number(extra, int, part))
        if step < 1 or (high - low) % step:
            raise BadInput(f"Search space {part!r}: the step must be at least 1 and divide high - low.")
        return Dimension(name, low=low, high=high, step=step)
    return Dimension(name, low=low, high=high)


def parse_space(text: str) -> SearchSpace:
    """The space `text` describes; refuses a bad part by quoting it and naming the settings a search knows."""
    dimensions: list[Dimension] = []
    for raw in (text or "").split(","):
        part = raw.strip()
        if not part:
            continue
        name, sep, spec = (s.strip() for s in part.partition("="))
        name = ALIASES.get(name, name)
        if not sep or not spec:
            known_ones = f"settings a search knows: {known()}"
            raise BadInput(f"Search space {part!r}: write name=low:high or name=a|b; {known_ones}.")
        if name not in KNOBS:
            raise BadInput(f"Search space {part!r}: unknown setting {name!r}; settings a search knows: {known()}.")
        if name in (d.name for d in dimensions):
            raise BadInput(f"Search space {part!r}: {name} is given twice.")
        if "|" not in spec and ":" not in spec:
            raise BadInput(f"Search space {part!r}: give a range low:high or choices a|b (one value is not a search).")
        dimensions.append(_choices(name, spec, part) if "|" in spec else _range(name, spec, part))
    if not dimensions:
        raise BadInput(f"The search space is empty: name at least one setting to search ({known()}).")
    return SearchSpace(tuple(dimensions))


def apply(config: RunConfig, params: dict[str, Value]) -> RunConfig:
    """`config` with a trial's values put in; validated like any run's settings."""
    changes: dict[str, dict[str, Any]] = {}
    for name, value in params.items():
        group, field = KNOBS[name]
        if name == "inputs":
            value = () if value == "target" else tuple(str(value).split("+"))
        changes.setdefault(group, {})[field] = value
    for group, fields in changes.items():
        config = dataclasses.replace(config, **{group: dataclasses.replace(getattr(config, group), **fields)})
    config.validate()
    return config
