"""Sentences (``"sentence"``): spaCy's sentencizer run over each paragraph.

Sentences are found inside paragraphs (see :mod:`qualcoop.segment.paragraphs`), so they
never cross a blank line, a page break, a heading or a speaker turn, and they carry the
paragraph's speaker and section. The pipeline is :func:`qualcoop.lang.pipelines.get_nlp`
for the document's language (``"en"`` when it has none): its tokenizer keeps abbreviations
such as "Art.", "No.", "e.g.", "U.S.", "tgl.", "dkk." whole, so they do not end sentences.
Paragraphs go through ``nlp.pipe`` in batches; only character offsets come back.
"""

from __future__ import annotations

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
    texts = (text[p.start:p.end] for p in paragraphs)
    for para, sdoc in zip(paragraphs, nlp.pipe(texts, batch_size=_BATCH)):
        base = para.start
        for sent in sdoc.sents:
            s, e = strip_span(text, base + sent.start_char, base + sent.end_char)
            if e > s:
                out.append(Segment(doc_id=doc.id, start=s, end=e, kind="sentence", index=len(out),
                                   speaker=para.speaker, section=para.section))
    return tuple(out)
