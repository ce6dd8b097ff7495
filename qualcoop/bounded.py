"""Bounded reading of structured text: the YAML expansion and nesting limits every reader applies.

:func:`check_yaml_tree` walks a composed PyYAML node tree (``yaml.compose``) once, counting each
node every time an alias uses it, and refuses a document that would expand past
:data:`qualcoop.limits.MAX_YAML_NODES` nodes ("billion laughs": 400 bytes of nested aliases
expand to gigabytes) or nest deeper than :data:`qualcoop.limits.MAX_NESTING`. It runs before
anything is constructed, in time linear in the size of the file, not of the expansion.
"""

from __future__ import annotations

from typing import Any

from . import limits
from .errors import LimitError

__all__ = ["check_yaml_tree"]


def check_yaml_tree(root: Any, *, where: str = "YAML") -> None:
    """Raise :class:`~qualcoop.errors.LimitError` if ``root`` expands or nests past the limits.

    ``root`` is a PyYAML node (or ``None``). Shared (aliased) nodes are measured once and
    counted every time they are used; a recursive alias counts as nesting past the limit.
    """
    if root is None:
        return
    max_nodes = limits.current("MAX_YAML_NODES")
    max_depth = limits.current("MAX_NESTING")
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order walk: (node, children visited?)
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        kids = _children(node)
        if done:
            on_path.discard(nid)
            total = 1 + sum(size[id(k)] for k in kids)
            d = 1 + max((depth[id(k)] for k in kids), default=0)
            if total > max_nodes:
                raise LimitError("MAX_YAML_NODES", max_nodes,
                                 f"{where} expands past {max_nodes} nodes (aliases used over and over?)")
            if d > max_depth:
                raise LimitError("MAX_NESTING", max_depth, f"{where} nests deeper than {max_depth} levels")
            size[nid] = total
            depth[nid] = d
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise LimitError("MAX_NESTING", max_depth, f"{where} holds a recursive alias (infinite nesting)")
        if len(on_path) >= max_depth:
            raise LimitError("MAX_NESTING", max_depth, f"{where} nests deeper than {max_depth} levels")
        on_path.add(nid)
        stack.append((node, True))
        for k in kids:
            if id(k) not in size:
                stack.append((k, False))


def _children(node: Any) -> list[Any]:
    value = getattr(node, "value", None)
    if not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, tuple):
            out.extend(item)
        else:
            out.append(item)
    return out
