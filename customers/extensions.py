"""The one way an app above customers adds to the customer screens.

customers never imports the apps above it. Such an app (loyalty, for the points page)
describes a page about one customer with a `CustomerPage` and registers it in its
AppConfig.ready() with `add_customer_page`. customers then:

- serves it at /parties/customers/<pk>/<slug>/, named customers:customer-<slug>;
- shows a button to it on the customer form, to users with its permission;
- when the page explains a customer field (`field`, e.g. points_balance), shows that
  field's value on the button and links the field's cell in the customer list to it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, path


@dataclass(frozen=True)
class CustomerPage:
    slug: str
    label: str
    view: Callable
    permission: str
    field: str = ""

    @property
    def url_name(self) -> str:
        return f"customers:customer-{self.slug}"


_pages: dict[str, CustomerPage] = {}


def add_customer_page(page: CustomerPage) -> None:
    _pages[page.slug] = page


def customer_page_urls() -> list[URLPattern]:
    return [path(f"<int:pk>/{page.slug}/", page.view, name=f"customer-{page.slug}") for page in _pages.values()]


def customer_pages_for(user) -> list[CustomerPage]:
    """Return the pages this user may open, in the order they were added."""
    return [page for page in _pages.values() if user.has_perm(page.permission)]


@dataclass(frozen=True)
class ImportExtra:
    """Columns an app above customers adds to the customer import (loyalty: opening points).

    `headers` maps a key to the column's header. For every row with any of these columns,
    `read(cells, matched, memo)` gets the cells by key (None when empty), the id of the
    customer the row matched (None for a new one) and a dict kept for the whole import;
    it returns (value, errors by key), value None when the row asks nothing. Once every row
    is valid, `apply(rows, user)` gets (saved customer, value) pairs inside the import's
    transaction: a failure there rolls the whole import back.
    """

    headers: dict[str, str]
    read: Callable[..., tuple[object, dict[str, str]]]
    apply: Callable[..., None]


_import_extras: list[ImportExtra] = []


def add_import_extra(extra: ImportExtra) -> None:
    if extra not in _import_extras:
        _import_extras.append(extra)


def import_extras() -> list[ImportExtra]:
    return list(_import_extras)
