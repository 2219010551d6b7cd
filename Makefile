# BMMS portal. Two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, else the copy `make uv` installs into ~/.local/bin.
UV = $(or $(shell command -v uv 2>/dev/null),$(HOME)/.local/bin/uv)
MANAGE = $(UV) run --frozen python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help uv install db run serve test lint format browser browser-check bench loadtest check-deploy \
	cluster-packages cluster cluster-down test-cluster

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

uv: ## Install uv if it is missing
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || { \
	  echo "Installing uv (Python package manager)..."; \
	  python3 -m pip install --user --quiet uv 2>/dev/null \
	  || python3 -m pip install --user --quiet --break-system-packages uv; }

install: uv ## Create the virtualenv with every dependency (uv.lock)
	@$(UV) sync --frozen --quiet

db: install ## Create the PostgreSQL database if missing (says plainly when no server answers)
	@$(MANAGE) ensure_database

run: db ## Install, migrate, load organizations and demo data, serve on http://127.0.0.1:8000
	@$(MANAGE) migrate --noinput
	@$(MANAGE) load_organizations
	@$(MANAGE) seed_demo
	@$(MAKE) --no-print-directory serve

serve: ## Serve the portal (and a Celery worker when CELERY_BROKER_URL is set)
	@set -a; [ -f .env ] && . ./.env; set +a; \
	if [ -n "$${CELERY_BROKER_URL:-}" ]; then \
	  echo "Starting a Celery worker (queues default, ai, exports)..."; \
	  $(UV) run --frozen celery -A config worker -B -Q default,ai,exports -l info & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	fi; \
	echo ""; echo "  BMMS portal: http://$(HOST):$(PORT)/  (sign in with a demo login above)"; echo ""; \
	$(MANAGE) runserver $(HOST):$(PORT)

browser: ## Chromium (Debian, root only) and axe-core (npm) for the browser tests, when missing
	@[ -x /usr/bin/chromium ] || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium missing: browser tests will be skipped (apt-get install chromium)."; fi; }
	@[ -d node_modules/axe-core ] || { command -v npm >/dev/null \
	  && npm ci --no-audit --no-fund --loglevel=error \
	  || echo "npm missing: accessibility tests will be skipped."; }

lint: install ## ruff lint and format check
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .

format: install ## Format the code with ruff
	@$(UV) run --frozen ruff check --fix .
	@$(UV) run --frozen ruff format .

test: db browser lint ## Lint and run the whole test suite on PostgreSQL and Redis
	@$(UV) run --frozen pytest -n 2 --create-db $(PYTEST_ARGS)

browser-check: db browser ## Every page × persona × 1366/390 px in Chromium (docs/ui.md)
	@BMMS_BROWSER_CHECK=1 $(UV) run --frozen pytest -n 2 --create-db tests/e2e/test_browser_check.py \
	  $(PYTEST_ARGS); status=$$?; echo "Screenshots and problems: test-results/screens/"; exit $$status

bench: db ## Benchmarks (timings live here, never in unit tests)
	@$(UV) run --frozen python -m tests.perf.bench

USERS ?= 1100
DURATION ?= 300
RUNS ?= 3
SCALE ?= 25
loadtest: db ## Load test: gunicorn + worker, locust persona mix (USERS, DURATION, RUNS, SCALE)
	@$(UV) run --frozen python -m tests.perf.loadtest --users $(USERS) --duration $(DURATION) \
	  --runs $(RUNS) --scale $(SCALE)

check-deploy: install ## `manage.py check --deploy` under production settings with dummy values
	@DJANGO_SETTINGS_MODULE=config.settings.production \
	 DJANGO_SECRET_KEY="ci-only-$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	 DJANGO_ALLOWED_HOSTS=bmms.example.gov.ph \
	 $(UV) run --frozen python manage.py check --deploy --fail-level WARNING
	@tmp=$$(mktemp -d) && DJANGO_SETTINGS_MODULE=config.settings.production \
	 DJANGO_SECRET_KEY="ci-only-$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	 DJANGO_ALLOWED_HOSTS=bmms.example.gov.ph DJANGO_STATIC_ROOT=$$tmp \
	 $(UV) run --frozen python manage.py collectstatic --noinput -v0 && rm -rf $$tmp \
	 && echo "collectstatic with the production storage: OK"

# The production topology (deploy/) on network namespaces of this machine: docs/operations.md.
CLUSTER_PACKAGES = haproxy pgbouncer redis-server redis-sentinel postgresql iproute2
cluster-packages: ## Debian's haproxy, pgbouncer, redis-sentinel, ... for the cluster (root)
	@[ "$$(id -u)" = "0" ] || { echo "The cluster needs root (network namespaces)."; exit 1; }
	@missing=""; for p in $(CLUSTER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing$$missing..."; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

cluster: install cluster-packages ## Start the multi-host topology (namespaces) and leave it running
	@$(UV) run --frozen python -m tests.cluster.harness up

cluster-down: ## Stop the multi-host topology and remove its namespaces
	@$(UV) run --frozen python -m tests.cluster.harness down

test-cluster: install cluster-packages ## Fault checks on the multi-host topology (~15 min, root)
	@$(UV) run --frozen python -m tests.cluster.harness test $(PYTEST_ARGS)
