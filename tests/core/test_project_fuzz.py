"""Fuzzing a real project's project.json: hypothesis mutates one valid project (the value at any path of the
settings, the data sets, the runs or a run's report, at any depth, replaced by a value of another type, a huge or
negative number, NaN, a long string or deep nesting; keys deleted or added; run entries duplicated or deleted, ids
swapped), repacks it with valid checksums and opens it through the core and the command line.

Each case must open (possibly with damaged runs) or be refused with a BadInput naming the problem, never another
exception, within time and memory bounds. What opens must then print (`show`'s document as strict JSON), describe
(the terminal summary) and forecast from its stored model, each cleanly or refused with a message; and save again
without losing or changing a run. A slice of the cases goes through the real command line (show, show --json,
forecast): exit 0 or 2, never a traceback.

Runs in ~20 s by default; LSTM_DESKTOP_FUZZ_EXAMPLES=2000 runs that many examples of each test.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from lstm_desktop import cli_text
from lstm_desktop.cli import main as cli_main
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.run import forecast_again, run
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
from lstm_desktop.core.store.documents import project_document
from lstm_desktop.core.store.project import Project, StoredRun
from lstm_desktop.core.store.project_file import pack_entries, unpack_entries
from lstm_desktop.core.store.project_io import load_project, save_project

# Hypothesis caches what it reads of the source (.hypothesis/) in the working folder even without a database:
# keep the repository clean (the same folder as tests/core/test_data_fuzz_csv.py)
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "lstm-desktop-hypothesis")

EXAMPLES = int(os.environ.get("LSTM_DESKTOP_FUZZ_EXAMPLES", "0"))
MAX_SECONDS = 5.0  # per case: opening, printing, forecasting and saving a 60 KB project
MAX_GROWTH = 256 * 2**20  # per case, peak resident memory above what the process held when the case began
CONFIG = RunConfig(
    data=DataRequest(source="sample", tickers=("IBM",), start="2011-06-01"),
    dataset=DatasetSpec(window=10),
    model=ModelSpec(layers=1, hidden=4),
    train=TrainSpec(epochs=1, threads=1),
    forecast_days=3,
)

Key = str | int
Where = tuple[Key, ...]


def fuzz(default: int) -> Any:
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        database=None,  # nothing written into the repository
        derandomize=not EXAMPLES,  # the default run is the same every time
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@dataclass(frozen=True)
class Valid:
    """A valid project's project.json (without its checksums) and its other entries."""

    meta: dict = field(repr=False)
    entries: dict[str, bytes] = field(repr=False)
    folder: Path

    @property
    def run_id(self) -> str:
        return self.meta["runs"][0]["id"]

    @property
    def data_id(self) -> str:
        return self.meta["runs"][0]["data"]

    def write(self, meta: dict, name: str = "case.lstmproj") -> Path:
        """`meta` packed with the valid entries, their checksums recomputed."""
        path = self.folder / name
        path.write_bytes(pack_entries(meta, self.entries))
        return path


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> Valid:
    """One small trained project, built once for the module (about 5 s)."""
    folder = tmp_path_factory.mktemp("project-fuzz")
    with pytest.MonkeyPatch.context() as patch:  # the module's fixture runs before the per-test private profile
        patch.setenv("LSTM_DESKTOP_HOME", str(folder / "profile"))
        project = Project()
        project.add(run(CONFIG))
        path = save_project(project, folder / "valid.lstmproj")
    meta, entries = unpack_entries(path)
    meta.pop("checksums")
    return Valid(meta, entries, folder)


# ------------------------------------------------------------------------------------------------ bounds


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise OSError(field)


