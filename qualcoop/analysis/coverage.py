"""Codebook coverage: codes never applied, rules that never fire, terms shared by codes."""

from __future__ import annotations

from collections import Counter

from ..model import Codebook, CodingSet
from ._common import code_infos

__all__ = ["COVERAGE_COLUMNS", "RULE_COLUMNS", "TERM_KINDS", "codebook_coverage", "rule_frequencies"]

#: the columns of :func:`rule_frequencies`
RULE_COLUMNS = ("code_id", "rule_id", "kind", "lang", "matches", "segments", "documents")
#: the columns of :func:`codebook_coverage`
COVERAGE_COLUMNS = ("issue", "code_id", "rule_id", "term", "other_codes", "detail")
# Which words a rule contributes and whether it can produce evidence at all are its kind's
# (``terms(rule)`` and ``silent``, see :mod:`qualcoop.kinds`); nothing here names a kind.


def __getattr__(name: str):
    if name == "TERM_KINDS":  # kept for callers of the old constant: kinds whose ``terms`` are words
        from ..kinds import kind_fields, kind_names

        return tuple(k for k in kind_names() if "terms" in (kind_fields(k) or {}) and not _silent_kind(k))
    if name == "SILENT_KINDS":
        from ..kinds import kind_names

        return tuple(k for k in kind_names() if _silent_kind(k))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _silent_kind(kind: str) -> bool:
    from ..kinds import is_silent
    from ..model import Rule

    return is_silent(Rule("_", kind))


def rule_frequencies(codings: CodingSet, *, codebook: Codebook | None = None):
    """How often each rule of the codebook fired (its evidence), and rules seen only in codings.

    Parameters
    ----------
    codings : CodingSet
    codebook : Codebook, optional
        Default: ``codings.codebook``.

    Returns
    -------
    pandas.DataFrame
        One row per top-level rule (codebook order, then unknown rule ids sorted). Columns:
        ``code_id``; ``rule_id`` (qualified, ``"<code>/<rule>"``); ``kind``; ``lang``;
        ``matches``: evidence spans the rule produced (a span shared by codings counted once);
        ``segments``: distinct coded segments with its evidence; ``documents``.
        Evidence read back from a coded table names all the coding's rules (``"a;b"``): it is
        credited to each of them.
        Rules of silent kinds (``exclude``, ``not``) never produce evidence; they are listed with zeros.
    """
    import pandas as pd

    cb = codebook if codebook is not None else codings.codebook
    matches: dict[str, set] = {}
    segs: dict[str, set] = {}
    docs: dict[str, set] = {}
    for c in codings:
        for e in c.evidence:
            for rid in e.rule_id.split(";"):  # "a;b": read back from a table, one of these rules
                matches.setdefault(rid, set()).add((c.doc_id, e.start, e.end))
                segs.setdefault(rid, set()).add((c.doc_id, c.start, c.end))
                docs.setdefault(rid, set()).add(c.doc_id)
    rows = []
    known = set()
    if cb is not None:
        for _, code in cb.walk():
            for r in code.rules:
                qid = f"{code.id}/{r.id}"
                known.add(qid)
                rows.append({"code_id": code.id, "rule_id": qid, "kind": r.kind, "lang": r.lang,
                             "matches": len(matches.get(qid, ())), "segments": len(segs.get(qid, ())),
                             "documents": len(docs.get(qid, ()))})
    for qid in sorted(set(matches) - known):
        rows.append({"code_id": qid.split("/", 1)[0] if "/" in qid else None, "rule_id": qid,
                     "kind": None, "lang": None, "matches": len(matches[qid]),
                     "segments": len(segs[qid]), "documents": len(docs[qid])})
    frame = pd.DataFrame(rows, columns=list(RULE_COLUMNS))
    for col in ("matches", "segments", "documents"):
        frame[col] = frame[col].astype("int64")
    return frame


def codebook_coverage(codings: CodingSet, *, codebook: Codebook | None = None):
    """What in the codebook the data never used, and where codes overlap by design.

    Parameters
    ----------
    codings : CodingSet
    codebook : Codebook, optional
        Default: ``codings.codebook``.

    Returns
    -------
    pandas.DataFrame
        One row per finding, in this order of ``issue``:

        - ``code_never_applied``: a code with no codings, itself or in its subtree (``detail``
          says whether it has rules);
        - ``rule_never_fired``: a top-level rule that produced no evidence (``exclude``/``not``
          rules are left out: they never produce evidence);
        - ``shared_term``: a term listed by rules of two or more codes (``term`` lower-cased unless
          the rule is case-sensitive; ``code_id`` the first code, ``other_codes`` the others,
          ``;``-joined).

        Columns: ``issue``, ``code_id``, ``rule_id``, ``term``, ``other_codes``, ``detail``.
    """
    import pandas as pd

    cb = codebook if codebook is not None else codings.codebook
    rows = []
    if cb is not None:
        infos = code_infos(codings)
        used = Counter()
        for c in codings:
            for cid in (c.code_id, *infos[c.code_id].ancestors):
                used[cid] += 1
        for _, code in cb.walk():
            if not used[code.id]:
                detail = f"{len(code.rules)} rule(s)" if code.rules else "no rules of its own"
                rows.append({"issue": "code_never_applied", "code_id": code.id, "rule_id": None,
                             "term": None, "other_codes": None, "detail": detail})
        rules = rule_frequencies(codings, codebook=cb)
        for r in rules.itertuples(index=False):
            if r.kind is not None and not _silent_kind(r.kind) and r.matches == 0:
                rows.append({"issue": "rule_never_fired", "code_id": r.code_id, "rule_id": r.rule_id,
                             "term": None, "other_codes": None,
                             "detail": f"{r.kind} rule" + (f" (lang {r.lang})" if isinstance(r.lang, str) else "")})
        for term, holders in _shared_terms(cb):
            rows.append({"issue": "shared_term", "code_id": holders[0][0], "rule_id": holders[0][1],
                         "term": term, "other_codes": ";".join(h[0] for h in holders[1:]),
                         "detail": "rules: " + ";".join(h[1] for h in holders)})
    return pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS), dtype=object)


def _shared_terms(cb: Codebook) -> list[tuple[str, list[tuple[str, str]]]]:
    from ..kinds import contributed_terms

    owners: dict[str, list[tuple[str, str]]] = {}
    for _, code in cb.walk():
        for top in code.rules:
            for rule, t, _ in contributed_terms(top):
                if not t.strip():
                    continue
                key = " ".join(t.split()) if rule.case_sensitive else " ".join(t.lower().split())
                holders = owners.setdefault(key, [])
                if all(h[0] != code.id for h in holders):
                    holders.append((code.id, f"{code.id}/{top.id}"))
    return sorted(((t, h) for t, h in owners.items() if len(h) > 1), key=lambda x: x[0])
