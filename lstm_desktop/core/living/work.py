"""What a worker runs for one update: the run's settings on the extended prices, from the old run's weights (a warm
start) or from its seed. Plain data in (settings, prices, weights as safetensors bytes), a run as plain data back."""

from __future__ import annotations

from typing import Any

from ..events import EpochEnded
from ..executors.runs import encode_run
from ..run import run
from .update import UpdateProgress


def update_item(payload: dict, report: Any, should_stop: Any) -> dict:
    """One update; its epochs reported as UpdateProgress."""
    from ..learn.model import expected_shapes
    from ..store.weights_file import load_float32

    config, frames = payload["config"], payload["frames"]
    initial = None
    if payload["initial"] is not None:
        shapes = expected_shapes(payload["inputs"], config.dataset.horizon, config.model)
        initial = load_float32(payload["initial"], shapes)

    def on_event(event: Any) -> None:
        if isinstance(event, EpochEnded):
            report(UpdateProgress(payload["run"], event.epoch, event.epochs))

    return encode_run(run(config, frames, on_event=on_event, should_stop=should_stop, initial=initial))
