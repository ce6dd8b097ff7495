"""qualcoop's own codebook format, in YAML or JSON (the same structure; see docs/codebook.md).

Readers collect every problem with its line before raising once; writers emit a
stable key order so ``save`` then ``load`` gives an equal codebook and the same
input always gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..model import Code, Codebook, Example, Rule, Scope
from .locate import MAP, SCALAR, SEQ, Node, SourceError, json_tree, yaml_tree
from .validate import (CODE_KEYS, EXAMPLE_KEYS, RULE_KEYS, SCOPE_KEYS, TOP_KEYS, check_codebook, finish,
                       problem_at, suggest)

__all__ = [
    "parse_codebook_yaml", "parse_codebook_json", "read_codebook_yaml", "read_codebook_json",
    "write_codebook_yaml", "write_codebook_json", "dump_codebook_yaml", "dump_codebook_json",
    "looks_like_quanteda", "read_text",
]


# --------------------------------------------------------------------------- reading


def read_text(path: str | Path, *, cp1252_fallback: bool = False) -> tuple[str | None, list[Problem]]:
    """The file's text (UTF-8, a BOM is dropped) or a located problem saying why not.

    With ``cp1252_fallback`` (old LIWC and Excel files) non-UTF-8 bytes are read as Windows-1252
    with a warning instead.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        return None, [problem_at(path, f"cannot read the file: {e.strerror or e}")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        if not cp1252_fallback:
            return None, [problem_at(path, f"not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start})",
                                     line)]
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None, [problem_at(path, "neither UTF-8 nor Windows-1252 text", line)]
        return text, [problem_at(path, "not UTF-8; read as Windows-1252", line, kind="warning")]


def parse_codebook_yaml(path: str | Path) -> tuple[Codebook | None, list[Problem]]:
    """Read a YAML codebook without raising: ``(codebook or None, every problem)``."""
    return _parse(path, yaml_tree)


def parse_codebook_json(path: str | Path) -> tuple[Codebook | None, list[Problem]]:
    """Read a JSON codebook without raising: ``(codebook or None, every problem)``."""
    return _parse(path, json_tree)


def read_codebook_yaml(path: str | Path) -> Codebook:
    """Read and validate a codebook in qualcoop's YAML format.

    Parameters
    ----------
    path : str or Path
        The ``.yaml``/``.yml`` file.

    Returns
    -------
    Codebook
        With ``Code.line``/``Rule.line`` set to the lines the codes and rules start on.

    Raises
    ------
    CodebookError
        Listing every error found (syntax, structure, semantics), each with its line.

    Warns
    -----
    CodebookWarning
        Once, listing every warning (e.g. a term listed in two codes).

    Examples
    --------
    >>> cb = read_codebook_yaml("codebooks/international_cooperation.yaml")   # doctest: +SKIP
    >>> cb.get("mechanism.training").rules[0].qualified_id                   # doctest: +SKIP
    'mechanism.training/terms-en'
    """
    return finish(*parse_codebook_yaml(path), str(path))


def read_codebook_json(path: str | Path) -> Codebook:
    """Read and validate a codebook in qualcoop's JSON format (see :func:`read_codebook_yaml`)."""
    return finish(*parse_codebook_json(path), str(path))


read_codebook_yaml.parse = parse_codebook_yaml  # type: ignore[attr-defined]
read_codebook_json.parse = parse_codebook_json  # type: ignore[attr-defined]
# the suffixes each reader claims (qualcoop.registry.codebook_readers; see codebook_format)
read_codebook_yaml.suffixes = (".yaml", ".yml")  # type: ignore[attr-defined]
read_codebook_json.suffixes = (".json",)  # type: ignore[attr-defined]


def sniff_quanteda(path: str | Path) -> bool:
    """Whether a YAML file is a quanteda dictionary (no ``codes:``, no scalar ``name``/``version``)."""
    from .locate import SourceError, yaml_tree

    text, _ = read_text(path)
    if text is None:
        return False
    try:
        return looks_like_quanteda(yaml_tree(text))
    except SourceError:
        return False  # the reader reports it, with its line


def _parse(path: str | Path, tree_of: Any) -> tuple[Codebook | None, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    try:
        root = tree_of(text)
    except SourceError as e:
        return None, [problem_at(path, e.message, e.line)]
    builder = _Builder(str(path))
    codebook = builder.codebook(root)
    problems = builder.problems
    if codebook is not None:
        problems += check_codebook(codebook, path=str(path), field_lines=builder.lines)
    return codebook, problems


def looks_like_quanteda(root: Node | None) -> bool:
    """True for a YAML mapping that is a quanteda dictionary rather than a qualcoop codebook:
    no ``codes`` key and no scalar ``name``/``version``."""
    if root is None or root.kind != MAP:
        return False
    keys = root.keys()
    if "codes" in keys:
        return False
    return not any((v := root.get(k)) is not None and v.kind == SCALAR for k in ("name", "version"))


class _Builder:
    """Node tree -> Codebook, recording every structural problem with its line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        #: (code id, rule id, line of the code/rule, key) -> line of that key, for check_codebook
        self.lines: dict[tuple[str | None, str | None, int | None, str], int] = {}

    def err(self, msg: str, node: Node | int | None, *, code_id: str | None = None,
            rule_id: str | None = None, kind: str = "error") -> None:
        line = node.line if isinstance(node, Node) else node
        self.problems.append(problem_at(self.path, msg, line, code_id=code_id, rule_id=rule_id, kind=kind))

    # ------------------------------------------------------------------ helpers
    def mapping(self, node: Node, allowed: tuple[str, ...], what: str, record: tuple[Any, ...] | None = None,
                **who: Any) -> dict[str, Node]:
        if node.kind != MAP:
            self.err(f"{what} must be a mapping of keys, not {_describe(node)}", node, **who)
            return {}
        out: dict[str, Node] = {}
        for k, v in node.value:
            key = k.text if k.kind == SCALAR and k.text is not None else None
            if key is None:
                self.err(f"{what} has a key that is not text ({_describe(k)})", k, **who)
                continue
            if key in out:
                self.err(f"duplicate key {key!r} in {what}", k, **who)
            elif key not in allowed:
                self.err(f"unknown key {key!r} in {what}{suggest(key, allowed)}", k, **who)
                continue
            out[key] = v
            if record is not None and k.line is not None:
                self.lines[(*record, key)] = k.line
        return out

    def text(self, node: Node | None, what: str, default: str | None = None, **who: Any) -> str | None:
        if node is None or node.is_null:
            return default
        if node.kind != SCALAR:
            self.err(f"`{what}` must be text, not {_describe(node)}", node, **who)
            return default
        return node.text

    def texts(self, node: Node | None, what: str, *, single_ok: bool = False, **who: Any) -> tuple[str, ...]:
        if node is None or node.is_null:
            return ()
        if node.kind == SCALAR and single_ok:
            return (node.text or "",)
        if node.kind != SEQ:
            self.err(f"`{what}` must be a list, not {_describe(node)}", node, **who)
            return ()
        out = []
        for item in node.value:
            if item.kind != SCALAR:
                self.err(f"`{what}` entries must be text, not {_describe(item)}", item, **who)
            elif item.is_null:
                self.err(f"empty entry in `{what}`", item, **who)
            else:
                out.append(item.text or "")
        return tuple(out)

    def boolean(self, node: Node | None, what: str, **who: Any) -> bool:
        if node is None or node.is_null:
            return False
        if node.kind == SCALAR and isinstance(node.value, bool):
            return node.value
        self.err(f"`{what}` must be true or false, not {_describe(node)}", node, **who)
        return False

    # ------------------------------------------------------------------ levels
    def codebook(self, root: Node | None) -> Codebook | None:
        if root is None:
            self.err("the file is empty", 1)
            return None
        top = self.mapping(root, TOP_KEYS, "the codebook", (None, None, None))
        if root.kind != MAP:
            return None
        name = self.text(top.get("name"), "name", "") or ""
        version = self.text(top.get("version"), "version", "") or ""
        langs_node = top.get("languages")
        languages = self.texts(langs_node, "languages") if langs_node is not None else ("en",)
        description = self.text(top.get("description"), "description", "") or ""
        overlaps = self.text(top.get("overlaps"), "overlaps", "") or "longest"
        codes: list[Code] = []
        codes_node = top.get("codes")
        if codes_node is not None and not codes_node.is_null:
            if codes_node.kind != SEQ:
                self.err(f"`codes` must be a list of codes, not {_describe(codes_node)}", codes_node)
            else:
                for item in codes_node.value:
                    code = self.code(item)
                    if code is not None:
                        codes.append(code)
        return Codebook(name=name, version=version, codes=tuple(codes), languages=languages,
                        description=description, path=self.path, overlaps=overlaps)

    def code(self, node: Node) -> Code | None:
        if node.kind != MAP:
            self.err(f"each code must be a mapping, not {_describe(node)}", node)
            return None
        cid = self.text(node.get("id"), "id", "") or ""
        who = {"code_id": cid or None}
        f = self.mapping(node, CODE_KEYS, "a code", (cid, None, node.line), **who)
        name = self.text(f.get("name"), "name", "", **who) or ""
        color_node = f.get("color")
        color = self.text(color_node, "color", **who)
        if color_node is not None and color_node.is_null:
            self.err("`color` is empty (quote the colour: \"#rrggbb\"; an unquoted # starts a YAML comment)",
                     color_node, **who)
        labels: dict[str, str] = {}
        if (ln := f.get("labels")) is not None and not ln.is_null:
            for k, v in self.mapping(ln, tuple(_keys_of(ln)), "`labels`", **who).items():
                labels[k] = self.text(v, f"labels.{k}", "", **who) or ""
        rules: list[Rule] = []
        if (rn := f.get("rules")) is not None and not rn.is_null:
            if rn.kind != SEQ:
                self.err(f"`rules` must be a list, not {_describe(rn)}", rn, **who)
            else:
                for n, item in enumerate(rn.value, 1):
                    r = self.rule(item, cid, None)
                    if r is not None:
                        rules.append(r)
        return Code(
            id=cid, name=name, parent=self.text(f.get("parent"), "parent", **who),
            definition=self.text(f.get("definition"), "definition", "", **who) or "",
            inclusion=self.text(f.get("inclusion"), "inclusion", "", **who) or "",
            exclusion=self.text(f.get("exclusion"), "exclusion", "", **who) or "",
            examples=self.examples(f.get("examples"), who), labels=labels, color=color,
            rules=tuple(rules), scope=self.scope(f.get("scope"), who),
            negation=self.text(f.get("negation"), "negation", "flag", **who) or "flag",
            line=node.line,
        )

    def examples(self, node: Node | None, who: dict[str, Any]) -> tuple[Example, ...]:
        if node is None or node.is_null:
            return ()
        if node.kind != SEQ:
            self.err(f"`examples` must be a list, not {_describe(node)}", node, **who)
            return ()
        out = []
        for item in node.value:
            if item.kind == SCALAR and not item.is_null:
                out.append(Example(text=item.text or ""))
                continue
            f = self.mapping(item, EXAMPLE_KEYS, "an example", **who)
            if item.kind == MAP:
                if "text" not in f:
                    self.err("example without `text`", item, **who)
                out.append(Example(text=self.text(f.get("text"), "text", "", **who) or "",
                                   lang=self.text(f.get("lang"), "lang", **who)))
        return tuple(out)

    def scope(self, node: Node | None, who: dict[str, Any]) -> Scope | None:
        if node is None or node.is_null:
            return None
        f = self.mapping(node, SCOPE_KEYS, "`scope`", **who)
        attributes: dict[str, tuple[str, ...]] = {}
        if (an := f.get("attributes")) is not None and not an.is_null:
            for k, v in self.mapping(an, tuple(_keys_of(an)), "`scope.attributes`", **who).items():
                attributes[k] = self.texts(v, f"scope.attributes.{k}", single_ok=True, **who)
        return Scope(**{k: self.texts(f.get(k), f"scope.{k}", single_ok=True, **who)
                        for k in SCOPE_KEYS if k != "attributes"}, attributes=attributes)

    def rule(self, node: Node, code_id: str, default_id: str | None) -> Rule | None:
        who: dict[str, Any] = {"code_id": code_id or None}
        if node.kind != MAP:
            self.err(f"each rule must be a mapping, not {_describe(node)}", node, **who)
            return None
        rid = self.text(node.get("id"), "id", **who) or default_id or ""
        who["rule_id"] = rid or None
        f = self.mapping(node, RULE_KEYS, "a rule", (code_id, rid, node.line), **who)
        kind = self.text(f.get("kind"), "kind", "", **who) or ""
        groups: list[tuple[str, ...]] = []
        if (gn := f.get("groups")) is not None and not gn.is_null:
            if gn.kind != SEQ:
                self.err(f"`groups` must be a list of term lists, not {_describe(gn)}", gn, **who)
            else:
                groups = [self.texts(g, "groups", **who) for g in gn.value]
        pattern: Any = None
        if (pn := f.get("pattern")) is not None and not pn.is_null:
            pattern = pn.text if pn.kind == SCALAR else _plain(pn)
        subs: list[Rule] = []
        if (sn := f.get("rules")) is not None and not sn.is_null:
            if sn.kind != SEQ:
                self.err(f"`rules` must be a list of sub-rules, not {_describe(sn)}", sn, **who)
            else:
                for n, item in enumerate(sn.value, 1):
                    r = self.rule(item, code_id, f"{rid}.{n}")
                    if r is not None:
                        subs.append(r)
        window = None
        if (wn := f.get("window")) is not None and not wn.is_null:
            if wn.kind == SCALAR and isinstance(wn.value, int) and not isinstance(wn.value, bool):
                window = wn.value
            else:
                self.err(f"`window` must be a positive integer, not {_describe(wn)}", wn, **who)
        return Rule(
            id=rid, kind=kind, terms=self.texts(f.get("terms"), "terms", **who), groups=tuple(groups),
            pattern=pattern, rules=tuple(subs), window=window,
            ordered=self.boolean(f.get("ordered"), "ordered", **who),
            lang=self.text(f.get("lang"), "lang", **who),
            case_sensitive=self.boolean(f.get("case_sensitive"), "case_sensitive", **who),
            negation=self.text(f.get("negation"), "negation", **who),
            veto=self.text(f.get("veto"), "veto", "span", **who) or "span",
            scope=self.scope(f.get("scope"), who), code_id=code_id or None, line=node.line,
            cross_sentences=self.boolean(f.get("cross_sentences"), "cross_sentences", **who),
        )


def _keys_of(node: Node) -> list[str]:
    return node.keys() if node.kind == MAP else []


def _describe(node: Node) -> str:
    if node.kind == MAP:
        return "a mapping"
    if node.kind == SEQ:
        return "a list"
    if node.is_null:
        return "nothing (null)"
    return f"{node.text!r}"


def _plain(node: Node) -> Any:
    """Node -> plain Python data (resolved scalar values)."""
    if node.kind == MAP:
        return {k.text if k.text is not None else k.value: _plain(v) for k, v in node.value}
    if node.kind == SEQ:
        return [_plain(v) for v in node.value]
    return node.value


# --------------------------------------------------------------------------- writing


def yaml_dumper() -> Any:
    """A ``SafeDumper`` subclass for human-shaped, loss-free YAML: sequences indented under
    their key, multi-line text as literal blocks, line-break characters YAML would fold
    (``\\r``, NEL, U+2028/U+2029) escaped in double quotes, the empty key written as ``''``."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
            return super().increase_indent(flow, False)

        def check_simple_key(self) -> bool:  # write the empty key as '': (not as "? ''")
            if isinstance(self.event, yaml.ScalarEvent) and self.event.value == "":
                return True
            return bool(super().check_simple_key())

    def text(d: Any, v: str) -> Any:
        style = '"' if any(c in v for c in "\r\x85\u2028\u2029") else "|" if "\n" in v else None
        return d.represent_scalar("tag:yaml.org,2002:str", v, style=style)

    Dumper.add_representer(str, text)
    return Dumper


class _Flow(list):
    """A list written in flow style (``[a, b]``)."""


def dump_codebook_yaml(codebook: Codebook) -> str:
    """The codebook as YAML text in the documented key order (lists of terms in flow style)."""
    import yaml

    def flow(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: flow(v) for k, v in data.items()}
        if isinstance(data, list):
            if data and all(isinstance(x, str) for x in data):
                return _Flow(data)
            return [flow(x) for x in data]
        return data

    Dumper = yaml_dumper()
    Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v,
                                                                       flow_style=True))
    return yaml.dump(flow(codebook.to_dict()), Dumper=Dumper, sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)


def dump_codebook_json(codebook: Codebook) -> str:
    """The codebook as JSON text (2-space indent, UTF-8, documented key order)."""
    return json.dumps(codebook.to_dict(), ensure_ascii=False, indent=2) + "\n"


def write_codebook_yaml(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` as qualcoop YAML (UTF-8, ``\\n`` line ends, deterministic)."""
    Path(path).write_text(dump_codebook_yaml(codebook), encoding="utf-8", newline="\n")


def write_codebook_json(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` as qualcoop JSON (UTF-8, ``\\n`` line ends, deterministic)."""
    Path(path).write_text(dump_codebook_json(codebook), encoding="utf-8", newline="\n")
