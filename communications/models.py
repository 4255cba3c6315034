"""Channel settings, templates, consent, the outbox and webhooks."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communications import secrets


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Event(models.TextChoices):
    CUSTOMER_CREATED = "customer.created", _("Customer created (welcome)")
    POINTS_ADJUSTED = "points.adjusted", _("Points adjusted")
    POINTS_EARNED = "points.earned", _("Points earned")
    POINTS_REDEEMED = "points.redeemed", _("Points redeemed")
    POINTS_REVERSED = "points.reversed", _("Points reversed")
    BIRTHDAY = "birthday", _("Birthday")
    ANNIVERSARY = "anniversary", _("Anniversary")
    POINTS_EXPIRING = "points.expiring", _("Points expiring")
    CAMPAIGN = "campaign", _("Campaign (sent from the customer list)")
    TEST = "test", _("Test message")


class SingletonSettings(models.Model):
    """One row of settings per channel (pk 1)."""

    enabled = models.BooleanField(_("enabled"), default=False, help_text=_("Messages on this channel are sent."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @classmethod
    def load(cls):
        """Return the settings row, or (never saved yet) the defaults, unsaved: reading writes nothing."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class EmailSettings(SingletonSettings):
    class Security(models.TextChoices):
        NONE = "none", _("None")
        STARTTLS = "starttls", _("STARTTLS")
        SSL = "ssl", _("SSL/TLS")

    host = models.CharField(_("SMTP host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), default=587)
    security = models.CharField(_("security"), max_length=8, choices=Security.choices, default=Security.STARTTLS)
    username = models.CharField(_("user name"), max_length=255, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)
    from_address = models.EmailField(_("from address"), blank=True)

    class Meta:
        verbose_name = _("email settings")
        verbose_name_plural = _("email settings")

    def __str__(self):
        return str(_("Email settings"))

    @property
    def password(self) -> str:
        return secrets.decrypt(self.password_encrypted)


class SmsSettings(SingletonSettings):
    class Method(models.TextChoices):
        GET = "GET", "GET"
        POST = "POST", "POST"

    url = models.URLField(_("gateway URL"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=4, choices=Method.choices, default=Method.POST)
    body_template = models.TextField(
        _("body or query template"),
        blank=True,
        help_text=_(
            "The POST body, or the query string for GET, with {to}, {text}, {sender}, {template_id}, "
            "{entity_id} and {api_key}, e.g. to={to}&msg={text}&sender={sender}."
        ),
    )
    headers = models.TextField(
        _("extra headers"), blank=True, help_text=_("One per line, as Name: value. {api_key} may be used.")
    )
    sender_id = models.CharField(_("sender id (header)"), max_length=20, blank=True)
    entity_id = models.CharField(_("DLT principal entity id"), max_length=40, blank=True)
    api_key_encrypted = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("SMS settings")
        verbose_name_plural = _("SMS settings")

    def __str__(self):
        return str(_("SMS settings"))

    @property
    def api_key(self) -> str:
        return secrets.decrypt(self.api_key_encrypted)


WHATSAPP_DEFAULT_API = "https://graph.facebook.com/v21.0"


class WhatsAppSettings(SingletonSettings):
    api_base_url = models.URLField(_("API base URL"), max_length=500, default=WHATSAPP_DEFAULT_API)
    phone_number_id = models.CharField(_("phone number id"), max_length=40, blank=True)
    access_token_encrypted = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("WhatsApp settings")
        verbose_name_plural = _("WhatsApp settings")

    def __str__(self):
        return str(_("WhatsApp settings"))

    @property
    def access_token(self) -> str:
        return secrets.decrypt(self.access_token_encrypted)


class MessageTemplate(models.Model):
    """What one event says on one channel."""

    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True, help_text=_("Email only."))
    body = models.TextField(_("body"))
    dlt_template_id = models.CharField(_("DLT template id"), max_length=40, blank=True, help_text=_("SMS only."))
    whatsapp_name = models.CharField(
        _("WhatsApp template name"), max_length=100, blank=True, help_text=_("The approved template's name.")
    )
    whatsapp_language = models.CharField(_("WhatsApp language code"), max_length=10, blank=True, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        ordering = ["event", "channel", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"],
                name="template_event_channel_unique",
                violation_error_message=_("This event already has a template on this channel."),
            )
        ]

    def __str__(self):
        return f"{self.get_event_display()} – {self.get_channel_display()}"

    def clean(self):
        from communications.rendering import template_check

        errors = {}
        for field in ("subject", "body"):
            try:
                template_check(getattr(self, field) or "")
            except ValidationError as error:
                errors[field] = error.messages
        if self.channel == Channel.EMAIL and not (self.subject or "").strip():
            errors.setdefault("subject", _("An email needs a subject."))
        if self.channel == Channel.WHATSAPP:
            if not self.whatsapp_name.strip():
                errors["whatsapp_name"] = _("Name the approved WhatsApp template.")
            if not self.whatsapp_language.strip():
                errors["whatsapp_language"] = _("Give the template's language code, e.g. en or en_US.")
        if errors:
            raise ValidationError(errors)


class ConsentSource(models.TextChoices):
    FORM = "form", _("Customer form")
    IMPORT = "import", _("Import")
    REQUEST = "request", _("Customer's request")


class Consent(models.Model):
    """A customer's current yes or no on one channel (the latest ConsentChange)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("consent"))
    updated_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        constraints = [models.UniqueConstraint(fields=["customer", "channel"], name="consent_customer_channel_unique")]
        indexes = [models.Index(fields=["channel", "granted", "customer"], name="consent_channel_granted_idx")]

    def __str__(self):
        return f"{self.customer_id} {self.channel}: {self.granted}"


class ConsentChange(models.Model):
    """One change of consent: when, how and by whom; kept for good."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="consent_changes")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("consent"))
    source = models.CharField(_("how"), max_length=10, choices=ConsentSource.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("consent change")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.customer_id} {self.channel}: {self.granted} ({self.source})"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Message(models.Model):
    """One message in the outbox: queued with the change that caused it, sent by a worker."""

    event_key = models.CharField(max_length=100, help_text="What caused it; one message per key, customer and channel.")
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    template = models.ForeignKey(MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to = models.CharField(_("to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    state = models.CharField(_("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    error = models.TextField(_("error or reason"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message")
        permissions = [("send_campaign", _("Can message many customers from the customer list"))]
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "customer", "channel"],
                condition=Q(customer__isnull=False),
                name="message_one_per_event_customer_channel",
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["customer", "-created_at"], name="message_customer_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.to or '–'} ({self.get_state_display()})"


class WebhookEvent(models.TextChoices):
    CUSTOMER_CREATED = "customer.created", "customer.created"
    CUSTOMER_UPDATED = "customer.updated", "customer.updated"
    CUSTOMER_DELETED = "customer.deleted", "customer.deleted"
    POINTS_CHANGED = "points.changed", "points.changed"


class WebhookSubscription(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret_encrypted = models.TextField(blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def secret(self) -> str:
        return secrets.decrypt(self.secret_encrypted)


class WebhookDelivery(models.Model):
    """One event POSTed to one subscription: the exact body signed and sent, and how it went."""

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    event = models.CharField(_("event"), max_length=20)
    customer_id_value = models.BigIntegerField(_("customer id"), null=True, blank=True, db_index=True)
    body = models.TextField()
    state = models.CharField(_("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(default=8)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    response_status = models.PositiveSmallIntegerField(_("answer status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once_per_event")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due_idx")]

    def __str__(self):
        return f"{self.event} → {self.subscription_id} ({self.state})"


class DeliveryAttempt(models.Model):
    """One try at sending a message or a webhook delivery, with the provider's answer."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attempt_log")
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, null=True, blank=True, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    ok = models.BooleanField(_("ok"))
    status = models.CharField(_("status"), max_length=20, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    duration_ms = models.PositiveIntegerField(_("took (ms)"), default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"#{self.number} {'ok' if self.ok else 'failed'}"
