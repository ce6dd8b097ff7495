"""The rule-kind protocol, and the helpers every layer uses to ask a rule's kind about it.

A rule kind is **one class**, registered in :data:`qualcoop.registry.rule_kinds` under a
versioned name (``"phrase.v1"``; third-party kinds through the entry-point group
``qualcoop.rule_kinds``). The class is the only place that knows the kind:

``fields``
    ``{Rule field: default}`` of the fields the kind reads (among :data:`KIND_FIELD_NAMES`:
    ``terms``, ``groups``, ``pattern``, ``rules``, ``window``, ``ordered``, ``veto``, ...). A field given in a codebook but not listed
    here is reported as ignored (a warning). A kind listing ``rules`` has sub-rules, which
    are checked, compiled and walked for terms like top-level rules.
``check(rule) -> list[KindProblem | str]``  (classmethod)
    Every problem of the rule's own kind-specific fields, and the only validation of the kind:
    :func:`qualcoop.codebook.validate_codebook` reports these (located to the field's line)
    and :func:`qualcoop.match.compile_codebook` refuses a rule that has an error among them.
    A plain string is an error.
``terms(rule) -> tuple[str, ...]``  (classmethod)
    The words the rule contributes, as written: shared-term warnings, codebook coverage,
    seeded topics and term suggestions read these. Empty for kinds without words.
``terms_fire_alone``
    ``False`` when a term alone does not make the rule fire (``near``): a term listed by two
    codes is then no conflict, and validation does not warn about it.
``silent``
    ``True`` for kinds that never produce evidence of their own (``not``, ``exclude``): they
    are not reported as rules that never fired, and their terms (and their sub-rules')
    seed and count nothing.
``examples``
    Sample rules of the kind (dicts of :class:`Rule` fields; sub-rules as dicts with ``kind``):
    documentation, and the fast-path/reference-path equivalence tests run every registered
    kind's examples.
``compile(rule, builder, *, qid, negation) -> Node``  (classmethod)
    The compiled node (see :mod:`qualcoop.match.rules`; subclass its ``Leaf`` to find spans,
    or ``Node`` to combine sub-rules).

Only ``compile`` is required; the others default to "reads every field, no problems, no
terms, not silent". :func:`resolve` is the one resolver of ``kind`` and ``kind.vN``: a
codebook may write either, and a bare name means the highest registered version. The
versioned name is what provenance records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields as dc_fields
from typing import Any

from .model import Rule

__all__ = ["KIND_FIELD_NAMES", "KindProblem", "contributed_terms", "example_rules", "given_fields", "is_silent", "kind_fields",
           "kind_names", "kind_problems", "resolve", "rule_terms", "subrules", "terms_fire_alone",
           "versioned_name"]

#: fields every rule has, whatever its kind (checked by validation itself)
COMMON_RULE_FIELDS = ("id", "kind", "lang", "case_sensitive", "negation", "scope", "code_id", "line")
#: the fields of :class:`~qualcoop.model.Rule` whose meaning depends on the kind (``terms``, ``groups``,
#: ``pattern``, ``rules``, ``window``, ``ordered``, ``veto``, and any field added to ``Rule`` later)
KIND_FIELD_NAMES = tuple(f.name for f in dc_fields(Rule) if f.name not in COMMON_RULE_FIELDS)
_RULE_DEFAULTS = {f.name: f.default for f in dc_fields(Rule) if f.name in KIND_FIELD_NAMES}


@dataclass(frozen=True)
class KindProblem:
    """A problem a rule kind finds in a rule: the message, the field it is about, its severity."""

    message: str
    field: str | None = None
    severity: str = "error"  # or "warning"


def resolve(kind: str) -> tuple[str, Any]:
    """``(versioned name, kind class)`` for ``kind`` (``"phrase"`` or ``"phrase.v1"``).

    Raises
    ------
    RegistryError
        No kind of that name (or version) is registered, or its plugin failed to load.
    """
    from .registry import rule_kinds

    return rule_kinds.resolve(kind)


def versioned_name(kind: str) -> str | None:
    """The registered versioned name ``kind`` stands for, or ``None``."""
    from .registry import rule_kinds

    return rule_kinds.versioned(kind)


def kind_names() -> tuple[str, ...]:
    """The kind names a codebook may use (registered names without ``.vN``; ``kind.vN`` works too)."""
    from .registry import rule_kinds

    return tuple(rule_kinds.base_names())


def _cls(rule_or_kind: Rule | str) -> Any | None:
    kind = rule_or_kind.kind if isinstance(rule_or_kind, Rule) else rule_or_kind
    try:
        return resolve(kind)[1]
    except Exception:  # unknown kind or a broken plugin: validation reports it
        return None


def kind_fields(kind: str) -> dict[str, Any] | None:
    """``{field: default}`` the kind reads (``None``: unknown kind, or a kind that does not say)."""
    cls = _cls(kind)
    f = getattr(cls, "fields", None) if cls is not None else None
    return dict(f) if f is not None else None


def given_fields(rule: Rule) -> set[str]:
    """The kind-specific fields of ``rule`` that differ from :class:`Rule`'s defaults."""
    return {f for f in KIND_FIELD_NAMES if getattr(rule, f) != _RULE_DEFAULTS[f]}


