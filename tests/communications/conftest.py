import pytest
from django.core.management import call_command

from communications import secrets
from communications.models import EmailSettings, SmsSettings, WhatsAppSettings
from tests.communications.servers import HttpRecorder, SmtpRecorder


def drain() -> None:
    """Run every queued task (the outbox's sending included) on a worker in this process."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.COMMUNICATIONS_RETRY_SECONDS = 0
    settings.COMMUNICATIONS_TIMEOUT_SECONDS = 1


@pytest.fixture
def smtp():
    server = SmtpRecorder().start()
    yield server
    server.stop()


@pytest.fixture
def gateway():
    server = HttpRecorder().start()
    yield server
    server.stop()


@pytest.fixture
def email_on(smtp):
    EmailSettings.objects.update_or_create(
        pk=1,
        defaults={
            "enabled": True,
            "host": "127.0.0.1",
            "port": smtp.port,
            "security": "none",
            "from_address": "shop@example.in",
        },
    )
    return smtp


@pytest.fixture
def sms_on(gateway):
    SmsSettings.objects.update_or_create(
        pk=1,
        defaults={
            "enabled": True,
            "url": f"{gateway.url}/sms",
            "method": "POST",
            "body_template": "to={to}&msg={text}&sender={sender}&tid={template_id}&pe={entity_id}&key={api_key}",
            "sender_id": "OVENDS",
            "entity_id": "1101234567890",
            "api_key_encrypted": secrets.encrypt("gw-key-42"),
        },
    )
    return gateway


@pytest.fixture
def whatsapp_on(gateway):
    gateway.answers = [(200, '{"messages": [{"id": "wamid.ABC"}]}')]
    WhatsAppSettings.objects.update_or_create(
        pk=1,
        defaults={
            "enabled": True,
            "api_base_url": f"{gateway.url}/v21.0",
            "phone_number_id": "1234567",
            "access_token_encrypted": secrets.encrypt("EAAB-token"),
        },
    )
    return gateway
