"""Schema migrations: a project written by the first schema version opens, migrates and keeps its data;
the migrated schema is exactly the one the code queries (SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from qualcoop.project import Project
from qualcoop.store import Store
from qualcoop.store.engine import make_engines, migrate, store_url
from qualcoop.store.schema import metadata

V1 = Path(__file__).resolve().parents[1] / "data" / "store" / "project_v1.sqlite"


def test_fixture_is_first_schema_version():
    con = sqlite3.connect(f"file:{V1}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()
    assert "run_errors" not in tables and "codings" in tables


def test_v1_project_is_migrated_on_open(tmp_path):
    path = tmp_path / "old.qualcoop"
    shutil.copy(V1, path)
    with Project.open(path, create=False) as p:
        assert p.store.revision() == Store.head_revision() == "0003"
        assert p.document_ids() == ["mou-1"]
        doc = p.documents()[0]
        assert doc.text[47:55] == "Training" and doc.attributes["type"] == "mou"
        current = p.stored_codings()
        assert [(s.coding.code_id, s.coding.provenance.coder) for s in current] == [
            ("actor", "qualcoop"), ("actor", "ana"), ("training", "qualcoop")]
        # the evidence offsets of the old rows still point at the right words
        assert [e.text for e in current[0].coding.evidence] == ["ILO"]
        history = p.history(4)
        assert [h.id for h in history] == [3, 4] and history[0].coding.code_id == "training"
        runs = p.runs()
        assert runs[0]["id"] == "run-old" and runs[0]["key"] == "run-old"
        assert p.run_errors() == []
        assert p.memos(target_id="mou-1")[0]["text"] == "Check the Indonesian version."
        # the new tables work on the migrated file
        ana = current[1]
        p.delete_coding(ana.id, author="bob")
        assert [(s.coding.code_id, s.coding.provenance.coder) for s in p.stored_codings(coders=["ana"])] == []
        assert p.sets() == []  # 0003: sets, empty on an old project, and usable
        p.add_set("MoUs", description="memoranda", doc_ids=["mou-1"], code_ids=["actor"])
        assert p.store.integrity_check() == "ok"
    # opening again is a no-op
    with Project.open(path, create=False) as p:
        assert p.store.revision() == "0003" and len(p.stored_codings()) == 2
        assert [(s.name, s.doc_ids, s.code_ids) for s in p.sets()] == [("MoUs", ("mou-1",), ("actor",))]


def test_migrated_schema_matches_the_code(project_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with Store.open(project_url) as store:
        with store._writer.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_first_version_then_upgrade_on_both_databases(project_url):
    writer, reader = make_engines(store_url(project_url))
    try:
        migrate(writer, revision="0001")
        with writer.begin() as conn:
            conn.execute(text("INSERT INTO coders VALUES ('ana', 'human', 'x')"))
            conn.execute(text("INSERT INTO runs VALUES ('r1', 'c', '{}', '{}', NULL, 'x', NULL, 'done', '{}')"))
    finally:
        writer.dispose()
        reader.dispose()
    with Store.open(project_url) as store:
        assert store.revision() == "0003"
        assert [r["key"] for r in store.runs()] == ["r1"]
        assert [c["name"] for c in store.coders()] == ["ana"]
        assert store.sets() == []


def test_second_version_then_upgrade_to_sets(project_url):
    """A project at 0002 (resumable batches, no sets) gains the sets tables on open and keeps its data."""
    writer, reader = make_engines(store_url(project_url))
    try:
        migrate(writer, revision="0002")
        with writer.begin() as conn:
            conn.execute(text("INSERT INTO documents (id, sha256, text, attributes, regions, added_at) "
                              "VALUES ('d1', 'x', 'hello', '{}', '[]', 'x')"))
    finally:
        writer.dispose()
        reader.dispose()
    with Store.open(project_url) as store:
        assert store.revision() == "0003" and store.document_ids() == ["d1"]
        set_id = store.add_set("greetings", doc_ids=["d1"])
        assert [(s.id, s.name, s.doc_ids) for s in store.sets()] == [(set_id, "greetings", ("d1",))]


def test_opening_a_folder_or_a_missing_project_is_a_clear_error(tmp_path):
    from qualcoop.errors import StoreError

    with pytest.raises(StoreError, match="no such project"):
        Store.open(tmp_path / "nope.qualcoop", create=False)
    with pytest.raises(StoreError, match="folder"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="unsupported database"):
        Store.open("mysql://u@localhost/db")
    (tmp_path / "notes.txt").write_text("not a database", encoding="utf-8")
    with pytest.raises(StoreError, match="not a database"):
        Store.open(tmp_path / "notes.txt")
    with pytest.raises(StoreError, match="cannot open the project"):  # nothing listens on port 1
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/team")
