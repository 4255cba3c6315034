"""Realistic, deterministic demo data: Indian names, cities, phones and GSTINs."""

import datetime
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import phonenumbers
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

from customers.models import Customer, CustomerGroup, SupplyType
from loyalty.models import Coupon, Offer, PointsEntry, PointsKind, PointsLot
from parties import gstin
from parties.models import Affiliate, Agent, Branch, CreditRule, OpeningBalance, Supplier, SupplierGroup
from parties.services import master_save, supplier_create
from parties.text import FreeNames, username_base

FIRST_NAMES = [
    "Aarav",
    "Aditi",
    "Akash",
    "Ananya",
    "Arjun",
    "Deepa",
    "Divya",
    "Farhan",
    "Gaurav",
    "Harini",
    "Ishaan",
    "Kavya",
    "Karthik",
    "Lakshmi",
    "Meera",
    "Mohan",
    "Nandini",
    "Naveen",
    "Pooja",
    "Pradeep",
    "Priya",
    "Rahul",
    "Rajesh",
    "Ramya",
    "Rohan",
    "Sanjay",
    "Saranya",
    "Shreya",
    "Siddharth",
    "Sneha",
    "Suresh",
    "Tanvi",
    "Varun",
    "Vidya",
    "Vikram",
    "Yamini",
    "Zoya",
    "Abdul",
    "Fatima",
    "Joseph",
    "Mary",
    "Gurpreet",
    "Harpreet",
]
LAST_NAMES = [
    "Raman",
    "Iyer",
    "Sharma",
    "Verma",
    "Patel",
    "Reddy",
    "Nair",
    "Menon",
    "Gupta",
    "Singh",
    "Khan",
    "Das",
    "Mukherjee",
    "Joshi",
    "Kulkarni",
    "Pillai",
    "Rao",
    "Shetty",
    "Chatterjee",
    "Bose",
    "Agarwal",
    "Mehta",
    "Desai",
    "Naidu",
    "Subramanian",
    "Krishnan",
    "Fernandes",
    "D'Souza",
]
# (city, ISO state, GST state code, first digits of the PIN code)
CITIES = (
    ("Chennai", "IN-TN", "33", "600"),
    ("Coimbatore", "IN-TN", "33", "641"),
    ("Madurai", "IN-TN", "33", "625"),
    ("Mumbai", "IN-MH", "27", "400"),
    ("Pune", "IN-MH", "27", "411"),
    ("Bengaluru", "IN-KA", "29", "560"),
    ("Hyderabad", "IN-TS", "36", "500"),
    ("New Delhi", "IN-DL", "07", "110"),
    ("Kolkata", "IN-WB", "19", "700"),
    ("Ahmedabad", "IN-GJ", "24", "380"),
    ("Jaipur", "IN-RJ", "08", "302"),
    ("Kochi", "IN-KL", "32", "682"),
    ("Lucknow", "IN-UP", "09", "226"),
)
STREETS = ("Main Road", "Gandhi Street", "Nehru Nagar", "MG Road", "Anna Salai", "Station Road", "Temple Street")
GROUPS = (
    {"name": "Retail", "description": "Walk-in shoppers"},
    {"name": "Wholesale", "description": "Bulk buyers with GST invoices", "default_discount_percent": Decimal("5")},
    {"name": "Staff", "description": "Employees", "default_discount_percent": Decimal("10")},
    {"name": "VIP", "description": "Top spenders", "default_discount_percent": Decimal("7.5")},
)
AGENTS = (
    {"name": "Karthik Subramanian", "phone": "+919840012345", "email": "karthik@example.in", "commission_percent": 2},
    {"name": "Meera Nair", "phone": "+919847012345", "email": "meera@example.in", "commission_percent": 2},
    {
        "name": "Rohan Mehta",
        "phone": "+919820012345",
        "email": "rohan@example.in",
        "commission_percent": Decimal("1.5"),
    },
)
CREDIT_RULES = (
    {"name": "Cash only", "credit_days": 0, "credit_limit": Decimal("0"), "on_exceed": "block"},
    {"name": "7 days", "credit_days": 7, "credit_limit": Decimal("25000")},
    {"name": "15 days", "credit_days": 15, "credit_limit": Decimal("100000")},
    {"name": "30 days", "credit_days": 30},
)
AFFILIATES = ({"name": "Chennai Food Bloggers", "commission_percent": 5}, {"name": "Campus Ambassadors"})
COUPONS = (
    {"name": "Welcome 10%", "code": "WELCOME10", "discount_type": "percent", "value": 10, "max_discount_amount": 500},
    {"name": "Diwali Flat 200", "code": "DIWALI200", "discount_type": "amount", "value": 200, "min_cart_amount": 1500},
    {
        "name": "Birthday Treat",
        "code": "BDAY15",
        "discount_type": "percent",
        "value": 15,
        "usage_limit_per_customer": 1,
    },
)
OFFERS = (
    {"name": "Buy 2 Get 1", "discount_type": "percent", "value": Decimal("33.33")},
    {"name": "Weekend 5% off", "discount_type": "percent", "value": 5},
    {"name": "Festive combo", "discount_type": "amount", "value": 150},
)
BRANCHES = (
    {
        "name": "Chennai Main",
        "code": "CHN",
        "is_main": True,
        "city": "Chennai",
        "state_or_province": "IN-TN",
        "postal_code": "600002",
        "address_line1": "12, Anna Salai",
        "gst_number": gstin.make("33", "AABCO1234E"),
    },
    {
        "name": "Bengaluru Indiranagar",
        "code": "BLR",
        "city": "Bengaluru",
        "state_or_province": "IN-KA",
        "postal_code": "560038",
        "address_line1": "100 Feet Road",
        "gst_number": gstin.make("29", "AABCO1234E"),
    },
    {
        "name": "Mumbai Andheri",
        "code": "BOM",
        "city": "Mumbai",
        "state_or_province": "IN-MH",
        "postal_code": "400053",
        "address_line1": "Link Road",
        "gst_number": gstin.make("27", "AABCO1234E"),
    },
)


