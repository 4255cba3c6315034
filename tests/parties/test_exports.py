import datetime
import zoneinfo

import pytest

from parties.exports import local_time, utc_offset

UTC = datetime.UTC


def shown(moment, zone):
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S}"


@pytest.mark.parametrize(
    "name",
    [
        "Asia/Kolkata",
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Africa/Casablanca",
    ],
)
def test_local_time_is_the_zones_wall_clock_every_quarter_hour(name):
    zone = zoneinfo.ZoneInfo(name)
    moment, end = datetime.datetime(2024, 1, 1, tzinfo=UTC), datetime.datetime(2026, 12, 31, tzinfo=UTC)
    while moment <= end:
        stored = f"{moment:%Y-%m-%d %H:%M:%S}.999999"  # as SQLite stores it; the fraction is cut off
        assert local_time(stored, zone) == shown(moment, zone), moment
        moment += datetime.timedelta(minutes=15)


def test_a_day_whose_offset_changes_is_converted_moment_by_moment():
    # Nepal moved from +05:30 to +05:45 at 1985-12-31 18:30 UTC, in the middle of a UTC hour.
    zone = zoneinfo.ZoneInfo("Asia/Kathmandu")
    assert utc_offset(zone, "1985-12-31") is None
    assert utc_offset(zone, "1986-01-01") == datetime.timedelta(hours=5, minutes=45)
    for minute in (29, 30, 31):
        moment = datetime.datetime(1985, 12, 31, 18, minute, 59, tzinfo=UTC)
        assert local_time(f"{moment:%Y-%m-%d %H:%M:%S}", zone) == shown(moment, zone)


def test_local_time_of_none_is_none():
    assert local_time(None, zoneinfo.ZoneInfo("Asia/Kolkata")) is None
