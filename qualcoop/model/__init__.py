"""Value objects: frozen dataclasses, standard library only, no I/O."""

from .codebook import NEGATION_POLICIES, SUPPORTED_LANGS, Code, Codebook, Example, Rule, Scope
from .coding import (CODING_COLUMNS, METHODS, Coding, CodingSet, Evidence, Provenance, evidence_from_json,
                     evidence_json)
from .document import Document, FrozenMap, Region, Segment, Source, freeze

__all__ = [
    "CODING_COLUMNS", "METHODS", "NEGATION_POLICIES", "SUPPORTED_LANGS",
    "Code", "Codebook", "Coding", "CodingSet", "Document", "Evidence", "Example", "FrozenMap",
    "Provenance", "Region", "Rule", "Scope", "Segment", "Source", "evidence_from_json", "evidence_json", "freeze",
]
