# Quick start: `make run` (demo on http://127.0.0.1:8000/) and `make test`.
# Needs only Python >= 3.11: uv is installed into .tools/, the app into .venv/.

UV_VERSION := 0.9.30
UV := .tools/bin/uv
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run test lint test-postgres bench messages clean restore-drill

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

# The demo: DEBUG on, SQLite under var/, fictional people and roster.
run: export DEBUG := true
run: export TIME_ZONE ?= America/New_York
run: .venv/.synced
	mkdir -p var/static
	$(PY) manage.py compilecatalogs
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Test-only tools from npm (axe-core, the Nu Html Checker); skipped without npm.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility and HTML checks will be skipped"; fi

# The whole suite, lint and type checks included; non-zero on any failure.
# pytest: one worker per core (pytest-xdist), an idle one taking tests queued for
# the other. Compiled modules (.pyc) are kept even where the environment says not
# to (PYTHONDONTWRITEBYTECODE), or every worker and every server a test starts
# compiles Django anew.
test: .venv/.synced node_modules/.package-lock.json
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	DEBUG=true .venv/bin/mypy  # the settings load without a secret only with DEBUG on
	PYTHONDONTWRITEBYTECODE= .venv/bin/pytest -n auto --dist worksteal

# The same suite against PostgreSQL (used by .ci/run).
test-postgres: .venv/.synced
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crisisline} .venv/bin/pytest

# Back up, drop, restore and start the app on PostgreSQL, and prove what came back
# (docs/operations.md). Makes and drops its own database on PG_ADMIN_URL's server.
restore-drill: .venv/.synced
	$(PY) .ci/restore_drill.py

# Regenerate the Spanish catalogs after changing user-facing strings (needs GNU gettext).
messages: .venv/.synced
	DEBUG=true $(PY) manage.py makemessages -l es --no-obsolete --ignore='var/*' --ignore='.venv/*' --ignore='.tools/*' --ignore='shifts/*' --ignore='calls/*' --ignore='protocols/*' --ignore='tests/*'
	for app in shifts calls protocols; do (cd $$app && DEBUG=true ../$(PY) ../manage.py makemessages -l es); done

clean:
	rm -rf .venv .tools var

# The benchmark (not part of the suite): prints a table, writes tests/bench/results.json.
bench: .venv/.synced
	.venv/bin/python -m tests.bench.run $(BENCH_ARGS)
