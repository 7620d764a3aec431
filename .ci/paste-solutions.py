#!/usr/bin/env python3
"""Pastes every worked answer into its stub's place, as a learner would.

For each exercise function under Exercises/<Chapter>/ whose body is still
`throw NotAttempted()`, the body of the function with the same name under
Solutions/<Chapter>/ replaces it; nothing else in the stub changes (its imports, its
comments). CI then builds and runs the exercise checks on the result: every exercise
must pass, which proves that the stubs import what the answers need and that the
answers use only public API. Run it on a scratch copy: it rewrites Exercises/ in place.

    python3 .ci/paste-solutions.py [ROOT]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")


def body_span(text, start):
    """The span of the function body whose signature starts at `start`: from its `{` to the matching `}`."""
    depth, i, opened = 1, start, None  # `start` is just after the opening "("
    while i < len(text):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "{" and depth == 0 and opened is None:
            opened = i
            braces = 1
            j = i + 1
            while braces:
                braces += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            return opened, j
        i += 1
    raise ValueError("no body")


def functions(text):
    for m in re.finditer(r"public func (\w+)\(", text):
        yield m.group(1), body_span(text, m.end())


pasted, missing = 0, []
for chapter in sorted((root / "Exercises").iterdir()):
    answers = {}
    for file in (root / "Solutions" / chapter.name).glob("*.swift"):
        text = file.read_text()
        for name, (a, b) in functions(text):
            answers[name] = text[a:b]
    for stub in sorted(chapter.glob("*.swift")):
        text = stub.read_text()
        for name, (a, b) in sorted(functions(text), key=lambda f: -f[1][0]):  # from the end: spans stay valid
            if "throw NotAttempted()" not in text[a:b]:
                continue
            if name not in answers:
                missing.append(f"{chapter.name}.{name}")
                continue
            text = text[:a] + answers[name] + text[b:]
            pasted += 1
        stub.write_text(text)

print(f"pasted {pasted} worked answers into their stubs")
if missing:
    sys.exit("no worked answer for: " + ", ".join(missing))
