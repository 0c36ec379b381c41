"""A synthetic, deterministic schema of N tables for the benchmark, and a variant with 5% of its tables changed.

The schema looks like a real application's `schema/` folder: a `common` schema (enums, the shared
`updated_at` trigger function), then one schema per 1,000 tables, written 100 tables to a file. Each table
has 8 to 12 columns of varied types, a key, two indexes (one partial), checks, a foreign key to an earlier
table and a trigger; every 10 tables a view; every 100 a group trigger function and a SQL function; 1 in 50
tables is range-partitioned by month. The files are written in dependency order, so that `psql -1 -f` loads
them as they are (the reference time for pgdiff's shadow load), and pgdiff loads them too.

    python -m bench.generate 1000 /tmp/schema [--changed /tmp/schema-changed]
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

TABLES_PER_FILE = 100
TABLES_PER_SCHEMA = 1000
VIEW_EVERY = 10
PARTITIONED_EVERY = 50
GROUP_TRIGGER_EVERY = 5  # tables with the group's trigger function as well as the shared one
PARTITION_MONTHS = ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01")
CHANGED_FRACTION = 0.05

# Optional columns: (name, type, column suffix). Each table draws some of them after the fixed ones.
OPTIONAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("code", "varchar({n})", " NOT NULL"),
    ("quantity", "integer", " NOT NULL DEFAULT 0"),
    ("amount", "numeric({p},{s})", ""),
    ("active", "boolean", " NOT NULL DEFAULT true"),
    ("payload", "jsonb", " NOT NULL DEFAULT '{{}}'::jsonb"),
    ("external_id", "uuid", " NOT NULL DEFAULT gen_random_uuid()"),
    ("client_ip", "inet", ""),
    ("tags", "text[]", " NOT NULL DEFAULT '{{}}'::text[]"),
    ("due_on", "date", ""),
    ("status", "common.status", " NOT NULL DEFAULT 'draft'"),
    ("priority", "common.priority", ""),
    ("note", "text", ""),
)


@dataclass
class TableSpec:
    """One generated table: what is needed to write it and to change it for the 5% variant."""

    index: int
    schema: str
    name: str
    columns: list[str]  # column definition lines
    column_names: list[str]
    checks: list[str]
    parent: str | None  # qualified name of the table the foreign key points to
    partitioned: bool
    group_trigger: str | None  # qualified name of the group's trigger function, if this table uses it
    extra: list[str] = field(default_factory=list)  # statements added by the 5% variant

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Change:
    """One change the 5% variant makes: which table, what kind, and the object it names."""

    table: str  # qualified
    kind: str  # "add column", "add index", "change default", "add check"
    name: str  # the column, index or constraint


def schema_of(index: int) -> str:
    return f"app_{index // TABLES_PER_SCHEMA:02d}"


def table_name(index: int) -> str:
    return f"t_{index:05d}"


def build_tables(n: int, seed: int = 0) -> list[TableSpec]:
    """The N tables, drawn from `seed` (the same N and seed always give the same schema)."""
    rng = random.Random(seed)
    tables: list[TableSpec] = []
    plain: list[str] = []  # tables a foreign key may point to: a partitioned table's key includes its bound column
    for i in range(n):
        schema, name = schema_of(i), table_name(i)
        partitioned = i % PARTITIONED_EVERY == PARTITIONED_EVERY - 1
        columns = ["id bigint GENERATED ALWAYS AS IDENTITY", "name text NOT NULL"]
        names = ["id", "name"]
        checks = ["CHECK (char_length(name) <= 200)"]
        parent = None
        if plain:
            # Mostly a recent table (locality, like real schemas), sometimes any earlier one, across schemas.
            parent = rng.choice(plain[-20:]) if rng.random() < 0.8 else rng.choice(plain)
            action = rng.choice(("", " ON DELETE CASCADE", " ON DELETE SET NULL"))
            columns.append(f"parent_id bigint REFERENCES {parent} (id){action}")
            names.append("parent_id")
        columns += ["created_at timestamptz NOT NULL DEFAULT now()", "updated_at timestamptz NOT NULL DEFAULT now()"]
        names += ["created_at", "updated_at"]
        wanted = rng.randint(8, 12) - len(columns)
        for col, type_, suffix in rng.sample(OPTIONAL_COLUMNS, wanted):
            sizes = {"n": rng.choice((16, 32, 64, 255)), "p": rng.choice((10, 12, 18)), "s": rng.choice((0, 2, 4))}
            type_text = type_.format(**sizes)
            columns.append(f"{col} {type_text}{suffix.format()}")
            names.append(col)
            if col == "amount":
                checks.append("CHECK (amount >= 0)")
            elif col == "quantity":
                checks.append("CHECK (quantity BETWEEN 0 AND 1000000)")
            elif col == "code" and rng.random() < 0.5:
                checks.append("CHECK (code <> '')")
        group = i // TABLES_PER_FILE
        uses_group = i % GROUP_TRIGGER_EVERY == 0
        tables.append(
            TableSpec(
                index=i,
                schema=schema,
                name=name,
                columns=columns,
                column_names=names,
                checks=checks,
                parent=parent,
                partitioned=partitioned,
                group_trigger=f"{schema}.normalize_g{group:03d}" if uses_group else None,
            )
        )
        if not partitioned:
            plain.append(f"{schema}.{name}")
    return tables


def table_sql(table: TableSpec) -> list[str]:
    """CREATE TABLE and everything on the table, in load order."""
    q, name = table.qualified, table.name
    key = "PRIMARY KEY (id, created_at)" if table.partitioned else "PRIMARY KEY (id)"
    body = ",\n    ".join([*table.columns, f"CONSTRAINT {name}_pkey {key}", *table.checks])
    tail = " PARTITION BY RANGE (created_at)" if table.partitioned else ""
    out = [f"CREATE TABLE {q} (\n    {body}\n){tail};"]
    if table.partitioned:
        for start, end in itertools.pairwise(PARTITION_MONTHS):
            out.append(
                f"CREATE TABLE {q}_{start[:7].replace('-', '_')} PARTITION OF {q}"
                f" FOR VALUES FROM ('{start}') TO ('{end}');"
            )
    first = "parent_id" if table.parent else "created_at"
    out.append(f"CREATE INDEX {name}_{first}_idx ON {q} ({first});")
    cols = table.column_names
    if "active" in cols:
        predicate = "active"
    elif "status" in cols:
        predicate = "status <> 'archived'"
    else:
        predicate = "name <> ''"
    out.append(f"CREATE INDEX {name}_updated_at_idx ON {q} (updated_at) WHERE {predicate};")
    out.append(
        f"CREATE TRIGGER {name}_updated_at BEFORE UPDATE ON {q} FOR EACH ROW EXECUTE FUNCTION common.set_updated_at();"
    )
    if table.group_trigger:
        out.append(
            f"CREATE TRIGGER {name}_normalize BEFORE INSERT OR UPDATE OF name ON {q}"
            f" FOR EACH ROW EXECUTE FUNCTION {table.group_trigger}();"
        )
    out.extend(table.extra)
    return out


def view_sql(table: TableSpec) -> str:
    """A view over a table and the table its foreign key points to."""
    if table.parent is None:
        return f"CREATE VIEW {table.schema}.v_{table.index:05d} AS\n    SELECT t.id, t.name FROM {table.qualified} t;"
    return (
        f"CREATE VIEW {table.schema}.v_{table.index:05d} AS\n"
        f"    SELECT t.id, t.name, t.created_at, p.name AS parent_name\n"
        f"    FROM {table.qualified} t LEFT JOIN {table.parent} p ON p.id = t.parent_id;"
    )


def group_functions_sql(schema: str, group: int, tables: list[TableSpec]) -> list[str]:
    """Per group of 100 tables: a plpgsql trigger function, and a SQL-standard function (BEGIN ATOMIC, so
    PostgreSQL records what its body uses) reading the group's first table."""
    first = next(t for t in tables if not t.partitioned)
    return [
        f"CREATE FUNCTION {schema}.normalize_g{group:03d}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n    NEW.name := btrim(NEW.name);\n    RETURN NEW;\nEND\n$$;",
        f"CREATE FUNCTION {schema}.count_g{group:03d}(p_since timestamptz) RETURNS bigint LANGUAGE sql STABLE\n"
        f"BEGIN ATOMIC\n    SELECT count(*) FROM {first.qualified} WHERE created_at >= p_since;\nEND;",
    ]


