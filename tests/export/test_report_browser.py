"""The HTML report in a real browser (headless Chromium): rendered DOM, no script injection, filters.

Skips when Chromium is not installed, unless QUALCOOP_REQUIRE_SERVICES=1 (CI), where it fails.
Screenshots are kept in tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from tiny import EVIL, INT, MOU, N_EVIDENCE, N_SEGMENTS, coding_set  # noqa: E402

from qualcoop.export.report import write_report  # noqa: E402

pytestmark = pytest.mark.service
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("QUALCOOP_REQUIRE_SERVICES") == "1":
        pytest.fail("Chromium is required (QUALCOOP_REQUIRE_SERVICES=1) but not installed: "
                    "apt-get install -y chromium")
    pytest.skip("Chromium is not installed (apt-get install -y chromium); browser test skipped")


def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _dom(browser: str, profile: Path, url: str):
    res = _run(browser, profile, "--virtual-time-budget=5000", "--dump-dom", url)
    assert res.returncode == 0, res.stderr[-2000:]
    return lxml.html.fromstring(res.stdout)


@pytest.fixture(scope="module")
def browser():
    return _chromium()


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    return write_report(coding_set(), tmp_path_factory.mktemp("report") / "report.html", by="type")


def test_rendered_dom_counts_and_no_injection(browser, tiny_report, tmp_path):
    dom = _dom(browser, tmp_path / "profile", tiny_report.as_uri())
    body = dom.xpath("//body")[0]
    assert body.get("data-qc-ready") == "1"  # the script ran to the end
    assert body.get("data-qc-marks") == str(N_EVIDENCE)
    marks = [m for m in dom.xpath("//section[@class='doc']//mark")
             if "cont" not in m.get("class").split()]
    assert len(marks) == N_EVIDENCE
    segs = [s for s in dom.xpath("//section[@class='doc']//span[contains(concat(' ', @class, ' '), ' seg ')]")
            if "cont" not in s.get("class").split()]
    assert len(segs) == N_SEGMENTS
    # the malicious code name is text everywhere, including the <option> the script built from JSON
    assert dom.xpath("//img") == []
    options = [o.text_content() for o in dom.xpath("//select[@id='qc-code']/option")]
    assert "actor.io \u2014 " + EVIL in options
    assert any(EVIL in td.text_content() for td in dom.xpath("//section[@id='codebook']//td"))
    assert dom.xpath("//b[text()='bold']") == []
    # the rendered text is the documents' text
    texts = [d.text_content() for d in dom.xpath("//section[@class='doc']//div[@class='text']")]
    assert texts == [INT, MOU]
    assert dom.xpath("//span[@id='qc-shown']")[0].text_content() == str(N_EVIDENCE)


def test_filters_from_the_address(browser, tiny_report, tmp_path):
    url = tiny_report.as_uri() + "?code=mech.training&doc=mou"
    dom = _dom(browser, tmp_path / "profile", url)
    docs = dom.xpath("//section[@class='doc']")
    assert [d.get("hidden") is not None for d in docs] == [True, False]  # only "mou" shown
    mou = docs[1]
    on = [m.text_content() for m in mou.xpath(".//mark") if "off" not in m.get("class").split()]
    assert on == ["agree", " on training"]  # both fragments of mech.training's one match
    assert dom.xpath("//span[@id='qc-shown']")[0].text_content() == "1"


def test_screenshot_artifact(browser, tiny_report, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report_tiny.png"
    shot.unlink(missing_ok=True)
    res = _run(browser, tmp_path / "profile", "--virtual-time-budget=5000", f"--screenshot={shot}",
               "--window-size=1280,2000", "--hide-scrollbars", tiny_report.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def _many(copies: int):
    """The tiny set repeated: ``copies`` x its two documents, each with its own id and codings."""
    from dataclasses import replace

    from qualcoop.model import CodingSet

    base = coding_set()
    docs, codings = {}, []
    for k in range(copies):
        for doc_id, doc in base.documents.items():
            docs[f"{doc_id}-{k:04d}"] = replace(doc, id=f"{doc_id}-{k:04d}")
        codings += [replace(c, doc_id=f"{c.doc_id}-{k:04d}") for c in base]
    return CodingSet(codings, documents=docs, codebook=base.codebook)


def _live(dom, xpath: str):
    """Nodes of the live page: not the content of a <template> still waiting to be rendered."""
    return [n for n in dom.xpath(xpath) if not n.xpath("ancestor::template")]


@pytest.fixture(scope="module")
def big_report(tmp_path_factory):
    # 1,000 documents: the page must render one page of them, not all
    return write_report(_many(500), tmp_path_factory.mktemp("big") / "report.html", by="type")


def test_large_report_renders_one_page_of_documents(browser, big_report, tmp_path):
    from qualcoop.export.report import DOCS_PER_PAGE

    dom = _dom(browser, tmp_path / "profile", big_report.as_uri())
    body = dom.xpath("//body")[0]
    assert body.get("data-qc-ready") == "1"
    live = _live(dom, "//section[@class='doc']")
    assert len(live) == DOCS_PER_PAGE == int(body.get("data-qc-rendered"))
    assert [s.get("data-di") for s in live] == [str(i) for i in range(DOCS_PER_PAGE)]
    assert len(_live(dom, "//mark")) <= DOCS_PER_PAGE * 5  # bounded, whatever the corpus size
    assert int(body.get("data-qc-marks")) == len([m for m in _live(dom, "//mark")
                                                  if "cont" not in m.get("class").split()])
    # every other document still ships in the file, inert
    assert len(dom.xpath("//template[@class='qc-doc']")) == 1000 - DOCS_PER_PAGE
    assert "page 1 of 50" in dom.xpath("//span[@id='qc-page']")[0].text_content()


def test_large_report_renders_a_chosen_document(browser, big_report, tmp_path):
    dom = _dom(browser, tmp_path / "profile", big_report.as_uri() + "?doc=mou-0437&code=mech.training")
    shown = [s for s in _live(dom, "//section[@class='doc']") if s.get("hidden") is None]
    assert [s.get("id") for s in shown] == ["d937"]  # documents sort by id: 500 int-*, then mou-*
    assert shown[0].xpath(".//div[@class='text']")[0].text_content() == MOU
    on = [m.text_content() for m in shown[0].xpath(".//mark") if "off" not in m.get("class").split()]
    assert on == ["agree", " on training"]
    assert dom.xpath("//span[@id='qc-shown']")[0].text_content() == "1"


def test_large_report_link_to_a_passage_renders_its_page(browser, big_report, tmp_path):
    dom = _dom(browser, tmp_path / "profile", big_report.as_uri() + "#d999")
    live = _live(dom, "//section[@class='doc']")
    assert "d999" in [s.get("id") for s in live] and len(live) <= 20
    assert "page 50 of 50" in dom.xpath("//span[@id='qc-page']")[0].text_content()