def _reset_peak() -> int | None:
    """Reset the process's peak resident memory to its current value (Linux); the current value, or None."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status("VmRSS")
    except OSError:
        return None


@contextlib.contextmanager
def bounded(what: str) -> Iterator[None]:
    """Fail when the body takes more than MAX_SECONDS or grows the resident memory by more than MAX_GROWTH."""
    baseline, start = _reset_peak(), time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    assert seconds < MAX_SECONDS, f"{what} took {seconds:.1f} s"
    if baseline is not None:
        growth = _status("VmHWM") - baseline
        assert growth < MAX_GROWTH, f"{what} took {growth / 2**20:.0f} MB"


# ------------------------------------------------------------------------------------------------ mutations


def node_at(document: Any, where: Where) -> Any:
    for key in where:
        document = document[key]
    return document


def keys_of(node: Any) -> list[Key]:
    if isinstance(node, dict):
        return list(node)
    return list(range(len(node))) if isinstance(node, list) else []


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 1, 2**31, 2**40, 2**63, -(2**63), 10**30, 10**400, -(10**400)]),
    st.integers(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0, 0.5]),
    st.floats(),
    st.sampled_from(["", "x", "2012-13-45", "9999-12-31", "0001-01-01", "NaT", "nan", "IBM", "AAPL", "../x"]),
    st.sampled_from(["Open", "Volume", "minmax", "log_return", "cuda:0", "bfloat16", "val", "\x00", "é" * 11]),
    st.text(max_size=12),
    st.integers(1000, 100_000).map(lambda n: "x" * n),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
HOSTILE = st.one_of(JSON_VALUES, st.integers(1, 80).map(nested), st.integers(1000, 100_000).map(lambda n: [1.5] * n))


def variants(value: Any) -> list[Any]:
    """Values near `value` of the same type: off by one, negated, scaled, cut, doubled, emptied."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, -value, value * 2**20, 0]
    if isinstance(value, float):
        return [-value, value * 1e300, value + 1, 0.0]
    if isinstance(value, str):
        return ["", value * 1000, value[:-1], value + "Z", value.upper()]
    if isinstance(value, list):
        return [[], value[:1], value[:-1], value + value, value[::-1], value[:1] * len(value)]
    if isinstance(value, dict):
        return [{k: v for k, v in value.items() if k != key} for key in value] + [{**value, "extra": 1}, {}]
    return []


STARTS: list[Where] = [(), ("runs", 0, "report"), ("runs", 0), ("settings",), ("data",)]


def exists(document: Any, where: Where) -> bool:
    try:
        node_at(document, where)
    except (KeyError, IndexError, TypeError):
        return False
    return True


@st.composite
def paths(draw: st.DrawFn, document: dict) -> Where:
    """A path to any node below the root, starting often inside the run's report and walking down at random."""
    where: Where = draw(st.sampled_from([start for start in STARTS if exists(document, start)]))
    while True:
        keys = keys_of(node_at(document, where))
        if not keys or (where and draw(st.integers(0, 4)) == 0):
            return where
        where = (*where, draw(st.sampled_from(keys)))


def replace(draw: st.DrawFn, meta: dict) -> str:
    where = draw(paths(meta))
    current = node_at(meta, where)
    near = variants(current)
    value = draw(st.sampled_from(near) | HOSTILE if near else HOSTILE)
    node_at(meta, where[:-1])[where[-1]] = value
    return f"replace {where} with {_short(value)}"


def delete(draw: st.DrawFn, meta: dict) -> str:
    where = draw(paths(meta))
    del node_at(meta, where[:-1])[where[-1]]
    return f"delete {where}"


def add_key(draw: st.DrawFn, meta: dict) -> str:
    where = draw(paths(meta))
    while not isinstance(node_at(meta, where), dict):
        where = where[:-1]
    key = draw(st.sampled_from(["extra", "id", "report", "data", "__proto__", ""]) | st.text(max_size=6))
    value = draw(HOSTILE)
    node_at(meta, where)[key] = value
    return f"add {key!r}={_short(value)} at {where}"


