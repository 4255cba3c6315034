"""The task that sends the outbox (see communications.services.outbox_deliver)."""

from django_tasks import task

from communications import services


@task()
def deliver_outbox() -> None:
    services.outbox_deliver()
