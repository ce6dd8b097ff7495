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
