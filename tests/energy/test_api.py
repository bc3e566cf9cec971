"""The public surface of ``lossatlas.energy``: every name imports and is documented, no module
name is shadowed, the import graph has no cycle, and the package stands without the HP stack."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import lossatlas.energy
import lossatlas.energy.potentials

PACKAGES = [lossatlas.energy, lossatlas.energy.potentials]
ROOT = Path(lossatlas.energy.__file__).parent


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_every_exported_name_imports_and_is_documented(package) -> None:
    assert len(package.__all__) == len(set(package.__all__))
    for name in package.__all__:
        obj = getattr(package, name)  # raises when a name does not import
        if inspect.isfunction(obj) or inspect.isclass(obj):
            doc = inspect.getdoc(obj)
            assert doc and len(doc.split()) >= 3, f"{package.__name__}.{name} has no docstring"


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_public_functions_document_parameters_and_returns(package) -> None:
    missing = []
    for name in package.__all__:
        obj = getattr(package, name)
        if not inspect.isfunction(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        params = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
        if params and "Parameters\n----------" not in doc:
            missing.append(f"{name}: Parameters")
        if "Returns\n-------" not in doc and "Yields\n------" not in doc:
            missing.append(f"{name}: Returns")
    assert not missing, missing


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_no_public_module_is_shadowed_by_a_function(package) -> None:
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    public_modules = {m for m in modules if not m.startswith("_")}
    assert public_modules <= {"potentials"}, public_modules
    for name in public_modules:
        assert inspect.ismodule(getattr(package, name)), name


def _imports(path: Path, package: str) -> set[str]:
    """Modules of ``package`` imported at module level by the file (not inside functions, not
    under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(package))
    return found


def test_the_module_level_import_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        graph[name] = _imports(path, "lossatlas.energy")
    # a package imports its children to re-export them; edges into a package from its own
    # children would be the cycle, so look for cycles among the non-package modules
    modules = {m for m in graph if not (ROOT.parent.parent / Path(*m.split("."))).is_dir()}
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            target = nxt if nxt in modules else None
            if target is None:
                continue
            if state.get(target) == 1:
                raise AssertionError(f"import cycle: {' -> '.join([*stack, node, target])}")
            if state.get(target) is None:
                visit(target, [*stack, node])
        state[node] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m, [])
    assert "lossatlas.energy._basinhopping" in modules and len(modules) > 20


def test_children_use_no_private_helper_of_a_sibling() -> None:
    offenders = []
    for path in ROOT.rglob("_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "lossatlas.energy"
            ):
                offenders += [
                    f"{path.name}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and a.name != "__version__"
                ]
    assert not offenders, offenders


def test_computation_modules_never_import_matplotlib() -> None:
    drawing = {"_plots.py", "_views_plots.py"}  # renderers: the energy figures, the views
    for path in ROOT.rglob("*.py"):
        if path.name in drawing:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "matplotlib" for n in names), path.name


def test_energy_imports_without_the_hyperparameter_stack_or_heavy_deps() -> None:
    code = (
        "import sys, lossatlas.energy\n"
        "bad = [m for m in sys.modules if m.startswith(('lossatlas.viz', 'lossatlas.analysis', "
        "'lossatlas.evaluate')) or m.split('.')[0] in ('matplotlib', 'sklearn', 'torch', "
        "'plotly', 'pandas')]\n"
        "print(bad)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_private_modules_are_reachable_for_their_names() -> None:
    # every name a private module lists in __all__ is importable from it
    for info in pkgutil.iter_modules(lossatlas.energy.__path__):
        if info.name.startswith("_"):
            module = importlib.import_module(f"lossatlas.energy.{info.name}")
            for name in getattr(module, "__all__", ()):
                assert hasattr(module, name), f"{info.name}.{name}"
