#!/usr/bin/env python3
"""Checks every framework name in the reference's "From here to PyTorch and MLX" tables.

Each chapter's catalog (Sources/<Module>/<Module>.docc/<Module>.md) ends with a table that
maps its types to PyTorch and to MLX Swift. Every name written there in backticks is
checked against the framework itself:

- `torch.…` against the installed PyTorch (`import torch`, then each attribute in turn);
  without PyTorch (`pip install torch==2.13.0`) these are reported as not checked. The
  same for `sklearn.…` (scikit-learn), named where PyTorch has no counterpart.
- `MLX…` against docs/mlx-swift-names.txt, the public names of MLX Swift's sources at the
  commit named in that file (MLX Swift needs Apple's Metal and cannot be built here).

usage: python3 docs/check-mappings.py      exits 1 if a name is not found
"""
import glob
import importlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "docs", "mlx-swift-names.txt"), encoding="utf-8") as f:
    mlx = {line.strip() for line in f if line.strip() and not line.startswith("#")}



def imported(module):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


# The Python packages whose names the tables use, by prefix, with their names for messages.
packages = {"torch.": (imported("torch"), "PyTorch"), "sklearn.": (imported("sklearn"), "scikit-learn")}
torch = packages["torch."][0]


def python_has(root, name):
    parts = name.split(".")
    value = root
    for index, part in enumerate(parts[1:], start=1):
        if hasattr(value, part):
            value = getattr(value, part)
            continue
        try:  # a submodule the package does not import itself
            value = importlib.import_module(".".join(parts[: index + 1]))
        except ImportError:
            return False
    return True


def mlx_has(name):
    return name in mlx or f"MLX.{name}" in mlx


problems, checked, unchecked = [], 0, 0
for path in sorted(glob.glob(os.path.join(ROOT, "Sources", "*", "*.docc", "*.md"))):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.find("## From here to PyTorch and MLX")
    if start < 0:
        continue
    for line in text[start:].splitlines():
        if not line.startswith("|"):
            continue
        for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_.]*)`", line):
            prefix = next((p for p in packages if name.startswith(p)), None)
            if prefix:
                package, label = packages[prefix]
                if package is None:
                    unchecked += 1
                elif python_has(package, name):
                    checked += 1
                else:
                    problems.append(f"{os.path.relpath(path, ROOT)}: {name} is not in {label} {package.__version__}")
            elif name.startswith("MLX"):
                if mlx_has(name):
                    checked += 1
                else:
                    problems.append(f"{os.path.relpath(path, ROOT)}: {name} is not a public name of MLX Swift")
for problem in problems:
    print(problem)
version = f"PyTorch {torch.__version__}" if torch else "no PyTorch installed"
print(f"check-mappings: {checked} names found ({version}; MLX Swift's names list), {unchecked} not checked, {len(problems)} missing")
sys.exit(1 if problems else 0)
