"""The Qt window: a view on core objects. PySide6 and pyqtgraph are imported only here."""
