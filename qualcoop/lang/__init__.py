"""Per-language processing: blank spaCy pipelines with lookup tables, negation cues.

Everything here loads once per process and works offline.
"""

from __future__ import annotations

from ..model import SUPPORTED_LANGS  # languages qualcoop has profiles for

__all__ = ["SUPPORTED_LANGS"]
