"""The reference preset: the seed's network shape and training (2×50 LSTM, window 100, batch 64), kept as a button
and as the bench's fixed setup now that the defaults are cheaper (docs/performance.md: "Defaults by evidence")."""

from __future__ import annotations

import dataclasses

from .specs import DatasetSpec, ModelSpec, RunConfig, TrainSpec

REFERENCE_DATASET = DatasetSpec(window=100, horizon=1, target_mode="log_return")
REFERENCE_MODEL = ModelSpec(cell="lstm", layers=2, hidden=50, dropout=0.0)
REFERENCE_TRAIN = TrainSpec(epochs=100, batch_size=64, lr=1e-3, precision="float32")


def reference_settings(config: RunConfig) -> RunConfig:
    """The reference setup (2×50 LSTM, window 100, Adam 1e-3, batch 64, float32, the log-return target) with the
    data choices kept (inputs, target column, split, seed)."""
    return dataclasses.replace(
        config,
        dataset=dataclasses.replace(
            config.dataset,
            window=REFERENCE_DATASET.window,
            horizon=REFERENCE_DATASET.horizon,
            target_mode=REFERENCE_DATASET.target_mode,
        ),
        model=REFERENCE_MODEL,
        train=dataclasses.replace(
            config.train,
            epochs=REFERENCE_TRAIN.epochs,
            batch_size=REFERENCE_TRAIN.batch_size,
            lr=REFERENCE_TRAIN.lr,
            precision=REFERENCE_TRAIN.precision,
        ),
    )
