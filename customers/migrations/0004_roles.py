"""The staff roles, named as in O2VEND: Store manager, Billing, Sales agent and Viewer."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("customers", "parties", "loyalty")
CUSTOMER_DESK = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "loyalty.view_pointsentry",
]


def _all_permissions(Permission, *prefixes):
    rows = Permission.objects.filter(content_type__app_label__in=APPS).select_related("content_type")
    return [p for p in rows if not prefixes or p.codename.startswith(prefixes)]


def _named(Permission, names):
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles = {
        "Store manager": _all_permissions(Permission),
        "Billing": _named(Permission, [*CUSTOMER_DESK, "customers.view_all_customers"]),
        "Sales agent": _named(Permission, CUSTOMER_DESK),
        "Viewer": _all_permissions(Permission, "view_"),
    }
    for name, permissions in roles.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Store manager", "Billing", "Sales agent", "Viewer"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0003_alter_customer_options_historicalcustomer_and_more"),
        ("parties", "0003_historicalaffiliate_historicalagent_historicalbranch_and_more"),
        ("loyalty", "0002_historicalcoupon_historicaloffer"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
