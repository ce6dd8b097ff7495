"""File -> Document.

:func:`extract_file` reads one file, picks the registered extractor for it,
attaches attributes from metadata sidecars and provenance, and returns a
:class:`~qualcoop.model.Document`. Failures are typed
(:class:`~qualcoop.errors.ExtractionError` subclasses) and name the file.
"""

from __future__ import annotations

import dataclasses

import hashlib
import re
import warnings
from pathlib import Path

from ..errors import (
    EmptyDocumentError,
    ExtractionError,
    ExtractionQualityWarning,
    QualcoopError,
    ResourceLimitError,
    UnsupportedFormatError,
)
from ..model import Document, Source
from ..registry import extractors
from .base import Extracted, ExtractOptions
from .sandbox import run_sandboxed

__all__ = ["ExtractOptions", "Extracted", "extract_file", "extractor_for", "SUPPORTED_SUFFIXES",
           "document_id", "extractors_for_media_type", "normalise_lang", "runs_inline", "supported_suffixes",
           "suffix_table"]


def suffix_table() -> dict[str, tuple[str, ...]]:
    """Suffix -> names of the registered extractors that claim it (their ``suffixes``), built-ins
    first. Transcript variants (``transcript_of``) are left out: they are chosen by document type.

    A third-party extractor (entry point group ``qualcoop.extractors``) claims a new suffix by
    listing it in its ``suffixes``; where several claim one, ``ExtractOptions.pdf_engine`` names the
    preferred one (it is the PDF engine for ``.pdf``), else a built-in wins.
    """
    table: dict[str, list[tuple[bool, str]]] = {}
    for name, cls in extractors.items():
        if getattr(cls, "transcript_of", None):
            continue
        for suffix in getattr(cls, "suffixes", ()) or ():
            table.setdefault(str(suffix).lower(), []).append((extractors.source(name) != "builtin", name))
    return {s: tuple(n for _, n in sorted(v)) for s, v in sorted(table.items())}


def supported_suffixes() -> tuple[str, ...]:
    """Every suffix a registered extractor claims (what folder walks pick up)."""
    return tuple(suffix_table())


def extractors_for_media_type(media_type: str) -> tuple[str, ...]:
    """Names of the registered extractors that read ``media_type`` (their ``media_type``)."""
    want = media_type.split(";")[0].strip().lower()
    return tuple(n for n, cls in extractors.items()
                 if str(getattr(cls, "media_type", "")).lower() == want and not getattr(cls, "transcript_of", None))


def _transcript_variants() -> dict[str, str]:
    """Extractor name -> the name of its transcript variant (which declares ``transcript_of``)."""
    return {cls.transcript_of: n for n, cls in extractors.items() if getattr(cls, "transcript_of", None)}


def __getattr__(name: str):
    if name == "SUPPORTED_SUFFIXES":  # computed from the registry (plugins may add suffixes)
        return supported_suffixes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: document types whose text files are read as speaker-turn transcripts
TRANSCRIPT_TYPES = frozenset({"interview", "transcript", "focus_group", "focus group", "meeting",
                              "wawancara", "fgd"})

def normalise_lang(value: object) -> str | None:
    """Map a language attribute ("English", "Bahasa Indonesia", "ID") to a code (``en``, ``id``), with
    the one alias table, :func:`qualcoop.model.langs.language_code`."""
    from ..model.langs import language_code

    return language_code(value)


