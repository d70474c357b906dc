"""Measure what opening realistic and hostile project files of at most 10 MB costs, end to end.

Builds project files (one run of the reference setup; as many such runs as fit in 10 MB; 100 of them; notes at
and past their limit; settings claiming an 8 × 2048 LSTM beside small weights; a report of 1,000,000 predictions;
deep JSON; a zip bomb; a data set listing its ticker 10,000 times; 60 MB of prices; ~1000 small runs), then
measures, each in a fresh process, the wall time and the peak resident memory above the process's baseline of
  load    core.store.project_io.load_project
  show    `lstm-desktop-cli show FILE --json` (main() in process, its output to /dev/null)
  window  File › Open in the window, offscreen: from open_path until the project is shown or refused
The baseline is the process once torch, pandas and numpy are imported (the app preloads them) and, for the window,
once it is shown. Peak memory is Linux's VmHWM after resetting it through /proc/self/clear_refs.
Targets: at most 500 MB above the baseline and 10 s for any file of at most 10 MB.

Usage: python tools/resource_bounds.py [--only SUBSTRING] [--modes load,show,window] [--base FOLDER]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's lstm_desktop, whatever is installed

MB = 10**6
FILE_LIMIT = 10 * MB  # "any project file of at most 10 MB"
TARGET_SECONDS, TARGET_PEAK = 10.0, 500 * MB
MODES = ("load", "show", "window")


# ------------------------------------------------------------------------------------------------ the base run


@dataclass(frozen=True)
class Base:
    """A run of the reference setup (2 × LSTM(50), window 100, the bundled AAPL sample, 100 epochs of history)
    and a small one (1 × LSTM(4), window 10, IBM from 2011), each saved once; files are built from them."""

    reference: Path
    small: Path


def reference_config(small: bool):
    from lstm_desktop.bench.training import reference_run_config
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec

    if small:
        return RunConfig(
            data=DataRequest(source="sample", tickers=("IBM",), start="2011-06-01"),
            dataset=DatasetSpec(window=10),
            model=ModelSpec(layers=1, hidden=4),
            train=TrainSpec(epochs=1, threads=1),
            forecast_days=3,
        )
    return reference_run_config(epochs=1)


def with_long_history(finished, epochs: int = 100):
    """The run as if it had trained `epochs` epochs (a real run's history; training them would take minutes)."""
    import dataclasses

    history = tuple(dataclasses.replace(finished.report.history[0], epoch=e + 1) for e in range(epochs))
    report = dataclasses.replace(finished.report, history=history, best_epoch=epochs)
    return dataclasses.replace(finished, report=report)


def build_base(folder: Path) -> Base:
    """Train the two runs (a minute or more: the reference run's assessment is most of it) unless `folder`
    already holds them."""
    from lstm_desktop.core.run import run
    from lstm_desktop.core.store.project import Project
    from lstm_desktop.core.store.project_io import save_project

    paths = []
    for small in (False, True):
        path = folder / ("small.lstmproj" if small else "reference.lstmproj")
        if not path.is_file():
            project = Project()
            finished = run(reference_config(small))
            project.add(finished if small else with_long_history(finished))
            save_project(project, path)
        paths.append(path)
    return Base(*paths)


def contents(path: Path) -> tuple[dict, dict[str, bytes]]:
    from lstm_desktop.core.store.project_file import unpack_entries

    meta, entries = unpack_entries(path)
    meta.pop("checksums")
    return meta, entries


def write(path: Path, meta: dict, entries: dict[str, bytes]) -> Path:
    from lstm_desktop.core.store.project_file import pack_entries

    path.write_bytes(pack_entries(meta, entries))
    return path


def runs_of(meta: dict, entries: dict[str, bytes], count: int) -> tuple[dict, dict[str, bytes]]:
    """The file's one run repeated `count` times, each a run of its own (own id, own weights entry)."""
    meta, entries = copy.deepcopy(meta), dict(entries)
    first = meta["runs"][0]
    weights = entries.pop(f"weights/{first['id']}.safetensors")
    meta["runs"] = [dict(first, id=f"r{i:011d}", name=f"run {i + 1}") for i in range(count)]
    entries.update({f"weights/r{i:011d}.safetensors": weights for i in range(count)})
    meta["current_run"] = meta["runs"][-1]["id"]
    return meta, entries


def most_runs_within(path: Path, source: Path, limit: int = FILE_LIMIT, cap: int = 1000) -> Path:
    """As many copies of `source`'s run as fit in a file of `limit` bytes (at most `cap`)."""
    meta, entries = contents(source)
    one = write(path, *runs_of(meta, entries, 1)).stat().st_size
    two = write(path, *runs_of(meta, entries, 2)).stat().st_size
    count = min(cap, 1 + int((limit * 0.99 - one) // (two - one)))
    while write(path, *runs_of(meta, entries, count)).stat().st_size > limit:
        count -= max(1, count // 100)
    return path


# ------------------------------------------------------------------------------------------------ the cases


def one_reference_run(path: Path, base: Base) -> Path:
    return write(path, *contents(base.reference))


def reference_runs_within_10mb(path: Path, base: Base) -> Path:
    return most_runs_within(path, base.reference)


def hundred_reference_runs(path: Path, base: Base) -> Path:
    return write(path, *runs_of(*contents(base.reference), 100))


def small_runs_within_10mb(path: Path, base: Base) -> Path:
    return most_runs_within(path, base.small)


def words(count: int, seed: int = 0) -> str:
    """`count` characters of word-like text (compresses like prose, about 3×)."""
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rnd.choices(letters, k=rnd.randint(2, 9))) for _ in range(5000)]
    text, size = [], 0
    while size < count:
        word = rnd.choice(vocabulary)
        text.append(word)
        size += len(word) + 1
    return " ".join(text)[:count]


def notes_at_the_limit(path: Path, base: Base) -> Path:
    from lstm_desktop.core.store.project_io import MAX_NOTES

    meta, entries = contents(base.reference)
    return write(path, dict(meta, notes=words(MAX_NOTES)), entries)


def notes_of_nine_mb(path: Path, base: Base) -> Path:
    meta, entries = contents(base.reference)
    rnd = random.Random(1)
    notes = "".join(rnd.choices("abcdefgh ", k=18 * MB))  # ~3 bits a character: about 9 MB deflated
    return write(path, dict(meta, notes=notes), entries)


def claims_a_huge_model(path: Path, base: Base) -> Path:
    """Settings of an 8 × 2048 LSTM (about 1 GB of weights) beside the reference run's 124 KB of weights."""
    meta, entries = contents(base.reference)
    huge = {"layers": 8, "hidden": 2048, "dropout": 0.0}
    meta["settings"]["model"] = huge
    meta["runs"][0]["report"]["settings"]["model"] = huge
    return write(path, meta, entries)


def million_predictions(path: Path, base: Base) -> Path:
    """The reference run's test predictions stretched to 1,000,000 rows (one a day from 1700: about 50 MB of
    JSON that deflates to a few MB)."""
    import numpy as np

    meta, entries = contents(base.reference)
    rows = 1_000_000
    dates = np.datetime_as_string(np.arange(rows) + np.datetime64("1700-01-01", "D")).tolist()
    rnd = np.random.default_rng(0)
    values = np.round(100 + rnd.normal(size=rows).cumsum() * 0.1, 2).tolist()
    meta["runs"][0]["report"]["predictions"]["test"] = {"dates": dates, "actual": values, "predicted": values}
    return write(path, meta, entries)


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def json_63_deep(path: Path, base: Base) -> Path:
    meta, entries = contents(base.reference)
    return write(path, dict(meta, app=nested(63)), entries)


def raw_zip(path: Path, meta: dict, entries: dict[str, bytes], document: bytes | None = None) -> Path:
    """A container written by hand (deflate level 9), for what pack_entries refuses to write: project.json is
    `document` when given, else `meta` with the checksums of `entries`."""
    import zipfile

    from lstm_desktop.core.store.container_format import sha256

    meta = dict(meta, checksums={name: sha256(data) for name, data in entries.items()})
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("project.json", document if document is not None else json.dumps(meta).encode())
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def json_3_million_deep(path: Path, base: Base) -> Path:
    """project.json's "app" nested 3,000,000 deep (json.dumps cannot write it: it recurses)."""
    from lstm_desktop.core.store.container_format import sha256

    meta, entries = contents(base.reference)
    meta["checksums"] = {name: sha256(data) for name, data in entries.items()}
    depth = 3_000_000
    document = json.dumps(meta)[:-1].encode() + b',"app":' + b"[" * depth + b"]" * depth + b"}"
    return raw_zip(path, meta, entries, document)


def zip_bomb(path: Path, base: Base) -> Path:
    """64 MB of zeros as the prices entry (deflates 1000×)."""
    meta, entries = contents(base.reference)
    name = next(n for n in entries if n.startswith("prices/"))
    return raw_zip(path, meta, {**entries, name: bytes(64 * 2**20 - 1)})


def ticker_listed_10000_times(path: Path, base: Base) -> Path:
    meta, entries = contents(base.reference)
    data = meta["data"][meta["runs"][0]["data"]]
    data["tickers"] = data["tickers"] * 10_000
    return write(path, meta, entries)


def prices_of_60_mb(path: Path, base: Base) -> Path:
    """The run's data set with five tickers of 200,000 days each (a 60 MB prices entry; one repeated row per
    ticker, so it deflates well under the 100× ratio limit)."""
    import numpy as np

    meta, entries = contents(base.reference)
    data_id = meta["runs"][0]["data"]
    days = np.datetime_as_string(np.arange(200_000) + np.datetime64("1700-01-01", "D")).tolist()
    tickers = ["AAPL", "T1", "T2", "T3", "T4"]
    rows = ["Ticker,Date,Open,High,Low,Close,Adj Close,Volume"]
    for index, ticker in enumerate(tickers):
        price = f"{100 + index}.25"
        rows += [f"{ticker},{day},{price},{price},{price},{price},{price},123456.0" for day in days]
    entries[f"prices/{data_id}.csv"] = ("\n".join(rows) + "\n").encode()
    entry = meta["data"][data_id]["tickers"][0]
    meta["data"][data_id]["tickers"] = [dict(entry, ticker=t) for t in tickers]
    return write(path, meta, entries)


CASES: list[tuple[str, Callable[[Path, Base], Path]]] = [
    ("one reference run", one_reference_run),
    ("reference runs filling 10 MB", reference_runs_within_10mb),
    ("100 reference runs (over 10 MB)", hundred_reference_runs),
    ("small runs filling 10 MB", small_runs_within_10mb),
    ("notes of 1,000,000 chars (limit)", notes_at_the_limit),
    ("notes of 18,000,000 chars", notes_of_nine_mb),
    ("settings claim 8 x 2048 LSTM", claims_a_huge_model),
    ("1,000,000 predictions", million_predictions),
    ("JSON nested 63 deep", json_63_deep),
    ("JSON nested 3,000,000 deep", json_3_million_deep),
    ("zip bomb: 64 MB of zeros", zip_bomb),
    ("ticker listed 10,000 times", ticker_listed_10000_times),
    ("prices entry of 60 MB", prices_of_60_mb),
]


# ------------------------------------------------------------------------------------------------ measuring


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def _reset_peak() -> int:
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS
    return _status("VmRSS")


def describe(project) -> str:
    good, damaged = len(project.good_runs), len(project.runs) - len(project.good_runs)
    return f"opened: {good} run(s)" + (f", {damaged} damaged: {project.runs[0].problem}" if damaged else "")


def measure_load(path: str) -> str:
    from lstm_desktop.core.errors import BadInput
    from lstm_desktop.core.store.project_io import load_project

    try:
        return describe(load_project(path))
    except BadInput as exc:
        return f"refused: {exc}"


def measure_show(path: str) -> str:
    import io

    from lstm_desktop.cli import main

    err = io.StringIO()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(err):
        code = main(["show", path, "--json"])
    return f"exit {code}" + (f": {err.getvalue().strip()}" if code else "")


def open_window():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from lstm_desktop.gui.application import create_application
    from lstm_desktop.gui.main_window import MainWindow

    app = create_application()
    window = MainWindow()
    window.told = []
    window.tell = lambda title, text: window.told.append(text)
    window.show()
    app.processEvents()
    return app, window


def measure_window(path: str, app, window) -> str:
    from PySide6.QtCore import QEventLoop

    window.files.open_path(Path(path))
    while window.busy():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    app.processEvents()
    if window.told:
        return f"refused: {window.told[-1]}"
    return describe(window.state.project)


def child(mode: str, path: str) -> None:
    from lstm_desktop.core.runtime import pin_blas_threads, tune_allocator

    tune_allocator()  # as every entry point does

    pin_blas_threads()
    import numpy  # noqa: F401  - the baseline holds what the app has loaded when a user opens a file
    import pandas  # noqa: F401
    import torch  # noqa: F401

    window = open_window() if mode == "window" else None
    baseline = _reset_peak()
    start = time.perf_counter()
    if mode == "load":
        outcome = measure_load(path)
    elif mode == "show":
        outcome = measure_show(path)
    else:
        outcome = measure_window(path, *window)
    seconds = time.perf_counter() - start
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak": _status("VmHWM") - baseline}))


def measure(mode: str, path: Path, home: Path) -> dict:
    env = {**os.environ, "LSTM_DESKTOP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--measure", mode, str(path)],
            capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"outcome": "TIMED OUT after 300 s", "seconds": 300.0, "peak": 0}
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:]
        return {"outcome": f"CRASHED ({done.returncode}): {last}", "seconds": 0.0, "peak": 0}
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(name: str, size: int, mode: str, result: dict) -> str:
    over = size <= FILE_LIMIT and (result["seconds"] > TARGET_SECONDS or result["peak"] > TARGET_PEAK)
    mark = "  OVER TARGET" if over else ""
    outcome = " ".join(result["outcome"].split())[:70]
    figures = f"{size / MB:6.2f} {mode:6} {result['seconds']:7.2f} {result['peak'] / MB:7.0f}"
    return f"{name:34} {figures}  {outcome}{mark}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--modes", default=",".join(MODES), help="load, show and/or window")
    parser.add_argument("--base", type=Path, help="a folder to keep the two trained runs in, and reuse them from")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        os.environ["LSTM_DESKTOP_HOME"] = str(folder / "profile")
        started = time.perf_counter()
        base = build_base(args.base or folder)
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; targets: at most "
              f"{TARGET_PEAK // MB} MB above the baseline and {TARGET_SECONDS:.0f} s for files of at most "
              f"{FILE_LIMIT // MB} MB")  # fmt: skip
        print(f"{'case':34} {'MB':>6} {'mode':6} {'seconds':>7} {'peak MB':>7}  outcome")
        worst = {"seconds": 0.0, "peak": 0}
        for index, (case, make) in enumerate(CASES):
            if args.only not in case:
                continue
            path = make(folder / f"case{index}.lstmproj", base)
            size = path.stat().st_size
            for mode in modes:
                result = measure(mode, path, folder / "profile")
                print(row(case, size, mode, result), flush=True)
                if size <= FILE_LIMIT:
                    worst = {key: max(worst[key], result[key]) for key in worst}
            path.unlink()
        print(f"worst for files of at most 10 MB: {worst['seconds']:.2f} s, {worst['peak'] / MB:.0f} MB above the "
              f"baseline (took {time.perf_counter() - started:.0f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
