"""Entry point of the frozen application (PyInstaller runs this file)."""

import multiprocessing
import sys

from lstm_desktop.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # nothing uses multiprocessing, but a stray child must not relaunch the app
    sys.exit(main())
