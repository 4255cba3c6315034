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
class CustomerFormSection:
    """A fieldset an app above customers adds to the customer form, saved with the customer.

    `form_class` is a Form built as form_class(data, prefix=key, customer=customer_or_None, user=user);
    it has a `title`, optionally a `template` (shown under its fields), and
    save(*, customer, user), called in the customer's own transaction after the customer is saved.
    """

    key: str
    form_class: type
    permission: str = ""


@dataclass(frozen=True)
class CustomerListAction:
    """A button on the customer list that opens a screen with the list's current filters in its query string."""

    label: str
    url_name: str
    permission: str


@dataclass(frozen=True)
class CustomerColumn:
    """A column an app above customers adds to the customer export (the import takes it back through an ImportExtra).

    export() returns the SQL expression of a customer's cell text (e.g. a subquery over the app's
    table, with OuterRef("pk")): the export reads it in its own query, so a column costs no query
    per batch of rows, and makes it formula-safe as it does any text.
    """

    header: str
    export: Callable


_sections: dict[str, CustomerFormSection] = {}
_list_actions: dict[str, CustomerListAction] = {}
_columns: dict[str, CustomerColumn] = {}


def add_customer_form_section(section: CustomerFormSection) -> None:
    _sections[section.key] = section


def customer_form_sections_for(user) -> list[CustomerFormSection]:
    return [section for section in _sections.values() if not section.permission or user.has_perm(section.permission)]


def add_customer_list_action(action: CustomerListAction) -> None:
    _list_actions[action.url_name] = action


def customer_list_actions_for(user) -> list[CustomerListAction]:
    return [action for action in _list_actions.values() if user.has_perm(action.permission)]


def add_customer_column(column: CustomerColumn) -> None:
    _columns[column.header] = column


def customer_columns() -> list[CustomerColumn]:
    return list(_columns.values())


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
