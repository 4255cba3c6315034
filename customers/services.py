"""Every write to customers goes through these functions."""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from customers.models import Customer, ImportJob
from jobs.services import JobError, JobRun, job_start
from parties.services import code_taken, deactivate, party_save, user_code_reserve
from parties.types import Actor, author

if TYPE_CHECKING:
    from customers.imports import ImportPlan

Many = Iterable[Model] | None
Balances = Iterable[dict[str, Any]] | None


def _save(*, customer: Customer, coupons: Many, offers: Many, opening_balances: Balances) -> Customer:
    return party_save(
        party=customer,
        code_field="membership_number",
        code_kind="customer",
        many={"coupons": coupons, "offers": offers},
        opening_balances=opening_balances,
    )


@transaction.atomic
def customer_create(
    *,
    full_name: str,
    created_by: Actor = None,
    coupons: Many = None,
    offers: Many = None,
    opening_balances: Balances = None,
    **fields: Any,
) -> Customer:
    """Create a customer from the form's fields, filling the user name (and code) when blank."""
    customer = Customer(full_name=full_name, created_by=author(created_by), **fields)
    return _save(customer=customer, coupons=coupons, offers=offers, opening_balances=opening_balances)


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    coupons: Many = None,
    offers: Many = None,
    opening_balances: Balances = None,
    **fields: Any,
) -> Customer:
    """Change a customer's fields; nothing is saved when any of them is invalid."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    return _save(customer=locked, coupons=coupons, offers=offers, opening_balances=opening_balances)


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete a customer, or raise ValidationError saying why it must be kept."""
    entries = customer.points_entries.count()
    if entries:
        raise ValidationError(
            _(
                "%(name)s has %(count)d points entries, and the points ledger is kept for good. "
                "Deactivate the customer instead."
            )
            % {"name": customer.full_name, "count": entries}
        )
    try:
        customer.delete()
    except ProtectedError as error:
        raise ValidationError(
            _("%(name)s cannot be deleted because %(count)d other records refer to them. Deactivate them instead.")
            % {"name": customer.full_name, "count": len(error.protected_objects)}
        ) from None


def customer_deactivate(*, customer: Customer) -> Customer:
    """Mark a customer inactive, keeping their record and ledger."""
    deactivate(instance=customer)
    return customer


@transaction.atomic
def customer_import_apply(*, plan: "ImportPlan", expected_fingerprint: str, user: Actor = None) -> dict[str, int]:
    """Write an import plan: all rows in one transaction, or none.

    Refused when the plan has errors, or when any customer changed since the
    dry run that `expected_fingerprint` came from.
    """
    from customers.imports import UPDATABLE, customers_fingerprint

    if not plan.ok:
        raise ValidationError(_("The file has errors; nothing was imported."))
    if customers_fingerprint() != expected_fingerprint:
        raise ValidationError(_("Customers changed since the dry run; check the file again before importing."))
    now = dj_timezone.now()
    uncoded = [customer for customer, _many in plan.new if not customer.membership_number]
    codes = user_code_reserve(
        kind="customer", count=len(uncoded), taken=code_taken(model=Customer, code_field="membership_number")
    )
    for customer, code in zip(uncoded, codes, strict=False):
        customer.membership_number = code
    new_customers = []
    for customer, _many in plan.new:
        customer.created_by = author(user)
        customer.created_on = customer.updated_on = now
        new_customers.append(customer)
    # The *_with_history versions also write the audit trail, one history row per customer.
    bulk_create_with_history(new_customers, Customer, batch_size=1000, default_user=author(user))
    updated = [customer for customer, _many, _changed in plan.updated]
    for customer in updated:
        customer.updated_on = now
    bulk_update_with_history(updated, Customer, [*UPDATABLE, "updated_on"], batch_size=1000, default_user=author(user))
    for name in ("coupons", "offers"):
        through = getattr(Customer, name).through
        target = f"{name[:-1]}_id"
        rewritten = [customer.pk for customer, many, _c in plan.updated if name in many]
        through.objects.filter(customer_id__in=rewritten).delete()
        links = [(c.pk, many.get(name, [])) for c, many in plan.new]
        links += [(c.pk, many[name]) for c, many, _c in plan.updated if name in many]
        through.objects.bulk_create(
            [through(customer_id=pk, **{target: item.pk}) for pk, items in links for item in items], batch_size=1000
        )
    _apply_extras(plan=plan, user=user)
    return {"new": len(new_customers), "updated": len(updated)}


