# DocSpace Portal — the two commands a new machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev system-deps node-deps conformance-deps lint format check migrate bench loadtest screenshots clean messages compilemessages

run: setup migrate  ## set up, make the data directory, migrate, make sure an admin exists, serve http://127.0.0.1:8000
	$(BIN)/python manage.py ensure_admin
	@echo "Serving DocSpace Portal at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup-dev node-deps conformance-deps lint check  ## set up, lint, and run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

# The certified client libraries (openid-client, oauth4webapi) the conformance suite
# drives under Node, exactly as package-lock.json pins them.
CONFORMANCE := tests/conformance
conformance-deps: $(CONFORMANCE)/node_modules/.installed
$(CONFORMANCE)/node_modules/.installed: $(CONFORMANCE)/package.json $(CONFORMANCE)/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ and npm are needed for tests/conformance (Debian: apt-get install nodejs npm)"; exit 1; }
	cd $(CONFORMANCE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: system-deps $(VENV)/.runtime compilemessages
setup-dev: system-deps $(VENV)/.dev compilemessages

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

# The browser tests inject axe-core (pinned in tests/browser/package-lock.json).
# Without npm they skip its checks, unless PORTAL_REQUIRE_BROWSER=1 (CI).
BROWSER_TOOLS := tests/browser/node_modules/.installed
node-deps: $(BROWSER_TOOLS)
$(BROWSER_TOOLS): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
		cd tests/browser && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm is missing: install Node.js 18+ for the accessibility checks of the browser tests"; \
	fi

# python-magic needs the system's libmagic, and the translation catalogs GNU gettext
# (msgfmt compiles them, xgettext extracts strings); install them where we may, else say how.
# $(call system_package,CHECK,PACKAGE,WHAT FOR,HOW TO GET IT ELSEWHERE): install PACKAGE with apt
# when CHECK fails and we are root on Debian/Ubuntu; otherwise say how to install it and stop.
define system_package
	@if ! ( $(1) ); then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing $(2) ($(3))…"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); \
		else \
			echo "$(2) is missing ($(3)): install it first ($(4))"; \
			exit 1; \
		fi; \
	fi
endef

system-deps:
	$(call system_package,command -v msgfmt >/dev/null && command -v xgettext >/dev/null,gettext,GNU gettext compiles the translation catalogs,Debian/Ubuntu: sudo apt-get install gettext; macOS: brew install gettext)
	$(call system_package,ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1',libmagic1,python-magic needs it,Debian/Ubuntu: sudo apt-get install libmagic1; macOS: brew install libmagic)

# Compiled catalogs (.mo) are build output, not in git: made from locale/*/LC_MESSAGES/*.po on
# every run, so they are never stale. The test run compiles them too (tests/conftest.py).
compilemessages: $(VENV)/.runtime
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var

# Re-extract every translatable string into the catalogs (docs/translating.md). Always with
# exactly these options, so catalogs do not churn between machines.
MAKEMESSAGES = DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemessages \
	-l de -l fr -l es -l ru -l zh_Hans -l ar --ignore=tests --ignore=bench --ignore=var \
	--ignore=node_modules --no-obsolete --add-location=file
messages: $(VENV)/.dev
	$(MAKEMESSAGES)
	$(MAKEMESSAGES) -d djangojs

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

screenshots: setup-dev  ## the README's screenshots, made again from the current pages (needs Chromium)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) tests/browser/node_modules
