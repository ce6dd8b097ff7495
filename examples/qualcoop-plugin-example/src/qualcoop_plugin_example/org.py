"""An input format: Emacs Org-mode files (``.org``).

The text is the file's UTF-8 text, unchanged (qualcoop's rule: offsets index the final
text); each headline (``* Title``, ``** Subtitle``) becomes a ``heading`` region whose label
is its level, so the ``article`` segmenter can cut the file into sections.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualcoop.errors import DecodingError, EmptyDocumentError
from qualcoop.extract.base import Extracted, ExtractOptions
from qualcoop.model import Region

_HEADLINE = re.compile(r"^(\*+)[ \t]+(\S.*)$", re.MULTILINE)


class OrgExtractor:
    """Org-mode text with its headlines as regions."""

    name = "org.v1"
    media_type = "text/org"
    suffixes = (".org",)

    def version(self) -> str:
        from qualcoop_plugin_example import __version__

        return f"qualcoop-plugin-example {__version__}"

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise DecodingError(path, f"not UTF-8 at byte {e.start}") from e
        if not text.strip():
            raise EmptyDocumentError(path, "no text")
        regions = tuple(Region("heading", m.start(2), m.end(2), label=str(len(m.group(1))))
                        for m in _HEADLINE.finditer(text))
        return Extracted(text=text, media_type=self.media_type, regions=regions,
                         details={"headlines": len(regions)})
