"""What the command line's subcommands share: messages to stderr, JSON to stdout, Ctrl-C as a stop request,
opening a project to add runs to, saving and printing a result, choosing a run of a project."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_BAD_INPUT, EXIT_UNAVAILABLE, EXIT_STOPPED = 0, 2, 3, 130


def err(text: str) -> None:
    if sys.stderr is not None:
        print(text, file=sys.stderr, flush=True)


def print_json(document: dict) -> None:
    """Indented for a person at a terminal; compact into a pipe or file (C encoder: a large report is 4x faster
    and takes a fraction of the memory)."""
    indent = 2 if sys.stdout is not None and sys.stdout.isatty() else None
    print(json.dumps(document, indent=indent, allow_nan=False))


@contextlib.contextmanager
def ctrl_c_stops() -> Iterator[dict]:
    """While inside, the first Ctrl-C asks the work to stop (`state["asked"]`); a second one aborts."""
    state = {"asked": False}

    def on_sigint(signum: int, frame: Any) -> None:
        if state["asked"]:
            raise KeyboardInterrupt
        state["asked"] = True
        err("stopping after this batch (press Ctrl-C again to abort)...")

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


def open_for_adding(path: str | None, new: bool) -> Any:
    """The project a run is added to: the existing file (refused if unreadable, never overwritten), or a new one."""
    from lstm_desktop.core.store.project import Project
    from lstm_desktop.core.store.project_io import load_project

    if path is None:
        return None
    target = Path(path if path.endswith(".lstmproj") else path + ".lstmproj")
    if new or not target.exists():
        return Project()
    return load_project(target)


def save_and_print(project: Any, path: str | None, document: dict, text: str, as_json: bool) -> int:
    """Print the run first (a failed save must not lose it), then save; exit 2 when the save failed."""
    if as_json:
        print_json(document)
    else:
        print(text)
    sys.stdout.flush()
    if project is None:
        return EXIT_OK
    return save(project, path)


def save(project: Any, path: str) -> int:
    """Save the project (atomically) and say where; the exit code of a failed save, with its message."""
    from lstm_desktop.core.errors import LstmDesktopError
    from lstm_desktop.core.store.project_io import save_project

    try:
        written = save_project(project, path)
    except LstmDesktopError as exc:
        err(f"error: {exc}")
        return exc.exit_code
    err(f"saved {written}")
    return EXIT_OK


def chosen_run(project: Any, run_id: str | None, path: str) -> Any:
    """The run asked for (or the current one; None when nothing was trained), refusing a damaged one by name."""
    from lstm_desktop.core.errors import BadInput
    from lstm_desktop.core.store.project import DamagedRun

    run = project.find(run_id) if run_id else project.current
    if isinstance(run, DamagedRun):
        raise BadInput(f"Run {run.name!r} ({run.id}) of {path} cannot be read: {run.problem}")
    damaged = [r for r in project.runs if isinstance(r, DamagedRun)]
    if run is None and damaged:
        problems = "; ".join(f"{r.name!r}: {r.problem}" for r in damaged[:3])
        raise BadInput(f"{path} has no run that can be read: {problems}")
    return run
