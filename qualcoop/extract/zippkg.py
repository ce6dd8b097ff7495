"""Bounded, hardened reading of office zips (.docx, .odt): zip-bomb checks before reading, a byte
budget per file, and XML parsed with no DTD, no entity expansion and no network (XXE and
billion-laughs payloads become typed errors)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path

from .. import limits
from ..errors import (CorruptDocumentError, EncryptedDocumentError, ResourceLimitError,
                      UnsupportedFormatError)
from .base import ExtractOptions

__all__ = ["MAX_RATIO", "MAX_UNCOMPRESSED", "OLE_MAGIC", "ZipPackage"]

#: a part that inflates more than this many times is refused (when it is over _RATIO_FLOOR bytes)
MAX_RATIO = limits.MAX_ZIP_RATIO
_RATIO_FLOOR = 1 << 20
#: total uncompressed bytes read from one file at most (also capped by ``options.max_bytes``)
MAX_UNCOMPRESSED = limits.MAX_ZIP_UNCOMPRESSED
#: the magic number of OLE2 containers (legacy .doc, encrypted Office files)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


class ZipPackage:
    """Bounded, hardened access to the parts of an office zip (OOXML .docx, ODF .odt)."""

    def __init__(self, path: Path, data: bytes, options: ExtractOptions) -> None:
        self.path = path
        if data.startswith(OLE_MAGIC):
            if "EncryptionInfo".encode("utf-16-le") in data:
                raise EncryptedDocumentError(path, "an encrypted Office file (OLE container)")
            raise UnsupportedFormatError(path, "an OLE2 file (a legacy .doc?), not an office zip")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as e:
            raise CorruptDocumentError(path, f"not a valid zip: {e}") from e
        members = self.zip.infolist()
        max_members = limits.current("MAX_ZIP_MEMBERS")
        if len(members) > max_members:
            raise ResourceLimitError(path, limits.limit_message(
                "MAX_ZIP_MEMBERS", max_members, f"the zip holds {len(members)} members"))
        self.infos = {i.filename: i for i in members}
        self.budget = min(limits.current("MAX_ZIP_UNCOMPRESSED"), options.max_bytes)
        self.read_bytes = 0
        declared = sum(i.file_size for i in self.infos.values() if i.filename.endswith((".xml", ".rels")))
        if declared > self.budget:
            raise ResourceLimitError(path, limits.limit_message("MAX_ZIP_UNCOMPRESSED", self.budget, (
                f"the zip declares {declared} bytes of XML, over the limit of {self.budget}")))

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str, limit: int | None = None) -> bytes:
        info = self.infos[name]
        cap = self.budget - self.read_bytes if limit is None else min(limit, self.budget - self.read_bytes)
        if info.file_size > cap:
            raise ResourceLimitError(self.path, f"part {name} declares {info.file_size} bytes, over the "
                                                f"remaining limit of {cap}")
        ratio = limits.current("MAX_ZIP_RATIO")
        if info.file_size > _RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise ResourceLimitError(self.path, limits.limit_message("MAX_ZIP_RATIO", ratio, (
                f"part {name} inflates {info.file_size // max(info.compress_size, 1)} times: a zip bomb?")))
        try:
            with self.zip.open(info) as fh:
                blob = fh.read(cap + 1)
        except RuntimeError as e:  # encrypted zip member
            raise EncryptedDocumentError(self.path, f"part {name}: {e}") from e
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise CorruptDocumentError(self.path, f"part {name}: {e}") from e
        except Exception as e:  # zlib.error and friends from a damaged stream
            raise CorruptDocumentError(self.path, f"part {name}: {type(e).__name__}: {e}") from e
        if len(blob) > cap:
            raise ResourceLimitError(self.path, f"part {name} inflates past the limit of {cap} bytes")
        self.read_bytes += len(blob)
        return blob

    def xml(self, name: str):
        """Parse part ``name`` safely (no DTD, no entities, no network)."""
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                                 dtd_validation=False, remove_comments=True, remove_pis=True)
        try:
            root = etree.fromstring(self.read(name), parser)
        except etree.XMLSyntaxError as e:
            text = f"{e} {e.error_log}".lower()
            if "memory" in text or ("unknown error" in text and "line 0" in text):
                # libxml2 could not allocate (the sandbox's memory cap): a limit, not a corrupt file
                raise MemoryError(f"part {name}: {e}") from e
            raise CorruptDocumentError(self.path, f"part {name}: malformed XML: {e}") from e
        if root is None:
            raise CorruptDocumentError(self.path, f"part {name}: no XML content")
        docinfo = root.getroottree().docinfo
        if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
            raise CorruptDocumentError(self.path, f"part {name} declares a DTD; refused (XXE / entity "
                                                  "expansion is never legitimate in office documents)")
        return root

    def relationships(self, source: str) -> dict[str, str]:
        """``{relationship type suffix: target part}`` for part ``source`` ("" for the package)."""
        folder, base = posixpath.split(source)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels):
            return {}
        out: dict[str, str] = {}
        for rel in self.xml(rels):
            if rel.tag != f"{{{_PKG_RELS}}}Relationship" or rel.get("TargetMode") == "External":
                continue
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            target = rel.get("Target") or ""
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            out.setdefault(kind, target)
        return out
