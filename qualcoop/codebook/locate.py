"""Source trees with line numbers, for error messages that name the line.

YAML and JSON files are parsed into a small tree of :class:`Node` values that keep
the 1-based line each mapping, sequence, key and scalar starts on. The readers build
codebooks from these trees, so every problem they report can point at a line.

YAML is read with PyYAML's composer (``CSafeLoader``/``SafeLoader`` node marks). Scalars keep both the
text as written (``text``: what string fields use, so ``version: 1.10`` stays
``"1.10"`` and a key ``NO`` stays ``"NO"``) and the value YAML resolves it to
(``value``: what booleans and integers use). JSON is validated with :mod:`json` and
then walked by a small positional parser that records lines the same way.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from typing import Any

from .. import limits

#: a document whose aliases expand past this many nodes is refused ("billion laughs")
MAX_NODES = limits.MAX_YAML_NODES

MAP = "map"
SEQ = "seq"
SCALAR = "scalar"


@dataclass(frozen=True, eq=False)
class Node:
    """One node of a parsed YAML/JSON document.

    ``value`` is a tuple of ``(key Node, value Node)`` pairs for a mapping, a tuple of
    Nodes for a sequence and the resolved Python value for a scalar (``None`` for null).
    ``text`` is the scalar as written (``None`` for null and for collections).
    """

    kind: str
    line: int | None
    value: Any
    text: str | None = None
    tag: str = ""

    @property
    def is_null(self) -> bool:
        return self.kind == SCALAR and self.value is None

    def get(self, key: str) -> Node | None:
        """The value of ``key`` in a mapping node (the last one if repeated)."""
        found = None
        if self.kind == MAP:
            for k, v in self.value:
                if k.text == key:
                    found = v
        return found

    def keys(self) -> list[str]:
        return [k.text or "" for k, _ in self.value] if self.kind == MAP else []


class SourceError(Exception):
    """The file is not well-formed YAML/JSON. ``line`` is 1-based (or None)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# --------------------------------------------------------------------------- YAML


#: the last text parsed and its tree (trees are immutable): loading a ``.yaml`` codebook asks twice,
#: once to tell a quanteda dictionary from a qualcoop codebook and once to read it
_LAST_YAML: tuple[str, Node | None] | None = None


def yaml_tree(text: str) -> Node | None:
    """Parse YAML ``text`` into a :class:`Node` tree (``None`` for an empty document).

    Raises
    ------
    SourceError
        On a syntax error (with its line), an unknown tag, a recursive alias or a
        document that expands past :data:`MAX_NODES` nodes.
    """
    global _LAST_YAML
    last = _LAST_YAML
    if last is not None and last[0] == text:
        return last[1]
    root = _yaml_tree(text)
    _LAST_YAML = (text, root)
    return root


def _yaml_tree(text: str) -> Node | None:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        msg = " ".join(x for x in (e.context, e.problem) if x) or str(e)
        raise SourceError(f"YAML syntax error: {msg}", mark.line + 1 if mark else None) from e
    except yaml.YAMLError as e:
        raise SourceError(f"YAML error: {e}") from e
    if root is None:
        return None
    from ..bounded import check_yaml_tree
    from ..errors import LimitError

    try:
        check_yaml_tree(root, where="the document")  # nesting depth (and expansion) before recursing
    except LimitError as e:
        raise SourceError(e.message) from e
    constructor = yaml.constructor.SafeConstructor()
    memo: dict[int, Node] = {}
    sizes: dict[int, int] = {}
    budget = [MAX_NODES]

    def convert(node: Any, path: frozenset[int]) -> Node:
        budget[0] -= 1
        if budget[0] < 0:
            raise SourceError(f"the document expands past {MAX_NODES} nodes (aliases?)")
        if id(node) in path:
            raise SourceError("recursive YAML alias", node.start_mark.line + 1)
        if id(node) in memo:
            # a shared (aliased) node: count its size against the budget again
            budget[0] -= sizes[id(node)]
            if budget[0] < 0:
                raise SourceError(f"the document expands past {MAX_NODES} nodes (aliases?)")
            return memo[id(node)]
        line = node.start_mark.line + 1
        tag = node.tag.rsplit(":", 1)[-1]
        before = budget[0]
        inner = path | {id(node)}
        if isinstance(node, yaml.MappingNode):
            pairs = tuple((convert(k, inner), convert(v, inner)) for k, v in node.value)
            out = Node(MAP, line, pairs, tag=tag)
        elif isinstance(node, yaml.SequenceNode):
            out = Node(SEQ, line, tuple(convert(v, inner) for v in node.value), tag=tag)
        else:
            try:
                value = constructor.construct_object(node, deep=True)
            except yaml.YAMLError as e:
                raise SourceError(f"YAML error: {getattr(e, 'problem', None) or e}", line) from e
            except ValueError as e:  # e.g. an impossible timestamp
                raise SourceError(f"YAML error: {e}", line) from e
            txt = None if value is None else node.value
            out = Node(SCALAR, line, value, txt, tag=tag)
        memo[id(node)] = out
        sizes[id(node)] = before - budget[0]
        return out

    return convert(root, frozenset())


