"""Sets in the store (SQLite and PostgreSQL): named groups of documents and codes, kept in order,
idempotent by name, refusing documents the project does not hold."""

from __future__ import annotations

import pytest

from qualcoop.errors import StoreError
from qualcoop.model import Document
from qualcoop.project import Project


def test_sets_keep_their_members_in_order(project_url):
    with Project.open(project_url) as p:
        p.add_documents([Document(id=i, text=f"text {i}") for i in ("a", "b", "c")])
        first = p.add_set("interviews", description="the first wave", doc_ids=["c", "a"])
        codes = p.add_set("themes", code_ids=["actor", "actor.un"])
        assert first != codes
        sets = p.sets()
        assert [(s.name, s.description, s.doc_ids, s.code_ids) for s in sets] == [
            ("interviews", "the first wave", ("c", "a"), ()),
            ("themes", "", (), ("actor", "actor.un"))]
        # the same name again adds only the missing members, after the others; the description stays
        assert p.add_set("interviews", description="other", doc_ids=["a", "b"]) == first
        assert p.sets()[0].doc_ids == ("c", "a", "b") and p.sets()[0].description == "the first wave"
        # a set that had no description gets one
        p.add_set("themes", description="codes to review")
        assert p.sets()[1].description == "codes to review" and p.sets()[1].code_ids == ("actor", "actor.un")


def test_a_set_naming_an_unknown_document_stores_nothing(project_url):
    with Project.open(project_url) as p:
        p.add_documents([Document(id="a", text="text")])
        with pytest.raises(StoreError, match="not in the project: ghost"):
            p.add_set("wave", doc_ids=["a", "ghost"])
        assert p.sets() == []
        with pytest.raises(StoreError, match="needs a name"):
            p.add_set("", doc_ids=["a"])
