"""The variants of a comparison, planned in the parent: each one's settings and prices. Every variant trains on
the same days (those on which every input of the full model has a value), so the split, the test days and the
scalers' training rows are the same for all of them and their errors can be compared day by day."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..data.prices import PriceFrame
from ..errors import BadInput
from ..specs import RunConfig
from .spec import CELL_NAMES, CompareSpec


@dataclass(frozen=True)
class Variant:
    """One model of the comparison: its name, its settings, its prices, and the input it leaves out (if any)."""

    name: str
    config: RunConfig
    frames: tuple[PriceFrame, ...]
    dropped: str | None = None  # the input's label ("MSFT", "Volume"); None: every input

    @property
    def cell(self) -> str:
        return self.config.model.cell


@dataclass(frozen=True)
class Extra:
    """An input that can be left out: another ticker, or a column of the target ticker."""

    label: str
    ticker: str | None = None  # another ticker's frame to leave out
    column: str | None = None  # the target ticker's column to leave out


def extra_inputs(config: RunConfig, frames: tuple[PriceFrame, ...]) -> tuple[Extra, ...]:
    """The inputs beyond the target's own price: the target ticker's other columns, then every other ticker."""
    dataset = config.dataset
    own = dataset.input_columns()
    keep = dataset.target if dataset.target in own else own[0]
    columns = tuple(Extra(c, column=c) for c in own if c != keep)
    return columns + tuple(Extra(f.ticker, ticker=f.ticker) for f in frames[1:])


def shared_days(frames: tuple[PriceFrame, ...], config: RunConfig) -> tuple[PriceFrame, ...]:
    """The frames cut to the days on which the full model has every input (and the target), as it aligns them."""
    import pandas as pd

    from ..learn.dataset import input_columns

    by_ticker = {f.ticker: f.frame for f in frames}
    inputs = input_columns(list(frames), config.dataset)
    parts = [by_ticker[i.ticker][i.column].rename(n) for n, i in enumerate(inputs)]
    parts.append(frames[0].frame[config.dataset.target].rename("target"))
    days = pd.concat(parts, axis=1).dropna().index
    return tuple(dataclasses.replace(f, frame=f.frame.loc[f.frame.index.isin(days)]) for f in frames)


def without(config: RunConfig, frames: tuple[PriceFrame, ...], extra: Extra) -> tuple[RunConfig, tuple]:
    """The settings and prices of a model that leaves `extra` out."""
    if extra.ticker is not None:
        kept = tuple(f for f in frames if f.ticker != extra.ticker or f is frames[0])
        tickers = tuple(f.ticker for f in kept)
        data = dataclasses.replace(config.data, tickers=tickers) if config.data.tickers else config.data
        return dataclasses.replace(config, data=data), kept
    dataset = config.dataset
    features = tuple(c for c in dataset.input_columns() if c != extra.column)
    features = () if features == (dataset.target,) else features
    return dataclasses.replace(config, dataset=dataclasses.replace(dataset, features=features)), frames


def with_cell(config: RunConfig, cell: str) -> RunConfig:
    return dataclasses.replace(config, model=dataclasses.replace(config.model, cell=cell))


def plan(config: RunConfig, frames: tuple[PriceFrame, ...], spec: CompareSpec) -> tuple[Variant, ...]:
    """One variant per cell, then (drop_inputs) the first cell without each extra input; refuses, in words, a
    comparison that cannot be made."""
    spec.validate()
    frames = shared_days(tuple(frames), config)
    variants = [Variant(CELL_NAMES[c], with_cell(config, c), frames) for c in spec.cells]
    if spec.drop_inputs:
        extras = extra_inputs(config, frames)
        if not extras:
            raise BadInput(
                "Nothing to drop: the model's only input is the target's price. Add inputs to leave out (another "
                "ticker with --ticker, or columns with --features), or compare without --drop-inputs."
            )
        first = variants[0]
        for extra in extras:
            changed, kept = without(first.config, frames, extra)
            variants.append(Variant(f"{first.name} without {extra.label}", changed, kept, extra.label))
    return tuple(variants)
