from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = "Parties"

    def ready(self):
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # `field__lower=value` lets case-insensitive look-ups use the LOWER() indexes.
        CharField.register_lookup(Lower)
