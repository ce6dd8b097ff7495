"""Connecting to a project store: SQLite files (the default) and PostgreSQL by URL, migrated on open.

SQLite connections run in WAL mode with ``synchronous=FULL`` (a committed document survives a power
cut), a busy timeout (writers queue instead of failing) and foreign keys on. Write transactions start
with ``BEGIN IMMEDIATE`` so that two writers never deadlock upgrading a read lock; reads use a
plain ``BEGIN`` and see a consistent snapshot while a run writes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from ..errors import StoreError

#: milliseconds a SQLite writer waits for another writer before giving up
BUSY_TIMEOUT_MS = 60_000
_PG_LOCK = 720_310_941  # advisory lock id held while migrating a PostgreSQL project
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def store_url(path_or_url: str | os.PathLike[str]) -> str:
    """The SQLAlchemy URL of a project: a URL is kept (``postgresql://`` gets the psycopg driver), a
    path becomes a SQLite file URL."""
    s = os.fspath(path_or_url)
    if "://" not in s:
        return "sqlite:///" + str(Path(s).expanduser().resolve())
    try:
        url = make_url(s)
    except ArgumentError as e:
        raise StoreError(f"{s!r} is not a database URL ({e})") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"{url.render_as_string(hide_password=True)}: unsupported database "
                         f"{url.get_backend_name()!r}; use a file path (SQLite) or postgresql+psycopg://")
    return url.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database else None


def make_engines(url: str) -> tuple[Engine, Engine]:
    """(writer, reader) engines for ``url``; on PostgreSQL they are the same engine."""
    if not is_sqlite(url):
        engine = create_engine(url, pool_pre_ping=True, future=True)
        return engine, engine
    return _sqlite_engine(url, immediate=True), _sqlite_engine(url, immediate=False)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(None)).get_current_head()


def migrate(engine: Engine, *, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (``head``: the newest) through the shipped migrations.

    Safe when several processes open the same project at once: SQLite serialises on the write lock,
    PostgreSQL on an advisory lock.
    """
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        command.upgrade(_config(conn), revision)


def _config(conn: Any):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg
