"""Regenerate the sample phone photos of diploma inserts and their expected verdicts (expected.json).

    .venv/bin/python tests/photos_demo/make.py

1. Builds the fixed registry of `world.py` (TEST ONLY keys, fixed people and times) in a temporary SQLite file.
2. For each photo of `world.SHOWN`: draws the insert of that document's revision with `verify.demo.insert.render_insert`
   (300 dpi), or, for the forgery, an insert with another name whose QR code carries the same signature over a
   payload with that name; then "photographs" it: the sheet on a desk, rotated and tilted in perspective, slightly
   bowed, under uneven light, defocused or shaken, with a warm colour cast, sensor noise and JPEG compression
   (quality 80, 4:2:0), 1600 x 1200 px. The desk, the warp and the noise come from tests/support/photos.py; each photo's
   scene is fixed below, so the output is the same on every run with the same libraries.
3. Checks that every photo decodes (`verify.scan.scan_image`) to the code that was printed and gets its expected
   verdict from a verifier that asks the registry, and writes expected.json. A photo that fails stops the script.

The photos are kept in the repository (under 5 MB in all); tests/core/test_sample_photos.py rebuilds the registry and
checks the verdicts again. Sources: the insert's geometry, seed 000 Rules items 18-19 (210 x 150 mm, 3 x 3 cm).
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: the support package and this package

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402
from photos_demo import world  # noqa: E402
from PIL import Image  # noqa: E402
from sqlmodel import Session  # noqa: E402
from support import photos  # noqa: E402

from verify import codec  # noqa: E402
from verify.demo.insert import INSERT_MM, QR_POSITION_MM, QR_SIZE_MM, InsertFields, render_insert  # noqa: E402
from verify.demo.sampledata import programme_of, qualification_of  # noqa: E402
from verify.record import HolderName  # noqa: E402
from verify.registry.db import make_engine  # noqa: E402
from verify.registry.documents import get_document_or_raise, get_revision, record_of  # noqa: E402
from verify.registry.lookup import RegistryStatusLookup  # noqa: E402
from verify.scan import scan_image  # noqa: E402
from verify.verifier import Verifier  # noqa: E402

FRAME = (1600, 1200)
JPEG_QUALITY = 80
RENDER_DPI = 300
MAX_TOTAL_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Scene:
    """How one photo is taken. Lengths on paper in mm; angles in degrees; blur and noise in output pixels.

    Attributes:
        view: (left, top, right, bottom) of the part of the insert in the middle of the frame.
        coverage: share of the frame's width or height (whichever is tighter) that the view spans.
        angle: rotation of the sheet in the frame; tilt: corner jitter as a share of the sheet's diagonal.
        bend_mm: the paper bowed by this much across its width.
        light: overall light level (1 = bright); gradient: (x, y) change of light across the frame;
        shadow: depth of a soft shadow (0 = none) near the shadow point (x, y) in frame shares.
        sigma: defocus (Gaussian sigma, px); motion: length of a shake (px) at `motion_angle`.
        noise: sensor noise sigma (8-bit levels).
        seed: seeds the desk texture, the corner jitter and the noise.
    """

    view: tuple[float, float, float, float]
    coverage: float
    angle: float
    tilt: float
    bend_mm: float
    light: float
    gradient: tuple[float, float]
    shadow: float
    shadow_at: tuple[float, float]
    sigma: float
    motion: float
    motion_angle: float
    noise: float
    seed: int


WHOLE = (0.0, 0.0, INSERT_MM[0], INSERT_MM[1])
LOWER_RIGHT = (98.0, 55.0, INSERT_MM[0] - 2.0, INSERT_MM[1] - 4.0)  # the right page's fields and the code
SCENES: dict[str, Scene] = {
    "1-valid-original": Scene(WHOLE, 0.94, 3.5, 0.015, 1.5, 1.0, (0.15, -0.1), 0.0, (0.5, 0.5), 0.8, 0.0, 0.0,
                              3.0, 101),
    "2-replaced-original": Scene(WHOLE, 0.93, -11.0, 0.02, 2.0, 0.95, (-0.2, 0.1), 0.35, (0.25, 0.3), 0.9, 0.0,
                                 0.0, 3.5, 102),
    "3-duplicate": Scene(WHOLE, 0.95, 6.0, 0.02, 1.0, 1.0, (0.1, 0.15), 0.0, (0.5, 0.5), 1.1, 0.0, 0.0, 3.0, 103),
    "4-corrected-old": Scene(WHOLE, 0.92, -4.0, 0.055, 1.0, 0.95, (0.25, 0.0), 0.0, (0.5, 0.5), 0.9, 0.0, 0.0, 3.0,
                             104),
    "5-corrected-new": Scene(LOWER_RIGHT, 0.95, -3.0, 0.02, 0.5, 1.0, (0.0, -0.15), 0.0, (0.5, 0.5), 0.8, 5.0, 20.0,
                             3.0, 105),
    "6-annulled": Scene(WHOLE, 0.94, 8.0, 0.02, 2.5, 0.6, (0.3, 0.2), 0.2, (0.7, 0.6), 0.9, 0.0, 0.0, 7.0, 106),
    "7-altered": Scene(WHOLE, 0.93, -2.0, 0.025, 1.5, 1.0, (-0.1, -0.1), 0.0, (0.5, 0.5), 0.8, 0.0, 0.0, 3.5, 107),
}


def _light(shape: tuple[int, int], scene: Scene) -> NDArray[np.float32]:
    """A smooth gain field: the light level, a gradient, a vignette and the scene's soft shadow."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx, yy = xx / (w - 1) - 0.5, yy / (h - 1) - 0.5
    gain = scene.light * (1.0 + scene.gradient[0] * xx + scene.gradient[1] * yy - 0.25 * (xx * xx + yy * yy))
    if scene.shadow:
        cx, cy = scene.shadow_at[0] - 0.5, scene.shadow_at[1] - 0.5
        soft = 1.0 / (1.0 + np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2 - 0.06) / 0.01))
        gain = gain - scene.shadow * (1.0 - soft)
    return np.clip(gain, 0.3, 1.05).astype(np.float32)


