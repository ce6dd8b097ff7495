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
TOP_KEYS = ("name", "version", "languages", "description", "overlaps", "codes")
CODE_KEYS = ("id", "name", "parent", "labels", "definition", "inclusion", "exclusion", "examples",
             "color", "negation", "scope", "rules")
RULE_KEYS = ("id", "kind", "terms", "groups", "pattern", "rules", "window", "ordered", "lang",
             "case_sensitive", "negation", "veto", "scope", "cross_sentences")
SCOPE_KEYS = ("speakers", "exclude_speakers", "units", "sections", "attributes")
EXAMPLE_KEYS = ("text", "lang")

# What each rule kind reads and accepts is the kind's own business (its class's ``fields`` and
# ``check``, see :mod:`qualcoop.kinds`); this module checks what every rule has in common.

_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_.\-]*")


def suggest(word: str, options: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``options``, or ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def rule_kinds() -> tuple[str, ...]:
    """Rule kinds a codebook may use: the ``rule_kinds`` registry names without ``.vN``
    (``kind.vN`` names a version; see :func:`qualcoop.kinds.resolve`)."""
    from ..kinds import kind_names

    return kind_names()


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
        yield from self.check_overlaps()
        yield from self.check_tree()
        for code in cb.codes:
            yield from self.check_code(code)
        yield from self.check_shared_terms()

    def check_overlaps(self) -> Iterator[Problem]:
        from ..registry import overlap_policies

        name = self.cb.overlaps
        if not isinstance(name, str) or overlap_policies.versioned(name) is None:
            known = overlap_policies.base_names()
            yield self.problem(f"unknown overlap policy {name!r}{suggest(str(name), known)} (valid: "
                               f"{', '.join(known)})", line=1, field="overlaps")

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
        from ..errors import RegistryError
        from ..kinds import given_fields, kind_fields, kind_problems, resolve, subrules, versioned_name

        if versioned_name(kind) is None:
            yield self.problem(f"unknown rule kind {kind!r}{suggest(str(kind), self.kinds)} (valid: "
                               f"{', '.join(self.kinds)})", code=code, rule=rule, field="kind")
            return
        try:
            resolve(kind)
        except RegistryError as e:  # registered by a plugin that fails to import
            yield self.problem(f"rule kind {kind!r} could not be loaded: {e}", code=code, rule=rule, field="kind")
            return
        try:
            problems = kind_problems(rule)
        except Exception as e:  # a plugin kind's check crashed: say so, do not crash validation
            yield self.problem(f"rule kind {kind!r} could not check this rule: {type(e).__name__}: {e}",
                               code=code, rule=rule, field="kind")
            return
        fields = kind_fields(kind)
        if fields is not None:  # a kind that does not list its fields reads every one
            for f in sorted(given_fields(rule) - set(fields)):
                yield self.problem(f"`{f}` is ignored by rule kind {kind!r}", code=code, rule=rule,
                                   kind="warning", field=f)
        for p in problems:
            yield self.problem(p.message, code=code, rule=rule, kind=p.severity, field=p.field)
        for sub in subrules(rule):
            yield from self.check_rule(sub, code)

    # ------------------------------------------------------------------ across codes
    def check_shared_terms(self) -> Iterator[Problem]:
        from ..kinds import contributed_terms, terms_fire_alone

        owners: dict[str, list[tuple[Code, Rule]]] = {}
        for code in self.cb.codes:
            for rule, t, _ in (x for top in code.rules for x in contributed_terms(top)):
                if not t.strip() or not terms_fire_alone(rule):
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

#: token attributes a blank pipeline never sets: patterns using them could never match
_UNSET_ATTRS = frozenset({"POS", "TAG", "DEP", "MORPH", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID",
                          "SENT_START", "IS_SENT_START", "HEAD"})


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
                elif key.upper() in _UNSET_ATTRS:
                    out.append(f"{label}token {i + 1}: token attribute {key} needs a trained pipeline; "
                               "qualcoop matches on blank pipelines (use ORTH/LOWER/LEMMA/shape/flags)")
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
