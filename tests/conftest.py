import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def admin_client(client, django_user_model):
    """A client logged in as a superuser."""
    user = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def make_staff(django_user_model):
    """Return a function that creates a staff login holding the named permissions."""

    def make(*codenames: str, username: str = "clerk"):
        user = django_user_model.objects.create_user(username, password="pw-for-tests-only")
        for codename in codenames:
            app_label, name = codename.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=name))
        return user

    return make


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Job files (exports) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def no_daily_jobs(settings):
    """The workers a test drains start no daily jobs unless the test switches them on."""
    settings.DAILY_JOBS = False
