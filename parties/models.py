"""What customers, suppliers and branches share, and the masters they point to."""

import re
from decimal import Decimal

import pytz
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy as ngettext
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from parties import geo, gstin

INDIAN_POSTAL_CODE = re.compile(r"^[1-9][0-9]{5}$")


def optional_fk(to, verbose_name, *, related_name: str, on_delete=models.PROTECT) -> models.ForeignKey:
    """Return an optional link to a master; PROTECT keeps a used master from being deleted."""
    return models.ForeignKey(
        to, verbose_name=verbose_name, on_delete=on_delete, null=True, blank=True, related_name=related_name
    )


class MasterRecord(models.Model):
    """A named row that parties are assigned to: a group, an agent, a rule..."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_on = models.DateTimeField(_("created on"), default=dj_timezone.now, editable=False, db_index=True)

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


def default_timezone() -> str:
    return settings.TIME_ZONE


class Party(PartyAddress):
    """What customers and suppliers share: names, contact, tax number, credit rule, status.

    Subclasses list their unique text fields in `unique_fields` (user name
    first); clean() normalises a row and names any clash with another row.
    """

    full_name = models.CharField(_("full name"), max_length=150)
    alias_name = models.CharField(_("alias name"), max_length=150, blank=True)
    username = models.CharField(
        _("user name"), max_length=150, blank=True, help_text=_("Filled from the full name when left blank.")
    )
    email = models.EmailField(_("email"), blank=True)
    phone_number = PhoneNumberField(_("phone number"), blank=True, db_index=True)
    tax_number = models.CharField(_("tax number"), max_length=20, blank=True, help_text=_("GSTIN for Indian parties."))
    timezone = models.CharField(_("timezone"), max_length=64, default=default_timezone)
    credit_rule = optional_fk("parties.CreditRule", _("credit rule"), related_name="%(class)ss")
    is_active = models.BooleanField(_("active"), default=True)
    created_on = models.DateTimeField(_("created on"), default=dj_timezone.now, editable=False)
    updated_on = models.DateTimeField(_("updated on"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    unique_fields: tuple[str, ...] = ("username",)

    class Meta:
        abstract = True

    def __str__(self):
        return self.full_name

    def clean(self):
        errors = self.clean_values()
        errors.update(self.clashes())
        if errors:
            raise ValidationError(errors)

    def clean_values(self) -> dict[str, str]:
        """Normalise this row's values and return the errors found, without looking at other rows."""
        errors = self.clean_address()
        self.full_name = " ".join((self.full_name or "").split())
        self.alias_name = (self.alias_name or "").strip()
        self.username = (self.username or "").strip()
        if self.timezone not in pytz.all_timezones_set:
            errors["timezone"] = _("Choose a timezone from the list.")
        errors.update(self.clean_gstin("tax_number"))
        return errors

    def clashes(self) -> dict[str, str]:
        """Return an error for each unique field whose value another row already has."""
        errors = {}
        others = type(self).objects.exclude(pk=self.pk) if self.pk else type(self).objects.all()
        for field in self.unique_fields:
            value = getattr(self, field)
            if not value:
                continue
            clash = others.filter(**{f"{field}__lower": value.lower()}).only("full_name").first()
            if clash:
                label = self._meta.get_field(field).verbose_name
                errors[field] = _("The %(label)s “%(value)s” is already used by %(name)s.") % {
                    "label": label,
                    "value": value,
                    "name": clash.full_name,
                }
        return errors

    @property
    def net_opening_balance(self) -> Decimal:
        """Return receivable minus payable opening balances over all branches."""
        return sum((balance.signed_amount for balance in self.opening_balances.all()), Decimal(0))


PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class Agent(MasterRecord):
    """A sales or relationship employee that customers are assigned to."""

    code = models.CharField(_("code"), max_length=30, blank=True, help_text=_("Given automatically when left blank."))
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    commission_percent = models.DecimalField(
        _("commission %"), max_digits=5, decimal_places=2, default=0, validators=PERCENT_VALIDATORS
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent",
        help_text=_("The staff login of this agent, if they use the back office."),
    )

    history = HistoricalRecords()

    class Meta(MasterRecord.Meta):
        verbose_name = _("agent")
        constraints = [
            *MasterRecord.Meta.constraints,
            models.UniqueConstraint(
                Lower("code"),
                condition=~Q(code=""),
                name="agent_code_ci_unique",
                violation_error_message=_("Another agent already has this code."),
            ),
        ]


class CreditRule(MasterRecord):
    """How long a customer may take to pay (or to return goods), and up to what amount."""

    class OnExceed(models.TextChoices):
        WARN = "warn", _("Warn")
        BLOCK = "block", _("Block")

    credit_days = models.PositiveIntegerField(_("credit days"), default=0)
    description = models.TextField(_("description"), blank=True)
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave blank for no amount limit."),
    )
    on_exceed = models.CharField(_("when exceeded"), max_length=5, choices=OnExceed.choices, default=OnExceed.WARN)

    history = HistoricalRecords()

    class Meta(MasterRecord.Meta):
        verbose_name = _("credit rule")

    @property
    def summary(self) -> str:
        """Return "30 days, limit 50,000 (block)" for showing beside the choice."""
        days = ngettext("%(days)d day", "%(days)d days", self.credit_days) % {"days": self.credit_days}
        if self.credit_limit is None:
            return _("%(days)s, no amount limit") % {"days": days}
        return _("%(days)s, limit %(limit)s (%(action)s)") % {
            "days": days,
            "limit": f"{self.credit_limit:,.2f}",
            "action": self.get_on_exceed_display().lower(),
        }


class Affiliate(MasterRecord):
    """A referral partner a customer came through."""

    comment = models.TextField(_("comment"), blank=True)
    slug = models.SlugField(
        _("friendly URL name"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("Used in referral links; filled from the name when left blank."),
    )
    owner_customer = optional_fk(
        "customers.Customer", _("owner (customer)"), related_name="owned_affiliates", on_delete=models.SET_NULL
    )
    commission_percent = models.DecimalField(
        _("commission %"), max_digits=5, decimal_places=2, default=0, validators=PERCENT_VALIDATORS
    )

    history = HistoricalRecords()

    class Meta(MasterRecord.Meta):
        verbose_name = _("affiliate")


class Branch(PartyAddress, MasterRecord):
    """A store or warehouse; customers can carry an opening balance per branch."""

    code = models.CharField(_("code"), max_length=20)
    is_main = models.BooleanField(_("main branch"), default=False)
    gst_number = models.CharField(_("GST number"), max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta(MasterRecord.Meta):
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = [
            *MasterRecord.Meta.constraints,
            models.UniqueConstraint(
                Lower("code"),
                name="branch_code_ci_unique",
                violation_error_message=_("Another branch already has this code."),
            ),
            models.UniqueConstraint(
                fields=["is_main"],
                condition=Q(is_main=True),
                name="branch_one_main",
                violation_error_message=_("Another branch is already the main branch."),
            ),
        ]

    def clean(self):
        errors = self.clean_address()
        self.code = (self.code or "").strip().upper()
        errors.update(self.clean_gstin("gst_number"))
        if errors:
            raise ValidationError(errors)


class OpeningBalance(models.Model):
    """What a party owed (receivable) or was owed (payable) at one branch when records began."""

    class Side(models.TextChoices):
        RECEIVABLE = "receivable", _("Receivable (they owe us)")
        PAYABLE = "payable", _("Payable (we owe them)")

    customer = optional_fk(
        "customers.Customer", _("customer"), related_name="opening_balances", on_delete=models.CASCADE
    )
    supplier = optional_fk("parties.Supplier", _("supplier"), related_name="opening_balances", on_delete=models.CASCADE)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="opening_balances", verbose_name=_("branch")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, default=Side.RECEIVABLE)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opening balance")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "branch"],
                name="opening_balance_one_per_branch",
                violation_error_message=_("This branch already has an opening balance."),
            ),
            models.UniqueConstraint(
                fields=["supplier", "branch"],
                name="opening_balance_supplier_one_per_branch",
                violation_error_message=_("This branch already has an opening balance."),
            ),
            models.CheckConstraint(
                condition=Q(customer__isnull=False, supplier__isnull=True)
                | Q(customer__isnull=True, supplier__isnull=False),
                name="opening_balance_one_party",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="opening_balance_not_negative"),
        ]

    def __str__(self):
        return f"{self.branch}: {self.amount} {self.get_side_display()}"

    @property
    def signed_amount(self) -> Decimal:
        """Return the amount as receivable-positive, payable-negative."""
        return self.amount if self.side == self.Side.RECEIVABLE else -self.amount


