import pytest

from parties import geo
from parties.text import FreeNames, next_free, username_base


@pytest.mark.parametrize("value", ["Maharashtra", "Mahārāshtra", "IN-MH", "in-mh", "MH", "  maharashtra "])
def test_state_accepts_code_or_name_with_or_without_diacritics(value):
    assert geo.state_code("IN", value) == "IN-MH"


def test_unknown_state_is_none():
    assert geo.state_code("IN", "Atlantis") is None


def test_state_names_read_without_transliteration_macrons():
    assert geo.state_name("IN", "IN-TN") == "Tamil Nadu"


def test_country_without_subdivisions_is_free_text():
    assert geo.has_subdivisions("IN")
    assert not geo.has_subdivisions("")


@pytest.mark.parametrize(
    ("name", "username"),
    [
        ("Priya Raman", "priya-raman"),
        ("  José   Núñez ", "jose-nunez"),
        ("O'Brien, Jr.", "obrien-jr"),
        ("प्रिया रमन", "प्रिया-रमन"),
    ],
)
def test_username_base(name, username):
    assert username_base(name) == username


def test_next_free_appends_the_first_unused_number():
    assert next_free("priya-raman", set()) == "priya-raman"
    assert next_free("priya-raman", {"priya-raman", "priya-raman-2"}) == "priya-raman-3"


def test_free_names_number_each_base_like_next_free():
    names = FreeNames({"priya-raman", "priya-raman-3"})
    assert [names.take("priya-raman") for _ in range(3)] == ["priya-raman-2", "priya-raman-4", "priya-raman-5"]
    assert names.take("Arjun-Iyer") == "Arjun-Iyer"
    assert names.take("arjun-iyer") == "arjun-iyer-2"
    assert {"priya-raman-5", "arjun-iyer", "arjun-iyer-2"} <= names.taken
