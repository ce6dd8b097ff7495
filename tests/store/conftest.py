"""Store tests run against both databases: a SQLite file and a fresh database on a real PostgreSQL."""

from __future__ import annotations

import pytest

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.service)]


@pytest.fixture(params=BACKENDS)
def project_url(request, tmp_path) -> str:
    """Where a new, empty project lives: a SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "project.qualcoop")
    return request.getfixturevalue("pg_server").new_database()
