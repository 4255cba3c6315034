"""Events -> outbox -> the worker -> real SMTP and HTTP servers on localhost."""

import datetime
import hashlib
import hmac
import json
import urllib.parse

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from communications import secrets, services
from communications.models import (
    Channel,
    DeliveryState,
    EmailSettings,
    Event,
    Message,
    MessageTemplate,
    WebhookDelivery,
    WebhookSubscription,
)
from customers.services import customer_create, customer_delete, customer_update
from loyalty import services as loyalty
from loyalty.models import PointsEntry
from tests.communications.conftest import drain
from tests.communications.servers import HttpRecorder, free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def template(event, channel, body, **fields):
    return MessageTemplate.objects.create(event=event, channel=channel, body=body, **fields)


def customer(name="Priya Raman", consent=(Channel.EMAIL, Channel.SMS, Channel.WHATSAPP), **fields):
    fields.setdefault("email", "priya@example.in")
    fields.setdefault("phone_number", "+919876543210")
    with transaction.atomic():
        created = customer_create(full_name=name, **fields)
        services.consents_set(customer=created, values=dict.fromkeys(consent, True), source="form")
    return created


def test_a_new_customer_gets_the_welcome_email_through_smtp(email_on):
    template(
        Event.CUSTOMER_CREATED,
        Channel.EMAIL,
        "Dear {{ customer_name }}, your card is {{ membership_number }} at {{ store_name }}.",
        subject="Welcome, {{ customer_name }}",
    )
    priya = customer(membership_number="CUS777")
    assert Message.objects.get().state == DeliveryState.QUEUED  # nothing is sent before the worker runs
    drain()
    [received] = email_on.messages
    assert received["To"] == "priya@example.in" and received["Subject"] == "Welcome, Priya Raman"
    assert "your card is CUS777 at O2VEND Store." in received.get_content()
    message = Message.objects.get()
    assert (message.state, message.attempts, message.customer_id) == (DeliveryState.SENT, 1, priya.pk)
    assert message.provider_message_id == received["Message-ID"]
    assert message.attempt_log.get().answer == "2.0.0 Ok: queued as TEST123"


