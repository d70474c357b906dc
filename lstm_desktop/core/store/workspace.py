"""What outlives a window: the recent-projects list and autosave copies for recovery after a crash.

Each running app owns one autosave file and holds a lock on a file beside it for as long as it runs. The
operating system releases the lock when the process ends, however it ends, so an autosave whose lock can be
taken was left by a crash (a clean exit deletes its own), and the next start offers it for recovery. The lock
works the same on Windows, Linux and macOS (filelock); probing a process id with a signal does not.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

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


class Recovery:
    """Autosave of unsaved work, and the files left by crashed sessions."""

    def __init__(self, folder: Path | None = None, name: str | None = None) -> None:
        self.folder = folder or data_dir() / "autosave"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.name = name or f"{os.getpid()}-{secrets.token_hex(3)}"
        self.path = self.folder / f"autosave-{self.name}.lstmproj"
        self.lock = FileLock(self.folder / f"autosave-{self.name}.lock")
        self.lock.acquire(timeout=0)  # held until release() or the end of the process

    def autosave(self, project: Project) -> Path:
        """Save a copy of the current work (atomic, like every save)."""
        from .project_io import save_project

        return save_project(project, self.path)

    def discard(self) -> None:
        """The work is saved or thrown away: no copy to recover."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def release(self) -> None:
        """A clean exit: nothing to recover, the lock let go."""
        self.discard()
        self.lock.release()
        with contextlib.suppress(OSError):
            (self.folder / f"autosave-{self.name}.lock").unlink()

    def left_by_crashes(self) -> list[Path]:
        """Autosave files whose app is no longer running (its lock is free), newest first."""
        found = []
        for path in self.folder.glob("autosave-*.lstmproj"):
            match = re.fullmatch(r"autosave-(.+)\.lstmproj", path.name)
            if match and match.group(1) != self.name and not _held(self.folder / f"autosave-{match.group(1)}.lock"):
                found.append(path)
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    @staticmethod
    def forget(path: Path) -> None:
        """Delete a crash copy (and its lock file) once it is recovered or declined."""
        for item in (path, path.with_suffix(".lock")):
            with contextlib.suppress(OSError):
                item.unlink()


def _held(lock_path: Path) -> bool:
    """True while another running app holds this lock."""
    if not lock_path.exists():
        return False
    probe = FileLock(lock_path)
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return True
    probe.release()
    return False
