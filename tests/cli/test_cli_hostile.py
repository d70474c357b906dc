"""Hostile inputs reproduced through the command line: each ends in exit 2 (3 when prices are unavailable) with a
message naming the problem, never a traceback; and undefined scores are printed as undefined, never as NaN."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lstm_desktop.cli import main
from lstm_desktop.core.store.project_file import pack_entries, unpack_entries

SMALL = ["--window", "10", "--layers", "1", "--hidden", "4", "--epochs", "1", "--threads", "1", "--quiet"]
SAMPLE = ["--sample", "IBM", "--start", "2011-06-01"]


def run_cli(*args: str) -> tuple[int, str, str]:
    """main(args) with its stdout and stderr captured; an exception escaping main fails the test by itself."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def refused(args: list[str], *words: str, code: int = 2) -> str:
    """Run the command line; assert it exits `code` with an error naming each of `words`; the message."""
    got, _, err = run_cli(*args)
    assert got == code, (got, err)
    assert err.startswith("error: ") and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


def strict_json(text: str) -> dict:
    """JSON as a strict parser reads it: NaN or Infinity fail the test."""
    return json.loads(text, parse_constant=lambda name: pytest.fail(f"the document holds {name}"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def project(folder: Path) -> Path:
    """A small trained project of one run, made once through the command line."""
    path = folder / "small.lstmproj"
    with pytest.MonkeyPatch.context() as patch:  # module fixtures run before the per-test private profile
        patch.setenv("LSTM_DESKTOP_HOME", str(folder / "profile"))
        code, _, err = run_cli("train", *SAMPLE, *SMALL, "--forecast-days", "3", "--project", str(path))
    assert code == 0, err
    return path


def with_entry(project: Path, target: Path, name_start: str, change) -> Path:
    """A copy of `project` whose entry starting with `name_start` is `change(bytes)`, checksums recomputed."""
    meta, entries = unpack_entries(project)
    meta.pop("checksums")
    name = next(n for n in entries if n.startswith(name_start))
    entries[name] = change(entries[name])
    target.write_bytes(pack_entries(meta, entries))
    return target


# ------------------------------------------------------------------------------------------------ a flat test period


@pytest.fixture(scope="module")
def flat_csv(folder: Path) -> Path:
    """IBM's sample prices with every price of the last 40% of days held at the day before's: no move at all."""
    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.specs import DataRequest

    frame = load_prices(DataRequest(source="sample", tickers=("IBM",), start="2011-06-01"))[0].frame.copy()
    cut = int(len(frame) * 0.6)
    for column in ("Open", "High", "Low", "Close", "Adj Close"):
        frame.iloc[cut:, frame.columns.get_loc(column)] = frame[column].iloc[cut - 1]
    path = folder / "flat.csv"
    frame.reset_index().to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def undefined_skill(text: str) -> bool:
    """The terminal summary says the test skill is undefined, and why."""
    line = next((line for line in text.splitlines() if line.startswith("test   skill")), "")
    return line.startswith("test   skill —:") and "cannot be computed" in line and "never move" in line


def test_a_flat_test_period_reports_undefined_scores_in_words(flat_csv: Path, tmp_path: Path) -> None:
    saved = tmp_path / "flat.lstmproj"
    code, text, err = run_cli("train", "--csv", str(flat_csv), *SMALL, "--forecast-days", "3", "--project", str(saved))
    assert code == 0, err
    assert undefined_skill(text), text
    assert "nan" not in text.lower()

    code, out, err = run_cli("train", "--csv", str(flat_csv), *SMALL, "--forecast-days", "3", "--json")
    assert code == 0, err
    test = strict_json(out)["metrics"]["test"]
    assert test["skill"] is None and test["persistence"]["rmse"] == 0 and test["verdict"]["kind"] == "unknown"

    code, out, err = run_cli("show", str(saved), "--json")
    assert code == 0, err
    shown = strict_json(out)
    assert shown["metrics"]["test"]["skill"] is None and shown["runs"][0]["summary"]["skill"] is None
    code, out, err = run_cli("show", str(saved))
    assert code == 0 and undefined_skill(out), err
    code, out, err = run_cli("forecast", str(saved), "--days", "3", "--json")
    assert code == 0, err
    assert [day["value"] is not None for day in strict_json(out)["forecast"]] == [True] * 3


# ------------------------------------------------------------------------------------------------ settings


def test_an_input_column_the_csv_lacks_is_refused_by_name(flat_csv: Path, tmp_path: Path) -> None:
    import pandas as pd

    no_open = tmp_path / "no_open.csv"
    pd.read_csv(flat_csv).drop(columns=["Open"]).to_csv(no_open, index=False)
    refused(["train", "--csv", str(no_open), "--features", "Open", *SMALL], "no Open column")


@pytest.mark.parametrize("seed", [str(2**64), "-1", str(2**31)])
def test_a_seed_out_of_range_is_refused(seed: str) -> None:
    refused(["train", *SAMPLE, *SMALL, "--seed", seed], "Seed must be between 0 and 2147483647", seed)


def test_cuda_on_a_machine_without_it_is_refused() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    refused(["train", *SAMPLE, *SMALL, "--device", "cuda:0"], "cuda:0", "no CUDA GPU")


@pytest.mark.parametrize("day", ["2012-06-01+02:00", "2012-06-01T00:00:00Z", "2012-06-01 00:00:00-05:00"])
def test_a_split_date_with_a_time_zone_is_refused(day: str) -> None:
    args = ["train", *SAMPLE, *SMALL, "--val-start", day, "--test-start", "2012-10-01"]
    refused(args, "Validation start", day, "no time zone")


def test_prices_unavailable_offline_exit_3() -> None:
    refused(["train", "--ticker", "AAPL", "--offline", *SMALL], "AAPL", code=3)


# ------------------------------------------------------------------------------------------------ project files


def test_prices_without_a_ticker_column_are_refused(project: Path, tmp_path: Path) -> None:
    def drop_ticker(csv: bytes) -> bytes:
        lines = csv.decode().splitlines()
        return "\n".join(line.split(",", 1)[1] for line in lines).encode() + b"\n"

    broken = with_entry(project, tmp_path / "no_ticker.lstmproj", "prices/", drop_ticker)
    for args in (["show", str(broken)], ["show", str(broken), "--json"], ["forecast", str(broken), "--days", "3"]):
        refused(args, "no Ticker column")


def weights_as(dtype_name: str):
    def convert(data: bytes) -> bytes:
        import torch
        from safetensors.torch import load, save

        return save({name: tensor.to(getattr(torch, dtype_name)) for name, tensor in load(data).items()})

    return convert


DTYPES = [("bfloat16", "BF16"), ("float8_e4m3fn", "F8_E4M3"), ("float8_e5m2", "F8_E5M2")]


@pytest.mark.parametrize(("dtype", "stored"), DTYPES)
def test_weights_not_float32_are_named_in_show_json(project: Path, tmp_path: Path, dtype: str, stored: str) -> None:
    path = with_entry(project, tmp_path / f"{dtype}.lstmproj", "weights/", weights_as(dtype))
    code, out, err = run_cli("show", str(path), "--json")
    assert code in (0, 2) and "Traceback" not in err, err
    assert stored in (err if code else strict_json(out)["runs"][0]["damaged"])


@pytest.mark.parametrize(("dtype", "stored"), DTYPES[:2])
def test_weights_not_float32_are_refused_naming_the_dtype(
    project: Path, tmp_path: Path, dtype: str, stored: str
) -> None:
    path = with_entry(project, tmp_path / f"{dtype}.lstmproj", "weights/", weights_as(dtype))
    refused(["forecast", str(path), "--days", "3"], stored)
    refused(["show", str(path)], stored)


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    fifo = tmp_path / "x.lstmproj"
    os.mkfifo(fifo)
    for args in (["show", str(fifo)], ["forecast", str(fifo), "--days", "3"]):
        done = subprocess.run(
            [sys.executable, "-m", "lstm_desktop.cli", *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2, done.stderr
        assert "named pipe (FIFO)" in done.stderr and "Traceback" not in done.stderr


def not_projects(folder: Path, project: Path) -> dict[str, Path]:
    """Files that exist under a project's name but are not projects this version can add to."""
    csv = folder / "prices.lstmproj"
    csv.write_text("Date,Close\n2024-01-02,10\n")
    empty = folder / "empty.lstmproj"
    empty.write_bytes(b"")
    other_zip = folder / "other.lstmproj"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("notes.txt", "a zip, but not a project")
    newer = folder / "newer.lstmproj"
    meta, entries = unpack_entries(project)
    meta.pop("checksums")
    newer.write_bytes(pack_entries({**meta, "schema_version": 99}, entries))
    return {"not a zip container": csv, "not a zip container ": empty, "no project.json": other_zip,
            "newer version": newer}  # fmt: skip


def test_train_onto_a_file_that_is_not_a_project_leaves_it_untouched(project: Path, tmp_path: Path) -> None:
    for problem, path in not_projects(tmp_path, project).items():
        before = path.read_bytes()
        refused(["train", *SAMPLE, *SMALL, "--project", str(path)], problem.strip())
        assert path.read_bytes() == before, path.name
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(path.name)) == [path.name]


def test_train_onto_a_project_with_a_damaged_run_keeps_that_run(project: Path, tmp_path: Path) -> None:
    path = with_entry(project, tmp_path / "damaged.lstmproj", "weights/", weights_as("bfloat16"))
    damaged_weights = {n: d for n, d in unpack_entries(path)[1].items() if n.startswith("weights/")}
    code, _, err = run_cli("train", *SAMPLE, *SMALL, "--project", str(path))
    assert code == 0, err
    code, out, err = run_cli("show", str(path), "--json")
    runs = strict_json(out)["runs"]
    assert [("damaged" in r, r["current"]) for r in runs] == [(True, False), (False, True)]
    kept = unpack_entries(path)[1]
    assert all(kept[name] == data for name, data in damaged_weights.items())


def test_the_module_project_is_sound(project: Path, tmp_path: Path) -> None:
    """The starting point of the project cases shows and forecasts (else their refusals would prove nothing)."""
    copy = tmp_path / "copy.lstmproj"
    shutil.copyfile(project, copy)
    code, out, err = run_cli("forecast", str(copy), "--days", "3", "--json")
    assert code == 0 and len(strict_json(out)["forecast"]) == 3, err
