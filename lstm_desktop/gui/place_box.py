"""Where many trainings run: local worker processes (how many), or the Dask cluster at an address (tcp://, or
tls:// with the cluster's certificate authority, this computer's certificate and its key), and how long any
connection to it may take."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from lstm_desktop.core.executors.cluster_probe import ClusterSpec
from lstm_desktop.core.search.spec import SearchSpec

from .setting_widgets import double_for, spin_for
from .widgets import named

SCHEDULER_HELP = (
    "Leave empty to train in worker processes on this computer. Or the address of a Dask scheduler, "
    "tcp://HOST:8786 (or tls://HOST:8786 with the three certificate files below), to train on that cluster (needs "
    "lstm-desktop[cluster]). A Dask cluster runs any code its clients send: use only one you control, on a "
    "trusted network; between machines use tls://."
)
TLS_FILES = (
    ("tlsCaEdit", "CA", "the cluster's certificate authority (PEM), for tls:// addresses"),
    ("tlsCertEdit", "Certificate", "this computer's client certificate (PEM), for tls:// addresses"),
    ("tlsKeyEdit", "Key", "the private key of that certificate (PEM), for tls:// addresses"),
)


class PlaceBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Where the trainings run", parent)
        self.workers_spin = spin_for(SearchSpec, "workers", "workersSpin")
        self.workers_spin.setSpecialValueText("one per core")
        self.scheduler = named(QLineEdit(), "schedulerEdit", SCHEDULER_HELP)
        self.scheduler.setPlaceholderText("this computer (or a Dask scheduler: tcp://host:8786 or tls://host:8786)")
        self.timeout_spin = double_for(ClusterSpec, "connect_timeout", "connectTimeoutSpin")
        self.timeout_spin.setValue(ClusterSpec().connect_timeout)
        self.timeout_spin.setSuffix(" s")
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Local workers"), 0, 0)
        grid.addWidget(self.workers_spin, 0, 1)
        grid.addWidget(QLabel("Dask scheduler"), 0, 2)
        grid.addWidget(self.scheduler, 0, 3)
        grid.addWidget(QLabel("Connect timeout"), 0, 4)
        grid.addWidget(self.timeout_spin, 0, 5)
        self.tls: dict[str, QLineEdit] = {}
        files = QHBoxLayout()
        files.addWidget(QLabel("TLS files"))
        for name, label, help_text in TLS_FILES:
            edit = named(QLineEdit(), name, help_text)
            edit.setPlaceholderText(label)
            browse = named(QToolButton(), name.replace("Edit", "Button"), f"Choose {help_text}")
            browse.setText("…")
            browse.clicked.connect(lambda _=False, e=edit, t=label: self._browse(e, t))
            self.tls[name] = edit
            files.addWidget(edit, 1)
            files.addWidget(browse)
        self.tls_row = QWidget()
        self.tls_row.setLayout(files)
        files.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.tls_row, 1, 0, 1, 6)
        grid.setColumnStretch(3, 1)
        self.scheduler.textChanged.connect(self._show_tls)
        self._show_tls()

    def _show_tls(self) -> None:
        self.tls_row.setVisible(self.scheduler.text().strip().lower().startswith("tls://"))

    def _browse(self, edit: QLineEdit, label: str) -> None:
        kinds = "PEM files (*.pem *.crt *.key);;All files (*)"
        path, _ = QFileDialog.getOpenFileName(self, f"TLS {label}", edit.text(), kinds)
        if path:
            edit.setText(path)

    def workers(self) -> int:
        return self.workers_spin.value()

    def scheduler_address(self) -> str | None:
        return self.scheduler.text().strip() or None

    def tls_files(self) -> tuple[str, str, str] | None:
        """The three files, for a tls:// address (empty ones as ""); None for any other."""
        if not (self.scheduler_address() or "").lower().startswith("tls://"):
            return None
        ca, cert, key = (self.tls[name].text().strip() for name, _, _ in TLS_FILES)
        return ca, cert, key

    def place(self) -> object:
        from .many_tasks import Place

        return Place(self.workers(), self.scheduler_address(), self.tls_files(), self.timeout_spin.value())