def test_a_rolled_back_change_sends_nothing(email_on):
    template(Event.CUSTOMER_CREATED, Channel.EMAIL, "Hello {{ customer_name }}", subject="Hi")
    WebhookSubscription.objects.create(
        name="ERP", url="http://127.0.0.1:9/", events=["customer.created"], secret_encrypted=secrets.encrypt("s")
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_create(full_name="Gone Again", email="gone@example.in")
        assert Message.objects.count() == 1 and WebhookDelivery.objects.count() == 1
        raise RuntimeError("the request failed after the customer was saved")
    drain()
    assert Message.objects.count() == 0 and WebhookDelivery.objects.count() == 0
    assert email_on.messages == []


def test_without_consent_or_address_the_message_is_skipped_with_the_reason(email_on):
    template(Event.CUSTOMER_CREATED, Channel.EMAIL, "Hello", subject="Hi")
    customer("No Consent", consent=())
    customer("No Address", email="")
    drain()
    reasons = dict(Message.objects.values_list("customer__full_name", "error"))
    assert reasons == {"No Consent": "No consent for Email.", "No Address": "No email address."}
    assert set(Message.objects.values_list("state", flat=True)) == {DeliveryState.SKIPPED}
    assert email_on.messages == []


def test_points_changes_send_sms_with_the_dlt_ids_through_the_gateway(sms_on):
    template(
        Event.POINTS_ADJUSTED,
        Channel.SMS,
        "{{ customer_name }}: {{ points_change }} points, balance {{ points_balance }}.",
        dlt_template_id="1107160000000000001",
    )
    template(Event.POINTS_EARNED, Channel.SMS, "You earned {{ points_change }} points.")
    priya = customer()
    loyalty.adjust_points(customer=priya, points=120, reason="Goodwill", user=None)
    loyalty.earn_points(customer=priya, points=30, reference="INV-1", user=None)
    drain()
    assert [request.path for request in sms_on.requests] == ["/sms", "/sms"]
    sent = [urllib.parse.parse_qs(request.body.decode()) for request in sms_on.requests]
    texts = sorted(form["msg"][0] for form in sent)
    assert texts == ["Priya Raman: 120 points, balance 120.", "You earned 30 points."]
    adjusted = next(form for form in sent if form["msg"][0].startswith("Priya"))
    assert adjusted["to"] == ["919876543210"] and adjusted["sender"] == ["OVENDS"]
    assert adjusted["tid"] == ["1107160000000000001"] and adjusted["pe"] == ["1101234567890"]
    assert adjusted["key"] == ["gw-key-42"]
    assert set(Message.objects.values_list("provider_message_id", flat=True)) == {"gw-1"}


def test_a_points_kind_unknown_here_is_sent_as_points_adjusted(sms_on):
    template(Event.POINTS_ADJUSTED, Channel.SMS, "Balance {{ points_balance }}")
    priya = customer()
    PointsEntry.objects.create(customer=priya, points=15, kind="bonus", balance_after=15)
    drain()
    message = Message.objects.get()
    assert (message.event, message.body, message.state) == (Event.POINTS_ADJUSTED, "Balance 15", DeliveryState.SENT)


def test_whatsapp_sends_the_approved_template_with_its_parameters(whatsapp_on):
    template(
        Event.POINTS_EARNED,
        Channel.WHATSAPP,
        "{{ customer_name }}\n{{ points_change }}\n{{ points_balance }}",
        whatsapp_name="points_earned",
        whatsapp_language="en_IN",
    )
    priya = customer()
    loyalty.earn_points(customer=priya, points=40, reference="INV-2", user=None)
    drain()
    [request] = whatsapp_on.requests
    assert request.path == "/v21.0/1234567/messages"
    assert request.headers["Authorization"] == "Bearer EAAB-token"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "to": "919876543210",
        "type": "template",
        "template": {
            "name": "points_earned",
            "language": {"code": "en_IN"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Priya Raman"},
                        {"type": "text", "text": "40"},
                        {"type": "text", "text": "40"},
                    ],
                }
            ],
        },
    }
    assert Message.objects.get().provider_message_id == "wamid.ABC"


def test_a_failing_gateway_is_retried_with_backoff_then_the_message_fails(sms_on, settings):
    sms_on.answers = [(500, '{"error": "busy"}')]
    template(Event.POINTS_ADJUSTED, Channel.SMS, "Balance {{ points_balance }}")
    priya = customer()
    loyalty.adjust_points(customer=priya, points=5, reason="Test", user=None)
    drain()
    message = Message.objects.get()
    assert (message.state, message.attempts) == (DeliveryState.FAILED, services.MESSAGE_MAX_ATTEMPTS)
    assert len(sms_on.requests) == services.MESSAGE_MAX_ATTEMPTS
    assert [a.status for a in message.attempt_log.all()] == ["500"] * services.MESSAGE_MAX_ATTEMPTS
    assert message.error == '{"error": "busy"}'


def test_backoff_doubles_and_a_retry_waits_for_its_time(sms_on, settings):
    settings.COMMUNICATIONS_RETRY_SECONDS = 60
    sms_on.answers = [(503, "down"), (200, '{"message_id": "late"}')]
    template(Event.POINTS_ADJUSTED, Channel.SMS, "Balance {{ points_balance }}")
    priya = customer()
    loyalty.adjust_points(customer=priya, points=5, reason="Test", user=None)
    drain()
    message = Message.objects.get()
    assert (message.state, message.attempts) == (DeliveryState.QUEUED, 1)
    wait = message.next_attempt_at - message.attempt_log.get().at
    assert datetime.timedelta(seconds=59) < wait <= datetime.timedelta(seconds=61)
    assert services._backoff(3) == datetime.timedelta(seconds=240)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=message.next_attempt_at - wait)
    services.outbox_deliver()
    message.refresh_from_db()
    assert (message.state, message.attempts, message.provider_message_id) == (DeliveryState.SENT, 2, "late")


