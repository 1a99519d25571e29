# DocSpace Portal — the two commands a new machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev system-deps lint format check migrate bench loadtest clean

run: setup migrate  ## set up, make the data directory, migrate, make sure an admin exists, serve http://127.0.0.1:8000
	$(BIN)/python manage.py ensure_admin
	@echo "Serving DocSpace Portal at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup-dev lint check  ## set up, lint, and run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

setup: system-deps $(VENV)/.runtime
setup-dev: system-deps $(VENV)/.dev

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# python-magic needs the system's libmagic; install it where we may, else say how.
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1'; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing libmagic1 (needed by python-magic)…"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmagic1; \
		else \
			echo "libmagic is missing: install it first (Debian/Ubuntu: sudo apt-get install libmagic1; macOS: brew install libmagic)"; \
			exit 1; \
		fi; \
	fi

migrate: setup
	$(BIN)/python manage.py init_data_dir
	$(BIN)/python manage.py migrate --noinput
# The database cache's table (production's default cache; a no-op for other caches).
	$(BIN)/python manage.py createcachetable

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: setup-dev
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py check

loadtest: setup-dev  ## gunicorn on loopback under mixed load; fails on any error
	$(BIN)/python bench/load_test.py

bench: setup-dev
	@for script in bench/*.py; do \
		case $$script in bench/_*|bench/load_test.py) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf $(VENV)
