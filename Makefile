# Everyday commands. The virtualenv is .venv; `make install` makes it.
PY ?= python3
VENV = .venv/bin

install:
	$(PY) -m venv .venv && $(VENV)/pip install -e '.[test]'

demo:
	$(VENV)/tenant-app demo --port 5000

test:
	$(VENV)/pytest

test-pg:
	REQUIRE_SERVICES=1 TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres $(VENV)/pytest

lint:
	$(VENV)/ruff check . && $(VENV)/ruff format --check tenant_app policies tests || true

perf:
	$(VENV)/pytest tests/perf -s -p no:cacheprovider

translations:
	$(VENV)/pybabel extract -F babel.cfg -o /tmp/messages.pot . && \
	$(VENV)/pybabel update -i /tmp/messages.pot -d tenant_app/translations && \
	$(VENV)/pybabel compile -d tenant_app/translations

ci:
	CI=true bash .ci/run

.PHONY: install demo test test-pg lint perf translations ci
