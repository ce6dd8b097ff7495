"""Without a PostgreSQL server the PostgreSQL half of the store tests is skipped with a reason, and under
QUALCOOP_REQUIRE_SERVICES=1 it fails (CI sets it: a missing server must not pass silently)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    probe = tmp_path / "test_probe.py"
    probe.write_text("def test_needs_postgres(pg_server):\n    assert pg_server.port\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(
        "import importlib.util, sys\n"
        f"sys.path.insert(0, {str(TESTS)!r})\n"
        f"spec = importlib.util.spec_from_file_location('qualcoop_tests_conftest', {str(TESTS / 'conftest.py')!r})\n"
        "mod = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(mod)\n"
        "pg_server = mod.pg_server\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(probe)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "QUALCOOP_PG_BIN": str(tmp_path / "no-postgres"), **env})


def test_missing_server_is_a_skip_with_a_reason(tmp_path):
    r = _pytest(tmp_path, QUALCOOP_REQUIRE_SERVICES="0")
    assert r.returncode == 0 and "1 skipped" in r.stdout and "PostgreSQL server binaries" in r.stdout


def test_missing_server_fails_when_services_are_required(tmp_path):
    r = _pytest(tmp_path, QUALCOOP_REQUIRE_SERVICES="1")
    assert r.returncode == 1 and "1 error" in r.stdout and "PostgreSQL server binaries" in r.stdout
