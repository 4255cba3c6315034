"""Countries' states and provinces (ISO 3166-2, from pycountry).

A state is stored as its ISO code ("IN-TN") and shown by name. People type
names with or without diacritics, so look-ups fold both sides first.
"""

import unicodedata
from functools import cache

import pycountry

# Indian state names in pycountry carry transliteration macrons ("Tamil Nādu");
# people in India write them without, so the displayed name drops macrons only.
_COMBINING_MACRON = "\u0304"


def fold(text: str) -> str:
    """Return `text` without diacritics, case-folded, with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _display_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name).replace(_COMBINING_MACRON, "")
    return unicodedata.normalize("NFC", decomposed)


@cache
def subdivisions(country_code: str) -> tuple[tuple[str, str], ...]:
    """Return the (code, name) pairs of a country's subdivisions, sorted by name."""
    if not country_code:
        return ()
    found = pycountry.subdivisions.get(country_code=str(country_code).upper()) or []
    return tuple(sorted(((s.code, _display_name(s.name)) for s in found), key=lambda pair: fold(pair[1])))


@cache
def _lookup(country_code: str) -> dict[str, str]:
    table = {}
    for code, name in subdivisions(country_code):
        table[fold(code)] = code
        table[fold(code.split("-", 1)[1])] = code
        table[fold(name)] = code
    # Also accept pycountry's own spelling, which may differ from the displayed one.
    for sub in pycountry.subdivisions.get(country_code=str(country_code).upper()) or []:
        table.setdefault(fold(sub.name), sub.code)
    return table


def has_subdivisions(country_code: str) -> bool:
    """Return True when the country has a list of states to choose from."""
    return bool(subdivisions(str(country_code or "")))


def state_code(country_code: str, value: str) -> str | None:
    """Return the ISO code for a state given by code or name, or None if unknown."""
    if not value:
        return None
    return _lookup(str(country_code).upper()).get(fold(value))


@cache
def _names(country_code: str) -> dict[str, str]:
    return dict(subdivisions(country_code))


def state_name(country_code: str, code: str) -> str:
    """Return the name a person reads for a stored state (the value itself if unknown)."""
    if not code:
        return ""
    return _names(str(country_code or "")).get(code, code)
