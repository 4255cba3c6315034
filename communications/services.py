"""Every write of communications: settings, templates, consent, the outbox, webhooks, sending.

Events (a customer created, a points entry booked, a date come round) queue messages and
webhook deliveries in the transaction of the change that caused them, and queue the task
that sends them; a rolled-back change sends nothing. Only workers send (outbox_deliver).
"""

import datetime
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from communications import providers, rendering, secrets
from communications.models import (
    Channel,
    Consent,
    ConsentChange,
    ConsentSource,
    DeliveryAttempt,
    DeliveryState,
    EmailSettings,
    Event,
    Message,
    MessageTemplate,
    SingletonSettings,
    SmsSettings,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    WhatsAppSettings,
)
from customers.models import Customer
from jobs.services import JobError, JobRun, job_start
from parties.types import Actor, author

BATCH_SIZE = 200
BATCHES_PER_TASK = 25
LEASE = datetime.timedelta(minutes=10)  # a message "sending" this long lost its worker: it is sent again
MAX_BACKOFF = datetime.timedelta(hours=6)
MESSAGE_MAX_ATTEMPTS = 5
WEBHOOK_MAX_ATTEMPTS = 8

# A points entry's kind -> its event; kinds not listed (new ones too) are "points adjusted".
POINTS_EVENTS = {
    "earn": Event.POINTS_EARNED,
    "redeem": Event.POINTS_REDEEMED,
    "adjust": Event.POINTS_ADJUSTED,
    "reverse": Event.POINTS_REVERSED,
}


# Channel settings


def channel_settings_save(
    *, row: SingletonSettings, values: dict[str, Any], secret_field: str = "", secret: str = ""
) -> SingletonSettings:
    """Save a channel's settings; an empty `secret` keeps the stored one."""
    with transaction.atomic():
        model = type(row)
        locked = model._default_manager.select_for_update().filter(pk=row.pk).first() or row
        for name, value in values.items():
            setattr(locked, name, value)
        if secret_field and secret:
            setattr(locked, secret_field, secrets.encrypt(secret))
        locked.full_clean()
        locked.save()
    return locked


# Templates


@transaction.atomic
def template_save(*, template: MessageTemplate) -> MessageTemplate:
    """Create or change a template; unknown placeholders are refused with the allowed list."""
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def template_delete(*, template: MessageTemplate) -> None:
    template.delete()


# Consent


def consent_set(*, customer: Customer, channel: str, granted: bool, source: str, user: Actor = None) -> bool:
    """Record a customer's consent on one channel; return False (nothing written) when it is unchanged."""
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel %(channel)s.") % {"channel": channel})
    if source not in ConsentSource.values:
        raise ValidationError(_("Unknown consent source %(source)s.") % {"source": source})
    with transaction.atomic():
        current = Consent.objects.select_for_update().filter(customer=customer, channel=channel).first()
        if current is not None and current.granted == granted:
            return False
        if current is None and not granted:
            return False  # never given is already "no"
        now = timezone.now()
        if current is None:
            Consent.objects.create(customer=customer, channel=channel, granted=granted, updated_at=now)
        else:
            Consent.objects.filter(pk=current.pk).update(granted=granted, updated_at=now)
        ConsentChange.objects.create(
            customer=customer, channel=channel, granted=granted, source=source, changed_by=author(user), changed_at=now
        )
    return True


def consents_set(*, customer: Customer, values: dict[str, bool], source: str, user: Actor = None) -> int:
    """Record consent on several channels at once; return how many changed."""
    with transaction.atomic():
        return sum(
            consent_set(customer=customer, channel=channel, granted=granted, source=source, user=user)
            for channel, granted in values.items()
        )


# Queueing: messages and webhook deliveries


def _enqueue_delivery(run_after: datetime.datetime | None = None) -> None:
    from communications.tasks import deliver_outbox

    if run_after is None:
        deliver_outbox.enqueue()
    else:
        deliver_outbox.using(run_after=run_after).enqueue()


