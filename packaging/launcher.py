"""Entry point of the frozen application (PyInstaller runs this file).

Backtests, sweeps and searches run in spawned worker processes, and in a bundle each of them starts this file
again: freeze_support() must run first, before anything else is imported, so that a worker becomes a worker and
not a second copy of the app (and does not pay for importing the app's modules twice).
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    import sys

    from lstm_desktop.app import main

    sys.exit(main())
