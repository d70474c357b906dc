"""The reference preset: the seed's network shape and training, with the data choices kept."""

from __future__ import annotations

import dataclasses

from .specs import DatasetSpec, ModelSpec, RunConfig, TrainSpec


def reference_settings(config: RunConfig) -> RunConfig:
    """The reference setup (2×50 LSTM, window 100, Adam 1e-3, batch 64, float32, the log-return target) with the
    data choices kept (inputs, target column, split, seed)."""
    base_data, base_model, base_train = DatasetSpec(), ModelSpec(), TrainSpec()
    return dataclasses.replace(
        config,
        dataset=dataclasses.replace(
            config.dataset, window=base_data.window, horizon=base_data.horizon, target_mode=base_data.target_mode
        ),
        model=base_model,
        train=dataclasses.replace(
            config.train,
            epochs=base_train.epochs,
            batch_size=base_train.batch_size,
            lr=base_train.lr,
            precision=base_train.precision,
        ),
    )
