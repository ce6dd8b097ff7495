"""REFI-QDA codebooks (``.qdc``, ``urn:QDA-XML:codebook:1.0``): read and write, losslessly.

A REFI-QDA code has a name, a colour and a free-text ``Description``. qualcoop's extra fields
(its id, inclusion and exclusion criteria, examples, labels per language, scope, negation policy
and rules) go into that description as a readable block after the definition, so NVivo, MAXQDA or
ATLAS.ti users see them and a round trip through another tool keeps them::

    Capacity building through training.

    [qualcoop]
    id: mechanism.training
    inclusion: Courses, workshops, scholarships.
    rules:
    - id: terms-en
      kind: phrase
      terms: [training, workshop]
    [/qualcoop]

The block is YAML between the two marker lines; :func:`parse_description` reads it back, and a
description without a block (every code another tool wrote) is the definition. The codebook's
own name, version, languages and description travel in a ``<?qualcoop {...}?>`` processing
instruction (ignored by other tools and by the schema); without it the name is the file stem.

Codes another tool wrote get ids made from their names, joined to their parent's id with ``.``
(``"1. Oltás típusa"`` -> ``1._oltás_típusa``). Sets of codes are reported, not kept (a qualcoop
codebook has no sets). XML is parsed by :func:`parse_xml` (defusedxml: no DTD, no entities).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..errors import Problem, RefiError, UnsafeInputError
from ..model import Code, Codebook
from .validate import check_codebook, finish, problem_at, slugify

__all__ = [
    "NS_CODEBOOK", "CODEBOOK_NAMESPACES", "QUALCOOP_GUID_NAMESPACE", "code_guid", "describe_code",
    "parse_description", "parse_xml", "xml_safe", "xml_name", "local", "parse_qdc", "read_qdc", "dump_qdc", "write_qdc",
    "codes_element", "foreign_code_id",
]

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
#: namespaces accepted for a codebook (NVivo 12 for Mac writes ``1:0``; early drafts ``0:4``)
CODEBOOK_NAMESPACES = (NS_CODEBOOK, "urn:QDA-XML:codebook:1:0", "urn:QDA-XML:codebook:0:4")
#: the uuid5 namespace of every GUID qualcoop writes (so repeated exports are byte-identical)
QUALCOOP_GUID_NAMESPACE = uuid.UUID("6f1c3b0e-0c5a-5d2e-9a43-7175616c636f")
BLOCK_START = "[qualcoop]"
BLOCK_END = "[/qualcoop]"
#: codes nested deeper than this are not read (real codebooks have a handful of levels)
MAX_CODE_DEPTH = 64
#: fields of Code.to_dict() kept outside the block (attributes of the XML code or the definition)
_OUTSIDE = ("name", "parent", "definition", "color")


def code_guid(codebook_name: str, code_id: str) -> str:
    """The deterministic GUID of a code: ``uuid5(QUALCOOP_GUID_NAMESPACE, "code/<codebook>/<id>")``."""
    return str(uuid.uuid5(QUALCOOP_GUID_NAMESPACE, f"code/{codebook_name}/{code_id}")).upper()


# --------------------------------------------------------------------------- safe XML


def parse_xml(data: bytes, where: str | Path) -> ET.Element:
    """Parse XML refusing DTDs, entity declarations and external references (defusedxml).

    Processing instructions are kept. ``where`` names the file (and member) in errors.

    Raises
    ------
    UnsafeInputError
        For a DTD, an entity or an external reference (billion laughs, XXE), or a document
        larger than :data:`qualcoop.limits.MAX_FILE_BYTES`.
    RefiError
        If the bytes are not well-formed XML.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    from ..limits import current, limit_message

    cap = current("MAX_FILE_BYTES")
    if len(data) > cap:
        raise UnsafeInputError(where, limit_message("MAX_FILE_BYTES", cap, f"XML of {len(data)} bytes is too large"))
    parser = DefusedXMLParser(target=ET.TreeBuilder(insert_pis=True), forbid_dtd=True,
                              forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as e:
        raise UnsafeInputError(where, f"refused: {type(e).__name__} ({e}); REFI-QDA files need no "
                                      "DTD or entities") from e
    except ET.ParseError as e:
        raise RefiError(where, f"not well-formed XML: {e}") from e


def local(tag: Any) -> str:
    """The element name without its namespace (``""`` for comments and PIs)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(el: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in el if local(c.tag) == name)


def child(el: ET.Element, name: str) -> ET.Element | None:
    return next(children(el, name), None)


def text_of(el: ET.Element | None) -> str:
    return "" if el is None else (el.text or "")


# --------------------------------------------------------------------------- the description block


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> bool:
    """True when ``text`` has no character XML 1.0 cannot hold (lxml writes ``\\r`` as ``&#13;``)."""
    return _XML_ILLEGAL.search(text) is None


def xml_name(text: str) -> str:
    """``text`` with the characters XML cannot hold replaced by U+FFFD (for attributes)."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def _block_fields(code: Code, derived_id: str) -> dict[str, Any]:
    d = {k: v for k, v in code.to_dict().items() if k not in _OUTSIDE}
    if BLOCK_START in code.definition or BLOCK_END in code.definition or not xml_safe(code.definition) \
            or code.definition.endswith("\r"):
        d["definition"] = code.definition  # kept inside the block (YAML escapes what XML cannot hold)
    if not xml_safe(code.name):
        d["name"] = code.name
    if set(d) == {"id"} and d["id"] == derived_id:
        return {}
    return d


def describe_code(code: Code, *, derived_id: str | None = None) -> str:
    """The REFI-QDA ``Description`` of ``code``: its definition, then a ``[qualcoop]`` block
    with every other field (none when the code has nothing else and ``derived_id`` is its id)."""
    import yaml

    from .yaml_format import yaml_dumper

    fields = _block_fields(code, derived_id if derived_id is not None else "")
    if not fields:
        return code.definition
    block = yaml.dump(fields, Dumper=yaml_dumper(), sort_keys=False, allow_unicode=True, width=100,
                      default_flow_style=False)
    definition = "" if "definition" in fields else code.definition
    head = f"{definition}\n\n" if definition else ""
    return f"{head}{BLOCK_START}\n{block}{BLOCK_END}"


_BLOCK = re.compile(r"(?:\r?\n\r?\n|^)" + re.escape(BLOCK_START) + r"\r?\n(.*?)" + re.escape(BLOCK_END) + r"\s*\Z",
                    re.S)


def parse_description(text: str) -> tuple[str, dict[str, Any], str | None]:
    """``(definition, block fields, problem)`` from a REFI-QDA description.

    Without a ``[qualcoop]`` block the whole text is the definition. A block that is not a YAML
    mapping leaves the text as the definition and returns a problem message.
    """
    import yaml

    m = _BLOCK.search(text)
    if m is None:
        return text, {}, None
    from ..bounded import check_yaml_tree
    from ..errors import LimitError

    try:
        node = yaml.compose(m.group(1), Loader=yaml.SafeLoader)
        check_yaml_tree(node, where="the [qualcoop] block")  # aliases and nesting, before constructing
        fields = yaml.safe_load(m.group(1))
    except LimitError as e:
        return text, {}, f"{e.message}; kept as text"
    except (yaml.YAMLError, RecursionError) as e:
        return text, {}, f"the [qualcoop] block in the description is not valid YAML ({e}); kept as text"
    if not isinstance(fields, dict):
        return text, {}, "the [qualcoop] block in the description is not a mapping; kept as text"
    definition = text[:m.start()]
    if "definition" in fields:
        definition = str(fields.pop("definition"))
    return definition, fields, None


# --------------------------------------------------------------------------- reading


def foreign_code_id(name: str, parent_id: str | None, taken: set[str]) -> str:
    """An id for a code another tool wrote: its name lower-cased with runs of other characters
    as ``_``, after its parent's id and a ``.``; ``-2``, ``-3`` ... when taken."""
    slug = re.sub(r"[^\w\-]+", "_", name.lower()).strip("_-") or "code"
    base = f"{parent_id}.{slug}" if parent_id else slug
    cid, n = base, 2
    while cid in taken:
        cid, n = f"{base}-{n}", n + 1
    taken.add(cid)
    return cid


def _color(value: str | None) -> str | None:
    if not value:
        return None
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:])
    return value