def test_an_unreachable_smtp_server_fails_the_message_with_the_reason():
    EmailSettings.objects.create(
        pk=1, enabled=True, host="127.0.0.1", port=free_port(), security="none", from_address="shop@example.in"
    )
    template(Event.CUSTOMER_CREATED, Channel.EMAIL, "Hello", subject="Hi")
    customer()
    drain()
    message = Message.objects.get()
    assert message.state == DeliveryState.FAILED and message.attempts == services.MESSAGE_MAX_ATTEMPTS
    assert message.error.startswith("Could not reach 127.0.0.1:") and "refused" in message.error


def test_one_event_never_queues_two_messages_to_a_customer_on_a_channel(email_on):
    email_template = template(Event.CAMPAIGN, Channel.EMAIL, "Sale", subject="Sale")
    priya = customer()
    first = services.messages_queue(event=Event.CAMPAIGN, event_key="campaign:1", customers=[priya, priya])
    again = services.messages_queue(event=Event.CAMPAIGN, event_key="campaign:1", customers=[priya])
    assert (first, again) == (1, 0)
    assert Message.objects.filter(template=email_template).count() == 1
    drain()
    assert len(email_on.messages) == 1


def test_birthday_and_anniversary_messages_are_queued_once_per_date(email_on):
    template(Event.BIRTHDAY, Channel.EMAIL, "Happy birthday {{ customer_name }}", subject="Happy birthday")
    template(Event.ANNIVERSARY, Channel.EMAIL, "Happy anniversary", subject="Happy anniversary")
    customer("Birthday Person", birthday=datetime.date(1990, 11, 29), email="b@example.in")
    customer("Anniversary Person", anniversary=datetime.date(2015, 11, 29), email="a@example.in")
    customer("Other Day", birthday=datetime.date(1990, 11, 28), email="o@example.in")
    call_command("send_scheduled_messages", "--date", "2026-11-29", verbosity=0)
    call_command("send_scheduled_messages", "--date", "2026-11-29", verbosity=0)
    assert Message.objects.count() == 2
    drain()
    assert sorted(m["Subject"] for m in email_on.messages) == ["Happy anniversary", "Happy birthday"]


def test_the_daily_schedule_starts_the_birthday_job(email_on, settings):
    from django.utils import timezone

    from jobs.models import Job
    from jobs.services import schedules_run_due

    settings.DAILY_JOBS = True
    template(Event.BIRTHDAY, Channel.EMAIL, "Happy birthday", subject="Happy birthday")
    today = timezone.localdate()
    customer("Born Today", birthday=today.replace(year=1990), email="t@example.in")
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9, 0)))
    started = [job for job in schedules_run_due(now=now) if job.kind.startswith("communications.")]
    assert len(started) == 1
    drain()
    assert Job.objects.get(pk=started[0].pk).result["birthday"] == 1
    assert [m["To"] for m in email_on.messages] == ["t@example.in"]


@pytest.fixture
def receiver():
    server = HttpRecorder(answers=[(200, "ok")]).start()
    yield server
    server.stop()


def subscribe(receiver, events=("customer.created", "customer.updated", "customer.deleted", "points.changed")):
    return services.subscription_save(
        subscription=WebhookSubscription(name="ERP", url=f"{receiver.url}/hook", events=list(events)),
        secret="whsec-123",
    )


def test_webhooks_are_signed_and_carry_each_event(receiver):
    subscribe(receiver)
    priya = customer()
    customer_update(customer=priya, city="Chennai")
    loyalty.earn_points(customer=priya, points=10, reference="INV-9", user=None)
    other = customer("Short Lived", email="s@example.in")
    customer_delete(customer=other)
    drain()
    events = [request.json()["event"] for request in receiver.requests]
    assert sorted(events) == sorted(
        ["customer.created", "customer.updated", "points.changed", "customer.created", "customer.deleted"]
    )
    for request in receiver.requests:
        expected = "sha256=" + hmac.new(b"whsec-123", request.body, hashlib.sha256).hexdigest()
        assert request.headers["X-O2VEND-Signature"] == expected
        payload = request.json()
        assert set(payload) == {"id", "event", "created_at", "data"}
        datetime.datetime.fromisoformat(payload["created_at"])
    points = next(r.json() for r in receiver.requests if r.json()["event"] == "points.changed")
    assert points["data"]["entry"]["points"] == 10 and points["data"]["customer"]["points_balance"] == 10
    assert len({r.json()["id"] for r in receiver.requests}) == 5
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_a_webhook_answering_500_is_retried_until_it_answers(receiver):
    receiver.answers = [(500, "oops"), (502, "bad gateway"), (204, "")]
    subscribe(receiver, events=["customer.created"])
    customer()
    drain()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (DeliveryState.SENT, 3, 204)
    assert [a.status for a in delivery.attempt_log.all()] == ["500", "502", "204"]
    assert len({r.body for r in receiver.requests}) == 1  # the same event, byte for byte


def test_a_hanging_webhook_times_out_and_fails_after_8_attempts(receiver, settings):
    settings.COMMUNICATIONS_TIMEOUT_SECONDS = 0.2
    receiver.answers = [("hang", 1)]
    subscribe(receiver, events=["customer.created"])
    customer()
    drain()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 8)
    assert "timeout" in delivery.error
    assert len(receiver.requests) == 8


def test_the_test_webhook_sends_a_signed_sample(receiver):
    subscription = subscribe(receiver, events=["points.changed"])
    services.webhook_test_queue(subscription=subscription)
    drain()
    [request] = receiver.requests
    assert request.json()["event"] == "webhook.test"
    assert (
        request.headers["X-O2VEND-Signature"]
        == "sha256=" + hmac.new(b"whsec-123", request.body, hashlib.sha256).hexdigest()
    )
    json.loads(request.body)


def test_send_test_to_an_unreachable_host_shows_the_reason(admin_client):
    EmailSettings.objects.create(
        pk=1, enabled=True, host="127.0.0.1", port=free_port(), security="none", from_address="shop@example.in"
    )
    response = admin_client.post(reverse("communication-settings:email"), {"send_test": "1", "to": "me@example.in"})
    drain()
    page = admin_client.get(response["Location"]).content.decode()
    message = Message.objects.get()
    assert message.state == DeliveryState.FAILED and message.attempts == 1  # a test is tried once
    assert "Could not reach 127.0.0.1:" in page and "refused" in page


def test_send_test_shows_the_smtp_servers_answer(admin_client, email_on):
    response = admin_client.post(reverse("communication-settings:email"), {"send_test": "1", "to": "me@example.in"})
    drain()
    page = admin_client.get(response["Location"]).content.decode()
    assert "Ok: queued as TEST123" in page and 'http-equiv="refresh"' not in page
    assert email_on.messages[0]["To"] == "me@example.in"


def test_a_campaign_queues_the_template_to_the_filtered_list_as_a_job(admin_client, email_on):
    from jobs.models import Job

    campaign = template(Event.CAMPAIGN, Channel.EMAIL, "Diwali sale, {{ customer_name }}!", subject="Diwali sale")
    customer("Chennai Reachable", city="Chennai", email="c1@example.in")
    customer("Chennai Silent", city="Chennai", email="c2@example.in", consent=())
    customer("Madurai Reachable", city="Madurai", email="m@example.in")
    url = reverse("communications:campaign") + "?q=Chennai"
    response = admin_client.post(url, {"template": campaign.pk})
    job = Job.objects.get(kind="communications.services.campaign_job")
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    drain()
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.result["queued"]) == ("succeeded", 2, 2, 2)
    assert [m["To"] for m in email_on.messages] == ["c1@example.in"]
    assert email_on.messages[0].get_content().strip() == "Diwali sale, Chennai Reachable!"
    skipped = Message.objects.get(state=DeliveryState.SKIPPED)
    assert (skipped.customer.full_name, skipped.error) == ("Chennai Silent", "No consent for Email.")
