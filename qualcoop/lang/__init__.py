"""Per-language processing: blank spaCy pipelines with lookup tables, negation cues.

Everything here loads once per process and works offline.
"""

from __future__ import annotations

#: languages qualcoop has profiles for (codebooks may only name these)
SUPPORTED_LANGS = ("en", "id")
