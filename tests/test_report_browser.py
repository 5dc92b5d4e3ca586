"""The HTML report in a real browser: headless Chromium loads the sample report.

The test fails on any console message (the page has no script of its own, so any
message is an error: a broken data URI, a blocked resource), checks in the
browser that every image decoded and is not blank (drawn on a canvas, more than
one colour), and keeps a screenshot (``CXMETRICS_SCREENSHOTS=dir`` keeps it
there; otherwise in pytest's temporary folder). Skipped only when no Chromium is
installed (``.ci/run`` installs the Debian package).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from cxmetrics.datasets import load_sample
from cxmetrics.reporting import report

pytestmark = pytest.mark.browser

CHROMIUM = next(
    (p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
     if p and Path(p).exists()),
    None,
)  # fmt: skip
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)  # fmt: skip

# Runs after load: for each image, whether it decoded, its size, and whether a
# canvas copy has more than one colour (a blank chart has one).
PROBE = """<script>
window.addEventListener('load', () => {
  const out = [...document.images].map((img) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    let colours = 0;
    if (img.naturalWidth > 0) {
      const g = c.getContext('2d'); g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < px.length && seen.size < 3; i += 4 * 97) {
        seen.add(px[i] + ',' + px[i + 1] + ',' + px[i + 2]);
      }
      colours = seen.size;
    }
    return {alt: img.alt, ok: img.complete && img.naturalWidth > 0,
            width: img.naturalWidth, colours: colours};
  });
  const pre = document.createElement('pre'); pre.id = 'cx-probe';
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def chromium(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
             *args, page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")
def test_sample_report_renders_in_chromium(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    sample = load_sample()
    result = report(
        tickets=sample.tickets, surveys=sample.surveys, calls=sample.calls,
        customers=sample.customers, period="week", by="channel", charts=True,
    )  # fmt: skip
    html = result.to_html()
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")

    done = chromium(probed, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    match = re.search(r"<pre id=\"cx-probe\">(.*?)</pre>", done.stdout, re.S)
    assert match is not None, "the probe did not run"
    images = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert len(images) == html.count("<img") >= 8
    for image in images:
        assert image["ok"], image
        assert image["colours"] > 1, image  # not blank

    keep = Path(os.environ.get("CXMETRICS_SCREENSHOTS", tmp_path))
    keep.mkdir(parents=True, exist_ok=True)
    shot = keep / "sample-report.png"
    done = chromium(page, "--window-size=1280,2400", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert not [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
