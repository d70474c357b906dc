"""Render resources/icons/lstm-desktop.svg to the PNG, ICO (Windows) and ICNS (macOS) icons the bundle uses.
Run from the repository root: python tools/make_icons.py"""

from __future__ import annotations

import os
import struct
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(ICONS / "lstm-desktop.svg")).render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def main() -> None:
    QGuiApplication([])
    render(256).save(str(ICONS / "lstm-desktop.png"))
    render(256).save(str(ICONS / "lstm-desktop.ico"), "ICO")
    # ICNS: 'icns' + total length, then entries of (type, length, PNG data); ic08 = 256 px, ic09 = 512 px
    entries = b"".join(
        kind + struct.pack(">I", 8 + len(data)) + data
        for kind, data in ((b"ic08", png_bytes(render(256))), (b"ic09", png_bytes(render(512))))
    )
    (ICONS / "lstm-desktop.icns").write_bytes(b"icns" + struct.pack(">I", 8 + len(entries)) + entries)


if __name__ == "__main__":
    main()
