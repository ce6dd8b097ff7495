"""qualcoop.lang.tokenizer: the tokenizer built once, hyphenated exceptions loaded on demand, and its
copy on an empty vocabulary (the chunk cache's) with the same token boundaries.

Reference: the tokenizer as pipelines built it before (``spacy.blank`` with every exception,
qualcoop's abbreviations, and for Indonesian the rupiah-free prefixes and the reduplication
``token_match`` set afterwards). Same tokens (text, offset, norm) on every exception, on every
exception inside punctuation and words, on real Indonesian regulations and on drawn text.
"""

from __future__ import annotations

import pickle
import random

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.symbols import ORTH
from spacy.util import compile_prefix_regex

from qualcoop.lang import pipelines
from qualcoop.lang.tokenizer import ON_DEMAND, LazySpecialsTokenizer, boundary_copy


def _reference(code: str):
    nlp = spacy.blank(code)
    specials = set()
    for a in pipelines.ABBREVIATIONS[code]:
        specials.add(a)
        if a[0].islower():
            specials.add(a[0].upper() + a[1:])
    for a in sorted(specials):
        nlp.tokenizer.add_special_case(a, [{ORTH: a}])
    if code == "id":
        nlp.tokenizer.prefix_search = compile_prefix_regex(
            [p for p in nlp.Defaults.prefixes if p not in ("Rp", "Rp\\.")]).search
        nlp.tokenizer.token_match = pipelines.ID_TOKEN_MATCH.match
    return nlp.tokenizer


_REF: dict[str, object] = {}


def _pair(code: str):
    if code not in _REF:
        _REF[code] = _reference(code)
    return _REF[code], pipelines.get_nlp(code).tokenizer


def _toks(tokenizer, text: str) -> list[tuple[int, str, str]]:
    return [(t.idx, t.text, t.norm_) for t in tokenizer(text)]


def _exceptions(code: str) -> list[str]:
    return sorted(spacy.blank(code).Defaults.tokenizer_exceptions)


@pytest.mark.parametrize("code", ["id", "en"])
def test_built_once_with_hyphenated_exceptions_on_demand(code):
    ref, new = _pair(code)
    assert isinstance(new, LazySpecialsTokenizer)
    hyphenated = [e for e in _exceptions(code) if ON_DEMAND in e]
    assert hyphenated, "the language has hyphenated exceptions to load on demand"
    # not loaded up front (a fresh tokenizer from the same factory: get_nlp's has seen text)
    fresh = spacy.blank(code, config={"nlp": {"tokenizer": {"@tokenizers": pipelines._register_tokenizer(code)}}})
    assert set(fresh.tokenizer.on_demand) == set(hyphenated)
    assert not set(fresh.tokenizer.rules) & set(hyphenated)
    assert _toks(fresh.tokenizer, hyphenated[0]) == _toks(ref, hyphenated[0])
    assert hyphenated[0] in fresh.tokenizer.rules and hyphenated[0] not in fresh.tokenizer.on_demand


@pytest.mark.parametrize("code", ["id", "en"])
def test_every_exception_alone_and_in_context(code):
    ref, new = _pair(code)
    words = _exceptions(code)
    rnd = random.Random(7)
    for w in words:
        for text in (w, f"({w})", f"{w}.", f"{w},", f'"{w}"', f"x{w}", f"{w}nya", f"se{w}-{w}"):
            assert _toks(new, text) == _toks(ref, text), text
    # many at once, joined as the chunk cache joins chunks, in a shuffled order
    rnd.shuffle(words)
    for k in range(0, len(words), 500):
        text = " ".join(words[k:k + 500])
        assert _toks(new, text) == _toks(ref, text)


def test_real_indonesian_regulations(shared):
    ref, new = _pair("id")
    files = sorted((shared / "policy_docs" / "indonesian_regulations").glob("*.md"))
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert _toks(new, text) == _toks(ref, text), f.name


_PIECES = st.sampled_from(["abang-abang", "Abang-abang", "anak-anak", "anak-anaknya", "se-", "-", "--", "(", ")",
                           ".", ",", "Rp", "Rp.", "1.500", "a", "kata", "e-mail", "co-operation", ":-)", "-_-",
                           "Dr.-Ing", "Pasal", "tgl.", "'", "\n", " ", "  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(alphabet="abAB-.( )'1", max_size=6)), max_size=25),
       st.sampled_from(["id", "en"]))
def test_drawn_text(parts, code):
    """The tokens of the reference, and the boundaries of the chunk cache's copy (boundary_copy)."""
    ref, new = _pair(code)
    text = "".join(parts)
    assert _toks(new, text) == _toks(ref, text)
    assert _spans(_copy(code), text) == _spans(new, text)


def test_pickled_tokenizer_keeps_its_on_demand_exceptions():
    fresh = spacy.blank("id", config={"nlp": {"tokenizer": {"@tokenizers": pipelines._register_tokenizer("id")}}})
    tok = fresh.tokenizer
    back = pickle.loads(pickle.dumps(tok))
    assert isinstance(back, LazySpecialsTokenizer)
    assert back.on_demand == tok.on_demand
    ref, _ = _pair("id")
    text = "Pekerja-pekerja (abang-abang) dan anak-anaknya, Rp1.500.000."
    assert _toks(back, text) == _toks(ref, text)


def _spans(tokenizer, text: str) -> list[tuple[int, int]]:
    return [(t.idx, len(t)) for t in tokenizer(text)]


_COPY: dict[str, object] = {}


def _copy(code: str):
    if code not in _COPY:
        _COPY[code] = boundary_copy(_pair(code)[1])
    return _COPY[code]


@pytest.mark.parametrize("code", ["id", "en"])
def test_boundary_copy_has_the_same_boundaries(code, shared):
    _, new = _pair(code)
    copy = _copy(code)
    assert copy.vocab is not new.vocab and not copy.vocab.lex_attr_getters
    words = _exceptions(code)
    texts = [" ".join(words)] + [f"({w}), x{w} {w}nya" for w in words[::7]]
    texts += [f.read_text(encoding="utf-8") for f in sorted((shared / "policy_docs").rglob("*.md"))[:6]]
    for text in texts:
        assert _spans(copy, text) == _spans(new, text)

