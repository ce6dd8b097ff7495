"""Run settings are resolved once, before any work; outputs are replaced atomically (issue 10 items 1-2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qualcoop.errors import RunSettingsError
from qualcoop.run import CodingTable, resolve_settings, run

GOOD = "The ILO ran a training workshop on funding.\n\nNothing else.\n"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.txt").write_text(GOOD, encoding="utf-8")
    (d / "b.txt").write_text("Pelatihan untuk UMKM.\n", encoding="utf-8")
    return d


@pytest.mark.parametrize("kw, words", [
    ({"unit": "sentense"}, ["unit", "sentense", "sentence"]),
    ({"lang": "klingon"}, ["klingon", "supported"]),
    ({"output": "coded.txt"}, ["coded.txt", ".csv"]),
    ({"workers": 0}, ["workers"]),
    ({"executor": "threads"}, ["threads", "serial"]),
    ({"scheduler": "tcp://x:1", "executor": "process"}, ["scheduler", "dask"]),
])
def test_bad_options_fail_before_any_work(docs: Path, kw, words):
    kw = dict(kw)
    if "output" in kw:
        kw["output"] = docs.parent / kw["output"]
    with pytest.raises(RunSettingsError) as e:
        resolve_settings([docs], **kw)
    for w in words:
        assert w in str(e.value)


def test_language_aliases_are_normalised_once(docs: Path):
    assert resolve_settings([docs], lang="Bahasa Indonesia", compile=False).lang == "id"
    assert resolve_settings([docs], lang="English", compile=False).lang == "en"
    assert resolve_settings([docs], unit="section", compile=False).unit == "article"


def test_missing_input_and_unwritable_output(docs: Path, tmp_path: Path):
    with pytest.raises(RunSettingsError, match="no such file"):
        resolve_settings([tmp_path / "nope"])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RunSettingsError, match="not a folder"):
        resolve_settings([docs], output=blocker / "sub" / "out.csv")
    with pytest.raises(RunSettingsError, match="is a folder"):
        resolve_settings([docs], output=_dir_csv(tmp_path))


def _dir_csv(tmp_path: Path) -> Path:
    d = tmp_path / "out.csv"
    d.mkdir()
    return d


@pytest.mark.parametrize("bad", [["--unit", "sentense"], ["--lang", "xx-nope"], ["-o", "{out}.txt"],
                                 ["--workers", "0"], ["--codebook", "no_such_codebook"]])
def test_cli_bad_option_exits_2_and_leaves_the_old_output(docs: Path, tmp_path: Path, bad):
    out = tmp_path / "coded.csv"
    got = cli("code", str(docs), "-c", "international_cooperation", "-o", str(out), "-q")
    assert got.returncode == 0, got.stderr
    before = out.read_bytes()
    assert before.count(b"\n") > 1
    args = [a.replace("{out}", str(tmp_path / "coded")) for a in bad]
    cmd = ["code", str(docs), "-c", "international_cooperation", "-o", str(out), "-q", *args]
    got = cli(*cmd)
    assert got.returncode == 2, got.stderr
    assert out.read_bytes() == before
    assert not out.with_name("coded.csv.partial").exists()
    # a mistyped folder is a usage error too
    got = cli("code", str(docs) + "x", "-c", "international_cooperation", "-o", str(out))
    assert got.returncode == 2 and "no such file" in got.stderr and out.read_bytes() == before


class Boom(Exception):
    pass


class _Interrupt:
    """A sink that stops the run after the first document (as Ctrl-C would)."""

    path = partial = None

    def accept(self, result):
        raise Boom()

    def commit(self):
        raise AssertionError("a failed run must not commit")

    def abort(self):
        pass


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".xlsx"])
def test_an_interrupted_run_keeps_the_previous_output(docs: Path, tmp_path: Path, suffix: str):
    out = tmp_path / f"coded{suffix}"
    s = resolve_settings([docs], codebook="international_cooperation", output=out)
    run(s, sinks=[CodingTable(out)])
    before = out.read_bytes()
    table = CodingTable(out)
    with pytest.raises(Boom):
        run(s, sinks=[table, _Interrupt()])
    assert out.read_bytes() == before
    assert table.partial.exists()  # said where the partial output is
    run(s, sinks=[CodingTable(out)])
    assert out.read_bytes() == before  # and a re-run gives the same bytes
    assert not table.partial.exists()


def test_a_subset_of_the_plan_with_the_full_run_id_gives_the_same_rows(docs: Path):
    """What a resumable batch relies on: coding the missing files alone gives the same codings."""
    from qualcoop.run import iter_results, plan_files, run_id_for

    s = resolve_settings([docs], codebook="international_cooperation")
    plan = plan_files(s)
    rid = run_id_for(s, plan)
    full = {r.path: r.codings for r in iter_results(s, tasks=plan)}
    part = {r.path: r.codings for r in iter_results(s, tasks=plan[1:], run_id=rid)}
    assert part == {k: v for k, v in full.items() if k != plan[0].path}
    assert all(row["run_id"] == rid for rows in full.values() for row in rows)
