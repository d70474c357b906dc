"""lstm-desktop-cli compare: its JSON document, every variant kept as a run of the project, and a comparison that
cannot be made refused with exit code 2 naming the problem, before anything trains."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lstm_desktop.cli import main

TINY = ["--window", "10", "--layers", "1", "--hidden", "4", "--threads", "1", "--forecast-days", "3"]
COMPARE = ["compare", "--sample", "IBM", "--start", "2011-01-01", "--epochs", "1", *TINY]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_json_and_every_variant_a_run_of_the_project(capsys, tmp_path: Path) -> None:
    from lstm_desktop.core.store.project_io import load_project

    project = tmp_path / "c.lstmproj"
    extra = ["--ticker", "MSFT", "--cells", "lstm,gru", "--drop-inputs", "--workers", "1"]
    code, out, err = run_cli(capsys, *COMPARE, *extra, "--project", str(project), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert [v["name"] for v in doc["variants"]] == ["LSTM", "GRU", "LSTM without MSFT"]
    for variant in doc["variants"]:
        assert {"name", "cell", "inputs", "run", "test", "backtest", "parameters", "seconds_per_epoch"} <= set(variant)
        assert {"rmse", "skill", "coverage", "width"} <= set(variant["test"])
        assert variant["backtest"] == {"pooled_skill": None}  # no folds were run
        assert variant["run"] == f"compare {variant['name']}" and variant["run_id"] and variant["error"] is None
    assert doc["variants"][2]["inputs"] == ["Adj Close"] and doc["variants"][0]["inputs"] == [
        "Adj Close",
        "MSFT Adj Close",
    ]
    assert [(p["a"], p["b"]) for p in doc["pairs"]] == [("LSTM", "GRU"), ("LSTM", "LSTM without MSFT")]
    for pair in doc["pairs"]:
        assert 0 <= pair["p_value"] <= pair["p_adjusted"] <= 1 and pair["text"]
    assert doc["verdict"].endswith(".") and "without MSFT the skill changes by" in doc["verdict"]
    kept = load_project(project)
    assert [r.name for r in kept.runs] == ["compare LSTM", "compare GRU", "compare LSTM without MSFT"]
    assert [r.report.settings.model.cell for r in kept.runs] == ["lstm", "gru", "lstm"]
    assert {r.id for r in kept.runs} == {v["run_id"] for v in doc["variants"]}


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--cells", "lstm,tcn"], "Unknown cell 'tcn'; choose from lstm, gru, rnn"),
        (["--cells", "gru"], "A comparison needs two or more cells, or --drop-inputs"),
        (["--cells", "gru,gru"], "A cell is listed twice"),
        (["--cells", ","], "Name at least one cell"),
        (["--drop-inputs"], "Nothing to drop: the model's only input is the target's price"),
        (["--workers", "-1"], "--workers must be 0 or more, not -1"),
        (["--cell", "tcn"], "invalid choice: 'tcn'"),
        (["--backtest", "--folds", "0"], "Folds must be between 1 and 100, not 0"),
    ],
)
def test_a_comparison_that_cannot_be_made_exits_2_naming_the_problem(capsys, flags, message) -> None:
    try:
        code, out, err = run_cli(capsys, *COMPARE, *flags)
    except SystemExit as exc:  # argparse refuses a choice it knows itself
        code, (out, err) = exc.code, capsys.readouterr()
    assert code == 2 and out == "" and message in err, err


def test_help_names_the_comparison_flags(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = capsys.readouterr().out
    for flag in ("--cells", "--drop-inputs", "--backtest", "--workers", "--scheduler", "--project", "--json", "--cell"):
        assert flag in text
