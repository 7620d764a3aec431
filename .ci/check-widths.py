#!/usr/bin/env python3
"""Fails when a line of the given lesson outputs is wider than 80 terminal columns.

Width is counted as a terminal shows it: colour escapes take none, combining marks
(the hat of x̂) take none, wide East Asian characters take two.
usage: check-widths.py FILE...
"""
import re
import sys
import unicodedata

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def columns(line):
    width = 0
    for ch in ANSI.sub("", line):
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


failed = False
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    widths = [columns(line) for line in lines]
    over = [(n + 1, w) for n, w in enumerate(widths) if w > 80]
    print(f"{path}: widest line {max(widths)} columns, {len(over)} over 80")
    for n, w in over[:10]:
        print(f"  line {n}: {w} columns: {lines[n - 1][:100]}")
    failed = failed or bool(over)
sys.exit(1 if failed else 0)
