"""verify/demo/insert.py: the insert sheet, 210 x 150 mm at 300 dpi, with a 30 mm QR code that reads back."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image
from support.keys import make_signer, sample_record

from verify.demo.insert import INSERT_MM, QR_POSITION_MM, QR_SIZE_MM, InsertFields, insert_png, qr_box_px, render_insert
from verify.errors import OverBudgetError
from verify.issue import sign_record
from verify.qr import encode_qr
from verify.record import DuplicateOf, HolderName, Record
from verify.scan import scan_image

SIGNER = make_signer("insert tests")
AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
TVE = Record(doc_type="TVE_HONOURS", series="ТКБ", number="0100002",
             holder=HolderName("Мұхамеджанова", "Гүлжаһан", "Серікқызы"), institution_bin="040140001236",
             award_date=dt.date(2026, 6, 27), programme="06130100", qualification="4S06130103", honours=True)
NAMES = {"institution_kk": "Медеу цифрлық технологиялар колледжі",
         "institution_ru": "Колледж цифровых технологий «Медеу»",
         "programme_names": ("Бағдарламалық қамтамасыз ету", "Программное обеспечение"),
         "qualification_names": ("Бағдарламалық қамтамасыз етуді әзірлеуші", "Разработчик программного обеспечения")}
STAMP_RGB = (58, 52, 170)


def _insert(record: Record, dpi: int = 300) -> tuple[Image.Image, str]:
    signed = sign_record(record, signer=SIGNER, base_url="https://v.edu.kz", at=AT)
    return render_insert(InsertFields.from_record(record, **NAMES), signed.qr_text, dpi=dpi), signed.qr_text


def _pure(image: Image.Image) -> NDArray[np.bool_]:
    """Pixels that are exactly black or exactly white: only the QR code's square is drawn in them."""
    rgb = np.asarray(image)
    return np.all(rgb == 0, axis=2) | np.all(rgb == 255, axis=2)


@pytest.fixture(scope="module")
def tve() -> tuple[Image.Image, str]:
    return _insert(TVE)


def test_size_is_210_by_150_mm_at_300_dpi_with_dpi_metadata(tve: tuple[Image.Image, str]) -> None:
    image, _ = tve
    assert image.size == (2480, 1772)
    assert image.mode == "RGB"
    with Image.open(io.BytesIO(insert_png(image))) as back:
        assert back.format == "PNG"
        assert back.size == (2480, 1772)
        dpi = back.info["dpi"]
        assert dpi[0] == pytest.approx(300, abs=0.01) and dpi[1] == pytest.approx(300, abs=0.01)
        assert back.size[0] / dpi[0] * 25.4 == pytest.approx(INSERT_MM[0], abs=0.1)
        assert back.size[1] / dpi[1] * 25.4 == pytest.approx(INSERT_MM[1], abs=0.1)


def test_qr_code_decodes_from_the_insert(tve: tuple[Image.Image, str]) -> None:
    image, text = tve
    assert scan_image(insert_png(image)) == [text]


def test_qr_code_is_30_mm_in_its_place(tve: tuple[Image.Image, str]) -> None:
    image, text = tve
    rows, cols = np.nonzero(_pure(image))
    left, top, side = qr_box_px(300)
    assert (left, top, side) == (2008, 1299, 354)
    assert cols.min() == left and rows.min() == top
    assert cols.max() - cols.min() + 1 == pytest.approx(354, abs=1)  # 30 mm at 300 dpi = 354.3 px
    assert rows.max() - rows.min() + 1 == pytest.approx(354, abs=1)
    assert left / 300 * 25.4 == pytest.approx(QR_POSITION_MM[0], abs=0.1)
    assert top / 300 * 25.4 == pytest.approx(QR_POSITION_MM[1], abs=0.1)
    # The dark modules span the symbol without its quiet zone: n of n + 8 modules of the 354 px.
    symbol = encode_qr(text)
    dark = np.all(np.asarray(image)[top:top + side, left:left + side] == 0, axis=2)
    _, dark_cols = np.nonzero(dark)
    expected = side * symbol.size / symbol.total_modules
    assert dark_cols.max() - dark_cols.min() + 1 == pytest.approx(expected, abs=1)
    assert dark_cols.min() == pytest.approx(side * 4 / symbol.total_modules, abs=1)
    assert QR_SIZE_MM == 30.0


def test_other_resolutions_scale_the_sheet_and_the_code() -> None:
    image, text = _insert(TVE, dpi=150)
    assert image.size == (1240, 886)
    assert image.info["dpi"] == (150, 150)
    _, cols = np.nonzero(_pure(image))
    assert cols.max() - cols.min() + 1 == pytest.approx(177, abs=1)  # 30 mm at 150 dpi
    assert scan_image(insert_png(image)) == [text]
    with pytest.raises(ValueError, match="dpi"):
        render_insert(InsertFields.from_record(TVE, **NAMES), text, dpi=100)


def test_duplicate_gets_its_stamp_in_the_upper_right_corner(tve: tuple[Image.Image, str]) -> None:
    duplicate = TVE.with_changes(number="0100009", duplicate=DuplicateOf(1, "ТКБ", "0100002"))
    stamped, text = _insert(duplicate)
    corner = (slice(0, round(25 / 25.4 * 300)), slice(round(105 / 25.4 * 300), 2480))  # above the text, right page
    is_stamp = np.all(np.asarray(stamped)[corner] == STAMP_RGB, axis=2)
    assert is_stamp.sum() > 2000
    assert not np.all(np.asarray(tve[0])[corner] == STAMP_RGB, axis=2).any()
    assert not np.all(np.asarray(stamped) == STAMP_RGB, axis=2)[round(30 / 25.4 * 300):].any()  # only up there
    assert scan_image(insert_png(stamped)) == [text]


def test_bachelor_without_qualification_and_a_symbol_argument() -> None:
    record = sample_record()
    signed = sign_record(record, signer=SIGNER, base_url="https://v.edu.kz", at=AT)
    fields = InsertFields.from_record(record, institution_kk="Университет", institution_ru="Университет")
    assert fields.qualification is None and fields.duplicate_no is None
    image = render_insert(fields, encode_qr(signed.qr_text))
    assert image.size == (2480, 1772)
    assert scan_image(insert_png(image)) == [signed.qr_text]


def test_a_text_over_the_budget_is_refused() -> None:
    with pytest.raises(OverBudgetError):
        render_insert(InsertFields.from_record(TVE, **NAMES), "HTTPS://V.EDU.KZ/V/1" + "7" * 1200)
