"""Where the app keeps its files (platformdirs, app name lstm-desktop).

`LSTM_DESKTOP_HOME`, when set, puts every folder under one root: tests and the self-test use it to run on a
fresh profile without touching the user's own files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from lstm_desktop import APP_NAME


def _dir(kind: str) -> Path:
    override = os.environ.get("LSTM_DESKTOP_HOME")
    if override:
        path = Path(override) / kind
    else:
        getter = {
            "cache": platformdirs.user_cache_path,
            "config": platformdirs.user_config_path,
            "data": platformdirs.user_data_path,
            "log": platformdirs.user_log_path,
        }[kind]
        path = getter(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Downloaded prices, one folder per ticker."""
    return _dir("cache")


def config_dir() -> Path:
    """Settings: window geometry, recent projects, last folder."""
    return _dir("config")


def data_dir() -> Path:
    """Autosave and recovery copies of unsaved work."""
    return _dir("data")


def log_dir() -> Path:
    return _dir("log")


def documents_dir() -> Path:
    """Default folder for saving projects."""
    override = os.environ.get("LSTM_DESKTOP_HOME")
    return Path(override) / "documents" if override else platformdirs.user_documents_path()


def resources_dir() -> Path:
    """The bundled resources: inside a PyInstaller bundle, in a source checkout, or installed as a package."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / "resources").is_dir():
        return Path(bundle) / "resources"
    checkout = Path(__file__).resolve().parents[2] / "resources"
    if checkout.is_dir():
        return checkout
    installed = Path(__file__).resolve().parents[1] / "resources"
    return installed