def photograph(insert: Image.Image, scene: Scene) -> tuple[bytes, float]:
    """The JPEG bytes of a phone photo of `insert` (drawn at `RENDER_DPI`) and the code's pixels per module."""
    rng = np.random.default_rng(scene.seed)
    fw, fh = FRAME
    left, top, right, bottom = scene.view
    scale = scene.coverage * min(fw / (right - left), fh / (bottom - top))  # output px per mm
    page_scale = scale * 1.15  # draw the sheet a little finer than it ends up: the warp shrinks it smoothly
    gray = insert.convert("L")
    size = (round(INSERT_MM[0] * page_scale), round(INSERT_MM[1] * page_scale))
    page = np.asarray(gray.resize(size, Image.Resampling.LANCZOS), dtype=np.uint8)
    corners = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], np.float32)
    centre = np.array([(left + right) / 2, (top + bottom) / 2], np.float32) * page_scale
    c, s = math.cos(math.radians(scene.angle)), math.sin(math.radians(scene.angle))
    rotation = np.array([[c, -s], [s, c]], np.float32)
    zoom = scale / page_scale
    destination = (corners - centre) @ rotation.T * zoom + np.array([fw / 2, fh / 2], np.float32)
    diagonal = math.hypot(*size) * zoom
    destination += rng.uniform(-scene.tilt, scene.tilt, size=(4, 2)).astype(np.float32) * diagonal
    homography = cv2.getPerspectiveTransform(corners, destination.astype(np.float32)).astype(np.float64)
    canvas = photos._desk(rng, (fh, fw))
    warped = photos._warp(page, homography, canvas, scene.bend_mm * page_scale)
    lit = warped * _light((fh, fw), scene)
    blurred = cv2.GaussianBlur(lit, (0, 0), scene.sigma)
    if scene.motion >= 1.0:
        length = round(scene.motion) | 1
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0
        turn = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), scene.motion_angle, 1.0)
        kernel = cv2.warpAffine(kernel, turn, (length, length))
        blurred = cv2.filter2D(blurred, -1, kernel / float(kernel.sum()))
    pixels = photos._to_color(rng, blurred.astype(np.float32), scene.noise)
    quiet_mm = QR_SIZE_MM * photos.QUIET_MODULES / 69  # version 11: 61 modules and two quiet zones of 4
    x0, y0 = QR_POSITION_MM[0] + quiet_mm, QR_POSITION_MM[1] + quiet_mm
    x1, y1 = QR_POSITION_MM[0] + QR_SIZE_MM - quiet_mm, QR_POSITION_MM[1] + QR_SIZE_MM - quiet_mm
    quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32) * page_scale
    ppm = photos._ppm(photos._transform(quad, homography), 61)
    return photos._encode(Image.fromarray(pixels), "JPEG", JPEG_QUALITY), ppm


