"""Usernames made from names, the same way the browser does it live (static/js/app.js)."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[-\s_]+")


def username_base(full_name: str) -> str:
    """Return the slug of a name: "Priya Raman" -> "priya-raman".

    Latin letters lose their accents ("José" -> "jose"); other scripts are kept
    as they are, so Tamil and Hindi names still give a readable username.
    """
    decomposed = unicodedata.normalize("NFKD", full_name or "")
    kept = []
    for ch in decomposed:
        # Drop an accent only when it sits on a plain ASCII letter.
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFKC", "".join(kept)).lower()
    # Letters, digits and marks (Indic vowel signs are marks) stay; punctuation goes.
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_" or unicodedata.category(ch).startswith("M"))
    return _SEPARATORS.sub("-", text).strip("-")[:140]


def next_free(base: str, taken: set[str]) -> str:
    """Return `base`, or `base-2`, `base-3`... whichever is not in `taken` (lower-case)."""
    if base.lower() not in taken:
        return base
    return f"{base}-{_free_number(base.lower(), taken)}"


def _free_number(key: str, taken: set[str], start: int = 2) -> int:
    """Return the first number from `start` whose `key-number` is not in `taken`."""
    number = start
    while f"{key}-{number}" in taken:
        number += 1
    return number


class FreeNames:
    """`next_free` for many names in a row (seeding, imports): each base remembers where its
    numbering got to, so the thousandth "priya-raman" costs no more than the second."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self._next: dict[str, int] = {}

    def take(self, base: str) -> str:
        """Return a free name for `base` (as next_free does) and mark it taken."""
        key = base.lower()
        name = base
        if key in self.taken:
            number = _free_number(key, self.taken, self._next.get(key, 2))
            self._next[key] = number + 1
            name = f"{base}-{number}"
        self.taken.add(name.lower())
        return name
