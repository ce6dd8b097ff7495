"""Build ``project_v1.sqlite``: a small project written by the FIRST schema version (migration 0001).

Run from the repository root: ``python tests/data/store/make_project_v1.py``. The file is committed;
``tests/store/test_migrations.py`` opens a copy and checks that it is migrated to the newest schema
with nothing lost. Rows are written with plain SQL as qualcoop 0.1's store wrote them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from sqlalchemy import text  # noqa: E402

from qualcoop.store.engine import make_engines, migrate, store_url  # noqa: E402

TEXT = "The ILO and the ministry signed a memorandum.\n\nTraining for SMEs followed in Bali."
STAMP = "2026-12-01T10:00:00.000000+00:00"


def main(out: Path = HERE / "project_v1.sqlite") -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(out) + suffix).unlink(missing_ok=True)
    writer, _reader = make_engines(store_url(out))
    migrate(writer, revision="0001")
    with writer.begin() as conn:
        conn.execute(text("INSERT INTO documents VALUES (:id, :sha, :text, 'en', :attrs, NULL, '[]', :at)"),
                     {"id": "mou-1", "sha": "a" * 64, "text": TEXT, "attrs": json.dumps({"type": "mou"}), "at": STAMP})
        conn.execute(text("INSERT INTO segments VALUES ('mou-1', 'paragraph', 0, 0, 45, NULL, NULL, NULL, NULL),"
                          " ('mou-1', 'paragraph', 1, 47, 82, NULL, NULL, NULL, NULL)"))
        body = {"name": "tiny", "version": "1", "languages": ["en"], "description": "",
                "codes": [{"id": "actor", "name": "Actor"}, {"id": "training", "name": "Training"}]}
        conn.execute(text("INSERT INTO codebooks (id, name, version, fingerprint, body, added_at) "
                          "VALUES (1, 'tiny', '1', :fp, :body, :at)"),
                     {"fp": "f" * 64, "body": json.dumps(body), "at": STAMP})
        conn.execute(text("INSERT INTO codes VALUES (1, 'actor', 'Actor', NULL, '', 0), "
                          "(1, 'training', 'Training', NULL, '', 1)"))
        conn.execute(text("INSERT INTO coders VALUES ('qualcoop', 'machine', :at), ('ana', 'human', :at)"),
                     {"at": STAMP})
        conn.execute(text("INSERT INTO runs VALUES ('run-old', 'project code', '{}', '{}', 1, :at, :at, 'done', "
                          "'{\"coded\": 1}')"), {"at": STAMP})
        rows = [
            (1, 0, 45, "actor", "qualcoop", "rule", "run-old", '[[4,7,"actor/t",false]]', None, False, None),
            (2, 47, 82, "training", "qualcoop", "rule", "run-old", '[[47,55,"training/t",false]]', None, False, None),
            (3, 47, 82, "training", "ana", "manual", None, "[]", None, False, "ana"),
            (4, 47, 82, "actor", "ana", "manual", None, "[]", 3, False, "ana"),  # ana changed her mind
        ]
        for cid, s, e, code, coder, method, run, ev, sup, deleted, author in rows:
            conn.execute(text(
                "INSERT INTO codings (id, doc_id, start, \"end\", code_id, coder, method, codebook, codebook_version,"
                " codebook_id, tool_version, run_id, details, segment_index, unit, speaker, evidence, confidence,"
                " supersedes, deleted, author, created_at) VALUES (:id, 'mou-1', :s, :e, :code, :coder, :method,"
                " 'tiny', '1', 1, '0.1.0', :run, '{}', :seg, 'paragraph', NULL, :ev, NULL, :sup, :deleted, :author,"
                " :at)"), {"id": cid, "s": s, "e": e, "code": code, "coder": coder, "method": method, "run": run,
                           "seg": 0 if s == 0 else 1, "ev": ev, "sup": sup, "deleted": deleted, "author": author,
                           "at": STAMP})
        conn.execute(text("INSERT INTO memos (target_kind, target_id, author, text, created_at) "
                          "VALUES ('document', 'mou-1', 'ana', 'Check the Indonesian version.', :at)"), {"at": STAMP})
    writer.dispose()
    _reader.dispose()
    import sqlite3

    con = sqlite3.connect(out)
    con.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    con.execute("VACUUM")
    con.close()


if __name__ == "__main__":
    main()
