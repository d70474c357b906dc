"""What long work reports while it runs: small frozen dataclasses, light to import (no torch, no pandas), so the
window can dispatch on their types before the heavy modules load. Listeners tell them apart with isinstance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    """Base of every progress event. `frequent` events may be dropped by a listener that is behind."""

    frequent: ClassVar[bool] = False


@dataclass(frozen=True)
class PricesLoaded(Event):
    """The run loaded its prices itself (nothing was loaded before): the window shows them."""

    request: Any  # DataRequest
    frames: tuple  # PriceFrame per ticker, the target first


@dataclass(frozen=True)
class BatchProgress(Event):
    """Progress within an epoch."""

    frequent: ClassVar[bool] = True
    epoch: int
    batch: int
    batches: int


@dataclass(frozen=True)
class EpochEnded(Event):
    """One finished epoch. Losses are MSE on scaled targets."""

    epoch: int
    epochs: int
    train_loss: float
    val_loss: float
    seconds: float
    best_epoch: int
    best_val_loss: float
    eta_seconds: float


@dataclass(frozen=True)
class Assessing(Event):
    """Training is over; scoring, calibrating the band and forecasting."""

    what: str


@dataclass(frozen=True)
class BacktestProgress(Event):
    """Folds finished, the epoch each running fold has reached, and the time left (from the folds' pace)."""

    finished: int
    folds: int
    running: dict[int, tuple[int, int]]  # fold -> (epoch, epochs)
    eta_seconds: float


Listener = Callable[[Event], None]
StopCheck = Callable[[], bool]


def ignore(event: Event) -> None:
    """A listener that wants nothing."""


def never() -> bool:
    """A stop check that never asks to stop."""
    return False
