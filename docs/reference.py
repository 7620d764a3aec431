#!/usr/bin/env python3
"""Builds the API reference: one DocC site for every library module, the lessons as articles.

    python3 docs/reference.py            build it into .build/reference/site
    python3 docs/reference.py --serve    build it, then serve it at http://localhost:8000/documentation/

Only the toolchain is used, offline: the compiler's symbol graphs (`swift package
dump-symbol-graph`, from the debug build), `docc convert` for each module with its catalog
(Sources/<Module>/<Module>.docc) and, for a chapter, its lesson page from docs/lessons with
the page's figures, then `docc merge` into one site made for static hosting.

A module links to the modules it depends on (`--dependency`), so ``Tensor`` in a chapter
resolves to LinearAlgebra's page. Warnings are errors: an unresolved link, a missing
symbol or an image that is not there stops the build. Each module's documentation
coverage is printed and must be 100%: every public symbol has a doc comment of its own,
or inherits its protocol requirement's (`--enable-inherited-docs`); an undocumented one is
listed by name and fails the build.

The site is written under .build/ (not committed; this command rebuilds it). DocC's pages
load their content with JavaScript, so they need a web server: `--serve`, or any static
server over .build/reference/site.
"""
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, ".build", "reference")
SITE = os.path.join(OUT, "site")

# The support modules, then the chapters in teaching order (Package.swift's `chapters`).
SUPPORT = ["Validation", "Randomness", "Kernels", "LinearAlgebra", "NumericChecks", "Datasets", "Notebook", "ExerciseSupport"]



def run(command, **options):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, **options)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-6000:] + result.stderr[-6000:])
        sys.exit(f"reference: {' '.join(command[:3])} … failed (exit {result.returncode})")
    return result.stdout


def chapters():
    """(module, lesson) for each chapter, in the order of Package.swift's `chapters`."""
    with open(os.path.join(ROOT, "Package.swift"), encoding="utf-8") as f:
        found = re.findall(r'^\s*Chapter\(name: "([A-Za-z]+)", lesson: "([a-z-]+)"', f.read(), re.M)
    if not found:
        sys.exit("reference: found no Chapter(name:lesson:) lines in Package.swift")
    return found


def dependencies():
    """Each target's direct dependencies, from the package manifest."""
    package = json.loads(run(["swift", "package", "dump-package"]))
    result = {}
    for target in package["targets"]:
        names = []
        for dependency in target.get("dependencies", []):
            for value in dependency.values():
                names.append(value[0] if isinstance(value, list) else value)
        result[target["name"]] = names
    return result


def closure(module, direct, modules):
    """Every module in `modules` that `module` depends on, directly or not."""
    seen, stack = set(), list(direct.get(module, []))
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(direct.get(name, []))
    return [m for m in modules if m in seen]


def lesson_article(module, lesson, catalog):
    """docs/lessons/<lesson>.md as an article of the catalog, its figures beside it.

    DocC finds an image by its file name anywhere in a catalog, so each figure is copied
    as <lesson>-<name> and the page's links to <lesson>/<name> are rewritten to match.
    Links to other lesson pages become links to their articles."""
    source = os.path.join(ROOT, "docs", "lessons", lesson + ".md")
    if not os.path.exists(source):
        sys.exit(f"reference: {source} is missing: run `bash docs/generate.sh` first")
    with open(source, encoding="utf-8") as f:
        text = f.read()
    figures = os.path.join(ROOT, "docs", "lessons", lesson)
    resources = os.path.join(catalog, "Resources")
    os.makedirs(resources, exist_ok=True)
    if os.path.isdir(figures):
        for name in sorted(os.listdir(figures)):
            shutil.copy(os.path.join(figures, name), os.path.join(resources, f"{lesson}-{name}"))
    text = re.sub(r"\]\(" + re.escape(lesson) + r"/([^)]+)\)", lambda m: f"]({lesson}-{m.group(1)})", text)
    name = f"{module}Lesson"
    with open(os.path.join(catalog, name + ".md"), "w", encoding="utf-8") as f:
        f.write(text)
    return name


def coverage(archive):
    """(documented, total, the undocumented symbols' names) from docc's coverage file."""
    with open(os.path.join(archive, "documentation-coverage.json"), encoding="utf-8") as f:
        entries = json.load(f)
    symbols = [e for e in entries if e.get("kind", {}).get("isSymbol")]  # not articles or DocC's own collection pages
    missing = [e["referencePath"].split("/documentation/", 1)[-1] for e in symbols if not e.get("hasAbstract")]
    return len(symbols) - len(missing), len(symbols), missing


