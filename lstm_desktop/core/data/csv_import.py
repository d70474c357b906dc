"""Read price CSV files in the shapes people actually have (Yahoo export, yfinance to_csv, long format...)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import BadInput
from .normalise import canonical_headers, normalise_table
from .prices import PriceFrame

MAX_CSV_BYTES = 512 * 1024 * 1024


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise BadInput(f"File not found: {path}")
    if path.is_dir():
        raise BadInput(f"{path} is a folder, not a CSV file.")
    size = path.stat().st_size
    if size == 0:
        raise BadInput(f"{path.name} is empty.")
    if size > MAX_CSV_BYTES:
        raise BadInput(f"{path.name} is larger than {MAX_CSV_BYTES // 2**20} MB; split it first.")
    try:
        with path.open("r", encoding="utf-8-sig") as handle:
            first_line = handle.readline()
        sep = ";" if first_line.count(";") > first_line.count(",") else ","
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path.name} is not a text CSV file (cannot decode it as UTF-8).") from exc
    except pd.errors.EmptyDataError as exc:
        raise BadInput(f"{path.name} holds no table.") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise BadInput(f"{path.name} is not a readable CSV table: {exc}") from exc
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror or exc}") from exc


def _ticker_column(table: pd.DataFrame) -> str | None:
    for col, name in canonical_headers(list(table.columns)).items():
        if name == "Ticker":
            return col
    return None


def read_price_csv(path: str | Path, ticker: str | None = None) -> PriceFrame:
    """Load one ticker's daily prices from a CSV file; refuses with BadInput what cannot be used."""
    return read_price_csvs(path, [ticker])[0]


def read_price_csvs(path: str | Path, tickers: list[str | None]) -> list[PriceFrame]:
    """Load several tickers of one (long-format) file, reading it once. None: the file's only ticker."""
    path = Path(path)
    table = _read_table(path)
    return [_one_ticker(path, table, ticker) for ticker in tickers]


def _one_ticker(path: Path, table: pd.DataFrame, ticker: str | None) -> PriceFrame:
    column = _ticker_column(table)
    if column is not None:
        available = list(dict.fromkeys(table[column].str.strip()))
        if ticker is None:
            if len(available) != 1:
                raise BadInput(
                    f"{path.name} holds several tickers ({', '.join(available[:10])}): choose one "
                    "(on the command line: --ticker T)."
                )
            ticker = available[0]
        wanted = ticker.strip().upper()
        rows = table[column].str.strip().str.upper() == wanted
        if not rows.any():
            raise BadInput(f"{path.name} has no rows for {ticker}; it holds {', '.join(available[:10])}.")
        table = table[rows].drop(columns=[column]).reset_index(drop=True)
        ticker = wanted
    frame, repairs = normalise_table(table)
    name = ticker or path.stem
    return PriceFrame(
        ticker=name,
        frame=frame,
        source="csv",
        origin=f"file {path.name}",
        repairs=repairs,
        request={"source": "csv", "path": str(path), "ticker": ticker},
    )
