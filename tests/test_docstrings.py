"""Public functions of io, viz and evaluate document their Parameters and Returns (numpydoc),
and the main entry points carry a runnable Examples section (run by the doctests in CI)."""

from __future__ import annotations

import importlib
import inspect

import pytest

PACKAGES = ("lossatlas.io", "lossatlas.viz", "lossatlas.evaluate")
ENTRY_POINTS = (
    ("lossatlas.io", "load_landscapes"),
    ("lossatlas.viz", "write_report"),
    ("lossatlas.evaluate", "evaluate"),
    ("lossatlas.space", "SearchSpace.from_dict"),
)


def _functions(package: str):
    module = importlib.import_module(package)
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj):
            yield name, obj


def _missing_sections(func) -> list[str]:
    doc = inspect.getdoc(func) or ""
    signature = inspect.signature(func)
    missing = []
    params = [p for p in signature.parameters.values() if p.name not in ("self", "cls")]
    if params and "Parameters\n----------" not in doc:
        missing.append("Parameters")
    returns = signature.return_annotation
    if returns not in ("None", None, inspect.Signature.empty) and "Returns\n-------" not in doc:
        missing.append("Returns")
    return missing


@pytest.mark.parametrize("package", PACKAGES)
def test_public_functions_have_parameters_and_returns(package):
    gaps = {
        name: missing for name, func in _functions(package) if (missing := _missing_sections(func))
    }
    assert not gaps, f"{package}: numpydoc sections missing: {gaps}"


@pytest.mark.parametrize(("module", "name"), ENTRY_POINTS)
def test_entry_points_have_a_runnable_example(module, name):
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc and ">>> " in doc, f"{module}.{name} has no example"


def test_the_section_checker_catches_a_bare_docstring():
    def bare(x: int) -> int:
        """Twice x."""
        return 2 * x

    def done(x: int) -> int:
        """Twice x.

        Parameters
        ----------
        x : int

        Returns
        -------
        int
        """
        return 2 * x

    assert _missing_sections(bare) == ["Parameters", "Returns"]
    assert _missing_sections(done) == []