def document_id(path: Path, sha256: str) -> str:
    """A stable, readable id: the file stem (slugged) and the first 8 hex digits of its hash."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-").lower() or "doc"
    return f"{stem[:48]}-{sha256[:8]}"


def extractor_for(path: Path, options: ExtractOptions, attributes: dict | None = None) -> str:
    """The registered extractor name for ``path`` under ``options``."""
    if options.extractor:
        return options.extractor
    suffix = path.suffix.lower()
    table = suffix_table()
    names = table.get(suffix)
    if not names:
        raise UnsupportedFormatError(path, f"suffix {suffix or '(none)'!r}; supported: "
                                     f"{', '.join(table)}")
    name = options.pdf_engine if options.pdf_engine in names else names[0]
    variants = _transcript_variants()
    if name in variants:
        doc_type = str((attributes or {}).get("type", "")).strip().lower()
        if options.transcript or (options.transcript is None and (doc_type in TRANSCRIPT_TYPES
                                                                  or bool(options.speakers))):
            return variants[name]
    return name


def extract_file(
    path: str | Path,
    *,
    options: ExtractOptions | None = None,
    attributes: dict | None = None,
    doc_id: str | None = None,
) -> Document:
    """Extract one file into a :class:`~qualcoop.model.Document`.

    Parameters
    ----------
    path : path-like
        The file.
    options : ExtractOptions, optional
        Extraction options (engine, password, encoding policy, ...).
    attributes : dict, optional
        Document attributes; by default read from a ``metadata.csv``/``metadata.yaml``
        beside the file (see :mod:`qualcoop.extract.metadata`).
    doc_id : str, optional
        Id to use instead of the content-derived one.

    Raises
    ------
    ExtractionError
        A typed subclass naming the file and the reason.

    Examples
    --------
    >>> doc = extract_file("corpora/score_bali/mou_kemnaker_ilo.pdf")   # doctest: +SKIP
    >>> doc.text[:20]                                                   # doctest: +SKIP
    """
    from .metadata import attributes_for

    options = options or ExtractOptions()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ExtractionError(path, f"cannot read: {e.strerror or e}") from e
    if not path.is_file():
        raise ExtractionError(path, "not a regular file")
    if size > options.max_bytes:
        from ..limits import limit_message

        raise ResourceLimitError(path, limit_message("MAX_FILE_BYTES", options.max_bytes,
                                                     f"{size} bytes is over the limit of {options.max_bytes}"))
    if size == 0:
        raise EmptyDocumentError(path, "0 bytes")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()

    attrs = dict(attributes_for(path) if attributes is None else attributes)
    if attrs.get("speakers") and not options.speakers:
        from .transcript import speaker_table

        options = dataclasses.replace(options, speakers=tuple(speaker_table(attrs["speakers"]).items()))
    name = extractor_for(path, options, attrs)
    cls = extractors.get(name)
    cls().version()  # imports the parser library here, once, not in every child
    # the whole extraction of the file (parser, transcript detection) runs in a child process with
    # options.timeout and options.memory_limit_mb (qualcoop.limits): office files and subtitles too;
    # extractors that run their own child (PDF) are not wrapped twice, and a small file of a linear
    # plain-text parser (its inline_max_bytes) is cheaper to read here than to fork for
    if getattr(cls, "sandboxed", False):
        name, got = _extract_in_child(path, data, options, name)
    elif size <= getattr(cls, "inline_max_bytes", 0):
        try:
            name, got = _extract_in_child(path, data, options, name)
        except (MemoryError, RecursionError) as e:
            raise ExtractionError(path, f"{type(e).__name__} while extracting in this process") from None
    else:
        name, got = run_sandboxed(_extract_in_child, path, data, options, name, timeout=options.timeout,
                                  memory_limit_mb=options.memory_limit_mb, path=path)
    extractor = extractors.get(name)()

    for msg in got.warnings:
        warnings.warn(f"{path}: {msg}", ExtractionQualityWarning, stacklevel=2)
    merged = {**got.attributes, **attrs}  # the sidecar wins over what the file says of itself
    lang = normalise_lang(merged.get("language") or merged.get("lang")) or options.lang
    details = dict(got.details)
    source = Source(
        path=str(path),
        sha256=sha,
        media_type=got.media_type,
        extractor=name,
        extractor_version=extractor.version(),
        size=size,
        page_starts=got.page_starts,
        details=details,
    )
    return Document(
        id=doc_id or document_id(path, sha),
        text=got.text,
        lang=lang,
        attributes={k: v for k, v in merged.items()},
        source=source,
        regions=got.regions,
    )


def runs_inline(path: str | Path, options: ExtractOptions | None = None) -> bool:
    """Whether :func:`extract_file` reads ``path`` in this process (no sandboxed child): a file no
    larger than its extractor's ``inline_max_bytes``. ``False`` when in doubt."""
    path = Path(path)
    try:
        cls = extractors.get(extractor_for(path, options or ExtractOptions()))
        return path.stat().st_size <= getattr(cls, "inline_max_bytes", 0)
    except Exception:  # noqa: BLE001 - unknown suffix, unreadable file: extract_file will say
        return False


def _extract_in_child(path: Path, data: bytes, options: ExtractOptions, name: str) -> tuple[str, Extracted]:
    """The extraction proper (run in the sandbox): the extractor, then transcript detection."""
    extractor = extractors.get(name)()
    try:
        got: Extracted = extractor.extract(path, data, options)
    except (QualcoopError, MemoryError, RecursionError):
        raise  # typed already, or typed by the sandbox (ResourceLimitError, CorruptDocumentError)
    except Exception as e:  # a library failed in a way we did not foresee: still typed, still named
        raise ExtractionError(path, f"{type(e).__name__}: {e}") from e
    if options.transcript is None and name in _transcript_variants():
        name, extractor, got = _maybe_transcript(path, data, options, name, extractor, got)
        if name in _transcript_variants():  # still the plain extractor: no turns were found
            got = _transcript_hint(path, got)
    return name, got


def _transcript_hint(path: Path, got: Extracted) -> Extracted:
    """A text that looks like a transcript but gave no speaker turns gets a warning."""
    from .transcript import transcript_hint

    hint = transcript_hint(got.text, path.name)
    if hint is None:
        return got
    msg = (f"looks like a transcript ({hint}) but no speaker turns were found: it is one text without "
           "speakers; use --transcript, --speaker-pattern or a `speakers:` table in its metadata")
    return dataclasses.replace(got, warnings=(*got.warnings, msg))


def _maybe_transcript(path: Path, data: bytes, options: ExtractOptions, name: str, extractor,
                      got: Extracted):
    """Auto mode: a text or DOCX file whose lines look like speaker turns is read as a transcript.

    The text already extracted is reused: only the turn regions are added.
    """
    from .transcript import add_turns, looks_like_transcript

    if not looks_like_transcript(got.text, pattern=options.speaker_pattern):
        return name, extractor, got
    variant = _transcript_variants()[name]
    return variant, extractors.get(variant)(), add_turns(got, options)