def customer_context(*, customer: Customer, points_change: int = 0, day: datetime.date | None = None) -> dict:
    """Return the placeholders' values for one customer (see communications.rendering.PLACEHOLDERS)."""
    return {
        "customer_name": customer.full_name,
        "membership_number": customer.membership_number or "",
        "points_change": points_change,
        "points_balance": customer.points_balance,
        "store_name": settings.STORE_NAME,
        "date": day or timezone.localdate(),
    }


def _message_for(*, template: MessageTemplate, event_key: str, customer: Customer | None, context: dict) -> Message:
    return Message(
        event_key=event_key[:100],
        event=template.event,
        customer=customer,
        channel=template.channel,
        template=template,
        subject=rendering.render(template.subject, context)[:200] if template.channel == Channel.EMAIL else "",
        body=rendering.render(template.body, context),
        max_attempts=MESSAGE_MAX_ATTEMPTS,
    )


def messages_queue(
    *,
    event: str,
    event_key: str,
    customers: Iterable[Customer],
    points_change: int = 0,
    day: datetime.date | None = None,
    templates: list[MessageTemplate] | None = None,
) -> int:
    """Queue the event's messages (one per active template, i.e. channel) for these customers.

    Queued again for the same event key, customer and channel, nothing more is written.
    Return how many messages were written.
    """
    if templates is None:
        templates = list(MessageTemplate.objects.filter(event=event, is_active=True))
    if not templates:
        return 0
    rows = [
        _message_for(
            template=template,
            event_key=event_key,
            customer=customer,
            context=customer_context(customer=customer, points_change=points_change, day=day),
        )
        for customer in customers
        for template in templates
    ]
    if not rows:
        return 0
    # Counted among these customers' messages only (their index), not the whole event's.
    mine = Message.objects.filter(event_key=event_key[:100], customer__in={row.customer_id for row in rows})
    with transaction.atomic():
        before = mine.count()
        Message.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        written = mine.count() - before
        if written:
            _enqueue_delivery()
    return written


def customer_data(*, customer: Customer) -> dict[str, Any]:
    """Return what webhooks tell about a customer."""
    return {
        "id": customer.pk,
        "membership_number": customer.membership_number,
        "full_name": customer.full_name,
        "username": customer.username,
        "email": customer.email,
        "phone_number": str(customer.phone_number) if customer.phone_number else "",
        "points_balance": customer.points_balance,
        "is_active": customer.is_active,
        "created_on": customer.created_on.isoformat() if customer.created_on else None,
        "updated_on": customer.updated_on.isoformat() if customer.updated_on else None,
    }


def webhook_payload(*, event: str, data: dict[str, Any], event_id: uuid.UUID | None = None) -> tuple[uuid.UUID, str]:
    """Return an event's id and its JSON body, exactly as it will be signed and sent."""
    event_id = event_id or uuid.uuid4()
    body = {"id": str(event_id), "event": event, "created_at": timezone.now().isoformat(), "data": data}
    return event_id, json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)


def _subscribed(event: str) -> list[WebhookSubscription]:
    return [s for s in WebhookSubscription.objects.filter(is_active=True) if event in (s.events or [])]


def webhooks_queue(
    *,
    event: str,
    data: dict[str, Any],
    customer_id: int | None = None,
    subscriptions: list[WebhookSubscription] | None = None,
) -> int:
    """Queue one delivery of the event to every active subscription that wants it; return how many."""
    if subscriptions is None:
        subscriptions = _subscribed(event)
    if not subscriptions:
        return 0
    event_id, body = webhook_payload(event=event, data=data)
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    subscription=subscription,
                    event_id=event_id,
                    event=event,
                    customer_id_value=customer_id,
                    body=body,
                    max_attempts=WEBHOOK_MAX_ATTEMPTS,
                )
                for subscription in subscriptions
            ]
        )
        _enqueue_delivery()
    return len(subscriptions)


