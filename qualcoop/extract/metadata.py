"""Document attributes from metadata sidecars (``metadata.csv`` / ``metadata.yaml`` / ``metadata.yml``).

Rules (decided here, relied on by :func:`qualcoop.extract.extract_file`):

- A sidecar is looked for in the file's folder and in up to :data:`MAX_PARENT_LEVELS` parent
  folders. The **nearest** sidecar that names the file supplies *all* its attributes (no
  merging across folders).
- A file is named by its path relative to the sidecar's folder, with ``/`` separators
  (so in the file's own folder that is just the file name, and a sidecar two folders up names
  it ``"interviews/2023/ID1.txt"``). Backslashes and a leading ``./`` in the sidecar are accepted.
- In one folder, all the sidecars present are read together; a file named twice (in one
  sidecar or across ``metadata.csv`` and ``metadata.yaml``) is a
  :class:`~qualcoop.errors.MetadataError` naming both places. There is no silent precedence.
- CSV: the first column is named ``file``, ``filename``, ``file_name`` or ``path`` (any case);
  the other columns are attributes. Cells are stripped of surrounding spaces, empty cells are
  omitted, values stay strings. The delimiter is the one of ``,`` ``;`` or tab most frequent
  in the header line (Excel in an Indonesian locale writes ``;``). The bytes are decoded with
  :func:`~qualcoop.extract.text.decode_bytes` (BOM from Excel's "CSV UTF-8" removed).
- YAML: a mapping ``{file: {attribute: value}}`` or a list of mappings each with a ``file``
  (or ``filename``/``file_name``/``path``) key. Values keep their YAML type (str, int, float,
  bool, list); dates become ISO strings; null values are omitted. Duplicate keys are errors.
- A sidecar naming a file that does not exist is not an error. A malformed sidecar is an
  error for every file that consults it.
- Parsed sidecars are cached per folder and re-read when a sidecar appears, disappears or
  changes mtime or size.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ExtractionError, MetadataError

__all__ = ["attributes_for", "read_sidecar", "load_yaml_mapping", "SIDECAR_NAMES", "MAX_PARENT_LEVELS",
           "clear_cache"]

#: sidecar file names, looked for in this order in each folder
SIDECAR_NAMES = ("metadata.csv", "metadata.yaml", "metadata.yml")
#: how many folders above the file's own folder are searched for sidecars
MAX_PARENT_LEVELS = 3
_FILE_COLUMNS = frozenset({"file", "filename", "file_name", "path"})
_CACHE_SIZE = 512

_cache: OrderedDict[str, tuple[tuple, dict[str, tuple[dict[str, Any], int, str]]]] = OrderedDict()
_lock = threading.Lock()


def attributes_for(path: str | Path) -> dict[str, Any]:
    """Attributes for ``path`` from the nearest metadata sidecar that names it.

    Parameters
    ----------
    path : path-like
        The document file (it need not exist).

    Returns
    -------
    dict
        The attributes (a new dict; empty when no sidecar names the file).

    Raises
    ------
    MetadataError
        A sidecar consulted on the way is malformed or names a file twice.

    Examples
    --------
    >>> attributes_for("corpora/score_bali/mou_kemnaker_ilo.pdf")   # doctest: +SKIP
    {'type': 'mou', 'language': 'id', 'year': '2019'}
    """
    target = Path(os.path.abspath(path))
    folder = target.parent
    for _ in range(MAX_PARENT_LEVELS + 1):
        key = target.relative_to(folder).as_posix()
        found = _folder_entries(folder).get(key)
        if found is not None:
            return dict(found[0])
        if folder.parent == folder:
            break
        folder = folder.parent
    return {}


def clear_cache() -> None:
    """Forget every parsed sidecar (they are re-read on next use)."""
    with _lock:
        _cache.clear()


def read_sidecar(path: str | Path) -> dict[str, dict[str, Any]]:
    """Parse one sidecar file into ``{relative file path: attributes}`` (uncached).

    Raises
    ------
    MetadataError
        Malformed content or a file named twice, with the sidecar path and line.
    """
    return {k: dict(v[0]) for k, v in _parse(Path(path)).items()}


def _folder_entries(folder: Path) -> dict[str, tuple[dict[str, Any], int, str]]:
    """Every sidecar entry of ``folder`` (cached; re-read when a sidecar's mtime or size changes)."""
    stamps = []
    key = str(folder)
    for name in SIDECAR_NAMES:  # asked for every file of a run: os.stat on strings, one call per name
        try:
            st = os.stat(os.path.join(key, name))
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            stamps.append((name, st.st_mtime_ns, st.st_size))
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == tuple(stamps):
            _cache.move_to_end(key)
            return hit[1]
    merged: dict[str, tuple[dict[str, Any], int, str]] = {}
    for name, _, _ in stamps:
        sidecar = folder / name
        for k, (attrs, line) in _parse(sidecar).items():
            if k in merged:
                _, other_line, other = merged[k]
                raise MetadataError(sidecar, f"file {k!r} is also named in {other}:{other_line}", line=line)
            merged[k] = (attrs, line, str(sidecar))
    with _lock:
        _cache[key] = (tuple(stamps), merged)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return merged


def _parse(sidecar: Path) -> dict[str, tuple[dict[str, Any], int]]:
    from .base import ExtractOptions
    from .text import decode_bytes

    try:
        data = sidecar.read_bytes()
    except OSError as e:
        raise MetadataError(sidecar, f"cannot read: {e.strerror or e}") from e
    try:
        text, _ = decode_bytes(sidecar, data, ExtractOptions())
    except ExtractionError as e:
        raise MetadataError(sidecar, f"cannot decode: {e.detail}") from e
    if sidecar.suffix.lower() == ".csv":
        return _parse_csv(sidecar, text)
    return _parse_yaml(sidecar, text)


def _norm_key(value: Any) -> str:
    key = str(value).strip().replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    return key


# --------------------------------------------------------------------------- CSV


def _parse_csv(sidecar: Path, text: str) -> dict[str, tuple[dict[str, Any], int]]:
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=lambda d: (header_line.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out: dict[str, tuple[dict[str, Any], int]] = {}
    header: list[str] | None = None
    last = 0
    try:
        for row in reader:
            line, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [h.strip() for h in row]
                if header[0].lower() not in _FILE_COLUMNS:
                    raise MetadataError(sidecar, f"the first column must be named file, filename or path, "
                                                 f"not {header[0]!r}", line=line)
                seen: set[str] = set()
                for h in header[1:]:
                    if not h:
                        raise MetadataError(sidecar, "a column has no name", line=line)
                    if h in seen:
                        raise MetadataError(sidecar, f"column {h!r} appears twice", line=line)
                    seen.add(h)
                continue
            if len(row) > len(header):
                raise MetadataError(sidecar, f"{len(row)} cells but the header has {len(header)} columns",
                                    line=line)
            key = _norm_key(row[0])
            if not key:
                raise MetadataError(sidecar, f"empty {header[0]!r} cell", line=line)
            if key in out:
                raise MetadataError(sidecar, f"file {key!r} is named twice (first on line {out[key][1]})",
                                    line=line)
            attrs = {h: cell.strip() for h, cell in zip(header[1:], row[1:]) if cell.strip()}
            out[key] = (attrs, line)
    except csv.Error as e:
        raise MetadataError(sidecar, f"malformed CSV: {e}", line=reader.line_num) from e
    if header is None:
        raise MetadataError(sidecar, "no header row")
    return out


# --------------------------------------------------------------------------- YAML


def _strict_loader():
    import yaml

    class _Loader(yaml.SafeLoader):
        """SafeLoader that refuses duplicate mapping keys (safe_load silently keeps the last)."""

        first_line = 1  # the file line where the YAML text starts, for messages

        def construct_mapping(self, node, deep=False):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue  # the base class reports unhashable keys
                line = key_node.start_mark.line
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first on line {seen[key] + self.first_line})",
                        key_node.start_mark)
                seen[key] = line
            return super().construct_mapping(node, deep=deep)

    return _Loader


