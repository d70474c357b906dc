"""The HTML report of a run: one self-contained page (no script, nothing fetched), holding the scores, verdicts,
band, backtest and strategy with their charts as inline SVG; a hostile run name or note appears only escaped.
Where Chromium is installed, it renders the page headless with no network."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lstm_desktop.core.backtest.runner import backtest
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.executors.inline import InlineExecutor
from lstm_desktop.core.htmlreport.page import run_report_html
from lstm_desktop.core.specs import BacktestSpec, DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
from lstm_desktop.core.store.project import Project
from lstm_desktop.core.strategy.spec import StrategySpec

HOSTILE = "<script>alert(1)</script>"
CONFIG = RunConfig(
    data=DataRequest(source="sample", tickers=("GOOG",), start="2010-06-01"),
    dataset=DatasetSpec(window=10),
    model=ModelSpec(layers=1, hidden=4),
    train=TrainSpec(epochs=2, patience=0, threads=1),
    forecast_days=5,
)
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
SVG_LEAVES = {"line", "rect", "path", "polygon", "polyline", "circle"}  # written self-closing


class Page(HTMLParser):
    """What a browser would build: tags (checked to nest), attributes, and the text shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]
        if tag not in VOID and tag not in SVG_LEAVES:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def stored():
    """A small run with a 3-fold backtest, named and noted by someone hostile (made once for the module)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        frames = tuple(load_prices(CONFIG.data))
        finished = backtest(CONFIG, BacktestSpec(folds=3, fold_days=10), frames, executor=InlineExecutor())
    finally:
        torch.set_num_threads(before)
    return Project().add(finished, name=HOSTILE)


@pytest.fixture(scope="module")
def html(stored) -> str:
    return run_report_html(stored, StrategySpec(), notes=f"note {HOSTILE} & more")


def test_the_page_parses_and_holds_every_section_and_chart(html: str) -> None:
    page = Page()
    page.feed(html)
    page.close()
    assert page.open == [] and html.startswith("<!DOCTYPE html>")
    assert page.tags.count("svg") == 4  # prices and forecast band, backtest skills, equity, drawdown
    assert page.tags.count("table") >= 5 and page.tags.count("h2") == 5
    shown = " ".join(page.text)
    for words in ("Scores against the baselines", "Prices, forecast and band", "Walk-forward backtest",
                  "Would it have made money?", "After costs the strategy earned", "tomorrow = today"):  # fmt: skip
        assert words in shown, words


def test_it_needs_nothing_from_anywhere(html: str) -> None:
    page = Page()
    page.feed(html)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
    for name, value in page.attributes:
        assert not name.startswith("on"), name  # no event handlers
        if name in ("src", "href", "xlink:href", "action"):
            raise AssertionError(f"{name}={value!r}: the page must not refer to anything")
    assert "url(" not in html and "@import" not in html and "http" not in html


def test_a_hostile_name_and_note_appear_only_escaped(html: str) -> None:
    assert HOSTILE not in html and "alert(1)" in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # the title, the heading, the facts, the note
    page = Page()
    page.feed(html)
    assert "script" not in page.tags and any(HOSTILE in text for text in page.text)
    assert "note <script>alert(1)</script> & more" in page.text


def test_a_run_without_predictions_to_trade_still_reports_why(stored) -> None:
    import dataclasses

    report = stored.report
    untested = dataclasses.replace(report, predictions={"val": report.predictions["val"]}, backtest=None)
    html = run_report_html(dataclasses.replace(stored, report=untested), StrategySpec())
    assert "no out-of-sample predictions" in html and "This run has no backtest." in html
    page = Page()
    page.feed(html)
    assert page.tags.count("svg") == 1 and page.open == []


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_chromium_renders_it_headless_with_no_network(html: str, tmp_path: Path) -> None:
    page, shot = tmp_path / "report.html", tmp_path / "report.png"
    page.write_text(html, encoding="utf-8")
    command = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}", "--window-size=900,2600", f"--screenshot={shot}", page.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=True, timeout=120, capture_output=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 30_000  # a page with charts, not a blank one
