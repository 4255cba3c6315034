"""The customer export: the list's rows, every editable field, as CSV or XLSX."""

from collections.abc import Iterator

from django.db.models import CharField, ExpressionWrapper, F, QuerySet
from django_countries import countries

from customers.models import Customer
from parties import geo
from parties.exports import Column

CHUNK_SIZE = 2000


def _label(field_name: str) -> str:
    label = str(Customer._meta.get_field(field_name).verbose_name)
    return label[:1].upper() + label[1:]


def stored_text(field_name: str):
    # Read stored text as text: skips parsing every phone number into an object.
    return ExpressionWrapper(F(field_name), output_field=CharField())


# (header, width, what values_list reads)
FIELDS = [
    ("full_name", 24, "full_name"),
    ("alias_name", 14, "alias_name"),
    ("username", 20, "username"),
    ("email", 26, "email"),
    ("birthday", 12, "birthday"),
    ("spouse_birthday", 12, "spouse_birthday"),
    ("anniversary", 12, "anniversary"),
    ("phone_number", 16, stored_text("phone_number")),
    ("membership_number", 14, "membership_number"),
    ("tax_number", 18, "tax_number"),
    ("supply_type", 8, "supply_type"),
    ("customer_group", 16, "customer_group__name"),
    ("agent", 18, "agent__name"),
    ("timezone", 16, "timezone"),
    ("affiliate", 16, "affiliate__name"),
    ("credit_rule", 14, "credit_rule__name"),
    ("coupons", 20, None),
    ("offers", 20, None),
    ("country", 12, "country"),
    ("state_or_province", 16, "state_or_province"),
    ("postal_code", 10, "postal_code"),
    ("city", 14, "city"),
    ("address_line1", 24, "address_line1"),
    ("address_line2", 24, "address_line2"),
    ("contact_name", 20, "contact_name"),
    ("contact_phone", 16, stored_text("contact_phone")),
    ("is_active", 8, "is_active"),
    ("points_balance", 10, "points_balance"),
    ("created_on", 17, "created_on"),
]
COLUMNS = [Column(_label(name), width) for name, width, _source in FIELDS]
HEADERS = {name: column.header for (name, _w, _s), column in zip(FIELDS, COLUMNS, strict=True)}
YES, NO = "Yes", "No"

_READ = [name for name, _width, source in FIELDS if source is not None]
_POSITIONS = {name: position for position, (name, _w, _s) in enumerate(FIELDS)}


def _many_names(model_through, field: str, ids: list[int]) -> dict[int, str]:
    """Return "; "-joined names of a many-to-many field for these customer ids."""
    names: dict[int, list[str]] = {}
    rows = model_through.objects.filter(customer_id__in=ids).values_list("customer_id", f"{field}__name")
    for customer_id, name in rows.order_by(f"{field}__name"):
        names.setdefault(customer_id, []).append(name)
    return {customer_id: "; ".join(values) for customer_id, values in names.items()}


def customer_rows(queryset: QuerySet[Customer]) -> Iterator[tuple]:
    """Yield one tuple per customer, in the queryset's order, in COLUMNS order."""
    reads, annotations = [], {}
    for name, _width, source in FIELDS:
        if isinstance(source, str):
            reads.append(source)
        elif source is not None:
            annotations[f"export_{name}"] = source
            reads.append(f"export_{name}")
    values = queryset.annotate(**annotations).values_list("pk", *reads)
    country_names = dict(countries)
    country_at, state_at, active_at = (_READ.index(name) for name in ("country", "state_or_province", "is_active"))
    chunk: list[tuple] = []
    for row in values.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(row)
        if len(chunk) >= CHUNK_SIZE:
            yield from _finish(chunk, country_names, country_at, state_at, active_at)
            chunk = []
    yield from _finish(chunk, country_names, country_at, state_at, active_at)


def _finish(chunk, country_names, country_at, state_at, active_at) -> Iterator[tuple]:
    if not chunk:
        return
    ids = [row[0] for row in chunk]
    coupons = _many_names(Customer.coupons.through, "coupon", ids)
    offers = _many_names(Customer.offers.through, "offer", ids)
    coupons_at = _POSITIONS["coupons"]
    for row in chunk:
        pk, read = row[0], list(row[1:])
        country = read[country_at]
        read[state_at] = geo.state_name(country, read[state_at])
        read[country_at] = country_names.get(country, country)
        read[active_at] = YES if read[active_at] else NO
        yield (*read[:coupons_at], coupons.get(pk, ""), offers.get(pk, ""), *read[coupons_at:])
