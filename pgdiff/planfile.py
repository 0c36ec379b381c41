"""Plan files: the reviewed plan, saved by `pgdiff plan -o`, executed as written by `pgdiff apply --plan`.

Owns the file format (one JSON document, also what `plan --format json` prints), its JSON Schema
(`plan-file.schema.json`), and the fingerprints that tie a plan to what it was made from: one digest per
managed object of the target (so a refusal names what changed) and one over the sources. Nothing here
connects to a database or plans; `pipeline.py` wires it in.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg

from pgdiff import __version__
from pgdiff.errors import PgdiffError
from pgdiff.filters import ObjectFilter
from pgdiff.model import DEFAULT_PRIVILEGE_KINDS, Model
from pgdiff.plan import Group, Hazard, Plan, Statement
from pgdiff.plan.timeouts import TimeoutPolicy, format_duration
from pgdiff.quoting import ident, qualified
from pgdiff.render.summary import action_counts
from pgdiff.source import Sources

FORMAT = "pgdiff-plan"
FORMAT_VERSION = 2  # 1 was `plan --format json` before plan files: no marker, target or fingerprints
SCHEMA_FILE = "plan-file.schema.json"
OBJECT_DIGEST_LENGTH = 16  # hex digits: enough to tell a changed object, short enough to store thousands
MAX_NAMED_CHANGES = 5


@dataclass(frozen=True)
class Target:
    """Where the plan was made for. Never a password: only what identifies the database."""

    host: str
    port: int | None
    database: str
    user: str
    server_version: str

    @property
    def place(self) -> str:
        return f"database {self.database} on {self.host}:{self.port if self.port is not None else ''}"


@dataclass(frozen=True)
class PlanOptions:
    """The options that shaped the plan; apply uses the filters and owners setting again to fingerprint and
    verify. Timeouts are recorded for the reader: each statement carries its own."""

    schemas: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    manage_owners: bool = False
    lock_timeout_ms: int = 0
    statement_timeout_ms: int | None = None  # --statement-timeout, when it replaced the per-kind defaults

    @classmethod
    def of(cls, object_filter: ObjectFilter, policy: TimeoutPolicy, *, manage_owners: bool) -> PlanOptions:
        return cls(
            schemas=object_filter.schemas,
            exclude=object_filter.exclude,
            manage_owners=manage_owners,
            lock_timeout_ms=policy.lock_timeout_ms,
            statement_timeout_ms=policy.statement_timeout_override_ms,
        )

    @property
    def object_filter(self) -> ObjectFilter:
        return ObjectFilter(self.schemas, self.exclude)

    @property
    def policy(self) -> TimeoutPolicy:
        return TimeoutPolicy(
            lock_timeout_ms=self.lock_timeout_ms, statement_timeout_override_ms=self.statement_timeout_ms
        )


@dataclass(frozen=True)
class Fingerprints:
    catalog: str  # sha256 over `catalog_objects`
    sources: str  # sha256 over the source files, or over the source database's object digests


@dataclass(frozen=True)
class PlanFile:
    pgdiff_version: str
    created_at: str  # UTC, ISO 8601, seconds
    target: Target
    options: PlanOptions
    fingerprints: Fingerprints
    catalog_objects: Mapping[str, str]  # "table public.runs" -> digest of its model object
    plan: Plan


# -- fingerprints -------------------------------------------------------------------------------

# Facts that depend on who reads the catalog, not on the database: a plan made by one role and applied by
# another must not look stale because of them.
# Not the schema: an index's OID order shifts when another index of its table is made again.
_NOT_FINGERPRINTED = {("Owner", "is_reader"), ("Index", "oid_order")}


def canonical(value: Any) -> Any:
    """`value` as JSON data with one deterministic form: dataclass fields by name, dicts and sets sorted.
    Tuples keep their order, which is meaningful (columns, enum labels)."""
    # Dispatch on the exact type first: this runs for every field of every object of a 10,000-table model.
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [canonical(v) for v in value]
    names = _field_names(kind)
    if names is not None:
        data = {"$type": kind.__name__}
        for name in names:
            data[name] = canonical(getattr(value, name))
        return data
    if isinstance(value, Mapping):
        return sorted(([canonical(k), canonical(v)] for k, v in value.items()), key=_canonical_text)
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=_canonical_text)
    if isinstance(value, tuple | list):
        return [canonical(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


_SCALARS = frozenset({str, int, bool, float, type(None)})


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fingerprinted fields of a dataclass type, in order; None for other types."""
    if not is_dataclass(kind):
        return None
    return tuple(f.name for f in fields(kind) if (kind.__name__, f.name) not in _NOT_FINGERPRINTED)


