"""Project schema versions and the migrations that bring older files up to the current one.

Each migration is a function from one version's contents to the next, tested against fixture files. Files from
a newer version are refused with a message saying so.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ProjectFileError

SCHEMA_VERSION = 6
LOG_SINCE = 6  # the first schema that keeps the forecast log; an older file's is made from its runs when it opens
Contents = tuple[dict, dict[str, bytes]]  # project.json, and the other entries by name


def _migrate_1_to_2(meta: dict, entries: dict[str, bytes]) -> Contents:
    """Schema 1 (the first draft format) called the settings "config", had no notes, and named the training
    loss "loss" in the history."""
    meta["settings"] = meta.pop("config")
    meta.setdefault("notes", "")
    results = meta.get("results")
    if isinstance(results, dict):
        for row in results.get("history", []):
            if isinstance(row, dict) and "loss" in row:
                row["train_loss"] = row.pop("loss")
    return meta, entries


def _migrate_2_to_3(meta: dict, entries: dict[str, bytes]) -> Contents:
    """Schema 3 added the training precision; every earlier run trained in float32."""
    meta["settings"]["train"].setdefault("precision", "float32")
    return meta, entries


def _migrate_3_to_4(meta: dict, entries: dict[str, bytes]) -> Contents:
    """Schema 4 holds many runs, each with its report and weights, and the prices of each data set once."""
    from .legacy import single_run_to_runs

    return single_run_to_runs(meta, entries)


def _migrate_4_to_5(meta: dict, entries: dict[str, bytes]) -> Contents:
    """Schema 5 names the recurrent cell of a run (lstm, gru or rnn); every earlier run was an LSTM. It also names
    the drawn forecast path: every earlier run drew the model's raw path. A run that is not an object is left as it
    was (it is kept aside as damaged when opened, not refused here)."""
    meta["settings"]["model"].setdefault("cell", "lstm")
    meta["settings"].setdefault("forecast_path", "raw")
    for run in meta.get("runs") or ():
        report = run.get("report") if isinstance(run, dict) else None
        settings = report.get("settings") if isinstance(report, dict) else None
        model = settings.get("model") if isinstance(settings, dict) else None
        if isinstance(model, dict):
            model.setdefault("cell", "lstm")
        if isinstance(settings, dict):
            settings.setdefault("forecast_path", "raw")
    return meta, entries


def _migrate_5_to_6(meta: dict, entries: dict[str, bytes]) -> Contents:
    """Schema 6 keeps the forecast log (every run's forecast, frozen as it was issued) and the project's newest
    prices once refreshed; there are no refreshed prices yet. The log of an older file is made when its runs have been
    read (project_io: each run frozen as a new one is, from its report and its prices parsed once per data set)."""
    meta["live"] = None
    return meta, entries


MIGRATIONS: dict[int, Callable[[dict, dict[str, bytes]], Contents]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
    4: _migrate_4_to_5,
    5: _migrate_5_to_6,
}


def migrate(meta: dict, entries: dict[str, bytes]) -> Contents:
    """Bring a project up to SCHEMA_VERSION; refuse files from a newer version. `meta` is changed in place (the one
    caller passes what it has just read from the file): copying it first cost as much as a project's runs take to
    read."""
    version = meta.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectFileError("The project file is damaged: project.json has no schema_version.")
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"This project was made by a newer version of lstm-desktop (file schema {version}; this version "
            f"reads up to {SCHEMA_VERSION}). Update lstm-desktop to open it."
        )
    if version < 1:
        raise ProjectFileError(f"The project file is damaged: unknown schema version {version}.")
    while version < SCHEMA_VERSION:
        try:
            meta, entries = MIGRATIONS[version](meta, entries)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            raise ProjectFileError(
                f"Could not upgrade this project from schema {version}: {exc!r} is missing or malformed."
            ) from exc
        version += 1
        meta["schema_version"] = version
    return meta, entries
