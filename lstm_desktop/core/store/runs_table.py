"""The runs of a project side by side: the settings that differ between them, one row per run, and as CSV."""

from __future__ import annotations

import csv
import functools
import io
from typing import Any

from ..codec import to_json
from .documents import run_summary
from .project import DamagedRun, Project, StoredRun

IGNORED = {"train.threads", "train.device"}  # how a run ran, not what it is
ENDED = {"completed": "completed", "early_stopping": "early stopping", "user": "stopped", "pruned": "pruned"}


def flat_settings(run: StoredRun) -> dict[str, Any]:
    """Every setting of a run as dotted name -> value (lists as comma-separated text)."""
    return dict(_flat(run.report.settings))


@functools.lru_cache(maxsize=4096)
def _flat(settings: Any) -> tuple[tuple[str, Any], ...]:
    """Remembered per settings (frozen, their sequences tuples, so equal settings hash and flatten alike): the runs
    table is drawn again after every change, and flattening every run's settings each time took most of it (13 ms
    for 100 runs)."""
    flat: dict[str, Any] = {}
    for group, values in to_json(settings).items():
        if not isinstance(values, dict):
            flat[group] = values
            continue
        for name, value in values.items():
            flat[f"{group}.{name}"] = ",".join(map(str, value)) if isinstance(value, list) else value
    return tuple(flat.items())


def differing(runs: list[StoredRun]) -> list[str]:
    """Settings whose value is not the same in every run, in declaration order."""
    if len(runs) < 2:
        return []
    flats = [flat_settings(r) for r in runs]
    names = list(flats[0])
    return [n for n in names if n not in IGNORED and len({repr(f.get(n)) for f in flats}) > 1]


def settings_diff(runs: list[StoredRun]) -> list[tuple[str, list[Any]]]:
    """(setting, value per run) for the settings that differ."""
    flats = [flat_settings(r) for r in runs]
    return [(name, [f.get(name) for f in flats]) for name in differing(runs)]


def table_rows(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names and one row per run (damaged runs show their problem)."""
    good = project.good_runs
    varying = differing(good)
    columns = [
        "id", "name", "created", "starred", "current", "tickers", "dates", "ended",
        *(["parent"] if any(r.report.parent for r in good) else []), *varying,
        "seconds", "val_loss", "test_rmse", "skill", "backtest_skill_median", "coverage", "problem",
    ]  # fmt: skip
    rows = []
    names = {r.id: r.name for r in project.runs}
    for run in project.runs:
        if isinstance(run, DamagedRun):
            rows.append({"id": run.id, "name": run.name, "problem": run.problem})
            continue
        flat = flat_settings(run)
        data = run.report.data
        row = {
            "id": run.id,
            "name": run.name,
            "created": run.created,
            "starred": run.starred,
            "current": run.id == project.current_id,
            "tickers": " ".join(data.tickers),
            "dates": f"{data.start}..{data.end}",
            "ended": ENDED.get(run.report.stopped, run.report.stopped),
            "parent": names.get(run.report.parent, run.report.parent),  # updated from (its id once deleted)
            **{name: flat.get(name) for name in varying},
            **run_summary(run),
        }
        rows.append(row)
    return columns, rows


def runs_csv(project: Project) -> str:
    columns, rows = table_rows(project)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue()
