"""Dates as int64 seconds with a precision: parsing, formatting and calendar arithmetic."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model.dates import (
    DAY,
    HOUR,
    MAX_ABS_YEAR,
    MINUTE,
    YEAR_APPROX,
    DatedValue,
    DateError,
    Precision,
    civil_from_days,
    days_from_civil,
    days_in_month,
    floor_to,
    format_duration,
    format_human,
    format_iso,
    parse_date,
    parts,
    period_end,
    period_ends,
    to_seconds,
)

FIRST_SECOND = to_seconds(-MAX_ABS_YEAR)
LAST_SECOND = to_seconds(MAX_ABS_YEAR, 12, 31, 23, 59, 59)
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

any_second = st.integers(min_value=FIRST_SECOND, max_value=LAST_SECOND)
any_precision = st.sampled_from(list(Precision))
# Days of the whole supported range, +-(10**11 years).
any_day = st.integers(min_value=FIRST_SECOND // DAY, max_value=LAST_SECOND // DAY)


def utc(*args: int) -> int:
    """Seconds since the epoch according to the standard library (years 1-9999)."""
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp())  # type: ignore[misc]


# --- calendar arithmetic ----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(any_day, min_size=1, max_size=200))
def test_civil_from_days_inverts_days_from_civil(days: list[int]) -> None:
    z = np.array(days, dtype=np.int64)
    y, m, d = civil_from_days(z)
    assert np.all((m >= 1) & (m <= 12))
    assert np.all(d >= 1)
    assert all(dd <= days_in_month(int(yy), int(mm)) for yy, mm, dd in zip(y, m, d, strict=True))
    np.testing.assert_array_equal(days_from_civil(y, m, d), z)
    # The day after is the next calendar day: same month and d + 1, or the 1st.
    y2, m2, d2 = civil_from_days(z + 1)
    same_month = (y2 == y) & (m2 == m) & (d2 == d + 1)
    next_month = (d2 == 1) & (((y2 == y) & (m2 == m + 1)) | ((y2 == y + 1) & (m == 12) & (m2 == 1)))
    assert np.all(same_month | next_month)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-MAX_ABS_YEAR, MAX_ABS_YEAR),
            st.integers(1, 12),
            st.integers(1, 31),
        ),
        min_size=1,
        max_size=100,
    )
)
def test_days_from_civil_inverts_civil_from_days(dates: list[tuple[int, int, int]]) -> None:
    dates = [(y, m, min(d, days_in_month(y, m))) for y, m, d in dates]
    y, m, d = (np.array(col, dtype=np.int64) for col in zip(*dates, strict=True))
    y2, m2, d2 = civil_from_days(days_from_civil(y, m, d))
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(m2, m)
    np.testing.assert_array_equal(d2, d)
    # The scalar (Python int) path agrees with the array path.
    y0, m0, d0 = dates[0]
    assert days_from_civil(y0, m0, d0) == int(days_from_civil(y, m, d)[0])


@settings(max_examples=100, deadline=None)
@given(st.dates())
def test_days_from_civil_matches_the_standard_library(date: dt.date) -> None:
    assert days_from_civil(date.year, date.month, date.day) == date.toordinal() - EPOCH_ORDINAL


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1970,), 0),
        ((1970, 1, 2), DAY),
        ((1969, 12, 31, 23, 59, 59), -1),
        ((2000, 2, 29), utc(2000, 2, 29)),
        ((2026, 6, 24, 10, 30, 15), utc(2026, 6, 24, 10, 30, 15)),
        ((1, 1, 1), utc(1, 1, 1)),
        ((0, 12, 31), utc(1, 1, 1) - DAY),  # year 0 (1 BC) is a leap year: 366 days
        ((0, 1, 1), utc(1, 1, 1) - 366 * DAY),
    ],
)
def test_to_seconds(args: tuple[int, ...], expected: int) -> None:
    assert to_seconds(*args) == expected


def test_parts_of_negative_seconds() -> None:
    p = parts(-1)
    assert (p.year, p.month, p.day, p.hour, p.minute, p.second) == (1969, 12, 31, 23, 59, 59)


# --- periods ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(any_second, any_precision)
def test_iso_round_trip_at_every_precision(seconds: int, precision: Precision) -> None:
    start = floor_to(seconds, precision)
    assert start <= seconds
    text = format_iso(start, precision)
    assert parse_date(text) == DatedValue(start, precision)


@settings(max_examples=300, deadline=None)
@given(any_second, any_precision)
def test_period_end_bounds_the_period(seconds: int, precision: Precision) -> None:
    start = floor_to(seconds, precision)
    end = period_end(start, precision)
    assert start <= seconds < end
    # The last second of the period floors back to its start; the end starts the next one.
    assert floor_to(end - 1, precision) == start
    assert floor_to(end, precision) == end
    if precision >= Precision.DAY:
        assert (
            end - start
            == {
                Precision.DAY: DAY,
                Precision.HOUR: HOUR,
                Precision.MINUTE: MINUTE,
                Precision.SECOND: 1,
            }[precision]
        )
    else:
        assert 28 * DAY <= end - start <= 366 * DAY


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(any_second, any_precision), min_size=1, max_size=100))
def test_period_ends_agrees_with_period_end(values: list[tuple[int, Precision]]) -> None:
    starts = [floor_to(s, p) for s, p in values]
    seconds = np.array(starts, dtype=np.int64)
    precision = np.array([int(p) for _, p in values], dtype=np.int8)
    expected = [period_end(s, p) for s, (_, p) in zip(starts, values, strict=True)]
    assert period_ends(seconds, precision).tolist() == expected


@pytest.mark.parametrize("year", [MAX_ABS_YEAR, -MAX_ABS_YEAR])
def test_period_end_at_the_ends_of_the_range(year: int) -> None:
    for precision, end in [
        (Precision.YEAR, days_from_civil(year + 1, 1, 1) * DAY),
        (Precision.MONTH, days_from_civil(year + 1, 1, 1) * DAY),
        (Precision.DAY, days_from_civil(year + 1, 1, 1) * DAY),
    ]:
        start = floor_to(to_seconds(year, 12, 31), precision)
        assert period_end(start, precision) == end
        ends = period_ends(np.array([start], np.int64), np.array([int(precision)], np.int8))
        assert ends.tolist() == [end]


def test_year_precision_covers_the_whole_year() -> None:
    value = parse_date("2025")
    assert value.precision == Precision.YEAR
    assert value.seconds == utc(2025, 1, 1) == 1_735_689_600
    assert value.end == utc(2026, 1, 1)
    assert value.end - value.seconds == 365 * DAY


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024", utc(2024, 1, 1), utc(2025, 1, 1)),
        ("2024-02", utc(2024, 2, 1), utc(2024, 3, 1)),
        ("2023-02", utc(2023, 2, 1), utc(2023, 3, 1)),
        ("2025-12", utc(2025, 12, 1), utc(2026, 1, 1)),
        ("2026-06-24", utc(2026, 6, 24), utc(2026, 6, 25)),
        ("2026-06-24T10", utc(2026, 6, 24, 10), utc(2026, 6, 24, 11)),
        ("2026-06-24T10:30", utc(2026, 6, 24, 10, 30), utc(2026, 6, 24, 10, 31)),
        ("2026-06-24T10:30:15", utc(2026, 6, 24, 10, 30, 15), utc(2026, 6, 24, 10, 30, 16)),
    ],
)
def test_each_precision_names_its_period(text: str, start: int, end: int) -> None:
    value = parse_date(text)
    assert (value.seconds, value.end) == (start, end)
    assert value.iso() == text


# --- parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29", utc(2024, 2, 29)),
        ("2000-02-29", utc(2000, 2, 29)),
        ("0000-02-29", days_from_civil(0, 2, 29) * DAY),
        ("-4-02-29", days_from_civil(-4, 2, 29) * DAY),
    ],
)
def test_leap_days_exist_in_leap_years(text: str, expected: int) -> None:
    assert parse_date(text) == DatedValue(expected, Precision.DAY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-29", "day 29 does not exist in February 2023"),
        ("1900-02-29", "day 29 does not exist in February 1900"),
        ("2020-02-30", "day 30 does not exist in February 2020"),
        ("2026-04-31", "day 31 does not exist in April 2026"),
        ("2026-13", "month 13 is not 1-12"),
        ("2026-00-01", "month 0 is not 1-12"),
        ("2026-06-24T24", "hour 24 is not 0-23"),
        ("2026-06-24T10:60", "minute 60 is not 0-59"),
        ("2026-06-24T10:30:60", "second 60 is not 0-59"),
        ("100000000001", "out of range"),
        ("-999999999999", "out of range"),
    ],
)
def test_dates_that_do_not_exist_are_rejected(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "utc_text", "precision"),
    [
        ("2026-06-24T10:30+02:00", "2026-06-24T08:30", Precision.MINUTE),
        ("2026-06-24T10:30-0500", "2026-06-24T15:30", Precision.MINUTE),
        ("2026-06-24T10:30:15Z", "2026-06-24T10:30:15", Precision.SECOND),
        ("2026-01-01T01:00+02:00", "2025-12-31T23:00", Precision.MINUTE),
        ("2026-06-24T22+03:00", "2026-06-24T19", Precision.HOUR),
        ("2026-06-24 10:30", "2026-06-24T10:30", Precision.MINUTE),
        ("  2026-06-24  ", "2026-06-24", Precision.DAY),
    ],
)
def test_offsets_are_converted_to_utc(text: str, utc_text: str, precision: Precision) -> None:
    value = parse_date(text)
    assert value.precision == precision
    assert value.iso() == utc_text
    assert value == parse_date(utc_text)


@pytest.mark.parametrize(
    "text", ["2026-06-24T10:30+99:99", "2026-06-24T10+12:60", "2026-06-24T10+24:00"]
)
def test_impossible_offsets_are_rejected(text: str) -> None:
    with pytest.raises(DateError, match="offset"):
        parse_date(text)


def test_hour_with_half_hour_offset_survives_a_save() -> None:
    # 10:00 at +05:30 is 04:30 UTC, which an hour-precision date cannot write: it
    # becomes minute precision, so saving does not move it by half an hour.
    value = parse_date("2026-06-24T10+05:30")
    assert value.precision == Precision.MINUTE
    assert value.iso() == "2026-06-24T04:30"
    assert parse_date(value.iso()) == value


@pytest.mark.parametrize(
    ("text", "seconds", "precision"),
    [
        ("-13800000000", to_seconds(-13_800_000_000), Precision.YEAR),
        ("+2025", utc(2025, 1, 1), Precision.YEAR),
        ("12000", to_seconds(12_000), Precision.YEAR),
        ("0005", to_seconds(5), Precision.YEAR),
        ("-44-03-15", to_seconds(-44, 3, 15), Precision.DAY),
    ],
)
def test_signed_and_long_years(text: str, seconds: int, precision: Precision) -> None:
    assert parse_date(text) == DatedValue(seconds, precision)


@pytest.mark.parametrize(
    ("seconds", "precision", "text"),
    [
        (to_seconds(5), Precision.YEAR, "0005"),
        (to_seconds(-5, 3), Precision.MONTH, "-5-03"),
        (to_seconds(12_000), Precision.YEAR, "12000"),
        (to_seconds(-13_800_000_000), Precision.YEAR, "-13800000000"),
        (-1, Precision.SECOND, "1969-12-31T23:59:59"),
    ],
)
def test_format_iso(seconds: int, precision: Precision, text: str) -> None:
    assert format_iso(seconds, precision) == text


@pytest.mark.parametrize(
    "text",
    ["", "   ", "2025-1", "2025-01-1", "25-", "June 2026", "2026/06/24", "2026-06-24T", "1e9",
     "2026-06-24T10:30:15.5", "2026-06Z", "0x7e9", "2026-06-24T10:30+2"],
)  # fmt: skip
def test_garbage_is_a_date_error(text: str) -> None:
    with pytest.raises(DateError, match="not a date"):
        parse_date(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses_or_raises_date_error(text: str) -> None:
    try:
        value = parse_date(text)
    except DateError:
        return
    assert FIRST_SECOND - DAY <= value.seconds <= LAST_SECOND + DAY


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(
        r"[+-]?[0-9]{1,13}(-[0-9]{1,3}(-[0-9]{1,3}([T ][0-9]{1,3}(:[0-9]{1,3}){0,2}"
        r"(Z|[+-][0-9]{2}:?[0-9]{2})?)?)?)?",
        fullmatch=True,
    )
)
def test_date_like_text_parses_or_raises_date_error(text: str) -> None:
    try:
        value = parse_date(text)
    except DateError:
        return
    # Whatever is accepted is a real instant that formats and re-reads at its precision.
    assert FIRST_SECOND - DAY <= value.seconds <= LAST_SECOND + DAY
    assert parse_date(value.iso()).precision == value.precision


def test_unknown_precision_name() -> None:
    assert Precision.from_name(" Month ") is Precision.MONTH
    with pytest.raises(DateError, match="unknown precision 'week'"):
        Precision.from_name("week")


# --- human text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "human"),
    [
        ("2025", "2025"),
        ("2026-06", "June 2026"),
        ("2026-06-24", "24 June 2026"),
        ("2026-06-24T10", "24 June 2026, 10:00 UTC"),
        ("2026-06-24T10:05", "24 June 2026, 10:05 UTC"),
        ("2026-06-24T10:05:09", "24 June 2026, 10:05:09 UTC"),
        ("0001", "1"),
        ("0000", "1 BC"),
        ("-43", "44 BC"),
        ("-43-03-15", "15 March 44 BC"),
        ("-9999", "10000 BC"),
        ("12000", "12,000"),
        ("-13800000000", "13.8 billion years ago"),
        ("-65000000", "65 million years ago"),
        ("-2500000", "2.5 million years ago"),
    ],
)
def test_format_human(text: str, human: str) -> None:
    value = parse_date(text)
    assert value.human() == human
    assert format_human(value.seconds, value.precision) == human


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (45 * MINUTE, "45 minutes"),
        (HOUR, "1 hour"),
        (5 * HOUR, "5 hours"),
        (3 * DAY, "3 days"),
        (-3 * DAY, "3 days"),
        (14 * DAY, "2 weeks"),
        (60 * DAY, "2 months"),
        (YEAR_APPROX, "1 year"),
        (250 * YEAR_APPROX, "250 years"),
        (12_345 * YEAR_APPROX, "12,345 years"),
        (2_000_000 * YEAR_APPROX, "2 million years"),
        (13_800_000_000 * YEAR_APPROX, "13.8 billion years"),
    ],
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