def _canonical_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def object_digests(model: Model) -> dict[str, str]:
    """One short digest per managed object, keyed by its kind and identity ("index public.runs_idx").
    `Model.dependencies` and `server_version` are left out: they are facts, and a minor upgrade changes no
    object."""
    digests: dict[str, str] = {}
    for field_name, objects in model.comparable().items():
        assert isinstance(objects, dict)
        for key, obj in objects.items():
            label = object_label(field_name, key, obj)
            digest = _sha256(_canonical_text(canonical(obj)))[:OBJECT_DIGEST_LENGTH]
            # Labels are unique for unique keys; should two ever meet, both objects still count.
            digests[label] = _sha256(digests[label] + digest)[:OBJECT_DIGEST_LENGTH] if label in digests else digest
    return dict(sorted(digests.items()))


def combined_digest(digests: Mapping[str, str]) -> str:
    return _sha256(_canonical_text(sorted(digests.items())))


_KIND_OF_FIELD = {
    "schemas": "schema",
    "extensions": "extension",
    "tables": "table",
    "constraints": "constraint",
    "indexes": "index",
    "sequences": "sequence",
    "enums": "enum",
    "composites": "composite type",
    "domains": "domain",
    "ranges": "range type",
    "functions": "function",
    "triggers": "trigger",
    "views": "view",
    "row_security": "row security",
    "collations": "collation",
    "statistics": "statistics",
    "comments": "comment",
    "grants": "grant",
    "owners": "owner",
    "default_privileges": "default privileges",
    "policies": "policy",
}


def object_label(field_name: str, key: Any, obj: Any) -> str:
    """How a refusal names the object: its kind and its identity, names quoted as in SQL."""
    kind = getattr(obj, "kind_name", None) if field_name in ("views", "functions") else None
    kind = kind or _KIND_OF_FIELD[field_name]
    if field_name == "functions":
        return f"{kind} {qualified(key[0], key[1])}({key[2]})"
    if field_name == "comments":
        return f"comment on {key[0]} {key[1]}"
    if field_name == "grants":
        return f"grant on {key[0]} {key[1]} to {ident(key[2])}"
    if field_name == "owners":
        return f"owner of {key[0]} {key[1]}"
    if field_name == "default_privileges":
        role = f"role {ident(key[0])}" if key[0] else "the applying role"
        schema = f"schema {ident(key[1])}" if key[1] else "all schemas"
        return f"default privileges of {role} in {schema} on {DEFAULT_PRIVILEGE_KINDS[key[2]]}"
    if field_name == "row_security":
        return f"row security on {qualified(*key)}"
    parts = (key,) if isinstance(key, str) else key
    return f"{kind} {'.'.join(ident(part) for part in parts)}"


def source_files(sources: Sources) -> set[Path]:
    """The files the desired state was read from: those listed, and those they include (`\\i`)."""
    found = {*sources.files, *(statement.file for statement in sources.statements)}
    return {path.resolve() for path in found if path.is_file()}


