#!/usr/bin/env bash
# Regenerates every lesson page: docs/lessons/<lesson>.md with its SVG figures in
# docs/lessons/<lesson>/. Lessons are read from the `chapters` list in Package.swift and
# run in release mode (pages always show the full run), with the default seed.
#
#   bash docs/generate.sh
set -euo pipefail
cd "$(dirname "$0")/.."

lessons=$(sed -n 's/^ *Chapter(name: "[A-Za-z]*", lesson: "\([a-z-]*\)".*/\1/p' Package.swift)
if [ -z "$lessons" ]; then
  echo "docs/generate.sh: found no Chapter(name:lesson:) lines in Package.swift" >&2
  exit 1
fi

swift build -c release 2>&1 | grep -E "error|warning|Compiling|Build complete" || true
mkdir -p docs/lessons
for lesson in $lessons; do
  swift run -c release --skip-build "$lesson" --markdown docs/lessons
done

# Every figure, rendered in a real browser: no text outside its box, no text on text.
if command -v chromium > /dev/null || command -v chromium-browser > /dev/null || command -v google-chrome > /dev/null; then
  python3 docs/check-figures.py docs/lessons
else
  echo "docs/generate.sh: no chromium here, so the figures were not checked (python3 docs/check-figures.py)" >&2
fi
