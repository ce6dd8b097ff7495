"""CI runs hypothesis derandomised, local runs explore (issue 13.3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]


def _root_conftest():
    """tests/conftest.py by path: ``import conftest`` would find whichever conftest pytest loaded last."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("qualcoop_tests_root_conftest", REPO / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hypothesis_profile = _root_conftest().hypothesis_profile


def test_profile_choice():
    assert hypothesis_profile({"CI": "true"}) == "ci"
    assert hypothesis_profile({"CI": "1", "QUALCOOP_HYPOTHESIS_PROFILE": "dev"}) == "dev"
    assert hypothesis_profile({}) == "dev"
    assert settings.get_profile("ci").derandomize is True and settings.get_profile("ci").database is None
    assert settings.get_profile("dev").derandomize is False


def test_ci_script_selects_the_ci_profile():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "QUALCOOP_HYPOTHESIS_PROFILE=ci" in script


def test_loaded_profile_follows_the_environment():
    # the conftest is what loads the profile: importing it under CI=true derandomises
    for ci, want in (("true", True), ("", False)):
        code = (f"import os, sys; sys.path.insert(0, 'tests'); os.environ['CI'] = {ci!r}; "
                "os.environ.pop('QUALCOOP_HYPOTHESIS_PROFILE', None); import conftest; "
                f"from hypothesis import settings; assert settings().derandomize is {want}")
        got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
        assert got.returncode == 0, got.stderr