def files_fingerprint(sources: Sources) -> str:
    """sha256 over (path relative to the current directory, content) of each file, in path order, so the
    same checkout gives the same fingerprint wherever it is and however its files were listed."""
    cwd = Path.cwd().resolve()
    entries = sorted(
        (Path(os.path.relpath(path, cwd)).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
        for path in source_files(sources)
    )
    return _sha256(_canonical_text(entries))


def sources_fingerprint(sources: Sources, desired: Model) -> str:
    """Files by their bytes; a source database by its managed objects (`desired`, the model read from it)."""
    if sources.database_url is not None:
        return combined_digest(object_digests(desired))
    return files_fingerprint(sources)


# -- building -------------------------------------------------------------------------------------


def target_of(conn: psycopg.Connection) -> Target:
    info = conn.info
    return Target(
        host=info.host,
        port=info.port,
        database=info.dbname,
        user=info.user,
        server_version=info.parameter_status("server_version") or str(info.server_version),
    )


def build_plan_file(
    plan: Plan,
    *,
    target: Target,
    options: PlanOptions,
    catalog_objects: Mapping[str, str],
    sources_digest: str,
    created_at: datetime | None = None,
) -> PlanFile:
    created = (created_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return PlanFile(
        pgdiff_version=__version__,
        created_at=created.isoformat().replace("+00:00", "Z"),
        target=target,
        options=options,
        fingerprints=Fingerprints(catalog=combined_digest(catalog_objects), sources=sources_digest),
        catalog_objects=dict(sorted(catalog_objects.items())),
        plan=plan,
    )


# -- the JSON document ----------------------------------------------------------------------------


def statement_document(statement: Statement) -> dict[str, Any]:
    """Every field of `Statement`, so that the file alone can run it."""
    document = {f.name: getattr(statement, f.name) for f in fields(statement)}
    document["hazards"] = [{"code": h.code, "message": h.message} for h in statement.hazards]
    return document


def groups_document(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"transactional": group.transactional, "statements": [statement_document(s) for s in group.statements]}
        for group in plan.groups
    ]


def summary_document(plan: Plan) -> dict[str, Any]:
    return {
        "statements": len(plan.statements),
        "groups": len(plan.groups),
        "actions": action_counts(plan),
        "hazards": sorted({h.code for h in plan.hazards}),
    }


def to_document(plan_file: PlanFile) -> dict[str, Any]:
    options = plan_file.options
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "pgdiff_version": plan_file.pgdiff_version,
        "created_at": plan_file.created_at,
        "target": {f.name: getattr(plan_file.target, f.name) for f in fields(plan_file.target)},
        "options": {
            "schemas": list(options.schemas),
            "exclude": list(options.exclude),
            "manage_owners": options.manage_owners,
            "lock_timeout_ms": options.lock_timeout_ms,
            "statement_timeout_ms": options.statement_timeout_ms,
        },
        "fingerprints": {"catalog": plan_file.fingerprints.catalog, "sources": plan_file.fingerprints.sources},
        "catalog_objects": dict(plan_file.catalog_objects),
        "empty": plan_file.plan.is_empty,
        "summary": summary_document(plan_file.plan),
        "groups": groups_document(plan_file.plan),
    }


def dumps(plan_file: PlanFile) -> str:
    return json.dumps(to_document(plan_file), indent=2, ensure_ascii=False) + "\n"