def _yaml_nodes(path: str | Path, text: str, first_line: int):
    """Compose ``text`` into a node tree; returns (loader, root node) or raises MetadataError."""
    import yaml

    from ..bounded import check_yaml_tree
    from ..errors import LimitError

    try:
        loader = _strict_loader()(text)  # the reader refuses control characters here already
    except yaml.YAMLError as e:
        raise MetadataError(path, f"malformed YAML: {' '.join(str(e).split())}") from e
    loader.first_line = first_line
    try:
        node = loader.get_single_node()
        check_yaml_tree(node, where="the YAML")  # alias expansion and nesting limits, before constructing
        return loader, node
    except LimitError as e:
        loader.dispose()
        raise MetadataError(path, e.message) from e
    except RecursionError as e:
        loader.dispose()
        raise MetadataError(path, "the YAML nests too deeply") from e
    except yaml.MarkedYAMLError as e:
        loader.dispose()
        mark = e.problem_mark or e.context_mark
        raise MetadataError(path, f"malformed YAML: {e.problem or e}",
                            line=None if mark is None else mark.line + first_line) from e
    except yaml.YAMLError as e:
        loader.dispose()
        raise MetadataError(path, f"malformed YAML: {e}") from e


def _construct(loader, node, path: str | Path, first_line: int) -> Any:
    import yaml

    try:
        return loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise MetadataError(path, f"malformed YAML: {e.problem or e}",
                            line=None if mark is None else mark.line + first_line) from e


