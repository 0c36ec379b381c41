"""Wires the one-way data flow the commands share.

sources -> shadow -> model; live database -> model; diff -> planner -> Plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, replace

import psycopg

from pgdiff import catalog
from pgdiff.apply import ApplyError, apply_plan
from pgdiff.cache import PlanCache, key_of
from pgdiff.catalog.canonical import (
    drop_equivalent,
    equivalent_suspects,
    is_suspect,
    settling_scope,
    without_equivalent,
)
from pgdiff.connect import connect
from pgdiff.diff import Change, diff
from pgdiff.diff.renames import apply_renames
from pgdiff.errors import PgdiffError, SourceError, UnconvertibleTypeError
from pgdiff.filters import ObjectFilter, filter_model, unmanaged_in_schema, unmanaged_named
from pgdiff.model import Model
from pgdiff.plan import Plan, build_plan
from pgdiff.plan.owners import owners_set_by_files, owners_to_compare, without_owners
from pgdiff.plan.timeouts import TimeoutPolicy, with_timeouts
from pgdiff.planfile import (
    PlanFile,
    PlanOptions,
    build_plan_file,
    object_digests,
    refuse_changed_catalog,
    refuse_changed_sources,
    sources_fingerprint,
    target_of,
    target_warning,
)
from pgdiff.shadow import ShadowDatabase, Warn, shadow_server_version, throwaway_bin_dir
from pgdiff.source import Sources, sources_key
from pgdiff.source.directives import Conversion, Rename, column_location, pinned_extension_versions
from pgdiff.source.order import names_used_not_defined
from pgdiff.source.sql import SqlStatement
from pgdiff.source.written import with_written_texts
from pgdiff.unmanaged import owners_left_alone_message, refuse_losing_unmanaged, report_unmanaged


@dataclass(frozen=True)
class PlanResult:
    current: Model  # as it will be after the renames, which the plan does first
    desired: Model
    changes: list[Change]
    plan: Plan


def compare(
    current: Model, desired: Model, renames: Sequence[Rename], scratch: psycopg.Connection | None
) -> tuple[Model, list[Change]]:
    """Renames first, then the ordinary diff; `scratch` settles expressions that print differently."""
    renamed, changes = apply_renames(current, renames, desired)
    changes += diff(renamed, desired)
    if scratch is not None and any(is_suspect(c) for c in changes):
        changes = drop_equivalent(changes, scratch)
    return renamed, changes


class DesiredState:
    """The desired model, plus a scratch database holding it for settling expression differences.

    For file sources the scratch database is the shadow the files were loaded into. For a
    database URL the source is the user's and is never written to: a shadow copy is built,
    only when a diff has expression differences to settle.
    """

    def __init__(
        self,
        sources: Sources,
        *,
        dev_url: str | None,
        target_major: int | None,
        warn: Warn,
        object_filter: ObjectFilter | None = None,
        roles: Sequence[str] = (),
        target: Model | None = None,
        manage_owners: bool = False,
        cache: PlanCache | None = None,
        strict: bool = False,
    ) -> None:
        self._cache = cache
        self._strict = strict
        self._target_reported = False
        self._manage_owners = manage_owners
        self._sources = sources
        # The target's model, when a filter leaves part of it unmanaged: what the files reference there is
        # copied into the shadow first.
        self._target = target
        self._roles = tuple(roles)
        self._filter = object_filter or ObjectFilter()
        self._dev_url = dev_url
        self._target_major = target_major
        self._warn = warn
        self._stack = ExitStack()
        self._scratch: psycopg.Connection | None = None
        self._server: ShadowDatabase | None = None  # the shadow this state opened, whose server proofs reuse
        self.model: Model
        self.renames = list(sources.renames)

    def __enter__(self) -> DesiredState:
        try:
            if self._sources.database_url is not None:
                with connect(self._sources.database_url) as source:
                    self.model = self._owners(filter_model(catalog.inspect(source), self._filter))
                consequence = "which no plan copies to the target"
                report_unmanaged(self.model, "the source database", consequence, self._warn, strict=self._strict)
            else:
                loaded = filter_model(self._loaded_model(), self._filter)
                if not self._manage_owners:
                    message = owners_left_alone_message(loaded, self._sources.statements)
                    if message is not None:
                        self._warn(message)
                self.model = self._owners(loaded)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _loaded_model(self) -> Model:
        """The model the files give once loaded into a shadow database: from the cache when they, the shadow's
        server and what the shadow is given were the same before."""
        key = self._cache_key() if self._cache is not None else None
        cached = self._cache.get("desired", key) if self._cache is not None and key is not None else None
        if isinstance(cached, Model):
            if not self._dev_url:
                _, warning = throwaway_bin_dir(self._target_major)  # the warning the shadow would have given
                if warning:
                    self._warn(warning)
            return cached
        shadow = self._stack.enter_context(self._shadow())
        self._server = shadow
        self._copy_unmanaged_references(shadow.connection)
        shadow.load(self._sources.statements)
        pinned = pinned_extension_versions(self._sources.statements)
        loaded = with_written_texts(unpin_extensions(shadow.inspect(), pinned), self._sources.statements)
        self._scratch = shadow.connection
        if self._cache is not None and key is not None:
            self._cache.put("desired", key, loaded)
        return loaded

    def _cache_key(self) -> str:
        """Everything the loaded model depends on: the files, the shadow server's exact version, the roles
        created in it, and the objects from outside the filter that may be copied into it."""
        outside: list[tuple[str, str]] = []
        if self._target is not None and not self._filter.is_everything:
            managed = object_digests(filter_model(self._target, self._filter))
            outside = sorted(item for item in object_digests(self._target).items() if item[0] not in managed)
        return key_of(
            "desired",
            sources_key(self._sources.files),
            shadow_server_version(self._dev_url, self._target_major),
            sorted(self._roles),
            outside,
        )

    def _owners(self, desired: Model) -> Model:
        """Owners are the desired state only with --manage-owners, and then only those the files set."""
        return owners_set_by_files(desired) if self._manage_owners else without_owners(desired)

    def _copy_unmanaged_references(self, shadow: psycopg.Connection) -> None:
        """Objects outside the filter that the files name (a foreign key to another team's table, a type
        from another schema) are created in the shadow first, so the files load; being outside the
        filter, they are never planned."""
        if self._target is None or self._filter.is_everything:
            return
        outside = unmanaged_named(self._target, self._filter, names_used_not_defined(self._sources.statements))
        if outside is not None:
            copy_definitions(shadow, outside)

    def _shadow(self) -> ShadowDatabase:
        return ShadowDatabase(
            dev_url=self._dev_url, target_major=self._target_major, warn=self._warn, roles=self._roles
        )

    def scratch(self, current: Model, changes: list[Change]) -> psycopg.Connection:
        """A database holding what settling `changes` needs: the shadow the files loaded into, or else (the
        model came from the cache or a source database) a copy of just that part of the desired state."""
        if self._scratch is None:
            copy = self._stack.enter_context(self._shadow())
            self._server = self._server or copy
            try:
                materialize(copy.connection, settling_scope(current, self.model, changes))
                self._scratch = copy.connection
            except (ApplyError, psycopg.Error):
                # What the scope left out was needed after all (a SQL function's body reads a table): all of it.
                whole = self._stack.enter_context(copy.sibling())
                materialize(whole, self.model)
                self._scratch = whole
        return self._scratch

    def empty_database(self) -> AbstractContextManager[psycopg.Connection]:
        """An empty database on the shadow's server (one is started if this state has none yet: the
        desired model came from the cache or a source database), dropped when the block ends."""
        if self._server is None:
            self._server = self._stack.enter_context(self._shadow())
        return self._server.sibling()

    def managed(self, current: Model) -> Model:
        """The part of `current` (the whole live model) that the plan compares: see `managed_model`."""
        return managed_model(current, self.model, self._filter, manage_owners=self._manage_owners)

    def changes_from(self, current: Model) -> tuple[Model, list[Change]]:
        """The changes from `current` (the whole live model; what the filter leaves out is ignored)."""
        managed = self.managed(current)
        if not self._target_reported:  # once: apply compares again after it ran
            self._target_reported = True
            consequence = "left as they are (never planned, compared or dropped)"
            report_unmanaged(managed, "the database", consequence, self._warn, strict=self._strict)
        renamed, changes = compare(managed, self.model, self.renames, None)
        self._refuse_dropping_unmanaged(current, changes)
        if any(is_suspect(c) for c in changes):
            changes = without_equivalent(changes, self._settled(renamed, changes))
        return renamed, changes

    def _settled(self, current: Model, changes: list[Change]) -> list[bool]:
        """Whether each suspect change's two texts mean the same: read back on a scratch database, or as a
        plan with the same suspects over the same objects on the same server settled them before."""
        suspects = [c for c in changes if is_suspect(c)]
        key = None
        if self._cache is not None and self._sources.database_url is None:
            scope = object_digests(settling_scope(current, self.model, changes))
            server = shadow_server_version(self._dev_url, self._target_major)
            texts = [(repr(c.current), repr(c.desired)) for c in suspects]
            key = key_of("settled", server, texts, sorted(scope.items()))
            cached = self._cache.get("settled", key)
            if isinstance(cached, list) and len(cached) == len(suspects):
                return cached
        verdicts = equivalent_suspects(suspects, self.scratch(current, changes))
        if self._cache is not None and key is not None:
            self._cache.put("settled", key, verdicts)
        return verdicts

    def _refuse_dropping_unmanaged(self, current: Model, changes: list[Change]) -> None:
        for change in changes:
            if change.kind == "schema" and change.action == "drop":
                kept = unmanaged_in_schema(current, self._filter, change.current.name)
                if kept:
                    raise PgdiffError(
                        f"schema {change.current.name} is not in the desired state, but holds objects outside the "
                        f"filter ({', '.join(kept[:5])}{', ...' if len(kept) > 5 else ''}): dropping it would drop "
                        f"them; add the schema to the files, or leave it alone with --exclude '{change.current.name}.*'"
                    )

    def plan_from(self, current: Model, policy: TimeoutPolicy | None = None) -> PlanResult:
        renamed, changes = self.changes_from(current)
        statements = self._sources.statements if self._sources.database_url is None else ()
        plan = planned(changes, renamed, self.model, self._sources.conversions, statements)
        if current.unmanaged_uses:
            refuse_losing_unmanaged(plan, self.managed(current))
        return PlanResult(renamed, self.model, changes, with_timeouts(plan, policy or TimeoutPolicy()))


def planned(
    changes: list[Change],
    current: Model,
    desired: Model,
    conversions: Sequence[Conversion],
    statements: Sequence[SqlStatement],
) -> Plan:
    """`build_plan` with the files' column conversions; a type change without one that PostgreSQL cannot make
    by itself is refused naming where the files define the column."""
    refuse_unknown_conversions(desired, conversions)
    try:
        return build_plan(changes, current, desired, {c.key: c.expression for c in conversions})
    except UnconvertibleTypeError as error:
        raise error.located(column_location(tuple(statements), error.column)) from None


def refuse_unknown_conversions(desired: Model, conversions: Sequence[Conversion]) -> None:
    """A `using` for a column the desired table does not have is a mistake in the files (a misspelt name)."""
    for conversion in conversions:
        table = desired.tables.get(conversion.key[:2])
        if table is None or table.parent is not None or table.inherits:
            continue  # outside the filter, or columns that are a parent's
        if table.column(conversion.key[2]) is None:
            name = ".".join(conversion.key)
            raise SourceError(f"{conversion.where}: 'using' for column {name}, which the table does not have")


def managed_model(current: Model, desired: Model, object_filter: ObjectFilter, *, manage_owners: bool) -> Model:
    """`current` as a plan compares it: without what the filter leaves out, and with only the owners the desired
    state gives (none without --manage-owners). Plans and plan files' catalog fingerprints both read this."""
    managed = filter_model(current, object_filter)
    return owners_to_compare(managed, desired) if manage_owners else without_owners(managed)