def write_plan_file(plan_file: PlanFile, path: Path) -> None:
    """Through a temporary file, so that a failure never leaves half a plan where a reviewed one is expected."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(dumps(plan_file), encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        raise PgdiffError(f"{path}: cannot write the plan file: {error.strerror or error}") from None


def from_document(document: dict[str, Any]) -> PlanFile:
    """The `PlanFile` a schema-valid document describes (see `read_plan_file`)."""
    options = document["options"]
    return PlanFile(
        pgdiff_version=document["pgdiff_version"],
        created_at=document["created_at"],
        target=Target(**document["target"]),
        options=PlanOptions(
            schemas=tuple(options["schemas"]),
            exclude=tuple(options["exclude"]),
            manage_owners=options["manage_owners"],
            lock_timeout_ms=options["lock_timeout_ms"],
            statement_timeout_ms=options["statement_timeout_ms"],
        ),
        fingerprints=Fingerprints(**document["fingerprints"]),
        catalog_objects=dict(document["catalog_objects"]),
        plan=Plan(tuple(_group(group) for group in document["groups"])),
    )


def _group(document: dict[str, Any]) -> Group:
    return Group(document["transactional"], tuple(_statement(s) for s in document["statements"]))


def _statement(document: dict[str, Any]) -> Statement:
    hazards = tuple(Hazard(h["code"], h["message"]) for h in document["hazards"])
    return Statement(**{**document, "hazards": hazards})


# -- reading and checking -------------------------------------------------------------------------


@cache
def json_schema() -> dict[str, Any]:
    return json.loads(resources.files("pgdiff").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def read_plan_file(path: Path) -> PlanFile:
    """Parse and check a plan file; every refusal names the file (and the place in it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PgdiffError(f"{path}: cannot read the plan file: {getattr(error, 'strerror', None) or error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PgdiffError(
            f"{path}:{error.lineno}:{error.colno}: not a pgdiff plan file: invalid JSON ({error.msg})"
        ) from None
    check_document(document, path)
    return from_document(document)


def check_document(document: Any, path: Path) -> None:
    """The marker first, then the version (a newer file fails on its version, not on a field this pgdiff
    does not know), then the schema."""
    if not isinstance(document, dict) or (document.get("format") != FORMAT and "format_version" not in document):
        raise PgdiffError(f'{path}: not a pgdiff plan file (no "format": "{FORMAT}")')
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise PgdiffError(
            f"{path}: plan file format_version {json.dumps(version)}, but this pgdiff ({__version__}) reads "
            f"format_version {FORMAT_VERSION}: re-run pgdiff plan with this version"
        )
    if document.get("format") != FORMAT:
        raise PgdiffError(f'{path}: not a pgdiff plan file (no "format": "{FORMAT}")')
    problem = schema_problem(document, json_schema(), "$")
    if problem is not None:
        raise PgdiffError(f"{path}: invalid plan file: {problem}")


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
}


