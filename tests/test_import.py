"""`import qualcoop` stays light; the architecture's import contracts hold."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("spacy", "pandas", "sklearn", "gensim", "pdfplumber", "pypdfium2", "pdfminer", "docx", "numpy")


def test_import_qualcoop_loads_no_heavy_library():
    code = ("import sys, qualcoop; import qualcoop.model, qualcoop.errors, qualcoop.registry; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert got.stdout.strip() == "", f"heavy modules imported at import time: {got.stdout}"


def test_lazy_public_names_resolve():
    import qualcoop

    assert qualcoop.Document.__name__ == "Document"
    assert qualcoop.Corpus.__name__ == "Corpus"
    assert callable(qualcoop.apply_codebook) and callable(qualcoop.load_codebook)
    from qualcoop.segment import segment

    assert callable(segment)
    try:
        qualcoop.does_not_exist  # noqa: B018
    except AttributeError as e:
        assert "does_not_exist" in str(e)
    else:
        raise AssertionError("unknown attribute did not raise")
