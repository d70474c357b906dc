"""The test split's score of a finished run that was trained without looking at it: its dataset rebuilt from its
own prices with its stored scalers (nothing refitted), its model's weights loaded, every split scored again.

Training, the validation scores and the band are those of the run (the same model on the same windows), so the
report changes only by what the test split adds: its scores, predictions and the band's measured coverage."""

from __future__ import annotations

import dataclasses

from ..run import FinishedRun, restore


def score_on_test(finished: FinishedRun) -> FinishedRun:
    """`finished` with its test split scored (once: the search's best trial, after the search)."""
    from ..assess.assessment import assess

    report = finished.report
    dataset, model = restore(report, finished.frames, finished.weights)
    measured = assess(
        dataset, model, report.settings.forecast_days, score_test=True, raw_path=report.settings.forecast_path == "raw"
    )
    scored = dataclasses.replace(
        report,
        split={k: v for k, v in dataset.split_dates().items() if k in measured.predictions},
        windows={split: len(dataset.anchors[split]) for split in measured.predictions},
        metrics=measured.metrics,
        predictions=measured.predictions,
        band=measured.band,
        forecast=measured.forecast,
    )
    scored.check("scored run")
    return dataclasses.replace(finished, report=scored)
