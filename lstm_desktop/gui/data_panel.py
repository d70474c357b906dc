"""The Data panel: source, tickers, dates, Load; and what was loaded."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lstm_desktop.core.specs import DataRequest

from .widgets import named

SAMPLE_TICKERS = ("AAPL", "GOOG", "IBM", "MSFT")  # what resources/sample/stocks.csv holds (a test checks)
SOURCES = (("sample", "Bundled sample (offline)"), ("yahoo", "Yahoo Finance"), ("csv", "CSV file"))
EARLIEST = QDate(1900, 1, 1)


class DataPanel(QGroupBox):
    """Emits loadRequested(DataRequest) when the user presses Load."""

    loadRequested = Signal(object)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data", parent)
        self.last_folder = ""
        self._offline = False  # a request from a project may ask for the cache only: kept as it is
        self._default_tickers = False  # the ticker list is the sample's default, not typed by the user
        form = QFormLayout()
        self.source = named(QComboBox(), "sourceCombo", "Where prices come from")
        for key, label in SOURCES:
            self.source.addItem(label, key)
        form.addRow("Source", self.source)

        self.csv_path = named(QLineEdit(), "csvPathInput", "CSV file of daily prices")
        self.csv_path.setPlaceholderText("choose a CSV file…")
        browse = named(QPushButton("Browse…"), "browseCsvButton", "Choose a CSV file")
        browse.clicked.connect(self._on_browse_clicked)
        self.csv_row = QWidget()
        row = QHBoxLayout(self.csv_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.csv_path, 1)
        row.addWidget(browse)
        form.addRow("File", self.csv_row)
        self.form = form

        self.ticker_input = named(QLineEdit(), "tickerInput", "Ticker symbol to add, e.g. AAPL or ^GSPC")
        self.ticker_input.setPlaceholderText("ticker, e.g. MSFT")
        self.add_ticker = named(QPushButton("Add"), "addTickerButton", "Add the ticker to the list")
        entry = QHBoxLayout()
        entry.addWidget(self.ticker_input, 1)
        entry.addWidget(self.add_ticker)
        form.addRow("Ticker", entry)
        self.tickers = named(QListWidget(), "tickerList", "Tickers: the first is the target, others are extra inputs")
        self.tickers.setMaximumHeight(74)
        self.remove_ticker = named(QPushButton("Remove"), "removeTickerButton", "Remove the selected ticker")
        self.make_target = named(QPushButton("Make target"), "makeTargetButton", "Predict the selected ticker")
        buttons = QVBoxLayout()
        buttons.addWidget(self.remove_ticker)
        buttons.addWidget(self.make_target)
        buttons.addStretch(1)
        listing = QHBoxLayout()
        listing.addWidget(self.tickers, 1)
        listing.addLayout(buttons)
        form.addRow("", listing)

        self.start = self._date_edit("startDate", "First day to load", "earliest")
        self.end = self._date_edit("endDate", "Last day to load", "latest")
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.end)
        form.addRow("Dates", dates)

        self.load = named(QPushButton("Load"), "loadDataButton", "Load the prices")
        self.load.setDefault(True)
        self.refresh = named(QPushButton("Refresh prices"), "refreshButton",
                             "Append the prices after the project's last day from each ticker's source, and score "
                             "its frozen forecasts on them")  # fmt: skip
        self.info = named(QLabel("No data loaded."), "dataInfoLabel", "What was loaded")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.load, 1)
        row.addWidget(self.refresh)
        layout.addLayout(row)
        layout.addWidget(self.info)

        self.source.currentIndexChanged.connect(self._on_source_changed)
        self.add_ticker.clicked.connect(self._on_add_clicked)
        self.ticker_input.returnPressed.connect(self._on_add_clicked)
        self.remove_ticker.clicked.connect(self._on_remove_clicked)
        self.make_target.clicked.connect(self._on_make_target_clicked)
        self.load.clicked.connect(self._on_load_clicked)
        for signal in (self.start.dateChanged, self.end.dateChanged, self.csv_path.textChanged):
            signal.connect(self.changed)
        self.set_request(DataRequest())

    @staticmethod
    def _date_edit(name: str, description: str, special: str) -> QDateEdit:
        edit = named(QDateEdit(), name, description)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(EARLIEST)
        edit.setSpecialValueText(special)  # shown while the date is at its minimum: no limit
        edit.setDate(EARLIEST)
        return edit

    # ----- reading and writing the request -----
    def tickers_list(self) -> list[str]:
        return [self.tickers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.tickers.count())]

    def request(self) -> DataRequest:
        source = self.source.currentData()

        def day(edit: QDateEdit) -> str | None:
            return None if edit.date() == EARLIEST else edit.date().toString("yyyy-MM-dd")

        return DataRequest(
            source=source,
            tickers=tuple(self.tickers_list()),
            csv_path=self.csv_path.text().strip() or None,
            start=day(self.start),
            end=day(self.end),
            offline=source == "sample" or self._offline,
        )

    def set_request(self, request: DataRequest) -> None:
        self._offline = request.offline and request.source != "sample"
        self.source.setCurrentIndex(max(0, self.source.findData(request.source)))
        self.csv_path.setText(request.csv_path or "")
        self._set_tickers(list(request.tickers))
        for edit, text in ((self.start, request.start), (self.end, request.end)):
            edit.setDate(QDate.fromString(text, "yyyy-MM-dd") if text else EARLIEST)
        self._on_source_changed()

    def _set_tickers(self, tickers: list[str]) -> None:
        self.tickers.clear()
        for index, ticker in enumerate(tickers):
            self.tickers.addItem(f"{ticker}  (target)" if index == 0 else f"{ticker}  (extra input)")
            self.tickers.item(index).setData(Qt.ItemDataRole.UserRole, ticker)
        self.changed.emit()

    def show_loaded(self, summaries: list[str]) -> None:
        self.info.setText("<br>".join(summaries))

    # ----- slots -----
    def _on_source_changed(self) -> None:
        source = self.source.currentData()
        self.form.setRowVisible(self.csv_row, source == "csv")
        completer = QCompleter(list(SAMPLE_TICKERS)) if source == "sample" else None
        self.ticker_input.setCompleter(completer)
        if source == "sample" and not self.tickers_list():
            self._set_tickers([SAMPLE_TICKERS[0]])
        elif source == "csv" and self.tickers_list() == [SAMPLE_TICKERS[0]] and self._default_tickers:
            self._set_tickers([])  # the sample's default is no choice of the user's: a CSV names its own series
        self._default_tickers = source == "sample" and self.tickers_list() == [SAMPLE_TICKERS[0]]
        self.changed.emit()

    def _on_add_clicked(self) -> None:
        from lstm_desktop.core.data.tickers import normalise_ticker
        from lstm_desktop.core.errors import BadInput

        text = self.ticker_input.text().strip()
        if not text:
            return
        try:
            ticker = normalise_ticker(text)
        except BadInput as exc:
            self.info.setText(str(exc))
            return
        tickers = self.tickers_list()
        if ticker not in tickers:
            self._set_tickers([*tickers, ticker])
        self.ticker_input.clear()

    def _on_remove_clicked(self) -> None:
        row = self.tickers.currentRow()
        tickers = self.tickers_list()
        if 0 <= row < len(tickers):
            del tickers[row]
            self._set_tickers(tickers)

    def _on_make_target_clicked(self) -> None:
        row = self.tickers.currentRow()
        tickers = self.tickers_list()
        if 0 < row < len(tickers):
            tickers.insert(0, tickers.pop(row))
            self._set_tickers(tickers)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open price CSV", self.last_folder, "CSV files (*.csv *.txt);;All files (*)"
        )
        if path:
            self.csv_path.setText(path)

    def _on_load_clicked(self) -> None:
        text = self.ticker_input.text().strip()
        if text:  # a typed but not added ticker is what the user means
            self._on_add_clicked()
        self.loadRequested.emit(self.request())