def customer_created(*, customer: Customer) -> None:
    """A customer was created: the welcome messages and the customer.created webhooks."""
    messages_queue(event=Event.CUSTOMER_CREATED, event_key=f"customer:{customer.pk}", customers=[customer])
    webhooks_queue(event=WebhookEvent.CUSTOMER_CREATED, data=customer_data(customer=customer), customer_id=customer.pk)


def customer_updated(*, customer: Customer) -> None:
    webhooks_queue(event=WebhookEvent.CUSTOMER_UPDATED, data=customer_data(customer=customer), customer_id=customer.pk)


def customer_deleted(*, customer_id: int, membership_number: str | None, full_name: str) -> None:
    data = {"id": customer_id, "membership_number": membership_number, "full_name": full_name}
    webhooks_queue(event=WebhookEvent.CUSTOMER_DELETED, data=data, customer_id=customer_id)


def points_changed(*, entry: Any) -> None:
    """A points entry was booked: its event's messages (by kind) and the points.changed webhooks."""
    event = POINTS_EVENTS.get(entry.kind, Event.POINTS_ADJUSTED)
    templates = list(MessageTemplate.objects.filter(event=event, is_active=True))
    subscriptions = _subscribed(WebhookEvent.POINTS_CHANGED)
    if not templates and not subscriptions:
        return  # nothing to say: no further query on the points' hot path
    customer = Customer.objects.get(pk=entry.customer_id)
    customer.points_balance = entry.balance_after
    created = timezone.localdate(entry.created_at) if entry.created_at else None
    messages_queue(
        event=event,
        event_key=f"points-entry:{entry.pk}",
        customers=[customer],
        points_change=entry.points,
        day=created,
        templates=templates,
    )
    data = {
        "customer": customer_data(customer=customer),
        "entry": {
            "id": entry.pk,
            "kind": entry.kind,
            "points": entry.points,
            "balance_after": entry.balance_after,
            "reason": entry.reason,
            "reference": entry.reference,
            "created_at": entry.created_at.isoformat() if entry.created_at else None,
        },
    }
    webhooks_queue(event=WebhookEvent.POINTS_CHANGED, data=data, customer_id=customer.pk, subscriptions=subscriptions)


# Test sends from the settings screens


@transaction.atomic
def test_message_queue(*, channel: str, to: str, user: Actor = None) -> Message:
    """Queue a one-off test message to a typed address or number; tried once, its answer shown."""
    texts = {
        Channel.EMAIL: _("This is a test email from %(store)s's back office."),
        Channel.SMS: _("Test SMS from %(store)s."),
        Channel.WHATSAPP: "",
    }
    message = Message.objects.create(
        event_key=f"test:{uuid.uuid4()}",
        event=Event.TEST,
        channel=channel,
        to=to,
        subject=_("Test message") if channel == Channel.EMAIL else "",
        body=texts[Channel(channel)] % {"store": settings.STORE_NAME} if texts[Channel(channel)] else "",
        max_attempts=1,
    )
    _enqueue_delivery()
    return message


@transaction.atomic
def subscription_save(*, subscription: WebhookSubscription, secret: str = "") -> WebhookSubscription:
    """Create or change a webhook; an empty `secret` keeps the stored one (a new webhook needs one)."""
    if secret:
        subscription.secret_encrypted = secrets.encrypt(secret)
    if not subscription.secret_encrypted:
        raise ValidationError({"secret": _("Give the secret the receiver checks signatures with.")})
    unknown = [event for event in subscription.events if event not in WebhookEvent.values]
    if not subscription.events or unknown:
        raise ValidationError({"events": _("Choose at least one event.")})
    subscription.full_clean()
    if not subscription.url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": _("The URL must start with http:// or https://.")})
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription) -> None:
    subscription.delete()


