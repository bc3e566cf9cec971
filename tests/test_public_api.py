"""The public surface: every exported name imports and is documented, no function shadows its
module, the import graph has no cycle, and the energy stack stands alone."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lossatlas

PACKAGES = (
    "lossatlas",
    "lossatlas.analysis",
    "lossatlas.io",
    "lossatlas.viz",
    "lossatlas.evaluate",
    "lossatlas.energy",
    "lossatlas.energy.potentials",
)
ROOT = Path(lossatlas.__file__).parent
#: Modules of the top-level package that are public on purpose (one job each, no function of
#: the same name in ``lossatlas``).
TOP_LEVEL_MODULES = {"cli", "columns", "errors", "examples", "landscape", "space"}


def _own_doc(obj: object) -> str:
    """The object's own docstring (not inherited, not a dataclass's generated signature)."""
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__") or ""
        if re.match(rf"^{re.escape(obj.__name__)}\(.*\)$", doc.strip(), re.S):
            return ""  # dataclass / NamedTuple placeholder
        return doc
    if inspect.isfunction(obj) or inspect.ismethod(obj) or inspect.ismodule(obj):
        return obj.__doc__ or ""
    if callable(obj) and type(obj).__doc__ is not getattr(obj, "__doc__", None):
        return obj.__doc__ or ""
    return ""


def _documented_constant(package: str, name: str) -> bool:
    """A constant is documented by a ``#:`` comment above its assignment in the package's
    sources, or by a mention in the package docstring."""
    module = importlib.import_module(package)
    if re.search(rf"\b{re.escape(name)}\b", module.__doc__ or ""):
        return True
    folder = Path(module.__file__).parent
    pattern = re.compile(rf"^\s*#:.*\n\s*{re.escape(name)}\s*(:[^=]+)?=", re.M)
    return any(pattern.search(p.read_text(encoding="utf-8")) for p in folder.glob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_imports_and_is_documented(package):
    module = importlib.import_module(package)
    assert (module.__doc__ or "").strip(), f"{package} has no docstring"
    exported = getattr(module, "__all__", None)
    assert exported, f"{package} has no __all__"
    assert len(set(exported)) == len(exported), f"{package}.__all__ repeats names"
    undocumented = []
    for name in exported:
        obj = getattr(module, name)  # raises AttributeError for a name that does not import
        if name == "__version__":
            continue
        if not _own_doc(obj).strip() and not _documented_constant(package, name):
            undocumented.append(name)
    assert not undocumented, f"{package}: undocumented public names {undocumented}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_public_module_is_shadowed_by_a_function(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.ismodule(obj):
            assert obj.__name__ == f"{package}.{name}" and hasattr(obj, "__path__"), (
                f"{package}.{name} is a module, not the function or class of that name"
            )
    if package == "lossatlas":
        public = {m.name for m in pkgutil.iter_modules(module.__path__) if not m.ispkg}
        public = {m for m in public if not m.startswith("_")}
        assert public <= TOP_LEVEL_MODULES, f"new public top-level modules {public}"
        assert not public & set(module.__all__)
        return
    # implementation modules are private, so a function never shadows its module
    public = [
        m.name
        for m in pkgutil.iter_modules(module.__path__)
        if not m.name.startswith("_") and not m.ispkg
    ]
    assert not public, f"{package} has public implementation modules {public}"


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("lossatlas", "importance"),
        ("lossatlas", "profile"),
        ("lossatlas", "compare_landscapes"),
        ("lossatlas", "load_landscapes"),
        ("lossatlas.analysis", "importance"),
        ("lossatlas.analysis", "similarity"),
        ("lossatlas.analysis", "compare_landscapes"),
        ("lossatlas.analysis", "overfitting"),
        ("lossatlas.io", "load_landscapes"),
        ("lossatlas.io", "from_optuna"),
        ("lossatlas.io", "to_optuna"),
        ("lossatlas.viz", "write_report"),
        ("lossatlas.viz", "plot_map"),
        ("lossatlas.viz", "map_figure"),
        ("lossatlas.evaluate", "evaluate"),
        ("lossatlas.energy", "basin_hopping"),
        ("lossatlas.energy", "connect_lowest"),
        ("lossatlas.energy", "disconnectivity_tree"),
        ("lossatlas.energy", "heat_capacity"),
    ],
)
def test_everyday_functions_are_functions(package, name):
    module = importlib.import_module(package)
    assert name in module.__all__, f"{package} does not export {name}"
    obj = getattr(module, name)
    assert callable(obj) and not inspect.ismodule(obj)
    assert "Parameters" in (obj.__doc__ or ""), f"{package}.{name} has no Parameters section"


def test_energy_database_is_exported():
    from lossatlas import energy

    assert inspect.isclass(energy.Database)


def test_top_level_names_are_the_core_types():
    from lossatlas.landscape import Landscape
    from lossatlas.space import SearchSpace

    assert lossatlas.Landscape is Landscape and lossatlas.SearchSpace is SearchSpace
    assert set(lossatlas.__all__) <= set(dir(lossatlas))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lossatlas.nope  # noqa: B018


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return out.stdout.strip()


def test_import_lossatlas_is_cheap():
    loaded = _run(
        "import sys, lossatlas; "
        "print(sorted(m for m in ('numpy', 'pandas', 'scipy', 'lossatlas.landscape') "
        "if m in sys.modules))"
    )
    assert loaded == "[]"


def test_energy_imports_without_the_hp_stack():
    loaded = _run(
        "import sys, lossatlas.energy; "
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in "
        "(['lossatlas', 'viz'], ['lossatlas', 'analysis'], ['lossatlas', 'evaluate'])))"
    )
    assert loaded == "[]", f"import lossatlas.energy loads {loaded}"


def test_evaluate_and_io_import_without_extras():
    loaded = _run(
        "import sys, lossatlas.evaluate, lossatlas.io, lossatlas.viz; "
        "print(sorted(m for m in ('sklearn', 'torch', 'matplotlib', 'plotly', 'optuna', "
        "'umap', 'xgboost', 'lightgbm') if m in sys.modules))"
    )
    assert loaded == "[]"


# -- the import graph ------------------------------------------------------------------------


def _module_names() -> dict[str, Path]:
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, *, module_level: bool) -> list[ast.Import | ast.ImportFrom]:
    """Module-level imports (run at import time, TYPE_CHECKING blocks excluded), or the others
    (inside functions and classes' methods)."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(nodes: list[ast.stmt], top: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                if top == module_level:
                    found.append(node)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node):
                    visit(node.body, top)
                    visit(node.orelse, top)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody):
                    visit(block, top)
                for handler in node.handlers:
                    visit(handler.body, top)
            elif isinstance(node, ast.With):
                visit(node.body, top)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(node.body, False)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, top)

    visit(tree.body, True)
    return found


