"""The rule engine: compile a codebook into matchers and apply it to segments.

- :func:`apply_codebook` (documents, codebook) -> :class:`~qualcoop.model.CodingSet`
- :func:`compile_codebook` (codebook) -> :class:`CompiledCodebook`, reusable across documents,
  with :meth:`CompiledCodebook.code_segment` and :meth:`CompiledCodebook.code_document`

Rule semantics (kinds, overlaps, negation, scope) are documented in ``docs/codebook.md``.
Speed: :mod:`qualcoop.match.fast` (``prefilter=True``, the default) codes faster than
spaCy's bare tokenizer runs over the same text; ``prefilter=False`` is the spaCy ``Doc``
reference path with identical results (``benchmarks/bench_coding.py``).
"""

from __future__ import annotations

from .apply import apply_codebook, document_language, document_languages, make_run_id
from .compile import CompiledCodebook, SegmentMatch, compile_codebook, lemma_table, timeout_messages

__all__ = ["CompiledCodebook", "SegmentMatch", "apply_codebook", "compile_codebook", "document_language",
           "document_languages", "lemma_table", "make_run_id", "timeout_messages"]
