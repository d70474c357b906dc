"""`strategy` from the command line on stored runs: the JSON of ARCHITECTURE.md, the project's saved settings
under the flags, and every bad input refused with exit code 2 and a message naming the problem."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from lstm_desktop.cli import main
from lstm_desktop.core.store.project_io import load_project, save_project
from lstm_desktop.core.strategy.spec import StrategySpec

FAST = ["--window", "20", "--layers", "1", "--hidden", "8", "--threads", "1", "--forecast-days", "3"]
FIGURES = {"total_return", "annual_return", "volatility", "sharpe", "max_drawdown", "turnover", "hit_rate"}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with two small trained runs (made once for the module)."""
    path = tmp_path_factory.mktemp("strategy") / "aapl.lstmproj"
    for hidden in ("8", "6"):
        args = ["train", "--sample", "AAPL", "--start", "2010-01-01", "--epochs", "2", "--quiet", *FAST]
        assert main([*args, "--hidden", hidden, "--project", str(path)]) == 0
    return path


def test_strategy_json_has_the_documented_keys(capsys, project: Path) -> None:
    code, out, err = run_cli(capsys, "strategy", str(project), "--json")
    assert code == 0, err
    doc = json.loads(out)["strategy"]
    for key in ("rule", "costs", "days", "model", "buy_and_hold", "sharpe_difference", "verdict", "equity"):
        assert key in doc, key
    assert doc["rule"] == "long_flat" and doc["costs"]["commission_bps"] == 5.0 and doc["predictions"] == "test"
    assert set(doc["model"]) >= FIGURES and set(doc["buy_and_hold"]) >= FIGURES
    assert set(doc["sharpe_difference"]) >= {"value", "p_value"} and 0 < doc["sharpe_difference"]["p_value"] <= 1
    assert len(doc["equity"]) == doc["days"] + 1 and doc["equity"][0] == {
        "date": doc["start"],
        "model": 1.0,
        "buy_and_hold": 1.0,
    }
    shown = json.loads(run_cli(capsys, "show", str(project), "--json")[1])
    test_days = [row["date"] for row in shown["predictions"]["test"]]
    assert [row["date"] for row in doc["equity"][1:]] == test_days and doc["end"] == test_days[-1]
    assert doc["verdict"].startswith("After costs the strategy earned")


def test_flags_override_the_settings_saved_in_the_project(capsys, project: Path, tmp_path: Path) -> None:
    saved = load_project(project)
    saved.strategy = StrategySpec(rule="long_short", cost_bps=1.0, slippage_bps=2.0)
    copy = save_project(saved, tmp_path / "copy.lstmproj")
    code, out, _ = run_cli(capsys, "strategy", str(copy), "--json")
    doc = json.loads(out)["strategy"]
    assert code == 0 and doc["rule"] == "long_short" and doc["costs"]["per_trade"] == pytest.approx(3e-4)
    code, out, _ = run_cli(capsys, "strategy", str(copy), "--rule", "scaled", "--slippage-bps", "0", "--json")
    doc = json.loads(out)["strategy"]
    assert (
        code == 0
        and doc["rule"] == "scaled"
        and doc["costs"]
        == {
            "commission_bps": 1.0,
            "slippage_bps": 0.0,
            "per_trade": 1e-4,
        }
    )
    first = json.loads(run_cli(capsys, "show", str(project), "--json")[1])["runs"][0]["id"]
    code, out, _ = run_cli(capsys, "strategy", str(project), "--run", first)
    assert code == 0 and "buy & hold" in out and "After costs" in out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--run", "nope"], "has no run 'nope'"),
        (["--cost-bps", "-1"], "Commission must be between 0 and 500 bp, not -1"),
        (["--slippage-bps", "1e6"], "Slippage must be between 0 and 500 bp"),
        (["--cost-bps", "nan"], "Commission must be a number"),
        (["--cap", "0"], "Position cap must be between 0.1 and 3"),
        (["--predictions", "backtest"], "no walk-forward backtest"),
        (["--rule", "martingale"], "invalid choice: 'martingale'"),
        (["--cost-bps", "cheap"], "invalid float value: 'cheap'"),
    ],
)
def test_bad_inputs_exit_2_naming_the_problem(capsys, project: Path, flags: list[str], message: str) -> None:
    code, out, err = run_cli_exit(capsys, "strategy", str(project), *flags)
    assert code == 2 and message in err and out == ""


def run_cli_exit(capsys, *args: str) -> tuple[int, str, str]:
    """Like run_cli, also for argparse's own refusals (it exits 2 by SystemExit)."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_a_run_without_test_predictions_or_a_missing_file_exit_2(capsys, project: Path, tmp_path: Path) -> None:
    saved = load_project(project)
    run = saved.current
    report = dataclasses.replace(
        run.report, predictions={k: v for k, v in run.report.predictions.items() if k != "test"}
    )
    saved.replace_run(dataclasses.replace(run, report=report, report_json=""))
    untested = save_project(saved, tmp_path / "untested.lstmproj")
    code, out, err = run_cli(capsys, "strategy", str(untested))
    assert code == 2 and "no out-of-sample predictions" in err and out == ""
    code, _, err = run_cli(capsys, "strategy", str(untested), "--predictions", "test")
    assert code == 2 and "no test predictions" in err
    code, _, err = run_cli(capsys, "strategy", str(tmp_path / "none.lstmproj"))
    assert code == 2 and "Project file not found" in err


def test_report_writes_one_self_contained_page(capsys, project: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, out, err = run_cli(capsys, "report", str(project), "--html", str(target), "--rule", "long_short")
    assert code == 0 and f"wrote {target}" in err and out == ""
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 3 and "<script" not in html
    assert "Rule long_short" in html and "AAPL" in html


@pytest.mark.parametrize(
    ("where", "flags", "message"),
    [
        ("missing/report.html", [], "Cannot write the report to"),
        (".", [], "it is a folder"),
        ("r.html", ["--cost-bps", "-3"], "Commission must be between 0 and 500 bp"),
        ("r.html", ["--run", "nope"], "has no run 'nope'"),
    ],
)
def test_report_bad_inputs_exit_2(capsys, project: Path, tmp_path: Path, where: str, flags: list, message: str) -> None:
    target = tmp_path / where
    code, out, err = run_cli_exit(capsys, "report", str(project), "--html", str(target), *flags)
    assert code == 2 and message in err and out == ""
    assert not (tmp_path / "r.html").exists()