COMMON_SQL = """\
CREATE SCHEMA common;
CREATE TYPE common.status AS ENUM ('draft', 'active', 'archived');
CREATE TYPE common.priority AS ENUM ('low', 'normal', 'high', 'urgent');
CREATE FUNCTION common.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
"""


def render(tables: list[TableSpec]) -> dict[str, str]:
    """File name -> SQL text. Path order is load order: common, then each schema's files of 100 tables."""
    files = {"000_common.sql": COMMON_SQL}
    for start in range(0, len(tables), TABLES_PER_FILE):
        chunk = tables[start : start + TABLES_PER_FILE]
        schema, group = chunk[0].schema, start // TABLES_PER_FILE
        parts: list[str] = []
        if start % TABLES_PER_SCHEMA == 0:
            parts.append(f"CREATE SCHEMA {schema};")
        # The group's trigger function before the tables whose triggers call it; the SQL function after
        # the table it reads.
        functions = group_functions_sql(schema, group, chunk)
        parts.append(functions[0])
        for table in chunk:
            parts.extend(table_sql(table))
            if table.index % VIEW_EVERY == VIEW_EVERY - 1:
                parts.append(view_sql(table))
        parts.append(functions[1])
        files[f"{group + 1:03d}_{schema}_{group:03d}.sql"] = "\n".join(parts) + "\n"
    return files


