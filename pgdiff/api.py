"""The Python API: `pgdiff.plan()`, `pgdiff.apply()` and `pgdiff.drift()`, what the commands do, as functions.

Owns turning options into one resolved `Job` (keyword arguments over `pgdiff.yaml`'s chosen environment
over its top level over the built-in defaults) and running the pipeline for it. The command line is a
thin layer over these functions: it adds prompts, progress and rendering, nothing else.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pgdiff.catalog import inspect
from pgdiff.config import Config, Settings, load_config
from pgdiff.connect import connect, target_url
from pgdiff.drift import Drift, drift_of
from pgdiff.filters import ObjectFilter
from pgdiff.pipeline import PlanResult, desired_state
from pgdiff.plan.timeouts import DEFAULT_LOCK_TIMEOUT_MS, TimeoutPolicy, parse_duration_ms
from pgdiff.source import Sources, resolve_sources

DEFAULT_SOURCES = ("schema/",)
DEFAULT_LOCK_RETRIES = 3
DEFAULT_WAIT = "0"

Warn = Callable[[str], None]
ConfigChoice = Path | str | Literal[False] | None

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


def settle(
    given: Settings,
    *,
    db: str | None = None,
    dev_url: str | None = None,
    config: ConfigChoice = None,
    env: str | None = None,
) -> Job:
    """Resolve `given` (explicit options) over the configuration file.

    `config`: None finds pgdiff.yaml in the current directory or a parent, a path names one, False reads
    none. `env` picks a section of its `environments:`.
    """
    loaded = Config(None, Settings()) if config is False else load_config(_path(config), env)
    settings = given.over(loaded.settings)
    return Job(
        sources=resolve_sources(list(settings.sources or DEFAULT_SOURCES)),
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


def plan_job(job: Job, *, warn: Warn | None = None) -> PlanResult:
    with (
        connect(job.url) as conn,
        desired_state(
            conn,
            job.sources,
            dev_url=job.dev_url,
            warn=warn or _warn_to_log,
            object_filter=job.object_filter,
            manage_owners=job.manage_owners,
        ) as desired,
    ):
        return desired.plan_from(inspect(conn), job.policy)


def drift_job(job: Job, *, warn: Warn | None = None) -> list[Drift]:
    with (
        connect(job.url) as conn,
        desired_state(
            conn,
            job.sources,
            dev_url=job.dev_url,
            warn=warn or _warn_to_log,
            object_filter=job.object_filter,
            manage_owners=job.manage_owners,
        ) as desired,
    ):
        _, changes = desired.changes_from(inspect(conn))
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
    warn: Warn | None = None,
) -> PlanResult:
    """The migration from the database at `db` to the desired state in `sources`.

    Arguments left out come from pgdiff.yaml (`config`, `env`) and then the defaults, as on the command
    line. Returns the changes and the `Plan` (`result.plan.statements`, `.hazards`, `.is_empty`);
    raises `pgdiff.PgdiffError` with a one-line message on bad input or an unreachable database.
    """
    given = _given(sources, schemas, exclude, manage_owners, lock_timeout, statement_timeout)
    return plan_job(settle(given, db=db, dev_url=dev_url, config=config, env=env), warn=warn)


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
    warn: Warn | None = None,
) -> list[Drift]:
    """How the database at `db` differs from `sources`: one `Drift` per object (empty when in sync)."""
    given = _given(sources, schemas, exclude, manage_owners, None, None)
    return drift_job(settle(given, db=db, dev_url=dev_url, config=config, env=env), warn=warn)


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
