"""Reads pg_catalog into a `Model`. The only package that queries the catalog.

One `.sql` file per object kind, filtered on the server, so an inspection costs a
fixed number of queries whatever the size of the schema. Everything runs in one
read-only REPEATABLE READ transaction with an empty search_path, so every name
PostgreSQL prints (types, defaults, constraint and index definitions) is
schema-qualified the same way on both sides of a diff.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row, tuple_row

from pgdiff import quoting
from pgdiff.connect import same_params
from pgdiff.gc_pause import gc_paused
from pgdiff.model import (
    IDENTITY_OPTIONS,
    Cast,
    Collation,
    Column,
    ColumnSettings,
    Comment,
    CompositeType,
    Constraint,
    DefaultPrivileges,
    Domain,
    DomainCheck,
    EnumType,
    Extension,
    Function,
    Grant,
    Index,
    KindKey,
    Model,
    Owner,
    Policy,
    RangeType,
    RowSecurity,
    Schema,
    Sequence,
    Statistics,
    Table,
    Trigger,
    Unmanaged,
    View,
    identity_defaults,
    statistics_columns_by_name,
)

QUERY_NAMES = (
    "schemas",
    "extensions",
    "tables",
    "columns",
    "constraints",
    "indexes",
    "sequences",
    "enums",
    "composites",
    "domains",
    "ranges",
    "functions",
    "triggers",
    "views",
    "row_security",
    "policies",
    "collations",
    "statistics",
    "comments",
    "privileges",
    "owners",
    "default_privileges",
    "dependencies",
    "conversions",
    "unmanaged",
)

IDENTITY_KINDS = {"a": "always", "d": "by default", "": ""}
GENERATED_KINDS = {"s": "stored", "v": "virtual", "": ""}


@cache
def query_text(name: str) -> str:
    return resources.files(__package__).joinpath(f"{name}.sql").read_text()


# Two connections take the queries from the two ends of this list and meet wherever their times balance out.
# The second, from the back, gets the queries whose printing functions open the tables they print
# (pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_triggerdef): a relation a backend opened is
# cached in that backend, and the other would build the same cache entries again. One connection runs the
# list in order.
QUERY_ORDER = (
    "dependencies", "columns", "tables", "privileges", "owners", "comments", "sequences", "functions",
    "schemas", "extensions", "enums", "composites", "domains", "ranges", "row_security", "default_privileges",
    "conversions", "unmanaged", "collations", "statistics", "policies", "triggers", "views", "constraints",
    "indexes",
)  # fmt: skip


TUPLE_ROWS = {"dependencies"}  # 400,000 rows at 10,000 tables: no dict per row


def inspect(
    conn: psycopg.Connection,
    on_query: Callable[[str], None] | None = None,
    *,
    open_helper: Callable[[], psycopg.Connection] | None = None,
    parallel: bool = True,
) -> Model:
    """Read the managed objects of the database behind `conn` into a `Model`.

    The catalog queries run in one REPEATABLE READ snapshot. With `parallel`, a second connection to the same
    database (`open_helper`, by default `conn`'s own parameters) imports that snapshot with
    `pg_export_snapshot()`, as `pg_dump -j` does, and the two take the queries from the two ends of one
    list: most of an inspection is the server's time, and the server has more than one core. Where the second connection
    cannot be had (a connection limit, a server that cannot export snapshots), the first runs them all.
    `on_query` is told each query's name as it starts, from either connection's thread.
    """
    rows: dict[str, list[dict[str, Any]]] = {}
    previous_autocommit = conn.autocommit
    conn.autocommit = False
    with gc_paused():
        try:
            try:
                _read_catalog(conn, rows, on_query, parallel, open_helper)
            except _NotExported:
                _read_catalog(conn, rows, on_query, False, None)
        finally:
            conn.autocommit = previous_autocommit
        return _build_model(conn.info.server_version, rows)


class _NotExported(Exception):
    """The server would not export the inspection's snapshot (the transaction it was asked in is over)."""


def _read_catalog(
    conn: psycopg.Connection,
    rows: dict[str, list[dict[str, Any]]],
    on_query: Callable[[str], None] | None,
    parallel: bool,
    open_helper: Callable[[], psycopg.Connection] | None,
) -> None:
    with conn.transaction():
        _begin_snapshot(conn)
        snapshot = None
        if parallel:
            try:
                # Not in a savepoint: a snapshot cannot be exported from a subtransaction.
                snapshot = conn.execute("SELECT pg_catalog.pg_export_snapshot()").fetchone()
            except psycopg.Error as error:
                raise _NotExported() from error
        with _helper_connection(conn, snapshot[0] if snapshot else None, open_helper) as helper:
            _run_queries([conn] if helper is None else [conn, helper], rows, on_query)


def _begin_snapshot(conn: psycopg.Connection, snapshot: str | None = None) -> None:
    """Start the inspection's transaction on `conn` (already in one): read-only, repeatable read, on
    `snapshot` when given (a snapshot another connection exported), with the session settings below."""
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    if snapshot is not None:
        conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
    conn.execute(SESSION_SETTINGS)


@contextmanager
def _helper_connection(
    conn: psycopg.Connection, snapshot: str | None, open_helper: Callable[[], psycopg.Connection] | None
) -> Iterator[psycopg.Connection | None]:
    """A second connection in `snapshot`, or None without a snapshot or when the connection cannot be had."""
    if snapshot is None:
        yield None
        return
    helper = None
    try:
        helper = (open_helper or _same_database(conn))()
        helper.autocommit = False
        _begin_snapshot(helper, snapshot)
    except (psycopg.Error, OSError):
        if helper is not None:
            helper.close()
        yield None
        return
    try:
        yield helper
    finally:
        helper.close()  # read-only: closing ends its transaction


def _same_database(conn: psycopg.Connection) -> Callable[[], psycopg.Connection]:
    """Opens a connection with every parameter `conn` was opened with (password included, never printed)."""
    params = same_params(conn, application_name="pgdiff inspection helper")
    params.setdefault("connect_timeout", "10")
    return lambda: psycopg.connect(**params)


def _run_queries(
    connections: list[psycopg.Connection],
    rows: dict[str, list[dict[str, Any]]],
    on_query: Callable[[str], None] | None,
) -> None:
    """Every catalog query once, into `rows`. One connection runs QUERY_ORDER in order; with two, the first
    takes from its front in this thread, the second from its back in another, until they meet."""
    pending = deque(QUERY_ORDER)
    lock = threading.Lock()
    failed = threading.Event()  # one connection's error stops the other at its next query

    def work(conn: psycopg.Connection, take: Callable[[], str]) -> None:
        with conn.cursor(row_factory=dict_row) as cur:
            while not failed.is_set():
                with lock:
                    if not pending:
                        return
                    name = take()
                if on_query:
                    on_query(name)
                try:
                    cur.row_factory = tuple_row if name in TUPLE_ROWS else dict_row
                    cur.execute(query_text(name))
                    rows[name] = cur.fetchall()
                except BaseException:
                    failed.set()
                    raise

    if len(connections) == 1:
        work(connections[0], pending.popleft)
        return
    first, second = connections
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgdiff-inspect") as pool:
        other = pool.submit(work, second, pending.pop)
        try:
            work(first, pending.popleft)
        finally:
            other.exception()  # waits: no query is left running on a connection about to be closed
        other.result()


# Set for the inspection's transaction only. An empty search_path makes the server schema-qualify every
# name it prints; a fixed TimeZone, DateStyle and IntervalStyle make constants print the same whatever the
# server's configuration or the client's PGTZ/PGDATESTYLE/PGOPTIONS (a timestamptz default prints in the
# session's time zone). The catalog queries read every row of large catalogs in one pass: JIT compiling them
# (their cost estimates pass jit_above_cost on big schemas) costs more than it saves, their sorts and hashes
# spill to disk at the default work_mem, and parallel workers only compete with the server's real work.
SESSION_SETTINGS = (
    "SELECT pg_catalog.set_config('search_path', '', true), pg_catalog.set_config('jit', 'off', true),"
    " pg_catalog.set_config('work_mem', '256MB', true),"
    " pg_catalog.set_config('max_parallel_workers_per_gather', '0', true),"
    " pg_catalog.set_config('TimeZone', 'UTC', true), pg_catalog.set_config('DateStyle', 'ISO, MDY', true),"
    " pg_catalog.set_config('IntervalStyle', 'postgres', true), pg_catalog.set_config('extra_float_digits', '1', true)"
)


def role_names(conn: psycopg.Connection) -> list[str]:
    """The roles of the server behind `conn`, but PostgreSQL's own (pg_*)."""
    rows = conn.execute("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def _build_model(server_version: int, rows: dict[str, list[dict[str, Any]]]) -> Model:
    columns_by_table: dict[tuple[str, str], list[Column]] = defaultdict(list)
    for row in rows["columns"]:
        columns_by_table[(row["schema"], row["table_name"])].append(_column(row))
    tables = {
        (row["schema"], row["name"]): _table(row, tuple(columns_by_table[(row["schema"], row["name"])]))
        for row in rows["tables"]
    }
    constraints = {c.key: c for c in map(_constraint, rows["constraints"])}
    indexes = {i.key: i for i in map(_index, rows["indexes"])}
    model = Model(
        server_version=server_version,
        schemas={row["name"]: Schema(row["name"]) for row in rows["schemas"]},
        extensions={row["name"]: _extension(row) for row in rows["extensions"]},
        tables=tables,
        constraints=constraints,
        indexes=indexes,
        **_types(rows),
        **_functions_triggers_views(rows),
        **_row_security(rows),
        collations={c.key: c for c in map(_collation, rows["collations"])},
        statistics={s.key: s for s in map(_statistics, rows["statistics"])},
        comments={c.key: c for c in map(_comment, rows["comments"])},
        grants={g.key: g for g in map(_grant, rows["privileges"])},
        owners={o.key: o for o in map(_owner, rows["owners"])},
        default_privileges={d.key: d for d in map(_default_privileges, rows["default_privileges"])},
        **_conversions(rows["conversions"]),
    )
    unmanaged = _unmanaged_by_id(rows["unmanaged"])
    pairs, uses = _dependencies(rows, unmanaged)
    listed = tuple(dict.fromkeys(unmanaged.values()))
    return replace(model, dependencies=pairs, unmanaged=listed, unmanaged_uses=uses)


def _unmanaged_by_id(rows: list[dict[str, Any]]) -> dict[ObjectId, Unmanaged]:
    """The objects pgdiff does not model, by each (catalog, id) pg_depend may name a part of them by."""
    return {(row["classid"], row["objid"]): Unmanaged(row["kind"], row["schema"], row["name"]) for row in rows}


def _extension(row: dict[str, Any]) -> Extension:
    return Extension(
        row["name"], row["schema"], row["version"], types=tuple(row["types"]), requires=tuple(row["requires"])
    )


def _conversions(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """pg_cast as `Model.casts`, and the string types (the rows without a source) as `Model.string_types`."""
    casts = {(row["source"], row["target"]): Cast(row["context"], row["method"]) for row in rows if row["source"]}
    return {"casts": casts, "string_types": frozenset(row["target"] for row in rows if row["source"] is None)}


def _table(row: dict[str, Any], columns: tuple[Column, ...]) -> Table:
    parents = tuple((schema, name) for schema, name in row["parents"])
    is_partition = row["is_partition"]
    return Table(
        schema=row["schema"],
        name=row["name"],
        columns=columns,
        unlogged=row["unlogged"],
        partition_key=row["partition_key"],
        parent=parents[0] if is_partition and parents else None,
        bound=row["bound"],
        inherits=() if is_partition else parents,
        detach_pending=row["detach_pending"],
        own_not_nulls=tuple((column, name or None) for column, name in row["own_not_nulls"] or ()),
        options=tuple(row["options"]),
        options_order=tuple(row["options_order"]) if row["options_order"] != row["options"] else (),
        replica_identity=row["replica_identity"],
        replica_index=row["replica_index"] if row["replica_identity"] == "i" else None,
        column_settings=tuple(_column_settings(setting) for setting in row["column_settings"] or ()),
    )


def _column_settings(setting: list[Any]) -> ColumnSettings:
    column, statistics, storage, compression, options, type_storage = setting
    return ColumnSettings(
        column=column,
        statistics=statistics,
        storage=storage if storage != type_storage else None,
        compression=compression or None,
        options=tuple(options or ()),
        type_storage=type_storage,
    )


# pg_depend names objects by the catalog they live in; these catalogs' own ids are fixed in PostgreSQL's
# source (pg_class is 1259 in every release), so they are constants here rather than a lookup.
PG_TYPE, PG_PROC, PG_CLASS = 1247, 1255, 1259
PG_ATTRDEF, PG_CONSTRAINT, PG_REWRITE, PG_TRIGGER, PG_POLICY = 2604, 2606, 2618, 2620, 3256

ObjectId = tuple[int, int]  # (catalog, object id)
ColumnNames = dict[tuple[int, int], tuple[KindKey, bool]]  # (table id, attnum) -> (column, is it generated)


def _object_names(rows: dict[str, list[dict[str, Any]]]) -> tuple[dict[ObjectId, KindKey], ColumnNames, set[int]]:
    """What pg_depend's ends are, named as the model names them: whole objects by (catalog, id), with their
    sub-objects folded in; a table's columns by (table id, attnum), with whether each is generated; the ids
    of tables (the only relations whose sub-objects, columns, the model manages apart)."""
    whole: dict[ObjectId, KindKey] = {}
    columns: ColumnNames = {}

    def name(kind: str, key: tuple[str, ...], *ids: ObjectId) -> None:
        for object_id in ids:
            if object_id[1]:
                whole[object_id] = (kind, key)

    for r in rows["tables"]:
        name("table", (r["schema"], r["name"]), (PG_CLASS, r["oid"]), (PG_TYPE, r["type_oid"]),
             (PG_TYPE, r["array_oid"]))
    for r in rows["columns"]:
        column: KindKey = ("column", (r["schema"], r["table_name"], r["name"]))
        columns[(r["table_oid"], r["position"])] = (column, r["generated"] != "")
        if r["default_oid"] is not None:
            whole[(PG_ATTRDEF, r["default_oid"])] = ("default", column[1])
    for r in rows["constraints"]:
        name("constraint", (r["schema"], r["table_name"], r["name"]), (PG_CONSTRAINT, r["oid"]),
             (PG_CLASS, r["index_oid"] or 0))
    for r in rows["indexes"]:
        name("index", (r["schema"], r["name"]), (PG_CLASS, r["oid"]))
    for r in rows["sequences"]:
        name("sequence", (r["schema"], r["name"]), (PG_CLASS, r["oid"]))
    for r in rows["enums"]:
        name("enum", (r["schema"], r["name"]), (PG_TYPE, r["oid"]), (PG_TYPE, r["array_oid"]))
    for r in rows["composites"]:
        name("composite", (r["schema"], r["name"]), (PG_TYPE, r["oid"]), (PG_TYPE, r["array_oid"]),
             (PG_CLASS, r["class_oid"]))
    for r in rows["domains"]:
        name("domain", (r["schema"], r["name"]), (PG_TYPE, r["oid"]), (PG_TYPE, r["array_oid"]),
             *((PG_CONSTRAINT, oid) for oid in r["constraint_oids"]))
    for r in rows["ranges"]:
        name("range", (r["schema"], r["name"]), (PG_TYPE, r["oid"]), (PG_TYPE, r["array_oid"]),
             (PG_TYPE, r["multirange_oid"] or 0), (PG_TYPE, r["multirange_array_oid"] or 0))
    for r in rows["functions"]:
        name("function", (r["schema"], r["name"], r["identity_arguments"]), (PG_PROC, r["oid"]))
    for r in rows["triggers"]:
        name("trigger", (r["schema"], r["table_name"], r["name"]), (PG_TRIGGER, r["oid"]))
    for r in rows["views"]:
        name("view", (r["schema"], r["name"]), (PG_CLASS, r["oid"]), (PG_TYPE, r["type_oid"]),
             (PG_TYPE, r["array_oid"] or 0), *((PG_REWRITE, oid) for oid in r["rule_oids"]))
    for r in rows["policies"]:
        name("policy", (r["schema"], r["table_name"], r["name"]), (PG_POLICY, r["oid"]))
    return whole, columns, {r["oid"] for r in rows["tables"]}


def _dependencies(
    rows: dict[str, list[Any]], unmanaged: dict[ObjectId, Unmanaged]
) -> tuple[frozenset[tuple[KindKey, KindKey]], tuple[tuple[Unmanaged, KindKey], ...]]:
    """The pairs (dependent, referenced) of objects the model manages, from pg_depend's rows: sub-objects
    folded into their objects, pairs within one object left out, and ends the model does not hold (an
    identity column's sequence, an extension's objects, a partition's cloned index) left out, since only
    what the model holds has a name. Also what `unmanaged` objects use of what the model manages."""
    whole, columns, tables = _object_names(rows)
    uses: dict[tuple[Unmanaged, KindKey], None] = {}

    def column_of(table_id: int, attnum: int, deptype: str) -> KindKey | None:
        found = columns.get((table_id, attnum))
        if found is None:
            return None
        column, generated = found
        # PostgreSQL 14 records what a generated column's expression reads as AUTO dependencies of the
        # column itself; 15 and later on its pg_attrdef entry, like a default's. Both are `default`.
        return ("default", column[1]) if generated and deptype == "a" else column

    pairs = set()
    # 200,000 rows at 10,000 tables: the common case (no sub-object) is a single dictionary look-up.
    for classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype in rows["dependencies"]:
        if objsubid and classid == PG_CLASS and objid in tables:
            dependent = column_of(objid, objsubid, deptype)
        else:
            dependent = whole.get((classid, objid))
        if dependent is None or (classid, objid) in unmanaged:
            user = unmanaged.get((classid, objid))
            if user is not None:
                used = column_of(refobjid, refobjsubid, "") if refobjsubid and refobjid in tables else None
                used = used or whole.get((refclassid, refobjid))
                if used is not None:
                    uses[(user, used)] = None
            continue
        if refobjsubid and refclassid == PG_CLASS and refobjid in tables:
            referenced = column_of(refobjid, refobjsubid, "")
        else:
            referenced = whole.get((refclassid, refobjid))
        if referenced is None or referenced == dependent:
            continue
        if referenced[0] == "column" and (
            dependent[0] == "sequence"  # OWNED BY: the sequence goes with its column, not on it
            or (dependent[0] == "default" and dependent[1] == referenced[1])  # a default is its column's
        ):
            continue
        pairs.add((dependent, referenced))
    # Both ends are named from the rows the model is built from, so the model holds every pair's ends (as
    # tests/test_dependencies_reference.py checks against the server-side naming filtered by `Model.holds`).
    return frozenset(pairs), tuple(uses)


# -- sequences and types -------------------------------------------------------------


def _types(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The Model fields for sequences, enums, composites, domains and ranges."""
    return {
        "sequences": {s.key: s for s in map(_sequence, rows["sequences"])},
        "enums": {
            (r["schema"], r["name"]): EnumType(r["schema"], r["name"], tuple(r["labels"])) for r in rows["enums"]
        },
        "composites": {
            (r["schema"], r["name"]): CompositeType(
                r["schema"], r["name"], tuple((a[0], a[1], a[2]) for a in r["attributes"])
            )
            for r in rows["composites"]
        },
        "domains": {d.key: d for d in map(_domain, rows["domains"])},
        "ranges": {r.key: r for r in map(_range, rows["ranges"])},
    }


def _sequence(row: dict[str, Any]) -> Sequence:
    owner = row["owner_table"]
    return Sequence(
        schema=row["schema"],
        name=row["name"],
        data_type=row["data_type"],
        start=row["start"],
        increment=row["increment"],
        minvalue=row["minvalue"],
        maxvalue=row["maxvalue"],
        cache=row["cache"],
        cycle=row["cycle"],
        unlogged=row["unlogged"],
        owned_by=(row["owner_schema"], owner, row["owner_column"]) if owner else None,
    )


def _domain(row: dict[str, Any]) -> Domain:
    checks = []
    for name, definition, validated in row["checks"]:
        if definition.endswith(NOT_VALID_SUFFIX):
            definition = definition[: -len(NOT_VALID_SUFFIX)]
        checks.append(DomainCheck(name, definition, validated))
    return Domain(
        schema=row["schema"],
        name=row["name"],
        base_type=row["base_type"],
        collation=row["collation"],
        default=row["default_expr"],
        not_null=row["not_null"],
        checks=tuple(checks),
    )


def _range(row: dict[str, Any]) -> RangeType:
    multirange = row["multirange_name"]
    return RangeType(
        schema=row["schema"],
        name=row["name"],
        subtype=row["subtype"],
        opclass=row["opclass"],
        collation=row["collation"],
        canonical=row["canonical"],
        subtype_diff=row["subtype_diff"],
        multirange=quoting.qualified(row["multirange_schema"], multirange) if multirange else None,
    )


def _column(row: dict[str, Any]) -> Column:
    return Column(
        name=row["name"],
        type=row["type"],
        not_null=row["not_null"],
        not_null_name=row["not_null_name"],
        not_null_validated=row["not_null_validated"],
        default=row["default_expr"],
        collation=row["collation"],
        identity=IDENTITY_KINDS[row["identity"]],
        identity_options=_identity_options(row),
        identity_sequence=row["identity_sequence"],
        generated=GENERATED_KINDS[row["generated"]],
        position=row["position"],
        inherited=row["inherited"],
        volatile_default=row["volatile_default"],
    )


def _identity_options(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The identity sequence's options that a bare `GENERATED ... AS IDENTITY` would not give."""
    if not row["identity"] or row["seq_start"] is None:
        return ()
    actual = {
        "START WITH": row["seq_start"],
        "INCREMENT BY": row["seq_increment"],
        "MINVALUE": row["seq_min"],
        "MAXVALUE": row["seq_max"],
        "CACHE": row["seq_cache"],
        "CYCLE": "YES" if row["seq_cycle"] else "NO",
    }
    defaults = identity_defaults(row["type"], int(row["seq_increment"]))
    return tuple((name, actual[name]) for name in IDENTITY_OPTIONS if actual[name] != defaults[name])


NOT_VALID_SUFFIX = " NOT VALID"


def _constraint(row: dict[str, Any]) -> Constraint:
    definition = row["definition"]
    if definition.endswith(NOT_VALID_SUFFIX):
        definition = definition[: -len(NOT_VALID_SUFFIX)]
    if row["index_options"]:
        definition = _with_index_options(definition, row)
    is_fk = row["kind"] == "f"
    return Constraint(
        schema=row["schema"],
        table=row["table_name"],
        name=row["name"],
        kind=row["kind"],
        definition=definition,
        validated=row["validated"],
        columns=tuple(row["columns"]),
        ref_table=(row["ref_schema"], row["ref_table"]) if is_fk else None,
        ref_index=(row["index_schema"], row["index_name"]) if is_fk and row["index_name"] else None,
        index_name=row["index_name"] if not is_fk else None,
        partition_keys=tuple((s, t, k, p) for s, t, k, p in row["partition_keys"] or ()),
        creation_order=row["creation_order"],
    )


def _with_index_options(definition: str, row: dict[str, Any]) -> str:
    """Put the key's `WITH (...)` where ADD CONSTRAINT expects it: before DEFERRABLE."""
    suffix = (" DEFERRABLE" if row["deferrable"] else "") + (" INITIALLY DEFERRED" if row["deferred"] else "")
    head = definition[: len(definition) - len(suffix)]
    return f"{head} WITH ({row['index_options']}){suffix}"


def _index(row: dict[str, Any]) -> Index:
    return Index(
        schema=row["schema"],
        name=row["name"],
        table=row["table_name"],
        method=row["method"],
        unique=row["is_unique"],
        body=row["body"],
        keys=tuple(row["keys"]),
        predicate=row["predicate"],
        valid=row["valid"],
        partition_indexes=tuple((s, t, i, p) for s, t, i, p in row["partition_indexes"]),
        oid_order=row["oid_order"],
    )


# -- functions, triggers, views and materialized views ------------------------------------


def _functions_triggers_views(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "functions": {f.key: f for f in map(_function, rows["functions"])},
        "triggers": {t.key: t for t in map(_trigger, rows["triggers"])},
        "views": {v.key: v for v in map(_view, rows["views"])},
    }


def _function(row: dict[str, Any]) -> Function:
    return Function(
        schema=row["schema"],
        name=row["name"],
        identity_arguments=row["identity_arguments"],
        definition=row["definition"].rstrip("\n"),
        arguments=row["arguments"],
        result=row["result"],
        kind=row["kind"],
        language=row["language"],
        reads_relations=row["reads_relations"],
    )


def _trigger(row: dict[str, Any]) -> Trigger:
    return Trigger(
        schema=row["schema"],
        table=row["table_name"],
        name=row["name"],
        definition=row["definition"],
        enabled=row["enabled"],
        constraint=row["is_constraint"],
        function=(row["function_schema"], row["function_name"], row["function_arguments"]),
        columns=tuple(sorted(row["columns"])),
    )


def _view(row: dict[str, Any]) -> View:
    return View(
        schema=row["schema"],
        name=row["name"],
        definition=row["definition"].strip().rstrip(";"),
        materialized=row["materialized"],
        options=tuple(row["options"]),
        columns=tuple((name, type_) for name, type_ in row["columns"]),
        populated=row["populated"],
        uses_relations=tuple(sorted((s, r, c or "") for s, r, c in row["uses_relations"])),
        uses_functions=tuple(sorted((s, f, a) for s, f, a in row["uses_functions"])),
    )


# -- row-level security ---------------------------------------------------------------------


def _row_security(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "row_security": {
            (r["schema"], r["table_name"]): RowSecurity(r["schema"], r["table_name"], r["enabled"], r["forced"])
            for r in rows["row_security"]
        },
        "policies": {p.key: p for p in map(_policy, rows["policies"])},
    }


def _policy(row: dict[str, Any]) -> Policy:
    return Policy(
        schema=row["schema"],
        table=row["table_name"],
        name=row["name"],
        permissive=row["permissive"],
        command=row["command"],
        roles=tuple(row["roles"]),
        using=row["using_expr"],
        check=row["check_expr"],
        columns=tuple(row["columns"]),
    )


# -- collations and extended statistics -------------------------------------------------------


def _collation(row: dict[str, Any]) -> Collation:
    return Collation(
        schema=row["schema"],
        name=row["name"],
        provider=row["provider"],
        deterministic=row["deterministic"],
        lc_collate=row["lc_collate"],
        lc_ctype=row["lc_ctype"],
        locale=row["locale"],
        rules=row["rules"],
    )


def _statistics(row: dict[str, Any]) -> Statistics:
    return Statistics(
        schema=row["schema"],
        name=row["name"],
        table=row["table_name"],
        definition=statistics_columns_by_name(row["definition"]),
        target=row["target"],
        table_schema=row["table_schema"],
    )


def _comment(row: dict[str, Any]) -> Comment:
    return Comment(
        row["kind"], row["schema"], row["name"], row["table_name"], row["arguments"], text=row["description"]
    )


def _grant(row: dict[str, Any]) -> Grant:
    return Grant(
        row["kind"],
        row["schema"],
        row["name"],
        row["table_name"],
        row["arguments"],
        grantee=row["grantee"],
        privileges=tuple(row["privileges"]),
        grantable=tuple(row["grantable"] or ()),
        position=row["position"],
    )


def _owner(row: dict[str, Any]) -> Owner:
    return Owner(
        row["kind"],
        row["schema"],
        row["name"],
        None,
        row["arguments"],
        owner=row["owner"],
        is_reader=row["is_current_user"],
    )


def _default_privileges(row: dict[str, Any]) -> DefaultPrivileges:
    entries = frozenset((grantee, privilege, grantable) for grantee, privilege, grantable in row["entries"])
    return DefaultPrivileges(row["role"], row["schema"], row["object_type"], entries)