def runs_entry(draw: st.DrawFn, meta: dict) -> str:
    """Duplicate or delete run entries, swap ids between runs, data sets and the current run."""
    runs, data = meta.get("runs"), meta.get("data")
    if not (isinstance(runs, list) and runs and isinstance(runs[0], dict) and isinstance(data, dict) and data):
        return replace(draw, meta)  # an earlier mutation took the structure away
    kind = draw(st.sampled_from(["duplicate", "duplicate-new-id", "delete", "run-id", "current", "loaded", "data-key"]))
    known = [value for value in (runs[0].get("id"), meta.get("loaded"), next(iter(data))) if isinstance(value, str)]
    if kind.startswith("duplicate"):
        twin = copy.deepcopy(runs[0])
        twin["id"] = twin.get("id") if kind == "duplicate" else "r" + "0" * 12
        runs.insert(draw(st.integers(0, len(runs))), twin)
    elif kind == "delete":
        runs.pop(0)
    elif kind == "run-id":
        runs[0]["id"] = draw(st.sampled_from([*known, *(k + "0" for k in known), "", "a/b", 7]))
    elif kind in ("current", "loaded"):
        meta["current_run" if kind == "current" else "loaded"] = draw(st.sampled_from([None, "", 3, ["x"], *known]))
    else:
        data["d" + "f" * 16] = data.pop(next(iter(data)))
    return kind


def transplant(draw: st.DrawFn, meta: dict) -> str:
    """The value of one node copied over another: the right kind of JSON in the wrong place."""
    source, target = draw(paths(meta)), draw(paths(meta))
    node_at(meta, target[:-1])[target[-1]] = copy.deepcopy(node_at(meta, source))
    return f"copy {source} to {target}"


MUTATIONS = [replace, replace, replace, delete, add_key, runs_entry, transplant]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


@st.composite
def mutated(draw: st.DrawFn, valid: Valid) -> tuple[dict, list[str]]:
    """A deep copy of the valid project.json with one to three mutations, and their description."""
    meta = copy.deepcopy(valid.meta)
    done = [draw(st.sampled_from(MUTATIONS))(draw, meta) for _ in range(draw(st.integers(1, 3)))]
    return meta, done


# ------------------------------------------------------------------------------------------------ the checks


def opened_or_refused(path: Path) -> Project | None:
    """The project at `path`, or None when it was refused with a message."""
    try:
        return load_project(path)
    except BadInput as exc:  # ProjectFileError is one
        assert str(exc).strip(), "refused without a message"
        return None


def done_or_refused(step: Callable[[], Any]) -> Any:
    """`step()`, or None when it refused with a message (BadInput); any other exception fails the case."""
    try:
        return step()
    except BadInput as exc:
        assert str(exc).strip(), "refused without a message"
        return None


def use(project: Project) -> None:
    """Everything a user does with an opened project short of training: show, describe, forecast."""
    document = done_or_refused(lambda: project_document(project))
    if document is not None:
        json.dumps(document, allow_nan=False)  # what show --json prints
    for stored in project.good_runs:
        done_or_refused(lambda stored=stored: cli_text.run_text(stored.report))
    current = project.current
    if current is not None:
        done_or_refused(lambda: forecast_again(current.report, current.data.frames, current.tensors(), 3))


def runs_of(project: Project) -> tuple[list[tuple[str, bool]], str | None]:
    return [(r.id, isinstance(r, StoredRun)) for r in project.runs], project.current_id


def saves_again(project: Project, path: Path) -> None:
    """Saving an opened project loses no run and changes none (damaged runs are kept as they were)."""
    before = runs_of(project)
    reopened = load_project(save_project(project, path))
    assert runs_of(reopened) == before


def check_case(valid: Valid, meta: dict) -> None:
    path = valid.write(meta)
    with bounded("opening, showing, forecasting and saving"):
        project = opened_or_refused(path)
        event("refused" if project is None else f"opened with {len(project.good_runs)} good run(s)")
        if project is not None:
            use(project)
            saves_again(project, valid.folder / "again.lstmproj")


# ------------------------------------------------------------------------------------------------ the tests


def test_the_valid_project_opens_shows_and_forecasts(valid: Valid) -> None:
    """The starting point of every case is itself sound (else every case would be refused)."""
    project = load_project(valid.write(valid.meta))
    assert [r.id for r in project.good_runs] == [valid.run_id] and project.current_id == valid.run_id
    use(project)
    current = project.current
    assert len(forecast_again(current.report, current.data.frames, current.tensors(), 3).forecast) == 3


