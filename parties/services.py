"""Writes shared by the masters: save, delete-or-explain, deactivate, automatic codes."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parties.models import Affiliate, Agent, UserCode
from parties.text import next_free


def user_code_reserve(*, kind: str, count: int, taken: Callable[[str], bool] | None = None) -> list[str]:
    """Hand out the next `count` codes of a kind, or [] when its automatic code is off.

    The row is locked, so concurrent saves never get the same number; numbers
    whose code is already `taken` (typed by hand earlier) are skipped.
    """
    with transaction.atomic():
        UserCode.objects.get_or_create(kind=kind, defaults={"prefix": UserCode.DEFAULT_PREFIXES[kind]})
        row = UserCode.objects.select_for_update().get(kind=kind)
        if not row.enabled or count <= 0:
            return []
        codes, number = [], row.next_number
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
        agent.code = user_code_next(kind="agent", taken=lambda code: others.filter(code__lower=code.lower()).exists())
        agent.code = agent.code or ""


def _prepare_affiliate(affiliate: Affiliate) -> None:
    if not affiliate.slug:
        base = slugify(affiliate.name) or "affiliate"
        similar = Affiliate.objects.filter(slug__startswith=base).exclude(pk=affiliate.pk)
        affiliate.slug = next_free(base, set(similar.values_list("slug", flat=True)))


PREPARE = {Agent: _prepare_agent, Affiliate: _prepare_affiliate}


@transaction.atomic
def master_save(*, instance: models.Model, data: dict) -> models.Model:
    """Create or change a master row from form data; nothing is saved when a rule fails."""
    many = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            many[name] = value
        else:
            setattr(instance, name, value)
    prepare = PREPARE.get(type(instance))
    if prepare:
        prepare(instance)
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        instance.full_clean()  # a concurrent save took a unique value: say which
        raise
    for name, value in many.items():
        getattr(instance, name).set(value)
    return instance


def master_usage(instance: models.Model, usage: str) -> int:
    """Return how many customers use this master row."""
    return type(instance).objects.filter(pk=instance.pk).aggregate(used=Count(usage, distinct=True))["used"]


@transaction.atomic
def master_delete(*, instance: models.Model, usage: str | None) -> None:
    """Delete a master row, or refuse naming how many customers still use it."""
    used = master_usage(instance, usage) if usage else 0
    if used:
        raise ValidationError(
            ngettext(
                "“%(name)s” is used by %(count)d customer, so it cannot be deleted. "
                "Deactivate it instead: it stays on that customer but is no longer offered.",
                "“%(name)s” is used by %(count)d customers, so it cannot be deleted. "
                "Deactivate it instead: it stays on those customers but is no longer offered.",
                used,
            )
            % {"name": instance.name, "count": used}
        )
    try:
        instance.delete()
    except models.ProtectedError as error:
        raise ValidationError(
            _("“%(name)s” is still used by %(count)d other records, so it cannot be deleted. Deactivate it instead.")
            % {"name": instance.name, "count": len(error.protected_objects)}
        ) from None


@transaction.atomic
def master_deactivate(*, instance: models.Model) -> None:
    """Stop offering a master row for new assignments; customers keep it."""
    type(instance).objects.filter(pk=instance.pk).update(is_active=False)
    instance.is_active = False
