"""The buttons under the settings that start and stop work, declared once: attribute, label, automation name and
what each does (its accessible description and tooltip), in the grid order of the window."""

from __future__ import annotations

RUN_BUTTONS = (
    ("train_button", "Train", "trainButton", "Train the model on the loaded data"),
    ("stop_button", "Stop", "stopButton", "Stop training and keep the best model so far"),
    ("forecast_button", "Update forecast", "forecastButton",
     "Forecast the chosen number of days from the trained model, without retraining"),
    ("search_button", "Search…", "searchButton", "Search settings: many trials scored on validation, in workers"),
    ("sweep_button", "Sweep…", "sweepButton", "Run these settings on a list of tickers, one run each, in workers"),
    ("compare_button", "Compare models…", "compareModelsButton",
     "Train LSTM, GRU and a plain RNN (and inputs left out) on the same data; test every pair"),
)  # fmt: skip
