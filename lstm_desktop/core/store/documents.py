"""What `show PROJECT --json` prints: a run's document, the project's own facts and the list of its runs."""

from __future__ import annotations

import math

from lstm_desktop import __version__

from ..codec import to_json
from ..errors import BadInput
from .project import DamagedRun, Project, StoredRun
from .schema import SCHEMA_VERSION


def _finite(value: float | None) -> float | None:
    return value if isinstance(value, float) and math.isfinite(value) else None


def run_summary(run: StoredRun) -> dict:
    """The figures a runs table shows for one run."""
    report = run.report
    test = report.metrics.get("test")
    coverage = report.band.coverage.get("test")
    backtest = getattr(report, "backtest", None)
    return {
        "val_loss": _finite(report.best_val_loss),
        "test_rmse": _finite(test.model.rmse) if test else None,
        "skill": _finite(test.skill) if test else None,
        "backtest_skill_median": _finite(backtest.aggregate.skill_median) if backtest and backtest.aggregate else None,
        "coverage": _finite(coverage.overall) if coverage else None,
        "seconds": _finite(report.seconds),
    }


def runs_list(project: Project) -> list[dict]:
    rows = []
    for run in project.runs:
        if isinstance(run, DamagedRun):
            rows.append({"id": run.id, "name": run.name, "damaged": run.problem, "current": False})
            continue
        rows.append(
            {
                "id": run.id,
                "name": run.name,
                "created": run.created,
                "starred": run.starred,
                "current": run.id == project.current_id,
                "parent": run.report.parent,
                "settings": to_json(run.report.settings),
                "summary": run_summary(run),
            }
        )
    return rows


def project_facts(project: Project) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "app_version": __version__,
        "created": project.created,
        "modified": project.modified,
        "notes": project.notes,
        "saved_with": to_json(project.saved_with),
        "trained": project.trained,
    }


def project_document(project: Project, run_id: str | None = None) -> dict:
    """The chosen (or current) run's document, plus `project` and `runs`; an untrained project shows its data."""
    run = project.find(run_id) if run_id else project.current
    if isinstance(run, DamagedRun):
        raise BadInput(f"Run {run.name!r} ({run.id}) cannot be read: {run.problem}")
    if run is not None:
        document = run.report.document()
    else:
        document = {"data": loaded_data(project), "settings": to_json(project.settings)}
    document["project"] = project_facts(project)
    document["runs"] = runs_list(project)
    return document


def loaded_data(project: Project) -> dict:
    if project.loaded is None:
        return {}
    target = project.loaded.frames[0]
    return {
        "source": target.source,
        "ticker": target.ticker,
        "tickers": [f.ticker for f in project.loaded.frames],
        "rows": target.rows,
        "start": target.start,
        "end": target.end,
        "price_column": project.settings.dataset.target,
        "origin": target.origin,
    }
