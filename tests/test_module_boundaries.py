"""Module boundaries, read from the source with `ast`: no app imports another app's views,
and the packages import one another without a cycle (the project package on top).

Only the root URLconf puts apps' views at addresses; everything else an app needs from
another lives outside views (services, forms, models, helpers).
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
PROJECT = settings.ROOT_URLCONF.split(".")[0]
ROOT_URLCONF = Path(*settings.ROOT_URLCONF.split(".")).with_suffix(".py")
# Every package of the portal itself; the tests and the benchmarks are not part of it.
PACKAGES = sorted(
    path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in {"tests", "bench"}
)
APPS = {name for name in settings.INSTALLED_APPS if name in PACKAGES}


def package_files():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _containing_package(path: Path) -> list[str]:
    """The package a relative import in `path` starts from: its own for an __init__.py."""
    return list(path.relative_to(ROOT).parent.parts)


def _module_level(tree: ast.Module):
    """The nodes run when the module is imported: everything outside function bodies."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imported(path: Path, *, module_level_only: bool = False) -> list[str]:
    """The absolute dotted names `path` imports; `from a import b` gives "a.b" (b may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _containing_package(path)
    names = []
    for node in _module_level(tree) if module_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [node.module])])
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def is_views(name: str) -> bool:
    return any(part == "views" or part.endswith("_views") for part in name.split(".")[1:])


def test_no_module_imports_another_apps_views():
    crossings = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in package_files()
        if path.relative_to(ROOT) != ROOT_URLCONF
        for name in imported(path)
        if name.split(".")[0] in APPS
        and name.split(".")[0] != path.relative_to(ROOT).parts[0]
        and is_views(name)
    ]
    assert crossings == []


def test_the_check_sees_the_root_urlconf_import_apps_views():
    """Not vacuous: the one module allowed to import apps' views does, and the check reads it so."""
    assert any(is_views(name) and name.split(".")[0] in APPS for name in imported(ROOT / ROOT_URLCONF))


def package_graph() -> dict[str, set[str]]:
    """Which packages each package imports when its modules are imported (not inside functions)."""
    graph = {package: set() for package in PACKAGES}
    for path in package_files():
        importer = path.relative_to(ROOT).parts[0]
        for name in imported(path, module_level_only=True):
            if name.split(".")[0] in graph and name.split(".")[0] != importer:
                graph[importer].add(name.split(".")[0])
    return graph


def test_packages_import_one_another_without_a_cycle():
    graph = package_graph()

    def reachable(start):
        seen, stack = set(), [start]
        while stack:
            for target in graph[stack.pop()] - seen:
                seen.add(target)
                stack.append(target)
        return seen

    assert [package for package in PACKAGES if package in reachable(package)] == []


def test_no_app_imports_the_project_package():
    """Settings reach an app through django.conf; the project package sits above every app."""
    importers = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in package_files()
        if path.relative_to(ROOT).parts[0] != PROJECT
        for name in imported(path)
        if name.split(".")[0] == PROJECT
    ]
    assert importers == []
    assert package_graph()[PROJECT] & APPS, "the check reads the root URLconf's imports of the apps"
