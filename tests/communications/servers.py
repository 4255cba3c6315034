"""Real protocol servers on localhost that record what they receive: SMTP (aiosmtpd) and HTTP."""

import email
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpRecorder:
    """An SMTP server on a free local port; `messages` holds each email received (parsed)."""

    def __init__(self):
        self.messages: list = []
        self.envelopes: list = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 Ok: queued as TEST123"

    def start(self) -> "SmtpRecorder":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class HttpRecorder:
    """An HTTP server on a free local port that records requests and answers from `answers`.

    Each answer is (status, body) or ("hang", seconds); when the list is used up, the last one repeats.
    """

    answers: list = field(default_factory=lambda: [(200, '{"message_id": "gw-1"}')])
    requests: list = field(default_factory=list)

    def start(self) -> "HttpRecorder":
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append(Request(self.command, self.path, self.headers, body))  # names in any case
                index = min(len(recorder.requests) - 1, len(recorder.answers) - 1)
                status, text = recorder.answers[index]
                if status == "hang":
                    time.sleep(text)
                    return
                payload = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