def kind_problems(rule: Rule) -> list[KindProblem]:
    """What the rule's kind finds wrong with it (empty for an unknown kind)."""
    cls = _cls(rule)
    check = getattr(cls, "check", None) if cls is not None else None
    if check is None:
        return []
    return [p if isinstance(p, KindProblem) else KindProblem(str(p)) for p in check(rule)]


def is_silent(rule: Rule) -> bool:
    """Whether the rule's kind never produces evidence of its own."""
    cls = _cls(rule)
    return bool(getattr(cls, "silent", False)) if cls is not None else False


def terms_fire_alone(rule: Rule) -> bool:
    """Whether each word ``rule`` contributes makes it fire on its own (see the protocol)."""
    cls = _cls(rule)
    return bool(getattr(cls, "terms_fire_alone", True)) if cls is not None else True


def subrules(rule: Rule) -> tuple[Rule, ...]:
    """The sub-rules the kind reads (``rules``, when its ``fields`` list it or it does not say)."""
    f = kind_fields(rule.kind)
    return rule.rules if f is None or "rules" in f else ()


def rule_terms(rule: Rule) -> tuple[str, ...]:
    """The words ``rule`` itself contributes (its kind's ``terms(rule)``)."""
    cls = _cls(rule)
    fn = getattr(cls, "terms", None) if cls is not None else None
    if fn is None or not callable(fn):
        return ()
    return tuple(t for t in fn(rule) if isinstance(t, str))


def example_rules(kind: str) -> list[Rule]:
    """The kind's ``examples`` as rules (ids ``<kind>-1``, ...; sub-rules ``<id>.1``, ...)."""
    cls = _cls(kind)
    out = []
    for n, ex in enumerate(getattr(cls, "examples", ()) or (), 1):
        out.append(_rule_from(dict(ex), f"{kind.replace('.', '_')}-{n}", kind))
    return out


def _rule_from(fields: dict, rid: str, kind: str) -> Rule:
    subs = tuple(_rule_from(dict(sub), f"{rid}.{i}", sub.get("kind", ""))
                 for i, sub in enumerate(fields.pop("rules", ()) or (), 1))
    fields.pop("kind", None)
    fields.pop("id", None)
    return Rule(rid, kind, rules=subs, **fields)


def contributed_terms(rule: Rule, lang: str | None = None) -> Iterator[tuple[Rule, str, str | None]]:
    """``(rule, term, lang)`` for every word ``rule`` and its sub-rules contribute.

    Silent kinds (and everything under them) contribute nothing; a sub-rule without
    ``lang`` inherits its parent's.
    """
    if is_silent(rule):
        return
    lang = rule.lang or lang
    for t in rule_terms(rule):
        yield rule, t, lang
    for sub in subrules(rule):
        yield from contributed_terms(sub, lang)
