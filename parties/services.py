"""Writes shared by the masters: save, delete-or-explain, deactivate, automatic codes."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parties.models import Affiliate, Agent, MasterRecord, OpeningBalance, Party, Supplier, UserCode
from parties.text import next_free, username_base
from parties.types import Actor, author

PartyT = TypeVar("PartyT", bound=Party)


def _save_validated(instance: models.Model) -> None:
    """Run every rule, then save; a unique value a concurrent save took meanwhile is reported on its field."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        instance.full_clean()
        raise


def user_code_reserve(*, kind: str, count: int, taken: Callable[[str], bool] | None = None) -> list[str]:
    """Hand out the next `count` codes of a kind, or [] when its automatic code is off.

    The row is locked, so concurrent saves never get the same number; numbers
    whose code is already `taken` (typed by hand earlier) are skipped.
    """
    with transaction.atomic():
        UserCode.objects.get_or_create(kind=kind, defaults={"prefix": UserCode.DEFAULT_PREFIXES[UserCode.Kind(kind)]})
        row = UserCode.objects.select_for_update().get(kind=kind)
        if not row.enabled or count <= 0:
            return []
        codes: list[str] = []
        number = row.next_number
        while len(codes) < count:
            code = f"{row.prefix}{number:0{row.padding}d}{row.suffix}"
            number += 1
            if taken is None or not taken(code):
                codes.append(code)
        UserCode.objects.filter(pk=row.pk).update(next_number=F("next_number") + (number - row.next_number))
        return codes


def user_code_next(*, kind: str, taken: Callable[[str], bool] | None = None) -> str | None:
    """Return the next automatic code of a kind, or None when it is off."""
    codes = user_code_reserve(kind=kind, count=1, taken=taken)
    return codes[0] if codes else None


def _prepare_agent(agent: Agent) -> None:
    if not agent.code.strip():
        others = Agent.objects.exclude(pk=agent.pk)
        code = user_code_next(kind="agent", taken=lambda code: others.filter(code__lower=code.lower()).exists())
        agent.code = code or ""


def _prepare_affiliate(affiliate: Affiliate) -> None:
    if not affiliate.slug:
        base = slugify(affiliate.name) or "affiliate"
        similar = Affiliate.objects.filter(slug__startswith=base).exclude(pk=affiliate.pk)
        affiliate.slug = next_free(base, set(similar.values_list("slug", flat=True)))


PREPARE: dict[type[models.Model], Callable[[Any], None]] = {Agent: _prepare_agent, Affiliate: _prepare_affiliate}


@transaction.atomic
def master_save(*, instance: MasterRecord, data: dict[str, Any]) -> MasterRecord:
    """Create or change a master row from form data; nothing is saved when a rule fails."""
    many: dict[str, Any] = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            many[name] = value
        else:
            setattr(instance, name, value)
    prepare = PREPARE.get(type(instance))
    if prepare:
        prepare(instance)
    _save_validated(instance)
    for name, value in many.items():
        getattr(instance, name).set(value)
    return instance


def master_usage(*, instance: MasterRecord, usage: str) -> int:
    """Return how many customers use this master row."""
    return type(instance)._default_manager.filter(pk=instance.pk).aggregate(used=Count(usage, distinct=True))["used"]


@transaction.atomic
def master_delete(*, instance: MasterRecord, usage: str | None) -> None:
    """Delete a master row, or refuse naming how many customers (or suppliers) still use it."""
    used = master_usage(instance=instance, usage=usage) if usage else 0
    if usage and used:
        users = _usage_model(type(instance), usage)._meta
        what = users.verbose_name if used == 1 else users.verbose_name_plural
        raise ValidationError(
            _(
                "“%(name)s” is used by %(count)d %(what)s, so it cannot be deleted. "
                "Deactivate it instead: it stays where it is used but is no longer offered."
            )
            % {"name": instance.name, "count": used, "what": what}
        )
    try:
        instance.delete()
    except models.ProtectedError as error:
        raise ValidationError(
            _("“%(name)s” is still used by %(count)d other records, so it cannot be deleted. Deactivate it instead.")
            % {"name": instance.name, "count": len(error.protected_objects)}
        ) from None


