"""What outlives a window: the recent-projects list and autosave copies for recovery after a crash.

Each running app owns one autosave file, named after its process id. A file whose process is gone was left by
a crash (a clean exit deletes its own), so the next start offers it for recovery.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..paths import config_dir, data_dir
from .atomic import write_bytes_atomic

if TYPE_CHECKING:
    from .project import Project

MAX_RECENT = 10


class RecentProjects:
    """Most recent first, at most MAX_RECENT, kept as JSON under the config dir."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "recent.json"

    def _read(self) -> list[str]:
        try:
            items = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return []
        return [str(i) for i in items if isinstance(i, str)] if isinstance(items, list) else []

    def paths(self) -> list[Path]:
        """Recent projects that still exist."""
        return [Path(p) for p in self._read() if Path(p).is_file()]

    def add(self, path: str | Path) -> None:
        entry = str(Path(path).resolve())
        items = [entry] + [p for p in self._read() if p != entry]
        self._write(items[:MAX_RECENT])

    def _write(self, items: list[str]) -> None:
        with contextlib.suppress(OSError):  # a read-only config folder must not break the app
            write_bytes_atomic(self.path, json.dumps(items, indent=1).encode())


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else (or cannot tell): leave it alone
    return True


class Recovery:
    """Autosave of unsaved work, and the files left by crashed sessions."""

    def __init__(self, folder: Path | None = None, pid: int | None = None) -> None:
        self.folder = folder or data_dir() / "autosave"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pid = pid or os.getpid()
        self.path = self.folder / f"autosave-{self.pid}.lstmproj"

    def autosave(self, project: Project) -> Path:
        """Save a copy of the current work (atomic, like every save)."""
        from .project import save_project

        return save_project(project, self.path)

    def discard(self) -> None:
        """The work is saved or thrown away: no copy to recover."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def left_by_crashes(self) -> list[Path]:
        """Autosave files whose app is no longer running, newest first."""
        found = []
        for path in self.folder.glob("autosave-*.lstmproj"):
            match = re.fullmatch(r"autosave-(\d+)\.lstmproj", path.name)
            if match and int(match.group(1)) != self.pid and not _alive(int(match.group(1))):
                found.append(path)
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    @staticmethod
    def forget(path: Path) -> None:
        """Delete a crash copy once it is recovered or declined."""
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
