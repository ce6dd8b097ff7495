"""The columns of qualcoop's tables, in one place for every layer that writes or reads them.

- :data:`SEGMENT_COLUMNS`: a segment table (``qualcoop extract -o segments.csv``), written by
  :func:`qualcoop.pipeline.segment_records`; the document's attributes follow, by name
  (an attribute named like a fixed column is written as ``attr_<name>``).
- :data:`CODING_COLUMNS`: a coded-segment table (``qualcoop code -o coded.csv``), written by
  :meth:`qualcoop.model.CodingSet.to_records` and read back by
  :func:`qualcoop.analysis.read_coded_table`, which needs :data:`CODING_REQUIRED`.

Standard library only (this is the model layer). Add a column here, in the writer and in
the reader; a test checks that writers and schema agree.
"""

from __future__ import annotations

__all__ = ["CODING_COLUMNS", "CODING_REQUIRED", "SEGMENT_COLUMNS", "SEGMENT_RESERVED"]

#: fixed columns of a segment table (document attributes follow, by name)
SEGMENT_COLUMNS = (
    "doc_id", "source", "sha256", "media_type", "extractor", "lang", "unit", "index", "start", "end",
    "page", "speaker", "section", "start_time", "end_time", "text",
)

#: names an attribute may not take in a segment row (it is written as ``attr_<name>`` instead)
SEGMENT_RESERVED = frozenset({*SEGMENT_COLUMNS, "record"})

#: The documented columns of :meth:`CodingSet.to_frame`, in order.
CODING_COLUMNS = (
    "doc_id", "source", "unit", "segment_index", "start", "end", "speaker",
    "code_id", "code_name", "parent_id", "rule_ids", "matched_terms", "negated", "text",
    "coder", "method", "codebook", "codebook_version", "qualcoop_version", "run_id", "evidence",
)

#: the columns a coded-segment table must have to be read back
CODING_REQUIRED = ("doc_id", "start", "end", "code_id")
