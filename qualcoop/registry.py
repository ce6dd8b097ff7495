"""Named, versioned plugins.

Every pluggable part (extractors, segmenters, rule kinds, codebook formats, table
formats, topic models) is registered under a versioned name such as
``"pdf.pypdfium2.v1"`` and looked up by that name; nothing dispatches with ``if/elif``
over strings.

Three ways in, one table per concept:

- built-ins are listed here as ``"module:attribute"`` strings, so ``import qualcoop``
  stays light: a plugin's module is imported the first time the plugin is asked for;
- third-party packages declare entry points in the group of the registry
  (``qualcoop.rule_kinds``, ``qualcoop.extractors``, ``qualcoop.segmenters``,
  ``qualcoop.codebook_formats``, ``qualcoop.table_formats``, ``qualcoop.topic_models``;
  see ``docs/plugins.md``). Their names are read from the installed distributions'
  metadata; a plugin is imported only when it is asked for by name (or when every
  plugin is listed). One that fails to import is reported with its distribution name
  (:meth:`Registry.failures`) and never breaks the others;
- code registers its own with the decorator::

    from qualcoop.registry import extractors

    @extractors.register("rtf.mine.v1")
    class RtfExtractor: ...

A name is ``<name>.v<N>``; :meth:`Registry.resolve` takes a name with or without its
version (``"phrase"`` is the highest registered ``phrase.vN``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .errors import RegistryError

T = TypeVar("T")

_VERSIONED = re.compile(r"^(?P<base>.+)\.v(?P<n>\d+)$")


def split_version(name: str) -> tuple[str, int | None]:
    """``"phrase.v2"`` -> ``("phrase", 2)``; a name without ``.vN`` -> ``(name, None)``."""
    m = _VERSIONED.match(name)
    return (m["base"], int(m["n"])) if m else (name, None)


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded: its registered name, where from, and why."""

    registry: str
    name: str
    target: str
    distribution: str | None
    error: str

    def __str__(self) -> str:
        dist = f" (distribution {self.distribution!r})" if self.distribution else ""
        return f"{self.registry} {self.name!r} from {self.target}{dist}: {self.error}"


