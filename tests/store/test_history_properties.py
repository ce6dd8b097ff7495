"""Property: whatever sequence of adds, edits and deletions people make, the store's current codings are
exactly those of a plain in-memory model, every old version stays in the history, and nothing is lost."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoop.errors import StoreError
from qualcoop.model import Coding, Document, Provenance
from qualcoop.project import Project

CODES = ("a", "b", "")
op = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 20), st.integers(1, 10), st.sampled_from(CODES), st.sampled_from(["ana", "bob"])),
    st.tuples(st.just("edit"), st.integers(0, 50), st.sampled_from(CODES)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)


def _coding(start, length, code, coder):
    return Coding(doc_id="d", start=start, end=start + length, code_id=code,
                  provenance=Provenance(method="manual", coder=coder))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, max_size=25))
def test_current_codings_follow_the_model_and_history_keeps_everything(ops):
    with tempfile.TemporaryDirectory() as tmp, Project.open(Path(tmp) / "p.qualcoop") as p:
        p.add_documents([Document(id="d", text="x" * 40, lang="en")])
        model: dict[int, tuple] = {}   # current row id -> (start, end, code, coder)
        ever: list[int] = []            # every row id ever written
        for o in ops:
            if o[0] == "add":
                _, start, length, code, coder = o
                p.add_codings([_coding(start, length, code, coder)])
                new = max(s.id for s in p.stored_codings(current=False))
                model[new] = (start, start + length, code, coder)
                ever.append(new)
            elif o[0] == "edit" and ever:
                target = ever[o[1] % len(ever)]
                start, end, _, coder = model.get(target, (0, 1, "", "ana"))
                if target in model:
                    new = p.edit_coding(target, _coding(start, end - start, o[2], coder), author="ed")
                    del model[target]
                    model[new] = (start, end, o[2], coder)
                    ever.append(new)
                else:  # superseded or deleted: refused, nothing changes
                    try:
                        p.edit_coding(target, _coding(start, end - start, o[2], coder), author="ed")
                    except StoreError:
                        pass
                    else:
                        raise AssertionError("a superseded coding was edited")
            elif o[0] == "delete" and ever:
                target = ever[o[1] % len(ever)]
                if target in model:
                    ever.append(p.delete_coding(target, author="ed"))
                    del model[target]
                else:
                    try:
                        p.delete_coding(target, author="ed")
                    except StoreError:
                        pass
                    else:
                        raise AssertionError("a superseded coding was deleted again")
        current = {s.id: (s.coding.start, s.coding.end, s.coding.code_id, s.coding.provenance.coder)
                   for s in p.stored_codings()}
        assert current == model
        assert len(p.stored_codings(current=False)) == len(ever)
        for row_id in ever:
            chain = p.history(row_id)
            assert row_id in [h.id for h in chain]
            assert all(later.supersedes == earlier.id for earlier, later in zip(chain, chain[1:]))