SUPPLIER_GROUPS = ({"name": "Distributors"}, {"name": "Manufacturers"}, {"name": "Local vendors"})
SUPPLIERS = (
    ("Sri Murugan Traders", "Distributors", "Chennai", "IN-TN", "33", "600001"),
    ("Kaveri Foods Pvt Ltd", "Manufacturers", "Bengaluru", "IN-KA", "29", "560001"),
    ("Deccan Packaging", "Manufacturers", "Hyderabad", "IN-TS", "36", "500001"),
    ("Lakshmi Dairy", "Local vendors", "Madurai", "IN-TN", "33", "625001"),
    ("Mumbai Spice House", "Distributors", "Mumbai", "IN-MH", "27", "400001"),
)


def seed_suppliers() -> None:
    """Create the demo suppliers once, through the supplier service."""
    groups = {group.name: group for group in _masters(SupplierGroup, SUPPLIER_GROUPS)}
    for index, (name, group, city, state, gst_code, pin) in enumerate(SUPPLIERS, start=1):
        if Supplier.objects.filter(full_name=name).exists():
            continue
        supplier_create(
            full_name=name,
            supplier_group=groups[group],
            city=city,
            state_or_province=state,
            postal_code=pin,
            tax_number=gstin.make(gst_code, f"AAB{'CF'[index % 2]}S{1000 + index}Q"),
            phone_number=f"+91984001{index:04d}",
            email=f"orders{index}@example.in",
            address_line1=f"{index * 7}, Market Road",
            contact_name="Accounts desk",
        )


def _masters(model, rows) -> list:
    """Create each named row once, through the same service as the screens."""
    found = []
    for row in rows:
        existing = model.objects.filter(name=row["name"]).first()
        found.append(existing or master_save(instance=model(), data=dict(row)))
    return found


def seed_masters() -> dict[str, list]:
    """Create the demo masters once (by name) and return them by kind."""
    return {
        "groups": _masters(CustomerGroup, GROUPS),
        "agents": _masters(Agent, AGENTS),
        "credit_rules": _masters(CreditRule, CREDIT_RULES),
        "affiliates": _masters(Affiliate, AFFILIATES),
        "coupons": _masters(Coupon, COUPONS),
        "offers": _masters(Offer, OFFERS),
        "branches": _masters(Branch, BRANCHES),
    }


def _phone(rng: random.Random) -> PhoneNumber:
    """Return a valid Indian mobile number (built as an object: the field need not parse it again)."""
    while True:
        number = PhoneNumber(country_code=91, national_number=int(f"{rng.choice('6789')}{rng.randrange(10**8, 10**9)}"))
        if phonenumbers.is_valid_number(number):
            return number


def _pan(rng: random.Random, holder: str) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return (
        "".join(rng.choice(letters) for _ in range(3))
        + holder
        + rng.choice(letters)
        + f"{rng.randrange(1, 10000):04d}"
        + rng.choice(letters)
    )


def seed_customers(*, count: int, seed: int, batch_size: int = 2000) -> int:
    """Add demo customers until there are `count`; return how many were added.

    Rows are built valid by construction and written with bulk inserts, so a
    hundred thousand take seconds, not minutes.
    """
    masters = seed_masters()
    existing = Customer.objects.count()
    if existing >= count:
        return 0
    rng = random.Random(seed * 1_000_003 + existing)
    usernames = FreeNames({name.lower() for name in Customer.objects.values_list("username", flat=True)})
    now = timezone.now()
    span = datetime.timedelta(days=730)
    batch, added = [], 0
    coupon_links, balance_links = [], []
    for index in range(existing, count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        full_name = f"{first} {last}"
        username = usernames.take(username_base(full_name))
        city, state, gst_code, pin = rng.choice(CITIES)
        business = rng.random() < 0.15
        customer = Customer(
            full_name=full_name,
            alias_name=first if rng.random() < 0.3 else "",
            username=username,
            email=f"{username}@example.in" if rng.random() < 0.7 else "",
            birthday=datetime.date(rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
            if rng.random() < 0.5
            else None,
            phone_number=_phone(rng),
            membership_number=f"MEM{index + 1:06d}",
            tax_number=gstin.make(gst_code, _pan(rng, "C" if business else "P")) if business else "",
            supply_type=SupplyType.B2B if business else SupplyType.B2C,
            customer_group=rng.choice(masters["groups"]) if rng.random() < 0.8 else None,
            agent=rng.choice(masters["agents"]) if rng.random() < 0.5 else None,
            credit_rule=rng.choice(masters["credit_rules"]) if business else None,
            affiliate=rng.choice(masters["affiliates"]) if rng.random() < 0.05 else None,
            country="IN",
            state_or_province=state,
            city=city,
            postal_code=f"{pin}{rng.randrange(1000):03d}",
            address_line1=f"{rng.randrange(1, 200)}, {rng.choice(STREETS)}",
            contact_name=full_name,
            is_active=rng.random() > 0.05,
            created_on=now - span + span * (index + 1) / count,
        )
        batch.append(customer)
        if business and rng.random() < 0.5:
            balance_links.append((len(batch) - 1, rng.choice(masters["branches"]), rng.randrange(500, 90000)))
        if rng.random() < 0.1:
            coupon_links.append((len(batch) - 1, rng.choice(masters["coupons"])))
        if len(batch) >= batch_size:
            added += _flush(batch, coupon_links, balance_links, rng)
            batch, coupon_links, balance_links = [], [], []
    added += _flush(batch, coupon_links, balance_links, rng)
    _reset_sequences(Customer)
    return added


def _points_history(rng: random.Random, created_on: datetime.datetime) -> list[tuple]:
    """Return a believable ledger (earns, redemptions, an adjustment) as
    (points, kind, reason, reference, balance_after, created_at) rows with running balances."""
    entries, balance, now = [], 0, timezone.now()
    when = created_on
    for _ in range(rng.choice((0, 0, 1, 2, 3, 4))):
        when += datetime.timedelta(days=rng.randrange(1, 30), minutes=rng.randrange(600))
        roll = rng.random()
        if roll < 0.65 or balance == 0:
            points, kind, reason = rng.randrange(10, 500), PointsKind.EARN, ""
        elif roll < 0.9:
            points, kind, reason = -rng.randrange(1, balance + 1), PointsKind.REDEEM, ""
        else:
            points, kind, reason = 50, PointsKind.ADJUST, "Goodwill for a delayed delivery"
        reference = "" if kind == PointsKind.ADJUST else f"INV-{rng.randrange(10**6):06d}"
        balance += points
        entries.append((points, str(kind), reason, reference, balance, min(when, now)))
    return entries


def _insert(model, columns: tuple[str, ...], rows: list[tuple], *, adapted: bool = False) -> None:
    """Insert plain rows in one statement stream: the ledger's tens of thousands of rows skip the ORM's
    per-value work (PostgreSQL: COPY; SQLite: executemany)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    if not adapted:
        adapt = connection.ops.adapt_datetimefield_value
        rows = [tuple(adapt(v) if isinstance(v, datetime.datetime) else v for v in row) for row in rows]
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def _column_values(field) -> Callable[[Any], Any]:
    """How one field's stored Python value becomes its column's value, without re-validating it."""
    if isinstance(field, PhoneNumberField):
        e164 = phonenumbers.PhoneNumberFormat.E164
        return lambda value: "" if value in (None, "") else phonenumbers.format_number(value, e164)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return lambda value: value


def _insert_objects(model, objects: list) -> None:
    """Insert model instances built valid, with the next free primary keys, through `_insert`.

    A million demo customers would spend most of their time in bulk_create's per-value
    preparation (phone numbers parsed and validated again); their values are already right.
    The id sequence is brought up to date by `_reset_sequences` once all rows are in.
    """
    if not objects:
        return
    start = (model.objects.aggregate(last=models.Max("pk"))["last"] or 0) + 1
    fields = model._meta.concrete_fields
    stamped = [field.attname for field in fields if getattr(field, "auto_now", False)]  # what save() would set
    now = timezone.now()
    for number, instance in enumerate(objects, start=start):
        instance.pk = number
        for name in stamped:
            setattr(instance, name, now)
    values = [(field.attname, _column_values(field)) for field in fields]
    rows = [tuple(convert(instance.__dict__[name]) for name, convert in values) for instance in objects]
    _insert(model, tuple(field.column for field in fields), rows, adapted=True)
    for instance in objects:
        instance._state.adding = False


def _reset_sequences(*models_with_ids) -> None:
    """After rows inserted with explicit ids, the database hands out the next free ones again (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_with_ids))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _flush(batch: list[Customer], coupon_links: list, balance_links: list, rng: random.Random) -> int:
    # The ledger is built first so each customer's stored balance is its ledger's sum.
    ledgers = [_points_history(rng, customer.created_on) for customer in batch]
    for customer, ledger in zip(batch, ledgers, strict=True):
        customer.points_balance = ledger[-1][4] if ledger else 0
    _insert_objects(Customer, batch)
    created = batch
    no_rule = PointsEntry._meta.get_field("rule").get_db_prep_save({}, connection)
    entries = [
        (customer.pk, *entry, "", no_rule)
        for customer, ledger in zip(created, ledgers, strict=True)
        for entry in ledger
    ]
    columns = ("customer_id", "points", "kind", "reason", "reference", "balance_after", "created_at")
    _insert(PointsEntry, (*columns, "bill_number", "rule"), entries)
    # What each customer holds is one lot that never expires, as for balances from before lots began.
    now = timezone.now()
    lots = [(c.pk, c.points_balance, c.points_balance, now) for c in created if c.points_balance > 0]
    _insert(PointsLot, ("customer_id", "points", "remaining", "created_at"), lots)
    balances = [(created[position].pk, branch.pk, amount, "receivable") for position, branch, amount in balance_links]
    _insert(OpeningBalance, ("customer_id", "branch_id", "amount", "side"), balances)
    links = [(created[position].pk, coupon.pk) for position, coupon in coupon_links]
    _insert(Customer.coupons.through, ("customer_id", "coupon_id"), links)
    return len(created)
