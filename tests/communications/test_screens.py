"""The communication screens: settings with secrets, templates, preview, webhooks, consent, log, campaigns."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communications import secrets, services
from communications.models import (
    Channel,
    Consent,
    ConsentChange,
    DeliveryState,
    EmailSettings,
    Event,
    Message,
    MessageTemplate,
    WebhookSubscription,
)
from communications.rendering import sms_length
from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

EMAIL_SETTINGS = reverse("communication-settings:email")


def email_form(**changes):
    data = {
        "enabled": "on",
        "host": "smtp.example.in",
        "port": "587",
        "security": "starttls",
        "username": "shop",
        "password": "",
        "from_address": "shop@example.in",
    }
    return data | changes


def test_the_password_is_stored_encrypted_never_shown_and_kept_when_left_empty(admin_client):
    response = admin_client.post(EMAIL_SETTINGS, email_form(password="Sup3r-Secret"))
    assert response.status_code == 302
    stored = EmailSettings.load()
    assert stored.password == "Sup3r-Secret" and "Sup3r-Secret" not in stored.password_encrypted
    page = admin_client.get(EMAIL_SETTINGS).content.decode()
    assert "Sup3r-Secret" not in page and stored.password_encrypted not in page
    assert "One is stored (not shown)" in page
    admin_client.post(EMAIL_SETTINGS, email_form(host="mail.example.in"))
    stored = EmailSettings.load()
    assert (stored.host, stored.password) == ("mail.example.in", "Sup3r-Secret")


def test_settings_with_errors_keep_what_was_typed(admin_client):
    response = admin_client.post(EMAIL_SETTINGS, email_form(port="not-a-port", host="typed.example.in"))
    page = response.content.decode()
    assert response.status_code == 200 and "Enter a whole number." in page and "typed.example.in" in page
    assert EmailSettings.load().host == ""


def test_a_whatsapp_test_to_something_not_a_phone_number_is_refused(admin_client):
    response = admin_client.post(reverse("communication-settings:whatsapp"), {"send_test": "1", "to": "call me maybe"})
    assert response.status_code == 200
    assert "“call me maybe” is not a phone number" in response.content.decode()
    assert not Message.objects.exists()


def test_send_test_queues_a_message_and_shows_its_page(admin_client):
    response = admin_client.post(EMAIL_SETTINGS, {"send_test": "1", "to": "me@example.in"})
    message = Message.objects.get()
    assert response["Location"] == reverse("communications:message-detail", args=[message.pk])
    assert (message.to, message.event, message.state, message.max_attempts) == ("me@example.in", "test", "queued", 1)
    page = admin_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "Not tried yet." in page


def template_form(**changes):
    data = {
        "event": Event.POINTS_EARNED,
        "channel": Channel.SMS,
        "subject": "",
        "body": "Hi {{ customer_name }}, you have {{ points_balance }} points.",
        "dlt_template_id": "1107",
        "whatsapp_name": "",
        "whatsapp_language": "en",
        "is_active": "on",
    }
    return data | changes


def test_a_template_with_an_unknown_placeholder_is_refused_with_the_allowed_list(admin_client):
    body = "Hi {{ customer_nme }}, {{ points_balance }} points"
    response = admin_client.post(reverse("communications:template-create"), template_form(body=body))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Unknown placeholder {{ customer_nme }}. Allowed: {{ customer_name }}, {{ membership_number }}" in page
    assert "customer_nme" in page and not MessageTemplate.objects.exists()


def test_a_template_may_not_use_other_tags(admin_client):
    response = admin_client.post(
        reverse("communications:template-create"), template_form(body="{% load static %}{% static 'x' %}")
    )
    assert "“{% load %}” is not allowed" in response.content.decode()


def test_whatsapp_and_email_templates_need_their_fields(admin_client):
    response = admin_client.post(
        reverse("communications:template-create"), template_form(channel=Channel.WHATSAPP, whatsapp_name="")
    )
    assert "Name the approved WhatsApp template." in response.content.decode()
    response = admin_client.post(reverse("communications:template-create"), template_form(channel=Channel.EMAIL))
    assert "An email needs a subject." in response.content.decode()


def test_the_preview_renders_for_a_chosen_customer_with_the_sms_length(admin_client):
    priya = CustomerFactory(full_name="Priya Raman", membership_number="CUS042", points_balance=300)
    CustomerFactory(full_name="Someone Else")
    response = admin_client.post(reverse("communications:template-create"), template_form())
    template = MessageTemplate.objects.get()
    assert response["Location"] == reverse("communications:template-preview", args=[template.pk])
    page = admin_client.get(response["Location"], {"customer": "cus042"}).content.decode()
    assert "Hi Priya Raman, you have 300 points." in page
    assert "36 characters (GSM-7), 1 segment of up to 160" in page
    page = admin_client.get(response["Location"], {"customer": "nobody"}).content.decode()
    assert "No customer with the id or membership number “nobody”." in page
    assert priya.pk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("a" * 306, ("GSM-7", 306, 2)),
        ("a" * 307, ("GSM-7", 307, 3)),
        ("€" * 80, ("GSM-7", 160, 1)),  # an extension character takes two
        ("நன்றி" * 14, ("Unicode", 70, 1)),
        ("நன்றி" * 14 + "!", ("Unicode", 71, 2)),
        ("😀" * 36, ("Unicode", 72, 2)),  # outside the BMP: two UTF-16 units each
    ],
)
def test_sms_length_counts_characters_and_segments(text, expected):
    result = sms_length(text)
    assert (result["encoding"], result["characters"], result["segments"]) == expected


def test_a_webhook_url_that_is_not_http_is_refused_and_the_secret_never_shown(admin_client):
    url = reverse("communications:webhook-create")
    data = {"name": "ERP", "url": "ftp://erp.example.in/in", "events": ["customer.created"], "secret": "whsec-9"}
    page = admin_client.post(url, data).content.decode()
    assert "http:// or https://" in page and not WebhookSubscription.objects.exists()
    response = admin_client.post(url, data | {"url": "https://erp.example.in/in", "is_active": "on"})
    webhook = WebhookSubscription.objects.get()
    assert response["Location"] == reverse("communications:webhook-update", args=[webhook.pk])
    assert webhook.secret == "whsec-9" and "whsec-9" not in admin_client.get(response["Location"]).content.decode()
    admin_client.post(response["Location"], data | {"url": "https://erp.example.in/v2", "secret": ""})
    webhook.refresh_from_db()
    assert (webhook.url, webhook.secret) == ("https://erp.example.in/v2", "whsec-9")


def customer_form(**changes):
    data = {
        "full_name": "Meena Iyer",
        "email": "meena@example.in",
        "phone_number": "+919812345678",
        "supply_type": "B2C",
        "timezone": "Asia/Kolkata",
        "country": "IN",
        "is_active": "on",
        "balances-TOTAL_FORMS": "0",
        "balances-INITIAL_FORMS": "0",
    }
    return data | changes


def test_the_customer_form_records_consent_with_its_history(admin_client):
    response = admin_client.post(
        reverse("customers:customer-create"), customer_form(**{"consent-email": "on", "consent-sms": "on"})
    )
    assert response.status_code == 302
    meena = Customer.objects.get(full_name="Meena Iyer")
    assert set(Consent.objects.filter(customer=meena, granted=True).values_list("channel", flat=True)) == {
        "email",
        "sms",
    }
    change = ConsentChange.objects.filter(customer=meena).first()
    assert (change.source, change.changed_by, change.granted) == ("form", admin_client.user, True)
    edit = reverse("customers:customer-update", args=[meena.pk])
    admin_client.post(edit, customer_form(**{"consent-email": "on"}))
    assert dict(Consent.objects.filter(customer=meena).values_list("channel", "granted")) == {
        "email": True,
        "sms": False,
    }
    page = admin_client.get(edit).content.decode()
    assert "Communication consent" in page and "Withdrawn" in page and "Customer form" in page
    assert ConsentChange.objects.filter(customer=meena).count() == 3


def test_a_customer_form_with_errors_saves_no_consent(admin_client):
    response = admin_client.post(
        reverse("customers:customer-create"), customer_form(full_name="", **{"consent-sms": "on"})
    )
    assert response.status_code == 200 and not ConsentChange.objects.exists()


def test_the_export_carries_consent_and_the_import_sets_it(admin_client, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    priya = CustomerFactory(full_name="Priya Raman", membership_number="CUS1")
    # Stored in another order than the channels' and with a refusal between: the cell lists the granted, in order.
    services.consents_set(customer=priya, values={"whatsapp": True, "sms": False, "email": True}, source="request")
    CustomerFactory(full_name="Ravi Kumar")  # no consent at all: an empty cell
    response = admin_client.get(reverse("customers:customer-export"), {"format": "csv", "o": "full_name"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8")[1:])))
    assert rows[0][-1] == "Consent" and rows[1][-1] == "email;whatsapp" and rows[2][-1] == ""

    body = "Full name,Membership number,Consent\nPriya Raman,CUS1,sms\nNew Person,CUS2,Email; WhatsApp\n"
    upload = SimpleUploadedFile("c.csv", body.encode(), content_type="text/csv")
    job_page = admin_client.post(reverse("customers:customer-import"), {"file": upload}, follow=True)
    assert job_page.status_code == 200
    from customers.models import ImportJob

    job = ImportJob.objects.latest("pk")
    admin_client.post(reverse("customers:customer-import-job", args=[job.token]))
    assert dict(Consent.objects.filter(customer=priya).values_list("channel", "granted")) == {
        "email": False,
        "whatsapp": False,
        "sms": True,
    }
    new = Customer.objects.get(membership_number="CUS2")
    assert set(Consent.objects.filter(customer=new, granted=True).values_list("channel", flat=True)) == {
        "email",
        "whatsapp",
    }
    assert set(ConsentChange.objects.filter(customer=new).values_list("source", flat=True)) == {"import"}


def test_an_import_with_a_bad_consent_cell_names_it_and_writes_nothing(admin_client, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    body = "Full name,Consent\nAsha,email;pigeon\n"
    upload = SimpleUploadedFile("c.csv", body.encode(), content_type="text/csv")
    page = admin_client.post(reverse("customers:customer-import"), {"file": upload}, follow=True).content.decode()
    assert "Unknown channel “pigeon” in consent" in page
    assert not Customer.objects.exists()


def test_the_log_filters_by_channel_state_event_and_customer(admin_client):
    priya, ravi = CustomerFactory(full_name="Priya Raman"), CustomerFactory(full_name="Ravi Kumar")
    for customer, channel, state, event in (
        (priya, Channel.EMAIL, DeliveryState.SENT, Event.BIRTHDAY),
        (priya, Channel.SMS, DeliveryState.SKIPPED, Event.POINTS_EARNED),
        (ravi, Channel.SMS, DeliveryState.FAILED, Event.POINTS_EARNED),
    ):
        Message.objects.create(
            event_key=f"k{customer.pk}{channel}",
            event=event,
            customer=customer,
            channel=channel,
            state=state,
            to=f"{customer.full_name}-{channel}",
        )
    log = reverse("communications:log")

    def shown(**filters):
        page = admin_client.get(log, filters).content.decode()
        return sorted(m.to for m in Message.objects.all() if m.to in page)

    assert shown() == ["Priya Raman-email", "Priya Raman-sms", "Ravi Kumar-sms"]
    assert shown(channel="sms") == ["Priya Raman-sms", "Ravi Kumar-sms"]
    assert shown(state="failed") == ["Ravi Kumar-sms"]
    assert shown(event="birthday") == ["Priya Raman-email"]
    assert shown(customer="priya") == ["Priya Raman-email", "Priya Raman-sms"]
    assert shown(customer=str(ravi.pk)) == ["Ravi Kumar-sms"]


def test_the_campaign_page_counts_who_has_consent_and_an_address(admin_client):
    template = MessageTemplate.objects.create(
        event=Event.CAMPAIGN, channel=Channel.SMS, body="Sale at {{ store_name }}"
    )
    reachable = CustomerFactory(full_name="Chennai One", city="Chennai")
    no_phone = CustomerFactory(full_name="Chennai Two", city="Chennai", phone_number="")
    CustomerFactory(full_name="Chennai Three", city="Chennai")
    CustomerFactory(full_name="Madurai Four", city="Madurai")
    for customer in (reachable, no_phone):
        services.consent_set(customer=customer, channel="sms", granted=True, source="form")
    list_page = admin_client.get(reverse("customers:customer-list"), {"q": "Chennai"}).content.decode()
    assert f"{reverse('communications:campaign')}?q=Chennai" in list_page and "Message these customers" in list_page
    page = admin_client.get(reverse("communications:campaign"), {"q": "Chennai", "template": template.pk})
    assert "1 of 3 customers have consent and an address for SMS." in page.content.decode()
    assert "data-no-templates" not in page.content.decode()


def test_the_campaign_page_says_to_add_a_template_first(admin_client):
    page = admin_client.get(reverse("communications:campaign")).content.decode()
    assert "There is no active message template yet" in page
    assert reverse("communications:template-create") in page


def test_screens_need_their_permissions(client, make_staff):
    client.force_login(make_staff("customers.view_customer", "customers.change_customer"))
    for name in ("communication-settings:email", "communications:log", "communications:template-list"):
        assert client.get(reverse(name)).status_code == 403
    assert "Message these customers" not in client.get(reverse("customers:customer-list")).content.decode()


def test_secrets_cannot_be_read_with_another_key(settings):
    token = secrets.encrypt("token-1")
    settings.COMMUNICATIONS_SECRET_KEY = "another key"
    assert secrets.decrypt(token) == ""
