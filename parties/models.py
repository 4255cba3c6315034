"""What customers, suppliers and branches share, and the masters they point to."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from parties import geo, gstin

INDIAN_POSTAL_CODE = re.compile(r"^[1-9][0-9]{5}$")


class MasterRecord(models.Model):
    """A named row that parties are assigned to: a group, an agent, a rule..."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_on = models.DateTimeField(_("created on"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="%(app_label)s_%(class)s_name_ci_unique",
                violation_error_message=_("A record with this name already exists."),
            )
        ]

    def __str__(self):
        return self.name if self.is_active else _("%(name)s (inactive)") % {"name": self.name}


class PartyAddress(models.Model):
    """Address and contact fields, with the rules that go with them."""

    country = CountryField(_("country"), default="IN")
    state_or_province = models.CharField(_("state or province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address_line1 = models.CharField(_("address line 1"), max_length=255, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_phone = PhoneNumberField(_("phone"), blank=True)

    class Meta:
        abstract = True

    @property
    def state_name(self) -> str:
        """Return the state or province as a person reads it."""
        return geo.state_name(self.country.code, self.state_or_province)

    def clean_address(self) -> dict[str, str]:
        """Normalise the address in place and return the errors found, by field."""
        errors = {}
        country = self.country.code if self.country else ""
        for field in ("state_or_province", "postal_code", "city", "address_line1", "address_line2", "contact_name"):
            setattr(self, field, (getattr(self, field) or "").strip())
        if self.state_or_province and geo.has_subdivisions(country):
            code = geo.state_code(country, self.state_or_province)
            if code is None:
                errors["state_or_province"] = _("“%(value)s” is not a state or province of %(country)s.") % {
                    "value": self.state_or_province,
                    "country": self.country.name,
                }
            else:
                self.state_or_province = code
        self.postal_code = " ".join(self.postal_code.split())
        if country == "IN" and self.postal_code:
            self.postal_code = self.postal_code.replace(" ", "")
            if not INDIAN_POSTAL_CODE.match(self.postal_code):
                errors["postal_code"] = _("An Indian PIN code has 6 digits and does not start with 0, e.g. 600001.")
        return errors

    def clean_gstin(self, field: str) -> dict[str, str]:
        """Normalise the GSTIN held in `field` and return its errors (India only)."""
        number = gstin.compact(getattr(self, field) or "")
        setattr(self, field, number)
        country = self.country.code if self.country else ""
        if not number or country != "IN":
            return {}
        try:
            gstin.validate(number)
        except gstin.GSTINError as error:
            return {field: str(error)}
        registered_in = gstin.state_of(number)
        if self.state_or_province and registered_in and self.state_or_province != registered_in:
            return {
                field: _(
                    "This GSTIN is registered in %(gst_state)s (code %(code)s), but the state chosen is %(state)s."
                )
                % {
                    "gst_state": geo.state_name("IN", registered_in),
                    "code": number[:2],
                    "state": geo.state_name("IN", self.state_or_province),
                }
            }
        return {}


class Agent(MasterRecord):
    """A sales or relationship employee that customers are assigned to."""

    code = models.CharField(_("code"), max_length=30, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta(MasterRecord.Meta):
        verbose_name = _("agent")


class CreditRule(MasterRecord):
    """How many days a customer may take to pay (or to return goods)."""

    credit_days = models.PositiveIntegerField(_("credit days"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta(MasterRecord.Meta):
        verbose_name = _("credit rule")


class Affiliate(MasterRecord):
    """A referral partner a customer came through."""

    comment = models.TextField(_("comment"), blank=True)

    class Meta(MasterRecord.Meta):
        verbose_name = _("affiliate")


def raise_errors(errors: dict) -> None:
    """Raise a ValidationError for the collected field errors, if any."""
    if errors:
        raise ValidationError(errors)
