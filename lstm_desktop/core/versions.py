"""The versions of the app and of the libraries that shape a result, recorded with every run and project."""

from __future__ import annotations

import platform
from functools import lru_cache
from importlib import metadata

from lstm_desktop import __version__

LIBRARIES = ("torch", "numpy", "pandas", "yfinance", "safetensors", "exchange-calendars")


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    versions = {"lstm-desktop": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
