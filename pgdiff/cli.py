"""The `pgdiff` command line (typer). Thin: parses options, calls the pipeline, renders, sets exit codes."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn

import psycopg
import typer
from rich.console import Console

from pgdiff import __version__
from pgdiff.apply import DEFAULT_LOCK_RETRIES, ApplyHooks, apply_plan, refuse_unallowed_hazards
from pgdiff.catalog import inspect
from pgdiff.connect import connect, describe, redact, target_url
from pgdiff.drift import drift_of
from pgdiff.dump import SPLITS, dump_files, write_dump
from pgdiff.dump_yaml import dump_yaml_files
from pgdiff.errors import PgdiffError
from pgdiff.filters import ObjectFilter, filter_model
from pgdiff.pipeline import check_plan_file, desired_state, plan_file_for, verify_applied
from pgdiff.plan import Statement
from pgdiff.plan.timeouts import DEFAULT_LOCK_TIMEOUT_MS, TimeoutPolicy, format_duration, parse_duration_ms
from pgdiff.planfile import (
    PlanFile,
    PlanOptions,
    apply_options,
    read_plan_file,
    refuse_changed_sources,
    write_plan_file,
)
from pgdiff.render import FORMATS, render_json, render_markdown, render_sql, render_text
from pgdiff.render.drift import DRIFT_FORMATS, render_drift_json, render_drift_markdown, render_drift_text
from pgdiff.source import resolve_sources
from pgdiff.source.fmt import reformat

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Declarative schema-as-code for PostgreSQL: plan and apply safe, online migrations.",
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
DEFAULT_SOURCE = "schema/"
DEFAULT_LOCK_TIMEOUT = format_duration(DEFAULT_LOCK_TIMEOUT_MS)
DUMP_FORMATS = ("sql", "yaml")

SourcesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="`.sql`/`.yaml` files, directories (every such file below, in path order) or one postgresql:// URL. "
        "Default: schema/",
        show_default=False,
    ),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Target database URL. Default: $PGDIFF_DATABASE_URL, $DATABASE_URL, "
        "then libpq's environment (PGHOST, PGDATABASE, ...).",
        show_default=False,
    ),
]
DevUrlOption = Annotated[
    str | None,
    typer.Option(
        "--dev-url",
        help="Server on which to create the temporary shadow database. "
        "Default: a throwaway local server (same major as the target when available).",
        show_default=False,
    ),
]
SchemaOption = Annotated[
    list[str] | None,
    typer.Option(
        "--schema",
        help="Manage only schemas matching this name or glob (repeatable). Default: every non-system schema.",
        show_default=False,
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        help="Leave alone objects matching schema.name globs, e.g. 'public.tmp_*' or 'audit.*' (repeatable).",
        show_default=False,
    ),
]
ManageOwnersOption = Annotated[
    bool,
    typer.Option(
        "--manage-owners",
        help="Make owners match the files' ALTER ... OWNER TO (objects they give no owner keep theirs).",
    ),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")]
LockTimeoutOption = Annotated[
    str,
    typer.Option("--lock-timeout", help="lock_timeout for every statement (e.g. 500ms, 3s; 0 = none)."),
]
StatementTimeoutOption = Annotated[
    str | None,
    typer.Option(
        "--statement-timeout",
        help="statement_timeout for every statement, replacing the per-kind default "
        "(30s for catalog-only changes, none for index builds, validations and rewrites).",
        show_default=False,
    ),
]

_debug = False


def _warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {redact(message)}")


def _fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {redact(message)}")
    raise typer.Exit(EXIT_ERROR)


def _run(body: Callable[[], int]) -> None:
    """Run a command body, turning expected failures into one line and exit code 1."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = body()
    except typer.Exit:
        raise
    except PgdiffError as error:
        if _debug:
            raise
        _fail(str(error))
    except psycopg.Error as error:
        if _debug:
            raise
        _fail(f"database error: {str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__}")
    except KeyboardInterrupt:
        err.print("[bold red]interrupted[/]: stopped; temporary databases were removed")
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    raise typer.Exit(code)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"pgdiff {__version__}")
        raise typer.Exit(EXIT_OK)