def _usage_model(model: type[models.Model], usage: str) -> type[models.Model]:
    """Return the model at the end of a lookup path ("opening_balances__customer" -> Customer)."""
    for part in usage.split("__"):
        related = model._meta.get_field(part).related_model
        assert isinstance(related, type), f"{usage} does not lead to a model"
        model = related
    return model


@transaction.atomic
def deactivate(*, instance: MasterRecord | Party) -> MasterRecord | Party:
    """Mark a master, customer or supplier inactive: it stays where it is used but is no longer offered."""
    instance.is_active = False
    fields = ["is_active"] + (["updated_on"] if hasattr(instance, "updated_on") else [])
    instance.save(update_fields=fields)  # save(), not update(): the change is recorded in history
    return instance


# Parties: what saving a customer and saving a supplier share


def party_username_for(*, model: type[Party], full_name: str, exclude_pk: int | None = None) -> str:
    """Return a free user name made from the full name ("Priya Raman" -> "priya-raman-2")."""
    base = username_base(full_name) or str(model._meta.model_name)
    similar = model._default_manager.filter(Q(username__lower=base) | Q(username__istartswith=f"{base}-"))
    if exclude_pk:
        similar = similar.exclude(pk=exclude_pk)
    taken = {name.lower() for name in similar.values_list("username", flat=True)}
    return next_free(base, taken)


def code_taken(*, model: type[Party], code_field: str) -> Callable[[str], bool]:
    """Return a check of whether a code is already some party's (ignoring case), for automatic codes to skip."""

    def taken(code: str) -> bool:
        return model._default_manager.filter(**{f"{code_field}__lower": code.lower()}).exists()

    return taken


def party_save(
    *,
    party: PartyT,
    code_field: str,
    code_kind: str,
    many: dict[str, Iterable[models.Model] | None],
    opening_balances: Iterable[dict[str, Any]] | None,
) -> PartyT:
    """Validate and save a customer or supplier with its many-to-many values and opening balances.

    A blank user name is made from the full name; a new party with a blank
    `code_field` gets the next automatic code of `code_kind` (handed out in
    this transaction, so a failed save gives the number back).
    """
    model = type(party)
    if not party.username:
        party.username = party_username_for(model=model, full_name=party.full_name, exclude_pk=party.pk)
    if party.pk is None and not (getattr(party, code_field) or "").strip():
        setattr(party, code_field, user_code_next(kind=code_kind, taken=code_taken(model=model, code_field=code_field)))
    _save_validated(party)
    for name, values in many.items():
        if values is not None:
            getattr(party, name).set(values)
    if opening_balances is not None:
        opening_balances_set(party=party, rows=opening_balances)
    return party


def opening_balances_set(*, party: Party, rows: Iterable[dict[str, Any]]) -> None:
    """Replace a party's opening balances: one row per branch, amounts of 0 or more."""
    party_field = str(party._meta.model_name)
    balances = [OpeningBalance(**{party_field: party}, **row) for row in rows]
    seen = set()
    for balance in balances:
        balance.full_clean(exclude={"customer", "supplier"}, validate_unique=False, validate_constraints=False)
        if balance.branch_id in seen:
            raise ValidationError(_("Each branch can have only one opening balance."))
        seen.add(balance.branch_id)
    OpeningBalance.objects.filter(**{party_field: party}).delete()
    OpeningBalance.objects.bulk_create(balances)


@transaction.atomic
def supplier_create(
    *,
    full_name: str,
    created_by: Actor = None,
    opening_balances: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Supplier:
    """Create a supplier, filling the user name and code when blank."""
    supplier = Supplier(full_name=full_name, created_by=author(created_by), **fields)
    return party_save(
        party=supplier, code_field="code", code_kind="supplier", many={}, opening_balances=opening_balances
    )


@transaction.atomic
def supplier_update(
    *, supplier: Supplier, opening_balances: Iterable[dict[str, Any]] | None = None, **fields: Any
) -> Supplier:
    """Change a supplier's fields; nothing is saved when any of them is invalid."""
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    return party_save(party=locked, code_field="code", code_kind="supplier", many={}, opening_balances=opening_balances)


@transaction.atomic
def supplier_delete(*, supplier: Supplier) -> None:
    """Delete a supplier and their opening balances."""
    supplier.delete()
