"""lstm-desktop-cli: the JSON document, refused inputs with their exit codes, and a clean Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_desktop.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
FAST = ["--window", "20", "--layers", "1", "--hidden", "8", "--threads", "1", "--forecast-days", "5"]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_train_sample_json_document(capsys) -> None:
    code, out, err = run_cli(
        capsys, "train", "--sample", "AAPL", "--epochs", "2", "--start", "2009-01-01", "--json", *FAST
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["data"]["source"] == "sample" and doc["data"]["ticker"] == "AAPL"
    assert doc["data"]["price_column"] == "Adj Close" and doc["data"]["start"] == "2009-01-02"
    assert set(doc["split"]) == {"train", "val", "test"} and doc["split"]["test"][1] == "2013-03-01"
    assert doc["scaler"]["fitted_on"] == "train" and doc["scaler"]["kind"] == "minmax"
    assert [h["epoch"] for h in doc["history"]] == [1, 2]
    assert {"train_loss", "val_loss", "seconds"} <= set(doc["history"][0])
    assert doc["stopped"] == "completed" and doc["best_epoch"] in (1, 2)
    for split in ("train", "val", "test"):
        entry = doc["metrics"][split]
        assert {"model", "persistence", "drift", "skill", "verdict"} <= set(entry)
        assert set(entry["model"]) == {"rmse", "mae", "mape", "directional_accuracy"}
        assert entry["persistence"]["directional_accuracy"] is None  # it predicts no move
        assert entry["verdict"]["kind"] in ("beats", "loses", "no_difference")
    assert doc["predictions"]["test"][-1]["date"] == "2013-03-01"
    assert len(doc["forecast"]) == 5 and doc["forecast"][0]["date"] == "2013-03-04"
    assert "epoch 2/2" in err  # progress on stderr


@pytest.mark.parametrize(
    ("args", "ticker"),
    [
        (["--csv", str(DATA / "sp500_mdy.csv"), "--start", "2015-01-01"], "sp500_mdy"),
        (["--csv", str(DATA / "msft_no_adjclose.csv"), "--start", "2014-01-01"], "msft_no_adjclose"),
        (["--csv", "resources/sample/stocks.csv", "--ticker", "GOOG", "--ticker", "IBM"], "GOOG"),
    ],
)
def test_train_on_csv_files(capsys, args: list[str], ticker: str) -> None:
    code, out, err = run_cli(capsys, "train", *args, "--epochs", "1", "--json", "--quiet", *FAST)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["data"]["source"] == "csv" and doc["data"]["ticker"] == ticker


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--sample", "AAPL", "--window", "1"], "Window must be between 2 and 2000"),
        (["train", "--sample", "AAPL", "--window", "5000"], "Window must be between"),
        (["train", "--sample", "ZZZ"], "The bundled sample has no ZZZ"),
        (["train", "--csv", "nowhere.csv"], "File not found: nowhere.csv"),
        (["train"], "No data source"),
        (["train", "--sample", "AAPL", "--start", "2013-13-01"], "is not a date"),
        (["train", "--sample", "AAPL", "--start", "2012-01-01", "--end", "2011-01-01"], "after the end date"),
        (["train", "--sample", "AAPL", "--start", "2013-01-01"], "Too little data"),
        (["train", "--sample", "AAPL", "--csv", "x.csv"], "Choose one data source"),
        (["train", "--sample", "AAPL", "--features", "Price"], "Unknown input column 'Price'"),
        (["train", "--sample", "AAPL", "--seed", str(2**64)], "Seed must be between 0 and 2147483647"),
        (["train", "--sample", "AAPL", "--seed", "-1"], "Seed must be between 0 and 2147483647"),
        (
            ["train", "--sample", "AAPL", "--val-start", "2011-01-03+05:00", "--test-start", "2012-01-03"],
            "no time zone",
        ),
        (["train", "--sample", "AAPL", "--device", "tpu"], "Device must be auto, cpu, cuda or cuda:N, not 'tpu'"),
        (["train", "--sample", "AAPL", "--device", "cuda:0", "--window", "20"], "has no CUDA GPU"),
        (["train", "--sample", "AAPL", "--forecast-days", "-1"], "Forecast days"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, args: list[str], message: str) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert message in err and out == ""


def test_offline_without_cache_exits_3(capsys) -> None:
    code, _, err = run_cli(capsys, "train", "--ticker", "MSFT", "--offline")
    assert code == 3 and "No internet connection and no cached prices for MSFT" in err
    code, _, err = run_cli(capsys, "fetch", "--ticker", "MSFT", "--offline")
    assert code == 3


def test_fetch_summary_of_a_file(capsys) -> None:
    code, out, _ = run_cli(capsys, "fetch", "--csv", str(DATA / "sp500_mdy.csv"), "--json")
    assert code == 0
    assert json.loads(out)["tickers"][0]["rows"] == 5031


def test_ctrl_c_stops_cleanly_and_reports_the_best_model(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lstm_desktop.cli",
            "train",
            "--sample",
            "AAPL",
            "--start",
            "2008-01-01",
            "--epochs",
            "500",
            "--patience",
            "0",
            "--json",
            *FAST,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("epoch 2/"):
            process.send_signal(signal.SIGINT)
            break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    doc = json.loads(out)
    assert doc["stopped"] == "user" and doc["best_epoch"] >= 1 and len(doc["history"]) >= 2
    assert len(doc["forecast"]) == 5
