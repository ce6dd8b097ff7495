"""Plots of the analysis tables with matplotlib: deterministic, no global pyplot state.

Each function takes the DataFrame an analysis function returned and an optional ``ax=``; it draws
on ``ax`` (or on a new :class:`matplotlib.figure.Figure`) and returns the figure. Fonts and sizes are
fixed (DejaVu Sans, which matplotlib ships), and :func:`save_figure` writes PNG/SVG/PDF without
dates or version metadata and with a fixed SVG hash salt, so the same table gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AnalysisError

__all__ = ["RC", "plot_code_frequencies", "plot_cooccurrence", "plot_matrix", "save_figure"]

#: the matplotlib settings every plot is drawn and saved with
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 11.0,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "figure.dpi": 100.0,
    "savefig.dpi": 100.0,
    "svg.hashsalt": "qualcoop",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _figure(ax, size: tuple[float, float]):
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _rc():
    import matplotlib

    return matplotlib.rc_context(RC)


def plot_code_frequencies(frequencies, *, value: str | None = None, by: str | None = None,
                          depth: int | None = None, ax=None):
    """Horizontal bars of a code frequency table, optionally one bar per attribute value.

    Parameters
    ----------
    frequencies : pandas.DataFrame
        From :func:`qualcoop.analysis.code_frequencies` (with ``by=`` for grouped bars).
    value : str, optional
        The column to plot: ``segments``, ``codings``, ``documents``, ``words``, ``per_1000_words`` or a
        ``*_share``. Default: ``segments``; with ``by``, a normalised figure, since groups of documents
        differ in size: ``per_1000_words`` when every document's text is known, else ``segment_share``.
    by : str, optional
        The attribute column to group bars by (must be in the table).
    depth : int, optional
        Only codes at this depth (0: the top level).
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np

    if value is None:
        value = "segments"
        if by is not None:
            per = frequencies["per_1000_words"] if "per_1000_words" in frequencies.columns else None
            value = "per_1000_words" if per is not None and not per.isna().any() else "segment_share"
    if value not in frequencies.columns:
        raise AnalysisError(f"no column {value!r} in the frequency table")
    if by is not None and by not in frequencies.columns:
        raise AnalysisError(f"the frequency table has no column {by!r}; compute it with by={by!r}")
    table = frequencies if depth is None else frequencies[frequencies["depth"] == depth]
    codes = list(dict.fromkeys(table["code_id"]))
    labels = [f"{'  ' * int(d)}{n}" for n, d in
              table.drop_duplicates("code_id")[["code_name", "depth"]].itertuples(index=False)]
    groups = sorted(dict.fromkeys(table[by])) if by is not None else [None]
    with _rc():
        fig, ax = _figure(ax, (7.0, max(2.5, 0.28 * len(codes) * max(1, len(groups) ** 0.5) + 1.0)))
        y = np.arange(len(codes), dtype=float)
        height = 0.8 / len(groups)
        for k, g in enumerate(groups):
            part = table if g is None else table[table[by] == g]
            vals = part.set_index("code_id").reindex(codes)[value].astype("float64").fillna(0.0).to_numpy()
            ax.barh(y - 0.4 + height * (k + 0.5), vals, height=height, label=None if g is None else str(g))
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel(value.replace("_", " "))
        ax.set_title(f"Code frequencies ({value.replace('_', ' ')})" + (f" by {by}" if by else ""))
        if by is not None:
            ax.legend(title=by, loc="lower right", frameon=False)
    return fig


def plot_cooccurrence(cooccurrence, *, value: str = "jaccard", ax=None):
    """A heatmap of a co-occurrence table (code x code), diagonal masked.

    Parameters
    ----------
    cooccurrence : pandas.DataFrame
        From :func:`qualcoop.analysis.code_cooccurrence`.
    value : str
        ``jaccard`` (default), ``n_ab``, ``lift``, ``chi2``.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np

    from ..analysis import cooccurrence_matrix

    matrix = cooccurrence_matrix(cooccurrence, value=value)
    data = matrix.to_numpy(dtype="float64").copy()
    np.fill_diagonal(data, np.nan)
    n = len(matrix)
    with _rc():
        fig, ax = _figure(ax, (max(4.0, 0.32 * n + 2.5), max(3.5, 0.32 * n + 2.0)))
        im = ax.imshow(np.ma.masked_invalid(data), cmap="Blues", aspect="equal", interpolation="nearest")
        ax.set_xticks(range(n), list(matrix.columns), rotation=90)
        ax.set_yticks(range(n), list(matrix.index))
        ax.set_title(f"Code co-occurrence ({value})")
        fig.colorbar(im, ax=ax, shrink=0.8, label=value)
        if n <= 25:
            for i in range(n):
                for j in range(n):
                    if i != j and data[i, j] == data[i, j] and data[i, j]:
                        txt = f"{data[i, j]:.0f}" if value == "n_ab" else f"{data[i, j]:.2f}"
                        ax.text(j, i, txt, ha="center", va="center", fontsize=6,
                                color="white" if data[i, j] > np.nanmax(data) * 0.6 else "black")
    return fig


def plot_matrix(matrix, *, value: str = "segments", ax=None):
    """A heatmap of a matrix coding table: codes x attribute values, with counts in the cells.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`qualcoop.analysis.matrix_coding`.
    value : str
        ``segments`` (default), ``codings``, ``documents``, ``words`` or ``segment_share``.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..analysis import matrix_table

    wide = matrix_table(matrix, value=value)
    data = wide.to_numpy(dtype="float64")
    rows, cols = data.shape
    with _rc():
        fig, ax = _figure(ax, (max(4.0, 1.0 * cols + 3.5), max(3.0, 0.3 * rows + 1.5)))
        im = ax.imshow(data, cmap="Oranges", aspect="auto", interpolation="nearest")
        ax.set_xticks(range(cols), [str(c) for c in wide.columns], rotation=30, ha="right")
        ax.set_yticks(range(rows), list(wide.index))
        ax.set_title(f"Codes \u00d7 {wide.columns.name or 'attribute'} ({value})")
        fig.colorbar(im, ax=ax, shrink=0.8, label=value)
        top = data.max() if data.size else 0
        for i in range(rows):
            for j in range(cols):
                v = data[i, j]
                if v == v and v:
                    ax.text(j, i, f"{v:.0f}" if value != "segment_share" else f"{v:.2f}", ha="center",
                            va="center", fontsize=6, color="white" if v > top * 0.6 else "black")
    return fig


def save_figure(fig, path: str | Path) -> Path:
    """Save ``fig`` (PNG, SVG or PDF by suffix) with no dates or versions in it: same plot, same bytes.

    Returns
    -------
    Path
    """
    path = Path(path)
    suffix = path.suffix.lower()
    metadata = {".png": {"Software": None}, ".svg": {"Date": None, "Creator": None},
                ".pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}.get(suffix)
    if metadata is None:
        raise AnalysisError(f"{path}: save plots as .png, .svg or .pdf")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _rc():
        fig.savefig(path, metadata=metadata)
    return path
