"""One language-alias table (issue 10 item 1): extraction, the spaCy pipelines and run settings all
map a language through :func:`qualcoop.model.langs.language_code`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcoop.errors import QualcoopError
from qualcoop.extract import normalise_lang
from qualcoop.lang.pipelines import normalise_lang_code
from qualcoop.model.langs import LANGUAGE_ALIASES, language_code

CASES = {"Indonesian": "id", "Bahasa Indonesia": "id", "bahasa  indonesia": "id", " ID ": "id", "id_ID": "id",
         "ind": "id", "Indonesia": "id", "English": "en", "eng": "en", "en-US": "en", "EN_gb": "en",
         "Bahasa Inggris": "en"}


@pytest.mark.parametrize(("name", "code"), sorted(CASES.items()))
def test_every_layer_maps_the_same(name, code):
    assert language_code(name) == normalise_lang(name) == normalise_lang_code(name) == code


def test_run_settings_use_the_table(tmp_path):
    from qualcoop.run import resolve_settings

    (tmp_path / "a.txt").write_text("Pelatihan.\n", encoding="utf-8")
    assert resolve_settings([tmp_path], lang="Bahasa Indonesia").lang == "id"
    with pytest.raises(QualcoopError):
        resolve_settings([tmp_path], lang="Klingon")


def test_blank_and_unknown():
    assert language_code(None) is None and language_code("  ") is None
    assert language_code("fr-CA") == "fr" == normalise_lang("French".lower()[:2])
    with pytest.raises(QualcoopError):
        normalise_lang_code("fr")


@given(st.sampled_from(sorted(LANGUAGE_ALIASES)), st.sampled_from(["", "-XX", "_yy"]),
       st.sampled_from([str.upper, str.lower, str.title]))
def test_aliases_ignore_case_region_and_spacing(alias, region, case):
    name = case(alias) + (region if " " not in alias else "")
    assert language_code(name) == LANGUAGE_ALIASES[alias]
    assert language_code(language_code(name)) == language_code(name)  # idempotent
