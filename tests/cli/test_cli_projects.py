"""train --project, show and forecast from the command line; and bad project files."""

from __future__ import annotations

import json
from pathlib import Path

from lstm_desktop.cli import main
from lstm_desktop.core.store.schema import SCHEMA_VERSION

FAST = ["--window", "20", "--layers", "1", "--hidden", "8", "--threads", "1", "--forecast-days", "6"]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_train_save_show_forecast(capsys, tmp_path: Path) -> None:
    path = tmp_path / "aapl.lstmproj"
    code, out, err = run_cli(
        capsys,
        "train",
        "--sample",
        "AAPL",
        "--start",
        "2009-06-01",
        "--epochs",
        "2",
        "--project",
        str(path),
        "--json",
        *FAST,
    )
    assert code == 0, err
    trained = json.loads(out)
    assert path.is_file() and f"saved {path}" in err

    code, out, err = run_cli(capsys, "show", str(path), "--json")
    assert code == 0, err
    shown = json.loads(out)
    for key in ("data", "split", "scaler", "history", "best_epoch", "stopped", "metrics", "predictions", "forecast"):
        assert shown[key] == trained[key], key
    assert [r["current"] for r in shown["runs"]] == [True] and shown["runs"][0]["summary"]["skill"] is not None
    assert shown["project"]["schema_version"] == SCHEMA_VERSION and shown["project"]["created"]
    assert shown["settings"]["model"]["hidden"] == 8

    code, out, _ = run_cli(capsys, "show", str(path))
    assert code == 0 and "skill" in out and "AAPL" in out

    code, out, err = run_cli(capsys, "forecast", str(path), "--days", "4", "--json")
    assert code == 0, err
    days = json.loads(out)["forecast"]
    assert [d["date"] for d in days] == [d["date"] for d in trained["forecast"][:4]]
    for mine, stored in zip(days, trained["forecast"], strict=False):
        assert abs(mine["value"] - stored["value"]) < 1e-4 * stored["value"]

    code, out, _ = run_cli(capsys, "forecast", str(path), "--days", "3")
    assert code == 0 and len(out.strip().splitlines()) == 3


def test_bad_project_files_exit_2(capsys, tmp_path: Path) -> None:
    junk = tmp_path / "junk.lstmproj"
    junk.write_text("hello")
    code, out, err = run_cli(capsys, "show", str(junk))
    assert code == 2 and "not an lstm-desktop project" in err and out == ""
    code, _, err = run_cli(capsys, "forecast", str(tmp_path / "none.lstmproj"))
    assert code == 2 and "Project file not found" in err
    code, _, err = run_cli(capsys, "forecast", str(junk), "--days", "0")
    assert code == 2 and "--days must be between 1 and 1000" in err


def test_train_adds_runs_to_a_project_and_show_picks_any(capsys, tmp_path: Path) -> None:
    path = tmp_path / "many.lstmproj"
    base = ["train", "--sample", "IBM", "--start", "2010-01-01", "--epochs", "1", "--project", str(path), "--quiet"]
    for extra in (["--hidden", "4"], ["--hidden", "6"], ["--target-mode", "price"]):
        code, _, err = run_cli(capsys, *base, *[a for a in FAST if a not in ("--hidden", "8")], *extra)
        assert code == 0, err
    code, out, _ = run_cli(capsys, "show", str(path), "--json")
    runs = json.loads(out)["runs"]
    assert len(runs) == 3 and [r["current"] for r in runs] == [False, False, True]
    first = runs[0]["id"]
    code, out, _ = run_cli(capsys, "show", str(path), "--run", first, "--json")
    assert code == 0 and json.loads(out)["settings"]["model"]["hidden"] == 4
    code, out, _ = run_cli(capsys, "forecast", str(path), "--run", first, "--days", "2", "--json")
    assert code == 0 and len(json.loads(out)["forecast"]) == 2
    csv_path = tmp_path / "runs.csv"
    code, _, _ = run_cli(capsys, "show", str(path), "--runs-csv", str(csv_path))
    lines = csv_path.read_text().splitlines()
    assert code == 0 and len(lines) == 4
    assert "model.hidden" in lines[0] and "dataset.target_mode" in lines[0] and "train.seed" not in lines[0]
    code, _, err = run_cli(capsys, "show", str(path), "--run", "nope")
    assert code == 2 and "has no run 'nope'" in err
    code, _, err = run_cli(capsys, *base, *FAST, "--new-project")
    assert code == 0, err
    code, out, _ = run_cli(capsys, "show", str(path), "--json")
    assert len(json.loads(out)["runs"]) == 1


def test_an_unreadable_project_is_never_overwritten(capsys, tmp_path: Path) -> None:
    path = tmp_path / "precious.lstmproj"
    path.write_bytes(b"not a zip at all")
    code, _, err = run_cli(capsys, "train", "--sample", "IBM", "--epochs", "1", "--project", str(path), *FAST)
    assert code == 2 and "not an lstm-desktop project" in err
    assert path.read_bytes() == b"not a zip at all"


def test_a_failed_save_still_prints_the_run(capsys, tmp_path: Path) -> None:
    code, out, err = run_cli(
        capsys, "train", "--sample", "IBM", "--start", "2011-01-01", "--epochs", "1", "--json", "--quiet",
        "--project", str(tmp_path / "missing" / "x.lstmproj"), *FAST,
    )  # fmt: skip
    assert code == 2 and "does not exist" in err
    assert json.loads(out)["stopped"] == "completed"
