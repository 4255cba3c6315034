"""Run slow work (a large import) beside the request that started it."""

import threading

from django.db import connections


def run_in_background(function, /, **kwargs) -> threading.Thread:
    """Start `function(**kwargs)` in a thread that closes its own database connections."""

    def target():
        try:
            function(**kwargs)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread
