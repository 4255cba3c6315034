"""WSGI entry point of the o2vend back office."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "o2vend.settings")
application = get_wsgi_application()
