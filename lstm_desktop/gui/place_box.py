"""Where many trainings run: local worker processes (how many), or the Dask cluster at an address."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from lstm_desktop.core.search.spec import SearchSpec

from .setting_widgets import spin_for
from .widgets import named

SCHEDULER_HELP = (
    "Leave empty to train in worker processes on this computer. Or the address of a Dask scheduler, "
    "tcp://HOST:8786, to train on that cluster (needs lstm-desktop[cluster]). A Dask cluster runs any code its "
    "clients send: use only one you control, on a trusted network (for tls:// use the command line)."
)


class PlaceBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Where the trainings run", parent)
        self.workers_spin = spin_for(SearchSpec, "workers", "workersSpin")
        self.workers_spin.setSpecialValueText("one per core")
        self.scheduler = named(QLineEdit(), "schedulerEdit", SCHEDULER_HELP)
        self.scheduler.setPlaceholderText("this computer (or a Dask scheduler: tcp://host:8786)")
        row = QHBoxLayout(self)
        row.addWidget(QLabel("Local workers"))
        row.addWidget(self.workers_spin)
        row.addWidget(QLabel("Dask scheduler"))
        row.addWidget(self.scheduler, 1)

    def workers(self) -> int:
        return self.workers_spin.value()

    def scheduler_address(self) -> str | None:
        return self.scheduler.text().strip() or None

    def place(self) -> object:
        from .many_tasks import Place

        return Place(self.workers(), self.scheduler_address())
