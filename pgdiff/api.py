"""The Python API: `pgdiff.plan()`, `pgdiff.apply()` and `pgdiff.drift()`, what the commands do, as functions.

Owns turning options into one resolved `Job` (keyword arguments over `pgdiff.yaml`'s chosen environment
over its top level over the built-in defaults) and running the pipeline for it. The command line is a
thin layer over these functions: it adds prompts, progress and rendering, nothing else.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import psycopg

from pgdiff.apply import (
    APPLY_APPLICATION_NAME,
    DEFAULT_LOCK_RETRIES,
    ApplyHooks,
    apply_lock,
    apply_plan,
    refuse_unallowed_hazards,
)
from pgdiff.cache import PlanCache, default_cache_dir
from pgdiff.catalog import inspect
from pgdiff.config import Config, Settings, load_config
from pgdiff.connect import connect, describe, target_url
from pgdiff.drift import Drift, drift_of
from pgdiff.errors import PgdiffError
from pgdiff.filters import ObjectFilter
from pgdiff.model import Model
from pgdiff.pipeline import DesiredState, check_plan_file, desired_state, model_meanwhile, plan_file_for
from pgdiff.plan import Plan
from pgdiff.plan.timeouts import DEFAULT_LOCK_TIMEOUT_MS, TimeoutPolicy, parse_duration_ms
from pgdiff.planfile import PlanFile, PlanOptions, apply_options, read_plan_file, refuse_changed_sources
from pgdiff.prove import Proof, prove_plan
from pgdiff.source import Sources, resolve_sources

DEFAULT_SOURCES = ("schema/",)
DEFAULT_WAIT = "0"

Warn = Callable[[str], None]
ProofReport = Callable[[Proof], None]
ConfigChoice = Path | str | Literal[False] | None
CacheChoice = Path | str | Literal[False] | None

_log = logging.getLogger("pgdiff")


@dataclass(frozen=True)
class Job:
    """Every setting a command runs with, resolved to values."""

    sources: Sources
    url: str  # "" = libpq's environment
    dev_url: str | None
    object_filter: ObjectFilter
    manage_owners: bool
    policy: TimeoutPolicy
    lock_retries: int
    wait_ms: int
    allowed_hazards: frozenset[str]
    config: Config
    settings: Settings  # as given and configured, before defaults: what `apply --plan` checks against the file
    cache: PlanCache | None = None


def settle(
    given: Settings,
    *,
    db: str | None = None,
    dev_url: str | None = None,
    config: ConfigChoice = None,
    env: str | None = None,
    needs_sources: bool = True,
    cache: CacheChoice = None,
) -> Job:
    """Resolve `given` (explicit options) over the configuration file.

    `config`: None finds pgdiff.yaml in the current directory or a parent, a path names one, False reads
    none. `env` picks a section of its `environments:`. `needs_sources` False (dump) reads no sources.
    `cache`: None uses the default cache directory, a path names one, False keeps no cache.
    """
    loaded = Config(None, Settings()) if config is False else load_config(_path(config), env)
    settings = given.over(loaded.settings)
    plan_cache = None if cache is False else PlanCache(Path(cache) if cache is not None else default_cache_dir())
    return Job(
        cache=plan_cache,
        sources=(
            resolve_sources(list(settings.sources or DEFAULT_SOURCES), plan_cache) if needs_sources else Sources()
        ),
        url=db or loaded.database_url() or target_url(None),
        dev_url=dev_url or loaded.dev_url(),
        object_filter=ObjectFilter.from_options(list(settings.schemas or ()), list(settings.exclude or ())),
        manage_owners=bool(settings.manage_owners),
        policy=_policy(settings),
        lock_retries=DEFAULT_LOCK_RETRIES if settings.lock_retries is None else settings.lock_retries,
        wait_ms=parse_duration_ms(settings.wait or DEFAULT_WAIT, "--wait"),
        allowed_hazards=frozenset(
            code.strip() for item in settings.allow_hazards or () for code in item.split(",") if code.strip()
        ),
        config=loaded,
        settings=settings,
    )


def _path(config: ConfigChoice) -> Path | None:
    if config is None or config is False:
        return None
    return Path(config)


def _policy(settings: Settings) -> TimeoutPolicy:
    lock_ms = (
        DEFAULT_LOCK_TIMEOUT_MS
        if settings.lock_timeout is None
        else parse_duration_ms(settings.lock_timeout, "--lock-timeout")
    )
    override = (
        None
        if settings.statement_timeout is None
        else parse_duration_ms(settings.statement_timeout, "--statement-timeout")
    )
    return TimeoutPolicy(lock_timeout_ms=lock_ms, statement_timeout_override_ms=override)


def _warn_to_log(message: str) -> None:
    _log.warning(message)


def _desired(
    job: Job,
    conn: psycopg.Connection,
    warn: Warn | None,
    *,
    object_filter: ObjectFilter | None = None,
    manage_owners: bool | None = None,
    current: Callable[[], Model] | None = None,
) -> DesiredState:
    """The desired state for the target behind `conn`, with the job's filter and owners unless a plan file
    says otherwise; `current` gives the target's model when it is being read already."""
    return desired_state(
        conn,
        job.sources,
        dev_url=job.dev_url,
        warn=warn or _warn_to_log,
        object_filter=job.object_filter if object_filter is None else object_filter,
        manage_owners=job.manage_owners if manage_owners is None else manage_owners,
        cache=job.cache,
        current=current,
        strict=bool(job.settings.strict),
    )


def plan_job(
    job: Job, *, warn: Warn | None = None, fingerprints: bool = True, proved: ProofReport | None = None
) -> PlanFile:
    """The plan file for `job`; `fingerprints` False skips the digests a plan only shown does not need.

    With `job.prove` true (`plan --prove`), the plan is also run on a scratch copy of the target first: a plan
    that fails there raises PlanDisproved; `proved` hears how it went (else an unproven plan is warned of)."""
    options = PlanOptions.of(job.object_filter, job.policy, manage_owners=job.manage_owners)
    with (
        connect(job.url) as conn,
        model_meanwhile(job.url, conn) as current,
        _desired(job, conn, warn, current=current) as desired,
    ):
        result = plan_file_for(conn, desired, job.sources, options, fingerprints=fingerprints, current=current)
        if job.settings.prove:
            _report(prove_plan(result.plan, current(), desired), proved, warn or _warn_to_log)
        return result


def _report(proof: Proof, proved: ProofReport | None, warn: Warn) -> None:
    if proved is not None:
        proved(proof)
    elif not proof.proven:
        warn(f"plan {proof.describe()}")


@dataclass(frozen=True)
class Applied:
    """What an apply ran: the plan (planned now, or read from a plan file)."""

    plan: Plan


class NotConverged(PgdiffError):
    """The plan ran, but the database still differs from the desired state."""

    def __init__(self, remaining: list[Drift]) -> None:
        self.remaining = remaining
        names = ", ".join(f"{d.state} {d.kind} {d.object}" for d in remaining)
        super().__init__(f"applied, but the database still differs from the desired state: {names}")


def apply_job(
    job: Job,
    *,
    plan_file: PlanFile | None = None,
    warn: Warn | None = None,
    show: Callable[[Plan], None] | None = None,
    confirm: Callable[[Plan, str], None] | None = None,
    hooks: ApplyHooks | None = None,
    running: Callable[[], AbstractContextManager[ApplyHooks]] | None = None,
    proved: ProofReport | None = None,
) -> Applied:
    """Under the database's apply lock: plan (or check `plan_file` is still valid for the database and the
    sources), `show` the plan, refuse unallowed hazards, prove it on a scratch copy of the target (unless
    `job.settings.prove` is False; `proved` hears how it went), `confirm`, run it, and check nothing is left to
    do.

    Raises PgdiffError (ApplyLockBusy, a stale plan file, unallowed hazards, PlanDisproved), ApplyError (a
    statement failed: what ran and what did not) or NotConverged (the remaining differences).
    """
    warn = warn or _warn_to_log
    object_filter, manage_owners = job.object_filter, job.manage_owners
    if plan_file is not None:
        options = apply_options(
            plan_file,
            list(job.settings.schemas or ()),
            list(job.settings.exclude or ()),
            manage_owners=bool(job.settings.manage_owners),
            lock_timeout_ms=_given_ms(job.settings.lock_timeout, "--lock-timeout"),
            statement_timeout_ms=_given_ms(job.settings.statement_timeout, "--statement-timeout"),
        )
        object_filter, manage_owners = options.object_filter, options.manage_owners
        refuse_changed_sources(plan_file, job.sources)  # before any database is touched
    # The lock is taken before anything reads the target: the plan is made, or checked, under it.
    with (
        connect(job.url, application_name=APPLY_APPLICATION_NAME) as conn,
        apply_lock(conn, job.wait_ms),
        _desired(job, conn, warn, object_filter=object_filter, manage_owners=manage_owners) as desired,
    ):
        current = inspect(conn)
        if plan_file is None:
            plan_to_run = desired.plan_from(current, job.policy).plan
        else:
            warning = check_plan_file(plan_file, conn, desired, job.sources, current=current)
            if warning is not None:
                warn(warning)
            plan_to_run = plan_file.plan
        if show is not None:
            show(plan_to_run)
        if plan_to_run.is_empty:
            return Applied(plan_to_run)
        refuse_unallowed_hazards(plan_to_run, set(job.allowed_hazards))
        if job.settings.prove is not False:
            _report(prove_plan(plan_to_run, current, desired), proved, warn)
        if confirm is not None:
            confirm(plan_to_run, describe(job.url))
        with running() if running is not None else nullcontext(hooks) as run_hooks:
            apply_plan(conn, plan_to_run, lock_retries=job.lock_retries, hooks=run_hooks)
        _, remaining = desired.changes_from(inspect(conn))
    if remaining:
        raise NotConverged(drift_of(remaining))
    return Applied(plan_to_run)


def _given_ms(duration: str | None, option: str) -> int | None:
    return None if duration is None else parse_duration_ms(duration, option)


