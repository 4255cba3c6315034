"""Channel secrets (passwords, tokens, webhook secrets) encrypted at rest with Fernet.

The key is COMMUNICATIONS_SECRET_KEY when set, otherwise derived from SECRET_KEY; changing
it makes the stored secrets unreadable (type them again on the settings screens).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    material = settings.COMMUNICATIONS_SECRET_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(f"o2vend-communications:{material}".encode()).digest())
    return Fernet(key)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
