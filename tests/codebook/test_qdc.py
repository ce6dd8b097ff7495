"""REFI-QDA codebooks (.qdc): lossless round trip, schema-valid deterministic output, real-tool input."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings

from qualcoop.codebook import codebook_format, load_codebook, save_codebook
from qualcoop.codebook.qdc import describe_code, dump_qdc, parse_description, read_qdc
from qualcoop.errors import CodebookError, CodebookWarning, UnsafeInputError
from qualcoop.model import Code, Codebook, Rule

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parents[1] / "qualcoop" / "export" / "schemas" / "Codebook_requal_clean.xsd"

# the codebook strategy of the YAML/JSON round-trip tests (any field, any text)
_spec = importlib.util.spec_from_file_location("_qdc_roundtrip_strategies", HERE / "test_roundtrip.py")
_rt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_rt)
codebooks = _rt.codebooks

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CodebookWarning)
        return load_codebook(path)


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(str(SCHEMA))


def test_shipped_codebook_round_trips_and_validates(tmp_path, schema):
    cb = _load("international_cooperation")
    path = tmp_path / "ic.qdc"
    save_codebook(cb, path)
    assert codebook_format(path) == "refi.qdc.v1"
    schema.validate(str(path))
    again = _load(path)
    assert again.to_dict() == cb.to_dict()
    assert again.fingerprint() == cb.fingerprint()
    # deterministic: the same codebook gives the same bytes, and so does the codebook read back
    assert dump_qdc(again) == path.read_bytes() == dump_qdc(cb)


def test_extra_fields_are_readable_in_the_description():
    cb = _load("international_cooperation")
    code = cb.get("actor.international_org")
    desc = describe_code(code)
    assert desc.startswith(code.definition)
    assert "\n[qualcoop]\n" in desc and desc.endswith("[/qualcoop]")
    for needle in ("id: actor.international_org", "inclusion:", "exclusion:", "examples:", "labels:", "rules:"):
        assert needle in desc
    definition, fields, problem = parse_description(desc)
    assert problem is None and definition == code.definition
    assert fields["id"] == code.id and fields["labels"] == dict(code.labels)


def test_description_without_block_is_the_definition():
    text = "Apply this code when a study uses Gee's concept of affinity spaces.\n\nNot otherwise."
    assert parse_description(text) == (text, {}, None)
    bad = "Def.\n\n[qualcoop]\n- not: a mapping\n[/qualcoop]"
    definition, fields, problem = parse_description(bad)
    assert definition == bad and fields == {} and "not a mapping" in problem


@SETTINGS
@given(cb=codebooks())
def test_generated_codebooks_round_trip_through_qdc(tmp_path, cb):
    path = tmp_path / "cb.qdc"
    save_codebook(cb, path)
    again = _load(path)
    assert again.to_dict() == cb.to_dict()
    save_codebook(again, path)
    assert path.read_bytes() == dump_qdc(cb)


@SETTINGS
@given(cb=codebooks())
def test_generated_codebooks_validate_against_the_codebook_schema(cb):
    _SCHEMA.validate(dump_qdc(cb).decode("utf-8"))


_SCHEMA = xmlschema.XMLSchema(str(SCHEMA))


def test_taguette_export_with_empty_sets_imports(shared):
    path = shared / "refi_qda/samples/taguette/taguette_codebook_export_expected.qdc"
    cb = _load(path)
    assert [c.name for c in cb] == ["interesting", "people", "interesting\\places"]
    assert len({c.id for c in cb}) == 3


def test_namespace_variant_and_sets_are_read_with_warnings(tmp_path):
    path = tmp_path / "mac.qdc"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1:0" '
                    'origin="NVivo for Mac"><Codes><Code guid="11111111-2222-3333-4444-555555555555" '
                    'name="Trust" isCodable="true" color="#abc"><Description>Trust in institutions.</Description>'
                    '<Code guid="11111111-2222-3333-4444-555555555556" name="Distrust" isCodable="true"/>'
                    '</Code></Codes><Sets><Set guid="11111111-2222-3333-4444-555555555557" name="S">'
                    '<MemberCode guid="11111111-2222-3333-4444-555555555556"/></Set></Sets></CodeBook>',
                    encoding="utf-8")
    with pytest.warns(CodebookWarning, match="set"):
        cb = load_codebook(path)
    assert [(c.id, c.parent, c.definition, c.color) for c in cb] == [
        ("trust", None, "Trust in institutions.", "#aabbcc"), ("trust.distrust", "trust", "", None)]


def test_qdc_with_a_dtd_is_refused(tmp_path):
    path = tmp_path / "lol.qdc"
    path.write_text('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="11111111-2222-3333-4444-'
                    '555555555555" name="&lol2;" isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    with pytest.raises(UnsafeInputError, match="lol.qdc"):
        read_qdc(path)


def test_not_a_codebook_is_a_codebook_error(tmp_path):
    path = tmp_path / "x.qdc"
    path.write_text("<Project xmlns='urn:QDA-XML:project:1.0' name='p'/>", encoding="utf-8")
    with pytest.raises(CodebookError, match="not a REFI-QDA codebook"):
        read_qdc(path)
    path.write_text("<CodeBook><Codes>", encoding="utf-8")
    with pytest.raises(CodebookError, match="not well-formed"):
        read_qdc(path)


def test_definitions_that_look_like_blocks_or_hold_control_characters_survive(tmp_path):
    tricky = ["x\n\n[qualcoop]\nid: other\n[/qualcoop]", "form\x0cfeed", "ends with cr\r", "crlf\r\nline",
              "  padded  \n"]
    codes = [Code(id=f"c{i}", name=f"name {i}\x01" if i == 1 else f"name {i}", definition=d,
                  rules=(Rule(id="t", kind="keyword", terms=("w",), code_id=f"c{i}"),))
             for i, d in enumerate(tricky)]
    cb = Codebook(name="tricky", version="1", codes=tuple(codes))
    path = tmp_path / "t.qdc"
    save_codebook(cb, path)
    assert _load(path).to_dict() == cb.to_dict()


def test_a_block_with_billion_laughs_stays_text():
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    desc = f"Def.\n\n[qualcoop]\n{laughs}[/qualcoop]"
    definition, fields, problem = parse_description(desc)
    assert fields == {} and definition == desc and "MAX_YAML_NODES" in problem
