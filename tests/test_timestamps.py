"""One text form of a timestamp, written by one function and read by one (sentinel_reports/model.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sentinel_reports.model import format_timestamp, parse_timestamp

PACKAGE = Path(__file__).resolve().parents[1] / "sentinel_reports"


def test_format_is_utc_to_the_second_with_z() -> None:
    berlin = dt.datetime(2026, 11, 23, 1, 0, 0, 999_999, tzinfo=ZoneInfo("Europe/Berlin"))
    assert format_timestamp(berlin) == "2026-11-23T00:00:00Z"
    assert format_timestamp(dt.datetime(2026, 11, 23, 5, 6, 7)) == "2026-11-23T05:06:07Z"  # naive: UTC


@pytest.mark.parametrize(
    "text",
    ["2026-11-23T00:00:00Z", "2026-11-23T00:00:00z", "2026-11-23T01:00:00+01:00", "2026-11-23T00:00:00",
     "2026-11-23", " 2026-11-23T00:00Z "],
)  # fmt: skip
def test_parse_gives_an_aware_utc_datetime(text: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    assert parsed.tzinfo == dt.UTC
    assert format_timestamp(parse_timestamp(format_timestamp(parsed))) == "2026-11-23T00:00:00Z"


def test_parse_normalises_a_datetime_and_refuses_text_that_is_not_iso() -> None:
    local = dt.datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert parse_timestamp(local) == local and parse_timestamp(local).tzinfo == dt.UTC
    with pytest.raises(ValueError):
        parse_timestamp("23/11/2026")


def test_no_module_formats_or_reparses_a_timestamp_by_hand() -> None:
    """Only model.py writes and reads the text form (demo/ writes vendor exports in their own formats;
    pull/ speaks the vendors' APIs)."""
    by_hand = re.compile(
        r'replace\("Z", "\+00:00"\)|strftime\("%Y-%m-%dT%H:%M:%SZ"\)|replace\("\+00:00", "Z"\)'
    )
    hits = [
        f"{p.relative_to(PACKAGE)}:{i}"
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.name != "model.py" and p.parts[len(PACKAGE.parts)] not in ("demo", "pull")
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if by_hand.search(line)
    ]
    assert hits == []
