"""What communications hears from the apps below it, inside the transaction of each change."""

from django.db.models.signals import post_delete, post_save

from communications import services


def on_customer_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        services.customer_created(customer=instance)
    else:
        services.customer_updated(customer=instance)


def on_customer_deleted(sender, instance, **kwargs):
    services.customer_deleted(
        customer_id=instance.pk, membership_number=instance.membership_number, full_name=instance.full_name
    )


def on_points_entry_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        services.points_changed(entry=instance)


def connect() -> None:
    from customers.models import Customer
    from loyalty.models import PointsEntry

    post_save.connect(on_customer_saved, sender=Customer, dispatch_uid="communications-customer-saved")
    post_delete.connect(on_customer_deleted, sender=Customer, dispatch_uid="communications-customer-deleted")
    post_save.connect(on_points_entry_saved, sender=PointsEntry, dispatch_uid="communications-points-entry")
