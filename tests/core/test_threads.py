"""Automatic threads: fewer while other programs keep cores busy, never fewer than one, never when fixed."""

from __future__ import annotations

import itertools

import pytest
import torch

from lstm_desktop.core import runtime
from lstm_desktop.core.learn.dataset import DatasetSpec, build_dataset
from lstm_desktop.core.learn.model import ModelSpec
from lstm_desktop.core.learn.training import BatchProgress, TrainSpec, train


@pytest.mark.parametrize(
    ("others", "cores", "ceiling", "threads"),
    [
        (0.0, 2, 2, 2),  # idle machine: one per core
        (0.4, 2, 2, 2),  # a light background load still leaves both cores
        (0.67, 2, 2, 1),  # one busy program sharing two cores with our two threads
        (1.0, 2, 2, 1),
        (3.0, 2, 2, 1),  # never below one
        (8.0, 16, 4, 4),  # plenty left: the ceiling holds
        (14.2, 16, 4, 2),
    ],
)
def test_threads_beside_other_programs(others: float, cores: int, ceiling: int, threads: int) -> None:
    assert runtime.threads_beside(others, cores, ceiling) == threads


def fake_machine(others_per_second: float):
    """A /proc/stat reader for a machine where other programs use `others_per_second` cores."""
    clock = itertools.count(1)

    def sample():
        now = float(next(clock))
        return now, (1.0 + others_per_second) * now, 1.0 * now  # wall, machine busy, this process

    return staticmethod(sample)


def run_small(aapl_frames, threads: int) -> tuple[list[int], object]:
    seen: list[int] = []

    def on_event(event) -> None:
        if isinstance(event, BatchProgress):
            seen.append(torch.get_num_threads())

    dataset = build_dataset(aapl_frames, DatasetSpec(window=20))
    spec = TrainSpec(epochs=2, patience=0, threads=threads, seed=1, device="cpu")
    return seen, train(dataset, ModelSpec(layers=1, hidden=8), spec, on_event)


@pytest.fixture
def two_cores(monkeypatch):
    """A 2-core machine checked before every batch; call the result with the load of other programs."""
    monkeypatch.setattr(runtime.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(runtime, "default_threads", lambda: 2)
    monkeypatch.setattr(runtime.ThreadGovernor, "CHECK_SECONDS", 0.0)
    return lambda others: monkeypatch.setattr(runtime.ThreadGovernor, "_sample", fake_machine(others))


def test_automatic_threads_step_aside_for_a_busy_program(aapl_frames, two_cores) -> None:
    two_cores(1.0)
    seen, result = run_small(aapl_frames, threads=0)
    assert seen[0] == 1 and set(seen) == {1}  # the first check comes before the first batch here
    assert result.thread_changes[0] == {"epoch": 1, "batch": 1, "threads": 1} and result.threads == 1
    assert all(row["val_loss"] > 0 for row in result.history)


def test_automatic_threads_keep_every_core_on_an_idle_machine(aapl_frames, two_cores) -> None:
    two_cores(0.05)
    seen, result = run_small(aapl_frames, threads=0)
    assert set(seen) == {2} and result.thread_changes == []


def test_fixed_threads_are_left_alone(aapl_frames, monkeypatch) -> None:
    monkeypatch.setattr(runtime.ThreadGovernor, "CHECK_SECONDS", 0.0)
    monkeypatch.setattr(runtime.ThreadGovernor, "_sample", fake_machine(1.0))
    seen, result = run_small(aapl_frames, threads=2)
    assert set(seen) == {2} and result.thread_changes == []


def test_the_governor_reads_this_machine() -> None:
    """On Linux the real reader returns numbers that grow; elsewhere it says it cannot."""
    first = runtime.ThreadGovernor._sample()
    if first is None:
        pytest.skip("no /proc/stat on this system: automatic threads stay fixed")
    sum(i * i for i in range(200_000))  # some CPU time of our own
    second = runtime.ThreadGovernor._sample()
    assert second[0] > first[0] and second[1] >= first[1] and second[2] > first[2]
