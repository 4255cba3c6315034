"""What communications adds to the customer screens, through customers.extensions."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Max, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils.translation import gettext_lazy as _

from communications.models import Channel, Consent, ConsentSource


class ConsentForm(forms.Form):
    """The customer form's "Communication consent" section, with the consent history under it."""

    title = _("Communication consent")
    template = "communications/_consent_history.html"

    def __init__(self, data=None, *, prefix, customer, user):
        from communications import selectors

        super().__init__(data, prefix=prefix)
        self.customer = customer
        current = selectors.consent_of(customer=customer) if customer else {}
        labels = {
            Channel.EMAIL: _("Messages by mail"),
            Channel.SMS: _("Messages by SMS"),
            Channel.WHATSAPP: _("Messages by WhatsApp"),
        }
        for channel in Channel:
            self.fields[channel.value] = forms.BooleanField(
                label=labels[channel], required=False, initial=current.get(channel.value, False)
            )
        self.fields[Channel.EMAIL].help_text = _("To the email address.")
        self.history = list(selectors.consent_history(customer=customer)[:20]) if customer else []

    def save(self, *, customer, user) -> None:
        from communications import services

        values = {channel: self.cleaned_data[channel] for channel in Channel.values}
        if self.customer is None and not any(values.values()):
            return  # a new customer without any consent: no history to write
        services.consents_set(customer=customer, values=values, source=ConsentSource.FORM, user=user)


CONSENT_HEADER = "Consent"
CHANNEL_WORDS = {"email": Channel.EMAIL, "sms": Channel.SMS, "whatsapp": Channel.WHATSAPP}


def consent_export():
    """The consent cell as SQL: the channels with consent, in their order, joined by ";" ("email;sms"), or "".

    One subquery per customer, a third of the cost of one per channel: for each channel, ";name"
    when one of the customer's granted rows is for it (MAX over the rows, else ""), the channels
    concatenated in their order and the leading ";" cut off.
    """
    named = [
        Max(Case(When(channel=channel, then=Value(f";{channel}")), default=Value(""))) for channel in Channel.values
    ]
    granted = Consent.objects.filter(customer=OuterRef("pk"), granted=True).order_by().values("customer")
    channels = granted.annotate(channels=Concat(*named, output_field=CharField())).values("channels")
    return Coalesce(Substr(Subquery(channels), 2), Value(""))  # a customer without consent rows: ""


def consent_parse(text: str) -> dict[str, bool] | None:
    """Read a consent cell ("email;sms"): the channels named have consent, the others not.

    "none" withdraws every consent; an empty cell leaves the stored consent as it is (None).
    """
    if not (text or "").strip():
        return None
    if text.strip().lower() == "none":
        return dict.fromkeys(Channel.values, False)
    named = [part.strip().lower() for part in text.replace(",", ";").split(";") if part.strip()]
    unknown = [part for part in named if part not in CHANNEL_WORDS]
    if unknown:
        raise ValidationError(
            _("Unknown channel “%(value)s” in consent; use email, sms and whatsapp, separated by ;, or none.")
            % {"value": unknown[0]}
        )
    return {channel: channel in named for channel in Channel.values}


def consent_read(cells: dict, matched, memo: dict) -> tuple[dict[str, bool] | None, dict[str, str]]:
    """Read an import row's Consent cell (see customers.extensions.ImportExtra)."""
    try:
        return consent_parse(str(cells["consent"] or "")), {}
    except ValidationError as error:
        return None, {"consent": " ".join(error.messages)}


def consent_apply(rows: list, user) -> None:
    """Set the imported consents, in the import's transaction."""
    from communications import services

    for customer, value in rows:
        services.consents_set(customer=customer, values=value, source=ConsentSource.IMPORT, user=user)


def register() -> None:
    from customers.extensions import (
        CustomerColumn,
        CustomerFormSection,
        CustomerListAction,
        ImportExtra,
        add_customer_column,
        add_customer_form_section,
        add_customer_list_action,
        add_import_extra,
    )

    add_customer_form_section(CustomerFormSection(key="consent", form_class=ConsentForm))
    add_customer_list_action(
        CustomerListAction(
            label=_("Message these customers"),
            url_name="communications:campaign",
            permission="communications.send_campaign",
        )
    )
    add_customer_column(CustomerColumn(header=CONSENT_HEADER, export=consent_export))
    add_import_extra(ImportExtra(headers={"consent": CONSENT_HEADER}, read=consent_read, apply=consent_apply))
