"""Helpers of the browser tests: a diploma photo, a fake camera film, the printed QR code, a free port (TEST ONLY)."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from sqlmodel import Session
from support.servers import stop, wait_until_healthy

from verify import render_record
from verify.registry.db import make_engine
from verify.registry.documents import get_document, get_revision, signed_record_of

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def qr_png(database_url: str, series: str, number: str) -> bytes:
    """The printed QR code (PNG, 600 dpi) of the current revision of a document."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            document = get_document(session=session, series=series, number=number)
            assert document is not None
            return render_record(signed_record_of(get_revision(session=session, document=document))).png
    finally:
        engine.dispose()


def diploma_photo(qr: bytes, *, stamp: str | None = None, angle: float = 2.5, width: int = 1600) -> bytes:
    """A phone photo of a diploma insert sheet (210 x 150 mm): text, the 30 mm QR code, a slight tilt; JPEG."""
    height = width * 150 // 210
    sheet = Image.new("RGB", (width, height), (250, 248, 240))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(FONT), width // 45) if FONT.exists() else ImageFont.load_default()
    lines = ["ҚАЗАҚСТАН РЕСПУБЛИКАСЫ", "БАКАЛАВР ДИПЛОМЫ", "BD 0000003", "Сәрсенбаев Ерлан Қайратұлы"]
    for i, line in enumerate(lines):
        draw.text((width // 12, height // 5 + i * width // 30), line, fill=(20, 20, 60), font=font)
    if stamp:
        draw.rectangle((width * 11 // 20, height // 20, width * 19 // 20, height // 20 + width // 18),
                       outline=(40, 60, 160), width=3)
        draw.text((width * 11 // 20 + 12, height // 20 + 10), stamp, fill=(40, 60, 160), font=font)
    side = width * 30 // 210  # 30 mm of 210 mm
    code = Image.open(io.BytesIO(qr)).convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
    sheet.paste(code, (width - side - width // 14, height - side - width // 14))
    photo = Image.new("RGB", (width + 200, height + 200), (90, 80, 70))  # the table under the sheet
    photo.paste(sheet, (100, 100))
    buffer = io.BytesIO()
    photo.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(90, 80, 70)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def write_y4m(path: Path, picture: bytes, *, width: int = 1280, height: int = 720, frames: int = 3) -> None:
    """A Y4M video (4:2:0) of a still picture, for Chromium's fake camera (--use-file-for-fake-video-capture)."""
    image = Image.open(io.BytesIO(picture)).convert("L")
    image.thumbnail((width, height))
    canvas = Image.new("L", (width, height), 200)
    canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    luma = np.asarray(canvas, dtype=np.uint8).tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running uvicorn with the app."""

    url: str
    log: Path


@contextmanager
def running_server(environment: dict[str, str], *, base: Path, port: int) -> Iterator[Server]:
    """Run `web.app:create_app` under uvicorn on 127.0.0.1:`port` until the block ends.

    The server's output goes to `base/server.log`; it must answer /healthz within 30 s.

    Raises:
        AssertionError: the server exited or did not answer in time (with its log).
    """
    environment = {**environment}
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = base / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "web.app:create_app",
                                    "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                                    "--no-proxy-headers"], env=environment, stdout=sink, stderr=subprocess.STDOUT)
    started = Server(url=f"http://127.0.0.1:{port}", log=log)
    try:
        wait_until_healthy(started.url, process, log)
        yield started
    finally:
        stop(process)
