# Recall: `make demo` to try it, `make test` to check it. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL and Redis of this machine, used by the second pass of `make test`.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/recall
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
PYTEST_ARGS ?=
export TEST_DATABASE_URL TEST_REDIS_URL

.PHONY: install demo serve test test-sqlite test-postgres lint format system-deps bench clean prod-up prod-down

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

$(STAMP): pyproject.toml | $(BIN)/python
	# The CPU build of torch first, so the semantic extra does not pull a GPU build.
	$(BIN)/pip install -q 'torch==2.13.0'
	$(BIN)/pip install -q -e '.[dev,anki,bench,semantic]'
	touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate, load the sample deck, serve on 127.0.0.1:8000 (SQLite, eager tasks)
demo: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py load_sample_deck
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Debian packages the suite drives for real (browser, web server, process manager, compose linter,
## an SSH server and client for SSH sources; sshd is only started by the tests, never as a service).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v supervisord >/dev/null || [ -x /usr/bin/supervisord ] || missing="$$missing supervisor"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	command -v ssh >/dev/null || missing="$$missing openssh-client"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing from Debian:$$missing"; \
	    apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "Missing Debian packages (run as root to install):$$missing"; fi; \
	fi

## make test: install, then the whole suite on SQLite, then again on PostgreSQL + Redis
test: install system-deps test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	@if $(BIN)/python scripts/services.py postgres redis; then \
	  DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SEARCH_BACKEND=postgres \
	    $(BIN)/pytest -m "not browser and not nginx and not celery" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL and Redis are required in CI"; exit 1; \
	else echo "SKIPPED the PostgreSQL + Redis pass: services not reachable"; fi

lint: install
	bash scripts/check_repo_paths.sh
	bash scripts/check_module_size.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## make prod-up / prod-down: the production stack on this machine, no Docker (docs/deploy.md):
## supervisord runs gunicorn, uvicorn, a Celery worker, beat and nginx on 127.0.0.1:$(PROD_PORT)
## against the local PostgreSQL (database recall_prod) and Redis; runtime files in ./var
PROD_PORT ?= 8080
export PROD_PORT
prod-up: install
	bash scripts/prod_up.sh

prod-down:
	bash scripts/prod_down.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .grimp_cache .import_linter_cache .test-media staticfiles
