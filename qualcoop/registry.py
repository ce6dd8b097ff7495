"""Named, versioned plugins.

Every pluggable part (extractors, segmenters, rule kinds, codebook formats, ...)
is registered under a versioned name such as ``"pdf.pypdfium2.v1"`` and looked
up by that name; nothing dispatches with ``if/elif`` over strings.

Built-in plugins are listed here as ``"module:attribute"`` strings so that
``import qualcoop`` stays light: a plugin's module is imported the first time
the plugin is asked for. Users register their own with the decorator::

    from qualcoop.registry import extractors

    @extractors.register("rtf.mine.v1")
    class RtfExtractor: ...
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .errors import RegistryError

T = TypeVar("T")


class Registry(Generic[T]):
    """A table from versioned names to plugins, with lazily imported built-ins."""

    def __init__(self, kind: str, builtins: dict[str, str] | None = None) -> None:
        self.kind = kind
        self._lazy: dict[str, str] = dict(builtins or {})
        self._loaded: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name`` (overrides a built-in of that name)."""

        def deco(obj: T) -> T:
            self._loaded[name] = obj
            return obj

        return deco

    def get(self, name: str) -> T:
        if name in self._loaded:
            return self._loaded[name]
        target = self._lazy.get(name)
        if target is None:
            raise RegistryError(
                f"no {self.kind} named {name!r}; known: {', '.join(self.names())}"
            )
        module_name, _, attr = target.partition(":")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as e:
            raise RegistryError(f"{self.kind} {name!r} could not be loaded from {target}: {e}") from e
        self._loaded[name] = obj
        return obj

    def names(self) -> list[str]:
        return sorted(set(self._lazy) | set(self._loaded))

    def __contains__(self, name: object) -> bool:
        return name in self._lazy or name in self._loaded

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()!r})"


#: file -> Document. Each is a class with ``name``, ``version()``, ``suffixes`` and
#: ``extract(path, data, options) -> Extracted`` (see :mod:`qualcoop.extract.base`).
extractors: Registry[Any] = Registry(
    "extractor",
    {
        "text.v1": "qualcoop.extract.text:TextExtractor",
        "pdf.pypdfium2.v1": "qualcoop.extract.pdf:PdfiumExtractor",
        "pdf.pdfplumber.v1": "qualcoop.extract.pdf:PdfplumberExtractor",
        "docx.v1": "qualcoop.extract.docx:DocxExtractor",
        "odt.v1": "qualcoop.extract.odt:OdtExtractor",
        "html.v1": "qualcoop.extract.html:HtmlExtractor",
        "vtt.v1": "qualcoop.extract.subtitles:VttExtractor",
        "srt.v1": "qualcoop.extract.subtitles:SrtExtractor",
        "transcript.v1": "qualcoop.extract.transcript:TranscriptExtractor",
        "transcript.docx.v1": "qualcoop.extract.transcript:DocxTranscriptExtractor",
    },
)

#: Document -> tuple[Segment, ...]. Each is a callable ``(doc, *, ...) -> tuple[Segment, ...]``.
segmenters: Registry[Any] = Registry(
    "segmenter",
    {
        "document.v1": "qualcoop.segment.simple:segment_document",
        "turn.v1": "qualcoop.segment.turns:segment_turns",
        "paragraph.v1": "qualcoop.segment.paragraphs:segment_paragraphs",
        "sentence.v1": "qualcoop.segment.sentences:segment_sentences",
        "article.v1": "qualcoop.segment.articles:segment_articles",
        "window.v1": "qualcoop.segment.windows:segment_windows",
    },
)

#: rule kind -> compiler (see :mod:`qualcoop.match`).
rule_kinds: Registry[Any] = Registry(
    "rule kind",
    {
        "keyword.v1": "qualcoop.match.rules:KeywordRule",
        "phrase.v1": "qualcoop.match.rules:KeywordRule",
        "lemma.v1": "qualcoop.match.rules:LemmaRule",
        "stem.v1": "qualcoop.match.rules:StemRule",
        "glob.v1": "qualcoop.match.rules:GlobRule",
        "regex.v1": "qualcoop.match.rules:RegexRule",
        "pattern.v1": "qualcoop.match.rules:PatternRule",
        "all.v1": "qualcoop.match.rules:AllRule",
        "any.v1": "qualcoop.match.rules:AnyRule",
        "not.v1": "qualcoop.match.rules:NotRule",
        "near.v1": "qualcoop.match.rules:NearRule",
        "exclude.v1": "qualcoop.match.rules:ExcludeRule",
    },
)

#: codebook file formats: readers ``(path) -> Codebook`` and writers ``(codebook, path) -> None``.
codebook_readers: Registry[Any] = Registry(
    "codebook reader",
    {
        "qualcoop.yaml.v1": "qualcoop.codebook.yaml_format:read_codebook_yaml",
        "qualcoop.json.v1": "qualcoop.codebook.yaml_format:read_codebook_json",
        "quanteda.yaml.v1": "qualcoop.codebook.dictionaries:read_quanteda_yaml",
        "liwc.dic.v1": "qualcoop.codebook.dictionaries:read_liwc_dic",
        "csv.v1": "qualcoop.codebook.dictionaries:read_codebook_csv",
        "refi.qdc.v1": "qualcoop.codebook.qdc:read_qdc",
    },
)
codebook_writers: Registry[Any] = Registry(
    "codebook writer",
    {
        "qualcoop.yaml.v1": "qualcoop.codebook.yaml_format:write_codebook_yaml",
        "qualcoop.json.v1": "qualcoop.codebook.yaml_format:write_codebook_json",
        "quanteda.yaml.v1": "qualcoop.codebook.dictionaries:write_quanteda_yaml",
        "refi.qdc.v1": "qualcoop.codebook.qdc:write_qdc",
        "liwc.dic.v1": "qualcoop.codebook.convert:write_liwc_dic",
        "csv.v1": "qualcoop.codebook.convert:write_codebook_csv",
    },
)

#: topic model classes by versioned name (the name is written into saved models)
topic_models: Registry[Any] = Registry(
    "topic model",
    {
        "lda.gensim.v1": "qualcoop.topics.lda:LDA",
        "seeded_lda.gensim.v1": "qualcoop.topics.seeded:SeededLDA",
        "lda.sklearn.v1": "qualcoop.topics.sklearn_models:SklearnLDA",
        "nmf.sklearn.v1": "qualcoop.topics.sklearn_models:NMF",
    },
)
