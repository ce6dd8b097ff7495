"""Converting codebooks between formats, listing what the target format cannot hold.

:func:`convert_codebook` reads any registered format (qualcoop YAML/JSON, REFI-QDA ``.qdc``,
quanteda YAML, LIWC ``.dic``, CSV) and writes any format with a writer; :func:`conversion_losses`
says, field by field and code by code, what the target cannot carry, so nothing is dropped
silently. This module also holds the LIWC ``.dic`` and CSV writers.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from ..errors import CodebookError
from ..model import Code, Codebook
from .validate import problem_at

__all__ = ["conversion_losses", "convert_codebook", "write_liwc_dic", "write_codebook_csv",
           "dump_liwc_dic", "dump_codebook_csv"]

#: rule kinds that are plain lists of terms (what dictionaries can hold)
TERM_RULE_KINDS = ("keyword", "phrase", "glob")


def _terms(code: Code) -> list[str]:
    out: list[str] = []
    for r in code.rules:
        if r.kind in TERM_RULE_KINDS:
            out += [t for t in r.terms if t not in out]
    return out


def _reread(code: Code, target: str) -> list[tuple[str, str, list[str]]]:
    """The term rules the target format's reader will make of ``code``'s terms."""
    terms = _terms(code)
    if not terms:
        return []
    if target == "quanteda.yaml.v1":
        return [("glob", "glob", terms)]
    wild_chars, plain_id = ("*", "words") if target == "liwc.dic.v1" else ("*?", "keywords")
    wild = [t for t in terms if any(c in t for c in wild_chars)]
    plain = [t for t in terms if t not in wild]
    return [(rid, kind, group) for rid, kind, group in ((plain_id, "phrase", plain), ("glob", "glob", wild))
            if group]


def conversion_losses(codebook: Codebook, target: str) -> list[str]:
    """What writing ``codebook`` in the registered format ``target`` loses, one line per item.

    Parameters
    ----------
    codebook : Codebook
    target : str
        ``"qualcoop.yaml.v1"``, ``"qualcoop.json.v1"``, ``"refi.qdc.v1"``, ``"quanteda.yaml.v1"``,
        ``"liwc.dic.v1"`` or ``"csv.v1"`` (other names: nothing is known to be lost).

    Returns
    -------
    list of str
        Empty when the target holds everything (qualcoop YAML/JSON and ``.qdc``).
    """
    if target in ("qualcoop.yaml.v1", "qualcoop.json.v1", "refi.qdc.v1"):
        return []
    lost: list[str] = []
    keeps = {
        "quanteda.yaml.v1": {"parent"},
        "liwc.dic.v1": set(),
        "csv.v1": {"parent", "name", "definition", "inclusion", "exclusion", "color"},
    }.get(target)
    if keeps is None:
        return []
    fields = ("name", "parent", "definition", "inclusion", "exclusion", "examples", "labels", "color",
              "scope", "negation")
    for code in codebook.codes:
        d = code.to_dict()
        missing = [f for f in fields if f in d and f not in keeps and not (f == "name" and code.name == code.id)]
        if missing:
            lost.append(f"code {code.id!r}: {', '.join(missing)}")
        for r in code.rules:
            if r.kind not in TERM_RULE_KINDS:
                lost.append(f"code {code.id!r} rule {r.id!r}: rule kind {r.kind!r} (only term lists are kept)")
                continue
            extra = [k for k in ("lang", "case_sensitive", "negation", "scope") if k in r.to_dict()]
            if target == "csv.v1" and "lang" in extra and len({x.lang for x in code.rules}) <= 1:
                extra.remove("lang")
            if extra:
                lost.append(f"code {code.id!r} rule {r.id!r}: {', '.join(extra)}")
        kept = [(r.id, r.kind, list(r.terms)) for r in code.rules if r.kind in TERM_RULE_KINDS]
        if kept != _reread(code, target):
            lost.append(f"code {code.id!r}: rule ids and kinds (the terms come back merged, as the format's "
                        "reader splits them)")
    if codebook.description or tuple(codebook.languages) != ("en",) or codebook.version != "1":
        lost.append("the codebook's name, version, languages and description (the reader takes the "
                    "name from the file name)")
    return lost


def convert_codebook(source: str | os.PathLike[str], target: str | os.PathLike[str], *,
                     from_format: str | None = None, to_format: str | None = None) -> list[str]:
    """Read ``source`` and write it to ``target``; return what the target format could not hold.

    Formats follow the suffixes (``.yaml .yml .json .qdc .dic .csv``) unless named.

    Raises
    ------
    CodebookError
        If the source is invalid or a format cannot be told from a suffix.

    Examples
    --------
    >>> convert_codebook("codebooks/international_cooperation.yaml", "out/ic.qdc")   # doctest: +SKIP
    []
    """
    from ..registry import codebook_writers
    from . import SUFFIX_FORMATS, load_codebook, save_codebook

    codebook = load_codebook(source, format=from_format)
    p = Path(target)
    fmt = to_format or SUFFIX_FORMATS.get(p.suffix.lower())
    if fmt == "qualcoop.yaml.v1" and to_format is None and p.suffix.lower() in (".yaml", ".yml") \
            and str(from_format or "").startswith("quanteda"):
        fmt = "quanteda.yaml.v1"
    if fmt is None or fmt not in codebook_writers:
        raise CodebookError(str(p), [problem_at(p, f"cannot tell the format to write from the suffix "
                                                   f"{p.suffix!r}; name one of "
                                                   f"{', '.join(codebook_writers.names())}")])
    lost = conversion_losses(codebook, fmt)
    save_codebook(codebook, p, format=fmt)
    return lost


# --------------------------------------------------------------------------- LIWC and CSV writers


def dump_liwc_dic(codebook: Codebook) -> str:
    """The codebook as a LIWC dictionary: one category per code (named by its id), numbered in
    codebook order; words are the terms of ``keyword``/``phrase``/``glob`` rules."""
    where = codebook.path or f"<{codebook.name}>"
    bad = [c for c in codebook.codes if any(ch.isspace() for ch in c.id)]
    if bad:
        raise CodebookError(where, [problem_at(where, "a LIWC category name cannot contain spaces",
                                               code_id=c.id) for c in bad])
    lines = ["%"]
    words: dict[str, list[int]] = {}
    for n, code in enumerate(codebook.codes, 1):
        lines.append(f"{n}\t{code.id}")
        for t in _terms(code):
            words.setdefault(t, []).append(n)
    lines.append("%")
    for word, nums in words.items():
        lines.append(word + "\t" + "\t".join(str(n) for n in nums))
    return "\n".join(lines) + "\n"


def write_liwc_dic(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` as a LIWC ``.dic`` (see :func:`dump_liwc_dic`; what is lost:
    :func:`conversion_losses`)."""
    Path(path).write_text(dump_liwc_dic(codebook), encoding="utf-8", newline="\n")


def dump_codebook_csv(codebook: Codebook) -> str:
    """The codebook as CSV with the columns the CSV reader knows; keywords joined with ``;``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "parent", "name", "definition", "inclusion", "exclusion", "keywords", "color",
                "lang"])
    for code in codebook.codes:
        langs = sorted({r.lang for r in code.rules if r.lang and r.kind in TERM_RULE_KINDS})
        w.writerow([code.id, code.parent or "", code.name, code.definition, code.inclusion, code.exclusion,
                    ";".join(_terms(code)), code.color or "", langs[0] if len(langs) == 1 else ""])
    return buf.getvalue()


def write_codebook_csv(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` as a CSV codebook (see :func:`dump_codebook_csv`)."""
    Path(path).write_text(dump_codebook_csv(codebook), encoding="utf-8", newline="")