def _apply_extras(*, plan: "ImportPlan", user: Actor) -> None:
    """Hand each extension the customers (now saved) its columns asked something of."""
    from customers.extensions import import_extras

    if not plan.extras:
        return
    unsaved = [customer.username for _index, customer, _value in plan.extras if customer.pk is None]
    if unsaved:
        ids = dict(Customer.objects.filter(username__in=unsaved).values_list("username", "pk"))
        for _index, customer, _value in plan.extras:
            if customer.pk is None:
                customer.pk = ids[customer.username]
    for index, extra in enumerate(import_extras()):
        rows = [(customer, value) for number, customer, value in plan.extras if number == index]
        if rows:
            extra.apply(rows, user)


def import_job_check(*, job_id: int, progress: Callable[[int], None] | None = None) -> None:
    """Dry-run an import job's file and store the report on the job."""
    from customers.imports import ImportFileError, plan_import

    job = ImportJob.objects.get(pk=job_id)

    def checked(rows: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=rows)
        if progress is not None:
            progress(rows)

    try:
        plan = plan_import(Path(job.stored_path), job.file_name, progress=checked)
    except ImportFileError as error:
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, message=str(error))
        return
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.CHECKED, report=plan.report(), fingerprint=plan.fingerprint, rows_done=plan.rows
    )


def import_job_apply(*, job_id: int, user: Actor = None) -> None:
    """Apply a checked import job: every row, or none if anything changed since its dry run.

    The customers and the job's "imported" state are written in one transaction, so an
    import that is run again after it was applied (a worker lost on the way) changes nothing.
    """
    from customers.imports import ImportFileError, plan_import

    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.APPLIED:
        return
    try:
        plan = plan_import(Path(job.stored_path), job.file_name)
        with transaction.atomic():
            result = customer_import_apply(plan=plan, expected_fingerprint=job.fingerprint, user=user)
            report = {**job.report, "applied": result}
            ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.APPLIED, report=report)
    except (ImportFileError, ValidationError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, message=message)
        return
    Path(job.stored_path).unlink(missing_ok=True)


def import_job_queue(*, job: ImportJob, step: str, user: Actor = None) -> None:
    """Hand an import's dry run (step "check") or its confirmation ("apply") to a background worker."""
    from django.urls import reverse

    titles = {"check": _("Import check: %(file)s"), "apply": _("Import: %(file)s")}
    job_start(
        kind=f"customers.services.import_{step}_job",
        title=titles[step] % {"file": job.file_name},
        owner=user,
        params={
            "import": job.pk,
            "user": getattr(user, "pk", None),
            "url": reverse("customers:customer-import-job", args=[job.token]),
            "url_label": _("Open the import's report"),
        },
    )


def _import_outcome(job_id: int) -> dict[str, Any]:
    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.FAILED:
        raise JobError(job.message)
    return {"rows": job.rows_done}


def import_check_job(run: JobRun) -> dict[str, Any]:
    """The background dry run of an import (see import_job_queue)."""
    import_job_check(job_id=run.params["import"], progress=lambda rows: run.progress(done=rows))
    return _import_outcome(run.params["import"])


def import_apply_job(run: JobRun) -> dict[str, Any]:
    """The background confirmation of an import (see import_job_queue)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=run.params["user"]).first()
    import_job_apply(job_id=run.params["import"], user=user)
    return _import_outcome(run.params["import"])


def import_job_create(*, upload: UploadedFile, user: Actor = None) -> ImportJob:
    """Keep an uploaded spreadsheet for its dry run and confirmation; refuse bad names and sizes."""
    from customers.imports import ImportFileError, check_upload

    name = upload.name or ""
    try:
        check_upload(name, upload.size or 0)
    except ImportFileError as error:
        raise ValidationError({"file": str(error)}) from None
    folder = Path(settings.IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    job = ImportJob(file_name=Path(name).name[:255], created_by=author(user))
    job.stored_path = str(folder / f"{job.token}{Path(name).suffix.lower()}")
    with open(job.stored_path, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    job.save()
    return job
