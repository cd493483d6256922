"""The house's layers hold: each folder imports only what the process that runs it has.

``knowledge/`` is shared by both servers and the offline indexing, so it knows nothing of herbot's
processes nor of Rasa; the action server (``actions/``) loads neither the supervisor nor the Rasa
server's plug-ins; the supervisor (``herbot/cli/``) and the Rasa server's plug-ins (``herbot/rasa/``)
do not reach into each other; and nothing herbot runs imports the tests. Imports inside functions
count: they run in the same process. Read from the source, so nothing is imported here.
"""

import ast
from pathlib import Path

import pytest

from herbot.settings import PROJECT_ROOT

PRODUCT = ("herbot", "knowledge", "actions")


def _modules(folder: str) -> dict[str, Path]:
    """Every module under ``folder`` (a path from the project root), by its dotted name."""
    return {".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__"): path
            for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """The dotted names ``path`` imports, relative imports resolved, wherever the import statement stands."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".rstrip(".")
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return found


def _within(imported: str, prefix: str) -> bool:
    return imported == prefix or imported.startswith(prefix + ".")


def _offences(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{name} imports {imported}" for name, path in _modules(folder).items()
            for imported in sorted(_imports(name, path)) if any(_within(imported, f) for f in forbidden)]


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("knowledge", ("herbot", "actions", "rasa", "rasa_sdk", "tests", "bench")),
    ("actions", ("herbot.cli", "herbot.rasa", "rasa", "tests", "bench")),
    ("herbot/cli", ("herbot.rasa", "actions", "tests", "bench")),
    ("herbot/rasa", ("herbot.cli", "actions", "rasa_sdk", "tests", "bench")),
    ("herbot/settings.py", ("herbot.cli", "herbot.rasa", "actions", "rasa", "tests", "bench")),
])
def test_each_folder_imports_only_what_its_process_has(folder, forbidden):
    if folder.endswith(".py"):
        name = folder.removesuffix(".py").replace("/", ".")
        offences = [f"{name} imports {imported}" for imported in sorted(_imports(name, PROJECT_ROOT / folder))
                    if any(_within(imported, f) for f in forbidden)]
    else:
        offences = _offences(folder, forbidden)
    assert not offences


def test_the_benchmarks_take_only_the_tests_support_helpers():
    offences = [line for line in _offences("bench", ("tests",)) if not line.split(" imports ")[1].startswith(
        "tests.support")]
    assert not offences


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    """The checks above are only worth something if they can fail."""
    module = tmp_path / "late.py"
    module.write_text("def later():\n    from herbot.cli import processes\n    import rasa.core\n")
    assert _imports("knowledge.late", module) >= {"herbot.cli", "herbot.cli.processes", "rasa.core"}


def _changes_the_environment(node: ast.AST) -> bool:
    """``os.environ[...] = …``, ``os.environ.setdefault/update/pop/…(…)``, ``os.putenv(…)``, ``del os.environ[…]``."""
    def is_environ(target: ast.AST) -> bool:
        return isinstance(target, ast.Attribute) and target.attr == "environ"

    if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
        targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        return any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return (is_environ(node.func.value) and node.func.attr in ("setdefault", "update", "pop", "clear", "popitem")) \
            or node.func.attr in ("putenv", "unsetenv")
    return False


def _at_import(tree: ast.Module):
    """Every node that runs when the module is imported: not the bodies of its functions."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def test_no_module_changes_the_environment_when_it_is_imported():
    """The environment is set where a process starts (herbot.settings.set_library_environment), never at import."""
    offences = [f"{name}:{node.lineno}" for package in PRODUCT for name, path in _modules(package).items()
                for node in _at_import(ast.parse(path.read_text(encoding="utf-8")))
                if _changes_the_environment(node)]
    assert not offences
    late = ast.parse("import os\ndef start():\n    os.environ.setdefault('USE_TF', '0')\nos.environ['X'] = '1'\n")
    assert [node.lineno for node in _at_import(late) if _changes_the_environment(node)] == [4]
