import datetime
import zoneinfo

import pytest

from parties.exports import utc_offsets

UTC = datetime.UTC


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
def test_utc_offsets_finds_every_change_to_the_second(name):
    zone = zoneinfo.ZoneInfo(name)
    start, end = datetime.datetime(2024, 1, 1, tzinfo=UTC), datetime.datetime(2026, 12, 31, tzinfo=UTC)
    first, changes = utc_offsets(zone, start, end)

    def offset(moment):
        return moment.astimezone(zone).utcoffset()

    assert first == offset(start - datetime.timedelta(days=1))
    # Every change found is real: one second earlier the offset was different.
    for change, new in changes:
        moment = change.replace(tzinfo=UTC)
        assert offset(moment) == new
        assert offset(moment - datetime.timedelta(seconds=1)) != new
    # And none is missed: sampling every quarter hour sees the same offsets.
    moment, expected = start, first
    pending = list(changes)
    while moment <= end:
        while pending and pending[0][0].replace(tzinfo=UTC) <= moment:
            expected = pending.pop(0)[1]
        assert offset(moment) == expected, moment
        moment += datetime.timedelta(minutes=15)
