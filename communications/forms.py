"""Input of the communication screens; no side effects."""

import phonenumbers
from django import forms
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from communications import providers
from communications.models import (
    Channel,
    DeliveryState,
    EmailSettings,
    Event,
    MessageTemplate,
    SmsSettings,
    WebhookEvent,
    WebhookSubscription,
    WhatsAppSettings,
)


def https_urls(field, **kwargs):
    """Build a model field's form field; an address typed without a scheme is taken as https."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


SECRET_KEPT = _("One is stored (not shown). Leave empty to keep it; type a new one to replace it.")
SECRET_NONE = _("None stored yet.")


class SecretMixin:
    """A password-like field that is never shown back; empty keeps the stored secret."""

    secret_name = ""
    secret_label = ""
    stored_attribute = ""

    def add_secret_field(self):
        stored = bool(getattr(self.instance, self.stored_attribute, ""))
        self.fields[self.secret_name] = forms.CharField(
            label=self.secret_label,
            required=False,
            strip=False,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            help_text=SECRET_KEPT if stored else SECRET_NONE,
        )


class EmailSettingsForm(SecretMixin, forms.ModelForm):
    secret_name, secret_label, stored_attribute = "password", _("Password"), "password_encrypted"

    class Meta:
        model = EmailSettings
        fields = ("enabled", "host", "port", "security", "username", "from_address")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_secret_field()

    def clean(self):
        data = super().clean()
        if data.get("enabled"):
            for name in ("host", "from_address"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed to send email."))
        return data


class SmsSettingsForm(SecretMixin, forms.ModelForm):
    secret_name, secret_label, stored_attribute = "api_key", _("API key"), "api_key_encrypted"

    class Meta:
        model = SmsSettings
        formfield_callback = https_urls
        fields = ("enabled", "url", "method", "body_template", "headers", "sender_id", "entity_id")
        widgets = {"body_template": forms.Textarea(attrs={"rows": 3}), "headers": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_secret_field()

    def clean_headers(self):
        text = self.cleaned_data.get("headers", "")
        try:
            providers.parse_headers(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return text

    def clean_body_template(self):
        text = self.cleaned_data.get("body_template", "")
        allowed = {"to": "", "text": "", "sender": "", "template_id": "", "entity_id": "", "api_key": ""}
        try:
            text.format_map(allowed)
        except KeyError as error:
            raise forms.ValidationError(
                _(
                    "Unknown placeholder {%(name)s}. Allowed: {to}, {text}, {sender}, {template_id}, "
                    "{entity_id}, {api_key}."
                )
                % {"name": error.args[0]}
            ) from None
        except (ValueError, IndexError):
            raise forms.ValidationError(_("Write placeholders as {to}; a literal brace as {{ or }}.")) from None
        return text

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not data.get("url") and "url" not in self.errors:
            self.add_error("url", _("Needed to send SMS."))
        return data


class WhatsAppSettingsForm(SecretMixin, forms.ModelForm):
    secret_name, secret_label, stored_attribute = "access_token", _("Access token"), "access_token_encrypted"

    class Meta:
        model = WhatsAppSettings
        formfield_callback = https_urls
        fields = ("enabled", "api_base_url", "phone_number_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_secret_field()

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not data.get("phone_number_id") and "phone_number_id" not in self.errors:
            self.add_error("phone_number_id", _("Needed to send WhatsApp messages."))
        return data


def phone_for_sending(value: str) -> str:
    """Return a typed phone number in international digits (no +), or raise ValidationError."""
    from django.conf import settings

    try:
        number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(
            _("“%(value)s” is not a phone number; type it with its country code, e.g. +91 98765 43210."),
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


class TestSendForm(forms.Form):
    to = forms.CharField(label=_("Send a test to"), max_length=254)

    def __init__(self, *args, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.fields["to"].help_text = (
            _("An email address.") if channel == Channel.EMAIL else _("A mobile number with its country code.")
        )
        if channel == Channel.EMAIL:
            self.fields["to"].widget = forms.EmailInput()

    def clean_to(self):
        value = self.cleaned_data["to"].strip()
        if self.channel == Channel.EMAIL:
            validate_email(value)
            return value
        return phone_for_sending(value)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = (
            "event",
            "channel",
            "subject",
            "body",
            "dlt_template_id",
            "whatsapp_name",
            "whatsapp_language",
            "is_active",
        )
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [(e.value, e.label) for e in Event if e != Event.TEST]
        self.fields["body"].help_text = _(
            "Placeholders such as {{ customer_name }}. For WhatsApp: one line per parameter of the approved "
            "template, in order ({{1}}, {{2}} …)."
        )


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = WebhookSubscription
        formfield_callback = https_urls
        fields = ("name", "url", "events", "is_active")
        widgets = {"url": forms.TextInput(attrs={"inputmode": "url"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].help_text = _("Where the events are POSTed: an http:// or https:// address.")
        self.fields["url"].error_messages["invalid"] = _("Enter a web address starting with http:// or https://.")
        stored = bool(self.instance.secret_encrypted)
        self.fields["secret"].help_text = (
            SECRET_KEPT if stored else _("The receiver checks the X-O2VEND-Signature header with it.")
        )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("The URL must start with http:// or https://."))
        return url


class LogFilterForm(forms.Form):
    KIND_WEBHOOK = "webhook"
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices, (KIND_WEBHOOK, _("Webhook"))]
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *DeliveryState.choices])
    event = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[
            ("", _("All")),
            *Event.choices,
            *[(e.value, e.label) for e in WebhookEvent if e.value not in Event.values],
        ],
    )
    customer = forms.CharField(label=_("Customer"), required=False, help_text=_("Name, membership number or id."))


class CampaignForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=MessageTemplate.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.filter(is_active=True).exclude(event=Event.TEST)