def schema_problem(value: Any, schema: dict[str, Any], where: str) -> str | None:
    """The first place `value` breaks `schema`, or None. Understands the subset of JSON Schema that
    plan-file.schema.json uses: $ref, type, const, enum, pattern, minimum, properties, required,
    additionalProperties, items (the `jsonschema` library checks the same schema in the tests)."""
    if "$ref" in schema:
        schema = json_schema()["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        if not any(_is_type(value, t) for t in allowed):
            return f"{where}: expected {' or '.join(allowed)}, found {json.dumps(value)[:40]}"
    if "const" in schema and value != schema["const"]:
        return f"{where}: expected {json.dumps(schema['const'])}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where}: expected one of {', '.join(json.dumps(v) for v in schema['enum'])}"
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        return f"{where}: {json.dumps(value)[:60]} does not match {schema['pattern']}"
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        return f"{where}: must be at least {schema['minimum']}"
    if isinstance(value, dict):
        return _object_problem(value, schema, where)
    if isinstance(value, list) and "items" in schema:
        return _first(schema_problem(item, schema["items"], f"{where}[{i}]") for i, item in enumerate(value))
    return None


def _is_type(value: Any, name: str) -> bool:
    # JSON has no separate booleans-as-integers: True is not an integer here.
    return isinstance(value, _JSON_TYPES[name]) and not (name == "integer" and isinstance(value, bool))


def _object_problem(value: dict[str, Any], schema: dict[str, Any], where: str) -> str | None:
    for key in schema.get("required", ()):
        if key not in value:
            return f'{where}: missing "{key}"'
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            problem = schema_problem(item, properties[key], f"{where}.{key}")
        elif extra is False:
            problem = f'{where}: unknown key "{key}"'
        else:
            problem = schema_problem(item, extra, f"{where}[{json.dumps(key)}]") if isinstance(extra, dict) else None
        if problem is not None:
            return problem
    return None


def _first(problems: Iterable[str | None]) -> str | None:
    return next((p for p in problems if p is not None), None)


def apply_options(
    stored: PlanFile,
    schemas: list[str] | None,
    exclude: list[str] | None,
    *,
    manage_owners: bool,
    lock_timeout_ms: int | None,
    statement_timeout_ms: int | None,
) -> PlanOptions:
    """The plan file's options. The command line may repeat them, not change them: the fingerprint and the
    verification must see what the plan saw, and each statement carries the timeouts it was planned with.
    A timeout of None was not given."""
    given = ObjectFilter.from_options(schemas, exclude)
    options = stored.options
    conflicts = [
        (name, ",".join(wanted), ",".join(recorded) or "none")
        for name, wanted, recorded in (
            ("--schema", given.schemas, options.schemas),
            ("--exclude", given.exclude, options.exclude),
        )
        if wanted and sorted(wanted) != sorted(recorded)
    ]
    if manage_owners and not options.manage_owners:
        conflicts.append(("--manage-owners", "", "made without it"))
    if lock_timeout_ms is not None and lock_timeout_ms != options.lock_timeout_ms:
        conflicts.append(("--lock-timeout", format_duration(lock_timeout_ms), format_duration(options.lock_timeout_ms)))
    if statement_timeout_ms is not None and statement_timeout_ms != options.statement_timeout_ms:
        recorded_ms = options.statement_timeout_ms
        conflicts.append(
            (
                "--statement-timeout",
                format_duration(statement_timeout_ms),
                "per kind" if recorded_ms is None else format_duration(recorded_ms),
            )
        )
    if conflicts:
        name, wanted, recorded = conflicts[0]
        raise PgdiffError(
            f"{name}{' ' + wanted if wanted else ''} conflicts with the plan file ({recorded}): apply --plan runs the "
            f"plan as it was made; drop {name}, or re-run pgdiff plan with it"
        )
    return options


def refuse_changed_sources(stored: PlanFile, sources: Sources, desired: Model | None = None) -> None:
    """Files are checked before any database is touched; a source database once its model is read."""
    if sources.database_url is None:
        if files_fingerprint(sources) != stored.fingerprints.sources:
            raise PgdiffError(
                "the files changed since the plan was made (or are not the ones it was made from); re-run pgdiff plan"
            )
    elif desired is not None and sources_fingerprint(sources, desired) != stored.fingerprints.sources:
        raise PgdiffError("the source database changed since the plan was made; re-run pgdiff plan")


def refuse_changed_catalog(stored: PlanFile, now: Mapping[str, str]) -> None:
    if combined_digest(now) == stored.fingerprints.catalog:
        return
    raise PgdiffError(
        f"the database changed since the plan was made: {describe_changes(stored.catalog_objects, now)}; "
        "re-run pgdiff plan"
    )


def describe_changes(before: Mapping[str, str], after: Mapping[str, str], limit: int = MAX_NAMED_CHANGES) -> str:
    """`table public.runs changed, index public.runs_idx appeared, ... (and 3 more)`."""
    named = [f"{label} changed" for label in sorted(before.keys() & after.keys()) if before[label] != after[label]]
    named += [f"{label} appeared" for label in sorted(after.keys() - before.keys())]
    named += [f"{label} disappeared" for label in sorted(before.keys() - after.keys())]
    if not named:  # the per-object digests agree, the overall one does not: the file was edited
        return "its catalog fingerprint no longer matches the objects the plan file lists"
    more = f" (and {len(named) - limit} more)" if len(named) > limit else ""
    return ", ".join(named[:limit]) + more


def target_warning(stored: PlanFile, target: Target) -> str | None:
    """A plan applied to another database than the one it was made for is allowed when that database is in
    the same state (a staging plan on a production replica), but worth saying."""
    was, now = stored.target, target
    if (was.host, was.port, was.database) == (now.host, now.port, now.database):
        return None
    return f"the plan was made for {was.place}, this is {now.place}; its catalog matches the plan's, so applying"