class UserCode(models.Model):
    """Automatic codes for one kind of party: prefix + zero-padded running number + suffix."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customers")
        SUPPLIER = "supplier", _("Suppliers")
        AGENT = "agent", _("Employees (agents)")

    DEFAULT_PREFIXES = {Kind.CUSTOMER: "CUS", Kind.SUPPLIER: "SUP", Kind.AGENT: "EMP"}

    kind = models.CharField(_("for"), max_length=10, choices=Kind.choices, unique=True)
    prefix = models.CharField(
        _("prefix"), max_length=10, validators=[RegexValidator(r"^[A-Za-z0-9]*$", _("Use letters and digits only."))]
    )
    next_number = models.PositiveIntegerField(_("next number"), default=1, validators=[MinValueValidator(1)])
    suffix = models.CharField(
        _("suffix"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]*$", _("Use letters, digits and dashes only."))],
    )
    padding = models.PositiveSmallIntegerField(
        _("digits"), default=5, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("automatic user code")
        ordering = ["kind"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.preview}"

    @property
    def preview(self) -> str:
        """Return the code the next record will get."""
        return f"{self.prefix}{self.next_number:0{self.padding}d}{self.suffix}"


class UserDateSetup(models.Model):
    """Which optional dates the customer form shows, and which it requires (one row)."""

    birthday_enabled = models.BooleanField(_("birthday shown"), default=True)
    birthday_required = models.BooleanField(_("birthday required"), default=False)
    spouse_birthday_enabled = models.BooleanField(_("spouse birthday shown"), default=True)
    spouse_birthday_required = models.BooleanField(_("spouse birthday required"), default=False)
    anniversary_enabled = models.BooleanField(_("anniversary shown"), default=True)
    anniversary_required = models.BooleanField(_("anniversary required"), default=False)

    DATES = ("birthday", "spouse_birthday", "anniversary")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("user date setup")

    def __str__(self):
        return str(_("User date setup"))

    def clean(self):
        errors = {}
        for name in self.DATES:
            if getattr(self, f"{name}_required") and not getattr(self, f"{name}_enabled"):
                errors[f"{name}_required"] = _("A date can only be required when it is shown.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> "UserDateSetup":
        """Return the setup row, creating the default one the first time."""
        return cls.objects.get_or_create(pk=1)[0]


class SupplierGroup(MasterRecord):
    """A group of suppliers (distributors, manufacturers...)."""

    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta(MasterRecord.Meta):
        verbose_name = _("supplier group")


class Supplier(Party):
    """Someone the store buys from."""

    code = models.CharField(_("code"), max_length=30, blank=True, help_text=_("Given automatically when left blank."))
    supplier_group = optional_fk(SupplierGroup, _("supplier group"), related_name="suppliers")

    unique_fields = ("username", "code")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="supplier_username_ci_unique"),
            models.UniqueConstraint(Lower("code"), condition=~Q(code=""), name="supplier_code_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["created_on"], name="supplier_created_on_idx"),
            models.Index(fields=["full_name", "-id"], name="supplier_full_name_idx"),
        ]

    def clean_values(self) -> dict[str, str]:
        self.code = (self.code or "").strip()
        return super().clean_values()
