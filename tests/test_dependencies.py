"""Every third-party import is declared, pinned, in the requirements file of the code that imports it.

App code (app.py, pages/, lib/) needs requirements.txt; benchmarks and tests may also use requirements-dev.txt.
A clean install of those files is all a fresh machine gets, so an import that only works because a package
happens to be on this machine would fail there.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCAL = {"app", "lib", "pages", "bench", "tests"}
APP_CODE = [ROOT / "app.py", ROOT / "pages", ROOT / "lib"]
DEV_CODE = [ROOT / "bench", ROOT / "tests"]


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path: Path) -> list[str]:
    """The requirement lines of one file, without comments and without the -r lines it includes."""
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            lines.append(line)
    return lines


def pinned(path: Path) -> dict[str, str]:
    """Distribution name -> version for every line of a requirements file."""
    found = {}
    for line in requirement_lines(path):
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([\w.]+)", line)
        assert match, f"{path.name}: '{line}' is not pinned as name==version"
        found[normalised(match.group(1))] = match.group(2)
    return found


def imported_modules(paths: list[Path]) -> dict[str, Path]:
    """Top-level module name -> the first file that imports it."""
    found: dict[str, Path] = {}
    for base in paths:
        for source in [base] if base.is_file() else sorted(base.rglob("*.py")):
            for node in ast.walk(ast.parse(source.read_text(), str(source))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], source)
    return found


def undeclared(paths: list[Path], declared: set[str]) -> list[str]:
    """Messages naming each third-party module that no declared distribution provides."""
    providers = metadata.packages_distributions()
    problems = []
    for module, source in sorted(imported_modules(paths).items()):
        if module in sys.stdlib_module_names or module in LOCAL or module == "__future__":
            continue
        where = source.relative_to(ROOT)
        distributions = {normalised(name) for name in providers.get(module, [])}
        if not distributions:
            problems.append(f"{module} (imported in {where}) is provided by no installed distribution: "
                            "declare the package that provides it")
        elif not distributions & declared:
            problems.append(f"{module} (imported in {where}) comes from {', '.join(sorted(distributions))}, "
                            "which is not declared")
    return problems


def test_every_requirement_is_pinned():
    assert pinned(ROOT / "requirements.txt")
    assert pinned(ROOT / "requirements-dev.txt")
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()


def test_app_imports_are_declared_in_requirements_txt():
    problems = undeclared(APP_CODE, set(pinned(ROOT / "requirements.txt")))
    assert not problems, "add to requirements.txt:\n" + "\n".join(problems)


def test_bench_and_test_imports_are_declared_in_the_dev_requirements():
    declared = set(pinned(ROOT / "requirements.txt")) | set(pinned(ROOT / "requirements-dev.txt"))
    problems = undeclared(DEV_CODE, declared)
    assert not problems, "add to requirements-dev.txt:\n" + "\n".join(problems)


def test_a_missing_declaration_is_named():
    declared = set(pinned(ROOT / "requirements.txt")) - {"python-docx"}
    problems = undeclared(APP_CODE, declared)
    assert any(problem.startswith("docx ") and "python-docx" in problem for problem in problems), problems


ALL_PINNED = {**pinned(ROOT / "requirements.txt"), **pinned(ROOT / "requirements-dev.txt")}


@pytest.mark.parametrize("distribution", sorted(ALL_PINNED))
def test_the_installed_version_is_the_pinned_one(distribution):
    assert metadata.version(distribution) == ALL_PINNED[distribution]