def _clean(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items() if v is not None}
    return value


def load_yaml_mapping(path: str | Path, text: str, *, first_line: int = 1,
                      what: str = "YAML") -> dict[str, Any]:
    """Load YAML that must be a mapping (front matter): duplicate keys and non-mappings are errors.

    ``first_line`` is the line of the file where ``text`` starts, so errors name file lines.
    Dates become ISO strings; null values are omitted.
    """
    import yaml

    loader, node = _yaml_nodes(path, text, first_line)
    try:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise MetadataError(path, f"{what} must be a mapping of names to values",
                                line=node.start_mark.line + first_line)
        return _clean(_construct(loader, node, path, first_line))
    finally:
        loader.dispose()


def _parse_yaml(sidecar: Path, text: str) -> dict[str, tuple[dict[str, Any], int]]:
    import yaml

    loader, node = _yaml_nodes(sidecar, text, 1)
    out: dict[str, tuple[dict[str, Any], int]] = {}

    def add(key_value: Any, attrs: Any, line: int) -> None:
        key = _norm_key(key_value) if key_value is not None else ""
        if not key:
            raise MetadataError(sidecar, "an entry has no file name", line=line)
        if not isinstance(attrs, Mapping):
            raise MetadataError(sidecar, f"the attributes of {key!r} must be a mapping", line=line)
        if key in out:
            raise MetadataError(sidecar, f"file {key!r} is named twice (first on line {out[key][1]})", line=line)
        out[key] = (_clean(dict(attrs)), line)

    try:
        if node is None:
            return out
        if isinstance(node, yaml.MappingNode):
            for k_node, v_node in node.value:
                line = k_node.start_mark.line + 1
                add(_construct(loader, k_node, sidecar, 1), _construct(loader, v_node, sidecar, 1) or {}, line)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                line = item.start_mark.line + 1
                entry = _construct(loader, item, sidecar, 1)
                if not isinstance(entry, Mapping):
                    raise MetadataError(sidecar, "each list item must be a mapping with a 'file' key", line=line)
                names = [k for k in entry if str(k).lower() in _FILE_COLUMNS]
                if len(names) != 1:
                    raise MetadataError(sidecar, "each list item needs exactly one of file, filename, path",
                                        line=line)
                attrs = {str(k): v for k, v in entry.items() if k != names[0]}
                add(entry[names[0]], attrs, line)
        else:
            raise MetadataError(sidecar, "a metadata YAML must be a mapping {file: {attribute: value}} "
                                         "or a list of {file: ..., attribute: ...}", line=node.start_mark.line + 1)
    finally:
        loader.dispose()
    return out