def _altered(qr_text: str, name: tuple[str, str, str | None]) -> tuple[str, HolderName]:
    """A forger's code: the payload re-encoded with another holder name, the original signature kept."""
    prefix, digits = codec.split_qr_text(qr_text)
    sign1 = codec.parse_sign1(codec.digits_to_bytes(digits))
    record, signed_at = codec.decode_payload(sign1.payload)
    holder = HolderName(*name)
    payload = codec.encode_payload(record.with_changes(holder=holder), signed_at)
    return prefix + codec.bytes_to_digits(codec.encode_sign1(sign1.protected, payload, sign1.signature)), holder


def main() -> int:
    """Build the registry, draw and photograph every insert, check each, write the photos and expected.json."""
    expected: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/photos.db"
        world.build_registry(url)
        engine = make_engine(url)
        readonly = make_engine(url, readonly=True)
        verifier = Verifier(world.TRUST_LIST, status_lookup=RegistryStatusLookup.from_engine(readonly),
                            accepted_prefixes=(codec.qr_prefix(world.BASE_URL),))
        try:
            with Session(engine) as session:
                for shown in world.SHOWN:
                    document = get_document_or_raise(session=session, series=world.SERIES, number=shown.number)
                    revision = get_revision(session=session, document=document, revision=shown.revision)
                    record, qr_text = record_of(revision), revision.qr_text
                    if shown.status is None:  # the forgery
                        qr_text, holder = _altered(qr_text, world.ALTERED_NAME)
                        record = record.with_changes(holder=holder)
                    programme = programme_of(record.programme)
                    qualification = qualification_of(record.qualification or "")
                    fields = InsertFields.from_record(record, institution_kk=world.COLLEGE_KK,
                                                      institution_ru=world.COLLEGE_RU,
                                                      programme_names=(programme.kk, programme.ru),
                                                      qualification_names=(qualification.kk, qualification.ru))
                    data, ppm = photograph(render_insert(fields, qr_text, dpi=RENDER_DPI), SCENES[shown.name])
                    texts = scan_image(data)
                    if texts != [qr_text]:
                        raise SystemExit(f"{shown.name}: the photo decodes to {len(texts)} text(s), not the code")
                    report = verifier.check(qr_text, at=world.CHECK_AT)
                    status = report.registry.code.value if report.registry is not None else None
                    if (report.verdict, status) != (shown.verdict, shown.status):
                        raise SystemExit(f"{shown.name}: {report.verdict}/{status}, expected "
                                         f"{shown.verdict}/{shown.status}")
                    path = HERE / f"{shown.name}.jpg"
                    path.write_bytes(data)
                    expected.append({"file": path.name, "verdict": shown.verdict, "status": shown.status,
                                     "series": world.SERIES, "number": shown.number, "revision": shown.revision,
                                     "holder": record.holder.full_name, "scene": shown.scene,
                                     "pixels_per_module": round(ppm, 2), "bytes": len(data)})
                    print(f"{path.name}: {len(data):,} bytes, {ppm:.2f} px per module, {report.verdict}")
        finally:
            engine.dispose()
            readonly.dispose()
    total = sum(int(str(item["bytes"])) for item in expected)
    if total > MAX_TOTAL_BYTES:
        raise SystemExit(f"the photos take {total:,} bytes, over {MAX_TOTAL_BYTES:,}")
    document = {"check_at": world.CHECK_AT.isoformat(), "base_url": world.BASE_URL, "photos": expected}
    (HERE / "expected.json").write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"expected.json: {len(expected)} photos, {total:,} bytes in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
