"""The extractor contract: what an extractor gets and what it gives back.

An extractor is a class registered in :data:`qualcoop.registry.extractors` with

- ``name``: its registered name (e.g. ``"docx.v1"``)
- ``media_type``: the IANA media type it reads
- ``suffixes``: file suffixes it is the default for (lower case, with the dot)
- ``version() -> str``: the version of the library doing the work (for provenance)
- ``extract(path, data, options) -> Extracted``: the text and what it knows of its structure;
- optionally ``inline_max_bytes``: files up to this size are extracted in the calling process
  instead of a sandboxed child (default 0: always sandboxed). Only for parsers whose time and
  memory are linear in a small input and that run no unbudgeted user pattern (plain text,
  subtitles, text transcripts); forking a child costs more than reading such a file.

Extractors raise the typed errors of :mod:`qualcoop.errors` (naming ``path``) and
never print. The text they return is final: :func:`qualcoop.extract.extract_file`
wraps it into a :class:`~qualcoop.model.Document` without touching it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .. import limits
from ..model import Region


@dataclass(frozen=True, kw_only=True)
class ExtractOptions:
    """Options for extraction. Every field is keyword-only and has a safe default.

    Parameters
    ----------
    extractor : str, optional
        Registered extractor name to force (otherwise chosen by file suffix).
    pdf_engine : str
        Registered name of the PDF extractor used for ``.pdf`` files.
    pdf_layout : bool
        Ask the PDF engine for layout-preserving text (pdfplumber ``layout=True``).
    password : str, optional
        Password for encrypted PDFs. Empty user passwords are tried anyway.
    encoding : str, optional
        Force a text encoding instead of detecting it.
    errors : {"strict", "replace"}
        ``"strict"`` (default) raises :class:`~qualcoop.errors.DecodingError` on undecodable
        bytes; ``"replace"`` opts into U+FFFD replacement (recorded in provenance).
    transcript : bool, optional
        ``True`` parses speaker turns, ``False`` never does, ``None`` (default) decides from the
        document attributes (type interview/transcript/...) or from the text itself.
    speaker_pattern : str, optional
        A regular expression with a named group ``speaker`` (and optionally ``time``) that
        replaces the built-in speaker-label patterns.
    lang : str, optional
        Language for documents whose attributes do not name one.
    timeout : float
        Seconds the whole extraction of one file may take (it runs in a child process; every
        format) before it fails with :class:`~qualcoop.errors.ExtractionTimeoutError`.
    memory_limit_mb : int
        Extra address space (MB) the extraction child may take on top of the forked child's
        starting size (so a parent that has spaCy loaded does not hit the cap at start-up).
    max_bytes : int
        Files larger than this are refused with :class:`~qualcoop.errors.ResourceLimitError`.
    speakers : tuple of (label, speaker) pairs
        Speaker labels of a transcript and the speaker each stands for (from the ``speakers:``
        metadata; see :func:`qualcoop.extract.transcript.speaker_table`): these labels are
        always read as speakers, aliases map to one name, and the file is read as a transcript.
    """

    extractor: str | None = None
    pdf_engine: str = "pdf.pypdfium2.v1"
    pdf_layout: bool = False
    password: str | None = None
    encoding: str | None = None
    errors: str = "strict"
    transcript: bool | None = None
    speaker_pattern: str | None = None
    lang: str | None = None
    # defaults from qualcoop.limits (QUALCOOP_EXTRACT_TIMEOUT etc. in the environment override them)
    timeout: float = field(default_factory=lambda: limits.current("EXTRACT_TIMEOUT"))
    memory_limit_mb: int = field(default_factory=lambda: limits.current("EXTRACT_MEMORY_MB"))
    max_bytes: int = field(default_factory=lambda: limits.current("MAX_FILE_BYTES"))
    speakers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class Extracted:
    """What an extractor returns."""

    text: str
    media_type: str
    page_starts: tuple[int, ...] = ()
    regions: tuple[Region, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)  # provenance extras: encoding, engine, ...
    attributes: dict[str, Any] = field(default_factory=dict)  # attributes found in the file itself
    warnings: tuple[str, ...] = ()  # messages for ExtractionQualityWarning


#: the ``inline_max_bytes`` of the plain-text extractors: 1 MiB decodes and parses in a few ms and
#: tens of MB at most (1M VTT cues, 68 MB, took 2.4 GB: 35x the input)
INLINE_TEXT_BYTES = 1 << 20


class Extractor(Protocol):
    name: str
    media_type: str
    suffixes: tuple[str, ...]

    def version(self) -> str: ...

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted: ...


def qualcoop_version() -> str:
    """Provenance version of extractors whose parser is qualcoop's own (VTT/SRT, transcripts)."""
    from .. import __version__

    return f"qualcoop {__version__}"


def lxml_version() -> str:
    """Provenance version of the extractors that read office XML with lxml (DOCX, ODT)."""
    from lxml import etree

    return "lxml " + ".".join(map(str, etree.LXML_VERSION[:3]))
