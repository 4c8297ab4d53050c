# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.13 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-monitoring-celery install lint bench-site bench-checker bench-monitoring clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet -e . --group dev
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py import_catalog
	DEBUG=true $(PY) manage.py runserver_with_worker $(HOST):$(PORT)

test: install
	$(PY) -m pytest -n 2 --dist loadfile

# The monitoring tests (the database task backend runs them in `make test`) on Celery
# workers, with Redis as broker unless CELERY_BROKER_URL says otherwise.
test-monitoring-celery: install
	MONITOR_TASK_BACKEND=celery CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/15} \
		$(PY) -m pytest -q -W ignore::DeprecationWarning tests/monitoring

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench-site: install
	$(PY) bench/site.py

bench-checker: install
	$(PY) -m pip install --quiet --group bench
	$(PY) bench/checker.py

bench-monitoring: install
	$(PY) bench/monitoring.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
