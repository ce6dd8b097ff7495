"""Shared fixtures. Tests read third-party files from ../shared/data directly (read-only)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find_shared() -> Path:
    env = os.environ.get("QUALCOOP_SHARED_DATA")
    if env:
        return Path(env)
    for base in (REPO, *REPO.parents):
        cand = base / "shared" / "data"
        if cand.is_dir():
            return cand
    return REPO.parent / "shared" / "data"


SHARED = _find_shared()

# Hypothesis profiles (issue 13.3). CI is derandomised: the same examples every run, so a red CI is a
# real regression and not a new random draw; local runs keep exploring (and remember failures in
# .hypothesis/). Choose with QUALCOOP_HYPOTHESIS_PROFILE=ci|dev; CI=true (set by CI services and by
# .ci/run) selects "ci".
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", derandomize=False, deadline=None)


def hypothesis_profile(environ=os.environ) -> str:
    """The profile for an environment: the explicit choice, else "ci" under CI, else "dev"."""
    chosen = environ.get("QUALCOOP_HYPOTHESIS_PROFILE")
    if chosen:
        return chosen
    return "ci" if environ.get("CI", "").strip().lower() in ("1", "true", "yes") else "dev"


settings.load_profile(hypothesis_profile())


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only third-party test material (../shared/data)."""
    if not SHARED.is_dir():
        if os.environ.get("QUALCOOP_REQUIRE_SERVICES") == "1":
            pytest.fail(f"shared test data not found at {SHARED} (set QUALCOOP_SHARED_DATA)")
        pytest.skip(f"shared test data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The seed paper's abstract (../shared/seeds), read-only."""
    path = SHARED.parent / "seeds"
    if not path.is_dir():
        if os.environ.get("QUALCOOP_REQUIRE_SERVICES") == "1":
            pytest.fail(f"shared seeds not found at {path}")
        pytest.skip(f"shared seeds not found at {path}")
    return path


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO

# let tests import the shared hypothesis strategies as `from strategies import ...`
import sys  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))


# ---- PostgreSQL (branch store): one throwaway server per test session, started on first use ----
@pytest.fixture(scope="session")
def pg_server():
    """A running throwaway PostgreSQL server (see tests/pgserver.py); skipped when PostgreSQL is not
    installed, a failure under QUALCOOP_REQUIRE_SERVICES=1."""
    from pgserver import PostgresServer, find_bin

    required = os.environ.get("QUALCOOP_REQUIRE_SERVICES") == "1"
    bindir = find_bin()
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) not found; .ci/run installs them"
        pytest.fail(reason) if required else pytest.skip(reason)
    server = PostgresServer(bindir)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        server.stop()
        pytest.fail(f"PostgreSQL did not start: {e}") if required else pytest.skip(f"PostgreSQL did not start: {e}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.service)])
def project_url(request, tmp_path) -> str:
    """Where a new, empty project lives: a SQLite file path, or a database on the throwaway PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "project.qualcoop")
    return request.getfixturevalue("pg_server").new_database()


import subprocess  # noqa: E402  (used by pg_server)


# --------------------------------------------------------------------------- plugins (issue 14)
from helpers_plugins import EXAMPLE_PLUGIN, pip_install_target  # noqa: E402


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory) -> Path:
    """The example plugin package (examples/qualcoop-plugin-example) pip-installed into a folder."""
    target = tmp_path_factory.mktemp("plugin-site") / "site"
    pip_install_target(EXAMPLE_PLUGIN, target)
    return target


@pytest.fixture
def with_plugin(plugin_site: Path):
    """The example plugin importable in this process and its entry points read (undone afterwards)."""
    from qualcoop.registry import refresh_plugins

    sys.path.insert(0, str(plugin_site))
    refresh_plugins()
    try:
        yield plugin_site
    finally:
        sys.path.remove(str(plugin_site))
        for name in [m for m in sys.modules if m.split(".")[0] == "qualcoop_plugin_example"]:
            del sys.modules[name]
        refresh_plugins()
