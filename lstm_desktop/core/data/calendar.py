"""Trading days of an exchange, offline and rule-based (exchange_calendars): for forecast dates and gap reports.

exchange_calendars costs about 0.2 s to import (after pandas) and a few tenths to build one calendar, so it is
imported only when a calendar is first needed, and each calendar's sessions are worked out once per process, from
1970 (or the first year the calendar knows) to a few years ahead.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_EXCHANGE = "XNYS"  # New York: prices whose exchange is not known are taken as US prices
ALWAYS_OPEN = "24/7"  # crypto currencies trade every day
WEEKDAYS = "24/5"  # currencies trade Monday to Friday
EARLIEST_YEAR = 1970  # calendars are built from here (or from the first year they know)
YEARS_AHEAD = 6  # and to this many years past today: 1000 sessions of any calendar fit

_US = ("NMS", "NGM", "NCM", "NYQ", "NYS", "ASE", "PCX", "BTS", "NAS", "PNK", "OQB", "OQX", "OEM", "NIM", "SNP", "DJI")
_YAHOO_CODES: dict[str, str] = {
    **dict.fromkeys(_US, "XNYS"),
    "WCB": "XNYS",  # Cboe indices such as ^VIX
    "CCC": ALWAYS_OPEN,
    "CCY": WEEKDAYS,
    "LSE": "XLON",
    "IOB": "XLON",
    "GER": "XETR",
    "ETR": "XETR",
    "FRA": "XFRA",
    "MUN": "XFRA",
    "BER": "XFRA",
    "DUS": "XDUS",
    "HAM": "XHAM",
    "STU": "XSTU",
    "TOR": "XTSE",
    "VAN": "XTSE",
    "CNQ": "XTSE",
    "PAR": "XPAR",
    "AMS": "XAMS",
    "BRU": "XBRU",
    "LIS": "XLIS",
    "MIL": "XMIL",
    "MCE": "XMAD",
    "EBS": "XSWX",
    "VIE": "XWBO",
    "STO": "XSTO",
    "CPH": "XCSE",
    "HEL": "XHEL",
    "OSL": "XOSL",
    "ISE": "XDUB",
    "HKG": "XHKG",
    "JPX": "XTKS",
    "TYO": "XTKS",
    "OSA": "XTKS",
    "ASX": "XASX",
    "NZE": "XNZE",
    "KSC": "XKRX",
    "KOE": "XKRX",
    "TAI": "XTAI",
    "TWO": "XTAI",
    "SES": "XSES",
    "NSI": "XBOM",
    "BSE": "XBOM",
    "SAO": "BVMF",
    "MEX": "XMEX",
    "JNB": "XJSE",
    "SHH": "XSHG",
    "SHZ": "XSHG",
    "IST": "XIST",
    "WSE": "XWAR",
}
_SUFFIXES: dict[str, str] = {
    "L": "XLON",
    "IL": "XLON",
    "DE": "XETR",
    "F": "XFRA",
    "BE": "XFRA",
    "MU": "XFRA",
    "DU": "XDUS",
    "HM": "XHAM",
    "SG": "XSTU",
    "TO": "XTSE",
    "V": "XTSE",
    "CN": "XTSE",
    "PA": "XPAR",
    "AS": "XAMS",
    "BR": "XBRU",
    "LS": "XLIS",
    "MI": "XMIL",
    "MC": "XMAD",
    "SW": "XSWX",
    "VI": "XWBO",
    "ST": "XSTO",
    "CO": "XCSE",
    "HE": "XHEL",
    "OL": "XOSL",
    "IR": "XDUB",
    "HK": "XHKG",
    "T": "XTKS",
    "AX": "XASX",
    "NZ": "XNZE",
    "KS": "XKRX",
    "KQ": "XKRX",
    "TW": "XTAI",
    "TWO": "XTAI",
    "SI": "XSES",
    "NS": "XBOM",
    "BO": "XBOM",
    "SA": "BVMF",
    "MX": "XMEX",
    "JO": "XJSE",
    "SS": "XSHG",
    "SZ": "XSHG",
    "IS": "XIST",
    "WA": "XWAR",
}
_CRYPTO = re.compile(r"[A-Z0-9]{2,12}-(USD|USDT|USDC|EUR|GBP|JPY|CAD|AUD|CHF|KRW|INR|BTC|ETH)")
_CALENDAR_NAMES = frozenset((*_YAHOO_CODES.values(), *_SUFFIXES.values(), DEFAULT_EXCHANGE))


def exchange_for(ticker: str, yahoo_exchange: str | None = None) -> str:
    """The exchange_calendars name for `ticker`: from Yahoo's exchange code where known, else from the symbol.

    Crypto pairs (BTC-USD) trade every day, currencies (EURUSD=X) on weekdays, symbols with a market suffix
    (VOD.L, 7203.T) on that market; anything else is taken as a US symbol (XNYS).
    """
    code = (yahoo_exchange or "").strip().upper()
    if code in _YAHOO_CODES:
        return _YAHOO_CODES[code]
    if code in _CALENDAR_NAMES:  # already a calendar name (as a cache or project may hold it)
        return code
    symbol = str(ticker).strip().upper()
    if symbol.endswith("=X"):
        return WEEKDAYS
    if _CRYPTO.fullmatch(symbol):
        return ALWAYS_OPEN
    if "." in symbol:
        return _SUFFIXES.get(symbol.rsplit(".", 1)[1], DEFAULT_EXCHANGE)
    return DEFAULT_EXCHANGE


def is_known_exchange(code: str | None) -> bool:
    """Whether `code` is a Yahoo exchange code or a calendar name this module maps."""
    code = (code or "").strip().upper()
    return code in _YAHOO_CODES or code in _CALENDAR_NAMES or code in (ALWAYS_OPEN, WEEKDAYS)


def exchange_label(exchange: str) -> str:
    """A short name for messages: the calendar name, and what it means for the two pseudo-calendars."""
    return {ALWAYS_OPEN: "every day (24/7)", WEEKDAYS: "weekdays (24/5)"}.get(exchange, exchange)


@lru_cache(maxsize=32)
def _sessions(exchange: str, last_year: int) -> pd.DatetimeIndex:
    """Sessions of `exchange` from EARLIEST_YEAR (or its first known day) to the end of `last_year`, built once."""
    import exchange_calendars as xcals  # lazy: about 0.2 s to import after pandas
    import pandas as pd

    cls = _calendar_class(xcals, exchange)
    start = pd.Timestamp(f"{EARLIEST_YEAR}-01-01")
    end = pd.Timestamp(f"{last_year}-12-31")
    bound_min, bound_max = cls.bound_min(), cls.bound_max()
    if bound_min is not None:
        start = max(start, pd.Timestamp(bound_min))
    if bound_max is not None:
        end = min(end, pd.Timestamp(bound_max))
    with warnings.catch_warnings():  # exchange_calendars 4.13 uses pandas API that pandas 3.1 deprecates
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", getattr(pd.errors, "Pandas4Warning", FutureWarning))
        found = _sessions_from_rules(cls, start, end)
        if found is None:
            found = cls(start=start, end=end).sessions
    return pd.DatetimeIndex(found).tz_localize(None) if found.tz is not None else pd.DatetimeIndex(found)


def _sessions_from_rules(cls: Any, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex | None:
    """Sessions from the calendar's weekmask and holidays alone, as exchange_calendars derives them, without
    the opening times and special closes a full build computes (3-4 times faster). None when the calendar
    changes its weekmask over time (then the full build is used), or its rules cannot be read this way."""
    import pandas as pd

    try:
        rules = cls.__new__(cls)  # the rule properties do not depend on the built schedule
        if getattr(rules, "special_weekmasks", None):
            return None
        regular = rules.regular_holidays
        holidays = pd.DatetimeIndex(regular.holidays(start, end) if regular is not None else [])
        holidays = holidays.append(pd.DatetimeIndex(rules.adhoc_holidays))
        return pd.bdate_range(start, end, freq="C", weekmask=rules.weekmask, holidays=holidays)
    except Exception:  # another version of exchange_calendars: build it the documented way
        return None


def _calendar_class(xcals: Any, exchange: str) -> Any:
    """The class of calendar `exchange`, without building the default 20-year calendar where avoidable."""
    dispatcher = xcals.calendar_utils.global_calendar_dispatcher
    factories = getattr(dispatcher, "_calendar_factories", {})  # internal; the public path below is slower
    name = dispatcher.resolve_alias(exchange)
    return factories[name] if name in factories else type(xcals.get_calendar(name))


def sessions(exchange: str, last_year: int | None = None) -> pd.DatetimeIndex:
    """Every session the calendar of `exchange` knows, through `last_year` (default: a few years past today)."""
    default = dt.date.today().year + YEARS_AHEAD
    return _sessions(exchange, max(default, last_year or default))


def sessions_between(start: pd.Timestamp, end: pd.Timestamp, exchange: str) -> pd.DatetimeIndex | None:
    """Sessions of `exchange` from `start` to `end` inclusive, clipped to what the calendar covers; None if nothing.

    The first returned session may come after `start` when the calendar begins later than the data.
    """
    known = sessions(exchange, end.year)
    if known.empty or end < known[0] or start > known[-1]:
        return None
    return known[(known >= start) & (known <= end)]


def future_trading_days(last: pd.Timestamp, days: int, exchange: str) -> pd.DatetimeIndex:
    """The next `days` sessions of `exchange` after `last` (the last day with a price), tz-naive days.

    Before the first day a calendar knows (e.g. XTKS before 1997) and past its last, weekdays stand in
    (every day for the 24/7 calendar).
    """
    import pandas as pd

    if days < 0:
        raise ValueError(f"days must be 0 or more, not {days}")
    last = pd.Timestamp(last)
    last = (last.tz_localize(None) if last.tzinfo is not None else last).normalize()
    if days == 0:
        return pd.DatetimeIndex([])
    known = sessions(exchange, last.year + days // 240 + 2)  # 1000 sessions: about four years
    frequency = "D" if exchange == ALWAYS_OPEN else "B"
    parts = []
    if known.empty or last + pd.Timedelta(days=1) < known[0]:
        before = known[0] - pd.Timedelta(days=1) if not known.empty else last + pd.Timedelta(days=2 * days + 7)
        parts.append(pd.date_range(last + pd.Timedelta(days=1), before, freq=frequency))
    parts.append(known[known > last])
    found = parts[0].append(parts[1:]) if len(parts) > 1 else parts[0]
    if len(found) < days:  # past the calendar's last day
        tail_start = max(last, found[-1] if len(found) else last) + pd.Timedelta(days=1)
        found = found.append(pd.date_range(tail_start, periods=2 * days + 7, freq=frequency))
    return pd.DatetimeIndex(found[:days])
