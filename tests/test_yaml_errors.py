"""Malformed desired state: every problem is one `file:line[:column]: message`, never a traceback.

The exact messages of 40-odd malformed inputs (YAML syntax, JSON Schema violations, unknown keys with a
suggestion, wrong types, columns a key names that the table lacks, SQL inside YAML values, SQL files'
syntax, DML, includes), then a property: random YAML documents and mutations of valid ones either load
or fail with `SourceError`.
"""

from __future__ import annotations

import contextlib
import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pgdiff.errors import SourceError
from pgdiff.source import resolve_sources
from tests.yaml_cases import CASES as VALID_CASES

T = "tables:\n  - name: t\n    columns: [{name: a, type: int}]\n"

# (id, bad.yaml's text, the message after `bad.yaml:`)
YAML_CASES = [
    ("yaml_unclosed_flow", "tables: [\n", "2:1: expected the node content, but found '<stream end>'"),
    ("yaml_tab", "tables:\n\t- name: t\n", "2:1: found character '\\t' that cannot start any token"),
    (
        "yaml_bad_indent",
        "tables:\n  - name: t\n   columns: []\n",
        "3:4: expected <block end>, but found '<block mapping start>'",
    ),
    (
        "yaml_duplicate_key",
        "tables:\n  - name: t\n    name: u\n    columns: []\n",
        "3:5: tables[0]: key 'name' appears twice",
    ),
    ("unknown_top_key", "table:\n  - name: t\n", "1:1: unknown key 'table' in document; did you mean 'tables'?"),
    (
        "unknown_column_key",
        "tables:\n  - name: t\n    columns: [{name: a, type: int, nullabel: false}]\n",
        "3:36: unknown key 'nullabel' in columns[0]; did you mean 'nullable'?",
    ),
    (
        "unknown_key_no_match",
        "enums:\n  - {name: e, values: [a], zzz: 1}\n",
        "2:28: unknown key 'zzz' in enums[0]; valid keys: name, schema, comment, values, grants, revoke",
    ),
    ("wrong_type_list", "tables:\n  - name: t\n    columns: abc\n", "3:14: columns must be a list, not 'abc'"),
    (
        "wrong_type_bool",
        "tables:\n  - name: t\n    columns: [{name: a, type: int, nullable: maybe}]\n",
        "3:46: nullable must be a boolean, not 'maybe'",
    ),
    ("wrong_type_int", "sequences:\n  - {name: s, start: ten}\n", "2:22: start must be an integer, not 'ten'"),
    (
        "wrong_enum",
        T + "    foreign_keys:\n      - {columns: [a], references: {table: u}, on_delete: explode}\n",
        "5:59: on_delete must be one of 'no action', 'restrict', 'cascade', 'set null', 'set default', not 'explode'",
    ),
    ("missing_required", "tables:\n  - name: t\n", "2:5: tables[0] needs 'columns'"),
    ("missing_column_type", "tables:\n  - name: t\n    columns: [{name: a}]\n", "3:15: columns[0] needs 'type'"),
    ("document_not_mapping", "- tables\n", "1:1: document must be a mapping, not a list"),
    ("key_not_a_name", "? [a]\n: b\n", "1:3: document: a key must be a name, not a list"),
    (
        "anyof_wrong_kind",
        "tables:\n  - name: t\n    columns: [{name: a, type: int, identity: [always]}]\n",
        "3:46: identity must be a string or a mapping, not a list",
    ),
    (
        "index_missing_column",
        T + "    indexes:\n      - {name: i, keys: [{column: b}]}\n",
        "5:35: no column 'b' in this table",
    ),
    ("pk_missing_column", T + "    primary_key: {columns: [id]}\n", "4:29: no column 'id' in this table"),
    ("unique_include_missing", T + "    unique: [{columns: [a], include: [z]}]\n", "4:39: no column 'z' in this table"),
    (
        "fk_missing_column",
        T + "    foreign_keys: [{columns: [b], references: {table: u}}]\n",
        "4:31: no column 'b' in this table",
    ),
    (
        "partition_key_missing",
        T + "    partition_by: {method: range, columns: [at]}\n",
        "4:45: no column 'at' in this table",
    ),
    (
        "statistics_missing_column",
        T + "    statistics: [{name: s, columns: [a, b]}]\n",
        "4:41: no column 'b' in this table",
    ),
    (
        "trigger_missing_column",
        T + "    triggers: [{name: g, timing: before, events: [update], columns: [x], function: f}]\n",
        "4:70: no column 'x' in this table",
    ),
    (
        "grant_missing_column",
        T + "    grants: [{to: r, privileges: [select], columns: [nope]}]\n",
        "4:54: no column 'nope' in this table",
    ),
    (
        "exclusion_missing_column",
        T + "    exclusions: [{elements: [{column: c, operator: '&&'}]}]\n",
        "4:39: no column 'c' in this table",
    ),
    (
        "partition_without_bound",
        T + "    partition_by: {method: list, columns: [a]}\n    partitions: [{name: p}]\n",
        "5:18: a partition needs a bound: default, bound, in, from and to, or modulus",
    ),
    (
        "index_key_both",
        T + "    indexes: [{name: i, keys: [{column: a, expression: lower(a)}]}]\n",
        "4:32: an index key needs exactly one of column or expression",
    ),
    ("index_without_keys", T + "    indexes: [{name: i}]\n", "4:15: an index needs keys or a definition"),
    ("replica_index_missing", T + "    replica_identity: index\n", "4:23: replica_identity index needs replica_index"),
    (
        "not_valid_check_unnamed",
        T + "    checks: [{expression: a > 0, not_valid: true}]\n",
        "4:14: a NOT VALID check needs a name",
    ),
    (
        "trigger_without_timing",
        T + "    triggers: [{name: g, events: [insert], function: f}]\n",
        "4:16: a trigger needs 'timing' (or a definition)",
    ),
    (
        "function_not_create",
        "functions:\n  - {definition: DROP TABLE x, comment: hi}\n",
        "2:5: a function definition must be CREATE FUNCTION or CREATE PROCEDURE",
    ),
    (
        "function_without_body",
        "functions:\n  - {name: f, returns: int}\n",
        "2:5: a function needs 'body' (or a definition)",
    ),
    (
        "two_statements_in_type",
        "tables:\n  - name: t\n    columns: [{name: a, type: 'int); DROP TABLE x; --'}]\n",
        "2: a value holds more than one SQL statement",
    ),
    (
        "dml_in_definition",
        "functions:\n  - definition: INSERT INTO t VALUES (1)\n",
        "2: INSERT is not schema: it changes rows, and the desired state descri"
        "bes only schema; keep it in a data or seed script",
    ),
    (
        "sql_syntax_in_expression",
        "tables:\n  - name: t\n    columns: [{name: a, type: int, default: 'now('}]\n",
        "2: syntax error at end of input",
    ),
    ("empty_value", T + "    comment:\n", "4:13: comment must be a string, not empty"),
]

