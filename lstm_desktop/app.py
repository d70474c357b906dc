"""The desktop application's entry point: `lstm-desktop` and `python -m lstm_desktop`.

Only Qt is imported before the window shows; torch, pandas and yfinance load in worker threads when first
needed, so the window appears fast. The process never aborts at exit: a task that ignores the stop request is
given EXIT_WAIT_MS, then left behind (see `leave`).
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from lstm_desktop import __version__

log = logging.getLogger("lstm_desktop")
EXIT_WAIT_MS = 10_000  # once the event loop has ended: how long a running task gets to honour the stop request


def setup_logging() -> Path | None:
    """Log to a rotating file under the platformdirs log dir, and to stderr when there is one."""
    from lstm_desktop.core.paths import log_dir

    log.setLevel(logging.INFO)
    path = None
    try:
        path = log_dir() / "lstm-desktop.log"
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    except OSError:
        path = None
    if sys.stderr is not None:  # None in a windowed bundle on Windows
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.WARNING)
        log.addHandler(console)
    return path


def install_excepthook(log_path: Path | None) -> None:
    """An unexpected exception is logged and shown in a dialog naming the log, instead of the app vanishing."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, trace)))
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is not None:
            QMessageBox.critical(
                None,
                "Unexpected error",
                f"Something went wrong: {error}\n\nYour work is kept. Details are in the log:\n"
                f"{log_path or 'no log file could be written'}",
            )

    sys.excepthook = hook


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lstm-desktop", description="LSTM price forecasting on your desktop.")
    parser.add_argument("project", nargs="?", help="a .lstmproj file to open")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="run a scripted session offscreen on a fresh profile and report what was checked",
    )
    parser.add_argument("--version", action="version", version=f"lstm-desktop {__version__}")
    return parser.parse_args(argv)


def preload_heavy_modules() -> threading.Thread:
    """Import torch and pandas in the background once the window is up, so pressing Train does not wait for
    them (importing torch takes seconds and briefly holds the interpreter: better while the user reads). Then
    the objects of every module loaded so far leave the garbage collector's reach (see freeze_startup_objects)."""

    def load() -> None:
        import pandas  # noqa: F401
        import pyqtgraph  # noqa: F401
        import torch  # noqa: F401

        from lstm_desktop.core.runtime import freeze_startup_objects

        freeze_startup_objects()

    thread = threading.Thread(target=load, name="preload", daemon=True)
    thread.start()
    return thread


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.self_test:  # both ways start with create_application, which prepares the process
        from lstm_desktop.gui.self_test import run_self_test

        return run_self_test()
    log_path = setup_logging()
    from lstm_desktop.gui.application import create_application

    app = create_application()
    install_excepthook(log_path)
    from PySide6.QtCore import QTimer

    from lstm_desktop.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    QTimer.singleShot(300, preload_heavy_modules)
    if args.project:
        QTimer.singleShot(0, lambda: window.files.open_path(Path(args.project)))
    else:
        QTimer.singleShot(0, window.files.offer_recovery)
    return leave(window, app.exec(), EXIT_WAIT_MS)


def leave(window: Any, code: int, wait_ms: int) -> int:
    """`code`, once no worker thread is left running. A task still running `wait_ms` after the stop request is left
    behind: the process ends at once with os._exit(code), because letting Python and Qt destroy a QThread that is
    still running aborts the whole process (SIGABRT), losing the exit code and what the log had not written."""
    if window.shutdown_workers(wait_ms):
        return code
    log.error(
        "The task %r did not stop within %.1f s of quitting; leaving without waiting for it (exit code %d).",
        window.tasks.name,
        wait_ms / 1000,
        code,
    )
    logging.shutdown()  # flush and close the log handlers: os._exit skips every clean-up
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
