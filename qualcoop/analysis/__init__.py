"""Thematic analysis views over a :class:`~qualcoop.model.CodingSet`: pure functions -> tidy DataFrames.

- :func:`code_frequencies`: codings, segments, documents and words per code, rolled up the code
  tree, split by document attributes (type, country, year, speaker, ...), with shares
- :func:`code_cooccurrence` / :func:`cooccurrence_matrix`: codes together in a segment or a window
  of segments, with Jaccard, lift and chi-square (GraphML export: :func:`qualcoop.export.graphml.write_graphml`)
- :func:`matrix_coding` / :func:`matrix_table`: codes x attribute values with the segment ids behind
  each cell
- :func:`kwic` / :func:`kwic_evidence`: keyword in context for any term, or for what the rules matched
- :func:`exemplars`: per code the clearest, most varied quotes, with a citation
- :func:`codebook_coverage` / :func:`rule_frequencies`: unused codes, silent rules, shared terms
- :func:`codings_from_frame` / :func:`read_coded_table`: a coded-segment table (``qualcoop code -o``)
  back into a CodingSet
- :func:`read_codings`: a codings table (people's or the machine's), validated row by row
- :func:`agreement`: intercoder agreement per code (percent, Cohen, Fleiss, Krippendorff + bootstrap CI)
- :func:`validate`: precision/recall/F1 of machine codings against gold codings, with the errors
- :func:`disagreements` / :func:`adjudicate`: where two coders differ, and the decided result

Every column is documented in the function's docstring; ``docs/analysis.md`` has a walk-through.
Importing this package imports neither pandas nor anything heavy: they load on first call.
"""

from __future__ import annotations

from ._common import MISSING, PSEUDO_ATTRIBUTES, segment_id
from .cooccurrence import COOCCURRENCE_COLUMNS, code_cooccurrence, cooccurrence_matrix
from .coverage import COVERAGE_COLUMNS, RULE_COLUMNS, codebook_coverage, rule_frequencies
from .exemplars import EXEMPLAR_COLUMNS, citation, exemplars
from .frequencies import FREQUENCY_COLUMNS, code_frequencies
from .kwic import KWIC_COLUMNS, kwic, kwic_evidence, term_pattern
from .matrix import MATRIX_COLUMNS, matrix_coding, matrix_table
from .tables import codings_from_frame, read_coded_table
from .adjudication import ADJUDICATED_COLUMNS, adjudicate, disagreements
from .agreement import AGREEMENT_COLUMNS, agreement, reliability
from .codings_table import CODINGS_OPTIONAL, CODINGS_REQUIRED, read_codings
from .validation import ERROR_COLUMNS, VALIDATION_COLUMNS, ValidationReport, validate

__all__ = [
    "COOCCURRENCE_COLUMNS", "COVERAGE_COLUMNS", "EXEMPLAR_COLUMNS", "FREQUENCY_COLUMNS", "KWIC_COLUMNS",
    "MATRIX_COLUMNS", "MISSING", "PSEUDO_ATTRIBUTES", "RULE_COLUMNS",
    "citation", "code_cooccurrence", "code_frequencies", "codebook_coverage", "codings_from_frame",
    "cooccurrence_matrix", "exemplars", "kwic", "kwic_evidence", "matrix_coding", "matrix_table",
    "read_coded_table", "rule_frequencies", "segment_id", "term_pattern",
    # team: codings tables, agreement, validation, adjudication
    "ADJUDICATED_COLUMNS", "AGREEMENT_COLUMNS", "CODINGS_OPTIONAL", "CODINGS_REQUIRED", "ERROR_COLUMNS",
    "VALIDATION_COLUMNS", "ValidationReport", "adjudicate", "agreement", "disagreements", "read_codings",
    "reliability", "validate",
]
