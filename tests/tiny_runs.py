"""Tiny runs for tests that need a finished run but not a good one: 1×4 LSTM over 10 days, 2 epochs, trained in
this process with one torch thread (as a worker would), the thread count put back after."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

T = TypeVar("T")


def tiny_config(ticker: str, start: str) -> RunConfig:
    """The bundled sample's `ticker` from `start`, the smallest network that still trains."""
    return RunConfig(
        data=DataRequest(source="sample", tickers=(ticker,), start=start),
        dataset=DatasetSpec(window=10),
        model=ModelSpec(layers=1, hidden=4),
        train=TrainSpec(epochs=2, patience=0, threads=1),
        forecast_days=3,
    )


@contextmanager
def one_thread() -> Iterator[None]:
    """torch on one thread inside, as before outside."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def on_one_thread(work: Callable[[], T]) -> T:
    """`work()` with torch on one thread."""
    with one_thread():
        return work()
