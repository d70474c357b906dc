"""python -m lstm_desktop starts the desktop application."""

import sys

from lstm_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
