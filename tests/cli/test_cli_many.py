"""lstm-desktop-cli search and sweep: their JSON documents, every run kept in the project, bad input refused with
exit code 2 naming the problem, data unavailable with 3, and Ctrl-C keeping (and printing) what finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_desktop.cli import main

TINY = ["--window", "10", "--layers", "1", "--hidden", "4", "--threads", "1", "--forecast-days", "3", "--patience", "0"]
SEARCH = ["search", "--sample", "IBM", "--start", "2011-01-01", "--epochs", "2", *TINY]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_and_every_trial_kept_in_the_project(capsys, tmp_path: Path) -> None:
    from lstm_desktop.core.store.project_io import load_project

    project = tmp_path / "p.lstmproj"
    space = "lr=1e-3:1e-1:log,target_mode=price|log_return"
    args = ["--space", space, "--trials", "3", "--batch", "3", "--project", str(project), "--json"]
    code, out, err = run_cli(capsys, *SEARCH, *args)
    assert code == 0, err
    doc = json.loads(out)["search"]
    assert set(doc) >= {"space", "budget", "trials", "best"} and doc["budget"] == {"trials": 3, "minutes": None}
    assert doc["space"]["lr"] == {"low": 0.001, "high": 0.1, "log": True, "step": None}
    assert doc["space"]["target_mode"] == {"choices": ["price", "log_return"]}
    assert [t["number"] for t in doc["trials"]] == [0, 1, 2]
    for trial in doc["trials"]:
        assert {"number", "state", "params", "val_loss", "run"} <= set(trial) and trial["state"] == "complete"
        assert trial["run"] == f"search 1, trial {trial['number']}" and trial["run_id"]  # a fresh journal
    best = doc["best"]
    assert {"number", "params", "val_loss", "test"} <= set(best)
    assert {"model", "persistence", "skill"} <= set(best["test"])
    assert doc["journal"] == str(tmp_path / "p.search.jsonl") and Path(doc["journal"]).is_file()
    kept = load_project(project)
    assert [r.name for r in kept.runs] == ["search 1, trial 0", "search 1, trial 1", "search 1, trial 2"]
    assert kept.current.name == best["run"] and "test" in kept.current.report.metrics
    assert all("test" not in r.report.metrics for r in kept.runs if r.name != best["run"])
    assert [f.run for f in kept.frozen] == [kept.current.id]  # only the best trial's forecast is tracked
    assert "trial 0 complete" in err


def test_a_bad_space_is_refused_with_exit_code_2(capsys) -> None:
    code, out, err = run_cli(capsys, *SEARCH, "--space", "window=20:200,hiden=4:8")
    assert code == 2 and out == ""
    assert "Search space 'hiden=4:8': unknown setting 'hiden'; settings a search knows: window, hidden, layers" in err
    code, _, err = run_cli(capsys, *SEARCH, "--space", "hidden=4:8", "--trials", "0")
    assert code == 2 and "Give the search a budget" in err


def test_sweep_json_with_a_failed_ticker_and_the_project(capsys, tmp_path: Path) -> None:
    from lstm_desktop.core.store.project_io import load_project

    project = tmp_path / "s.lstmproj"
    args = ["sweep", "--sample", "--ticker", "IBM", "--ticker", "NOPE", "--ticker", "AAPL", "--start", "2011-01-01"]
    code, out, err = run_cli(capsys, *args, "--epochs", "1", *TINY, "--project", str(project), "--json")
    assert code == 0, err
    rows = json.loads(out)["sweep"]
    assert [r["ticker"] for r in rows] == ["IBM", "NOPE", "AAPL"]
    for row in rows:
        assert {"ticker", "run", "skill", "metrics", "backtest", "error"} <= set(row)
    assert rows[1]["run"] is None and "no NOPE" in rows[1]["error"] and rows[0]["error"] is None
    assert rows[0]["run"] == "sweep IBM" and isinstance(rows[0]["skill"], float)
    assert [r.name for r in load_project(project).runs] == ["sweep IBM", "sweep AAPL"]


def test_a_sweep_with_no_data_at_all_exits_3(capsys) -> None:
    code, out, err = run_cli(capsys, "sweep", "--ticker", "ZZZQ", "--offline", "--epochs", "1", *TINY, "--json")
    assert code == 3, err
    assert json.loads(out)["sweep"][0]["error"]


def test_cluster_flags_are_checked(capsys) -> None:
    code, _, err = run_cli(capsys, *SEARCH, "--space", "hidden=2:4", "--scheduler", "http://x:1")
    assert code == 2 and "starts with tcp:// or tls://" in err
    code, _, err = run_cli(capsys, *SEARCH, "--space", "hidden=2:4", "--scheduler", "tls://x:1", "--tls-ca", "ca")
    assert code == 2 and "TLS needs all three" in err


def test_help_says_a_cluster_belongs_on_a_trusted_network(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "runs any code its clients send" in out and "tls://" in out


def test_ctrl_c_keeps_and_reports_the_finished_trials(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "lstm_desktop.cli", "search", "--sample", "IBM", "--start", "2011-01-01"]
    command += ["--epochs", "60", *TINY, "--space", "hidden=2:8", "--trials", "40", "--batch", "2", "--json"]
    command += ["--journal", str(tmp_path / "j.jsonl")]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("trial ") and " complete" in line:
            os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the workers get it too
            break
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    doc = json.loads(out)["search"]
    assert doc["stopped"] is True and 1 <= len([t for t in doc["trials"] if t["state"] == "complete"]) < 40
    assert doc["best"] is not None and "skill" in doc["best"]["test"]
