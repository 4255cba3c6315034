"""Lots for the balances customers already have (they never expire), and the new permissions for the roles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def open_lots(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    PointsLot = apps.get_model("loyalty", "PointsLot")
    batch = []
    for pk, balance in Customer.objects.filter(points_balance__gt=0).values_list("pk", "points_balance").iterator():
        batch.append(PointsLot(customer_id=pk, points=balance, remaining=balance, expires_on=None))
        if len(batch) >= 5000:
            PointsLot.objects.bulk_create(batch)
            batch = []
    PointsLot.objects.bulk_create(batch)


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    new = Permission.objects.filter(
        content_type__app_label="loyalty",
        content_type__model__in=["rewardsettings", "apitoken", "pointslot", "groupmultiplier", "tier"],
    )
    manager = Group.objects.filter(name="Store manager").first()
    if manager:
        manager.permissions.add(*new)
    viewer = Group.objects.filter(name="Viewer").first()
    if viewer:
        viewer.permissions.add(*new.filter(codename__startswith="view_").exclude(codename="view_apitoken"))
    for name in ("Billing", "Sales agent"):
        desk = Group.objects.filter(name=name).first()
        if desk:
            desk.permissions.add(*new.filter(codename="view_pointslot"))


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty", "0003_reward_points"),
        ("customers", "0006_contact_phone_index"),
    ]

    operations = [
        migrations.RunPython(open_lots, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