def _targets(name: str, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> set[str]:
    is_package = modules[name].name == "__init__.py"
    out: set[str] = set()
    if isinstance(node, ast.Import):
        bases = [alias.name for alias in node.names]
    else:
        if node.level:
            anchor = name.split(".") if is_package else name.split(".")[:-1]
            anchor = anchor[: len(anchor) - node.level + 1]
            base = ".".join(anchor + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        bases = [base]
        out |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules}
    for base in bases:
        parts = base.split(".")
        out |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    own = name.split(".")
    ancestors = {".".join(own[:i]) for i in range(1, len(own) + 1)}
    return {t for t in out if t in modules and t not in ancestors}


def _graph() -> dict[str, set[str]]:
    modules = _module_names()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = set()
        for node in _imports(tree, module_level=True):
            graph[name] |= _targets(name, node, modules)
    return graph


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = dfs(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = dfs(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    assert graph["lossatlas.viz._report"] >= {"lossatlas.io", "lossatlas.analysis._profile"}
    cycle = _find_cycle(graph)
    assert cycle is None, f"import cycle: {' -> '.join(cycle or [])}"


def test_no_module_imports_a_private_name_of_another_module():
    """A child module never reaches back into its parent (or a sibling) for a private helper:
    shared helpers are public names of a private module. Imports inside functions count."""
    modules = _module_names()
    offenders = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = _imports(tree, module_level=True) + _imports(tree, module_level=False)
        for node in nodes:
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "lossatlas"
            ):
                continue
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and f"{node.module}.{alias.name}" not in modules:
                    offenders.append(f"{name}: from {node.module} import {alias.name}")
    assert not offenders, "private names imported across modules:\n" + "\n".join(offenders)


def test_no_module_imports_its_own_package_namespace():
    """``from lossatlas.analysis import x`` inside ``lossatlas/analysis/_y.py`` reaches back
    into the parent's ``__init__`` (a cycle in waiting): import from the defining module."""
    modules = _module_names()
    offenders = []
    for name, path in modules.items():
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = _imports(tree, module_level=True) + _imports(tree, module_level=False)
        ancestors = {".".join(name.split(".")[:i]) for i in range(2, len(name.split(".")))}
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and node.module in ancestors and not node.level:
                names = [a.name for a in node.names if f"{node.module}.{a.name}" not in modules]
                if names:
                    offenders.append(f"{name}: from {node.module} import {', '.join(names)}")
    assert not offenders, "\n".join(offenders)


def test_analysis_neither_draws_nor_writes():
    """Computation returns data: no analysis module imports a plotting library or writes."""
    drawing = {"matplotlib", "plotly", "umap"}
    writing = {"savefig", "write_text", "write_bytes", "to_parquet", "to_csv", "to_html", "open"}
    offenders = []
    for path in sorted((ROOT / "analysis").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names.append(getattr(node, "module", None) or "")
                if any(n.split(".")[0] in drawing for n in names):
                    offenders.append(f"{path.name}:{node.lineno} imports {names}")
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in writing:
                    offenders.append(f"{path.name}:{node.lineno} calls {name}")
    assert not offenders, "\n".join(offenders)