def code_dicts(codes_el: ET.Element, where: str, problems: list[Problem]) -> tuple[list[dict[str, Any]],
                                                                                      dict[str, str]]:
    """Code dicts (qualcoop's structure, parents before children) from a ``<Codes>`` element, and a
    map GUID -> code id. Used for ``.qdc`` files and for the codebook inside a project."""
    out: list[dict[str, Any]] = []
    guids: dict[str, str] = {}
    taken: set[str] = set()

    # depth-first in document order, without recursion (a hostile file may nest codes very deeply)
    stack: list[tuple[ET.Element, str | None, int]] = [(el, None, 0) for el in reversed(list(children(codes_el, "Code")))]
    too_deep = 0
    while stack:
        el, parent, depth = stack.pop()
        if depth >= MAX_CODE_DEPTH:
            too_deep += sum(1 for e in el.iter() if local(e.tag) == "Code")
            continue
        name = el.get("name") or ""
        definition, fields, problem = parse_description(text_of(child(el, "Description")))
        cid = fields.pop("id", None)
        if not isinstance(cid, str) or not cid or cid in taken:
            cid = foreign_code_id(name, parent, taken)
        else:
            taken.add(cid)
        if problem:
            problems.append(problem_at(where, problem, code_id=cid, kind="warning"))
        d: dict[str, Any] = {"id": cid, "name": fields.pop("name", None) or name or cid}
        if parent:
            d["parent"] = parent
        if definition:
            d["definition"] = definition
        if (color := _color(el.get("color"))) is not None:
            d["color"] = color
        for k, v in fields.items():
            if k not in d:
                d[k] = v
        if (el.get("isCodable") or "true").strip().lower() in ("false", "0"):
            problems.append(problem_at(where, "isCodable=false is not kept (every qualcoop code is codable)",
                                       code_id=cid, kind="warning"))
        guid = (el.get("guid") or "").strip("{}").upper()
        if guid:
            guids[guid] = cid
        out.append(d)
        stack.extend((kid, cid, depth + 1) for kid in reversed(list(children(el, "Code"))))
    if too_deep:
        problems.append(problem_at(where, f"{too_deep} code(s) nested deeper than {MAX_CODE_DEPTH} levels are "
                                          "not read (with their codings)", kind="warning"))
    return out, guids


