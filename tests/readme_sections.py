"""The shell commands of a README section, for tests that walk a section as a new user would."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def readme_commands(title: str) -> list[str]:
    """Every ``qualcoop ...`` line of the ```bash blocks in the README section ``## title``."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("qualcoop ")]
