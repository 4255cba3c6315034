"""Screenshots for the README, taken from the demo data; not part of the test run.

    .venv/bin/python -m pytest tests/e2e/docs_screenshots.py -q -p no:randomly

pytest collects this file only when it is named on the command line (it does not match test_*.py).
The pictures are written to docs/screenshots/.
"""

import pytest
from django.core.management import call_command

from customers.models import Customer
from loyalty import services as loyalty
from tests.e2e.helpers import PHONE, ROOT, expect, login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = ROOT / "docs" / "screenshots"
WIDE = {"width": 1366, "height": 900}


def shoot(page, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page, animations="disabled", caret="hide")


def test_docs_screenshots(new_page, admin_user):
    call_command("seed_demo", customers=60, seed=1, stdout=open("/dev/null", "w"))  # noqa: SIM115
    customer = Customer.objects.order_by("pk").first()
    for points, reason in ((500, "Welcome bonus"), (250, "Festival offer"), (-120, "Correction of a billing error")):
        loyalty.adjust_points(customer=customer, points=points, reason=reason, user=admin_user)

    page = new_page(viewport=WIDE)
    login(page, admin_user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    shoot(page, "customer-list", full_page=False)

    page.goto(f"/parties/customers/{customer.pk}/edit/")
    # A window as tall as the form, so that the sticky Save bar sits where it belongs.
    page.set_viewport_size({"width": 1366, "height": page.evaluate("document.documentElement.scrollHeight")})
    shoot(page, "customer-form", full_page=False)

    page.set_viewport_size(WIDE)
    page.goto(f"/parties/customers/{customer.pk}/points/")
    shoot(page, "customer-points", full_page=False)

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(phone, admin_user.username)
    shoot(phone, "customer-list-phone", full_page=True)
