"""``qualcoop formats``: what is registered (built-in, from installed plugins, or registered in code)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .app import _esc, app, err, out


def _describe(obj) -> tuple[str, str]:
    suffixes = " ".join(getattr(obj, "suffixes", ()) or ())
    media = str(getattr(obj, "media_type", "") or "")
    return suffixes, media


@app.command()
def formats(
    registry: Annotated[str, typer.Option("--registry", "-r", help="Only this registry (rule_kinds, extractors, "
                                          "segmenters, codebook_formats, codebook_writers, table_formats, "
                                          "topic_models).")] = "",
) -> None:
    """List the registered rule kinds, input formats, segmenters, codebook and table formats and topic
    models, with where each comes from; plugins that fail to load are listed with their distribution."""
    from ..registry import REGISTRIES

    if registry and registry not in REGISTRIES:
        err.print(f"[red]error:[/] no registry {registry!r}; known: {', '.join(REGISTRIES)}")
        raise typer.Exit(2)
    failures = []
    for key, reg in REGISTRIES.items():
        if registry and key != registry:
            continue
        table = Table(title=f"{key} (entry-point group {reg.group})" if reg.group else key)
        table.add_column("name")
        table.add_column("from")
        table.add_column("suffixes")
        table.add_column("media type")
        for name, obj in reg.items():
            suffixes, media = _describe(obj)
            table.add_row(_esc(name), _esc(reg.source(name)), _esc(suffixes), _esc(media))
        out.print(table)
        failures.extend(reg.failures())
    if failures:
        err.print(f"[bold red]{len(failures)} plugin(s) could not be loaded:[/]")
        for f in failures:
            err.print(f"  {f}", highlight=False, markup=False)
