"""The sequential band's loop hands the interpreter lock over in the window's process, and only there; the bands
are the same bit for bit either way."""

from __future__ import annotations

import numpy as np

from lstm_desktop.core import runtime
from lstm_desktop.core.assess.sequential import sequential_band_sets


def _bands(seed: int = 3) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    errors = rng.standard_normal((300, 5)), rng.standard_normal((300, 5))
    scale = np.abs(rng.standard_normal((300, 5))) + 0.5
    return [array for bands in sequential_band_sets(errors, scale) for array in (bands.lower, bands.upper)]


def test_hand_over_pauses_only_in_the_windows_process_and_changes_nothing(monkeypatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(runtime.time, "sleep", pauses.append)
    monkeypatch.setattr(runtime, "_HAND_OVER_EVERY_S", None)  # the CLI, a worker process
    alone = _bands()
    assert pauses == []

    monkeypatch.setattr(runtime, "_HAND_OVER_EVERY_S", 0.0)  # the window's process, every turn due
    shared = _bands()
    assert len(pauses) >= 300 and set(pauses) == {runtime.HAND_OVER_PAUSE_S}
    assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(alone, shared, strict=True))


def test_the_window_turns_it_on(monkeypatch) -> None:
    monkeypatch.setattr(runtime, "_HAND_OVER_EVERY_S", None)
    monkeypatch.setattr(runtime.sys, "setswitchinterval", lambda interval: None)
    runtime.tune_interpreter_for_gui()
    assert runtime.LockHandOver().every == runtime.GUI_HAND_OVER_EVERY_S