def main():
    serve = "--serve" in sys.argv[1:]
    unknown = [a for a in sys.argv[1:] if a != "--serve"]
    if unknown:
        sys.exit(f"reference: unknown option {unknown[0]}; usage: python3 docs/reference.py [--serve]")
    docc = shutil.which("docc")
    if docc is None:
        sys.exit("reference: docc not found; it ships with the Swift toolchain (usr/bin/docc)")
    chapter_list = chapters()
    modules = SUPPORT + [m for m, _ in chapter_list]
    lessons = dict(chapter_list)
    direct = dependencies()

    print("symbol graphs (swift package dump-symbol-graph) …", flush=True)
    printed = run(["swift", "package", "dump-symbol-graph", "--minimum-access-level", "public", "--skip-synthesized-members"])
    match = re.search(r"Files written to (\S+)", printed)
    graphs = match.group(1) if match else os.path.join(ROOT, run(["swift", "build", "--show-bin-path"]).strip(), "symbolgraph")
    if not os.path.isdir(graphs):
        sys.exit(f"reference: no symbol graphs at {graphs}\n{printed[-2000:]}")

    if os.path.isdir(OUT):
        shutil.rmtree(OUT)  # .build/reference is this script's own directory
    os.makedirs(OUT)
    archives, report, failed = [], [], False
    for module in modules:
        work = os.path.join(OUT, "work", module)
        catalog = os.path.join(work, f"{module}.docc")
        own = os.path.join(ROOT, "Sources", module, f"{module}.docc")
        if not os.path.isdir(own):
            sys.exit(f"reference: {os.path.relpath(own, ROOT)} is missing: every module has a catalog")
        shutil.copytree(own, catalog)
        if module in lessons:
            lesson_article(module, lessons[module], catalog)
        symbols = os.path.join(work, "symbols")
        os.makedirs(symbols)
        for name in os.listdir(graphs):
            if name == f"{module}.symbols.json" or name.startswith(f"{module}@"):
                shutil.copy(os.path.join(graphs, name), symbols)
        archive = os.path.join(OUT, f"{module}.doccarchive")
        command = [
            docc, "convert", catalog, "--additional-symbol-graph-dir", symbols, "--output-path", archive,
            "--fallback-display-name", module, "--fallback-bundle-identifier", f"deep-learning-swift.{module}",
            "--enable-experimental-external-link-support", "--enable-inherited-docs", "--warnings-as-errors",
            "--experimental-documentation-coverage", "--coverage-summary-level", "none",
        ]
        for dependency in closure(module, direct, modules):
            if os.path.isdir(os.path.join(OUT, f"{dependency}.doccarchive")):
                command += ["--dependency", os.path.join(OUT, f"{dependency}.doccarchive")]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:  # go on with the other modules, so that one run lists every problem
            sys.stderr.write(result.stdout[-20000:] + result.stderr[-20000:])
            print(f"reference: docc convert failed for {module}", file=sys.stderr)
            failed = True
            continue
        documented, total, missing = coverage(archive)
        report.append((module, documented, total))
        if missing:  # every public symbol has a doc comment (or inherits its protocol's)
            failed = True
            print(f"{module}: {len(missing)} public symbols without documentation:", file=sys.stderr)
            for name in missing:
                print(f"    {name}", file=sys.stderr)
        archives.append(archive)

    print(f"\n{'module':16} {'documented':>10} {'symbols':>8}  coverage")
    for module, documented, total in report:
        print(f"{module:16} {documented:>10} {total:>8}  {100 * documented / max(total, 1):6.1f}%")
    documented, total = sum(r[1] for r in report), sum(r[2] for r in report)
    print(f"{'all':16} {documented:>10} {total:>8}  {100 * documented / max(total, 1):6.1f}%")
    if failed:
        sys.exit("reference: failed: see the problems above (every link must resolve, every public symbol be documented)")

    print("\nmerging into one site (docc merge) …", flush=True)
    merged = os.path.join(OUT, "DeepLearning.doccarchive")
    run([docc, "merge", *archives, "--output-path", merged, "--synthesized-landing-page-name", "Deep learning in Swift",
         "--synthesized-landing-page-topics-style", "list"])
    os.rename(merged, SITE)
    shutil.rmtree(os.path.join(OUT, "work"))
    print(f"reference: wrote {os.path.relpath(SITE, ROOT)}; open it through a web server:\n"
          f"    python3 -m http.server --directory {os.path.relpath(SITE, ROOT)} 8000   →   http://localhost:8000/documentation/")
    if serve:
        subprocess.run([sys.executable, "-m", "http.server", "--directory", SITE, "8000"])


if __name__ == "__main__":
    main()
