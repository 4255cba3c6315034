"""The store manager may do everything in communications; the viewer may see the log and the templates."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = list(Permission.objects.filter(content_type__app_label="communications"))
    for name, permissions in (
        ("Store manager", every),
        ("Viewer", [p for p in every if p.codename.startswith("view_")]),
    ):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("communications", "0001_initial"), ("customers", "0004_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
