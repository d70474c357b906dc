"""Shared fixtures: a private profile for every test, small real price frames, and Yahoo replayed offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def private_profile(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Cache, settings and logs of each test live in a fresh folder, never the user's."""
    home = tmp_path_factory.mktemp("profile")
    monkeypatch.setenv("LSTM_DESKTOP_HOME", str(home))
    return home


@pytest.fixture
def aapl_frames():
    """AAPL from the bundled sample, 2008..2013 (about 1300 real rows): quick to train on."""
    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.specs import DataRequest

    return load_prices(DataRequest(source="sample", tickers=("AAPL",), start="2008-01-01"))


class _Response:
    """What yfinance reads from its HTTP response."""

    def __init__(self, body: dict, status: int, url: str) -> None:
        self._body, self.status_code, self.url = body, status, url
        self.text = json.dumps(body)

    def json(self) -> dict:
        return self._body

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}")


class YahooReplay:
    """Answers yfinance's requests with recorded chart bodies, sliced to the asked period like Yahoo does.

    `requests` records (symbol, params) of each chart request; `rate_limited` symbols raise as yfinance does
    on HTTP 429; unknown symbols get Yahoo's 404 body.
    """

    def __init__(self) -> None:
        self.bodies = {p.stem: json.loads(p.read_text()) for p in (DATA / "yahoo").glob("*.json")}
        self.requests: list[tuple[str, dict]] = []
        self.rate_limited: set[str] = set()

    def get(self, url: str, params: dict | None = None, timeout: float = 30) -> _Response:
        from yfinance.exceptions import YFRateLimitError

        params = dict(params or {})
        symbol = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        self.requests.append((symbol, params))
        if symbol in self.rate_limited:
            raise YFRateLimitError()
        if "/v8/finance/chart/" not in url or symbol not in self.bodies:
            body = {
                "chart": {
                    "result": None,
                    "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
                }
            }
            return _Response(body, 404, url)
        return _Response(self._slice(self.bodies[symbol], params), 200, url)

    @staticmethod
    def _slice(body: dict, params: dict) -> dict:
        result = json.loads(json.dumps(body["chart"]["result"][0]))
        stamps = result["timestamp"]
        if "period1" in params:
            lo, hi = int(params["period1"]), int(params.get("period2") or 2**40)
            keep = [i for i, t in enumerate(stamps) if lo <= t < hi]
        else:  # range=1d etc.: the last day
            keep = [len(stamps) - 1]
        result["timestamp"] = [stamps[i] for i in keep]
        quote = result["indicators"]["quote"][0]
        for key in quote:
            quote[key] = [quote[key][i] for i in keep]
        adj = result["indicators"]["adjclose"][0]
        adj["adjclose"] = [adj["adjclose"][i] for i in keep]
        if not keep:
            result.pop("timestamp")
            result["indicators"] = {"quote": [{}], "adjclose": [{}]}
        return {"chart": {"result": [result], "error": None}}

    def chart_requests(self, symbol: str) -> list[dict]:
        return [p for s, p in self.requests if s == symbol and "period1" in p]


@pytest.fixture
def yahoo_replay(monkeypatch: pytest.MonkeyPatch) -> YahooReplay:
    """yfinance 1.7 with its HTTP layer replaced by recorded chart responses from tests/data/yahoo."""
    from yfinance.data import YfData

    replay = YahooReplay()
    monkeypatch.setattr(YfData, "get", lambda self, url, params=None, timeout=30: replay.get(url, params, timeout))
    monkeypatch.setattr(
        YfData, "cache_get", lambda self, url, params=None, timeout=30: replay.get(url, params, timeout)
    )
    monkeypatch.setattr(YfData, "_get_cookie_and_crumb", lambda self, timeout=30: (None, "basic"))
    return replay


@pytest.fixture
def one_thread():
    """Inline executors train in this process: fix its torch threads as a worker's are."""
    from .tiny_runs import one_thread as torch_on_one_thread

    with torch_on_one_thread():
        yield