# --------------------------------------------------------------------------- JSON


def json_tree(text: str) -> Node:
    """Parse JSON ``text`` into a :class:`Node` tree with the line of every node.

    Raises
    ------
    SourceError
        If the text is not valid JSON (with the line :mod:`json` reports).
    """
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        raise SourceError(f"JSON syntax error: {e.msg}", e.lineno) from e
    except RecursionError as e:
        raise SourceError("JSON nested too deeply") from e
    try:
        return _JsonWalker(text).document()
    except RecursionError as e:
        raise SourceError("JSON nested too deeply") from e


class _JsonWalker:
    """Positional walk over text already known to be valid JSON."""

    _WS = " \t\n\r"

    def __init__(self, text: str) -> None:
        from json.decoder import scanstring
        from json.scanner import NUMBER_RE

        self.s = text
        self.scanstring = scanstring
        self.number = NUMBER_RE
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line(self, i: int) -> int:
        return bisect.bisect_left(self.newlines, i) + 1

    def ws(self, i: int) -> int:
        s = self.s
        while i < len(s) and s[i] in self._WS:
            i += 1
        return i

    def document(self) -> Node:
        node, _ = self.value(self.ws(0))
        return node

    def value(self, i: int) -> tuple[Node, int]:
        s = self.s
        c = s[i]
        line = self.line(i)
        if c == "{":
            pairs = []
            i = self.ws(i + 1)
            if s[i] == "}":
                return Node(MAP, line, ()), i + 1
            while True:
                kline = self.line(i)
                key, i = self.scanstring(s, i + 1, True)
                i = self.ws(i)
                i = self.ws(i + 1)  # ':'
                val, i = self.value(i)
                pairs.append((Node(SCALAR, kline, key, key, "str"), val))
                i = self.ws(i)
                if s[i] == "}":
                    return Node(MAP, line, tuple(pairs)), i + 1
                i = self.ws(i + 1)  # ','
        if c == "[":
            items = []
            i = self.ws(i + 1)
            if s[i] == "]":
                return Node(SEQ, line, ()), i + 1
            while True:
                val, i = self.value(i)
                items.append(val)
                i = self.ws(i)
                if s[i] == "]":
                    return Node(SEQ, line, tuple(items)), i + 1
                i = self.ws(i + 1)
        if c == '"':
            v, i = self.scanstring(s, i + 1, True)
            return Node(SCALAR, line, v, v, "str"), i
        for lit, val, tag in (("true", True, "bool"), ("false", False, "bool"), ("null", None, "null"),
                              ("NaN", float("nan"), "float"), ("Infinity", float("inf"), "float"),
                              ("-Infinity", float("-inf"), "float")):
            if s.startswith(lit, i):
                return Node(SCALAR, line, val, None if val is None else lit, tag), i + len(lit)
        m = self.number.match(s, i)
        assert m is not None  # the text was validated by json.loads
        integer, frac, exp = m.groups()
        val = float(integer + (frac or "") + (exp or "")) if (frac or exp) else int(integer)
        return Node(SCALAR, line, val, m.group(0), "float" if (frac or exp) else "int"), m.end()
