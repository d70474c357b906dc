"""One meaning per data flag: every command that loads prices (found from the parser, so a command added later is
covered too) takes the same data flags, declared once (cli_args.add_data_args), and reads them the same way.
The reproduction: `sweep --sample AAPL --ticker MSFT` failed with "unrecognized arguments: AAPL"."""

from __future__ import annotations

import argparse
import json

import pytest

from lstm_desktop.cli import build_parser, main
from lstm_desktop.cli_args import add_data_args, data_request
from lstm_desktop.cli_many import sweep_data

DATA_FLAGS = ("--ticker", "--csv", "--sample", "--start", "--end", "--offline")
CASES = [
    ["--sample", "AAPL"],
    ["--sample", "AAPL", "--ticker", "MSFT"],
    ["--sample", "--ticker", "IBM", "--ticker", "GOOG"],
    ["--ticker", "aapl", "--ticker", "^GSPC", "--start", "2015-01-01", "--end", "2016-01-01", "--offline"],
    ["--csv", "prices.csv", "--ticker", "ABC"],
]


def data_commands() -> dict[str, argparse.ArgumentParser]:
    """Every subcommand that takes a ticker (--ticker or --sample): those load prices the way a run does.
    (A command that takes only --csv, a file of new days for a project, is not one of them.)"""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = {}
    for name, command in sub.choices.items():
        options = {s for action in command._actions for s in action.option_strings}
        if options & {"--ticker", "--sample"}:
            found[name] = command
    return found


def shape(parser: argparse.ArgumentParser) -> dict[str, tuple]:
    """Each data flag as argparse holds it: what it is called, stores, takes and says."""
    rows = {}
    for action in parser._actions:
        flag = next((s for s in action.option_strings if s in DATA_FLAGS), None)
        if flag is not None:
            rows[flag] = (type(action).__name__, action.dest, action.nargs, action.const, action.default,
                          action.metavar, action.help, tuple(action.option_strings))  # fmt: skip
    return rows


def filled(command: argparse.ArgumentParser, data: list[str]) -> list[str]:
    """`data` plus a placeholder for each option the command requires (and its positionals)."""
    args = list(data)
    for action in command._actions:
        if action.option_strings and action.required:
            args += [action.option_strings[0], str(action.choices[0]) if action.choices else "1"]
        elif not action.option_strings and action.nargs is None and action.dest != "help":
            args.append("placeholder")
    return args


def test_the_commands_that_load_prices_are_found() -> None:
    assert {"train", "backtest", "search", "sweep", "fetch"} <= set(data_commands())


def test_every_command_that_loads_prices_declares_the_same_data_flags() -> None:
    reference = argparse.ArgumentParser()
    add_data_args(reference)
    expected = shape(reference)
    assert set(expected) == set(DATA_FLAGS)
    for name, command in data_commands().items():
        assert shape(command) == expected, f"{name} declares its data flags differently"


@pytest.mark.parametrize("data", CASES, ids=" ".join)
def test_every_command_reads_the_data_flags_the_same_way(data: list[str]) -> None:
    requests = {}
    for name, command in data_commands().items():
        args = command.parse_args(filled(command, data))
        requests[name] = data_request(args)
    assert len(set(requests.values())) == 1, requests
    first = next(iter(requests.values()))
    swept = sweep_data(data_commands()["sweep"].parse_args(data))
    assert (swept.source, swept.tickers, swept.csv_path, swept.start, swept.end) == (
        first.source, first.tickers, first.csv_path, first.start, first.end,
    )  # fmt: skip  # a sweep runs exactly the tickers a run would load


def test_a_bare_sample_is_every_sample_ticker_for_a_sweep_and_needs_a_name_for_a_run(capsys) -> None:
    sweep = data_commands()["sweep"]
    assert sweep_data(sweep.parse_args(["--sample"])).tickers == ()  # () is every ticker of the sample
    assert sweep_data(sweep.parse_args(["--sample", "--ticker", "AAPL", "--ticker", "MSFT"])).tickers == (
        "AAPL",
        "MSFT",
    )
    code = main(["train", "--sample", "--epochs", "1"])
    assert code == 2 and "Name a ticker of the bundled sample: --sample NAME" in capsys.readouterr().err
    code = main(["sweep", "--sample", "AAPL", "--csv", "x.csv"])
    assert code == 2 and "Choose one data source" in capsys.readouterr().err


def test_the_reported_sweep_over_a_sample_name_and_a_ticker_runs_both(capsys, tmp_path) -> None:
    tiny = ["--epochs", "1", "--window", "10", "--layers", "1", "--hidden", "2", "--threads", "1", "--workers", "1"]
    code = main(["sweep", "--sample", "AAPL", "--ticker", "MSFT", "--start", "2012-01-01", *tiny, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)["sweep"]
    assert [row["ticker"] for row in rows] == ["AAPL", "MSFT"] and all(row["error"] is None for row in rows)