def build_codebook(data: dict[str, Any], where: str) -> tuple[Codebook | None, list[Problem]]:
    """A codebook from qualcoop's dict structure, through the JSON reader (so it is checked the same
    way as a file); problem lines are dropped (they would point into the generated JSON)."""
    from .locate import SourceError, json_tree
    from .yaml_format import _Builder

    try:
        root = json_tree(json.dumps(data, ensure_ascii=False))
    except SourceError as e:  # pragma: no cover - json.dumps output always parses
        return None, [problem_at(where, e.message)]
    builder = _Builder(where)
    codebook = builder.codebook(root)
    problems = [replace(p, line=None) for p in builder.problems]
    if codebook is not None:
        codebook = replace(codebook, codes=tuple(replace(c, line=None, rules=tuple(
            replace(r, line=None) for r in c.rules)) for c in codebook.codes))
        problems += [replace(p, line=None) for p in check_codebook(codebook, path=where)]
    return codebook, problems


def _meta(root: ET.Element) -> dict[str, Any]:
    for node in root.iter():
        if node.tag is ET.ProcessingInstruction and (node.text or "").startswith("qualcoop "):
            try:
                meta = json.loads(node.text[len("qualcoop "):])
            except ValueError:
                return {}
            return meta if isinstance(meta, dict) else {}
    return {}


def in_order(codes: list[dict[str, Any]], meta: dict[str, Any]) -> list[dict[str, Any]]:
    """Codes in the order the writer recorded (``meta["order"]``), else as nested in the XML."""
    order = meta.get("order")
    if not isinstance(order, list):
        return codes
    rank = {cid: n for n, cid in enumerate(order) if isinstance(cid, str)}
    return sorted(codes, key=lambda d: (rank.get(d["id"], len(rank)),))


def parse_qdc(path: str | Path) -> tuple[Codebook | None, list[Problem]]:
    """Read a ``.qdc`` without raising for codebook problems: ``(codebook or None, every problem)``.

    Raises
    ------
    UnsafeInputError
        If the XML has a DTD or entities.
    """
    p = Path(path)
    where = str(p)
    try:
        data = p.read_bytes()
    except OSError as e:
        return None, [problem_at(where, f"cannot read the file: {e.strerror or e}")]
    try:
        root = parse_xml(data, where)
    except UnsafeInputError:
        raise
    except RefiError as e:
        return None, [problem_at(where, e.detail)]
    problems: list[Problem] = []
    if local(root.tag) != "CodeBook":
        return None, [problem_at(where, f"not a REFI-QDA codebook: the root element is <{local(root.tag)}>, "
                                        "not <CodeBook>")]
    ns = namespace(root.tag)
    if ns not in CODEBOOK_NAMESPACES:
        problems.append(problem_at(where, f"unexpected namespace {ns!r} (expected {NS_CODEBOOK!r}); read "
                                          "anyway", kind="warning"))
    codes_el = child(root, "Codes")
    codes, _ = code_dicts(codes_el, where, problems) if codes_el is not None else ([], {})
    sets_el = child(root, "Sets")
    n_sets = len(list(children(sets_el, "Set"))) if sets_el is not None else 0
    if n_sets:
        problems.append(problem_at(where, f"{n_sets} set(s) of codes are not kept (a qualcoop codebook has "
                                          "no sets)", kind="warning"))
    meta = _meta(root)
    codes = in_order(codes, meta)
    data_: dict[str, Any] = {
        "name": meta.get("name") or slugify(p.stem),
        "version": meta.get("version") or "1",
        "languages": meta.get("languages") or ["en"],
        "codes": codes,
    }
    if meta.get("description"):
        data_["description"] = meta["description"]
    if meta.get("overlaps"):  # the overlap policy (plugins branch), when not the default
        data_["overlaps"] = meta["overlaps"]
    codebook, more = build_codebook(data_, where)
    if codebook is not None:
        codebook = replace(codebook, path=where)
    return codebook, problems + more


