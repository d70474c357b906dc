"""A project to the bytes of a .lstmproj file and back, every field checked on the way in.

project.json holds the settings, the data sets' ticker entries, and each run's entry (id, name, star, created, its
data set, its report); prices/<id>.csv and weights/<id>.safetensors hold the numbers. A run whose entry is damaged
is kept aside as a DamagedRun with its problem named: the other runs stay readable.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from lstm_desktop import __version__

from ..codec import FieldError, from_json, to_json
from ..errors import BadInput, ProjectFileError
from ..living.frozen import DamagedFrozen, FrozenForecast, freeze, problem_of, reference_of
from ..report import RunReport
from ..specs import RunConfig
from ..strategy.spec import StrategySpec
from ..versions import library_versions
from . import project_file
from .prices_csv import frames_from_csv
from .project import MAX_NOTES, DamagedRun, DataSet, Project, StoredRun, now, refuse_unusable_settings
from .schema import LOG_SINCE, SCHEMA_VERSION, migrate


def project_to_bytes(project: Project) -> bytes:
    """The whole .lstmproj file in memory (runs' JSON and weights were encoded when they were made)."""
    project.modified = now()
    entries: dict[str, bytes] = {}
    data_sets = project.data_sets()
    for data in data_sets:
        entries[f"prices/{data.id}.csv"] = data.csv
    for run in project.runs:
        if isinstance(run, StoredRun):
            entries[f"weights/{run.id}.safetensors"] = run.weights_bytes
        else:
            entries.update(run.entries)
    head = {
        "schema_version": SCHEMA_VERSION,
        "app": {"name": "lstm-desktop", "version": __version__},
        "libraries": library_versions(),
        "created": project.created,
        "modified": project.modified,
        "notes": project.notes,
        "settings": to_json(project.settings),
        "data": {d.id: d.entry() for d in data_sets} | _damaged_data(project),
        "loaded": project.loaded.id if project.loaded else None,
        "current_run": project.current_id,
        "strategy": to_json(project.strategy),  # optional: files written before it lack it (defaults then)
        "live": project.live.id if project.live else None,
        "frozen": [to_json(f) if isinstance(f, FrozenForecast) else f.raw for f in project.frozen],
    }
    runs = [r.entry() if isinstance(r, StoredRun) else json.dumps(r.raw, separators=(",", ":")) for r in project.runs]
    return project_file.pack_encoded(head, "runs", "[" + ",".join(runs) + "]", entries)


def _damaged_data(project: Project) -> dict:
    """Data sets only damaged runs still refer to: kept, so that saving loses nothing."""
    return dict(r.data_entry for r in project.runs if isinstance(r, DamagedRun) and r.data_entry is not None)


def save_project(project: Project, path: str | Path) -> Path:
    """Save atomically (the previous file survives any failure); returns the path written."""
    return project_file.write(path, project_to_bytes(project))


def load_project(path: str | Path) -> Project:
    """Open a .lstmproj file; raises ProjectFileError with a message naming what is wrong."""
    meta, entries = project_file.unpack_entries(path)
    return project_from_contents(meta, entries)


def _damaged(exc: Exception) -> ProjectFileError:
    return ProjectFileError(f"The project file is damaged: {exc}")


def project_from_contents(meta: dict, entries: dict[str, bytes]) -> Project:
    """The project of a file's project.json (migrated in place) and its other entries."""
    version = meta.get("schema_version")
    meta, entries = migrate(meta, entries)  # refuses a version that is not a known number
    try:
        settings = refuse_unusable_settings(from_json(RunConfig, meta.get("settings"), "settings"), "settings")
        notes = from_json(str, meta.get("notes", ""), "notes")
        strategy = _read_strategy(meta.get("strategy"))
        data_sets = _read_data_sets(meta.get("data"), entries)
        runs = meta.get("runs", [])
        if not isinstance(runs, list):
            raise FieldError("runs should be a list.")
        frozen = meta.get("frozen", [])
        if not isinstance(frozen, list):
            raise FieldError("frozen should be a list.")
    except (FieldError, ProjectFileError) as exc:
        raise exc if isinstance(exc, ProjectFileError) else _damaged(exc) from exc
    if len(notes) > MAX_NOTES:
        raise ProjectFileError(f"The project's notes are {len(notes):,} characters long; at most {MAX_NOTES:,} open.")
    project = Project(settings=settings, notes=notes, strategy=strategy)
    project.created = str(meta.get("created") or now())
    project.modified = str(meta.get("modified") or now())
    project.saved_with = {"app": meta.get("app"), "libraries": meta.get("libraries")}
    as_read = version == SCHEMA_VERSION  # no migration changed the runs: their reports' text is theirs
    project.runs = _unique([_read_run(index, raw, data_sets, entries, as_read) for index, raw in enumerate(runs)])
    loaded, live = meta.get("loaded"), meta.get("live")
    project.loaded = data_sets.get(loaded) if isinstance(loaded, str) else None
    project.live = data_sets.get(live) if isinstance(live, str) else None
    if version < LOG_SINCE:
        project.frozen = _frozen_of_runs(project.good_runs)
    else:
        project.frozen = _with_references([_read_frozen(index, raw) for index, raw in enumerate(frozen)], project)
    current = meta.get("current_run")
    good = project.good_runs
    project.current_id = current if any(r.id == current for r in good) else (good[-1].id if good else None)
    if project.current is not None and project.current.id != current:  # the current run was damaged
        project.loaded = project.current.data
        project.settings = project.current.report.settings
    return project


def _read_strategy(data: object) -> StrategySpec:
    """The strategy settings, or the defaults for a file saved before they were kept."""
    if data is None:
        return StrategySpec()
    spec = from_json(StrategySpec, data, "strategy")
    try:
        spec.validate()
    except BadInput as exc:
        raise ProjectFileError(f"The project file holds strategy settings that cannot be used: {exc}") from exc
    return spec


def _read_frozen(index: int, raw: object) -> FrozenForecast | DamagedFrozen:
    """A frozen forecast, or a DamagedFrozen naming what is wrong with it (kept as it was)."""
    where = f"frozen[{index}]"
    try:
        frozen = from_json(FrozenForecast, raw, where)
    except BadInput as exc:
        return DamagedFrozen(raw, str(exc))
    problem = problem_of(frozen, where)
    return frozen if problem is None else DamagedFrozen(raw, problem)


def _frozen_of_runs(runs: list[StoredRun]) -> list[FrozenForecast | DamagedFrozen]:
    """The forecast log of a file from before it was kept: each readable run's stored forecast, frozen as a new run's
    is (origin: its last day of data). One that would be damaged as a file's entry is kept as damaged, as before."""
    log: list[FrozenForecast | DamagedFrozen] = []
    for run in runs:
        frozen = freeze(run)
        if frozen is not None:
            problem = problem_of(frozen, f"frozen[{len(log)}]")
            log.append(frozen if problem is None else DamagedFrozen(to_json(frozen), problem))
    return log


def _with_references(
    frozen: list[FrozenForecast | DamagedFrozen], project: Project
) -> list[FrozenForecast | DamagedFrozen]:
    """A frozen forecast kept without its reference (a file's entry written so) gets it from its run (when it can be
    read)."""
    runs = {r.id: r for r in project.good_runs}
    return [
        dataclasses.replace(f, reference=reference_of(runs[f.run].report))
        if isinstance(f, FrozenForecast) and f.reference is None and f.run in runs
        else f
        for f in frozen
    ]


def _unique(runs: list[StoredRun | DamagedRun]) -> list[StoredRun | DamagedRun]:
    """A run id used twice: every run but the first with it is damaged, with that reason."""
    seen: set[str] = set()
    kept: list[StoredRun | DamagedRun] = []
    for run in runs:
        if run.id in seen and isinstance(run, StoredRun):
            problem = f"its id {run.id} is the id of an earlier run in this file."
            raw = {"id": run.id, "name": run.name, "data": run.data.id, "report": json.loads(run.report_json)}
            run = DamagedRun(run.id, run.name, problem, raw, {}, (run.data.id, run.data.entry()))
        seen.add(run.id)
        kept.append(run)
    return kept


def _read_data_sets(data: object, entries: dict[str, bytes]) -> dict[str, DataSet]:
    if not isinstance(data, dict):
        raise FieldError("data should be an object.")
    sets = {}
    for data_id, entry in data.items():
        name = f"prices/{data_id}.csv"
        if name not in entries:
            raise ProjectFileError(f"The project file is damaged: {name} is missing.")
        frames = frames_from_csv(
            entries[name], entry.get("tickers") if isinstance(entry, dict) else None, f"data.{data_id}"
        )
        sets[data_id] = DataSet(frames, entries[name])
    return sets


def _read_run(
    index: int, raw: object, data_sets: dict[str, DataSet], entries: dict[str, bytes], as_read: bool
) -> StoredRun | DamagedRun:
    """A run entry, or a DamagedRun naming what is wrong with it. `as_read`: the entry is as the file has it
    (not migrated), so a report's text kept by the parser is its JSON (see json_pieces.SourcedDict)."""
    where = f"runs[{index}]"
    if not isinstance(raw, dict):
        return DamagedRun(f"damaged-{index}", where, f"{where} should be an object.", {"id": f"damaged-{index}"}, {})
    run_id = raw.get("id") if isinstance(raw.get("id"), str) else f"damaged-{index}"
    name = raw.get("name") if isinstance(raw.get("name"), str) else run_id
    weights_name = f"weights/{run_id}.safetensors"
    try:
        stored = _decode_run(raw, run_id, name, data_sets, entries.get(weights_name), where, as_read)
    except (BadInput, ValueError) as exc:
        kept = {weights_name: entries[weights_name]} if weights_name in entries else {}
        data_id, data_entry = raw.get("data"), None
        if isinstance(data_id, str) and data_id in data_sets:
            kept[f"prices/{data_id}.csv"] = data_sets[data_id].csv
            data_entry = (data_id, data_sets[data_id].entry())
        return DamagedRun(run_id, name, str(exc), raw, kept, data_entry)
    return stored


def _decode_run(
    raw: dict,
    run_id: str,
    name: str,
    data_sets: dict[str, DataSet],
    weights: bytes | None,
    where: str,
    as_read: bool,
) -> StoredRun:
    from ..learn.model import expected_shapes
    from .weights_file import read_header

    data_id = raw.get("data")
    if not isinstance(data_id, str) or data_id not in data_sets:
        raise FieldError(f"{where}.data names prices the file does not hold.")
    if weights is None:
        raise FieldError(f"{where} has no weights (weights/{run_id}.safetensors is missing).")
    report = RunReport.from_json(raw.get("report"), f"{where}.report")
    refuse_unusable_settings(report.settings, f"{where}.report.settings")
    shapes = expected_shapes(len(report.inputs), report.settings.dataset.horizon, report.settings.model)
    header = read_header(weights, name=f"weights/{run_id}.safetensors")
    found = {key: shape for key, (_, shape) in header.items()}
    odd = sorted(key for key, (dtype, _) in header.items() if dtype != "F32")
    if odd:
        raise ProjectFileError(f"{where}: the weights must be float32 (F32); {odd[0]} is {header[odd[0]][0]}.")
    if found != shapes:
        raise ProjectFileError(
            f"{where}: the stored weights do not fit the model its settings describe "
            f"({len(found)} tensors found, {len(shapes)} expected, or different shapes)."
        )
    return StoredRun(
        id=run_id,
        name=name,
        starred=bool(raw.get("starred", False)),
        created=str(raw.get("created", "")),
        data=data_sets[data_id],
        report=report,
        weights_bytes=weights,
        report_json=_report_text(raw, as_read),
    )


def _report_text(raw: dict, as_read: bool) -> str:
    """A run entry's report as JSON text, kept for saving: the text it was parsed from where the parser kept it
    and no migration changed it (encoding it again took twice its parsing), else encoded from the parsed value."""
    sources = getattr(raw, "sources", None) if as_read else None
    if sources and "report" in sources:
        return sources["report"]
    return json.dumps(raw.get("report"), separators=(",", ":"))
