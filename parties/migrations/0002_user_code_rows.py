from django.db import migrations

ROWS = (("customer", "CUS"), ("supplier", "SUP"), ("agent", "EMP"))


def create_rows(apps, schema_editor):
    UserCode = apps.get_model("parties", "UserCode")
    for kind, prefix in ROWS:
        UserCode.objects.get_or_create(kind=kind, defaults={"prefix": prefix, "enabled": True})


def remove_rows(apps, schema_editor):
    apps.get_model("parties", "UserCode").objects.filter(kind__in=[kind for kind, _ in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]

    operations = [migrations.RunPython(create_rows, remove_rows)]
