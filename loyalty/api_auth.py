"""How the points API knows a till: its branch token, and how often it may call."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from loyalty import selectors, services
from loyalty.models import ApiToken


class BranchTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`): the request acts for the token's branch."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts:
            return None
        if parts[0].lower() not in (b"bearer", b"token") or len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as “Authorization: Bearer <token>”."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = selectors.api_token_for_key(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid, or it was revoked."))
        services.api_token_used(token=token)
        # No login: request.user stays anonymous (the audit trail records none); the token is request.auth.
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="points"'


class TokenRateThrottle(SimpleRateThrottle):
    """So many requests per token (settings.API_THROTTLE_RATE, e.g. "600/min")."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        return f"throttle_token_{token.pk}" if isinstance(token, ApiToken) else None


class HasBranchToken(BasePermission):
    """Only a request with a valid branch token (never a staff login) may call the API."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiToken)
