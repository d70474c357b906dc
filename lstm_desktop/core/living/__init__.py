"""Projects that live: refresh a project's prices, score its frozen forecasts on what happened since, update its
models. No Qt; the command line (cli_living.py) and the window (gui/track/) are views on these functions."""
