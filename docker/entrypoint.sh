#!/bin/sh
# Start the web server ("web", the default) or the background worker ("worker"), or run any command.
set -eu
cd /app

# A secret key kept on the data volume, made once, when none is given.
if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s var/secret-key ]; then
    python -c "import secrets; print(secrets.token_urlsafe(64))" > var/secret-key
    chmod 600 var/secret-key
  fi
  SECRET_KEY=$(cat var/secret-key)
  export SECRET_KEY
fi

case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    python manage.py ensure_superuser
    exec gunicorn o2vend.wsgi --bind 0.0.0.0:8000 --worker-class gthread \
      --workers "${WEB_WORKERS:-3}" --threads "${WEB_THREADS:-4}" \
      --timeout 120 --graceful-timeout 30 --access-logfile -
    ;;
  worker)
    # Waits for the web container's migrations before taking jobs.
    until python manage.py migrate --check >/dev/null 2>&1; do sleep 2; done
    exec python manage.py db_worker
    ;;
  *)
    exec "$@"
    ;;
esac
