"""lib/ in wings: imports run one way only (pages -> ui -> areas -> rules/store), and only lib/ui uses Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "lib"

# Lowest first: a module may import its own layer and the layers before it, never one after it.
LAYERS = [
    {"lib.config", "lib.errors"},
    {"lib.rules"},
    {"lib.store", "lib.checks"},
    {"lib.accounts"},
    {"lib.centre"},
    {"lib.records"},
    {"lib.service"},
    {"lib.analytics", "lib.admin", "lib.hei"},
    {"lib.demo"},
    {"lib.startup", "lib.ops", "lib.__main__"},
    {"lib.ui"},
]


def wing(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def layer_of(module: str) -> int:
    for index, names in enumerate(LAYERS):
        if wing(module) in names:
            return index
    raise AssertionError(f"{module} is in no wing: add it to a package of lib/ (or to LAYERS)")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def lib_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            if node.module == "lib":
                found |= {f"lib.{alias.name}" for alias in node.names}
    return found


def lib_modules() -> list[Path]:
    return sorted(path for path in LIB.rglob("*.py"))


def test_lib_has_no_flat_modules_outside_its_foundations():
    flat = sorted(path.stem for path in LIB.glob("*.py"))
    assert flat == ["__init__", "__main__", "config", "errors", "startup"]


def test_imports_run_one_way():
    wrong = []
    for path in lib_modules():
        here = module_name(path)
        for target in lib_imports(path):
            if target == "lib" or not target.startswith("lib."):
                continue
            if layer_of(target) > layer_of(here):
                wrong.append(f"{here} imports {target}")
    assert not wrong, "imports against the layering:\n" + "\n".join(sorted(wrong))


def test_only_lib_ui_uses_streamlit():
    users = [module_name(path) for path in lib_modules()
             if any(name.split(".")[0] == "streamlit" for name in lib_imports(path))]
    assert all(name.startswith("lib.ui") for name in users), users


def test_pages_use_lib_but_lib_never_uses_pages():
    for path in lib_modules():
        assert not any(name.split(".")[0] in ("pages", "app", "bench") for name in lib_imports(path)), path


def test_the_rules_are_pure():
    io_modules = {"duckdb", "streamlit", "os", "subprocess", "socket", "urllib", "shutil"}
    for path in (LIB / "rules").rglob("*.py"):
        used = {name.split(".")[0] for name in lib_imports(path)}
        assert not used & io_modules, f"{module_name(path)} uses {used & io_modules}"
