"""The `pgdiff` command line (typer). Thin: parses options, calls the pipeline, renders, sets exit codes."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Literal, NoReturn

import psycopg
import typer
from rich.console import Console

from pgdiff import __version__
from pgdiff.api import NotConverged, apply_job, drift_job, plan_job, settle
from pgdiff.apply import (
    DEFAULT_LOCK_RETRIES,
    ApplyError,
    ApplyHooks,
)
from pgdiff.cache import PlanCache, key_of
from pgdiff.catalog import inspect
from pgdiff.config import Settings
from pgdiff.connect import connect, redact
from pgdiff.errors import PgdiffError
from pgdiff.filters import filter_model
from pgdiff.plan import Plan
from pgdiff.plan.timeouts import DEFAULT_LOCK_TIMEOUT_MS, format_duration
from pgdiff.planfile import (
    PlanFile,
    read_plan_file,
    write_plan_file,
)
from pgdiff.prove import Proof
from pgdiff.render import FORMATS, render_json, render_markdown, render_sql, render_text
from pgdiff.render.drift import DRIFT_FORMATS, render_drift_json, render_drift_markdown, render_drift_text
from pgdiff.render.progress import ApplyProgress, render_apply_failure
from pgdiff.render.summary import plural
from pgdiff.render.text import pretty_texts
from pgdiff.unmanaged import report_unmanaged

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
    bool | None,
    typer.Option(
        "--manage-owners/--no-manage-owners",
        help="Make owners match the files' ALTER ... OWNER TO (objects they give no owner keep theirs).",
        show_default=False,
    ),
]
EnvOption = Annotated[
    str | None,
    typer.Option(
        "--env",
        help="Use this section of pgdiff.yaml's environments: (its database variable, filters, timeouts, hazards).",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Configuration file. Default: pgdiff.yaml in the current directory or a parent (up to the repository "
        "root); --config none reads no file.",
        show_default=False,
    ),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")]
StrictOption = Annotated[
    bool | None,
    typer.Option(
        "--strict/--no-strict",
        help="Objects of kinds pgdiff does not manage (aggregates, rules, publications, event triggers, foreign "
        "tables...) are an error instead of a warning naming them. Default: no (pgdiff.yaml `strict:`).",
        show_default=False,
    ),
]
ProvePlanOption = Annotated[
    bool | None,
    typer.Option(
        "--prove/--no-prove",
        help="Also run the plan on a scratch copy of the target (on the shadow's server) and require the desired "
        "state; the time it took is printed. Default: no (pgdiff.yaml `prove:`).",
        show_default=False,
    ),
]
ProveApplyOption = Annotated[
    bool | None,
    typer.Option(
        "--prove/--no-prove",
        help="Before touching the target, run the plan on a scratch copy of it and refuse it unless the copy ends "
        "in the desired state. Default: prove (pgdiff.yaml `prove:`).",
        show_default=False,
    ),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Where parsed files and shadow results are kept, so an unchanged desired state plans without a "
        "shadow database. Default: $PGDIFF_CACHE_DIR, else $XDG_CACHE_HOME/pgdiff, else ~/.cache/pgdiff.",
        show_default=False,
    ),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Parse the files and load them into a shadow database every time.")
]
LockTimeoutOption = Annotated[
    str | None,
    typer.Option(
        "--lock-timeout",
        help=f"lock_timeout for every statement (e.g. 500ms, 3s; 0 = none). Default: {DEFAULT_LOCK_TIMEOUT}.",
        show_default=False,
    ),
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
    except Exception as error:  # a defect of pgdiff: one line, never a traceback, and nothing half-applied
        if _debug:
            raise
        _fail(f"internal error, please report it (--debug shows where): {type(error).__name__}: {error}")
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
    lock_timeout: LockTimeoutOption = None,
    statement_timeout: StatementTimeoutOption = None,
    schema: SchemaOption = None,
    exclude: ExcludeOption = None,
    manage_owners: ManageOwnersOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the plan file (JSON) that `apply --plan` runs as written."),
    ] = None,
    env: EnvOption = None,
    config: ConfigOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    prove: ProvePlanOption = None,
    strict: StrictOption = None,
    debug: DebugOption = False,
) -> None:
    """Show the migration that would bring the database to the desired state."""
    _set_debug(debug)

    def body() -> int:
        if output_format not in FORMATS:
            raise PgdiffError(f"unknown --format {output_format!r}: choose one of {', '.join(FORMATS)}")
        given = Settings(
            sources=_tuple(sources),
            schemas=_tuple(schema),
            exclude=_tuple(exclude),
            manage_owners=manage_owners,
            lock_timeout=lock_timeout,
            statement_timeout=statement_timeout,
            prove=prove,
            strict=strict,
        )
        job = settle(given, db=db, dev_url=dev_url, config=_config(config), env=env, cache=_cache(cache_dir, no_cache))
        fingerprints = output is not None or output_format == "json"
        result = plan_job(job, warn=_warn, fingerprints=fingerprints, proved=_print_proof)
        _render(result, output_format, job.cache)
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
    plan_path: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="Run this plan file (from `plan -o`) as written; refused if the database or the sources changed "
            "since it was made.",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
    allow_hazards: Annotated[
        list[str] | None,
        typer.Option("--allow-hazards", help="Hazard codes to accept, comma-separated (or 'all'). Repeatable."),
    ] = None,
    lock_timeout: LockTimeoutOption = None,
    statement_timeout: StatementTimeoutOption = None,
    lock_retries: Annotated[
        int | None,
        typer.Option(
            "--lock-retries",
            min=0,
            help=f"Retries of a group that hit lock_timeout, with backoff. Default: {DEFAULT_LOCK_RETRIES}.",
            show_default=False,
        ),
    ] = None,
    wait: Annotated[
        str | None,
        typer.Option(
            "--wait",
            help="How long to wait for another pgdiff apply on the same database to finish (e.g. 30s, 10min). "
            "Default 0: fail at once, naming it.",
            show_default=False,
        ),
    ] = None,
    schema: SchemaOption = None,
    exclude: ExcludeOption = None,
    manage_owners: ManageOwnersOption = None,
    env: EnvOption = None,
    config: ConfigOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    prove: ProveApplyOption = None,
    strict: StrictOption = None,
    debug: DebugOption = False,
) -> None:
    """Plan (or read --plan), prove it on a scratch copy, run it against the database, then check nothing is
    left to do."""
    _set_debug(debug)

    def body() -> int:
        stored = read_plan_file(plan_path) if plan_path is not None else None

        def show(plan_to_run: Plan) -> None:
            if stored is not None:
                # Once the file passed its checks, the log says which plan runs: made when, where and by what.
                err.print(
                    f"plan file {plan_path}: made {stored.created_at} by pgdiff {stored.pgdiff_version} "
                    f"for {stored.target.place}"
                )
            render_text(plan_to_run, out)

        given = Settings(
            sources=_tuple(sources),
            schemas=_tuple(schema),
            exclude=_tuple(exclude),
            manage_owners=manage_owners,
            lock_timeout=lock_timeout,
            statement_timeout=statement_timeout,
            lock_retries=lock_retries,
            wait=wait,
            allow_hazards=_tuple(allow_hazards),
            prove=prove,
            strict=strict,
        )
        job = settle(given, db=db, dev_url=dev_url, config=_config(config), env=env, cache=_cache(cache_dir, no_cache))
        try:
            applied = apply_job(
                job,
                plan_file=stored,
                warn=_warn,
                show=show,
                confirm=lambda _plan, target: _confirm(yes, target),
                running=_progress,
                proved=_print_proof,
            )
        except ApplyError as error:
            render_apply_failure(error.failure, err)
            return EXIT_ERROR
        except NotConverged as error:
            err.print("[bold red]error:[/] applied, but the database still differs from the desired state:")
            render_drift_text(error.remaining, err)
            return EXIT_ERROR
        if not applied.plan.is_empty:
            out.print(
                f"[bold green]Applied {plural(len(applied.plan.statements), 'statement')}; "
                "the database matches the desired state.[/]"
            )
        return EXIT_OK

    _run(body)


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
    manage_owners: ManageOwnersOption = None,
    env: EnvOption = None,
    config: ConfigOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    strict: StrictOption = None,
    debug: DebugOption = False,
) -> None:
    """Report how the database differs from the files: exit 0 in sync, 2 drift, 1 error."""
    _set_debug(debug)

    def body() -> int:
        if output_format not in DRIFT_FORMATS:
            raise PgdiffError(f"unknown --format {output_format!r}: choose one of {', '.join(DRIFT_FORMATS)}")
        given = Settings(
            sources=_tuple(sources),
            schemas=_tuple(schema),
            exclude=_tuple(exclude),
            manage_owners=manage_owners,
            strict=strict,
        )
        job = settle(given, db=db, dev_url=dev_url, config=_config(config), env=env, cache=_cache(cache_dir, no_cache))
        found = drift_job(job, warn=_warn)
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
    env: EnvOption = None,
    config: ConfigOption = None,
    strict: StrictOption = None,
    debug: DebugOption = False,
) -> None:
    """Write the database's schema as desired-state files (planning them against it is empty)."""
    _set_debug(debug)

    def body() -> int:
        if output_format not in DUMP_FORMATS:
            raise PgdiffError(f"unknown --format {output_format!r}: choose one of {', '.join(DUMP_FORMATS)}")
        # Here, not at the top: `plan` and `apply` start without loading what only dump and fmt use.
        from pgdiff.dump import SPLITS, dump_files, write_dump
        from pgdiff.dump_yaml import dump_yaml_files

        if split not in SPLITS:
            raise PgdiffError(f"unknown --split {split!r}: choose one of {', '.join(SPLITS)}")
        if output is None and split != "none":
            raise PgdiffError(f"--split {split} writes several files: give a directory with --output")
        given = Settings(schemas=_tuple(schema), exclude=_tuple(exclude), strict=strict)
        job = settle(given, db=db, config=_config(config), env=env, needs_sources=False)
        with connect(job.url) as conn:
            model = filter_model(inspect(conn), job.object_filter)
        consequence = "which the dump leaves out"
        report_unmanaged(model, "the database", consequence, _warn, strict=bool(job.settings.strict))
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
        from pgdiff.source.fmt import reformat  # ruamel.yaml: only fmt needs it

        changed = reformat(paths or ["."], check=check)
        for path in changed:
            err.print(f"{'would reformat' if check else 'reformatted'} {path}")
        return EXIT_ERROR if check and changed else EXIT_OK

    _run(body)


