"""Types the services and selectors of every app share."""

from django.contrib.auth.models import AnonymousUser, User

# Who asks for a read or a write: a login, an anonymous visitor, or None (the system itself).
Actor = User | AnonymousUser | None


def author(user: Actor) -> User | None:
    """Return the login to record as a row's author: None for an anonymous visitor or the system."""
    return user if isinstance(user, User) and user.pk else None
