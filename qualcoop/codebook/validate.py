"""Codebook validation: every problem at once, each named by file, line, code and rule.

:func:`check_codebook` checks a :class:`~qualcoop.model.Codebook` value (so codebooks
built in Python are checked the same way as files); the readers add the problems only
a file can have (unknown keys, wrong types, YAML syntax) before calling it.
Problems of ``kind="error"`` make :func:`finish` raise one
:class:`~qualcoop.errors.CodebookError`; ``kind="warning"`` problems are emitted as one
:class:`~qualcoop.errors.CodebookWarning`.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import CodebookError, CodebookWarning, Problem
from ..model import NEGATION_POLICIES, Code, Codebook, Rule, Scope

#: keys allowed at each level of a codebook file (file order = writing order)
TOP_KEYS = ("name", "version", "languages", "description", "codes")
CODE_KEYS = ("id", "name", "parent", "labels", "definition", "inclusion", "exclusion", "examples",
             "color", "negation", "scope", "rules")
RULE_KEYS = ("id", "kind", "terms", "groups", "pattern", "rules", "window", "ordered", "lang",
             "case_sensitive", "negation", "veto", "scope", "cross_sentences")
SCOPE_KEYS = ("speakers", "exclude_speakers", "units", "sections", "attributes")
EXAMPLE_KEYS = ("text", "lang")
VETOES = ("span", "segment")

#: rule kinds whose ``terms`` are token sequences (phrase semantics)
TERM_KINDS = ("keyword", "phrase", "lemma", "stem", "glob")
#: which fields each built-in kind reads; anything else given is ignored (a warning)
KIND_FIELDS: dict[str, frozenset[str]] = {
    "keyword": frozenset({"terms"}),
    "phrase": frozenset({"terms"}),
    "lemma": frozenset({"terms"}),
    "stem": frozenset({"terms"}),
    "glob": frozenset({"terms"}),
    "regex": frozenset({"pattern"}),
    "pattern": frozenset({"pattern"}),
    "all": frozenset({"rules"}),
    "any": frozenset({"rules"}),
    "not": frozenset({"rules"}),
    "near": frozenset({"groups", "window", "ordered", "cross_sentences"}),
    "exclude": frozenset({"terms", "rules", "veto"}),
}

_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_.\-]*")
_VERSION_SUFFIX = re.compile(r"\.v\d+$")


def suggest(word: str, options: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``options``, or ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def rule_kinds() -> tuple[str, ...]:
    """Rule kinds a codebook may use: the ``rule_kinds`` registry names without ``.vN``."""
    from ..registry import rule_kinds as registry

    return tuple(sorted({_VERSION_SUFFIX.sub("", n) for n in registry.names()}))


def supported_langs() -> tuple[str, ...]:
    from ..model import SUPPORTED_LANGS

    return tuple(SUPPORTED_LANGS)


def slugify(text: str) -> str:
    """A codebook name made from a file stem (lower case; other characters become ``_``)."""
    slug = re.sub(r"[^a-z0-9_.\-]+", "_", text.lower()).strip("_.-")
    return slug or "codebook"


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File order: by line (problems without a line last), stable otherwise."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def finish(codebook: Codebook | None, problems: list[Problem], path: str) -> Codebook:
    """Raise :class:`CodebookError` listing every error, else warn once and return the codebook."""
    problems = sort_problems(problems)
    errors = [p for p in problems if p.kind == "error"]
    if errors or codebook is None:
        raise CodebookError(path, errors or problems)
    found = [p for p in problems if p.kind == "warning"]
    if found:
        warnings.warn(CodebookWarning(path, found), stacklevel=3)
    return codebook


# --------------------------------------------------------------------------- the checks


def check_codebook(codebook: Codebook, *, path: str | None = None,
                   field_lines: Mapping[tuple[str | None, str | None, int | None, str], int] | None = None,
                   ) -> list[Problem]:
    """Every problem in ``codebook`` (errors and warnings), in file order.

    Parameters
    ----------
    codebook : Codebook
        The codebook to check. ``Code.line``/``Rule.line`` locate the problems.
    path : str, optional
        The file name to report (defaults to ``codebook.path`` or ``"<codebook name>"``).
    field_lines : mapping, optional
        Lines of individual keys, as recorded by the readers: ``(code id, rule id, line of the
        code or rule, key) -> line`` (``(None, None, None, key)`` for top-level keys), so a
        problem with a field points at that field's line.

    Returns
    -------
    list of Problem
    """
    where = path or codebook.path or f"<{codebook.name or 'codebook'}>"
    return sort_problems(_Checker(codebook, where, field_lines or {}).run())


class _Checker:
    def __init__(self, codebook: Codebook, path: str, field_lines: Mapping[Any, int]) -> None:
        self.cb = codebook
        self.path = path
        self.field_lines = field_lines
        self.kinds = rule_kinds()
        self.langs = supported_langs()
        self.parents = {c.parent for c in codebook.codes if c.parent}

    def problem(self, message: str, *, line: int | None = None, code: Code | None = None,
                rule: Rule | None = None, kind: str = "error", field: str | None = None) -> Problem:
        if field is not None:
            if code is None:
                key: tuple[Any, ...] = (None, None, None, field)
            else:
                key = (code.id or "", rule.id if rule else None, rule.line if rule else code.line, field)
            line = self.field_lines.get(key, line)
        if line is None:
            line = rule.line if rule is not None and rule.line is not None else (code.line if code else None)
        return Problem(self.path, message, line=line, code_id=code.id if code else None,
                       rule_id=rule.id if rule else None, kind=kind)

    def run(self) -> Iterator[Problem]:
        cb = self.cb
        if not isinstance(cb.name, str) or not cb.name.strip():
            yield self.problem("missing codebook name (add `name:`)", line=1)
        elif not _SLUG.fullmatch(cb.name):
            yield self.problem(f"codebook name {cb.name!r} is not a slug (lower-case letters, digits, "
                               "'_', '-', '.')", line=1, field="name")
        if not isinstance(cb.version, str) or not cb.version.strip():
            yield self.problem("missing codebook version (add `version:`, a string)", line=1, field="version")
        if not cb.languages:
            yield self.problem("`languages` is empty", line=1, field="languages")
        for lang in cb.languages:
            if lang not in self.langs:
                yield self.problem(f"unsupported language {lang!r} in `languages` (supported: "
                                   f"{', '.join(self.langs)})", line=1, field="languages")
        if not cb.codes:
            yield self.problem("the codebook has no codes (missing or empty `codes`)", line=1, field="codes")
        yield from self.check_tree()
        for code in cb.codes:
            yield from self.check_code(code)
        yield from self.check_shared_terms()

    # ------------------------------------------------------------------ hierarchy
    def check_tree(self) -> Iterator[Problem]:
        seen: dict[str, Code] = {}
        for code in self.cb.codes:
            if not isinstance(code.id, str) or not code.id.strip():
                yield self.problem("code without an `id`", code=code)
                continue
            if "/" in code.id:
                yield self.problem(f"code id {code.id!r} contains '/' (reserved for "
                                   "'<code id>/<rule id>')", code=code)
            if code.id in seen:
                first = seen[code.id]
                at = f" (first at line {first.line})" if first.line else ""
                yield self.problem(f"duplicate code id {code.id!r}{at}", code=code)
            else:
                seen[code.id] = code
        for code in self.cb.codes:
            if code.parent and code.parent not in seen:
                yield self.problem(f"parent {code.parent!r} is not a code in this codebook"
                                   f"{suggest(code.parent, seen)}", code=code, field="parent")
        # cycles: follow parent links; report each cycle once, at its first code in file order
        reported: set[frozenset[str]] = set()
        for code in self.cb.codes:
            chain = [code.id]
            cur = seen.get(code.parent) if code.parent else None
            while cur is not None and cur.id not in chain:
                chain.append(cur.id)
                cur = seen.get(cur.parent) if cur.parent else None
            if cur is None:
                continue
            cycle = chain[chain.index(cur.id):]
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
            first = min((seen[c] for c in cycle), key=lambda c: self.cb.codes.index(c))
            start = cycle.index(first.id)
            ordered = cycle[start:] + cycle[:start]
            text = " -> ".join([*ordered, ordered[0]])
            yield self.problem(f"parent cycle: {text}", code=first)

    # ------------------------------------------------------------------ one code
    def check_code(self, code: Code) -> Iterator[Problem]:
        if not isinstance(code.name, str) or not code.name.strip():
            yield self.problem("code without a `name`", code=code)
        if code.color is not None and not (isinstance(code.color, str) and _COLOR.fullmatch(code.color)):
            yield self.problem(f"color {code.color!r} is not of the form '#rrggbb'", code=code, field="color")
        if code.negation not in NEGATION_POLICIES:
            yield self.problem(f"invalid negation policy {code.negation!r} (valid: "
                               f"{', '.join(NEGATION_POLICIES)}){suggest(str(code.negation), NEGATION_POLICIES)}",
                               code=code, field="negation")
        if code.scope is not None:
            yield from self.check_scope(code.scope, code, None)
        for ex in code.examples:
            if ex.lang is not None and ex.lang not in self.langs:
                yield self.problem(f"example language {ex.lang!r} is not supported (supported: "
                                   f"{', '.join(self.langs)})", code=code, field="examples")
        for lang in code.labels:
            if lang not in self.langs:
                yield self.problem(f"label language {lang!r} is not a supported language", code=code,
                                   kind="warning", field="labels")
        if not code.rules and code.id not in self.parents:
            yield self.problem("code has neither rules nor child codes, so it can never be applied "
                               "by rule", code=code, kind="warning")
        ids: dict[str, Rule] = {}
        for rule in _flatten(code.rules):
            if not rule.id:
                continue
            if rule.id in ids:
                first = ids[rule.id]
                at = f" (first at line {first.line})" if first.line else ""
                yield self.problem(f"duplicate rule id {rule.id!r}{at}", code=code, rule=rule)
            else:
                ids[rule.id] = rule
        for rule in code.rules:
            yield from self.check_rule(rule, code)

    def check_scope(self, scope: Scope, code: Code, rule: Rule | None) -> Iterator[Problem]:
        for name in ("speakers", "exclude_speakers", "units", "sections"):
            for v in getattr(scope, name):
                if not isinstance(v, str) or not v.strip():
                    yield self.problem(f"scope `{name}` has an empty or non-text value {v!r}",
                                       code=code, rule=rule, field="scope")
        for k, vals in scope.attributes.items():
            if not vals:
                yield self.problem(f"scope attribute {k!r} lists no values", code=code, rule=rule, field="scope")

    # ------------------------------------------------------------------ one rule
    def check_rule(self, rule: Rule, code: Code) -> Iterator[Problem]:
        if not isinstance(rule.id, str) or not rule.id.strip():
            yield self.problem("rule without an `id`", code=code, rule=rule)
        elif "/" in rule.id:
            yield self.problem(f"rule id {rule.id!r} contains '/' (reserved for qualified ids)",
                               code=code, rule=rule)
        if rule.lang is not None:
            if rule.lang not in self.langs:
                yield self.problem(f"unsupported rule language {rule.lang!r} (supported: "
                                   f"{', '.join(self.langs)})", code=code, rule=rule, field="lang")
            elif rule.lang not in self.cb.languages:
                yield self.problem(f"rule language {rule.lang!r} is not listed in the codebook's "
                                   f"`languages` ({', '.join(self.cb.languages)})", code=code, rule=rule, field="lang")
        if rule.negation is not None and rule.negation not in NEGATION_POLICIES:
            yield self.problem(f"invalid negation policy {rule.negation!r} (valid: "
                               f"{', '.join(NEGATION_POLICIES)}){suggest(str(rule.negation), NEGATION_POLICIES)}",
                               code=code, rule=rule, field="negation")
        if rule.scope is not None:
            yield from self.check_scope(rule.scope, code, rule)
        kind = rule.kind
        if not kind:
            yield self.problem("rule without a `kind`", code=code, rule=rule)
            return
        if kind not in self.kinds:
            yield self.problem(f"unknown rule kind {kind!r}{suggest(str(kind), self.kinds)} (valid: "
                               f"{', '.join(self.kinds)})", code=code, rule=rule, field="kind")
            return
        fields = KIND_FIELDS.get(kind)
        if fields is None:  # a plugin kind: nothing more is known about its fields
            return
        given = {f for f, on in (("terms", bool(rule.terms)), ("groups", bool(rule.groups)),
                                 ("pattern", rule.pattern is not None), ("rules", bool(rule.rules)),
                                 ("window", rule.window is not None), ("ordered", rule.ordered),
                                 ("cross_sentences", rule.cross_sentences),
                                 ("veto", rule.veto != "span")) if on}
        for f in sorted(given - fields):
            yield self.problem(f"`{f}` is ignored by rule kind {kind!r}", code=code, rule=rule,
                               kind="warning", field=f)
        if rule.veto not in VETOES:
            yield self.problem(f"invalid veto {rule.veto!r} (valid: span, segment)"
                               f"{suggest(str(rule.veto), VETOES)}", code=code, rule=rule, field="veto")
        yield from getattr(self, f"kind_{kind}", self.kind_terms)(rule, code)
        for sub in rule.rules:
            if "rules" in fields:
                yield from self.check_rule(sub, code)

    def check_terms(self, terms: tuple[str, ...], rule: Rule, code: Code, what: str = "terms"
                    ) -> Iterator[Problem]:
        for t in terms:
            if not isinstance(t, str):
                yield self.problem(f"{what} entry {t!r} is not text", code=code, rule=rule, field=what)
            elif not t.strip():
                yield self.problem(f"empty or whitespace-only entry {t!r} in `{what}`", code=code,
                                   rule=rule, field=what)

    def kind_terms(self, rule: Rule, code: Code) -> Iterator[Problem]:
        if not rule.terms:
            yield self.problem(f"rule kind {rule.kind!r} needs a non-empty `terms` list",
                               code=code, rule=rule, field="terms")
        yield from self.check_terms(rule.terms, rule, code)
        if rule.kind in ("keyword", "phrase", "lemma", "stem"):
            wild = [t for t in rule.terms if isinstance(t, str) and "*" in t]
            if wild:
                yield self.problem(f"terms {', '.join(map(repr, wild))} contain '*', which kind "
                                   f"{rule.kind!r} matches literally (use kind 'glob' for wildcards)",
                                   code=code, rule=rule, kind="warning", field="terms")

    def kind_exclude(self, rule: Rule, code: Code) -> Iterator[Problem]:
        if not rule.terms and not rule.rules:
            yield self.problem("rule kind 'exclude' needs `terms` or `rules`", code=code, rule=rule)
        yield from self.check_terms(rule.terms, rule, code)

    def kind_regex(self, rule: Rule, code: Code) -> Iterator[Problem]:
        if not isinstance(rule.pattern, str) or not rule.pattern:
            yield self.problem("rule kind 'regex' needs `pattern`, a non-empty string",
                               code=code, rule=rule, field="pattern")
            return
        import regex

        from ..errors import PatternLimitError
        from ..patterns import compile_regex

        try:
            compile_regex(rule.pattern, 0 if rule.case_sensitive else regex.IGNORECASE)
        except PatternLimitError as e:  # too expensive to compile: refused before it eats memory
            yield self.problem(e.message, code=code, rule=rule, field="pattern")
        except regex.error as e:
            yield self.problem(f"bad regular expression {rule.pattern!r}: {e}", code=code, rule=rule, field="pattern")

    def kind_pattern(self, rule: Rule, code: Code) -> Iterator[Problem]:
        for msg in check_token_patterns(rule.pattern):
            yield self.problem(msg, code=code, rule=rule, field="pattern")

    def _kind_combine(self, rule: Rule, code: Code) -> Iterator[Problem]:
        if not rule.rules:
            yield self.problem(f"rule kind {rule.kind!r} needs a non-empty `rules` list",
                               code=code, rule=rule)

    kind_all = kind_any = _kind_combine

    def kind_not(self, rule: Rule, code: Code) -> Iterator[Problem]:
        if len(rule.rules) != 1:
            yield self.problem(f"rule kind 'not' needs exactly one sub-rule in `rules` (has "
                               f"{len(rule.rules)})", code=code, rule=rule, field="rules")

    def kind_near(self, rule: Rule, code: Code) -> Iterator[Problem]:
        if len(rule.groups) < 2:
            yield self.problem(f"rule kind 'near' needs `groups` with at least two term lists (has "
                               f"{len(rule.groups)})", code=code, rule=rule, field="groups")
        for n, group in enumerate(rule.groups, 1):
            if not group:
                yield self.problem(f"group {n} of `groups` is empty", code=code, rule=rule, field="groups")
            yield from self.check_terms(group, rule, code, what="groups")
        w = rule.window
        if w is not None and (isinstance(w, bool) or not isinstance(w, int) or w <= 0):
            yield self.problem(f"`window` must be a positive integer (got {w!r})", code=code, rule=rule, field="window")

    # ------------------------------------------------------------------ across codes
    def check_shared_terms(self) -> Iterator[Problem]:
        owners: dict[str, list[tuple[Code, Rule]]] = {}
        for code in self.cb.codes:
            for rule in _flatten(code.rules):
                if rule.kind not in TERM_KINDS:
                    continue
                for t in rule.terms:
                    if not isinstance(t, str) or not t.strip():
                        continue
                    key = " ".join(t.split()) if rule.case_sensitive else " ".join(t.lower().split())
                    holders = owners.setdefault(key, [])
                    if all(c.id != code.id for c, _ in holders):
                        holders.append((code, rule))
        for term, holders in owners.items():
            if len(holders) > 1:
                code, rule = holders[1]
                names = ", ".join(repr(c.id) for c, _ in holders)
                yield self.problem(f"term {term!r} is listed in {len(holders)} codes ({names})",
                                   code=code, rule=rule, kind="warning")


def _flatten(rules: tuple[Rule, ...]) -> Iterator[Rule]:
    for r in rules:
        yield r
        yield from _flatten(r.rules)


# --------------------------------------------------------------------------- spaCy patterns


def check_token_patterns(pattern: object) -> list[str]:
    """Messages for everything wrong with a spaCy ``Matcher`` pattern (or list of patterns).

    The structure (a list of token dicts, or a list of such lists) and the attribute
    names are checked here, with a suggestion for misspelt attributes; the rest is
    checked by ``Matcher(validate=True)`` on a bare vocabulary.
    """
    from ..model.codebook import thaw_json

    data = thaw_json(pattern)
    if not isinstance(data, list) or not data:
        return ["rule kind 'pattern' needs `pattern`, a non-empty list of token dicts "
                "(or a list of such lists)"]
    patterns = data if all(isinstance(p, list) for p in data) else [data]
    attrs = _token_attrs()
    out: list[str] = []
    for n, pat in enumerate(patterns):
        label = f"pattern {n + 1}: " if len(patterns) > 1 else ""
        if not pat:
            out.append(f"{label}empty token pattern")
            continue
        for i, tok in enumerate(pat):
            if not isinstance(tok, dict):
                out.append(f"{label}token {i + 1} is {tok!r}, not a dict of token attributes")
                continue
            for key in tok:
                if not isinstance(key, str) or (key.upper() not in attrs and key != "_"):
                    out.append(f"{label}token {i + 1}: unknown token attribute {key!r}"
                               f"{suggest(str(key).upper(), attrs)}")
    out.extend(_regex_problems(patterns))
    if out:
        return out
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    for n, pat in enumerate(patterns):
        label = f"pattern {n + 1}: " if len(patterns) > 1 else ""
        try:
            matcher.add("CHECK", [pat])
        except Exception as e:  # MatchPatternError, re.error, ValueError from spaCy
            details = [ln[2:].strip() for ln in str(e).splitlines() if ln.startswith("- ")]
            out.extend(f"{label}{d}" for d in (details or [str(e).strip()]))
    return out


def _regex_problems(patterns: list) -> list[str]:
    """``REGEX`` token attributes that are too expensive (they run within the regex budget)."""
    from ..errors import PatternLimitError
    from ..patterns import check_regex

    out = []
    for pat in patterns:
        for tok in pat if isinstance(pat, list) else ():
            for value in tok.values() if isinstance(tok, dict) else ():
                rx = value.get("REGEX") if isinstance(value, dict) else None
                if isinstance(rx, str):
                    try:
                        check_regex(rx)
                    except PatternLimitError as e:
                        out.append(e.message)
    return out


def _token_attrs() -> tuple[str, ...]:
    from spacy.schemas import TokenPattern

    return tuple(sorted(f.alias or name.upper() for name, f in TokenPattern.model_fields.items()))


def problem_at(path: str | Path, message: str, line: int | None = None, *, code_id: str | None = None,
               rule_id: str | None = None, kind: str = "error") -> Problem:
    """Shorthand used by the readers."""
    return Problem(str(path), message, line=line, code_id=code_id, rule_id=rule_id, kind=kind)
