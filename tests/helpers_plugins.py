"""Installing plugin packages for the tests (real ``pip install``: real entry points)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_PLUGIN = REPO / "examples" / "qualcoop-plugin-example"


def pip_install_target(source: Path, target: Path) -> None:
    """``pip install`` a package into ``target`` (no dependencies, no downloads: real entry points)."""
    work = target.parent / f"src-{source.name}"
    shutil.copytree(source, work, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    got = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                          "--no-index", "--target", str(target), str(work)], capture_output=True, text=True,
                         timeout=300)
    if got.returncode != 0:
        pytest.fail(f"pip install of {source} failed:\n{got.stdout}\n{got.stderr}")


