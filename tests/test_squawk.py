"""Self-check against squawk, the PostgreSQL migration linter: every finding it has on pgdiff's plans
must be a hazard the plan reports, or a known false positive that another test proves harmless."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pgdiff.plan import Plan, Statement
from pgdiff.render import render_sql
from tests.pg import assert_converges

# What each squawk rule warns about, as pgdiff's hazard codes.
RULE_HAZARDS = {
    "ban-drop-table": {"data-loss"},
    "ban-drop-column": {"data-loss"},
    "ban-drop-database": {"data-loss"},
    "ban-truncate-cascade": {"data-loss"},
    "changing-column-type": {"table-rewrite"},
    "prefer-text-field": {"table-rewrite"},
    "adding-field-with-default": {"table-rewrite"},
    "adding-serial-primary-key-field": {"table-rewrite"},
    "adding-required-field": {"validates-existing-rows"},
    "adding-not-nullable-field": {"validates-existing-rows"},
    "constraint-missing-not-valid": {"validates-existing-rows"},
    "adding-foreign-key-constraint": {"validates-existing-rows"},
    "disallowed-unique-constraint": {"index-build"},
    "require-concurrent-index-creation": {"index-build"},
    "require-concurrent-index-deletion": {"index-dropped"},
    "renaming-column": {"breaking-change"},
    "renaming-table": {"breaking-change"},
    "renaming-object": {"breaking-change"},
    "ban-drop-not-null": {"breaking-change"},
    "adding-exclusion-constraint": {"access-exclusive-lock"},
}
# Advice on schema style, not on how a migration runs; pgdiff applies the schema the files describe.
STYLE_RULES = [
    "prefer-robust-stmts",
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    "prefer-timestamptz",
    "ban-char-field",
]

SAFETY_CASES = {
    "index-create-drop-change": (
        "CREATE TABLE t (a int, b text, c text); CREATE INDEX t_c ON t (c); CREATE INDEX t_b ON t (b);",
        "CREATE TABLE t (a int, b text, c text); CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (lower(b));",
    ),
    "check-and-foreign-key": (
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (a int, p int);",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (a int CHECK (a > 0), p int REFERENCES p (id));",
    ),
    "set-not-null": ("CREATE TABLE t (a int);", "CREATE TABLE t (a int NOT NULL);"),
    "unique-and-primary-key": (
        "CREATE TABLE t (id int NOT NULL, email text);",
        "CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE);",
    ),
    "type-changes": (
        "CREATE TABLE t (a varchar(10), b int, c numeric(10,2), d varchar(50));",
        "CREATE TABLE t (a varchar(20), b bigint, c numeric(12,2), d varchar(20));",
    ),
    "add-columns": (
        "CREATE TABLE t (a int);",
        "CREATE TABLE t (a int, b int DEFAULT 0, c uuid DEFAULT gen_random_uuid(),"
        " d int GENERATED ALWAYS AS (a * 2) STORED);",
    ),
    "drops": ("CREATE TABLE t (a int, b int); CREATE TABLE gone (x int);", "CREATE TABLE t (a int);"),
    "renames": (
        "CREATE TABLE flows (a int, name text);",
        "-- pgdiff: renamed from flows\n"
        "CREATE TABLE workflows (\n  a int,\n  title text -- pgdiff: renamed from name\n);",
    ),
    "exclusion": (
        "CREATE TABLE booking (during tsrange);",
        "CREATE TABLE booking (during tsrange, EXCLUDE USING gist (during WITH &&));",
    ),
    "logged": ("CREATE UNLOGGED TABLE t (a int);", "CREATE TABLE t (a int);"),
}


def _squawk() -> str:
    found = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    assert Path(found).exists(), "squawk-cli is a test dependency: run `make test`"
    return found


def _findings(sql: str, tmp_path: Path, server_major: int) -> list[dict]:
    script = tmp_path / "plan.sql"
    script.write_text(sql)
    result = subprocess.run(
        [
            _squawk(),
            "--reporter",
            "json",
            f"--pg-version={server_major}.0",
            f"--exclude={','.join(STYLE_RULES)}",
            str(script),
        ],
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def _statement_at(plan: Plan, sql: str, line: int) -> Statement:
    """The plan statement whose SQL starts on (0-based) `line` of the rendered script."""
    lines = sql.splitlines()
    for statement in plan.statements:
        first = statement.sql.splitlines()[0] + ("" if "\n" in statement.sql else ";")
        candidates = [i for i, text in enumerate(lines) if text == first]
        if line in candidates:
            return statement
    raise AssertionError(f"squawk points at line {line}, which starts no statement: {lines[line]!r}")


def _known_false_positive(rule: str, statement: Statement) -> bool:
    """Findings another test proves harmless."""
    if rule in ("changing-column-type", "prefer-text-field") and " TYPE " in statement.sql:
        # A type change PostgreSQL does without a rewrite: tests/test_column_types.py checks that against the
        # table's relfilenode, for the same classification that leaves the table-rewrite hazard out.
        return not any(h.code == "table-rewrite" for h in statement.hazards)
    # Swapping in a rebuilt index renames pgdiff's own temporary index, which no client knows; the helper
    # CHECK that let SET NOT NULL skip its scan is pgdiff's own too.
    own_object = "_pgdiff_new RENAME TO" in statement.sql or "DROP CONSTRAINT pgdiff_" in statement.sql
    return rule in ("renaming-object", "ban-drop-constraint") and own_object


@pytest.mark.parametrize("case", sorted(SAFETY_CASES))
def test_every_squawk_finding_is_a_reported_hazard(pg, tmp_path, case):
    current, desired = SAFETY_CASES[case]
    plan = assert_converges(pg, current, desired).plan
    sql = render_sql(plan)
    unexplained = []
    for finding in _findings(sql, tmp_path, pg.major):
        rule = finding["rule_name"]
        statement = _statement_at(plan, sql, finding["line"])
        codes = {h.code for h in statement.hazards}
        if _known_false_positive(rule, statement):
            continue
        if rule not in RULE_HAZARDS or not RULE_HAZARDS[rule] & codes:
            unexplained.append(f"{rule} on {statement.sql!r} (hazards: {sorted(codes)})")
    assert unexplained == []
