"""`convert_codebook`: every format pair works, and what a target cannot hold is listed."""

from __future__ import annotations

import warnings

import pytest

from qualcoop.codebook import load_codebook
from qualcoop.codebook.convert import conversion_losses, convert_codebook, dump_codebook_csv, dump_liwc_dic
from qualcoop.errors import CodebookError, CodebookWarning
from qualcoop.model import Code, Codebook, Rule


def _load(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CodebookWarning)
        return load_codebook(path, **kw)


def _terms(cb):
    return {c.id: sorted(t for r in c.rules if r.kind in ("keyword", "phrase", "glob") for t in r.terms) for c in cb}


SIMPLE = Codebook(name="simple", version="1", codes=(
    Code(id="econ", name="econ", rules=(Rule(id="keywords", kind="phrase", terms=("trade", "market access"),
                                             code_id="econ"),
                                        Rule(id="glob", kind="glob", terms=("export*",), code_id="econ"))),
    Code(id="health", name="health", rules=(Rule(id="keywords", kind="phrase", terms=("vaccine",),
                                                 code_id="health"),)),
))


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".qdc", ".dic", ".csv"])
def test_shipped_codebook_converts_to_every_format(tmp_path, suffix):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CodebookWarning)
        lost = convert_codebook("international_cooperation", tmp_path / f"ic{suffix}")
    cb, again = _load("international_cooperation"), _load(tmp_path / f"ic{suffix}")
    assert len(again) == len(cb)
    if suffix in (".yaml", ".json", ".qdc"):
        assert lost == [] and again.to_dict() == cb.to_dict()
    else:
        assert lost, "a dictionary format cannot hold definitions and regex rules"
        assert any("rule kind 'regex'" in line for line in lost)
        assert any("labels" in line for line in lost)
        assert any("definition" in line for line in lost) == (suffix == ".dic")
        # the terms it can hold all arrive
        assert _terms(again) == {k: sorted(set(v)) for k, v in _terms(cb).items()}


def test_qdc_to_quanteda_and_back(tmp_path, shared):
    src = shared / "refi_qda/samples/taguette/taguette_codebook_export_expected.qdc"
    lost = convert_codebook(src, tmp_path / "tag.yml", to_format="quanteda.yaml.v1")
    assert lost == ["code 'interesting_places': name"]  # the backslash path name; the id is kept
    assert [c.id for c in _load(tmp_path / "tag.yml", format="quanteda.yaml.v1")] == \
        ["interesting", "people", "interesting_places"]


def test_simple_dictionaries_lose_nothing(tmp_path):
    assert conversion_losses(SIMPLE, "csv.v1") == []  # the CSV reader's own shape: nothing lost
    assert len(conversion_losses(SIMPLE, "liwc.dic.v1")) == 2  # LIWC names its plain rule 'words'
    assert conversion_losses(SIMPLE, "quanteda.yaml.v1") == [  # quanteda reads every value as a glob
        "code 'econ': rule ids and kinds (the terms come back merged, as the format's reader splits them)",
        "code 'health': rule ids and kinds (the terms come back merged, as the format's reader splits them)"]
    (tmp_path / "s.dic").write_text(dump_liwc_dic(SIMPLE), encoding="utf-8")
    (tmp_path / "s.csv").write_text(dump_codebook_csv(SIMPLE), encoding="utf-8")
    for name in ("s.dic", "s.csv"):
        assert _terms(_load(tmp_path / name)) == _terms(SIMPLE)


def test_unknown_target_suffix_is_an_error(tmp_path):
    with pytest.raises(CodebookError, match="cannot tell the format"):
        convert_codebook("international_cooperation", tmp_path / "x.txt")


def test_liwc_refuses_ids_with_spaces():
    cb = Codebook(name="x", version="1", codes=(Code(id="two words", name="n"),))
    with pytest.raises(CodebookError, match="cannot contain spaces"):
        dump_liwc_dic(cb)
