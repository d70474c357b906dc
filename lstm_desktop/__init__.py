"""lstm-desktop: forecast market prices with LSTM networks, evaluated honestly."""

__version__ = "0.1.0"
APP_NAME = "lstm-desktop"
