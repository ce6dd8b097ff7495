"""Plots: drawn on a given ax or a new figure, and byte-identical files run to run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from tiny import EVIL, coding_set  # noqa: E402

from qualcoop.analysis import code_cooccurrence, code_frequencies, matrix_coding  # noqa: E402
from qualcoop.errors import AnalysisError  # noqa: E402
from qualcoop.export.graphml import cooccurrence_graphml  # noqa: E402
from qualcoop.export.plots import (plot_code_frequencies, plot_cooccurrence, plot_matrix,  # noqa: E402
                                   save_figure)


def _figures():
    cs = coding_set()
    return {
        "freq": plot_code_frequencies(code_frequencies(cs, by="type"), by="type"),
        "co": plot_cooccurrence(code_cooccurrence(cs), value="n_ab"),
        "matrix": plot_matrix(matrix_coding(cs, "type")),
    }


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_same_plot_same_bytes(tmp_path, suffix):
    first = {k: save_figure(f, tmp_path / f"a_{k}{suffix}").read_bytes() for k, f in _figures().items()}
    second = {k: save_figure(f, tmp_path / f"b_{k}{suffix}").read_bytes() for k, f in _figures().items()}
    assert first == second
    if suffix == ".svg":
        assert all(b"<dc:date>" not in v and b"Matplotlib v" not in v for v in first.values())
    if suffix == ".png":
        assert all(v[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in v for v in first.values())


def test_draws_on_the_given_ax():
    from matplotlib.figure import Figure

    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    cs = coding_set()
    assert plot_code_frequencies(code_frequencies(cs), ax=ax1) is fig
    assert plot_matrix(matrix_coding(cs, "type"), ax=ax2) is fig
    # bars: 7 codes, heights = rolled-up segments counted by hand (see tests/analysis/tiny.py)
    assert [round(p.get_width()) for p in ax1.patches] == [2, 2, 1, 3, 2, 2, 0]
    labels = [t.get_text() for t in ax1.get_yticklabels()]
    assert EVIL in labels[1]  # plain text in a plot, no markup involved
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["interview", "mou"]
    assert ax1.get_yticklabels()[0].get_fontname() == "DejaVu Sans"


def test_bad_columns_are_errors(tmp_path):
    with pytest.raises(AnalysisError, match="by='type'"):
        plot_code_frequencies(code_frequencies(coding_set()), by="type")
    with pytest.raises(AnalysisError, match=r"\.png"):
        save_figure(_figures()["freq"], tmp_path / "x.gif")


def test_graphml_escapes_and_counts():
    from defusedxml import ElementTree as ET

    data = cooccurrence_graphml(code_cooccurrence(coding_set()))
    root = ET.fromstring(data)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    nodes = root.findall(".//g:node", ns)
    edges = root.findall(".//g:edge", ns)
    assert [n.get("id") for n in nodes] == ["actor.io", "actor.gov", "mech.training", "mech.funding"]
    assert nodes[0].find("g:data[@key='n0']", ns).text == EVIL
    # pairs together at least once: io-gov, io-training, gov-training, training-funding
    assert [(e.get("source"), e.get("target")) for e in edges] == [
        ("actor.io", "actor.gov"), ("actor.io", "mech.training"), ("actor.gov", "mech.training"),
        ("mech.training", "mech.funding")]
    assert data == cooccurrence_graphml(code_cooccurrence(coding_set()))
