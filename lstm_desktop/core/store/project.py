"""Projects: the settings being worked on, the loaded prices, and every run kept — each with its report, weights
and the exact prices it trained on. One run is current; the window shows it.

Runs are immutable once made: a run's JSON and weight bytes are encoded once (in the worker that made or read
it) and reused by every save, so saving a project of many runs costs little where the user waits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..codec import to_json
from ..data.prices import PriceFrame
from ..errors import BadInput, ProjectFileError
from ..living.frozen import DamagedFrozen, FrozenForecast, freeze
from ..report import RunReport
from ..specs import RunConfig
from ..strategy.spec import StrategySpec
from .legacy import content_id
from .prices_csv import frames_to_csv, ticker_entries

if TYPE_CHECKING:
    from ..run import FinishedRun


MAX_NOTES = 1_000_000  # characters; more would block the window for seconds and is no note


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class DataSet:
    """Prices one or more runs trained on (or loaded, not trained yet), stored once however many runs use them."""

    frames: tuple[PriceFrame, ...]
    csv: bytes  # the prices.csv entry, bit-exact

    @classmethod
    def of(cls, frames: tuple[PriceFrame, ...] | list[PriceFrame]) -> DataSet:
        return cls(tuple(frames), frames_to_csv(frames))

    @cached_property
    def id(self) -> str:
        return content_id("d", self.csv)

    def entry(self) -> dict:
        return {"tickers": ticker_entries(self.frames)}


@dataclass(frozen=True)
class StoredRun:
    """A finished run kept in a project."""

    id: str
    name: str
    starred: bool
    created: str
    data: DataSet
    report: RunReport
    weights_bytes: bytes  # safetensors
    report_json: str = field(default="", repr=False, compare=False)  # encoded once, reused by every save

    def tensors(self) -> dict:
        """The weights as CPU tensors, shapes checked against the run's settings before anything is allocated."""
        from ..learn.model import expected_shapes
        from .weights_file import load_float32

        report = self.report
        shapes = expected_shapes(len(report.inputs), report.settings.dataset.horizon, report.settings.model)
        return load_float32(self.weights_bytes, shapes)

    def entry(self) -> str:
        """This run's entry of project.json, as JSON text."""
        meta = {
            "id": self.id,
            "name": self.name,
            "starred": self.starred,
            "created": self.created,
            "data": self.data.id,
        }
        head = json.dumps(meta, separators=(",", ":"))
        return head[:-1] + ',"report":' + (self.report_json or encode_report(self.report)) + "}"


@dataclass(frozen=True)
class DamagedRun:
    """A run entry that could not be read: shown with its problem, kept byte for byte so saving loses nothing."""

    id: str
    name: str
    problem: str
    raw: dict[str, Any]
    entries: dict[str, bytes]  # its weights and prices entries, as found
    data_entry: tuple[str, dict] | None = None  # (data id, its project.json entry) when its prices were readable


@dataclass(frozen=True)
class NewRun:
    """A run just kept by `Project.add_new` with the forecast it logged (None: none, as a search's other trials), so
    that whoever adds it to another copy of the project (the window's state, from a worker's snapshot) logs that
    entry as it is instead of freezing the run again."""

    run: StoredRun
    frozen: FrozenForecast | None


def encode_report(report: RunReport) -> str:
    return json.dumps(to_json(report), separators=(",", ":"))


def new_run_id() -> str:
    return "r" + secrets.token_hex(6)


