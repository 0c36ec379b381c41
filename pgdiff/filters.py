"""Which objects pgdiff manages: `--schema` and `--exclude`, applied to both models before the diff.

An object outside the filter is neither created, nor dropped, nor reported, on either side. Schema
patterns (`--schema`) are globs on schema names; none means every schema the catalog reads (system
schemas never are). Exclusion patterns (`--exclude`) are globs on `schema.name` (`public.tmp_*`,
`audit.*`); an object whose table or view is excluded goes with it (columns, constraints, indexes,
triggers).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from typing import Any

from pgdiff.errors import PgdiffError
from pgdiff.model import DefaultPrivileges, Model, Schema, Unmanaged


@dataclass(frozen=True)
class ObjectFilter:
    schemas: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, schemas: list[str] | None, exclude: list[str] | None) -> ObjectFilter:
        """From repeatable options, each of which may also hold a comma-separated list."""
        found = cls(_split(schemas), _split(exclude))
        for pattern in found.exclude:
            if "." not in pattern:
                example = f"public.{pattern} or *.{pattern}"
                raise PgdiffError(f"--exclude {pattern!r}: write it as schema.name, e.g. {example}")
        return found

    @property
    def is_everything(self) -> bool:
        return not self.schemas and not self.exclude

    def keeps_schema(self, schema: str) -> bool:
        return not self.schemas or any(fnmatch.fnmatchcase(schema, pattern) for pattern in self.schemas)

    def keeps_name(self, schema: str, name: str) -> bool:
        """Whether `schema.name` is managed (its schema is, and no exclusion pattern matches it)."""
        qualified = f"{schema}.{name}"
        return self.keeps_schema(schema) and not any(fnmatch.fnmatchcase(qualified, p) for p in self.exclude)

    def keeps_whole_schema(self, schema: str) -> bool:
        """Whether `schema` is managed and not excluded as a whole (`audit.*`)."""
        return self.keeps_schema(schema) and self.keeps_name(schema, "*")

    def keeps(self, obj: Any) -> bool:
        if isinstance(obj, Schema):
            # `audit.*` leaves the whole schema alone, the schema itself included.
            return self.keeps_whole_schema(obj.name)
        if isinstance(obj, DefaultPrivileges):
            # Their "name" is a kind of object (TABLES), which no pattern means. Database-wide ones (no IN
            # SCHEMA) shape objects in every schema, unmanaged ones too: managed only when no --schema
            # narrows what pgdiff manages.
            return not self.schemas if obj.schema is None else self.keeps_whole_schema(obj.schema)
        table = getattr(obj, "table", None)
        if table is not None:
            # A table's columns, constraints, indexes, triggers and policies go with their table, and only with
            # it: `public.events_p*` must not take `events_pkey` away from `public.events`.
            return self.keeps_name(getattr(obj, "table_schema", "") or obj.schema, table)
        return self.keeps_name(obj.schema, obj.name)


def filter_model(model: Model, object_filter: ObjectFilter) -> Model:
    """`model` without the objects `object_filter` leaves unmanaged."""
    if object_filter.is_everything:
        return model
    kept = {
        name: {key: obj for key, obj in objects.items() if object_filter.keeps(obj)}
        for name, objects in model.object_collections().items()
    }
    unmanaged = tuple(obj for obj in model.unmanaged if _keeps_unmanaged(object_filter, obj))
    uses = tuple((obj, used) for obj, used in model.unmanaged_uses if _keeps_unmanaged(object_filter, obj))
    return replace(model, **kept, unmanaged=unmanaged, unmanaged_uses=uses)


def _keeps_unmanaged(object_filter: ObjectFilter, obj: Unmanaged) -> bool:
    """Objects of the database (no schema) as database-wide default privileges; others by their schema, and
    by `schema.name` (an aggregate's name without its arguments; a rule's table's)."""
    if obj.schema is None:
        return not object_filter.schemas
    name = obj.name.split(" ON ", 1)[1] if obj.kind == "rule" else obj.name  # a rule goes with its table
    bare = name.split("(")[0].split(" ")[0].strip('"')
    return object_filter.keeps_name(obj.schema, bare)


def unmanaged_named(model: Model, object_filter: ObjectFilter, names: set[tuple[str, str]]) -> Model | None:
    """The part of `model` outside the filter that `names` ((kind, bare name), as `source.order` finds them)
    may mean, with what a foreign key to such a table needs: its primary key and unique constraints. None
    when the names mean nothing there."""
    kinds = {
        "tables": "relation",
        "views": "relation",
        "sequences": "relation",
        "enums": "type",
        "composites": "type",
        "domains": "type",
        "ranges": "type",
        "functions": "function",
        "collations": "collation",
    }
    picked: dict[str, dict[Any, Any]] = {}
    for kind, namespace in kinds.items():
        picked[kind] = {
            key: obj
            for key, obj in getattr(model, kind).items()
            if (namespace, obj.name) in names and not object_filter.keeps(obj)
        }
    named_schemas = {name for kind, name in names if kind == "schema"}
    schemas = {obj.schema for objects in picked.values() for obj in objects.values()}
    schemas |= {name for name in named_schemas if not object_filter.keeps_schema(name)}
    if not any(picked.values()) and not schemas:
        return None
    tables = picked["tables"].keys()
    picked["constraints"] = {
        key: c for key, c in model.constraints.items() if c.table_key in tables and c.kind in ("p", "u")
    }
    picked["schemas"] = {name: schema for name, schema in model.schemas.items() if name in schemas}
    empty = {name: {} for name in model.object_collections()}
    return replace(model, **(empty | picked))


def unmanaged_in_schema(model: Model, object_filter: ObjectFilter, schema: str) -> list[str]:
    """Objects of `model` in `schema` that the filter leaves alone: dropping the schema would take them."""
    found = []
    for objects in model.object_collections().values():
        for obj in objects.values():
            # Named by their table: a table's constraints and indexes go without saying.
            if hasattr(obj, "table"):
                continue
            if getattr(obj, "schema", None) == schema and not object_filter.keeps(obj):
                found.append(f"{schema}.{obj.name}")
    return sorted(found)


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())
