"""The public face of the store: light imports, URLs, and a project as a context manager."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qualcoop.store import store_url


def test_project_is_public_and_importing_qualcoop_loads_no_sql_library():
    code = ("import sys, qualcoop; qualcoop.Project; "
            "print(','.join(m for m in ('sqlalchemy', 'alembic', 'psycopg', 'pandas') if m in sys.modules))")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert got.stdout.strip() == ""


@pytest.mark.parametrize("given, expected", [
    ("postgresql://ana@db.example/team", "postgresql+psycopg://ana@db.example/team"),
    ("postgresql+psycopg://ana:pw@127.0.0.1:5433/team", "postgresql+psycopg://ana:pw@127.0.0.1:5433/team"),
])
def test_urls(given, expected):
    assert store_url(given) == expected


def test_a_path_is_a_sqlite_file_whatever_its_suffix(tmp_path):
    assert store_url(tmp_path / "team.db") == f"sqlite:///{tmp_path / 'team.db'}"
    assert store_url(tmp_path / "x" / "team") == f"sqlite:///{tmp_path / 'x' / 'team'}"


def test_sqlite_settings(tmp_path):
    from qualcoop.project import Project

    with Project.open(tmp_path / "p.qualcoop") as p:
        with p.store._writer.connect() as conn:
            got = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
    assert got == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 60000, "foreign_keys": 1}
