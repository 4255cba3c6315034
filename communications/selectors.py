"""Every read the communication screens need."""

from typing import Any

from django.db.models import Q, QuerySet

from communications import rendering
from communications.models import (
    Channel,
    Consent,
    ConsentChange,
    DeliveryAttempt,
    Message,
    MessageTemplate,
    WebhookDelivery,
    WebhookSubscription,
)
from customers.models import Customer

WEBHOOK = "webhook"


def _customer_match(text: str) -> Q:
    text = text.strip()
    match = Q(customer__full_name__icontains=text) | Q(customer__membership_number__iexact=text)
    if text.isdigit():
        match |= Q(customer_id=int(text))
    return match


def message_log(*, filters: dict[str, Any]) -> QuerySet[Message]:
    """Return the messages of the delivery log, newest first, filtered by channel, state, event and customer."""
    messages = Message.objects.select_related("customer").order_by("-created_at", "-pk")
    if filters.get("channel") == WEBHOOK:
        return messages.none()
    if filters.get("channel"):
        messages = messages.filter(channel=filters["channel"])
    if filters.get("state"):
        messages = messages.filter(state=filters["state"])
    if filters.get("event"):
        messages = messages.filter(event=filters["event"])
    if filters.get("customer"):
        messages = messages.filter(_customer_match(filters["customer"]))
    return messages


def webhook_log(
    *, filters: dict[str, Any], subscription: WebhookSubscription | None = None
) -> QuerySet[WebhookDelivery]:
    """Return the webhook deliveries of the delivery log (of one subscription, if given), newest first."""
    deliveries = WebhookDelivery.objects.select_related("subscription").order_by("-created_at", "-pk")
    if subscription is not None:
        deliveries = deliveries.filter(subscription=subscription)
    if filters.get("channel") and filters["channel"] != WEBHOOK:
        return deliveries.none()
    if filters.get("state"):
        deliveries = deliveries.filter(state=filters["state"])
    if filters.get("event"):
        deliveries = deliveries.filter(event=filters["event"])
    if filters.get("customer"):
        text = filters["customer"].strip()
        ids = Customer.objects.filter(Q(full_name__icontains=text) | Q(membership_number__iexact=text)).values("pk")
        match = Q(customer_id_value__in=ids)
        if text.isdigit():
            match |= Q(customer_id_value=int(text))
        deliveries = deliveries.filter(match)
    return deliveries


def attempts_of(
    *, message: Message | None = None, delivery: WebhookDelivery | None = None
) -> QuerySet[DeliveryAttempt]:
    if message is not None:
        return DeliveryAttempt.objects.filter(message=message).order_by("number", "pk")
    return DeliveryAttempt.objects.filter(delivery=delivery).order_by("number", "pk")


def template_list() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.order_by("event", "channel", "pk")


def template_preview(*, template: MessageTemplate, customer: Customer) -> dict[str, Any]:
    """Render a template for one customer, with the SMS length in characters and segments."""
    from communications.services import customer_context

    context = customer_context(customer=customer, points_change=50)
    body = rendering.render(template.body, context)
    preview: dict[str, Any] = {
        "customer": customer,
        "subject": rendering.render(template.subject, context),
        "body": body,
    }
    if template.channel == Channel.SMS:
        preview["sms"] = rendering.sms_length(body)
    if template.channel == Channel.WHATSAPP:
        preview["parameters"] = [line for line in body.splitlines() if line.strip()]
    return preview


def consent_of(*, customer: Customer) -> dict[str, bool]:
    """Return the customer's current consent per channel (False where never given)."""
    given = dict(Consent.objects.filter(customer=customer).values_list("channel", "granted"))
    return {channel: given.get(channel, False) for channel in Channel.values}


def consent_history(*, customer: Customer) -> QuerySet[ConsentChange]:
    return ConsentChange.objects.filter(customer=customer).select_related("changed_by").order_by("-changed_at", "-pk")


def reachable(*, customers: QuerySet[Customer], channel: str) -> QuerySet[Customer]:
    """Return the customers with consent on the channel and an address for it."""
    consented = Consent.objects.filter(channel=channel, granted=True).values("customer_id")
    with_consent = customers.filter(pk__in=consented)
    if channel == Channel.EMAIL:
        return with_consent.exclude(email="")
    return with_consent.exclude(phone_number="")


def campaign_reach(*, customers: QuerySet[Customer], channel: str) -> dict[str, int]:
    """Count a list's customers, and those a message on the channel would reach."""
    customers = customers.order_by()
    return {"customers": customers.count(), "reachable": reachable(customers=customers, channel=channel).count()}
