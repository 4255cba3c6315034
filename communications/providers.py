"""The wire: SMTP for email, HTTP for the SMS gateway, the WhatsApp Cloud API and webhooks.

Each send returns an Outcome (never raises for a provider's refusal or a network error), so
the worker records every answer in the delivery log.
"""

import contextlib
import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from django.conf import settings

ANSWER_KEPT = 2000
SIGNATURE_HEADER = "X-O2VEND-Signature"


@dataclass
class Outcome:
    ok: bool
    status: str = ""
    answer: str = ""
    provider_id: str = ""
    duration_ms: int = 0


def _timeout() -> float:
    return float(settings.COMMUNICATIONS_TIMEOUT_SECONDS)


def _network_error(error: BaseException, where: str) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return f"No answer from {where} within {_timeout():g} s (timeout)."
    reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or str(error) or type(error).__name__
    return f"Could not reach {where}: {reason}"


class SmtpSender:
    """Send emails over one SMTP connection (opened on the first message, reopened if dropped)."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def where(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def _open(self) -> smtplib.SMTP:
        config = self.config
        if config.security == "ssl":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=_timeout(), context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(config.host, config.port, timeout=_timeout())
            if config.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
        if config.username:
            connection.login(config.username, config.password)
        return connection

    def send(self, *, to: str, subject: str, body: str) -> Outcome:
        started = time.monotonic()
        outcome = self._send(to=to, subject=subject, body=body)
        outcome.duration_ms = int((time.monotonic() - started) * 1000)
        return outcome

    def _send(self, *, to: str, subject: str, body: str) -> Outcome:
        sender = self.config.from_address
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        message.set_content(body)
        for attempt in (1, 2):
            try:
                if self.connection is None:
                    self.connection = self._open()
                self.connection.ehlo_or_helo_if_needed()
                code, answer = self.connection.mail(sender)
                if code != 250:
                    self.connection.rset()
                    return Outcome(ok=False, status=str(code), answer=answer.decode(errors="replace"))
                code, answer = self.connection.rcpt(to)
                if code not in (250, 251):
                    self.connection.rset()
                    return Outcome(ok=False, status=str(code), answer=answer.decode(errors="replace"))
                code, answer = self.connection.data(message.as_bytes())
                text = answer.decode(errors="replace")
                return Outcome(ok=code == 250, status=str(code), answer=text, provider_id=message["Message-ID"])
            except smtplib.SMTPServerDisconnected as error:
                self.connection = None
                if attempt == 2:
                    return Outcome(ok=False, answer=_network_error(error, self.where()))
            except smtplib.SMTPResponseException as error:
                self.close()
                return Outcome(ok=False, status=str(error.smtp_code), answer=error.smtp_error.decode(errors="replace"))
            except (OSError, smtplib.SMTPException) as error:
                self.close()
                return Outcome(ok=False, answer=_network_error(error, self.where()))
        return Outcome(ok=False, answer="SMTP connection lost")

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self.connection = None


def http_call(*, url: str, method: str, body: bytes | None, headers: dict[str, str]) -> Outcome:
    """Make one HTTP request; 2xx is ok; any other status, a timeout or a network error is not."""
    where = urllib.parse.urlsplit(url).netloc or url
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=_timeout()) as response:
            status, text = response.status, response.read(ANSWER_KEPT * 2).decode(errors="replace")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read(ANSWER_KEPT * 2).decode(errors="replace")
    except (OSError, ValueError) as error:
        return Outcome(
            ok=False, answer=_network_error(error, where), duration_ms=int((time.monotonic() - started) * 1000)
        )
    took = int((time.monotonic() - started) * 1000)
    return Outcome(ok=200 <= status < 300, status=str(status), answer=text[:ANSWER_KEPT], duration_ms=took)


def _answer_id(answer: str, *paths: tuple) -> str:
    try:
        data = json.loads(answer)
    except ValueError:
        return ""
    for path in paths:
        value = data
        for step in path:
            try:
                value = value[step]
            except (KeyError, IndexError, TypeError):
                value = None
                break
        if isinstance(value, str | int) and value != "":
            return str(value)
    return ""


def parse_headers(text: str) -> dict[str, str]:
    """Read "Name: value" lines; raise ValueError on a line that is not one."""
    headers = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            raise ValueError(f"Line {number} is not a header (Name: value).")
        headers[name.strip()] = value.strip()
    return headers


def sms_send(*, config, to: str, text: str, template_id: str) -> Outcome:
    """Send one SMS through the generic HTTP gateway of the SMS settings."""
    headers = {
        name: value.replace("{api_key}", config.api_key) for name, value in parse_headers(config.headers).items()
    }
    values = {
        "to": to,
        "text": text,
        "sender": config.sender_id,
        "template_id": template_id,
        "entity_id": config.entity_id,
        "api_key": config.api_key,
    }
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if config.method == "GET":
        query = config.body_template.format_map({k: urllib.parse.quote(v, safe="") for k, v in values.items()})
        url = config.url + ("&" if "?" in config.url else "?") + query if query else config.url
        outcome = http_call(url=url, method="GET", body=None, headers=headers)
    else:
        if "json" in content_type:
            escaped = {k: json.dumps(v)[1:-1] for k, v in values.items()}
        else:
            escaped = {k: urllib.parse.quote_plus(v) for k, v in values.items()}
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        body = config.body_template.format_map(escaped).encode()
        outcome = http_call(url=config.url, method="POST", body=body, headers=headers)
    outcome.provider_id = _answer_id(outcome.answer, ("message_id",), ("messageId",), ("id",), ("data", 0, "id"))
    return outcome


def whatsapp_payload(*, to: str, name: str, language: str, parameters: list[str]) -> dict:
    template: dict = {"name": name, "language": {"code": language}}
    if parameters:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": value} for value in parameters]}
        ]
    return {"messaging_product": "whatsapp", "to": to, "type": "template", "template": template}


def whatsapp_send(*, config, to: str, name: str, language: str, parameters: list[str]) -> Outcome:
    """Send one approved template through the WhatsApp Business Cloud API."""
    url = f"{config.api_base_url.rstrip('/')}/{config.phone_number_id}/messages"
    body = json.dumps(whatsapp_payload(to=to, name=name, language=language, parameters=parameters)).encode()
    headers = {"Authorization": f"Bearer {config.access_token}", "Content-Type": "application/json"}
    outcome = http_call(url=url, method="POST", body=body, headers=headers)
    outcome.provider_id = _answer_id(outcome.answer, ("messages", 0, "id"))
    return outcome


def signature(*, body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_post(*, url: str, body: str, secret: str) -> Outcome:
    raw = body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "O2VEND-Webhooks/1",
        SIGNATURE_HEADER: signature(body=raw, secret=secret),
    }
    return http_call(url=url, method="POST", body=raw, headers=headers)
