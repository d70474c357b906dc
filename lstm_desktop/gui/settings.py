"""Window settings kept as JSON under the config dir (QSettings' INI files read types back loosely)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from lstm_desktop.core.paths import config_dir
from lstm_desktop.core.store.atomic import write_bytes_atomic


class WindowSettings:
    """A small typed key-value store; a damaged file counts as empty."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "window.json"
        try:
            data = json.loads(self.path.read_text())
            self._data: dict[str, Any] = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self._data = {}

    def get(self, key: str, default: Any, kind: type) -> Any:
        value = self._data.get(key, default)
        return value if isinstance(value, kind) else default

    def set(self, key: str, value: Any) -> None:
        self._data[key] = value

    def save(self) -> None:
        with contextlib.suppress(OSError):
            write_bytes_atomic(self.path, json.dumps(self._data, indent=1).encode())
