#!/usr/bin/env python3
"""Renders an experiment's report in headless Chromium and checks what a reader would notice:
the page loads with no console message, every image and link
of the rendered page resolves to a file, and the Findings section is there with at least one finding.
Usage: browser_check.py RESULTS_DIR (scripts/screenshot-report takes a picture of it). Exit 0 when all hold, 1 with the failures listed,
77 (ctest: skipped) when Debian's chromium is not installed."""
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.ids, self.findings, self.in_findings = [], set(), 0, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "img" and "src" in a:
            self.refs.append(("img", a["src"]))
        if tag == "object" and "data" in a:
            self.refs.append(("object", a["data"]))
        if tag == "a" and "href" in a:
            self.refs.append(("a", a["href"]))
        if tag == "ul" and "findings" in a.get("class", ""):
            self.in_findings = True
        if tag == "li" and self.in_findings:
            self.findings += 1

    def handle_endtag(self, tag):
        if tag == "ul":
            self.in_findings = False


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed (Debian's package chromium): browser check skipped")
        return 77
    page = os.path.abspath(os.path.join(sys.argv[1], "report", "index.html"))
    if not os.path.isfile(page):
        print(f"{page}: no report here")
        return 1
    with tempfile.TemporaryDirectory() as profile:
        common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={profile}",
                  "--enable-logging=stderr", "--v=0", "--virtual-time-budget=20000", "--window-size=1400,1000"]
        run = subprocess.run(common + ["--dump-dom", "file://" + page], capture_output=True, text=True, timeout=180)
    failures = []
    if run.returncode != 0 or "<html" not in run.stdout:
        failures.append(f"chromium exited with {run.returncode} and no page: {run.stderr[-400:]}")
    for line in run.stderr.splitlines():
        if ":CONSOLE" in line:  # the report has no script: any console message is a fault
            failures.append("console: " + line.strip())
    parser = Links()
    parser.feed(run.stdout)
    base = os.path.dirname(page)
    for kind, ref in parser.refs:
        url = urllib.parse.urlparse(ref)
        if url.scheme in ("http", "https", "mailto"):
            failures.append(f"{kind} {ref}: the report must not need the network")
            continue
        if not url.path:  # an anchor of this page
            if url.fragment and url.fragment not in parser.ids:
                failures.append(f"{kind} {ref}: no element with that id")
            continue
        target = os.path.normpath(os.path.join(base, urllib.parse.unquote(url.path)))
        if not os.path.isfile(target):
            failures.append(f"{kind} {ref}: {target} does not exist")
    if "findings" not in parser.ids:
        failures.append("no Findings section (id=findings)")
    elif parser.findings == 0:
        failures.append("the Findings section lists no finding")
    for f in failures:
        print(f)
    images = sum(1 for kind, _ in parser.refs if kind == "img")
    print(f"{page}: {images} images, {len(parser.refs) - images} links, {parser.findings} findings, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
