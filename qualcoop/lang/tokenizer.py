"""The tokenizer of qualcoop's pipelines: spaCy's, built once, with hyphenated exceptions loaded on demand.

spaCy's ``Tokenizer`` checks every special case (tokenizer exception) when it is added,
and re-adds all of them whenever ``prefix_search``, ``token_match`` or another setting
changes. Indonesian has 15,963 exceptions, 15,614 of them reduplications with a hyphen
("abang-abang"), so ``spacy.blank("id")`` took 1.7 s and setting the two Indonesian
changes afterwards another 2.4 s, in every process that coded an Indonesian document.

:func:`make_tokenizer` builds the tokenizer once with its final settings, and
:class:`LazySpecialsTokenizer` adds the exceptions that hold a hyphen only when a text
to tokenise holds them (found with one Aho-Corasick pass over the text). The tokens are
the same as with every exception loaded: an exception changes how a text is tokenised
only where its string occurs in the text (spaCy looks special cases up by the exact
string of a chunk or of a piece of one, and its special-case matcher matches token
sequences whose concatenation is the exception's string), and the ones that occur are
loaded before the text is tokenised (``tests/lang/test_lang_tokenizer.py`` checks it against
``spacy.blank`` on every exception and on real Indonesian regulations).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from spacy.tokenizer import Tokenizer

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["LazySpecialsTokenizer", "boundary_copy", "make_tokenizer"]

#: what an exception must hold to be loaded on demand (every other one is loaded at once)
ON_DEMAND = "-"


class LazySpecialsTokenizer(Tokenizer):
    """spaCy's ``Tokenizer`` with some special cases (``on_demand``) added when a text holds them.

    Parameters are ``spacy.tokenizer.Tokenizer``'s; ``on_demand`` maps exception strings
    (each holding :data:`ON_DEMAND`) to their token attributes, as ``rules`` does.
    ``rules``, ``to_bytes`` and ``explain`` show the exceptions loaded so far.
    """

    def __init__(self, vocab: Any, rules: Mapping | None = None, prefix_search: Any = None,
                 suffix_search: Any = None, infix_finditer: Any = None, token_match: Any = None,
                 url_match: Any = None, faster_heuristics: bool = True, *,
                 on_demand: Mapping[str, list] | None = None) -> None:
        super().__init__(vocab, rules, prefix_search, suffix_search, infix_finditer, token_match, url_match,
                         faster_heuristics)
        self.on_demand = dict(on_demand or {})
        self._finder: Any = None

    def __call__(self, text: str):  # noqa: D102 - spaCy's
        if self.on_demand and ON_DEMAND in text:
            self.load_for(text)
        return super().__call__(text)

    def load_for(self, text: str) -> None:
        """Add the on-demand exceptions that occur in ``text`` (in sorted order, for determinism)."""
        finder = self._finder
        if finder is None:
            import ahocorasick

            finder = ahocorasick.Automaton()
            for s in self.on_demand:
                finder.add_word(s, s)
            finder.make_automaton()
            self._finder = finder
        pending = self.on_demand
        found = {s for _, s in finder.iter(text) if s in pending}
        for s in sorted(found):
            self.add_special_case(s, pending.pop(s))

    def __reduce__(self):
        return (_rebuild, (self.vocab, self.rules, self.prefix_search, self.suffix_search, self.infix_finditer,
                           self.token_match, self.url_match, self.faster_heuristics, self.on_demand))


def boundary_copy(tokenizer: Tokenizer) -> LazySpecialsTokenizer:
    """A copy of ``tokenizer`` (its exceptions, on-demand ones included, and its patterns) on an empty
    ``Vocab``: the same token boundaries, at less cost on new words, since its vocabulary computes no
    lexical attributes (``like_num``, ``shape``, ...) for them. For callers that only need where tokens
    start and end (qualcoop.match.fast's chunk cache); its tokens have no attributes worth reading."""
    from spacy.vocab import Vocab

    return LazySpecialsTokenizer(Vocab(), tokenizer.rules, tokenizer.prefix_search, tokenizer.suffix_search,
                                 tokenizer.infix_finditer, tokenizer.token_match, tokenizer.url_match,
                                 tokenizer.faster_heuristics, on_demand=getattr(tokenizer, "on_demand", None))


def _rebuild(vocab, rules, prefix_search, suffix_search, infix_finditer, token_match, url_match, faster, on_demand):
    return LazySpecialsTokenizer(vocab, rules, prefix_search, suffix_search, infix_finditer, token_match,
                                 url_match, faster, on_demand=on_demand)


def make_tokenizer(*, prefixes: Callable[[list], list] | None = None,
                   token_match: Any = None) -> Callable[[Language], Tokenizer]:
    """A ``create_tokenizer`` for ``Language``: spaCy's default tokenizer of the language (as
    ``spacy.language.create_tokenizer`` builds it) with ``prefixes`` applied to the language's prefix
    list and ``token_match`` in place of its own, hyphenated exceptions loaded on demand."""
    from spacy import util

    def factory(nlp: Language) -> Tokenizer:
        d = nlp.Defaults
        pre = list(d.prefixes or ())
        if prefixes is not None:
            pre = prefixes(pre)
        rules = d.tokenizer_exceptions or {}
        return LazySpecialsTokenizer(
            nlp.vocab,
            {k: v for k, v in rules.items() if ON_DEMAND not in k},
            util.compile_prefix_regex(pre).search if pre else None,
            util.compile_suffix_regex(d.suffixes).search if d.suffixes else None,
            util.compile_infix_regex(d.infixes).finditer if d.infixes else None,
            token_match if token_match is not None else d.token_match,
            d.url_match,
            on_demand={k: v for k, v in rules.items() if ON_DEMAND in k},
        )

    return factory
