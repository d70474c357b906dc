"""Walk-forward backtests: many periods, each predicted by a model that saw only what came before it."""