def webhook_test_queue(*, subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a sample payload (event "webhook.test") to one webhook, whatever events it has."""
    sample = {
        "message": "This is a test from the O2VEND back office.",
        "customer": {"id": 0, "membership_number": "CUS00000", "full_name": "Test Customer", "points_balance": 0},
    }
    event_id, body = webhook_payload(event="webhook.test", data=sample)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event_id=event_id, event="webhook.test", body=body, max_attempts=1
        )
        _enqueue_delivery()
    return delivery


# Date-driven messages and campaigns


def _on_day(field: str, day: datetime.date) -> QuerySet[Customer]:
    customers = Customer.objects.filter(is_active=True)
    matches = customers.filter(**{f"{field}__month": day.month, f"{field}__day": day.day})
    if day.month == 2 and day.day == 28 and not _is_leap(day.year):
        matches = customers.filter(
            **{f"{field}__month": 2, f"{field}__day__in": [28, 29]}
        )  # a 29 February birthday is kept on the 28th in other years
    return matches


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _points_expiring_on(day: datetime.date) -> list[tuple[Customer, int]]:
    """Ask loyalty which customers have points expiring on `day`, when it can tell.

    The reward-points program offers `loyalty.selectors.points_expiring_on(day=...)`, returning
    (customer, points) pairs; without it no points-expiring messages are queued.
    """
    from loyalty import selectors as loyalty_selectors

    source = getattr(loyalty_selectors, "points_expiring_on", None)
    return list(source(day=day)) if source is not None else []


def scheduled_messages_queue(*, day: datetime.date) -> dict[str, int]:
    """Queue the birthday, anniversary and points-expiring messages of a day; again, nothing more."""
    counts = {}
    for event, field in ((Event.BIRTHDAY, "birthday"), (Event.ANNIVERSARY, "anniversary")):
        written = 0
        customers = _on_day(field, day).order_by("pk")
        for start in range(0, customers.count(), 1000):
            chunk = list(customers[start : start + 1000])
            written += messages_queue(event=event, event_key=f"{event}:{day.isoformat()}", customers=chunk, day=day)
        counts[str(event)] = written
    expiring = 0
    for customer, points in _points_expiring_on(day):
        expiring += messages_queue(
            event=Event.POINTS_EXPIRING,
            event_key=f"{Event.POINTS_EXPIRING}:{day.isoformat()}",
            customers=[customer],
            points_change=-abs(points),
            day=day,
        )
    counts[str(Event.POINTS_EXPIRING)] = expiring
    return counts


def scheduled_messages_job(run: JobRun) -> dict[str, Any]:
    """The daily job: the day's birthday, anniversary and points-expiring messages."""
    day = datetime.date.fromisoformat(run.params.get("day") or timezone.localdate().isoformat())
    return {"day": day.isoformat(), **scheduled_messages_queue(day=day)}


def campaign_start(*, template: MessageTemplate, filters: QueryDict, user: Actor) -> Any:
    """Start the job that queues one template to every customer of the list's filter result."""
    params = {
        "template": template.pk,
        "filters": {key: filters.getlist(key) for key in filters},
        "user": getattr(user, "pk", None),
    }
    return job_start(
        kind="communications.services.campaign_job",
        title=_("Message customers: %(template)s") % {"template": template},
        owner=user,
        params=params,
    )


def campaign_job(run: JobRun) -> dict[str, Any]:
    """Queue the campaign's messages, 1,000 customers at a time, with progress."""
    from customers.selectors import customer_list

    template = MessageTemplate.objects.filter(pk=run.params["template"]).first()
    if template is None:
        raise JobError(_("The template was deleted before the messages were queued."))
    user = get_user_model().objects.filter(pk=run.params["user"]).first()
    if user is None:
        raise JobError(_("The login that started this campaign no longer exists."))
    filters = QueryDict(mutable=True)
    for key, values in run.params["filters"].items():
        filters.setlist(key, values)
    ids = list(customer_list(filters=filters, user=user).order_by().values_list("pk", flat=True))
    total = len(ids)
    run.progress(done=0, total=total, force=True)
    queued = 0
    for start in range(0, total, 1000):
        chunk = list(Customer.objects.filter(pk__in=ids[start : start + 1000]).order_by("pk"))
        queued += messages_queue(
            event=template.event, event_key=f"campaign:{run.job.pk}", customers=chunk, templates=[template]
        )
        run.progress(done=min(start + 1000, total))
    return {"rows": total, "queued": queued}


# Sending (the worker)


def _backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.COMMUNICATIONS_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return min(datetime.timedelta(seconds=seconds), MAX_BACKOFF)


def _address(*, message: Message) -> str:
    customer = message.customer
    if customer is None:
        return message.to
    if message.channel == Channel.EMAIL:
        return customer.email or ""
    return str(customer.phone_number.as_e164).lstrip("+") if customer.phone_number else ""


def _skip_reason(*, message: Message, consented: set[tuple[int, str]], configs: dict[str, Any]) -> str:
    """Return why a message must not be sent ("" when it may be)."""
    channel = Channel(message.channel)
    config = configs[channel]
    if not config.enabled:
        return _("%(channel)s is switched off in Settings → Communication.") % {"channel": channel.label}
    if message.customer_id is None and message.event != Event.TEST:
        return _("The customer was deleted.")
    if message.customer_id is not None and (message.customer_id, channel.value) not in consented:
        return _("No consent for %(channel)s.") % {"channel": channel.label}
    if not _address(message=message):
        kind = _("email address") if channel == Channel.EMAIL else _("phone number")
        return _("No %(kind)s.") % {"kind": kind}
    return ""


def _send(*, message: Message, configs: dict[str, Any], smtp: providers.SmtpSender) -> providers.Outcome:
    to = _address(message=message)
    if message.channel == Channel.EMAIL:
        return smtp.send(to=to, subject=message.subject, body=message.body)
    template = message.template
    if message.channel == Channel.SMS:
        return providers.sms_send(
            config=configs[Channel.SMS],
            to=to,
            text=message.body,
            template_id=template.dlt_template_id if template else "",
        )
    name = template.whatsapp_name if template else settings.COMMUNICATIONS_WHATSAPP_TEST_TEMPLATE
    language = template.whatsapp_language if template else "en_US"
    parameters = [line for line in message.body.splitlines() if line.strip()]
    return providers.whatsapp_send(
        config=configs[Channel.WHATSAPP], to=to, name=name, language=language, parameters=parameters
    )


def _record(*, row: Message | WebhookDelivery, outcome: providers.Outcome, now: datetime.datetime) -> None:
    """Write an attempt's outcome: sent, or queued again after a backoff, or failed after the last attempt."""
    changes: dict[str, Any] = {"claim": "", "error": "" if outcome.ok else (outcome.answer or outcome.status)}
    if outcome.ok:
        changes.update(state=DeliveryState.SENT, sent_at=now)
    elif row.attempts >= row.max_attempts:
        changes.update(state=DeliveryState.FAILED)
    else:
        changes.update(state=DeliveryState.QUEUED, next_attempt_at=now + _backoff(row.attempts))
    if isinstance(row, Message):
        changes["to"] = _address(message=row)
        if outcome.ok:
            changes["provider_message_id"] = outcome.provider_id[:200]
        Message.objects.filter(pk=row.pk, claim=row.claim).update(**changes)
        owner: dict[str, Message | WebhookDelivery] = {"message": row}
    else:
        changes["response_status"] = int(outcome.status) if outcome.status.isdigit() else None
        WebhookDelivery.objects.filter(pk=row.pk, claim=row.claim).update(**changes)
        owner = {"delivery": row}
    DeliveryAttempt.objects.create(
        **owner,
        number=row.attempts,
        at=now,
        ok=outcome.ok,
        status=outcome.status[:20],
        answer=outcome.answer,
        duration_ms=outcome.duration_ms,
    )


def _claim(model: type[Message] | type[WebhookDelivery], now: datetime.datetime) -> list:
    """Take up to BATCH_SIZE due rows for this worker: queued ones, and "sending" ones whose worker stopped."""
    model.objects.filter(state=DeliveryState.SENDING, next_attempt_at__lt=now - LEASE).update(
        state=DeliveryState.QUEUED, claim=""
    )
    due = list(
        model.objects.filter(state=DeliveryState.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )
    if not due:
        return []
    claim = uuid.uuid4().hex
    model.objects.filter(pk__in=due, state=DeliveryState.QUEUED).update(
        state=DeliveryState.SENDING, claim=claim, attempts=F("attempts") + 1, next_attempt_at=now
    )
    related = ("customer", "template") if model is Message else ("subscription",)
    return list(model.objects.filter(claim=claim).select_related(*related).order_by("pk"))


def _deliver_messages(now: datetime.datetime) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    messages = _claim(Message, now)
    if not messages:
        return counts
    configs: dict[str, Any] = {
        Channel.EMAIL: EmailSettings.load(),
        Channel.SMS: SmsSettings.load(),
        Channel.WHATSAPP: WhatsAppSettings.load(),
    }
    customer_ids = {message.customer_id for message in messages if message.customer_id}
    consented = set(
        Consent.objects.filter(customer_id__in=customer_ids, granted=True).values_list("customer_id", "channel")
    )
    smtp = providers.SmtpSender(configs[Channel.EMAIL])
    try:
        for message in messages:
            reason = _skip_reason(message=message, consented=consented, configs=configs)
            if reason:
                Message.objects.filter(pk=message.pk, claim=message.claim).update(
                    state=DeliveryState.SKIPPED, error=reason, claim="", attempts=F("attempts") - 1
                )
                counts["skipped"] += 1
                continue
            outcome = _send(message=message, configs=configs, smtp=smtp)
            _record(row=message, outcome=outcome, now=timezone.now())
            counts["sent" if outcome.ok else "failed"] += 1
    finally:
        smtp.close()
    return counts


def _deliver_webhooks(now: datetime.datetime) -> dict[str, int]:
    counts = {"delivered": 0, "failed": 0}
    for delivery in _claim(WebhookDelivery, now):
        outcome = providers.webhook_post(
            url=delivery.subscription.url, body=delivery.body, secret=delivery.subscription.secret
        )
        _record(row=delivery, outcome=outcome, now=timezone.now())
        counts["delivered" if outcome.ok else "failed"] += 1
    return counts


def _schedule_next() -> None:
    """Queue the task again for the earliest retry, unless one is already queued for then or sooner."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult, get_date_max

    from communications.tasks import deliver_outbox

    waiting = [
        model.objects.filter(state=DeliveryState.QUEUED).aggregate(first=Min("next_attempt_at"))["first"]
        for model in (Message, WebhookDelivery)
    ]
    due = min((moment for moment in waiting if moment is not None), default=None)
    if due is None:
        return
    already = DBTaskResult.objects.filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=max(due, timezone.now())),
        task_path=deliver_outbox.module_path,
        status="READY",
    ).exists()
    if not already:
        _enqueue_delivery(run_after=max(due, timezone.now()))


def outbox_deliver() -> dict[str, int]:
    """Send what is due: messages and webhook deliveries, a batch at a time; then plan the next retry."""
    totals: dict[str, int] = {}
    for _batch in range(BATCHES_PER_TASK):
        counts = {**_deliver_messages(timezone.now()), **_deliver_webhooks(timezone.now())}
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if not any(counts.values()):
            break
    _schedule_next()
    return totals
