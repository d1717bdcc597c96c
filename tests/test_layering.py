"""The core never imports telegram, so the CLI and tests can use it directly."""

import ast
from pathlib import Path

CORE = ["config", "normalize", "rulebook", "matcher", "storage", "answers", "texts", "qa",
        "cli", "evaluation"]


def test_core_modules_do_not_import_telegram():
    root = Path(__file__).resolve().parent.parent / "bot"
    offenders = []
    for path in sorted(root.glob("*.py")):
        if path.stem == "app":
            continue  # the application builder is the one place that wires telegram in
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "telegram" or n.startswith("telegram.") or n.startswith("handlers")
                   for n in names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
    assert {p.stem for p in root.glob("*.py")} >= set(CORE)
