# The production image: gunicorn for the web, the same image for the background worker.
# `docker compose up` starts both with PostgreSQL (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# pg_dump and pg_restore, for manage.py backup_db / restore_db.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v0 \
    && useradd --create-home --uid 1000 o2vend \
    && mkdir -p /app/var \
    && chown o2vend /app/var /app
USER o2vend

EXPOSE 8000
ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["web"]