def desired_state(
    conn: psycopg.Connection,
    sources: Sources,
    *,
    dev_url: str | None,
    warn: Warn,
    object_filter: ObjectFilter | None = None,
    manage_owners: bool = False,
    cache: PlanCache | None = None,
    current: Callable[[], Model] | None = None,
    strict: bool = False,
) -> DesiredState:
    """The desired state for the target behind `conn` (shadow of the target's major when possible);
    `current` gives the target's model when it is being read already (`model_meanwhile`)."""
    major = conn.info.server_version // 10000
    roles = catalog.role_names(conn)
    partial = object_filter is not None and not object_filter.is_everything
    target = None
    if partial and sources.database_url is None:
        target = current() if current is not None else catalog.inspect(conn)
    return DesiredState(
        sources,
        dev_url=dev_url,
        target_major=major,
        warn=warn,
        object_filter=object_filter,
        roles=roles,
        target=target,
        manage_owners=manage_owners,
        cache=cache,
        strict=strict,
    )


def plan_file_for(
    conn: psycopg.Connection,
    desired: DesiredState,
    sources: Sources,
    options: PlanOptions,
    *,
    fingerprints: bool = True,
    current: Callable[[], Model] | None = None,
) -> PlanFile:
    """Plan against the target behind `conn`, recording what the plan was made from: the target's identity,
    a digest of each object the plan compared, and the sources' fingerprint. `fingerprints` False leaves the
    digests empty, for a plan only shown: at 10,000 tables they cost seconds. `current` gives the target's
    model when it is being read already (`model_meanwhile`)."""
    current_model = current() if current is not None else catalog.inspect(conn)
    plan = desired.plan_from(current_model, options.policy).plan
    return build_plan_file(
        plan,
        target=target_of(conn),
        options=options,
        catalog_objects=object_digests(desired.managed(current_model)) if fingerprints else {},
        sources_digest=sources_fingerprint(sources, desired.model) if fingerprints else "",
    )