def _print_proof(proof: Proof) -> None:
    """On standard error, so that --format sql/json/markdown output stays as it is."""
    if proof.proven:
        err.print(f"[green]Plan {proof.describe()}.[/]")
    else:
        err.print(f"[bold yellow]warning:[/] plan {proof.describe()}")


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    """A repeatable option: None when not given, so pgdiff.yaml's value applies."""
    return tuple(values) if values else None


def _cache(cache_dir: Path | None, no_cache: bool) -> Path | Literal[False] | None:
    return False if no_cache else cache_dir


def _config(option: Path | None) -> Path | Literal[False] | None:
    return False if option is not None and str(option) == "none" else option


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


@contextmanager
def _progress() -> Iterator[ApplyHooks]:
    with ApplyProgress(err) as progress:
        yield ApplyHooks(on_statement=progress.started, on_statement_done=progress.finished, on_retry=progress.retry)


def _render(plan_file: PlanFile, output_format: str, cache: PlanCache | None) -> None:
    if output_format == "sql":
        sys.stdout.write(render_sql(plan_file.plan))
    elif output_format == "json":
        sys.stdout.write(render_json(plan_file))
    elif output_format == "markdown":
        sys.stdout.write(render_markdown(plan_file.plan))
    else:
        render_text(plan_file.plan, out, _pretty_texts(plan_file.plan, cache))


def _pretty_texts(plan: Plan, cache: PlanCache | None) -> dict[str, str]:
    """The statements' layouts, from the warm-plan cache when this plan was shown before (pglast takes
    about 2 ms a statement: a second on a 500-table schema's plan)."""
    if cache is None or plan.is_empty:
        return pretty_texts(plan)
    key = key_of("pretty", [statement.sql for statement in plan.statements])
    found = cache.get("pretty", key)
    if isinstance(found, dict):
        return found
    texts = pretty_texts(plan)
    cache.put("pretty", key, texts)
    return texts
