"""Real concurrency on both databases: separate processes writing, reading and being killed.

- two coders adding codings at the same time lose nothing; two people editing the same coding at the
  same time: exactly one edit wins, the other is refused (nothing is overwritten);
- a reader during a coding run sees every document all-or-nothing (its segments, all its codings and
  its done-mark, or none of them), in every snapshot;
- SIGKILL during a run leaves a sound SQLite file (``PRAGMA integrity_check``), and running again
  completes only what is missing, ending with exactly the codings of an uninterrupted run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from qualcoop.model import Coding, Document, Provenance
from qualcoop.project import Project

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpora" / "ungd_indonesia"
ENV = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}

pytestmark = pytest.mark.slow


def _python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=ENV, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, timeout: float = 300) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return out


WRITER = """
    import sys, time
    from pathlib import Path
    from qualcoop.model import Coding, Provenance
    from qualcoop.project import Project
    url, coder, go, n = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    with Project.open(url, create=False) as p:
        (go.parent / f"ready-{coder}").touch()
        while not go.exists():
            time.sleep(0.01)
        for i in range(n):   # one transaction per coding, interleaved with the other coder
            p.add_codings([Coding(doc_id=f"d{i % 5}", start=i % 40, end=i % 40 + 5, code_id=f"c{i % 3}",
                                  provenance=Provenance(method="manual", coder=coder))])
"""

EDITOR = """
    import sys, time
    from pathlib import Path
    from qualcoop.errors import StoreError
    from qualcoop.project import Project
    url, who, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    won = 0
    with Project.open(url, create=False) as p:
        ids = [s.id for s in p.stored_codings(coders=["ana"])]
        (go.parent / f"ready-{who}").touch()
        while not go.exists():
            time.sleep(0.01)
        for i in ids:
            try:
                p.delete_coding(i, author=who)
                won += 1
            except StoreError:
                pass
    print(won)
"""


def _start_together(go: Path, names: tuple[str, ...]) -> None:
    """Let the processes go once every one of them is ready (all imports done, project open)."""
    deadline = time.monotonic() + 120
    while not all((go.parent / f"ready-{n}").exists() for n in names):
        assert time.monotonic() < deadline, "the writers did not start"
        time.sleep(0.05)
    go.touch()


def _seed_docs(project: Project, n: int = 5) -> None:
    project.add_documents([Document(id=f"d{i}", text="x" * 60, lang="en") for i in range(n)])


def test_two_coders_writing_at_once_lose_nothing(project_url, tmp_path):
    with Project.open(project_url) as p:
        _seed_docs(p)
    go = tmp_path / "go"
    n = 150
    procs = [_python(WRITER, project_url, coder, str(go), str(n)) for coder in ("ana", "bob")]
    _start_together(go, ("ana", "bob"))
    for proc in procs:
        _finish(proc)
    with Project.open(project_url) as p:
        rows = p.stored_codings()
        assert len(rows) == 2 * n
        assert {c: sum(1 for r in rows if r.coding.provenance.coder == c) for c in ("ana", "bob")} == {"ana": n, "bob": n}
        assert len({r.id for r in rows}) == 2 * n


def test_two_people_editing_the_same_coding_one_wins(project_url, tmp_path):
    with Project.open(project_url) as p:
        _seed_docs(p)
        p.add_codings([Coding(doc_id=f"d{i % 5}", start=i, end=i + 3, code_id="c",
                              provenance=Provenance(method="manual", coder="ana")) for i in range(40)])
    go = tmp_path / "go"
    procs = [_python(EDITOR, project_url, who, str(go)) for who in ("bob", "cem")]
    _start_together(go, ("bob", "cem"))
    wins = [int(_finish(proc).strip()) for proc in procs]
    assert sum(wins) == 40
    with Project.open(project_url) as p:
        assert p.stored_codings(coders=["ana"]) == []
        everything = p.stored_codings(current=False)
        assert len(everything) == 80  # 40 codings + exactly one deletion each
        for s in everything:
            if not s.deleted:
                assert len(p.history(s.id)) == 2


# a single statement is a single snapshot on both databases (PostgreSQL's READ COMMITTED included)
SNAPSHOT = text("""
    SELECT d.id,
           (SELECT cd.n_codings FROM coded_documents cd WHERE cd.doc_id = d.id) AS marked,
           (SELECT COUNT(*) FROM codings c WHERE c.doc_id = d.id) AS n_codings,
           (SELECT COUNT(*) FROM segments s WHERE s.doc_id = d.id) AS n_segments
    FROM documents d
""")


def _check_snapshot(project: Project) -> int:
    """Assert every document is all-or-nothing in one snapshot; the number of documents done."""
    with project.store._read() as conn:
        rows = conn.execute(SNAPSHOT).all()
    done = 0
    for doc_id, marked, n_codings, n_segments in rows:
        if marked is None:
            assert (n_codings, n_segments) == (0, 0), f"{doc_id}: half-written ({n_codings} codings, no mark)"
        else:
            assert n_codings == marked and n_segments > 0, f"{doc_id}: {n_codings} codings of {marked}"
            done += 1
    return done


def _code_cli(url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "qualcoop", "project", "code", url,
                             "--codebook", "international_cooperation", "--unit", "paragraph"],
                            env=ENV, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _content(project: Project) -> list[tuple]:
    return sorted((c.doc_id, c.start, c.end, c.code_id, c.provenance.coder, c.provenance.run_id,
                   c.provenance.codebook_version, c.segment_index, c.unit,
                   tuple((e.start, e.end, e.rule_id, e.negated) for e in c.evidence))
                  for c in project.codings())


def test_a_reader_during_a_run_sees_each_document_all_or_nothing(project_url):
    with Project.open(project_url) as p:
        added, failures = p.add_files([CORPUS])
        total = len(added)
        assert total > 50 and not failures
        proc = _code_cli(project_url)
        seen: set[int] = set()
        try:
            while proc.poll() is None:
                seen.add(_check_snapshot(p))
                time.sleep(0.02)
        finally:
            _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert _check_snapshot(p) == total
    assert any(0 < n < total for n in seen), f"never read during the run: {sorted(seen)}"


def test_sigkill_during_a_run_then_rerun_equals_an_uninterrupted_run(project_url, tmp_path, request):
    with Project.open(project_url) as p:
        added, _ = p.add_files([CORPUS])
        total = len(added)
        proc = _code_cli(project_url)
        try:
            while proc.poll() is None and _check_snapshot(p) < 5:
                time.sleep(0.01)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
        done = _check_snapshot(p)
        assert 0 < done < total, "the run finished before it could be killed"
        assert p.store.integrity_check() == "ok"
        if p.store.dialect == "sqlite":
            import sqlite3

            con = sqlite3.connect(p.store._writer.url.database)
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            con.close()
        resumed = p.code("international_cooperation", unit="paragraph")
        assert resumed.coded == total - done and resumed.skipped == done and not resumed.errors
        assert _check_snapshot(p) == total
        killed_then_resumed = _content(p)
        assert p.code("international_cooperation", unit="paragraph").coded == 0  # nothing left to do

    other = str(tmp_path / "uninterrupted.qualcoop") if "sqlite" in request.node.callspec.id \
        else request.getfixturevalue("pg_server").new_database()
    with Project.open(other) as q:
        q.add_files([CORPUS])
        full = q.code("international_cooperation", unit="paragraph")
        assert full.coded == total
        assert _content(q) == killed_then_resumed
