"""CSV lines made straight from codings equal the lines of their record dicts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.export.coding_lines import coding_csv_lines
from qualcoop.export.tables import csv_line
from qualcoop.model import CODING_COLUMNS, Code, Codebook, Coding, CodingSet, Document, Evidence, Provenance, Source

_TEXT = st.text(alphabet=st.sampled_from(list('ab ,"\r\n;éİ\u2028\t[]') + ["ä"]), min_size=0, max_size=30)


@st.composite
def coding_sets(draw):
    text = draw(_TEXT.filter(lambda t: len(t) >= 2))
    src = draw(st.one_of(st.none(), _TEXT))
    doc = Document("d,1", text, source=Source(path=src, sha256="0" * 64, media_type="text/plain", extractor="text.v1", extractor_version="1") if src is not None else None)
    codebook = Codebook(name="cb", version="1", codes=[Code(id="a", name='A "x"'), Code(id="b", name="B", parent="a")])
    provs = [Provenance(method="rule", coder=draw(_TEXT), codebook="cb", codebook_version="1", tool_version="0.1",
                        run_id=draw(st.one_of(st.none(), _TEXT))) for _ in range(2)]
    out = []
    for _ in range(draw(st.integers(0, 6))):
        s = draw(st.integers(0, len(text) - 1))
        e = draw(st.integers(s + 1, len(text)))
        ev = [Evidence(s, e, text[s:e], draw(st.sampled_from(["a/r1", 'b/"q"', "a/x,y"])), draw(st.booleans()))
              for _ in range(draw(st.integers(0, 3)))]
        out.append(Coding(doc_id=draw(st.sampled_from(["d,1", "missing"])), start=s, end=e,
                          code_id=draw(st.sampled_from(["a", "b", "zzz"])), provenance=draw(st.sampled_from(provs)),
                          segment_index=draw(st.one_of(st.none(), st.integers(0, 9))),
                          unit=draw(st.sampled_from([None, "paragraph"])), speaker=draw(st.one_of(st.none(), _TEXT)),
                          evidence=tuple(ev)))
    return CodingSet(out, documents={doc.id: doc}, codebook=draw(st.sampled_from([codebook, None])))


@settings(max_examples=300, deadline=None)
@given(coding_sets())
def test_lines_from_codings_are_the_lines_of_their_records(cs):
    expected = "".join(csv_line(map(r.get, CODING_COLUMNS)) for r in cs.to_records())
    assert coding_csv_lines(cs) == expected
