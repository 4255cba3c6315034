"""Substring search over the customer list's text fields, served by each database's trigram index.

PostgreSQL keeps a pg_trgm GIN index on the fields joined into one text
(`SearchText`); SQLite keeps an FTS5 table with the trigram tokenizer, one
column per field, filled by triggers on the customer table so that every
write (the services, bulk imports, seeding, raw SQL) keeps it in step. Both
are created by migration 0005. A word shorter than a trigram cannot use
either index and is matched field by field instead.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import F, Func, Q, TextField
from django.db.models.expressions import RawSQL
from django.db.models.lookups import IContains

# The fields the list's search box looks in, in the FTS table's column order.
FIELDS = ("full_name", "alias_name", "username", "phone_number", "email", "membership_number", "tax_number")
# A trigram index can look up words of this length or longer.
INDEXED_LENGTH = 3
FTS_TABLE = "customers_customer_search"


class SearchText(Func):
    """The searchable fields in one text, exactly as PostgreSQL's trigram index holds them.

    Fields are joined with a space; a search word never contains one, so a
    word cannot match across two fields.
    """

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(*(Coalesce0(F(field)) for field in FIELDS))


class Coalesce0(Func):
    """COALESCE(field, '') with the empty text written inline, so the index expression has no parameter."""

    template = "COALESCE(%(expressions)s, '')"
    output_field = TextField()


def fts_phrase(word: str) -> str:
    """Return `word` as an FTS5 string: matched as a substring once tokenized into trigrams."""
    return '"' + word.replace('"', '""') + '"'


def words_condition(words: Sequence[str], *, fields: Sequence[str] = FIELDS) -> Q:
    """Return the condition that every word appears in one of `fields`, through the index where one serves."""
    indexed = [word for word in words if len(word) >= INDEXED_LENGTH]
    short = [word for word in words if len(word) < INDEXED_LENGTH]
    vendor = connection.vendor
    if tuple(fields) != FIELDS or vendor not in ("sqlite", "postgresql"):
        indexed, short = [], list(words)
    condition = Q()
    if indexed and vendor == "sqlite":
        match = " AND ".join(fts_phrase(word) for word in indexed)
        # A plain (not correlated) subquery: SQLite reads the matching rowids once.
        condition &= Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]))
    elif indexed:
        for word in indexed:
            condition &= Q(IContains(SearchText(), word))
    for word in short:
        condition &= Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR)
    return condition
