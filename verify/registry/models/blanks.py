"""Blank stock and the series counters (seed 000 items 7, 17-20; seed 001 item 7).

* `BlankRange`: a range of pre-numbered blanks an institution received; `next_number` is its cursor;
* `Blank`: one blank taken out of stock, used for a document or written off with a reason;
* `Counter`: the last number given in a service-numbered series.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field

from .base import MAX_NUMBER, RegistryModel, UTCDateTime, one_of


class BlankState(enum.StrEnum):
    """A blank taken out of stock: used for a document, or written off as spoiled with a reason."""

    USED = "used"
    WRITTEN_OFF = "written_off"


class BlankKind(enum.StrEnum):
    """The kind of a blank, by the colour of its cover (seed 000, Rules item 8; items 11, 15-16 for its pages).

    HONOURS ("үздік бланк", red): a diploma with honours; ALTYN_BELGI (light blue): a person awarded the "Altyn
    belgi" sign (a school's attestat: no document type of this registry takes it); ORDINARY (dark blue): every
    other document.
    """

    ORDINARY = "ordinary"
    HONOURS = "honours"
    ALTYN_BELGI = "altyn_belgi"


class BlankRangeBase(RegistryModel):
    """A range of pre-numbered blanks received by an institution: series, first and last number, inclusive."""

    series: str = Field(max_length=5)
    first_number: int
    last_number: int
    kind: str = Field(default=BlankKind.ORDINARY.value, max_length=16, description="BlankKind value")


class BlankRange(BlankRangeBase, table=True):
    """Row of `blank_ranges`. `next_number` is a cursor: every number below it is used or written off."""

    __tablename__ = "blank_ranges"
    __table_args__ = (
        CheckConstraint(f"first_number >= 0 AND first_number <= last_number AND last_number <= {MAX_NUMBER}",
                        name="bounds"),
        CheckConstraint("next_number >= first_number AND next_number <= last_number + 1", name="cursor"),
        CheckConstraint(one_of("kind", BlankKind), name="kind"),
        Index("ix_blank_ranges_series_first_number", "series", "first_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institutions.id", index=True)
    next_number: int
    received_at: dt.datetime = Field(sa_type=UTCDateTime)
    officer_id: int = Field(foreign_key="officers.id")

    @property
    def size(self) -> int:
        """Number of blanks in the range."""
        return self.last_number - self.first_number + 1


class Blank(RegistryModel, table=True):
    """Row of `blanks`: one blank taken out of stock, used for a document or written off (with a reason)."""

    __tablename__ = "blanks"
    __table_args__ = (
        UniqueConstraint("series", "number"),
        CheckConstraint(one_of("state", BlankState), name="state"),
        CheckConstraint("(state = 'used') = (document_id IS NOT NULL)", name="used_has_document"),
        CheckConstraint("state = 'used' OR reason IS NOT NULL", name="write_off_has_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    range_id: int = Field(foreign_key="blank_ranges.id", index=True)
    series: str = Field(max_length=5)
    number: str = Field(max_length=7)
    state: str = Field(max_length=12)
    document_id: int | None = Field(default=None, foreign_key="documents.id")
    reason: str | None = Field(default=None, sa_type=Text)
    at: dt.datetime = Field(sa_type=UTCDateTime)
    officer_id: int = Field(foreign_key="officers.id")


class Counter(RegistryModel, table=True):
    """Row of `counters`: the last number given in a service-numbered series (seed 001, item 7)."""

    __tablename__ = "counters"
    __table_args__ = (CheckConstraint(f"last >= 0 AND last <= {MAX_NUMBER}", name="last_range"),)

    series: str = Field(max_length=5, primary_key=True)
    last: int = 0
