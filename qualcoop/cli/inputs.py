"""Which input files a run reads: the ``--include``/``--exclude``/``--follow-symlinks`` options and
the summary of every path the run passed over (see :func:`qualcoop.corpus.discover_files`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Optional

import typer

Include = Annotated[Optional[list[str]], typer.Option(
    "--include", help="Glob of files to read that the default rules skip (hidden, '_' folders, readmes); "
                      "repeatable. Matched against the path inside the folder or the file name.")]
Exclude = Annotated[Optional[list[str]], typer.Option(
    "--exclude", help="Glob of files not to read; repeatable (wins over --include).")]
FollowSymlinks = Annotated[bool, typer.Option(
    "--follow-symlinks", help="Read symbolic links that point outside the input folder.")]
def _check_encoding(value: str | None) -> str | None:
    import codecs

    if value:
        try:
            codecs.lookup(value)
        except LookupError:
            raise typer.BadParameter(f"unknown encoding {value!r}") from None
    return value


Encoding = Annotated[Optional[str], typer.Option(
    "--encoding", help="Text encoding of TXT/Markdown/HTML files (e.g. cp1252); default: detected.",
    callback=_check_encoding)]


def report_skipped(skipped: Sequence, console) -> None:
    """One line per skipped path with its reason, grouped by reason (never silent)."""
    if not skipped:
        return
    by_reason: dict[str, list[str]] = {}
    for s in skipped:
        by_reason.setdefault(_kind(s.reason), []).append(f"{s.path}: {s.reason}")
    console.print(f"{len(skipped)} path(s) skipped (--include/--exclude change the rules):", markup=False,
                  highlight=False)
    for lines in by_reason.values():
        for line in lines:
            console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


def _kind(reason: str) -> str:
    return reason.split(" (")[0].split(" '")[0]