@contextmanager
def model_meanwhile(url: str, conn: psycopg.Connection) -> Iterator[Callable[[], Model]]:
    """Reads the model of the database at `url` on a connection of its own, in a thread, while the caller
    builds the desired state (loads the shadow, reads the cache, inspects a source database): both mostly
    wait for servers, so they overlap. Calling what this gives waits for the model, or raises what reading
    it raised. Where no second connection can be had (a connection limit), the model is read through `conn`,
    the caller's own connection to the same database, when first asked for. Leaving the block waits for the
    reading to end (its connection is closed, never abandoned)."""

    def read() -> Model | None:
        try:
            own = connect(url)
        except PgdiffError:
            return None
        with own:
            return catalog.inspect(own)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pgdiff-target") as pool:
        reading = pool.submit(read)
        read_through_conn: list[Model] = []

        def current() -> Model:
            model = reading.result()
            if model is not None:
                return model
            if not read_through_conn:
                read_through_conn.append(catalog.inspect(conn))
            return read_through_conn[0]

        yield current


def check_plan_file(
    stored: PlanFile,
    conn: psycopg.Connection,
    desired: DesiredState,
    sources: Sources,
    *,
    current: Model | None = None,
) -> str | None:
    """Refuse a plan file made from other sources or for a target in another state than the one behind
    `conn` (whose model `current` is, when read already); the warning to show when that target is another
    database in the same state."""
    refuse_changed_sources(stored, sources, desired.model)
    live = current if current is not None else catalog.inspect(conn)
    refuse_changed_catalog(stored, object_digests(desired.managed(live)))
    return target_warning(stored, target_of(conn))


