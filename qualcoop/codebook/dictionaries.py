"""Dictionary formats: quanteda YAML (read/write), LIWC ``.dic`` and CSV (read).

Each becomes an ordinary :class:`~qualcoop.model.Codebook`, so dictionaries are
validated, located and applied like qualcoop's own codebooks:

- **quanteda YAML**: nested keys become codes whose ids join the keys with ``.``
  (``economy: {trade: [...]}`` gives ``economy`` and ``economy.trade`` with parent
  ``economy``); a key's values become one ``glob`` rule (id ``glob``). Values at a
  non-leaf level are written under the empty key ``''`` (quanteda's own convention,
  ``US: {'': Washington DC, MA: Boston}``) or mixed into a list
  (``US: [Washington DC, {MA: [Boston]}]``); both are read.
- **LIWC** ``.dic``: the ``%``-delimited header maps category numbers to names; each
  later line is ``word<TAB>numbers``. One code per category (id = name with spaces
  as ``_``); words with ``*`` form a ``glob`` rule (id ``glob``), the others a
  ``phrase`` rule (id ``words``). Parenthetical LIWC2007 "extra codes" and ``<of>``
  lines are ignored with one warning, as quanteda does. Category hierarchies are
  not read.
- **CSV** ``code,parent,definition,keywords`` (also optional ``name``,
  ``inclusion``, ``exclusion``, ``color``, ``lang``; the delimiter may be ``,``,
  ``;`` or a tab): keywords are split on ``;`` or ``|``; those with ``*`` or ``?``
  form a ``glob`` rule (id ``glob``), the others a ``phrase`` rule (id
  ``keywords``). Every row's line is kept.

The codebook name is the file stem as a slug and the version ``"1"``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ..errors import CodebookError, CodebookWarning, Problem
from ..model import Code, Codebook, Rule
from .locate import MAP, SCALAR, SEQ, Node, SourceError, yaml_tree
from .validate import check_codebook, finish, problem_at, slugify, suggest
from .yaml_format import read_text, sniff_quanteda, yaml_dumper

__all__ = [
    "parse_quanteda_yaml", "read_quanteda_yaml", "dump_quanteda_yaml", "write_quanteda_yaml",
    "parse_liwc_dic", "read_liwc_dic", "parse_codebook_csv", "read_codebook_csv",
]

#: rule kinds whose terms the quanteda writer keeps (others are dropped with a warning)
QUANTEDA_KINDS = ("keyword", "phrase", "glob")
CSV_COLUMNS = ("code", "parent", "name", "definition", "inclusion", "exclusion", "keywords", "color",
               "lang")


def _read(path: str | Path) -> tuple[str | None, list[Problem]]:
    """UTF-8 (BOM dropped); otherwise Windows-1252, with a warning (old LIWC and Excel files)."""
    return read_text(path, cp1252_fallback=True)


def _finish_parse(path: str | Path, codebook: Codebook | None, problems: list[Problem]
                  ) -> tuple[Codebook | None, list[Problem]]:
    if codebook is not None:
        problems = problems + check_codebook(codebook, path=str(path))
    return codebook, problems


def _rules_for(terms: list[str], *, lines: dict[str, int] | int | None, code_id: str, glob_chars: str,
               plain_id: str, lang: str | None = None) -> tuple[Rule, ...]:
    """A phrase rule for the plain terms and a glob rule for those with wildcards; each rule's
    line is the line of its first term (``lines`` maps term -> line, or is one line for all)."""
    wild = [t for t in terms if any(c in t for c in glob_chars)]
    plain = [t for t in terms if t not in wild]
    out = []
    for rid, kind, group in ((plain_id, "phrase", plain), ("glob", "glob", wild)):
        if group:
            line = lines.get(group[0]) if isinstance(lines, dict) else lines
            out.append(Rule(id=rid, kind=kind, terms=tuple(group), lang=lang, code_id=code_id, line=line))
    return tuple(out)


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------- quanteda YAML


def parse_quanteda_yaml(path: str | Path, *, separator: str = " ", tolower: bool = False,
                        lang: str | None = None) -> tuple[Codebook | None, list[Problem]]:
    """Read a quanteda YAML dictionary without raising: ``(codebook or None, every problem)``.

    See :func:`read_quanteda_yaml` for the parameters.
    """
    if not isinstance(separator, str) or not separator:
        raise ValueError("separator must be a non-empty string")
    text, problems = _read(path)
    if text is None:
        return None, problems
    try:
        root = yaml_tree(text)
    except SourceError as e:
        return None, problems + [problem_at(path, e.message, e.line)]
    reader = _QuantedaReader(str(path), separator, tolower)
    if root is None:
        reader.err("the file is empty", 1)
    elif root.kind != MAP:
        reader.err("dictionary entries must be named: the top level must be a mapping of keys, not a "
                   f"{'list' if root.kind == SEQ else 'single value'}", root)
    else:
        reader.mapping(root, None)
    problems += reader.problems
    if any(p.kind == "error" for p in problems) and not reader.codes:
        return None, problems
    codebook = Codebook(name=slugify(Path(path).stem), version="1", codes=tuple(reader.codes),
                        languages=(lang,) if lang else ("en",), path=str(path))
    return _finish_parse(path, codebook, problems)


def read_quanteda_yaml(path: str | Path, *, separator: str = " ", tolower: bool = False,
                       lang: str | None = None) -> Codebook:
    """Read a quanteda YAML dictionary as a codebook (one ``glob`` rule per key).

    Parameters
    ----------
    path : str or Path
        The YAML file.
    separator : str
        What joins the words of a multi-word value in the file (quanteda's ``separator``);
        ``"united_states"`` with ``separator="_"`` becomes the phrase ``"united states"``.
    tolower : bool
        Lower-case the values (quanteda's default). Off by default: qualcoop matches
        case-insensitively anyway and keeping the case makes round trips exact. Keys
        (code ids and names) always keep their case.
    lang : str, optional
        The language of the terms, recorded as the codebook's ``languages``.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Listing every problem (unnamed entries, null values, duplicate keys, ...), located.
    ValueError
        If ``separator`` is empty.

    Examples
    --------
    >>> cb = read_quanteda_yaml("newsmap.yml")         # doctest: +SKIP
    >>> cb.get("AFRICA.EAST.KE").parent                # doctest: +SKIP
    'AFRICA.EAST'
    """
    return finish(*parse_quanteda_yaml(path, separator=separator, tolower=tolower, lang=lang), str(path))


read_quanteda_yaml.parse = parse_quanteda_yaml  # type: ignore[attr-defined]
read_quanteda_yaml.suffixes = (".yaml", ".yml")  # type: ignore[attr-defined]
read_quanteda_yaml.sniff = sniff_quanteda  # type: ignore[attr-defined]  # chosen over qualcoop YAML when it says so


class _QuantedaReader:
    def __init__(self, path: str, separator: str, tolower: bool) -> None:
        self.path = path
        self.separator = separator
        self.tolower = tolower
        self.codes: list[Code] = []
        self.problems: list[Problem] = []

    def err(self, msg: str, where: Node | int | None, code_id: str | None = None) -> None:
        line = where.line if isinstance(where, Node) else where
        self.problems.append(problem_at(self.path, msg, line, code_id=code_id))

    def term(self, node: Node, key: str) -> str | None:
        if node.kind != SCALAR or node.is_null:
            self.err(f"non-character entries found in dictionary key {key!r}", node, key)
            return None
        t = node.text or ""
        if self.separator != " ":
            t = t.replace(self.separator, " ")
        return t.lower() if self.tolower else t

    def mapping(self, node: Node, parent: str | None) -> list[str]:
        """Add the codes of a mapping's named keys; return the terms under its '' key."""
        terms: list[str] = []
        seen: set[str] = set()
        for k, v in node.value:
            key = None if k.is_null or k.kind != SCALAR else k.text
            if not key:
                if parent is None:
                    self.err("unnamed dictionary entry at the top level", k)
                else:
                    terms += self.values(v, parent, children=False)
                continue
            if key in seen:
                self.err(f"duplicate key {key!r}", k, parent)
                continue
            seen.add(key)
            self.key(key, v, parent, k.line)
        return terms

    def values(self, v: Node, owner: str, *, children: bool) -> list[str]:
        if v.is_null:
            return []
        if v.kind == SCALAR:
            t = self.term(v, owner.rsplit(".", 1)[-1])
            return [t] if t is not None else []
        if v.kind == MAP:
            if children:
                return self.mapping(v, owner)
            self.err(f"nested keys under the empty key of {owner!r}", v, owner)
            return []
        out: list[str] = []
        for item in v.value:
            if item.kind == MAP and children:
                out += self.mapping(item, owner)
            elif item.kind == SCALAR:
                t = self.term(item, owner.rsplit(".", 1)[-1])
                if t is not None:
                    out.append(t)
            else:
                self.err(f"dictionary elements must be named: a nested list in key {owner!r}", item,
                         owner)
        return out

    def key(self, key: str, v: Node, parent: str | None, line: int | None) -> None:
        slug = key.replace("/", "_")  # '/' is reserved for '<code id>/<rule id>'; the name keeps it
        cid = f"{parent}.{slug}" if parent else slug
        index = len(self.codes)
        self.codes.append(Code(id=cid, name=key, parent=parent, line=line))  # placeholder, keeps order
        terms = _dedupe(self.values(v, cid, children=True))
        rules = (Rule(id="glob", kind="glob", terms=tuple(terms), code_id=cid, line=v.line),) if terms else ()
        self.codes[index] = Code(id=cid, name=key, parent=parent, rules=rules, line=line)


def dump_quanteda_yaml(codebook: Codebook) -> str:
    """The codebook as a quanteda YAML dictionary (see :func:`write_quanteda_yaml`)."""
    import yaml

    problems: list[Problem] = []
    dropped: list[Problem] = []
    where = codebook.path or f"<{codebook.name}>"
    children: dict[str | None, list[Code]] = {}
    for c in codebook.codes:
        parent = c.parent if c.parent in codebook else None
        children.setdefault(parent, []).append(c)
    written: set[str] = set()

    def terms_of(code: Code) -> list[str]:
        out: list[str] = []
        for r in code.rules:
            if r.kind in QUANTEDA_KINDS:
                out += r.terms
                if r.case_sensitive:
                    dropped.append(problem_at(where, "case_sensitive is lost (quanteda dictionaries are "
                                                     "applied case-insensitively)", r.line,
                                              code_id=code.id, rule_id=r.id, kind="warning"))
            else:
                dropped.append(problem_at(where, f"rule kind {r.kind!r} has no quanteda equivalent; "
                                                 "the rule is not written", r.line, code_id=code.id,
                                          rule_id=r.id, kind="warning"))
        return _dedupe(out)

    def node(code: Code) -> Any:
        written.add(code.id)
        terms = terms_of(code)
        kids = children.get(code.id, [])
        if not kids:
            return terms
        out: dict[str, Any] = {"": terms} if terms else {}
        for kid in kids:
            key = kid.id[len(code.id) + 1:] if kid.id.startswith(code.id + ".") else kid.id
            if key in out or not key:
                problems.append(problem_at(where, f"code {kid.id!r} would be written as key {key!r} under "
                                                  f"{code.id!r}, which is taken", kid.line, code_id=kid.id))
                continue
            if kid.id in written:
                continue
            out[key] = node(kid)
        return out

    data: dict[str, Any] = {}
    for root in children.get(None, []):
        if root.id in data:
            problems.append(problem_at(where, f"duplicate top-level key {root.id!r}", root.line,
                                       code_id=root.id))
            continue
        data[root.id] = node(root)
    for c in codebook.codes:
        if c.id not in written:
            problems.append(problem_at(where, "code is in a parent cycle and cannot be nested", c.line,
                                       code_id=c.id))
    if problems:
        raise CodebookError(where, problems)
    if dropped:
        import warnings

        warnings.warn(CodebookWarning(where, dropped), stacklevel=3)

    if not data:
        return "{}\n"
    return yaml.dump(data, Dumper=yaml_dumper(), sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def write_quanteda_yaml(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` as a quanteda YAML dictionary.

    Codes are nested by ``parent``; a child's key is its id without the ``"<parent id>."``
    prefix (so ids read back by :func:`read_quanteda_yaml` are the same when they follow
    the dotted convention). A code's values are the terms of its ``keyword``, ``phrase``
    and ``glob`` rules (quanteda reads them as globs); a code with both values and
    children keeps its values under the empty key ``''``.

    What quanteda cannot express is dropped: rules of other kinds (``lemma``, ``regex``,
    ``pattern``, ``near``, ``all``, ``any``, ``not``, ``exclude``), and ``case_sensitive``;
    one :class:`~qualcoop.errors.CodebookWarning` lists every such rule. Definitions,
    examples, labels, languages, scopes and negation policies are not part of the format.

    Raises
    ------
    CodebookError
        If two codes would get the same key, or codes form a parent cycle.
    """
    Path(path).write_text(dump_quanteda_yaml(codebook), encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------- LIWC .dic

_PAREN = re.compile(r"\([^)]*\)\S*")


def parse_liwc_dic(path: str | Path, *, lang: str | None = None) -> tuple[Codebook | None, list[Problem]]:
    """Read a LIWC ``.dic`` without raising: ``(codebook or None, every problem)``."""
    text, problems = _read(path)
    if text is None:
        return None, problems
    p = str(path)
    lines = text.splitlines()
    marks = [i for i, ln in enumerate(lines) if ln.strip() == "%"]
    if len(marks) < 2:
        return None, problems + [problem_at(p, "not a LIWC dictionary: the category header must sit "
                                               "between two lines holding only '%'", 1)]
    start, end = marks[0], marks[1]
    if any(ln.strip() for ln in lines[:start]):
        problems.append(problem_at(p, "text before the opening '%' line is ignored", 1, kind="warning"))
    cats: dict[str, tuple[str, str, int]] = {}  # number -> (code id, name, line)
    for i in range(start + 1, end):
        raw = lines[i].strip()
        if not raw:
            continue
        parts = [x.strip() for x in raw.split("\t") if x.strip()] if "\t" in raw else raw.split(None, 1)
        if len(parts) < 2:
            problems.append(problem_at(p, f"category line {raw!r} needs a number and a name", i + 1))
            continue
        num, name = _catnum(parts[0]), parts[1]
        if num in cats:
            problems.append(problem_at(p, f"category number {parts[0]!r} is defined twice (first at line "
                                          f"{cats[num][2]})", i + 1))
            continue
        cats[num] = (_dictionary_id(name, {c for c, _, _ in cats.values()}), name, i + 1)
    words: dict[str, list[str]] = {n: [] for n in cats}
    first_line: dict[str, int] = {}  # word -> line it first appears on
    ignored = 0
    ignored_line = None
    for i in range(end + 1, len(lines)):
        raw = lines[i].strip()
        if not raw:
            continue
        if "<of>" in raw:
            ignored += 1
            ignored_line = ignored_line or i + 1
            continue
        if "\t" in raw:
            word, _, rest = raw.partition("\t")
            tokens = rest.split()
        else:
            tokens = raw.split()
            k = len(tokens)
            while k > 1 and (tokens[k - 1].startswith("(") or _catnum(tokens[k - 1]) in cats
                             or ")" in tokens[k - 1]):
                k -= 1
            word, tokens = " ".join(tokens[:k]), tokens[k:]
        rest = " ".join(tokens)
        if _PAREN.search(rest):
            ignored += 1
            ignored_line = ignored_line or i + 1
            rest = _PAREN.sub(" ", rest)
        word = word.strip()
        refs = rest.split()
        if not refs:
            problems.append(problem_at(p, f"word {word!r} has no category numbers", i + 1))
            continue
        for ref in refs:
            num = _catnum(ref)
            if num not in cats:
                problems.append(problem_at(p, f"word {word!r} refers to category {ref!r}, which the header "
                                              "does not define", i + 1))
                continue
            words[num].append(word)
            first_line.setdefault(word, i + 1)
    if ignored:
        problems.append(problem_at(p, f"{ignored} line(s) with LIWC extra codes (parenthetical expressions "
                                      "or <of>) were read without them", ignored_line, kind="warning"))
    codes = []
    for num, (cid, name, line) in cats.items():
        terms = _dedupe(words[num])
        codes.append(Code(id=cid, name=name, line=line,
                          rules=_rules_for(terms, lines=first_line, code_id=cid, glob_chars="*",
                                           plain_id="words", lang=lang)))
    codebook = Codebook(name=slugify(Path(path).stem), version="1", codes=tuple(codes),
                        languages=(lang,) if lang else ("en",), path=p)
    return _finish_parse(path, codebook, problems)


def read_liwc_dic(path: str | Path, *, lang: str | None = None) -> Codebook:
    """Read a LIWC ``.dic`` dictionary as a codebook (one code per category).

    Parameters
    ----------
    path : str or Path
        The ``.dic`` file (UTF-8, or Windows-1252 with a warning).
    lang : str, optional
        The language of the words: set on every rule and as the codebook's ``languages``.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Listing every problem (no header, undefined category numbers, ...) with its line.
    """
    return finish(*parse_liwc_dic(path, lang=lang), str(path))


read_liwc_dic.parse = parse_liwc_dic  # type: ignore[attr-defined]
read_liwc_dic.suffixes = (".dic",)  # type: ignore[attr-defined]


def _dictionary_id(name: str, taken: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """A code id for a dictionary category: whitespace and '/' become '_' (``work/school`` ->
    ``work_school``); the name stays as written. A clash gets ``_2``, ``_3``, ..."""
    base = re.sub(r"[\s/]+", "_", name).strip("_") or "category"
    cid, n = base, 1
    while cid in taken:
        n += 1
        cid = f"{base}_{n}"
    return cid


def _catnum(tok: str) -> str:
    tok = tok.strip()
    return str(int(tok)) if tok.isdigit() else tok


# --------------------------------------------------------------------------- CSV


def parse_codebook_csv(path: str | Path) -> tuple[Codebook | None, list[Problem]]:
    """Read a CSV codebook without raising: ``(codebook or None, every problem)``."""
    text, problems = _read(path)
    if text is None:
        return None, problems
    p = str(path)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ","
    for d in (",", ";", "\t"):
        if "code" in [c.strip().lower() for c in first.split(d)]:
            delimiter = d
            break
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return None, problems + [problem_at(p, "the file is empty", 1)]
    except csv.Error as e:
        return None, problems + [problem_at(p, f"CSV error: {e}", 1)]
    if "code" not in header:
        return None, problems + [problem_at(p, "no `code` column in the header (columns: "
                                               f"{', '.join(CSV_COLUMNS)})", 1)]
    for h in header:
        if h not in CSV_COLUMNS:
            problems.append(problem_at(p, f"unknown column {h!r}{suggest(h, CSV_COLUMNS)}", 1))
    codes = []
    langs: list[str] = []
    prev = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(problem_at(p, f"CSV error: {e}", reader.line_num))
            break
        line, prev = prev + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.append(problem_at(p, f"row has {len(row)} fields but the header has {len(header)}",
                                       line))
        rec: dict[str, str] = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        cid = rec.get("code", "")
        if not cid:
            problems.append(problem_at(p, "row without a `code`", line))
            continue
        lang = rec.get("lang") or None
        if lang and lang not in langs:
            langs.append(lang)
        sep = r"\|" if delimiter == ";" else r"[;|]"
        terms = _dedupe([t.strip() for t in re.split(sep, rec.get("keywords", "")) if t.strip()])
        codes.append(Code(
            id=cid, name=rec.get("name") or cid, parent=rec.get("parent") or None,
            definition=rec.get("definition", ""), inclusion=rec.get("inclusion", ""),
            exclusion=rec.get("exclusion", ""), color=rec.get("color") or None, line=line,
            rules=_rules_for(terms, lines=line, code_id=cid, glob_chars="*?", plain_id="keywords", lang=lang),
        ))
    codebook = Codebook(name=slugify(Path(path).stem), version="1", codes=tuple(codes),
                        languages=tuple(langs) or ("en",), path=p)
    return _finish_parse(path, codebook, problems)


def read_codebook_csv(path: str | Path) -> Codebook:
    """Read a CSV codebook with columns ``code,parent,definition,keywords``.

    Optional columns: ``name``, ``inclusion``, ``exclusion``, ``color``, ``lang``. The
    delimiter (``,``, ``;`` or tab) is taken from the header line. Keywords are split on
    ``;`` or ``|`` (only ``|`` when the delimiter is ``;``); keywords with ``*`` or ``?``
    form a ``glob`` rule, the others a ``phrase`` rule.

    Raises
    ------
    CodebookError
        Listing every problem, each with the line its row starts on.
    """
    return finish(*parse_codebook_csv(path), str(path))


read_codebook_csv.parse = parse_codebook_csv  # type: ignore[attr-defined]
read_codebook_csv.suffixes = (".csv",)  # type: ignore[attr-defined]
