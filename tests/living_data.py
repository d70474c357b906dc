"""Real prices for the tests of projects that live: AAPL of the bundled sample as a CSV file cut at a date (what a
project was trained on) and the whole file (what arrived since), and a small project trained on the cut."""

from __future__ import annotations

import csv
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample" / "stocks.csv"
CUT = "2012-06-29"  # the project's last day; the sample runs to 2013-03-01
START = "2009-06-01"
FAST = ["--start", START, "--window", "20", "--layers", "1", "--hidden", "8", "--threads", "1", "--epochs", "2",
        "--forecast-days", "20"]  # fmt: skip
COLUMNS = ("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume")
PRICES = ("Open", "High", "Low", "Close", "Adj Close")


def sample_rows(ticker: str = "AAPL") -> list[dict[str, str]]:
    """The sample's rows of `ticker`, as text, in date order."""
    with SAMPLE.open(newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["Ticker"] == ticker]


def write_csv(
    path: Path, rows: list[dict[str, str]], scale: dict[str, float] | None = None, decimals: int | None = None
) -> Path:
    """A wide CSV (Date and the price columns) of `rows`; `scale` multiplies the prices of some dates; `decimals`:
    prices rounded to that many (as many files are, to cents)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            factor = (scale or {}).get(row["Date"], 1.0)
            prices = [float(row[c]) * factor for c in PRICES]
            texts = [repr(p) if decimals is None else f"{p:.{decimals}f}" for p in prices]
            writer.writerow([row["Date"], *texts, row["Volume"]])
    return path


def cut_and_full(folder: Path, ticker: str = "AAPL") -> tuple[Path, Path]:
    """The file cut at CUT and the whole file, both named after the ticker (in two folders)."""
    rows = sample_rows(ticker)
    cut = write_csv(folder / "cut" / f"{ticker}.csv", [r for r in rows if r["Date"] <= CUT])
    full = write_csv(folder / "full" / f"{ticker}.csv", rows)
    return cut, full


def raw_prices(path: Path, column: str = "Adj Close") -> dict[str, float]:
    """Date -> price of `column`, read straight from the file (the independent side of the checks)."""
    with path.open(newline="") as handle:
        return {row["Date"]: float(row[column]) for row in csv.DictReader(handle)}


def train_small(csv_path: Path, project_path: Path) -> Path:
    """A 2-epoch model on `csv_path`, saved as a new project at `project_path`."""
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
    from lstm_desktop.core.store.project import Project
    from lstm_desktop.core.store.project_io import save_project

    config = RunConfig(
        data=DataRequest(source="csv", csv_path=str(csv_path), start=START),
        dataset=DatasetSpec(window=20),
        model=ModelSpec(layers=1, hidden=8),
        train=TrainSpec(epochs=2, threads=1),
        forecast_days=20,
    )
    project = Project()
    project.add(run(config))
    return save_project(project, project_path)


def cut_sweep(epochs: int, tickers: tuple[str, ...] = ("IBM", "MSFT")) -> object:
    """A project like a sweep's: one tiny run per sample ticker on its prices up to CUT, named "sweep TICKER"."""
    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.run import run
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
    from lstm_desktop.core.store.project import Project

    project = Project()
    for ticker in tickers:
        request = DataRequest(source="sample", tickers=(ticker,), start="2011-01-01", end=CUT)
        config = RunConfig(data=request, dataset=DatasetSpec(window=10), model=ModelSpec(layers=1, hidden=4),
                           train=TrainSpec(epochs=epochs, threads=1), forecast_days=5)  # fmt: skip
        project.add(run(config, load_prices(request)), f"sweep {ticker}")
    return project
