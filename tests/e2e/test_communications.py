"""The communication screens in Chromium: reached from the sidebar, a template fixed and previewed,
consent on the customer form, and no serious axe violations on any of them."""

import pytest

from communications.models import Consent, MessageTemplate, WebhookSubscription
from tests.e2e.helpers import axe_violations, describe_violations, expect, login
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_template_is_corrected_previewed_and_consent_given_on_the_customer_form(page):
    priya = CustomerFactory(full_name="Priya Raman", membership_number="CUS9")
    page.get_by_role("link", name="Communication Templates").click()
    page.get_by_role("link", name="+ Add Template").click()
    page.get_by_label("Event").select_option(label="Points earned")
    page.get_by_label("Channel").select_option(label="SMS")
    page.get_by_label("Body").fill("Hi {{ name }}, balance {{ points_balance }}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field-body .invalid-feedback")).to_contain_text("Unknown placeholder {{ name }}")
    expect(page.get_by_label("Body")).to_have_value("Hi {{ name }}, balance {{ points_balance }}")
    page.get_by_label("Body").fill("Hi {{ customer_name }}, balance {{ points_balance }}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-preview-body]")).to_have_text("Hi Priya Raman, balance 0")
    expect(page.locator("[data-sms-length]")).to_contain_text("1 segment of up to")
    assert MessageTemplate.objects.count() == 1

    page.goto(f"/parties/customers/{priya.pk}/edit/")
    page.get_by_label("Messages by SMS").check()
    page.get_by_role("button", name="Save").click()
    page.goto(f"/parties/customers/{priya.pk}/edit/")
    expect(page.get_by_label("Messages by SMS")).to_be_checked()
    expect(page.locator("table.consent-history")).to_contain_text("Customer form")
    assert list(Consent.objects.values_list("channel", "granted")) == [("sms", True)]


def test_communication_screens_have_no_serious_axe_violations(new_page, admin_user):
    CustomerFactory(full_name="Priya Raman")
    template = MessageTemplate.objects.create(event="birthday", channel="email", subject="Hi", body="Happy birthday")
    webhook = WebhookSubscription.objects.create(name="ERP", url="https://erp.example.in/", events=["points.changed"])
    page = new_page(bypass_csp=True)
    login(page, admin_user.username)
    found = []
    for url in (
        "/settings/communication/email/",
        "/settings/communication/sms/",
        "/settings/communication/whatsapp/",
        "/communications/templates/",
        "/communications/templates/add/",
        f"/communications/templates/{template.pk}/preview/",
        "/communications/webhooks/",
        f"/communications/webhooks/{webhook.pk}/",
        "/communications/log/",
        f"/communications/campaign/?template={template.pk}",
    ):
        page.goto(url)
        violations = axe_violations(page)
        if violations:
            found.append(f"{url}:\n{describe_violations(violations)}")
    assert not found, "\n\n".join(found)
