"""qualcoop: computer-assisted qualitative analysis of international-cooperation documents.

Importing this package is cheap: spaCy, pandas, scikit-learn, gensim and the PDF
libraries load only when a function that needs them runs.

>>> import qualcoop
>>> corpus = qualcoop.Corpus.from_paths(["corpora/score_bali"])     # doctest: +SKIP
>>> docs = list(corpus)                                             # doctest: +SKIP
>>> from qualcoop.segment import segment
>>> segment(docs[0], "turn")                                        # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_LAZY = {
    "Document": "qualcoop.model",
    "Segment": "qualcoop.model",
    "Source": "qualcoop.model",
    "Region": "qualcoop.model",
    "Code": "qualcoop.model",
    "Codebook": "qualcoop.model",
    "Rule": "qualcoop.model",
    "Coding": "qualcoop.model",
    "CodingSet": "qualcoop.model",
    "Evidence": "qualcoop.model",
    "Provenance": "qualcoop.model",
    "Corpus": "qualcoop.corpus",
    "ExtractOptions": "qualcoop.extract.base",
    "extract_file": "qualcoop.extract",
    "load_codebook": "qualcoop.codebook",
    "save_codebook": "qualcoop.codebook",
    "validate_codebook": "qualcoop.codebook",
    "apply_codebook": "qualcoop.match",
    "Project": "qualcoop.project",
    "errors": "qualcoop.errors",
}

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qualcoop' has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if name == "errors" else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
