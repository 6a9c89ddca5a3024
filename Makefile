# Everyday commands. The virtualenv is .venv; `make install` makes it.
PY ?= python3
VENV = .venv/bin

install:
	$(PY) -m venv .venv && $(VENV)/pip install --require-hashes -r requirements/lock.txt \
		&& $(VENV)/pip install --no-deps -e .

# After changing dependencies in pyproject.toml: exact versions and hashes for every platform.
lock:
	$(VENV)/pip install -q uv && $(VENV)/uv pip compile pyproject.toml --extra test \
		--extra deploy --generate-hashes --universal --python-version 3.11 --no-header \
		-o requirements/lock.txt

demo:
	$(VENV)/tenant-app demo --port 5000

test:
	$(VENV)/pytest

test-pg:
	REQUIRE_SERVICES=1 TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres $(VENV)/pytest

# The quality gate .ci/run applies: fails on any formatting, lint, type or import-contract error.
lint:
	$(VENV)/ruff format --check .
	$(VENV)/ruff check .
	$(VENV)/mypy
	$(VENV)/lint-imports --no-cache

fuzz:
	FUZZ_EXAMPLES=6 $(VENV)/pytest -m fuzz

perf:
	$(VENV)/pytest tests/perf -n 0 -s -p no:cacheprovider

# The read paths beside a bare Flask+psycopg app, over HTTP with wrk (docs/performance.md);
# PERF_ENTERPRISES=1000000 for the issue's goal scale (default 200000).
perf-read:
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} \
		$(VENV)/pytest tests/perf/test_read_path_perf.py -n 0 -s -p no:cacheprovider

translations:
	$(VENV)/pybabel extract -F babel.cfg -o /tmp/messages.pot . && \
	$(VENV)/pybabel update -i /tmp/messages.pot -d tenant_app/translations && \
	$(VENV)/pybabel compile -d tenant_app/translations

ci:
	CI=true bash .ci/run

.PHONY: install lock demo test test-pg lint fuzz perf perf-read translations ci
