"""The project store and the Project facade, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from qualcoop.errors import CodingsTableError, StoreError
from qualcoop.model import Code, Codebook, Coding, Document, Provenance, Rule, Source
from qualcoop.project import Project
from qualcoop.store import ERROR_TYPES

TEXTS = {
    "a": "The ILO trained SME owners in Bali.\n\nThe ministry signed a memorandum with the ILO.",
    "b": "Nothing about cooperation here.\n\nTraining was cancelled.",
    "c": "The memorandum covers training.",
}


def _docs():
    return [Document(id=k, text=v, lang="en", attributes={"type": "test"}) for k, v in TEXTS.items()]


def _codebook(version="1"):
    return Codebook("tiny", version, (
        Code("actor", "Actor", rules=(Rule("ilo", "keyword", terms=("ILO", "ministry")),)),
        Code("training", "Training", parent=None, rules=(Rule("t", "keyword", terms=("training", "trained")),)),
        Code("agreement", "Agreement", rules=(Rule("m", "keyword", terms=("memorandum",)),)),
    ), languages=("en",))


def _manual(doc_id, start, end, code_id, coder):
    return Coding(doc_id=doc_id, start=start, end=end, code_id=code_id,
                  provenance=Provenance(method="manual", coder=coder))


def _content(codings):
    """What must be identical between two runs (not row ids or timestamps)."""
    return sorted((c.doc_id, c.start, c.end, c.code_id, c.provenance.coder, c.provenance.run_id,
                   c.segment_index, tuple((e.start, e.end, e.rule_id) for e in c.evidence)) for c in codings)


@pytest.fixture
def project(project_url):
    with Project.open(project_url) as p:
        yield p


def test_documents_round_trip_and_id_conflicts(project):
    src = Source(path="x/a.txt", sha256="e" * 64, media_type="text/plain", extractor="text.v1",
                 extractor_version="1", size=10, details={"encoding": "utf-8"})
    doc = Document(id="a", text=TEXTS["a"], lang="en", attributes={"year": "2021"}, source=src)
    assert project.add_documents([doc]) == ["a"]
    assert project.add_documents([doc]) == []  # same content: kept, not duplicated
    back = project.documents()[0]
    assert back == doc and back.source.details["encoding"] == "utf-8"
    with pytest.raises(StoreError, match="other content"):
        project.add_documents([Document(id="a", text="changed", lang="en")])
    assert project.documents()[0].text == TEXTS["a"]


def test_every_codebook_version_is_kept(project):
    store = project.store
    i1 = store.add_codebook(_codebook("1"))
    assert store.add_codebook(_codebook("1")) == i1
    i2 = store.add_codebook(_codebook("2"))
    assert i2 != i1
    assert [(c["name"], c["version"]) for c in store.codebooks()] == [("tiny", "1"), ("tiny", "2")]
    assert [c.id for c in store.codebook(i1).codes] == ["actor", "training", "agreement"]


def test_code_is_a_recorded_resumable_run(project):
    project.add_documents(_docs())
    first = project.code(_codebook(), unit="paragraph")
    assert (first.coded, first.skipped, first.failed) == (3, 0, 0) and first.codings > 0
    codings = project.codings()
    assert len(codings) == first.codings
    assert {c.provenance.run_id for c in codings} == {first.key}
    assert {(c.doc_id, c.code_id) for c in codings} >= {("a", "actor"), ("a", "training"), ("c", "agreement")}
    # a re-run after completion does nothing
    again = project.code(_codebook(), unit="paragraph")
    assert (again.coded, again.skipped, again.codings) == (0, 3, 0) and again.key == first.key
    assert _content(project.codings()) == _content(codings)
    # another codebook version or unit is another run key: codes again, alongside
    other = project.code(_codebook("2"), unit="document")
    assert other.key != first.key and other.coded == 3
    runs = project.runs()
    assert [r["status"] for r in runs] == ["done"] * 3
    assert runs[0]["settings"]["unit"] == "paragraph" and runs[0]["versions"]["qualcoop"]
    assert runs[0]["stats"]["coded"] == 3 and runs[1]["stats"]["skipped"] == 3


def test_bad_unit_fails_before_any_work(project):
    from qualcoop.errors import QualcoopError

    project.add_documents(_docs())
    with pytest.raises(QualcoopError):
        project.code(_codebook(), unit="sentense")
    assert project.runs() == [] and project.stored_codings() == []


def test_batch_of_files_records_typed_errors_and_skips_done_files(project, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(TEXTS["a"], encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin.txt").write_bytes("Caf\xe9 training".encode("latin-1") + b"\xff\xfe\x00\x81")
    (folder / "table.xyz").write_bytes(b"not a document")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj<<>>garbage")
    result = project.code_files([folder], _codebook(), unit="paragraph")
    types = {e.path.rsplit("/", 1)[-1]: e.type for e in result.errors}
    assert set(types.values()) <= set(ERROR_TYPES)
    assert types["empty.txt"] == "no_text"
    assert types["broken.pdf"] == "malformed"
    assert "good.txt" not in types and result.coded >= 1
    assert [e.path for e in project.run_errors(result.run_id)] == [e.path for e in result.errors]
    assert all(e.message for e in project.run_errors())
    again = project.code_files([folder], _codebook(), unit="paragraph")
    assert again.coded == 0 and again.skipped == result.coded
    assert again.failed == result.failed  # failures are tried again and recorded again


def test_codings_are_append_only_with_history(project):
    project.add_documents(_docs())
    n = project.add_codings([_manual("a", 0, 35, "training", "ana"), _manual("a", 37, 83, "actor", "ana")])
    assert n == 2
    first, second = project.stored_codings(coders=["ana"])
    edited = project.edit_coding(first.id, _manual("a", 0, 35, "actor", "ana"), author="ana")
    deleted = project.delete_coding(second.id, author="bob")
    current = project.stored_codings(coders=["ana"])
    assert [(s.id, s.coding.code_id) for s in current] == [(edited, "actor")]
    assert [(h.id, h.coding.code_id, h.deleted) for h in project.history(first.id)] == [
        (first.id, "training", False), (edited, "actor", False)]
    assert [(h.id, h.deleted, h.author) for h in project.history(second.id)] == [
        (second.id, False, None), (deleted, True, "bob")]
    assert len(project.stored_codings(current=False)) == 4
    # a superseded coding cannot be edited again (the second editor must edit the current one)
    with pytest.raises(StoreError, match="already edited"):
        project.edit_coding(first.id, _manual("a", 0, 35, "training", "bob"), author="bob")
    # the database itself refuses to update or delete a coding
    for sql in ("UPDATE codings SET code_id = 'x'", "DELETE FROM codings"):
        with pytest.raises(Exception, match="append-only"):
            with project.store._writer.begin() as conn:
                conn.execute(text(sql))
    assert len(project.stored_codings(current=False)) == 4


def test_codings_of_unknown_documents_are_refused(project):
    with pytest.raises(StoreError, match="not in the project"):
        project.add_codings([_manual("nope", 0, 3, "actor", "ana")])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".jsonl"])
def test_export_is_a_codings_table_that_imports_back(project, tmp_path, suffix):
    project.add_documents(_docs())
    project.code(_codebook(), unit="paragraph")
    machine = project.codings()
    out = tmp_path / f"codings{suffix}"
    assert project.export(out) == len(machine)
    added = project.add_codings_table(out, codebook=_codebook(), coder="ana")
    assert added == len(machine)
    ana = project.codings(coders=["ana"])
    assert sorted((c.doc_id, c.start, c.end, c.code_id) for c in ana) == \
        sorted((c.doc_id, c.start, c.end, c.code_id) for c in machine)
    assert project.export(out, coders=["ana"]) == len(machine)
    assert {c.provenance.method for c in ana} == {"import"}


def test_codings_table_problems_are_listed_with_rows_and_nothing_is_imported(project, tmp_path):
    project.add_documents(_docs())
    table = tmp_path / "bad.csv"
    table.write_text(
        "doc_id,start,end,code_id,coder,text\n"
        "a,0,3,actor,ana,The\n"          # row 2: fine
        "a,5,5,actor,ana,\n"             # row 3: start >= end
        "zz,0,3,actor,ana,\n"            # row 4: unknown document
        "a,0,999,actor,ana,\n"           # row 5: past the end
        "a,0,3,training,ana,Teh\n"       # row 6: text changed
        "a,0,3,nosuch,ana,\n"            # row 7: unknown code
        "a,0,3,actor,ana,The\n"          # row 8: duplicate of row 2
        "c,0,3,,bob,\n",                 # row 9: fine: read, no code
        encoding="utf-8")
    with pytest.raises(CodingsTableError) as info:
        project.add_codings_table(table, codebook=_codebook())
    problems = info.value.problems
    assert [p.line for p in problems] == [3, 4, 5, 6, 7, 8]
    assert "not in the project" in problems[1].message and "duplicate of row 2" in problems[5].message
    assert project.stored_codings() == []
    missing = tmp_path / "missing.csv"
    missing.write_text("doc_id,start,end\n", encoding="utf-8")
    with pytest.raises(CodingsTableError, match="missing column"):
        project.add_codings_table(missing)
    good = tmp_path / "good.csv"
    good.write_text("doc_id,start,end,code_id,coder,memo\na,0,3,actor,ana,first try\nc,0,3,,bob,\n", encoding="utf-8")
    assert project.add_codings_table(good, codebook=_codebook()) == 2
    rows = project.stored_codings()
    assert [(s.coding.code_id, s.coding.provenance.coder) for s in rows] == [("actor", "ana"), ("", "bob")]
    assert rows[0].coding.provenance.details["memo"] == "first try"


def test_memos(project):
    project.add_documents(_docs())
    project.add_memo("Look at the Indonesian text.", author="ana", target_kind="document", target_id="a")
    project.add_memo("Project start.", author="bob")
    assert [m["text"] for m in project.memos(target_kind="document")] == ["Look at the Indonesian text."]
    assert len(project.memos()) == 2


def test_two_files_with_the_same_text_are_two_documents_and_adding_again_adds_nothing(project, tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notes.txt").write_text(TEXTS["a"], encoding="utf-8")
    added, failures = project.add_files([tmp_path / "x", tmp_path / "y"])
    assert len(added) == 2 and len(set(added)) == 2 and not failures
    assert {d.source.path for d in project.documents()} == {str(tmp_path / f / "notes.txt") for f in "xy"}
    assert project.add_files([tmp_path / "y", tmp_path / "x"]) == ([], [])
    (tmp_path / "x" / "empty.txt").write_bytes(b"")
    added, failures = project.add_files([tmp_path / "x"])
    assert added == [] and [f.kind for f in failures] == ["EmptyDocumentError"]
    runs = project.runs()
    assert [r["command"] for r in runs] == ["project add"] * 3 and runs[0]["stats"]["added"] == 2
    assert [(e.run_id, e.type) for e in project.run_errors()] == [(runs[2]["id"], "no_text")]


def test_unit_aliases_and_language_names_resolve_to_one_run_key(project):
    project.add_documents(_docs())
    first = project.code(_codebook(), unit="paragraphs", lang="English")
    again = project.code(_codebook(), unit="paragraph", lang="en")
    assert first.key == again.key and again.coded == 0 and again.skipped == 3
