"""Opening a schema-5 project of many runs (the migration that builds the forecast log) beside the same project
saved in the current schema: one small run trained on the sample's AAPL (every day of it), kept under `runs` ids
(the runs share one data set, as a sweep of settings does), saved, and rewritten as schema 5 (no forecast log, no
refreshed prices). Each round opens both files, alternating which goes first. Figures only, never an assertion.

    python -m lstm_desktop.bench.migration [--runs 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path


def schema_5_pair(folder: Path, runs: int) -> tuple[Path, Path]:
    """The same `runs`-run project as a schema-5 file and as a current one."""
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
    from lstm_desktop.core.store.project import Project, new_run_id
    from lstm_desktop.core.store.project_io import save_project

    config = RunConfig(
        data=DataRequest(source="sample", tickers=("AAPL",)),
        dataset=DatasetSpec(window=20),
        model=ModelSpec(layers=1, hidden=8),
        train=TrainSpec(epochs=2, threads=1),
        forecast_days=20,
    )
    project = Project()
    first = project.add(run(config), "run 1")
    for index in range(2, runs + 1):
        project.runs.append(dataclasses.replace(first, id=new_run_id(), name=f"run {index}"))
    current = save_project(project, folder / "current.lstmproj")
    old = folder / "schema5.lstmproj"
    write_as_schema_5(current, old)
    return old, current


def write_as_schema_5(current: Path, old: Path) -> None:
    """`current` (a project file of today's schema) written to `old` as a schema-5 release wrote it: no forecast
    log, no live data set, no checksums."""
    from lstm_desktop.core.store import project_file

    meta, entries = project_file.unpack_entries(current)
    meta = {k: v for k, v in meta.items() if k not in ("checksums", "frozen", "live")} | {"schema_version": 5}
    old.write_bytes(project_file.pack_entries(meta, entries))


def open_figures(runs: int = 100, rounds: int = 5) -> dict:
    """Seconds to open each file per round (the median reported), and the log the schema-5 file got."""
    from lstm_desktop.core.store.project_io import load_project

    with tempfile.TemporaryDirectory() as folder:
        old, current = schema_5_pair(Path(folder), runs)
        logged = len(load_project(old).frozen)  # imports and caches warm before the first timing
        load_project(current)
        times: dict[str, list[float]] = {"schema5": [], "current": []}
        for index in range(rounds):
            order = [("schema5", old), ("current", current)]
            for name, path in order if index % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                load_project(path)
                times[name].append(time.perf_counter() - started)
    median = {name: statistics.median(values) for name, values in times.items()}
    return {
        "runs": runs,
        "frozen_logged": logged,
        "open_seconds": median,
        "all_seconds": times,
        "migration_ms_per_run": (median["schema5"] - median["current"]) * 1000 / runs,
        "load_average": os.getloadavg(),
    }


def open_lines(figures: dict) -> list[str]:
    """The figures as the lines the bench prints."""
    median, runs = figures["open_seconds"], figures["runs"]
    return [
        f"open a {runs}-run project (load {figures['load_average'][0]:.2f}): schema 5 {median['schema5']:.3f} s "
        f"({median['schema5'] * 1000 / runs:.1f} ms a run, {figures['frozen_logged']} forecasts logged), current "
        f"schema {median['current']:.3f} s ({median['current'] * 1000 / runs:.1f} ms a run); the migration "
        f"{figures['migration_ms_per_run']:.1f} ms a run"
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m lstm_desktop.bench.migration", description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("\n".join(open_lines(open_figures(args.runs, args.rounds))))
