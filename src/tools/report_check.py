#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check the generated report pages, as `make check` step report-render.

1. Regenerates reports/index.html (and, through report.py, traceability and the matrix) from
   whatever results exist, so the step never needs `make report` first.
2. Renders reports/index.html in headless Chromium (Debian's chromium) to a PNG and checks
   the image is a real page: the expected size, and enough different pixel bytes that it is
   not blank.
3. Checks every local link (href, src) in every HTML page under reports/: the file exists,
   and a #fragment names an id in the page it points to.

  report_check.py [--png FILE] [--outcomes]

--outcomes appends "report-render;<check>;PASS|FAIL|SKIP;<cause>" lines to $QSCD_OUTCOME_FILE.
Exit status 1 on any failure.
"""
import argparse
import glob
import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import urllib.parse
import zlib

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORTS = os.path.join(TOP, "reports")
WIDTH, HEIGHT = 1280, 2000
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.links.append(v)
            if k in ("id", "name") and v:
                self.ids.add(v)


def parse(path):
    p = Links()
    with open(path, encoding="utf-8", errors="replace") as f:
        p.feed(f.read())
    return p


def check_links(pages):
    """(page, problems) for every HTML page."""
    parsed = {}
    out = []
    for page in pages:
        parsed.setdefault(page, parse(page))
        problems = []
        for link in parsed[page].links:
            u = urllib.parse.urlsplit(link)
            if u.scheme or link.startswith("//"):
                continue   # not local: the report links nothing outside, but this is not ours
            target = os.path.normpath(os.path.join(os.path.dirname(page),
                                                   urllib.parse.unquote(u.path))) if u.path else page
            if not os.path.exists(target):
                problems.append(f"{link}: no file {os.path.relpath(target, TOP)}")
                continue
            if u.fragment and target.endswith(".html"):
                parsed.setdefault(target, parse(target))
                if u.fragment not in parsed[target].ids:
                    problems.append(f"{link}: no id '{u.fragment}' in {os.path.relpath(target, TOP)}")
        out.append((page, problems))
    return out


def png_facts(path):
    """(width, height, distinct byte values in the image data) of a PNG, without a library."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height = 8, b"", 0, 0
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, len(set(raw))


def render(png):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return "SKIP", "chromium is not installed (make deps installs it)"
    with tempfile.TemporaryDirectory(prefix="report-render-") as profile:
        cmd = [chromium] + FLAGS + [f"--user-data-dir={profile}", f"--screenshot={png}",
                                    f"--window-size={WIDTH},{HEIGHT}",
                                    "file://" + os.path.join(REPORTS, "index.html")]
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=120, check=False)
        except subprocess.TimeoutExpired:
            return "FAIL", "chromium did not finish within 120 s"
    if not os.path.exists(png):
        return "FAIL", "chromium wrote no screenshot"
    try:
        w, h, distinct = png_facts(png)
    except (ValueError, zlib.error, struct.error) as e:
        return "FAIL", f"the screenshot is not a readable PNG: {e}"
    size = os.path.getsize(png)
    facts = f"{w}x{h}, {size} bytes, {distinct} distinct data bytes"
    if (w, h) != (WIDTH, HEIGHT):
        return "FAIL", f"screenshot is {w}x{h}, expected {WIDTH}x{HEIGHT}"
    if size < 10000 or distinct < 32:
        return "FAIL", f"the page looks blank ({facts})"
    return "PASS", facts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--png", default=os.path.join(TOP, "build", "check", "report.png"))
    ap.add_argument("--outcomes", action="store_true")
    a = ap.parse_args()
    lines = []
    gen = subprocess.run([sys.executable, os.path.join(TOP, "src", "tools", "report.py"),
                          "--out", "reports"], check=False)
    lines.append(("generate", "PASS" if gen.returncode == 0 else "FAIL",
                  "" if gen.returncode == 0 else f"report.py exit {gen.returncode}"))
    os.makedirs(os.path.dirname(os.path.abspath(a.png)), exist_ok=True)
    if os.path.exists(a.png):
        os.remove(a.png)
    verdict, cause = render(a.png)
    lines.append(("render index.html in headless chromium", verdict, cause))
    pages = sorted(glob.glob(os.path.join(REPORTS, "**", "*.html"), recursive=True))
    for page, problems in check_links(pages):
        lines.append((f"local links of {os.path.relpath(page, TOP)}",
                      "FAIL" if problems else "PASS",
                      "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)"
                                                  if len(problems) > 5 else "")))
    for check, verdict, cause in lines:
        print(f"report-render: {verdict} {check}" + (f": {cause}" if cause else ""))
    out = os.environ.get("QSCD_OUTCOME_FILE") if a.outcomes else None
    if out:
        with open(out, "a", encoding="utf-8") as f:
            for check, verdict, cause in lines:
                f.write(f"report-render;{check};{verdict};{cause.replace(';', ',')}\n")
    return 1 if any(v == "FAIL" for _, v, _ in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
