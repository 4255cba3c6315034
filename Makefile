# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint pytest bench bench-smoke setup migrate demo clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# The dev server and one background worker (exports, imports) together; Ctrl-C stops both.
# The worker does not reload on code changes: stop and start `make run` again after editing jobs.
run: demo
	@$(PY) manage.py ensure_superuser
	@echo "Open http://$(HOST):$(PORT)/ and log in with the line above."
	@$(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

# The production setup (gunicorn + WhiteNoise, DEBUG off) on plain http://127.0.0.1 for a local trial:
# only what plain http cannot have is switched off (secure cookies, SSL redirect, HSTS).
SERVE_ENV = DEBUG=0 ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SECRET_KEY=$${SECRET_KEY:-$$(cat .secret-key)} \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} \
	CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-0} SECURE_HSTS_SECONDS=$${SECURE_HSTS_SECONDS:-0}
WORKERS ?= 3
THREADS ?= 4

.secret-key:
	$(PY) -c "import secrets; print(secrets.token_urlsafe(64))" > $@
	chmod 600 $@

serve: setup .secret-key
	@$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	@$(SERVE_ENV) $(PY) manage.py migrate --noinput
	@$(SERVE_ENV) $(PY) manage.py ensure_superuser
	@echo "Production setup on http://$(HOST):$(PORT)/ (DEBUG off). For plain http this trial switches off"
	@echo "SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE and HSTS; behind HTTPS leave them on."
	@$(SERVE_ENV) $(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
		$(SERVE_ENV) $(VENV)/bin/gunicorn o2vend.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--worker-class gthread --threads $(THREADS) --timeout 120 --graceful-timeout 30 --access-logfile -

# Style, the layers (apps import only the apps below them), types where the contracts are
# (every services.py and selectors.py), and models that match their migrations.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

pytest: setup
	$(PY) -m pytest -n 2

test: lint pytest bench-smoke

# Every benchmark under bench/, one after the other; a bench that crashes fails the target once the others ran.
BENCHES := list_scale_bench points_bench export_bench import_bench load_bench jobs_bench outbox_bench rewards_bench
run-benches = failed=""; for bench in $(BENCHES); do echo "=== bench/$$bench.py $(1)"; \
	$(PY) bench/$$bench.py $(1) || failed="$$failed $$bench"; done; \
	test -z "$$failed" || { echo "Benchmarks that crashed:$$failed"; exit 1; }

# Full sizes: figures, ratios and "TARGET MISSED" lines (they do not fail the target).
bench: setup
	@$(call run-benches,)

# Tiny sizes on databases of their own, deleted afterwards: every bench still runs (targets are not judged).
bench-smoke: setup
	@$(call run-benches,--smoke)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
