"""Atomic file writes: the old file survives any failure (exception, full disk, crash).

A save writes a temporary file beside the target, flushes and fsyncs it, then renames it over the target. Saves
killed half-way leave their temporary file behind; the next save of the same target removes those, but never one
that a save running right now (in this or another process) is still writing: a writer holds an exclusive `flock`
on its temporary file until it is done, locks die with their process, and a file modified in the last few minutes
is left alone too (for file systems where locks do not work).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from pathlib import Path

try:  # POSIX only; elsewhere the age rule alone decides, and Windows refuses to delete a file another has open
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

STALE_AFTER_S = 300  # a temporary file untouched this long, and unlocked, belongs to a save that died
_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"  # what tempfile.mkstemp used, so its leftovers match too
_TOKEN = re.compile(r"[a-z0-9_]{8}")


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix.

    A symlink is written through (its target is replaced, the link stays); an existing file keeps its mode, a new
    one gets the mode the user's umask gives; stale temporary files of earlier, killed saves are removed.
    """
    target = _resolve(Path(path))
    mode = _existing_mode(target)
    remove_stale_temporaries(target)
    fd, tmp = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            _lock(handle.fileno())  # tells other saves that this temporary file is alive
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # before the data goes in: never readable by more than the old file
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(target.parent)


def temporary_name(target: Path) -> str:
    """A fresh name for a temporary file of `target`: `.NAME.XXXXXXXX.tmp`, the pattern `remove_stale_temporaries`
    recognises."""
    token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(8))
    return f".{target.name}.{token}.tmp"


def remove_stale_temporaries(target: Path, now: float | None = None) -> list[Path]:
    """Delete temporary files of `target` left by earlier saves that died; returns the paths removed.

    A file is stale when it is a regular file named like our temporary files of this very target, untouched for
    STALE_AFTER_S seconds, and no live process holds its lock. Errors are ignored: cleaning up must never stop a save.
    """
    now = time.time() if now is None else now
    removed = []
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if _is_temporary_of(entry.name, target.name) and _remove_if_stale(Path(entry.path), now):
                removed.append(Path(entry.path))
    return removed


def _is_temporary_of(name: str, target_name: str) -> bool:
    prefix, suffix = f".{target_name}.", ".tmp"
    if not (name.startswith(prefix) and name.endswith(suffix)):
        return False
    return _TOKEN.fullmatch(name[len(prefix) : len(name) - len(suffix)]) is not None


def _remove_if_stale(path: Path, now: float) -> bool:
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_AFTER_S:
            return False
        if fcntl is None:  # pragma: no cover - Windows refuses to delete a file a live save has open
            os.unlink(path)
            return True
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        if not _unlocked(fd):
            return False  # a live save holds it, or this file system cannot tell: leave it
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _lock(fd: int) -> None:
    if fcntl is not None:
        with contextlib.suppress(OSError):  # no locks on this file system: the age rule still protects the file
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlocked(fd: int) -> bool:
    """True when no one holds the lock of `fd`'s file (so no live save is writing it); takes the lock."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _resolve(path: Path) -> Path:
    """The file a save of `path` should replace: the final target of a symlink (so the link survives)."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():
        raise OSError(errno.ELOOP, "the symbolic link points in a circle", str(path))
    return target


def _existing_mode(target: Path) -> int | None:
    """The permission bits to keep: the existing file's, or None for a new file (the umask decides)."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(target))
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "it is not a regular file (a pipe, device or socket)", str(target))
    return stat.S_IMODE(info.st_mode)


def _create_temporary(target: Path) -> tuple[int, str]:
    """Create and open a new temporary file beside `target`; 0o666 so that the umask gives a new file its mode."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = str(target.parent / temporary_name(target))
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(target.parent))


def _fsync_directory(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    if hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
