"""Where a search is recorded: Optuna's journal file (JSON lines, no pickle, no SQL server) beside the project file,
or in the user data folder when there is no project. Only the searching process writes to it; workers never see
it. A line torn by a crash is dropped before the file is opened again (appending after it would break the study).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..paths import data_dir

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


def drop_torn_tail(path: Path) -> bool:
    """Cut a last line that a crash left without its newline or unreadable; True when something was cut."""
    import json

    if not path.exists():
        return False
    data = path.read_bytes()
    if not data:
        return False
    if not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1  # the unterminated tail goes
    else:
        keep = data.rfind(b"\n", 0, len(data) - 1) + 1
        try:
            json.loads(data[keep:])
            return False
        except ValueError:
            pass  # a terminated line that does not read goes too
    with path.open("r+b") as handle:
        handle.truncate(keep)
    return True


def open_storage(path: Path) -> Any:
    """The journal storage at `path` (created if new), its torn tail dropped under its lock first."""
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock(path)
        lock.acquire()
        try:
            drop_torn_tail(path)
        finally:
            lock.release()
        return JournalStorage(JournalFileBackend(str(path), lock_obj=_lock(path)))
    except OSError as exc:
        raise BadInput(f"Cannot write the search journal {path}: {exc.strerror or exc}.") from exc


def new_study(storage: Any, pruner: Any, attrs: dict[str, Any]) -> Any:
    """A new study named "search N" (the next free N), minimising the validation loss, with `attrs` (JSON) kept."""
    import optuna

    taken = {s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)}
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