@dataclass
class Project:
    """A unit of work. Mutated only by its owner (the app state, on one thread); `snapshot` for saving elsewhere."""

    settings: RunConfig = field(default_factory=RunConfig)
    loaded: DataSet | None = None  # prices loaded for the next run
    runs: list[StoredRun | DamagedRun] = field(default_factory=list)
    current_id: str | None = None
    notes: str = ""
    created: str = field(default_factory=now)
    modified: str = field(default_factory=now)
    saved_with: dict = field(default_factory=dict)  # app and library versions that wrote the file
    strategy: StrategySpec = field(default_factory=StrategySpec)  # the strategy check's rule and costs
    live: DataSet | None = None  # the newest prices of every ticker, once refreshed (core/living/refresh.py)
    frozen: list[FrozenForecast | DamagedFrozen] = field(default_factory=list)  # the forecast log, oldest first
    # (the log indexed, its length then, the ids of the runs it holds a forecast of): see `logged_runs`
    _logged: tuple[list, int, set[str]] | None = field(default=None, init=False, repr=False, compare=False)

    # ----- runs -----
    @property
    def good_runs(self) -> list[StoredRun]:
        return [r for r in self.runs if isinstance(r, StoredRun)]

    @property
    def current(self) -> StoredRun | None:
        return next((r for r in self.good_runs if r.id == self.current_id), None)

    @property
    def trained(self) -> bool:
        return self.current is not None

    def find(self, run_id: str) -> StoredRun | DamagedRun:
        """A run by its id, a unique start of its id, or its unique name."""
        for matches in (
            [r for r in self.runs if r.id == run_id],
            [r for r in self.runs if r.id.startswith(run_id)],
            [r for r in self.runs if r.name == run_id],
        ):
            if len(matches) == 1:
                return matches[0]
        known = ", ".join(f"{r.id} ({r.name})" for r in self.runs) or "none"
        raise BadInput(f"This project has no run {run_id!r} (or more than one matches); its runs: {known}.")

    def data_sets(self) -> list[DataSet]:
        """Every data set the project holds (runs', loaded, live), each once."""
        sets = [r.data for r in self.good_runs] + [d for d in (self.loaded, self.live) if d is not None]
        return list({d.id: d for d in sets}.values())

    def add(self, finished: FinishedRun, name: str = "", freeze: bool = True) -> StoredRun:
        """Keep a finished run and make it current (encoding its entries here, in the caller's thread). `freeze`:
        log its forecast (a search logs only its best trial's: the others' forecasts were never offered)."""
        return self.add_new(finished, name, freeze).run

    def add_new(self, finished: FinishedRun, name: str = "", freeze: bool = True) -> NewRun:
        """`add`, and the forecast it logged: a worker adds to a snapshot and hands both to the window's state."""
        stored = stored_run(finished, name or f"run {len(self.runs) + 1}", self.data_like(finished.frames))
        self.runs.append(stored)
        frozen = self.keep_frozen(stored) if freeze else None
        self.current_id = stored.id
        self.loaded = stored.data
        self.settings = stored.report.settings
        return NewRun(stored, frozen)

    def keep_frozen(self, stored: StoredRun) -> FrozenForecast | None:
        """Freeze a new run's forecast into the log (once: a run already logged is left as it was); the entry
        logged, None when none was."""
        if stored.id in self.logged_runs():
            return None
        frozen = freeze(stored)
        if frozen is not None:
            self.log_frozen(frozen)
        return frozen

    def log_frozen(self, frozen: FrozenForecast) -> bool:
        """A forecast frozen elsewhere (a worker's copy of the project) into the log as it is, unless its run is
        logged already; True when it was added."""
        logged = self.logged_runs()
        if frozen.run in logged:
            return False
        self.frozen.append(frozen)
        logged.add(frozen.run)
        self._logged = (self.frozen, len(self.frozen), logged)
        return True

    def logged_runs(self) -> set[str]:
        """The ids of the runs the log holds a forecast of. Kept in step as the log grows (it only grows, at its
        end), so that adding a run costs no scan of the whole log; built afresh when the log itself was replaced
        (a file read) or shrank."""
        log, count, logged = self._logged or (None, 0, set())
        if log is not self.frozen or count > len(self.frozen):
            count, logged = 0, set()
        for entry in self.frozen[count:]:
            if isinstance(entry, FrozenForecast):
                logged.add(entry.run)
        self._logged = (self.frozen, len(self.frozen), logged)
        return logged

    def data_like(self, frames: tuple[PriceFrame, ...]) -> DataSet:
        """The project's data set holding exactly these prices, or a new one."""
        fresh = DataSet.of(frames)
        return next((known for known in self.data_sets() if known.id == fresh.id), fresh)

    def replace_run(self, stored: StoredRun) -> None:
        self.runs = [stored if r.id == stored.id else r for r in self.runs]

    def rename(self, run_id: str, name: str) -> None:
        run = self.find(run_id)
        if isinstance(run, StoredRun):
            self.replace_run(dataclasses.replace(run, name=name.strip() or run.name))

    def star(self, run_id: str, starred: bool) -> None:
        run = self.find(run_id)
        if isinstance(run, StoredRun):
            self.replace_run(dataclasses.replace(run, starred=starred))

    def delete(self, run_id: str) -> None:
        """Drop a run with its weights (and its prices when nothing else uses them)."""
        run = self.find(run_id)
        self.runs = [r for r in self.runs if r.id != run.id]
        if self.current_id == run.id:
            self.current_id = self.good_runs[-1].id if self.good_runs else None

    def choose(self, run_id: str) -> StoredRun:
        run = self.find(run_id)
        if not isinstance(run, StoredRun):
            raise BadInput(f"Run {run.name!r} cannot be shown: {run.problem}")
        self.current_id = run.id
        self.loaded = run.data
        self.settings = run.report.settings
        return run

    def snapshot(self) -> Project:
        """A copy that later changes to this project do not touch (runs and data sets are immutable)."""
        return dataclasses.replace(
            self, runs=list(self.runs), saved_with=dict(self.saved_with), frozen=list(self.frozen)
        )


def stored_run(finished: FinishedRun, name: str, data: DataSet, run_id: str | None = None) -> StoredRun:
    from safetensors.torch import save

    report = finished.report
    return StoredRun(
        id=run_id or new_run_id(),
        name=name,
        starred=False,
        created=now(),
        data=data,
        report=report,
        weights_bytes=save(dict(finished.weights)),
        report_json=encode_report(report),
    )


def refuse_unusable_settings(config: RunConfig, where: str) -> RunConfig:
    try:
        config.validate()
    except BadInput as exc:
        raise ProjectFileError(f"The project file holds settings that cannot be used ({where}): {exc}") from exc
    return config
