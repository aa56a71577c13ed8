"""The layout holds: every module of bot, handlers and jobs imports on its own in a fresh interpreter (no
import cycle hides behind a lucky import order), and the layers point one way: services import no telegram,
handlers or jobs; jobs import no handlers; shared rendering imports no handlers or jobs."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "jobs")
FORBIDDEN = {
    "bot/services": ("telegram", "handlers", "jobs"),
    "jobs": ("handlers",),
    "bot/render": ("handlers", "jobs"),
}
"""Where a module lives → the top-level packages it must never import, even inside a function."""


RUNNER = """
import importlib, os, sys, traceback
for name in {preloaded!r}:
    try:
        importlib.import_module(name)
    except Exception:
        pass
failed = []
for module in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(module)
        except BaseException:
            sys.stderr.write(f"--- {{module}}\\n{{traceback.format_exc()}}")
            sys.stderr.flush()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(module)
print("\\n".join(failed))
"""
"""Imports each module named in argv in a forked child of an interpreter that has loaded none of the project,
and prints the modules that failed."""


def modules() -> list[str]:
    """Every importable module of the project's packages (entry points excluded: importing runs them)."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def imported(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in a file, relative ones resolved against the file's package."""
    package = path.relative_to(root).parent.parts
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            else:
                yield node.lineno, node.module or ""


def third_party() -> list[str]:
    """Every module outside the project that the project imports: the runner loads them once before forking,
    only to save time (a cycle among the project's own modules fails whatever else is already loaded)."""
    names = {
        module
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for _, module in imported(path, ROOT)
        if module.split(".")[0] not in PACKAGES
    }
    return sorted(names)


def violations(root: Path = ROOT) -> list[str]:
    """Every import that crosses a layer the wrong way, as `file:line imports module`."""
    found = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((root / layer).rglob("*.py")):
            for line, module in imported(path, root):
                if module.split(".")[0] in banned:
                    found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    names = modules()
    assert len(names) > 100 and "jobs.alarms" in names and "handlers.gate" in names
    halves = [names[0::2], names[1::2]]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER.format(preloaded=third_party()), *half],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in halves
    ]
    failed, errors = [], []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        failed += out.split()
        errors.append(err)
    assert failed == [], "".join(errors)


def test_layers_import_one_way() -> None:
    assert violations() == []


def test_the_layering_check_sees_what_it_forbids(tmp_path: Path) -> None:
    """A check that cannot fail is no check: plant one violation of each rule and find them all."""
    planted = {
        "bot/services/records/leak.py": "from telegram import Bot\n",
        "bot/services/nested.py": "def f() -> None:\n    from handlers import gate\n",
        "bot/services/team/rel.py": "from ...render import codec\nfrom . import people\nimport jobs.engine\n",
        "jobs/poster.py": "import handlers.alarms\n",
        "bot/render/card.py": "from handlers.gate import Call\nfrom jobs import engine\n",
        "bot/models.py": "import telegram\n",  # outside the layers checked: allowed
    }
    for name, text in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert violations(tmp_path) == [
        "bot/services/nested.py:2 imports handlers",
        "bot/services/records/leak.py:1 imports telegram",
        "bot/services/team/rel.py:3 imports jobs.engine",
        "jobs/poster.py:1 imports handlers.alarms",
        "bot/render/card.py:1 imports handlers.gate",
        "bot/render/card.py:2 imports jobs",
    ]