def drift_job(job: Job, *, warn: Warn | None = None) -> list[Drift]:
    with (
        connect(job.url) as conn,
        model_meanwhile(job.url, conn) as current,
        _desired(job, conn, warn, current=current) as desired,
    ):
        _, changes = desired.changes_from(current())
    return drift_of(changes)


def plan(
    sources: Sequence[str | os.PathLike[str]] | None = None,
    db: str | None = None,
    *,
    dev_url: str | None = None,
    schemas: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    manage_owners: bool | None = None,
    lock_timeout: str | None = None,
    statement_timeout: str | None = None,
    env: str | None = None,
    config: ConfigChoice = None,
    cache: CacheChoice = None,
    warn: Warn | None = None,
    prove: bool = False,
    strict: bool | None = None,
) -> PlanFile:
    """The migration from the database at `db` to the desired state in `sources`.

    Arguments left out come from pgdiff.yaml (`config`, `env`) and then the defaults, as on the command
    line. Returns the plan file: `.plan` (`.statements`, `.hazards`, `.is_empty`), the target and the
    fingerprints; `pgdiff.planfile.write_plan_file(result, path)` writes what `apply(plan_file=...)` runs.
    Raises `pgdiff.PgdiffError` with a one-line message on bad input or an unreachable database. `prove`
    runs the plan on a scratch copy of the target first (`pgdiff.prove.PlanDisproved` when it fails there).
    `strict` makes objects of kinds pgdiff does not manage an error instead of a warning (pgdiff/unmanaged.py).
    """
    given = replace(
        _given(sources, schemas, exclude, manage_owners, lock_timeout, statement_timeout), prove=prove, strict=strict
    )
    return plan_job(settle(given, db=db, dev_url=dev_url, config=config, env=env, cache=cache), warn=warn)


def drift(
    sources: Sequence[str | os.PathLike[str]] | None = None,
    db: str | None = None,
    *,
    dev_url: str | None = None,
    schemas: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    manage_owners: bool | None = None,
    env: str | None = None,
    config: ConfigChoice = None,
    cache: CacheChoice = None,
    warn: Warn | None = None,
    strict: bool | None = None,
) -> list[Drift]:
    """How the database at `db` differs from `sources`: one `Drift` per object (empty when in sync)."""
    given = replace(_given(sources, schemas, exclude, manage_owners, None, None), strict=strict)
    return drift_job(settle(given, db=db, dev_url=dev_url, config=config, env=env, cache=cache), warn=warn)


def apply(
    sources: Sequence[str | os.PathLike[str]] | None = None,
    db: str | None = None,
    *,
    plan_file: PlanFile | str | os.PathLike[str] | None = None,
    allow_hazards: Sequence[str] | None = None,
    dev_url: str | None = None,
    schemas: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    manage_owners: bool | None = None,
    lock_timeout: str | None = None,
    statement_timeout: str | None = None,
    lock_retries: int | None = None,
    wait: str | None = None,
    env: str | None = None,
    config: ConfigChoice = None,
    cache: CacheChoice = None,
    warn: Warn | None = None,
    hooks: ApplyHooks | None = None,
    prove: bool | None = None,
    strict: bool | None = None,
) -> Applied:
    """Bring the database at `db` to the desired state in `sources`, as `pgdiff apply --yes` does.

    With `plan_file` (a `PlanFile` or the path of one), runs that plan as written, refusing it if the
    database or the sources changed since it was made. Hazards must be allowed (`allow_hazards`, codes or
    "all"; pgdiff.yaml's count too). `hooks` receive each statement (progress). Raises `pgdiff.PgdiffError`
    subclasses: `ApplyLockBusy`, `ApplyError` (with `.failure`: what ran and what did not) and
    `NotConverged` (with `.remaining`), each with a one-line message. The plan is first proven on a scratch
    copy of the target (`PlanDisproved` when it fails there) unless `prove` is False (or pgdiff.yaml says
    `prove: false`).
    """
    given = replace(
        _given(sources, schemas, exclude, manage_owners, lock_timeout, statement_timeout),
        lock_retries=lock_retries,
        wait=wait,
        prove=prove,
        strict=strict,
        allow_hazards=tuple(allow_hazards) if allow_hazards else None,
    )
    job = settle(given, db=db, dev_url=dev_url, config=config, env=env, cache=cache)
    stored = read_plan_file(Path(plan_file)) if isinstance(plan_file, str | os.PathLike) else plan_file
    return apply_job(job, plan_file=stored, warn=warn, hooks=hooks)


def _given(
    sources: Sequence[str | os.PathLike[str]] | None,
    schemas: Sequence[str] | None,
    exclude: Sequence[str] | None,
    manage_owners: bool | None,
    lock_timeout: str | None,
    statement_timeout: str | None,
) -> Settings:
    return Settings(
        sources=tuple(os.fspath(s) for s in sources) if sources else None,
        schemas=tuple(schemas) if schemas else None,
        exclude=tuple(exclude) if exclude else None,
        manage_owners=manage_owners,
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
    )