@fuzz(90)
@given(st.data())
def test_mutated_project_json(valid: Valid, data: st.DataObject) -> None:
    meta, done = data.draw(mutated(valid))
    data.draw(st.just(done), label="mutations")
    check_case(valid, meta)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(list(args))
    return code, out.getvalue(), err.getvalue()


def cli_case(path: Path) -> None:
    """show --json, show and forecast exit 0 or 2 with a message, never a traceback; show --json is strict JSON."""
    for args in (["show", str(path), "--json"], ["show", str(path)], ["forecast", str(path), "--days", "3"]):
        code, out, err = run_cli(*args)
        assert code in (0, 2), (args, code, err)
        assert "Traceback" not in err
        if code == 2:
            assert err.startswith("error: ") and len(err) > 10, err
        elif "--json" in args:
            json.loads(out, parse_constant=lambda name: pytest.fail(f"show --json printed {name}"))


@fuzz(15)
@given(st.data())
def test_mutated_project_json_through_the_cli(valid: Valid, data: st.DataObject) -> None:
    meta, done = data.draw(mutated(valid))
    data.draw(st.just(done), label="mutations")
    path = valid.write(meta)
    with bounded("the command line"):
        cli_case(path)


# ------------------------------------------------------------------------------------------------ what it found


def mutated_copy(valid: Valid, change: Callable[[dict], Any]) -> dict:
    meta = copy.deepcopy(valid.meta)
    change(meta)
    return meta


def report_of(meta: dict) -> dict:
    return meta["runs"][0]["report"]


@pytest.mark.parametrize(
    "where",
    [("settings", "model", "dropout"), ("settings", "dataset", "window"), ("runs", 0, "report", "seconds")],
)
def test_a_number_beyond_the_float_range_is_refused(valid: Valid, where: Where) -> None:
    meta = mutated_copy(valid, lambda m: node_at(m, where[:-1]).__setitem__(where[-1], 10**400))
    project = opened_or_refused(valid.write(meta))
    assert project is None or not project.good_runs


@pytest.mark.parametrize("dates", [[], ["2011-06-01"]])
def test_a_split_of_fewer_than_two_dates_is_a_damaged_run(valid: Valid, dates: list[str]) -> None:
    meta = mutated_copy(valid, lambda m: report_of(m)["split"].__setitem__("train", dates))
    project = load_project(valid.write(meta))
    assert not project.good_runs and "split" in project.runs[0].problem


def test_nan_in_the_saved_with_versions_does_not_break_show_json(valid: Valid) -> None:
    meta = mutated_copy(valid, lambda m: m.__setitem__("libraries", {"torch": math.nan}))
    code, out, err = run_cli("show", str(valid.write(meta)), "--json")
    assert code == 0, err
    json.loads(out)


def test_a_data_set_listing_a_ticker_twice_is_refused(valid: Valid) -> None:
    def twice(meta: dict) -> None:
        tickers = meta["data"][valid.data_id]["tickers"]
        tickers.append(copy.deepcopy(tickers[0]))

    project = opened_or_refused(valid.write(mutated_copy(valid, twice)))
    if project is not None and project.current is not None:
        run_ = project.current
        done_or_refused(lambda: forecast_again(run_.report, run_.data.frames, run_.tensors(), 3))


def test_predictions_outnumbering_the_windows_make_a_damaged_run(valid: Valid) -> None:
    def stretch(meta: dict) -> None:
        series = report_of(meta)["predictions"]["test"]
        count = len(series["dates"]) * 10
        series["dates"] = np.datetime_as_string(np.arange(count) + np.datetime64("2000-01-01", "D")).tolist()
        series["actual"] = series["predicted"] = [100.0] * count

    project = load_project(valid.write(mutated_copy(valid, stretch)))
    assert not project.good_runs and "predictions" in project.runs[0].problem
