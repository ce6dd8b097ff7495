"""Co-occurrence networks as GraphML (for Gephi, Cytoscape, networkx, igraph).

Written with :mod:`xml.etree.ElementTree` (a real XML writer: every string is escaped), nodes and
edges in table order, so the same table gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AnalysisError

__all__ = ["cooccurrence_graphml", "write_graphml"]

NS = "http://graphml.graphdrawing.org/xmlns"
_NODE_KEYS = (("name", "string"), ("count", "int"))
_EDGE_KEYS = (("weight", "double"), ("n_ab", "int"), ("jaccard", "double"), ("lift", "double"),
              ("chi2", "double"))


def cooccurrence_graphml(cooccurrence, *, weight: str = "n_ab", min_count: int = 1) -> bytes:
    """The co-occurrence table as an undirected GraphML graph.

    Parameters
    ----------
    cooccurrence : pandas.DataFrame
        From :func:`qualcoop.analysis.code_cooccurrence`.
    weight : str
        The column used as the edge ``weight`` (``n_ab``, ``jaccard``, ``lift``, ``chi2``).
    min_count : int
        Leave out edges with fewer units together than this.

    Returns
    -------
    bytes
        UTF-8 GraphML: one node per code (``name``, ``count`` = units with the code), one edge per
        unordered pair with ``n_ab >= min_count`` (``weight``, ``n_ab``, ``jaccard``, ``lift``, ``chi2``).
    """
    import xml.etree.ElementTree as ET

    if weight not in ("n_ab", "jaccard", "lift", "chi2"):
        raise AnalysisError(f"GraphML weight must be n_ab, jaccard, lift or chi2 (got {weight!r})")
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}graphml")
    for i, (name, kind) in enumerate(_NODE_KEYS):
        ET.SubElement(root, f"{{{NS}}}key", {"id": f"n{i}", "for": "node", "attr.name": name, "attr.type": kind})
    for i, (name, kind) in enumerate(_EDGE_KEYS):
        ET.SubElement(root, f"{{{NS}}}key", {"id": f"e{i}", "for": "edge", "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, f"{{{NS}}}graph", {"id": "cooccurrence", "edgedefault": "undirected"})
    order = list(dict.fromkeys(cooccurrence["code_a"]))
    pos = {c: i for i, c in enumerate(order)}
    nodes = cooccurrence[cooccurrence["code_a"] == cooccurrence["code_b"]]
    for r in nodes.itertuples(index=False):
        node = ET.SubElement(graph, f"{{{NS}}}node", {"id": r.code_a})
        _data(node, "n0", r.name_a)
        _data(node, "n1", str(int(r.n_a)))
    for r in cooccurrence.itertuples(index=False):
        if pos[r.code_a] >= pos[r.code_b] or r.n_ab < min_count:
            continue
        edge = ET.SubElement(graph, f"{{{NS}}}edge", {"source": r.code_a, "target": r.code_b})
        _data(edge, "e0", _num(getattr(r, weight)))
        _data(edge, "e1", str(int(r.n_ab)))
        _data(edge, "e2", _num(r.jaccard))
        _data(edge, "e3", _num(r.lift))
        _data(edge, "e4", _num(r.chi2))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_graphml(cooccurrence, path: str | Path, *, weight: str = "n_ab", min_count: int = 1) -> Path:
    """Write :func:`cooccurrence_graphml` to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cooccurrence_graphml(cooccurrence, weight=weight, min_count=min_count))
    return path


def _data(parent, key: str, text: str) -> None:
    import xml.etree.ElementTree as ET

    el = ET.SubElement(parent, f"{{{NS}}}data", {"key": key})
    el.text = text


def _num(v: float) -> str:
    return repr(float(v))
