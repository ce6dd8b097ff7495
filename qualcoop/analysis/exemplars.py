"""Exemplar quotes: per code, the clearest passages, spread across documents and speakers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..errors import AnalysisError
from ..model import Coding, CodingSet, Document
from ._common import WORD_RE, code_infos, segment_id

__all__ = ["EXEMPLAR_COLUMNS", "citation", "exemplars"]

#: the columns of :func:`exemplars`, in order
EXEMPLAR_COLUMNS = (
    "code_id", "code_name", "rank", "segment_id", "doc_id", "title", "source", "start", "end", "unit",
    "segment_index", "speaker", "page", "time", "citation", "text", "matched_terms", "rule_ids",
    "negated", "words", "score",
)

#: passages with fewer words than this besides greetings and fillers ("Thanks, training!", "Yes,
#: OK.", "Terima kasih, Bu.") are picked only as a last resort
MIN_WORDS = 3
#: greetings, thanks, backchannels and fillers (English and Indonesian), not counted as substance
FILLERS = frozenset("""
thanks thank you hello hi hey good morning afternoon evening night bye goodbye welcome yes yeah yep no
ok okay sure right well so uh um hmm ah oh please great nice fine alright
terima kasih selamat pagi siang sore malam halo hai ya iya yaa oke baik bu pak mas mbak kak sama-sama
nggak enggak gak tidak eh oh hmm nah gitu kayak tuh udah dong deh sih kok lho
""".split())

#: the passage length (in words) that scores full marks for length
IDEAL_WORDS = (20, 120)


def exemplars(codings: CodingSet, *, per_code: int = 3, codes: Sequence[str] | None = None,
              rollup: bool = False, include_negated: bool = False):
    """The clearest and most varied coded passages for each code, with a citation.

    Each candidate passage (a coding) gets a clarity score in ``[0, 1]``:

    - ``0.5 *`` evidence: distinct matched terms, 3 or more for full marks (manual codings without
      evidence count as clear);
    - ``0.25 *`` focus: ``1 / (codes on the same segment)``: a passage about one thing is clearer;
    - ``0.25 *`` length: full marks for 20-120 words, less for shorter or longer passages;

    passages with any negated match are never used (with ``include_negated``: they score a quarter),
    and passages with fewer than :data:`MIN_WORDS` words besides greetings and fillers
    (:data:`FILLERS`: "Thanks, training!", "Terima kasih, Bu.") only when nothing more substantive
    is left. Passages are then picked greedily by score minus a penalty of 1 for each passage
    already picked from the same document and 0.5 for the same speaker, so quotes spread across
    documents and speakers. Ties break by document and offset: the result is deterministic.

    Parameters
    ----------
    codings : CodingSet
        Codings with their documents (passage text, title, page, time).
    per_code : int
        Quotes per code (at most).
    codes : sequence of str, optional
        Only these codes (default: every code with codings, in codebook order).
    rollup : bool
        A parent's candidates include its descendants' passages.
    include_negated : bool
        Allow passages with negated matches (default: leave them out).

    Returns
    -------
    pandas.DataFrame
        Columns: ``code_id``, ``code_name``, ``rank`` (1 = best), ``segment_id``, ``doc_id``,
        ``title`` (the ``title`` attribute, else the doc id), ``source`` (file path), ``start``,
        ``end``, ``unit``, ``segment_index``, ``speaker``, ``page`` (1-based, for paged sources),
        ``time`` (``HH:MM:SS`` for timed transcripts), ``citation`` (a ready-made reference string),
        ``text`` (``doc.text[start:end]``), ``matched_terms``, ``rule_ids``, ``negated``,
        ``words``, ``score``.

    Examples
    --------
    >>> exemplars(codings, per_code=2)[["code_id", "citation", "text"]]   # doctest: +SKIP
    """
    import pandas as pd

    if isinstance(per_code, bool) or not isinstance(per_code, int) or per_code < 1:
        raise AnalysisError(f"per_code must be a positive integer (got {per_code!r})")
    infos = code_infos(codings)
    docs = codings.documents
    codes_on: Counter[tuple[str, int, int]] = Counter()
    for c in codings:
        codes_on[(c.doc_id, c.start, c.end)] += 1
    candidates: dict[str, list[Coding]] = {}
    for c in codings:
        if c.doc_id not in docs:
            continue
        targets = (c.code_id, *infos[c.code_id].ancestors) if rollup else (c.code_id,)
        for cid in targets:
            candidates.setdefault(cid, []).append(c)
    wanted = list(codes) if codes is not None else [cid for cid in infos if cid in candidates]
    rows = []
    for cid in wanted:
        scored = []
        seen_spans = set()
        for c in candidates.get(cid, ()):
            if (c.doc_id, c.start, c.end) in seen_spans:
                continue
            if any(e.negated for e in c.evidence) and not include_negated:
                continue
            seen_spans.add((c.doc_id, c.start, c.end))
            doc = docs[c.doc_id]
            words = WORD_RE.findall(doc.text, c.start, c.end)
            n_words = len(words)
            substance = sum(1 for w in words if w.lower() not in FILLERS)
            score = _score(c, n_words, codes_on[(c.doc_id, c.start, c.end)], substance)
            scored.append((score, c, n_words))
        picked = _pick(scored, per_code)
        for rank, (score, c, n_words) in enumerate(picked, 1):
            doc = docs[c.doc_id]
            page, time = _page(doc, c.start), _time(doc, c.start)
            rows.append({
                "code_id": cid, "code_name": infos[cid].name if cid in infos else cid, "rank": rank,
                "segment_id": segment_id(c.doc_id, c.start, c.end), "doc_id": c.doc_id,
                "title": _title(doc), "source": doc.source.path if doc.source else None,
                "start": c.start, "end": c.end, "unit": c.unit, "segment_index": c.segment_index,
                "speaker": c.speaker, "page": page, "time": time,
                "citation": citation(doc, c), "text": doc.text[c.start:c.end],
                "matched_terms": ";".join(dict.fromkeys(e.text for e in c.evidence)),
                "rule_ids": ";".join(c.rule_ids), "negated": c.negated, "words": n_words,
                "score": round(score, 6),
            })
    frame = pd.DataFrame(rows, columns=list(EXEMPLAR_COLUMNS))
    frame["page"] = frame["page"].astype("Int64")
    frame["segment_index"] = frame["segment_index"].astype("Int64")
    return frame


def citation(doc: Document, coding: Coding) -> str:
    """A reference for a passage: title, location (unit number, page, time) and speaker.

    >>> from qualcoop.model import Document, Coding, Provenance
    >>> doc = Document(id="d1", text="x" * 50, attributes={"title": "MoU", "date": "2017-03-14"})
    >>> citation(doc, Coding("d1", 10, 20, "c", Provenance("rule", "q"), segment_index=3, unit="paragraph"))
    'MoU (2017-03-14), paragraph 4'
    """
    parts = [_title(doc)]
    date = doc.attributes.get("date") or doc.attributes.get("year")
    head = f"{parts[0]} ({date})" if date else parts[0]
    where = []
    if coding.segment_index is not None:
        where.append(f"{coding.unit or 'segment'} {coding.segment_index + 1}")
    else:
        where.append(f"characters {coding.start}-{coding.end}")
    page = _page(doc, coding.start)
    if page is not None:
        where.append(f"p. {page}")
    time = _time(doc, coding.start)
    if time:
        where.append(time)
    if coding.speaker:
        where.append(f"speaker: {coding.speaker}")
    return ", ".join([head, *where])


def _title(doc: Document) -> str:
    title = doc.attributes.get("title")
    return str(title) if title else doc.id


def _page(doc: Document, offset: int) -> int | None:
    return doc.source.page_of(offset) if doc.source is not None else None


def _time(doc: Document, offset: int) -> str | None:
    for r in doc.regions:
        if r.start_time is not None and r.start <= offset < max(r.end, r.start + 1):
            t = int(r.start_time)
            return f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"
    return None


def _score(c: Coding, n_words: int, n_codes: int, substance: int | None = None) -> float:
    if c.evidence:
        distinct = len({e.text.lower() for e in c.evidence if not e.negated})
        evidence = min(distinct, 3) / 3
    else:
        evidence = 1.0
    focus = 1.0 / max(n_codes, 1)
    lo, hi = IDEAL_WORDS
    if n_words < lo:
        length = n_words / lo
    elif n_words > hi:
        length = hi / n_words
    else:
        length = 1.0
    score = 0.5 * evidence + 0.25 * focus + 0.25 * length
    if any(e.negated for e in c.evidence):
        score *= 0.25
    substance = n_words if substance is None else substance
    return score - 1.0 if substance < MIN_WORDS else score  # greetings and fillers: last resort


def _pick(scored, k: int):
    picked = []
    by_doc: Counter[str] = Counter()
    by_speaker: Counter[str] = Counter()
    pool = sorted(scored, key=lambda t: (-t[0], t[1].doc_id, t[1].start, t[1].end))
    while pool and len(picked) < k:
        best_i, best_v = 0, None
        for i, (score, c, _) in enumerate(pool):
            v = score - by_doc[c.doc_id] - (0.5 * by_speaker[c.speaker] if c.speaker else 0.0)
            if best_v is None or v > best_v + 1e-12:
                best_i, best_v = i, v
        item = pool.pop(best_i)
        picked.append(item)
        by_doc[item[1].doc_id] += 1
        if item[1].speaker:
            by_speaker[item[1].speaker] += 1
    return picked
