#!/usr/bin/env python3
"""Renders every figure of the lesson pages in headless Chromium and checks its text.

For each SVG under docs/lessons/<lesson>/: no text may reach outside the figure's box,
and no two pieces of text may overlap (a tick label on an axis title, two legend
entries). Sizes are measured by the browser, in whatever sans-serif font it has, so
a figure that passes here has room to spare with Helvetica or Arial.

usage: python3 docs/check-figures.py [DIR]     (DIR defaults to docs/lessons)
Run it after `bash docs/generate.sh`, before committing a change to the pages.
Needs chromium (Debian: apt install chromium).
"""
import html
import os
import shutil
import subprocess
import sys
import tempfile

directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "lessons")
browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
if browser is None:
    sys.exit("check-figures: no chromium found (Debian: apt install chromium)")

figures = []
for root, _, files in sorted(os.walk(directory)):
    for name in sorted(files):
        if name.endswith(".svg"):
            figures.append(os.path.join(root, name))
if not figures:
    sys.exit(f"check-figures: no SVG figures under {directory}")

SCRIPT = """
const out = [];
document.querySelectorAll('div.figure').forEach(div => {
  const svg = div.querySelector('svg');
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBoundingClientRect();
    return {s: t.textContent, l: b.left - box.left, r: b.right - box.left, t: b.top - box.top, b: b.bottom - box.top};
  }).filter(t => t.s.trim() !== '');
  for (const t of texts) {
    const over = Math.max(-t.l, t.r - box.width, -t.t, t.b - box.height);
    if (over > 0.5) out.push(div.dataset.name + '\\tleaves the box by ' + over.toFixed(1) + ' px\\t' + t.s);
  }
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i], c = texts[j];
    const w = Math.min(a.r, c.r) - Math.max(a.l, c.l), h = Math.min(a.b, c.b) - Math.max(a.t, c.t);
    if (w > 1 && h > 3) out.push(div.dataset.name + '\\toverlaps\\t' + a.s + '  ×  ' + c.s);
  }
  out.push(div.dataset.name + '\\tchecked ' + texts.length + ' texts');
});
const pre = document.createElement('pre'); pre.id = 'results'; pre.textContent = out.join('\\n');
document.body.appendChild(pre);
"""

parts = ["<!doctype html><html><head><meta charset='utf-8'></head><body>"]
for path in figures:
    with open(path, encoding="utf-8") as f:
        svg = f.read()
    parts.append(f"<div class='figure' data-name='{html.escape(os.path.relpath(path, directory))}'>{svg}</div>")
parts.append(f"<script>{SCRIPT}</script></body></html>")

with tempfile.TemporaryDirectory() as scratch:
    page = os.path.join(scratch, "figures.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={scratch}/profile", "--dump-dom", "file://" + page],
        capture_output=True, text=True, timeout=300)

dom = result.stdout
start, end = dom.find('<pre id="results">'), dom.find("</pre>", dom.find('<pre id="results">'))
if start < 0:
    sys.exit("check-figures: the browser produced no results\n" + result.stderr[-2000:])
lines = html.unescape(dom[start + len('<pre id="results">'):end]).split("\n")
problems = [line for line in lines if "\tchecked " not in line]
checked = len(lines) - len(problems)
for line in problems:
    name, what, detail = (line.split("\t") + ["", ""])[:3]
    print(f"{name}: {what}: {detail}")
print(f"check-figures: {checked} figures of {len(figures)} checked in {os.path.basename(browser)}, {len(problems)} problems")
sys.exit(1 if problems or checked != len(figures) else 0)