def read_qdc(path: str | Path) -> Codebook:
    """Read and validate a REFI-QDA codebook (``.qdc``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Codebook
        Codes another tool wrote keep their name, colour and description (as the definition);
        codes qualcoop wrote come back equal, rules included.

    Raises
    ------
    CodebookError
        Listing every error.
    UnsafeInputError
        If the XML has a DTD or entities.

    Examples
    --------
    >>> cb = read_qdc("tests/data/refi/codebook.qdc")   # doctest: +SKIP
    """
    return finish(*parse_qdc(path), str(path))


read_qdc.parse = parse_qdc  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- writing


def codes_element(codebook: Codebook, ns: str) -> Any:
    """The lxml ``<Codes>`` element of ``codebook`` (codes nested by parent, in file order)."""
    from lxml import etree

    codes_el = etree.Element(f"{{{ns}}}Codes")
    parents: dict[str | None, Any] = {None: codes_el}
    taken: set[str] = set()
    for _, code in codebook.walk():
        parent = code.parent if code.parent in codebook else None
        el = etree.SubElement(parents[parent], f"{{{ns}}}Code")
        el.set("guid", code_guid(codebook.name, code.id))
        el.set("name", xml_name(code.name or code.id))
        el.set("isCodable", "true")
        if code.color:
            el.set("color", code.color)
        # the id the reader would make from the name (it sees the same ids taken before)
        derived = foreign_code_id(xml_name(code.name or code.id), parent, set(taken))
        taken.add(code.id)
        desc = describe_code(code, derived_id=derived)
        if desc:
            etree.SubElement(el, f"{{{ns}}}Description").text = desc
        parents[code.id] = el
    return codes_el


def meta_pi(codebook: Codebook) -> Any:
    from lxml import etree

    meta = {"name": codebook.name, "version": codebook.version, "languages": list(codebook.languages)}
    if codebook.description:
        meta["description"] = codebook.description
    if codebook.overlaps != "longest":
        meta["overlaps"] = codebook.overlaps
    walk = [c.id for _, c in codebook.walk()]
    if walk != [c.id for c in codebook.codes]:
        meta["order"] = [c.id for c in codebook.codes]  # the XML nests codes; this is the file order
    body = json.dumps(meta, ensure_ascii=True, sort_keys=True).replace("?>", "?\\u003e")
    return etree.ProcessingInstruction("qualcoop", body)


def dump_qdc(codebook: Codebook) -> bytes:
    """The codebook as ``.qdc`` bytes (UTF-8, deterministic; see :func:`write_qdc`)."""
    from lxml import etree

    from .. import __version__

    if not codebook.codes:
        raise RefiError(codebook.path or codebook.name, "a REFI-QDA codebook needs at least one code")
    root = etree.Element(f"{{{NS_CODEBOOK}}}CodeBook", nsmap={None: NS_CODEBOOK})
    root.set("origin", f"qualcoop {__version__}")
    root.append(meta_pi(codebook))
    root.append(codes_element(codebook, NS_CODEBOOK))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdc(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` as a REFI-QDA codebook (``.qdc``) that validates against the Codebook schema.

    Every field survives :func:`read_qdc`: name, colour and definition as REFI-QDA has them, the
    rest in the description's ``[qualcoop]`` block, the codebook's name, version and languages in
    a processing instruction. GUIDs are uuid5 of the codebook name and code id, so writing twice
    gives the same bytes.
    """
    Path(path).write_bytes(dump_qdc(codebook))