def changed_tables(tables: list[TableSpec], seed: int = 0) -> tuple[list[TableSpec], list[Change]]:
    """A copy of `tables` with 5% of them (at least one) changed, one change each, the four kinds in turn."""
    rng = random.Random(seed + 1)
    candidates = [t for t in tables if not t.partitioned]
    count = max(1, math.ceil(len(tables) * CHANGED_FRACTION))
    picked = sorted(rng.sample(range(len(candidates)), min(count, len(candidates))))
    out = [replace(t, columns=list(t.columns), checks=list(t.checks), extra=list(t.extra)) for t in tables]
    by_index = {t.index: t for t in out}
    changes: list[Change] = []
    for turn, position in enumerate(picked):
        table = by_index[candidates[position].index]
        kind = ("add column", "add index", "change default", "add check")[turn % 4]
        if kind == "add column":
            table.columns.append("archived_at timestamptz")
            changes.append(Change(table.qualified, kind, "archived_at"))
        elif kind == "add index":
            index = f"{table.name}_name_idx"
            table.extra.append(f"CREATE INDEX {index} ON {table.qualified} (name);")
            changes.append(Change(table.qualified, kind, index))
        elif kind == "change default":
            table.columns = [
                "created_at timestamptz NOT NULL DEFAULT statement_timestamp()" if c.startswith("created_at ") else c
                for c in table.columns
            ]
            changes.append(Change(table.qualified, kind, "created_at"))
        else:
            check = f"{table.name}_name_not_blank"
            table.checks.append(f"CONSTRAINT {check} CHECK (btrim(name) <> '')")
            changes.append(Change(table.qualified, kind, check))
    return out, changes


def write(files: dict[str, str], directory: Path) -> list[Path]:
    """Write the files into `directory` (emptied first); returns their paths in load order."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    paths = []
    for name, text in sorted(files.items()):
        path = directory / name
        path.write_text(text)
        paths.append(path)
    return paths


def generate(n: int, directory: Path, *, seed: int = 0) -> list[Path]:
    """Write the N-table schema into `directory`."""
    return write(render(build_tables(n, seed)), directory)


def generate_changed(n: int, directory: Path, *, seed: int = 0) -> list[Change]:
    """Write the N-table schema with 5% of its tables changed into `directory`; returns the changes."""
    tables, changes = changed_tables(build_tables(n, seed), seed)
    write(render(tables), directory)
    return changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tables", type=int)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--changed", type=Path, help="also write the 5%% variant into this directory")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = generate(args.tables, args.directory, seed=args.seed)
    print(f"{len(paths)} files in {args.directory}")
    if args.changed:
        changes = generate_changed(args.tables, args.changed, seed=args.seed)
        print(f"{len(changes)} changed tables in {args.changed}")


if __name__ == "__main__":
    main()
