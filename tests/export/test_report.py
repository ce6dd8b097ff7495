"""The HTML report as a string: escaping, structure, text fidelity, determinism (no browser here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from tiny import EVIL, INT, MOU, N_EVIDENCE, N_SEGMENTS, coding_set  # noqa: E402

from qualcoop.export.report import render_report, write_report  # noqa: E402
from qualcoop.model import Coding, CodingSet, Document, Evidence, Provenance  # noqa: E402


def _tree(text: str):
    return lxml.html.fromstring(text)


def test_every_user_string_is_escaped():
    out = render_report(coding_set(), by="type")
    assert EVIL not in out  # never raw
    assert "<b>bold</b>" not in out
    tree = _tree(out)
    assert tree.xpath("//img") == []
    assert tree.xpath("//b[text()='bold']") == []
    # the name shows as text (codebook row, frequency row, hover titles)
    assert any(EVIL in (el.text_content() or "") for el in tree.xpath("//td"))
    assert any(EVIL in t for t in tree.xpath("//mark/@title"))
    # the JSON for the script cannot close the script element
    data = tree.xpath("//script[@id='qc-data']")[0].text
    assert "<" not in data and ">" not in data and "\\u003cimg" in data
    assert json.loads(data)["codes"][1]["name"] == EVIL
    assert len(tree.xpath("//script")) == 2


def test_document_text_survives_highlighting():
    tree = _tree(render_report(coding_set()))
    texts = {el.get("data-di"): el.xpath(".//div[@class='text']")[0].text_content()
             for el in tree.xpath("//section[@class='doc']")}
    # documents are ordered by id: "int" then "mou"
    assert texts == {"0": INT, "1": MOU}


def test_highlight_counts_and_fragments():
    tree = _tree(render_report(coding_set()))
    marks = tree.xpath("//section[@class='doc']//mark")
    first = [m for m in marks if "cont" not in m.get("class").split()]
    assert len(first) == N_EVIDENCE
    assert len({(m.getparent().get("data-span"), m.get("data-ev")) for m in marks}) >= N_EVIDENCE
    # "Ministry agree" (actor.gov) crosses "agree on training" (mech.training): the later one is split
    conts = [m for m in marks if "cont" in m.get("class").split()]
    assert len(conts) == 1 and conts[0].text_content() == " on training"
    # every fragment of one piece of evidence together spells the matched words
    by_ev: dict[tuple, str] = {}
    for m in marks:
        doc = m.xpath("ancestor::section[@class='doc']")[0].get("data-di")
        key = (doc, m.get("data-ev"))
        by_ev[key] = by_ev.get(key, "") + "".join(m.xpath("text()"))
    assert by_ev[("1", conts[0].get("data-ev"))] == "agree on training"
    segs = [s for s in tree.xpath("//section[@class='doc']//span[contains(@class,'seg')]")
            if "cont" not in s.get("class").split()]
    assert len(segs) == N_SEGMENTS
    # overlapping codes on the same words are nested: "Ministry" sits inside "Ministry agree"
    ministry = [m for m in marks if m.text_content() == "Ministry"][0]
    assert ministry.getparent().tag == "mark"
    assert "d1" in ministry.get("class").split()
    # hover: code and rule
    assert ministry.get("title") == "Government (actor.gov) \u00b7 rule actor.gov/terms"


def test_matrix_cells_drill_down_to_segment_anchors():
    tree = _tree(render_report(coding_set(), by="type"))
    ids = set(tree.xpath("//@id"))
    links = tree.xpath("//section[@id='matrix']//a/@href")
    # rolled up: actor (mou 1 + interview 1), actor.io (1 + 1), actor.gov (1), mech (mou 2, int 1),
    # mech.training (1 + 1), mech.funding (1 + 1)  -> 2+2+1+3+2+2 = 12 segment links
    assert len(links) == 12
    assert all(h[1:] in ids for h in links)


def test_report_is_deterministic(tmp_path):
    a = write_report(coding_set(), tmp_path / "a.html", by="type").read_bytes()
    b = write_report(coding_set(), tmp_path / "b.html", by="type").read_bytes()
    assert a == b


def test_unknown_attribute_is_an_error():
    import pytest

    from qualcoop.errors import AnalysisError

    with pytest.raises(AnalysisError, match="typ"):
        render_report(coding_set(), by="typ")


def test_reconstructed_documents_show_only_coded_passages(tmp_path):
    from qualcoop.analysis import codings_from_frame

    frame = coding_set().to_frame()
    cs = codings_from_frame(frame)  # no documents given: rebuilt from the coded text
    tree = _tree(render_report(cs))
    text = tree.xpath("//section[@data-di='1']//div[@class='text']")[0].text_content()
    assert "The ILO and the Ministry agree on training." in text
    assert "Funding comes from donors." in text
    assert "Nothing here" not in text and "[\u2026]" in text


_TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'\n\u00e9\U0001F600")), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(_TEXT, st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.sampled_from(["x", "y", "z"])),
                       max_size=8))
def test_any_text_and_spans_round_trip(text, raw):
    """Whatever the text and however spans overlap, the rendered text is the document text."""
    prov = Provenance(method="manual", coder="t")
    n = len(text)
    codings = []
    for a, b, code in raw:
        s, e = sorted((min(a, n), min(b, n)))
        codings.append(Coding("d", s, e, code, prov, evidence=(Evidence(s, e, text[s:e], f"{code}/r"),)))
    cs = CodingSet(codings, documents={"d": Document(id="d", text=text)})
    out = render_report(cs)
    tree = _tree(out)
    div = tree.xpath("//div[@class='text']")[0]
    assert div.text_content() == text
    marks = [m for m in div.xpath(".//mark") if "cont" not in m.get("class").split()]
    assert len(marks) == len({(c.start, c.end, c.code_id) for c in codings if c.end > c.start})
    assert {el.tag for el in div.iterdescendants()} <= {"span", "mark"}


def test_jupyter_views_escape_user_text():
    cs = coding_set()
    for out in (cs._repr_html_(), cs.codebook._repr_html_()):
        tree = _tree(out)
        assert tree.xpath("//img") == [] and EVIL not in out
        assert EVIL in tree.text_content()
    assert "7 coding(s) of 4 segment(s) in 2 document(s)" in _tree(cs._repr_html_()).text_content()
    rows = _tree(cs.codebook._repr_html_()).xpath("//tbody/tr")
    assert len(rows) == 7
