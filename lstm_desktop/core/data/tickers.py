"""One spelling of ticker symbols for the cache, the CSV import and every source: trimmed, upper-case, checked.

Yahoo symbols use letters, digits and a few marks: `.` for the market (VOD.L, 0700.HK), `-` for share classes
and crypto pairs (BRK-B, BTC-USD), `^` for indices (^GSPC), `=` for currencies and futures (EURUSD=X, ES=F) and,
on Indian markets, `&` (M&M.NS). Anything else is refused before it reaches a file name or a web request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import BadInput

MAX_TICKER_LENGTH = 32  # the longest Yahoo symbols (option contracts) have about 21 characters
_ALLOWED = re.compile(r"[A-Z0-9.\-^=&]+")
_EXAMPLES = "AAPL, ^GSPC, BTC-USD, EURUSD=X, VOD.L"


def normalise_ticker(text: str) -> str:
    """`text` as the one spelling used everywhere (trimmed, upper-case); BadInput when it cannot be a symbol."""
    ticker = str(text).strip().upper()
    if not ticker:
        raise BadInput(f"A ticker symbol is empty. Give a symbol such as {_EXAMPLES}.")
    if len(ticker) > MAX_TICKER_LENGTH:
        raise BadInput(
            f"The ticker {_shorten(text)!r} is {len(ticker)} characters long (at most {MAX_TICKER_LENGTH}). "
            f"Give a symbol such as {_EXAMPLES}."
        )
    if not _ALLOWED.fullmatch(ticker) or not re.search(r"[A-Z0-9]", ticker):
        odd = sorted({c for c in ticker if not _ALLOWED.fullmatch(c)})
        what = f" (it contains {', '.join(map(repr, odd))})" if odd else ""
        raise BadInput(
            f"{_shorten(text)!r} is not a ticker symbol{what}. Symbols use letters, digits and . - ^ = &, "
            f"e.g. {_EXAMPLES}."
        )
    return ticker


def normalise_tickers(items: Iterable[str | None]) -> tuple[str, ...]:
    """Each symbol of `items` normalised, in order; empty entries dropped, a symbol given twice refused."""
    given = [str(item).strip() for item in items if item is not None and str(item).strip()]
    refuse_repeats(given)
    return tuple(normalise_ticker(item) for item in given)


def refuse_repeats(items: Iterable[str]) -> None:
    """BadInput naming the first name given twice (compared trimmed and upper-case), so it is not loaded twice."""
    seen: dict[str, str] = {}
    for item in items:
        text = str(item).strip()
        key = text.upper()
        if key in seen:
            spelled = f" (as {seen[key]!r} and {text!r})" if seen[key] != text else ""
            raise BadInput(f"The ticker {key} is given twice{spelled}. Give each ticker once.")
        seen[key] = text


def _shorten(text: str, limit: int = 40) -> str:
    """`text` cut to `limit` characters, so a pasted paragraph does not flood the message."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
