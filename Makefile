# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint pytest bench setup migrate demo clean

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

run: demo
	@$(PY) manage.py ensure_superuser
	@echo "Open http://$(HOST):$(PORT)/ and log in with the line above."
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

pytest: setup
	$(PY) -m pytest -n 2

test: lint pytest

bench: setup
	$(PY) bench/list_bench.py
	$(PY) bench/points_bench.py
	test ! -f bench/export_bench.py || $(PY) bench/export_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
