"""Where a search is recorded: Optuna's journal file (JSON lines, no pickle, no SQL server) beside the project file,
or in the user data folder when there is no project. Only the searching process writes to it; workers never see
it. Every line is checked before Optuna replays the file (journal_check.py); lines are appended whole, in one
write each, so a kill leaves at most a partial last line, and that one is cut (with a warning) before the next
search appends after it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..paths import data_dir
from .journal_check import MAX_LINE_BYTES, BadJournal, advice, check_journal

SUFFIX = ".search.jsonl"


def journal_path(project: str | Path | None) -> Path:
    """`<project>.search.jsonl` beside the project file, else searches.jsonl in the user data folder."""
    if project is None:
        return data_dir() / "searches.jsonl"
    path = Path(project)
    stem = path.name[: -len(".lstmproj")] if path.name.endswith(".lstmproj") else path.name
    return path.with_name(stem + SUFFIX)


def _lock(path: Path) -> Any:
    from optuna.storages.journal import JournalFileOpenLock

    return JournalFileOpenLock(str(path))  # a lock file, not a symlink: works on Windows without admin rights


def drop_torn_tail(path: Path) -> int:
    """Cut a partial last line (no newline: what a kill mid-write leaves); the bytes cut (0: none). Every other
    line is checked first, and a file holding a line that cannot be used is refused (BadJournal), never cut."""
    if not path.exists():
        return 0
    keep = check_journal(path)
    if keep is None:
        return 0
    cut = path.stat().st_size - keep
    with path.open("r+b") as handle:
        handle.truncate(keep)
        os.fsync(handle.fileno())
    return cut


def move_aside(path: Path) -> Path | None:
    """Rename the journal at `path` out of the way (kept, the time in its name); None when there is none."""
    if not path.exists():
        return None
    aside = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.aside")
    os.replace(path, aside)
    return aside


class WholeLines:
    """Optuna's journal file backend, appending whole lines in one os.write (O_APPEND, then fsync) under the lock."""

    def __init__(self, path: Path, lock: Any) -> None:
        from optuna.storages.journal import JournalFileBackend

        self.path, self.lock = path, lock
        self.reader = JournalFileBackend(str(path), lock_obj=lock)

    def read_logs(self, log_number_from: int) -> Any:
        return self.reader.read_logs(log_number_from)

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        lines = [json.dumps(log, separators=(",", ":")).encode() + b"\n" for log in logs]
        if any(len(line) > MAX_LINE_BYTES for line in lines):
            raise BadInput(f"A search record is over {MAX_LINE_BYTES >> 20} MB: not written to {self.path}.")
        data = memoryview(b"".join(lines))
        self.lock.acquire()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
            try:
                while data:
                    data = data[os.write(fd, data) :]
                os.fsync(fd)
            finally:
                os.close(fd)
        finally:
            self.lock.release()


def open_storage(path: Path, warn: Callable[[str], None] | None = None, fresh: bool = False) -> Any:
    """The journal storage at `path` (created if new), every line checked under its lock first: a partial last
    line is cut (and `warn` told), any other unusable line refused (BadJournal). `fresh`: move an existing
    journal aside (kept) and start a new one."""
    from optuna.storages import JournalStorage

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock(path)
        lock.acquire()
        try:
            aside = move_aside(path) if fresh else None
            cut = drop_torn_tail(path)
        finally:
            lock.release()
    except OSError as exc:
        raise BadInput(f"Cannot write the search journal {path}: {exc.strerror or exc}.") from exc
    if warn is not None and aside is not None:
        warn(f"the search journal {path} was moved aside to {aside.name}; this search starts a new one")
    if warn is not None and cut:
        warn(
            f"the search journal {path} ended in a partial line ({cut} bytes, what a search killed while writing "
            "leaves); it was cut off, and the studies before it are kept"
        )
    try:
        return JournalStorage(WholeLines(path, _lock(path)))
    except Exception as exc:  # checked line by line already: a failure here is still a message, not a traceback
        raise BadJournal(
            f"The search journal {path} cannot be replayed ({type(exc).__name__}: {exc}). {advice(path)}"
        ) from exc


def new_study(storage: Any, pruner: Any, attrs: dict[str, Any], runs: Iterable[str] = ()) -> Any:
    """A new study named "search N" (the next free N), minimising the validation loss, with `attrs` (JSON) kept.
    N is free in the journal and among `runs` (the project's run names, "search N, trial K"): a journal cut
    short or moved aside never gives a search's runs the names of runs the project already holds."""
    import optuna

    taken = {s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)}
    taken |= {name.split(", trial ")[0] for name in runs if name.startswith("search ")}
    number = len(taken) + 1
    while True:
        name = f"search {number}"
        if name not in taken:
            try:
                study = optuna.create_study(study_name=name, storage=storage, direction="minimize", pruner=pruner)
                break
            except optuna.exceptions.DuplicatedStudyError:  # another process took it meanwhile
                pass
        number += 1
    for key, value in attrs.items():
        study.set_user_attr(key, value)
    return study