def verify_applied(conn: psycopg.Connection, desired: DesiredState) -> None:
    """After apply: the target must now match the desired state; what remains is named."""
    _, remaining = desired.changes_from(catalog.inspect(conn))
    if remaining:
        names = ", ".join(f"{c.action} {c.kind} {c.name}" for c in remaining)
        raise PgdiffError(f"applied, but the database still differs from the desired state: {names}")


def plan_models(
    current: Model,
    desired: Model,
    *,
    scratch: psycopg.Connection | None = None,
    policy: TimeoutPolicy | None = None,
    renames: Sequence[Rename] = (),
    conversions: Sequence[Conversion] = (),
    statements: Sequence[SqlStatement] = (),
) -> PlanResult:
    """Plan from two models; `scratch` holds the desired schema and settles expressions that print differently;
    `conversions` are the files' USING expressions, `statements` the files (to name where a column is)."""
    current, desired = without_owners(current), without_owners(desired)
    renamed, changes = compare(current, desired, renames, scratch)
    plan = with_timeouts(planned(changes, renamed, desired, conversions, statements), policy or TimeoutPolicy())
    return PlanResult(renamed, desired, changes, plan)


def unpin_extensions(model: Model, pinned: dict[str, str]) -> Model:
    """The desired model with a version only on the extensions the files pin: the shadow server installs
    its own default version of the others, which says nothing about the version wanted on the target."""
    extensions = {name: replace(ext, version=pinned.get(name)) for name, ext in model.extensions.items()}
    return replace(model, extensions=extensions)


def copy_definitions(conn: psycopg.Connection, objects: Model) -> None:
    """Create `objects` in the database behind `conn` (a shadow), leaving what it holds in place."""
    existing = without_owners(catalog.inspect(conn))
    wanted = replace(without_owners(objects), schemas=existing.schemas | objects.schemas)
    apply_plan(conn, build_plan(diff(existing, wanted), existing, wanted))


def materialize(conn: psycopg.Connection, desired: Model) -> None:
    """Build the desired schema in the (empty, scratch) database behind `conn` with pgdiff's own plan."""
    existing = without_owners(catalog.inspect(conn))
    desired = without_owners(unpin_extensions(desired, {}))  # the scratch server may lack the exact versions
    apply_plan(conn, build_plan(diff(existing, desired), existing, desired))
