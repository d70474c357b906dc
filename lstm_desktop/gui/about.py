"""The About text: versions and the terms of the data sources."""

from __future__ import annotations

import platform
from importlib import metadata

from lstm_desktop import __version__


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_text() -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    libraries = ", ".join(
        f"{name} {_version(name)}" for name in ("torch", "pandas", "numpy", "pyqtgraph", "yfinance", "safetensors")
    )
    return (
        f"<h3>lstm-desktop {__version__}</h3>"
        "<p>Forecast market prices with LSTM networks, scored honestly against 'tomorrow = today'.</p>"
        f"<p>Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}, {libraries}.</p>"
        "<p><b>Data sources.</b> Yahoo Finance data is fetched through the open-source yfinance library, which "
        "is not affiliated with Yahoo. Yahoo's terms of use allow personal use only; you are responsible for "
        "complying with them. The bundled sample is Quandl WIKI Prices data (public domain), from the "
        "bokeh-sampledata package.</p>"
        "<p>Forecasts are not financial advice. Past prices do not predict future ones; the scores shown "
        "tell how this model did on data it never trained on.</p>"
    )
