#!/usr/bin/env python3
"""Checks the built API reference the way a reader meets it.

    python3 docs/check-reference.py [SITE]     SITE defaults to .build/reference/site
                                               (built by `python3 docs/reference.py`)

Two passes, over a local web server that serves the site as a static host would:

1. Every page's content (data/documentation/**.json, what DocC's pages render): each
   link to another page of the site must reach a page that exists, and each image and
   figure must be a file that exists. This covers every page, symbols included.
2. The landing page, every module's overview and every article (the lessons), opened in
   headless Chromium:
   the page must render (a title and its text), every image must load, and no text may
   reach outside its box (an element wider than its container that does not scroll).
   `--screenshots DIR` also saves a PNG of each chapter's overview, to look at.

Needs chromium (Debian: apt install chromium). Exits 1 on any problem, listing each.
"""
import functools
import html
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
arguments = sys.argv[1:]
screenshots = None
if "--screenshots" in arguments:
    index = arguments.index("--screenshots")
    if index + 1 >= len(arguments):
        sys.exit("check-reference: --screenshots needs a directory")
    screenshots = arguments[index + 1]
    del arguments[index:index + 2]
site = arguments[0] if arguments else os.path.join(ROOT, ".build", "reference", "site")
if not os.path.isdir(os.path.join(site, "data", "documentation")):
    sys.exit(f"check-reference: no DocC site at {site}: run `python3 docs/reference.py` first")
browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
if browser is None:
    sys.exit("check-reference: no chromium found (Debian: apt install chromium)")

problems = []

# 1. Every page's links and images, from the pages' own data.
data = os.path.join(site, "data")
pages = {"/documentation": os.path.join(data, "documentation.json")}  # the landing page, listing every module
for directory, _, files in os.walk(os.path.join(data, "documentation")):
    for name in files:
        if name.endswith(".json"):
            path = os.path.join(directory, name)
            pages["/" + os.path.relpath(path, data)[: -len(".json")].lower()] = path
links = images = 0
for page, path in sorted(pages.items()):
    with open(path, encoding="utf-8") as f:
        content = json.load(f)
    for key, reference in content.get("references", {}).items():
        kind = reference.get("type")
        if kind == "topic" and reference.get("url", "").startswith("/documentation/"):
            links += 1
            target = urllib.parse.unquote(reference["url"].split("#")[0]).lower()
            if target not in pages:
                problems.append(f"{page}: links to {reference['url']}, which is not a page of the site")
        elif kind == "image":
            for variant in reference.get("variants", []):
                images += 1
                url = urllib.parse.unquote(variant.get("url", ""))
                if not url.startswith("/") or not os.path.isfile(os.path.join(site, url.lstrip("/"))):
                    problems.append(f"{page}: image {key} is not in the site ({url})")
print(f"check-reference: {len(pages)} pages, {links} links to pages of the site, {images} images checked")

# 2. The overviews and articles, rendered.
overviews = ["/documentation"] + sorted(p for p in pages if p.count("/") == 2)  # the landing page, /documentation/<module>
articles = []
for page, path in pages.items():
    with open(path, encoding="utf-8") as f:
        content = json.load(f)
    if content.get("kind") == "article" and content.get("metadata", {}).get("role") == "article":
        articles.append(page)  # the lessons (DocC's generated collection pages are lists, not articles)
rendered = overviews + sorted(articles)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


HARNESS = """<!doctype html><html><head><meta charset='utf-8'></head><body>
<iframe id='page' style='width: 1280px; height: 900px'></iframe>
<pre id='results'></pre>
<script>
const pages = %s;
const out = [];
const frame = document.getElementById('page');
function check(url) {
  const d = frame.contentDocument;
  const title = d.querySelector('main h1');
  if (!title || title.textContent.trim() === '') { out.push(url + '\\tdid not render (no title)'); return; }
  if (d.querySelector('main').innerText.trim().length < 100) out.push(url + '\\tdid not render (no text)');
  for (const img of d.querySelectorAll('main img')) {
    if (!img.complete || img.naturalWidth === 0) out.push(url + '\\timage did not load\\t' + img.getAttribute('src'));
  }
  const width = d.documentElement.clientWidth;
  if (d.documentElement.scrollWidth > width + 1) out.push(url + '\\tthe page is wider than the window\\t' + d.documentElement.scrollWidth + ' px');
  for (const el of d.querySelectorAll('main *')) {
    const style = frame.contentWindow.getComputedStyle(el);
    if (el.clientWidth === 0 || style.overflowX !== 'visible' || style.display === 'inline') continue;
    if (el.closest('pre, .code-listing, table, .table-wrapper, svg')) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      out.push(url + '\\ttext leaves its box by ' + (el.scrollWidth - el.clientWidth) + ' px\\t' + el.tagName.toLowerCase() + ': ' + el.textContent.trim().slice(0, 60));
    }
  }
  out.push(url + '\\tchecked');
}
async function run() {
  for (const url of pages) {
    await new Promise(resolve => { frame.onload = resolve; frame.src = url; });
    let tries = 0;
    while (tries < 100) {
      const d = frame.contentDocument;
      const title = d && d.querySelector('main h1');
      const imgs = d ? [...d.querySelectorAll('main img')] : [];
      if (title && title.textContent.trim() !== '' && imgs.every(i => i.complete)) break;
      await new Promise(r => setTimeout(r, 100));
      tries++;
    }
    await new Promise(r => setTimeout(r, 300));
    check(url);
  }
  document.getElementById('results').textContent = out.join('\\n');
  document.title = 'done';
}
run();
</script></body></html>"""

with tempfile.TemporaryDirectory() as scratch:
    with open(os.path.join(site, "check-reference-harness.html"), "w", encoding="utf-8") as f:
        f.write(HARNESS % json.dumps(rendered))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        result = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={scratch}/profile",
             "--window-size=1400,1000", "--virtual-time-budget=600000", "--dump-dom", base + "/check-reference-harness.html"],
            capture_output=True, text=True, timeout=600)
        if screenshots:
            os.makedirs(screenshots, exist_ok=True)
            for page in overviews:
                name = page.rsplit("/", 1)[-1] if page != "/documentation" else "index"
                subprocess.run(
                    [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={scratch}/profile",
                     "--window-size=1280,1600", "--virtual-time-budget=10000",
                     f"--screenshot={os.path.join(screenshots, name + '.png')}", base + page],
                    capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        os.remove(os.path.join(site, "check-reference-harness.html"))  # the one file this script wrote there

dom = result.stdout
start = dom.find('<pre id="results">')
if start < 0 or "checked" not in dom[start:]:
    sys.exit("check-reference: the browser produced no results\n" + result.stderr[-2000:])
lines = html.unescape(dom[start + len('<pre id="results">'):dom.find("</pre>", start)]).split("\n")
checked = [line for line in lines if line.endswith("\tchecked")]
problems += [line.replace("\t", ": ") for line in lines if line and not line.endswith("\tchecked")]
for problem in problems:
    print(problem)
print(f"check-reference: {len(checked)} of {len(rendered)} overviews and articles rendered in {os.path.basename(browser)}, "
      f"{len(problems)} problems")
sys.exit(1 if problems or len(checked) != len(rendered) else 0)
