"""The Strategy tab: would the current run's forecasts have made money? Its settings, the equity curves and
drawdowns beside buy-and-hold, and the figures; recomputed from the stored predictions on every change."""
