"""Display time zones: offsets, wall clocks, floating dates and the axis across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model import zones
from explorer.model.dates import DAY, HOUR, Precision, format_iso, parse_date, parts, to_seconds
from explorer.model.ticks import axis

NY = ZoneInfo("America/New_York")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# 1900-2100: where zone rules are busy (and DST exists), in UTC seconds.
SECONDS = st.integers(to_seconds(1900), to_seconds(2100))
ZONE_NAMES = st.sampled_from(
    [
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",  # a 30-minute DST shift
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "America/Sao_Paulo",  # DST changes at midnight (until 2019)
        "Pacific/Apia",  # skipped a whole day in 2011
    ]
)


def wall_parts(seconds: int, tz: ZoneInfo) -> tuple[int, int, int, int, int]:
    local = (EPOCH + timedelta(seconds=seconds)).astimezone(tz)
    return local.year, local.month, local.day, local.hour, local.minute


# --- properties of the conversion -------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(SECONDS, min_size=1, max_size=40), ZONE_NAMES)
def test_offsets_agree_with_zoneinfo_instant_by_instant(instants: list[int], name: str) -> None:
    tz = ZoneInfo(name)
    got = zones.utc_offsets(np.array(instants, dtype=np.int64), tz)
    want = [
        int((EPOCH + timedelta(seconds=s)).astimezone(tz).utcoffset().total_seconds())  # type: ignore[union-attr]
        for s in instants
    ]
    assert got.tolist() == want


@settings(max_examples=300, deadline=None)
@given(SECONDS, ZONE_NAMES)
def test_wall_clock_round_trips_to_the_same_instant(seconds: int, name: str) -> None:
    tz = ZoneInfo(name)
    wall = zones.to_wall(np.array([seconds]), tz)
    # The instant is one of the wall time's occurrences (the first or the second).
    back = {int(zones.from_wall(wall, tz, fold)[0]) for fold in (0, 1)}
    assert seconds in back
    p = parts(int(wall[0]))
    assert (p.year, p.month, p.day, p.hour, p.minute) == wall_parts(seconds, tz)


@settings(max_examples=300, deadline=None)
@given(SECONDS, st.sampled_from(list(Precision)), ZONE_NAMES)
def test_zoned_text_reads_back_and_floating_dates_keep_their_day(
    seconds: int, precision: Precision, name: str
) -> None:
    zone = zones.zone(name)
    start = parse_date(format_iso(seconds, precision)).seconds  # the period's first second
    text = zones.iso_in(start, precision, zone)
    assert parse_date(text).seconds == start  # the same UTC instant, whatever the zone
    if precision <= Precision.DAY:
        assert text == format_iso(start, precision)
        assert zones.human_in(start, precision, zone) == zones.human_in(
            start, precision, zones.UTC_ZONE
        )


# --- floating dates never move day ------------------------------------------------------


@pytest.mark.parametrize("name", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_day_precision_event_keeps_its_day_at_the_ends_of_the_clock(name: str) -> None:
    zone = zones.zone(name)
    day = parse_date("2026-06-24")
    assert zones.human_in(day.seconds, day.precision, zone) == "24 June 2026"
    assert zones.short_in(day.seconds, day.precision, zone) == "2026-06-24"
    assert zones.iso_in(day.seconds, day.precision, zone) == "2026-06-24"
    # ... while a time of day on it does move: +14 is the 25th, -11 the 23rd.
    noon = parse_date("2026-06-24T12:00Z")
    shown = zones.human_in(noon.seconds, noon.precision, zone)
    assert shown.startswith(
        "25 June 2026, 02:00" if "Kiritimati" in name else "24 June 2026, 01:00"
    )


def test_times_say_their_zone_and_offset() -> None:
    ny = zones.zone("America/New_York")
    summer = parse_date("2026-06-24T10:30Z")
    assert zones.human_in(summer.seconds, summer.precision, ny) == (
        "24 June 2026, 06:30 EDT (UTC−04:00)"
    )
    assert zones.iso_in(summer.seconds, summer.precision, ny) == "2026-06-24T06:30-04:00"
    winter = parse_date("2026-01-24T10:30Z")
    assert zones.short_in(winter.seconds, winter.precision, ny) == "2026-01-24 05:30 −05:00"
    hour = parse_date("2026-06-24T10Z")  # an hour in a half-hour zone is written to the minute
    assert zones.iso_in(hour.seconds, hour.precision, zones.zone("Asia/Kolkata")) == (
        "2026-06-24T15:30+05:30"
    )


def test_unknown_zones_are_refused_with_a_hint() -> None:
    with pytest.raises(zones.ZoneError, match="did you mean America/New_York"):
        zones.zone("new york")
    with pytest.raises(zones.ZoneError):
        zones.zone("../../etc/passwd")
    assert zones.zone("utc").is_utc
    assert zones.zone("local").key == "local"


# --- the axis on the zone's calendar -----------------------------------------------------


def test_day_ticks_fall_on_new_york_midnights_across_the_spring_change() -> None:
    t0, t1 = to_seconds(2026, 3, 5), to_seconds(2026, 3, 12)
    ticks = axis(t0, t1, 900, tz=NY).ticks
    assert [t.label for t in ticks] == ["5", "6", "7", "8", "9", "10", "11"]
    for tick in ticks:
        assert wall_parts(tick.seconds, NY)[3:] == (0, 0), tick  # local midnight
    gaps = np.diff([t.seconds for t in ticks]).tolist()
    assert gaps == [DAY, DAY, DAY, DAY - HOUR, DAY, DAY]  # 8 March has 23 hours


def test_month_ticks_fall_on_local_month_starts_across_both_changes() -> None:
    ticks = axis(to_seconds(2026, 1, 1), to_seconds(2027, 1, 1), 1200, tz=NY).ticks
    assert [t.label for t in ticks][:4] == ["Jan", "Feb", "Mar", "Apr"]
    for tick in ticks:
        assert wall_parts(tick.seconds, NY)[2:] == (1, 0, 0)
    april = next(t for t in ticks if t.label == "Apr")
    assert april.seconds == to_seconds(2026, 4, 1, 4)  # EDT
    december = next(t for t in ticks if t.label == "Dec")
    assert december.seconds == to_seconds(2026, 12, 1, 5)  # EST


def test_the_hour_clocks_go_back_is_labelled_twice() -> None:
    t0, t1 = to_seconds(2026, 11, 1, 4), to_seconds(2026, 11, 1, 8)
    ticks = axis(t0, t1, 900, tz=NY).ticks
    labels = [t.label for t in ticks]
    assert labels.count("01:00") == 2
    assert "02:00" in labels
    assert all(np.diff([t.seconds for t in ticks]) > 0)


def test_the_skipped_hour_has_no_tick_and_context_starts_at_or_before_the_view() -> None:
    t0, t1 = to_seconds(2026, 3, 8, 5), to_seconds(2026, 3, 8, 9)
    result = axis(t0, t1, 900, tz=NY)
    labels = [t.label for t in result.ticks]
    assert "02:00" not in labels
    assert {"01:00", "03:00"} <= set(labels)
    assert result.context[0].seconds <= t0
    assert result.context[0].label == "8 March 2026"


def test_a_midnight_that_does_not_exist_starts_the_day_at_its_first_instant() -> None:
    sao_paulo = ZoneInfo("America/Sao_Paulo")  # 4 Nov 2018: 00:00 jumped to 01:00
    ticks = axis(to_seconds(2018, 11, 2), to_seconds(2018, 11, 7), 600, tz=sao_paulo).ticks
    four = next(t for t in ticks if t.label == "4")
    assert wall_parts(four.seconds, sao_paulo)[2:] == (4, 1, 0)
    # Finer, the hour before the gap is not labelled as if it were the skipped midnight.
    hours = axis(to_seconds(2018, 11, 3, 12), to_seconds(2018, 11, 5), 900, tz=sao_paulo).ticks
    assert [t.label for t in hours].count("23:00") == 0
    assert all(np.diff([t.seconds for t in hours]) > 0)


def test_deep_time_and_utc_axes_are_unchanged() -> None:
    big_bang = -13_800_000_000 * 31_556_952
    assert axis(big_bang, 0, 900, tz=NY).ticks  # no datetime overflow
    t0, t1 = to_seconds(2026, 3, 5), to_seconds(2026, 3, 12)
    assert axis(t0, t1, 900, tz=UTC) == axis(t0, t1, 900)