class Registry(Generic[T]):
    """A table from versioned names to plugins, with lazily imported built-ins and entry points.

    Parameters
    ----------
    kind : str
        What the plugins are, for messages ("rule kind").
    builtins : dict, optional
        ``name -> "module:attribute"`` of qualcoop's own plugins.
    group : str, optional
        The entry-point group third-party packages declare plugins in.
    """

    def __init__(self, kind: str, builtins: dict[str, str] | None = None, *, group: str | None = None) -> None:
        self.kind = kind
        self.group = group
        self._lazy: dict[str, str] = dict(builtins or {})
        self._loaded: dict[str, T] = {}
        self._entry_points: dict[str, Any] | None = None  # name -> EntryPoint, read on first use
        self._failures: dict[str, PluginFailure] = {}
        self._from_eps: set[str] = set()

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name`` (overrides a built-in of that name)."""

        def deco(obj: T) -> T:
            self._loaded[name] = obj
            self._failures.pop(name, None)
            return obj

        return deco

    def unregister(self, name: str) -> None:
        """Forget a plugin registered in code with :meth:`register` (built-ins and entry points stay)."""
        self._loaded.pop(name, None)
        self._failures.pop(name, None)

    # ----------------------------------------------------------------- entry points
    def _eps(self) -> dict[str, Any]:
        if self._entry_points is None:
            found: dict[str, Any] = {}
            if self.group:
                from importlib.metadata import entry_points

                for ep in sorted(entry_points(group=self.group), key=lambda e: (e.name, e.value)):
                    found.setdefault(ep.name, ep)  # the first distribution on the path wins
            self._entry_points = found
        return self._entry_points

    def refresh(self) -> None:
        """Read the entry points again (after installing or removing a plugin package in a running
        process); plugins loaded from entry points are forgotten, those registered in code stay."""
        for name in self._from_eps:
            self._loaded.pop(name, None)
        self._from_eps.clear()
        self._entry_points = None
        self._failures.clear()

    def source(self, name: str) -> str:
        """Where ``name`` comes from: ``"builtin"``, ``"code"`` or ``"entry point (<distribution>)"``."""
        if name in self._lazy:
            return "builtin"
        ep = self._eps().get(name)
        if ep is not None:
            return f"entry point ({_dist_name(ep) or '?'})"
        return "code"

    # ----------------------------------------------------------------- look-up
    def get(self, name: str) -> T:
        """The plugin registered as exactly ``name`` (imported now if needed).

        Raises
        ------
        RegistryError
            Unknown name, or the plugin failed to import (naming its distribution).
        """
        if name in self._loaded:
            return self._loaded[name]
        if name in self._failures:
            raise RegistryError(str(self._failures[name]))
        ep = self._eps().get(name)
        target = self._lazy.get(name)
        if ep is None and target is None:
            raise RegistryError(f"no {self.kind} named {name!r}; known: {', '.join(self.names())}")
        try:
            if ep is not None and target is None:
                obj = ep.load()
                self._from_eps.add(name)
            else:
                module_name, _, attr = (target or "").partition(":")
                obj = getattr(importlib.import_module(module_name), attr)
        except Exception as e:  # a broken plugin must not break the rest: record and report it
            failure = PluginFailure(self.kind, name, ep.value if ep is not None and target is None else str(target),
                                    _dist_name(ep) if ep is not None and target is None else None,
                                    f"{type(e).__name__}: {e}")
            self._failures[name] = failure
            raise RegistryError(str(failure)) from e
        self._loaded[name] = obj
        return obj

    def resolve(self, name: str) -> tuple[str, T]:
        """``(versioned name, plugin)`` for ``name`` given as ``"kind.vN"`` or as ``"kind"``.

        A name without a version resolves to the highest registered version of it.

        Examples
        --------
        >>> from qualcoop.registry import rule_kinds
        >>> rule_kinds.resolve("phrase")[0], rule_kinds.resolve("phrase.v1")[0]
        ('phrase.v1', 'phrase.v1')
        """
        full = self.versioned(name)
        if full is None:
            bases = ", ".join(self.base_names())
            raise RegistryError(f"no {self.kind} named {name!r}; known: {bases}")
        return full, self.get(full)

    def versioned(self, name: str) -> str | None:
        """The registered versioned name ``name`` stands for (``None``: none)."""
        if not isinstance(name, str) or not name:
            return None
        if name in self:
            return name
        best: tuple[int, str] | None = None
        for n in self.names():
            base, v = split_version(n)
            if base == name and v is not None and (best is None or v > best[0]):
                best = (v, n)
        return best[1] if best else None

    def base_names(self) -> list[str]:
        """Registered names without their ``.vN`` (what codebooks and options may say)."""
        return sorted({split_version(n)[0] for n in self.names()})

    def names(self) -> list[str]:
        return sorted(set(self._lazy) | set(self._loaded) | set(self._eps()))

    def items(self) -> Iterable[tuple[str, T]]:
        """Every plugin that loads, by name (each is imported; failures are recorded, not raised)."""
        out = []
        for n in self.names():
            try:
                out.append((n, self.get(n)))
            except RegistryError:
                continue
        return out

    def failures(self) -> list[PluginFailure]:
        """Plugins that failed to load so far (call :meth:`items` first to try every one)."""
        return [self._failures[n] for n in sorted(self._failures)]

    def __contains__(self, name: object) -> bool:
        return name in self._lazy or name in self._loaded or name in self._eps()

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()!r})"


def _dist_name(ep: Any) -> str | None:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None
    try:
        return dist.metadata["Name"] or dist.name
    except Exception:  # metadata of a broken distribution
        return getattr(dist, "name", None)


#: file -> Document. Each is a class with ``name``, ``version()``, ``suffixes`` and
#: ``extract(path, data, options) -> Extracted`` (see :mod:`qualcoop.extract.base`).
extractors: Registry[Any] = Registry(
    "extractor", group="qualcoop.extractors", builtins=
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
    "segmenter", group="qualcoop.segmenters", builtins=
    {
        "document.v1": "qualcoop.segment.simple:segment_document",
        "turn.v1": "qualcoop.segment.turns:segment_turns",
        "paragraph.v1": "qualcoop.segment.paragraphs:segment_paragraphs",
        "sentence.v1": "qualcoop.segment.sentences:segment_sentences",
        "article.v1": "qualcoop.segment.articles:segment_articles",
        "window.v1": "qualcoop.segment.windows:segment_windows",
    },
)

#: rule kinds: one class per kind implementing the protocol of :mod:`qualcoop.kinds`
#: (fields, ``check``, ``terms``, ``silent``, ``compile``).
rule_kinds: Registry[Any] = Registry(
    "rule kind", group="qualcoop.rule_kinds", builtins=
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

#: codebook file formats: readers ``(path) -> Codebook`` (with ``suffixes`` and, when a suffix is
#: shared, ``sniff(path) -> bool``) and writers ``(codebook, path) -> None``.
codebook_readers: Registry[Any] = Registry(
    "codebook reader", group="qualcoop.codebook_formats", builtins=
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
    "topic model", group="qualcoop.topic_models", builtins=
    {
        "lda.gensim.v1": "qualcoop.topics.lda:LDA",
        "seeded_lda.gensim.v1": "qualcoop.topics.seeded:SeededLDA",
        "lda.sklearn.v1": "qualcoop.topics.sklearn_models:SklearnLDA",
        "nmf.sklearn.v1": "qualcoop.topics.sklearn_models:NMF",
    },
)

#: tabular files by suffix: classes with ``name``, ``suffixes``, ``media_type``,
#: ``write(records, path, *, columns, sheet_name)`` and ``read(path) -> pandas.DataFrame``
#: (see :mod:`qualcoop.export.tables`).
table_formats: Registry[Any] = Registry(
    "table format", group="qualcoop.table_formats", builtins={
        "csv.v1": "qualcoop.export.tables:CsvFormat",
        "jsonl.v1": "qualcoop.export.tables:JsonlFormat",
        "parquet.v1": "qualcoop.export.tables:ParquetFormat",
        "xlsx.v1": "qualcoop.export.tables:XlsxFormat",
    },
)

#: overlap policies: ``(matches) -> kept matches`` within one code and segment, chosen per codebook
#: (``overlaps: longest``; see :mod:`qualcoop.match.overlaps`).
overlap_policies: Registry[Any] = Registry(
    "overlap policy", builtins={
        "longest.v1": "qualcoop.match.overlaps:longest",
        "all.v1": "qualcoop.match.overlaps:keep_all",
        "leftmost.v1": "qualcoop.match.overlaps:leftmost",
        "rule_order.v1": "qualcoop.match.overlaps:rule_order",
    },
)

#: every registry, by the name ``qualcoop formats`` shows
REGISTRIES: dict[str, Registry[Any]] = {
    "rule_kinds": rule_kinds, "extractors": extractors, "segmenters": segmenters,
    "codebook_formats": codebook_readers, "codebook_writers": codebook_writers,
    "table_formats": table_formats, "topic_models": topic_models, "overlap_policies": overlap_policies,
}


def refresh_plugins() -> None:
    """Read every registry's entry points again (see :meth:`Registry.refresh`)."""
    for reg in REGISTRIES.values():
        reg.refresh()


def by_suffix(registry: Registry[Any], suffix: str) -> list[str]:
    """Names of the plugins in ``registry`` that claim ``suffix`` (their ``suffixes`` attribute),
    built-ins first, in name order. Loads every plugin of the registry (failures are recorded)."""
    suffix = suffix.lower()
    claim = [(registry.source(n) != "builtin", n) for n, obj in registry.items()
             if suffix in tuple(getattr(obj, "suffixes", ()) or ())]
    return [n for _, n in sorted(claim)]
