"""Sentences (``"sentence"``): spaCy's sentencizer run over each paragraph.

Sentences are found inside paragraphs (see :mod:`qualcoop.segment.paragraphs`), so they
never cross a blank line, a page break, a heading or a speaker turn, and they carry the
paragraph's speaker and section. The pipeline is :func:`qualcoop.lang.pipelines.get_nlp`
for the document's language (``"en"`` when it has none): its tokenizer keeps abbreviations
such as "Art.", "No.", "e.g.", "U.S.", "tgl.", "dkk." whole, so they do not end sentences.
Paragraphs go through ``nlp.pipe`` in batches; only character offsets come back. A paragraph
over :data:`qualcoop.limits.MAX_SENTENCE_CHARS` characters is split into pieces first.
"""

from __future__ import annotations

from .. import limits
from ..model import Document, Segment
from .paragraphs import segment_paragraphs, strip_span

__all__ = ["segment_sentences"]

_BATCH = 256


def segment_sentences(doc: Document, *, lang: str | None = None) -> tuple[Segment, ...]:
    """Split ``doc`` into sentences.

    Parameters
    ----------
    doc : Document
        The document.
    lang : str, optional
        Language of the pipeline; default the document's primary language
        (:func:`qualcoop.lang.profile.document_languages`), else ``"en"``.

    Returns
    -------
    tuple of Segment
        Kind ``"sentence"``, ordered, non-overlapping, stripped, with the speaker and
        section of their paragraph.

    Raises
    ------
    LanguageError
        When the language has no pipeline.

    Examples
    --------
    >>> from qualcoop.model import Document
    >>> doc = Document(id="d", text="See Art. 5 and No. 3 of the Agreement. It binds.", lang="en")
    >>> [doc.text[s.start:s.end] for s in segment_sentences(doc)]
    ['See Art. 5 and No. 3 of the Agreement.', 'It binds.']
    """
    from ..lang.pipelines import get_nlp
    from ..lang.profile import document_languages

    # the primary language of the document (a `languages: id,en` or `lang: mixed` document
    # splits sentences with its first language)
    nlp = get_nlp(lang or document_languages(doc)[0])
    paragraphs = segment_paragraphs(doc)
    text = doc.text
    out: list[Segment] = []
    pieces = [(para, start, end) for para in paragraphs for start, end in _pieces(text, para.start, para.end)]
    texts = (text[start:end] for _, start, end in pieces)
    for (para, base, _), sdoc in zip(pieces, nlp.pipe(texts, batch_size=_BATCH)):
        for sent in sdoc.sents:
            s, e = strip_span(text, base + sent.start_char, base + sent.end_char)
            if e > s:
                out.append(Segment(doc_id=doc.id, start=s, end=e, kind="sentence", index=len(out),
                                   speaker=para.speaker, section=para.section))
    return tuple(out)


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut into pieces of at most ``MAX_SENTENCE_CHARS`` characters, after a sentence
    end or at white space where there is some (spaCy refuses texts over its ``max_length``: error E088); a sentence
    never crosses a cut, so a paragraph that long is split there too."""
    cap = limits.current("MAX_SENTENCE_CHARS")
    out = []
    while end - start > cap:
        cut = start + cap
        lo = start + cap // 2
        # after the last sentence end in the second half of the window, else the last space
        end_mark = max(text.rfind(m, lo, cut) for m in (". ", "! ", "? ", "\n"))
        space = end_mark if end_mark > start else text.rfind(" ", lo, cut)
        if space > start:
            cut = space + 1
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out