@app.command()
def plan(
    sources: SourcesArg = None,
    db: DbOption = None,
    dev_url: DevUrlOption = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help=f"Output format: {'|'.join(FORMATS)}.")] = "text",
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 2 when the plan has changes, 0 when empty.")
    ] = False,
    lock_timeout: LockTimeoutOption = DEFAULT_LOCK_TIMEOUT,
    statement_timeout: StatementTimeoutOption = None,
    schema: SchemaOption = None,
    exclude: ExcludeOption = None,
    manage_owners: ManageOwnersOption = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the plan file (JSON) that `apply --plan` runs as written."),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Show the migration that would bring the database to the desired state."""
    _set_debug(debug)

    def body() -> int:
        if output_format not in FORMATS:
            raise PgdiffError(f"unknown --format {output_format!r}: choose one of {', '.join(FORMATS)}")
        object_filter = ObjectFilter.from_options(schema, exclude)
        options = PlanOptions.of(
            object_filter, _timeout_policy(lock_timeout, statement_timeout), manage_owners=manage_owners
        )
        resolved = resolve_sources(sources or [DEFAULT_SOURCE])
        url = target_url(db)
        with (
            connect(url) as conn,
            desired_state(
                conn, resolved, dev_url=dev_url, warn=_warn, object_filter=object_filter, manage_owners=manage_owners
            ) as desired,
        ):
            result = plan_file_for(conn, desired, resolved, options)
        _render(result, output_format)
        if output is not None:
            write_plan_file(result, output)
            err.print(f"wrote the plan file {output}")
        return EXIT_CHANGES if detailed_exitcode and not result.plan.is_empty else EXIT_OK

    _run(body)