# (id, files, the message; the first file is the one loaded)
SQL_CASES = [
    (
        "sql_syntax",
        {"bad.sql": "CREATE TABLE t (id int);\n\nCREATE TABEL u (id int);\n"},
        'bad.sql:3: syntax error at or near "TABEL"',
    ),
    (
        "sql_dml",
        {"bad.sql": "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n"},
        "bad.sql:2: INSERT is not schema: it changes rows, and the desired stat"
        "e describes only schema; keep it in a data or seed script",
    ),
    (
        "sql_missing_include",
        {"bad.sql": "\\ir missing.sql\n"},
        "bad.sql:1: \\ir missing.sql: no such file (missing.sql)",
    ),
    (
        "sql_cyclic_include",
        {"bad.sql": "\\ir other.sql\n", "other.sql": "\\ir bad.sql\n"},
        "other.sql:1: \\ir bad.sql includes itself (bad.sql -> other.sql -> bad.sql)",
    ),
    (
        "sql_meta_command",
        {"bad.sql": "\\set x 1\n"},
        "bad.sql:1: psql meta-command \\set is not schema; only \\i and \\ir are understood",
    ),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for i, t, m in YAML_CASES])
def test_malformed_yaml_names_file_line_and_column(tmp_path, text, message):
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(SourceError) as raised:
        resolve_sources([str(tmp_path / "bad.yaml")])
    assert str(raised.value) == f"{tmp_path}/bad.yaml:{message}"


@pytest.mark.parametrize(("files", "message"), [pytest.param(f, m, id=i) for i, f, m in SQL_CASES])
def test_malformed_sql_names_file_and_line(tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(SourceError) as raised:
        resolve_sources([str(tmp_path / next(iter(files)))])
    assert str(raised.value).replace(f"{tmp_path}/", "") == message


# -- property: anything YAML either loads or fails with SourceError ----------------------------------

KEYS = sorted(
    {
        "name",
        "schema",
        "tables",
        "columns",
        "type",
        "nullable",
        "default",
        "identity",
        "generated",
        "indexes",
        "keys",
        "column",
        "expression",
        "partition_by",
        "partitions",
        "from",
        "to",
        "in",
        "bound",
        "grants",
        "privileges",
        "functions",
        "definition",
        "views",
        "query",
        "enums",
        "values",
        "triggers",
        "events",
        "policies",
        "using",
        "check",
        "checks",
        "foreign_keys",
        "references",
        "sequences",
        "on",
        "default_privileges",
        "schemas",
        "extensions",
        "options",
        "with",
        "comment",
        "unique",
        "primary_key",
        "statistics",
        "exclusions",
        "elements",
        "operator",
        "inherits",
        "domains",
        "composite_types",
        "attributes",
        "range_types",
        "subtype",
    }
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, width=16),
    st.sampled_from(["int", "text", "a", "", "on", "yes", "2026-01-01", "lower(a)", "always", "range", "x y", "'q'"]),
    st.text(max_size=8),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), children, max_size=5),
    ),
    max_leaves=25,
)
VALID = [yaml.safe_load(text) for text, _ in VALID_CASES.values()]


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> object:
    """A valid document with one value replaced, a key dropped or renamed."""
    document = copy.deepcopy(draw(st.sampled_from(VALID)))
    path = draw(st.sampled_from(_paths(document)[1:]))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "drop", "rename"]))
    if action == "replace" or isinstance(parent, list):
        parent[path[-1]] = draw(DOCUMENTS)
    elif action == "drop":
        del parent[path[-1]]
    else:
        parent[draw(st.sampled_from(KEYS))] = parent.pop(path[-1])
    return document


def load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "random.yaml"
    path.write_text(text)
    with contextlib.suppress(SourceError):
        resolve_sources([str(path)])


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(document=st.one_of(DOCUMENTS, mutated()))
def test_random_documents_load_or_fail_with_source_error(tmp_path, document):
    load(tmp_path, yaml.safe_dump(document, allow_unicode=True))


TOKENS = [*"ab: -[]{},\n\t'\"&*!|>#%@`?", "tables", "name", "columns", "type: int", "  ", "\n  - "]


@SETTINGS
@given(text=st.lists(st.sampled_from(TOKENS), max_size=30).map("".join))
def test_random_text_loads_or_fails_with_source_error(tmp_path, text):
    load(tmp_path, text)
