"""Render resources/app-icon.svg into the icons the installers need, with Qt only.

    python packaging/make_icons.py                 # (re)write all three
    python packaging/make_icons.py --missing-only  # only those not there yet (the build scripts)

app-icon.png   256 px, for Linux desktops and documentation
app-icon.ico   Windows: 16-256 px; 256 px as PNG, the smaller ones as 32-bit BMP (what every
               Windows tool, Inno Setup included, reads)
app-icon.icns  macOS: 16-1024 px (with the @2x sizes), every one PNG-encoded
No Pillow: both container formats are a small header plus the images, written here.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # renders into images; no window, no screen
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SVG = RESOURCES / "app-icon.svg"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
# OSType → pixel size; the @2x types (ic11-ic14, ic10) are what Retina screens use.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data)


def bmp_entry(image: QImage) -> bytes:
    """An ICO image as a DIB: header (height doubled), BGRA rows bottom-up, then the AND mask."""
    size = image.width()
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)  # little-endian memory: B G R A
    rows = [bytes(argb.constScanLine(y))[: size * 4] for y in range(size)]
    mask_row = bytes(((size + 31) // 32) * 4)  # all 0: the alpha channel decides
    return header + b"".join(reversed(rows)) + mask_row * size


def ico_bytes(images: dict[int, QImage]) -> bytes:
    entries = [
        (size, png_bytes(img) if size >= 256 else bmp_entry(img)) for size, img in images.items()
    ]
    offset = 6 + 16 * len(entries)
    directory, blobs = [], []
    for size, blob in entries:
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        directory.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return struct.pack("<HHH", 0, 1, len(entries)) + b"".join(directory) + b"".join(blobs)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--missing-only", action="store_true", help="write only the icons that do not exist"
    )
    args = parser.parse_args()
    outputs = {name: RESOURCES / f"app-icon.{name}" for name in ("png", "ico", "icns")}
    wanted = {k: p for k, p in outputs.items() if not (args.missing_only and p.exists())}
    if not wanted:
        return 0
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (Qt needs one)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"make_icons: cannot read {SVG}", file=sys.stderr)
        return 1
    sizes = sorted(set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    images = {size: render(renderer, size) for size in sizes}
    pngs = {size: png_bytes(image) for size, image in images.items()}
    contents = {
        "png": pngs[256],
        "ico": ico_bytes({size: images[size] for size in ICO_SIZES}),
        "icns": icns_bytes(pngs),
    }
    for kind, path in wanted.items():
        path.write_bytes(contents[kind])
        print(f"wrote {path} ({len(contents[kind]):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
