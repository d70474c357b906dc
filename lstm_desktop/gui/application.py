"""The QApplication of lstm-desktop: created once, with its name, icon and Qt's messages sent to our log."""

from __future__ import annotations

import logging
import sys

from lstm_desktop import __version__

log = logging.getLogger("lstm_desktop")


def app_icon() -> object:
    from PySide6.QtGui import QIcon

    from lstm_desktop.core.paths import resources_dir

    return QIcon(str(resources_dir() / "icons" / "lstm-desktop.svg"))


def _qt_message(mode: object, context: object, message: str) -> None:
    """Qt's own warnings go to our log; the offscreen platform's size-hint notice is noise."""
    if "propagateSizeHints" not in message:
        log.warning("Qt: %s", message)


def create_application() -> object:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from lstm_desktop.core.runtime import (
        pin_blas_threads,
        put_workers_in_background,
        tune_allocator,
        tune_interpreter_for_gui,
    )

    tune_allocator()  # before any worker thread exists (see its docstring)
    pin_blas_threads()
    tune_interpreter_for_gui()
    put_workers_in_background()
    qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("lstm-desktop")
    app.setOrganizationName("lstm-desktop")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    return app