@app.command()
def apply(
    sources: SourcesArg = None,
    db: DbOption = None,
    dev_url: DevUrlOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
    allow_hazards: Annotated[
        list[str] | None,
        typer.Option("--allow-hazards", help="Hazard codes to accept, comma-separated (or 'all'). Repeatable."),
    ] = None,
    lock_timeout: LockTimeoutOption = DEFAULT_LOCK_TIMEOUT,
    statement_timeout: StatementTimeoutOption = None,
    lock_retries: Annotated[
        int, typer.Option("--lock-retries", min=0, help="Retries of a group that hit lock_timeout, with backoff.")
    ] = DEFAULT_LOCK_RETRIES,
    schema: SchemaOption = None,
    exclude: ExcludeOption = None,
    manage_owners: ManageOwnersOption = False,
    plan_path: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="Run this plan file (from `plan -o`) as written, refused if the database or the sources changed "
            "since it was made.",
            show_default=False,
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Plan, then run the plan against the database, then check nothing is left to do."""
    _set_debug(debug)

    def body() -> int:
        if plan_path is not None:
            stored = read_plan_file(plan_path)
            options = apply_options(
                stored, schema, exclude, manage_owners=manage_owners, **_given_timeouts(lock_timeout, statement_timeout)
            )
            return _apply_plan_file(stored, options, sources, db, dev_url, yes, allow_hazards, lock_retries)
        object_filter = ObjectFilter.from_options(schema, exclude)
        resolved = resolve_sources(sources or [DEFAULT_SOURCE])
        url = target_url(db)
        allowed = {code.strip() for item in allow_hazards or [] for code in item.split(",") if code.strip()}
        with (
            connect(url) as conn,
            desired_state(
                conn, resolved, dev_url=dev_url, warn=_warn, object_filter=object_filter, manage_owners=manage_owners
            ) as desired,
        ):
            result = desired.plan_from(inspect(conn), _timeout_policy(lock_timeout, statement_timeout))
            if result.plan.is_empty:
                render_text(result.plan, out)
                return EXIT_OK
            render_text(result.plan, out)
            refuse_unallowed_hazards(result.plan, allowed)
            _confirm(yes, describe(url))
            hooks = ApplyHooks(on_statement=_progress, on_retry=_report_retry)
            apply_plan(conn, result.plan, lock_retries=lock_retries, hooks=hooks)
            _, remaining = desired.changes_from(inspect(conn))
            if remaining:
                names = ", ".join(f"{c.action} {c.kind} {c.name}" for c in remaining)
                raise PgdiffError(f"applied, but the database still differs from the desired state: {names}")
        out.print(
            f"[bold green]Applied {len(result.plan.statements)} statements; the database matches the desired state.[/]"
        )
        return EXIT_OK

    _run(body)


def _apply_plan_file(
    stored: PlanFile,
    options: PlanOptions,
    sources: list[str] | None,
    db: str | None,
    dev_url: str | None,
    yes: bool,
    allow_hazards: list[str] | None,
    lock_retries: int,
) -> int:
    """apply --plan: the file's statements as written (never planned again), once the sources and the target's
    catalog are what the plan was made from; then verified against the sources like any apply."""
    resolved = resolve_sources(sources or [DEFAULT_SOURCE])
    refuse_changed_sources(stored, resolved)  # before any database is touched
    url = target_url(db)
    allowed = {code.strip() for item in allow_hazards or [] for code in item.split(",") if code.strip()}
    with (
        connect(url) as conn,
        desired_state(
            conn,
            resolved,
            dev_url=dev_url,
            warn=_warn,
            object_filter=options.object_filter,
            manage_owners=options.manage_owners,
        ) as desired,
    ):
        warning = check_plan_file(stored, conn, desired, resolved)
        if warning is not None:
            _warn(warning)
        render_text(stored.plan, out)
        if stored.plan.is_empty:
            return EXIT_OK
        refuse_unallowed_hazards(stored.plan, allowed)
        _confirm(yes, describe(url))
        hooks = ApplyHooks(on_statement=_progress, on_retry=_report_retry)
        apply_plan(conn, stored.plan, lock_retries=lock_retries, hooks=hooks)
        verify_applied(conn, desired)
    out.print(
        f"[bold green]Applied {len(stored.plan.statements)} statements; the database matches the desired state.[/]"
    )
    return EXIT_OK


@app.command()
def drift(
    sources: SourcesArg = None,
    db: DbOption = None,
    dev_url: DevUrlOption = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help=f"Report format: {'|'.join(DRIFT_FORMATS)}.")
    ] = "text",
    schema: SchemaOption = None,
    exclude: ExcludeOption = None,
    manage_owners: ManageOwnersOption = False,
    debug: DebugOption = False,
) -> None:
    """Report how the database differs from the files: exit 0 in sync, 2 drift, 1 error."""
    _set_debug(debug)

    def body() -> int:
        if output_format not in DRIFT_FORMATS:
            raise PgdiffError(f"unknown --format {output_format!r}: choose one of {', '.join(DRIFT_FORMATS)}")
        object_filter = ObjectFilter.from_options(schema, exclude)
        resolved = resolve_sources(sources or [DEFAULT_SOURCE])
        with (
            connect(target_url(db)) as conn,
            desired_state(
                conn, resolved, dev_url=dev_url, warn=_warn, object_filter=object_filter, manage_owners=manage_owners
            ) as desired,
        ):
            _, changes = desired.changes_from(inspect(conn))
        found = drift_of(changes)
        if output_format == "json":
            sys.stdout.write(render_drift_json(found))
        elif output_format == "markdown":
            sys.stdout.write(render_drift_markdown(found))
        else:
            render_drift_text(found, out)
        return EXIT_CHANGES if found else EXIT_OK

    _run(body)


@app.command()
def dump(
    db: DbOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Directory to write into. Default: standard output (--split none)."),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="File format: sql|yaml.")] = "sql",
    split: Annotated[
        str, typer.Option("--split", help="none: one file; schema: one per schema; object: one per table or object.")
    ] = "none",
    schema: SchemaOption = None,
    exclude: ExcludeOption = None,
    debug: DebugOption = False,
) -> None:
    """Write the database's schema as desired-state files (planning them against it is empty)."""
    _set_debug(debug)

    def body() -> int:
        if output_format not in DUMP_FORMATS:
            raise PgdiffError(f"unknown --format {output_format!r}: choose one of {', '.join(DUMP_FORMATS)}")
        if split not in SPLITS:
            raise PgdiffError(f"unknown --split {split!r}: choose one of {', '.join(SPLITS)}")
        if output is None and split != "none":
            raise PgdiffError(f"--split {split} writes several files: give a directory with --output")
        object_filter = ObjectFilter.from_options(schema, exclude)
        with connect(target_url(db)) as conn:
            model = filter_model(inspect(conn), object_filter)
        files = dump_yaml_files(model, split) if output_format == "yaml" else dump_files(model, split)
        if output is None:
            sys.stdout.write("".join(files.values()))
            return EXIT_OK
        for path in write_dump(files, output):
            err.print(f"wrote {path}")
        return EXIT_OK

    _run(body)


@app.command()
def fmt(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files and directories (default: the current directory).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing: list the files that would change, exit 1 if any.")
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Lay out desired-state SQL and YAML files canonically, comments kept (rewrites them in place)."""
    _set_debug(debug)

    def body() -> int:
        changed = reformat(paths or ["."], check=check)
        for path in changed:
            err.print(f"{'would reformat' if check else 'reformatted'} {path}")
        return EXIT_ERROR if check and changed else EXIT_OK

    _run(body)


def _set_debug(debug: bool) -> None:
    global _debug
    _debug = debug or os.environ.get("PGDIFF_DEBUG") == "1"


def _confirm(yes: bool, target: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise PgdiffError("refusing to apply without confirmation: stdin is not a terminal; pass --yes")
    if not typer.confirm(f"Apply this plan to {target}?", default=False):
        raise PgdiffError("not applied: the plan was not confirmed")


def _given_timeouts(lock_timeout: str, statement_timeout: str | None) -> dict[str, int | None]:
    """The timeouts the command line set, None for those left at their default."""
    policy = _timeout_policy(lock_timeout, statement_timeout)
    given_lock = lock_timeout != DEFAULT_LOCK_TIMEOUT
    return {
        "lock_timeout_ms": policy.lock_timeout_ms if given_lock else None,
        "statement_timeout_ms": policy.statement_timeout_override_ms,
    }


def _timeout_policy(lock_timeout: str, statement_timeout: str | None) -> TimeoutPolicy:
    return TimeoutPolicy(
        lock_timeout_ms=parse_duration_ms(lock_timeout, "--lock-timeout"),
        statement_timeout_override_ms=(
            parse_duration_ms(statement_timeout, "--statement-timeout") if statement_timeout is not None else None
        ),
    )


def _report_retry(statement: Statement, attempt: int, delay: float) -> None:
    err.print(
        f"[yellow]lock timeout[/] on {statement.kind} {statement.object}: "
        f"retry {attempt} of the group in {delay:g}s"
    )


def _progress(number: int, total: int, statement: Statement) -> None:
    err.print(f"[dim][{number}/{total}][/] {statement.action} {statement.kind} {statement.object}")


def _render(plan_file: PlanFile, output_format: str) -> None:
    if output_format == "sql":
        sys.stdout.write(render_sql(plan_file.plan))
    elif output_format == "json":
        sys.stdout.write(render_json(plan_file))
    elif output_format == "markdown":
        sys.stdout.write(render_markdown(plan_file.plan))
    else:
        render_text(plan_file.plan, out)
