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
