"""The layers contract covers the whole package (issue 13.3): a new top-level module must get a layer."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNLAYERED = {"__init__", "__main__"}  # the package's own entry points


def _layers() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["type"] == "layers" and c.get("containers") == ["qualcoop"]]
    return layers["layers"]


def test_every_top_level_module_is_in_a_layer():
    named = {re.sub(r"[()\s]", "", t) for layer in _layers() for t in re.split(r"[|:]", layer)}
    present = {p.stem if p.is_file() else p.name for p in (REPO / "qualcoop").iterdir()
               if (p.is_file() and p.suffix == ".py") or (p / "__init__.py").is_file()}
    assert present - UNLAYERED <= named, f"modules in no layer: {sorted(present - UNLAYERED - named)}"
    for required in ("cli", "pipeline", "export", "corpus", "match", "segment", "lang", "codebook", "model"):
        assert required in named


def test_contracts_are_kept():
    exe = Path(sys.executable).with_name("lint-imports")
    got = subprocess.run([str(exe)], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert got.returncode == 0, got.stdout[-3000:]
