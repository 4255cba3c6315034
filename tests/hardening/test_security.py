import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from loyalty.models import PointsEntry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def test_five_failed_logins_lock_the_username_from_that_address(django_user_model):
    django_user_model.objects.create_user("clerk", password="right-password-123")
    client = Client(REMOTE_ADDR="10.0.0.5")
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert response.status_code in (200, 403, 429)
    locked = client.post("/accounts/login/", {"username": "clerk", "password": "right-password-123"})
    assert locked.status_code in (403, 429)
    assert "locked for 15 minutes" in locked.content.decode()
    other_address = Client(REMOTE_ADDR="10.0.0.6")
    assert (
        other_address.post("/accounts/login/", {"username": "clerk", "password": "right-password-123"}).status_code
        == 302
    )


def test_wrong_password_shows_a_message_not_an_error(client, django_user_model):
    django_user_model.objects.create_user("clerk", password="right-password-123")
    response = client.post("/accounts/login/", {"username": "clerk", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_every_page_sends_a_strict_content_security_policy(admin_client):
    policy = admin_client.get(reverse("customers:customer-list"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if "<script>" in text or "<style" in text or ' style="' in text or " onclick=" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_deploy_check_passes_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="shop.example.in",
    )
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_every_post_needs_the_csrf_token(django_user_model):
    user = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    customer = CustomerFactory()
    for url, data in (
        (reverse("customers:customer-create"), {"full_name": "X"}),
        (reverse("customers:customer-delete", args=[customer.pk]), {}),
        (reverse("customers:customer-points", args=[customer.pk]), {"points": "5", "reason": "x"}),
        (reverse("parties:customer-group-create"), {"name": "X"}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert Customer.objects.count() == 1 and not PointsEntry.objects.exists()


def test_get_never_changes_anything(admin_client):
    customer = CustomerFactory()
    assert admin_client.get(reverse("customers:customer-delete", args=[customer.pk])).status_code == 200
    assert (
        admin_client.get(reverse("customers:customer-points", args=[customer.pk]), {"points": "5"}).status_code == 200
    )
    assert Customer.objects.filter(pk=customer.pk).exists() and not PointsEntry.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/parties/customers/999999/edit/",
        "/parties/customers/999999/delete/",
        "/parties/customers/999999/points/",
        "/parties/customers/999999/history/",
        "/parties/suppliers/999999/edit/",
        "/parties/customer-groups/999999/edit/",
        "/loyalty/coupons/999999/delete/",
        "/parties/customers/import/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_unknown_ids_answer_404(admin_client, url):
    assert admin_client.get(url).status_code == 404
