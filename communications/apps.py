import datetime

from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "communications"
    verbose_name = "Communications"

    def ready(self):
        from communications import extensions, signals
        from jobs.schedule import every_day

        signals.connect()
        extensions.register()
        every_day(
            kind="communications.services.scheduled_messages_job",
            title="Birthday, anniversary and points-expiring messages",
            at=datetime.time(8, 0),
        )
